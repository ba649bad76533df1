//! IMAP flags ↔ MAPI message properties.
//!
//! | flag | property | reads as set when | written as |
//! |---|---|---|---|
//! | `\Seen` | PidTagMessageFlags `mfRead` (0x1) | bit set | RopSetReadFlags ([`FlagWrite::read`]) |
//! | `\Flagged` | PidTagFlagStatus ([MS-OXOFLAG] 2.2.1.1) | value 2 `followupFlagged` | 2 (+ PidTagFollowupIcon 6); clearing deletes both |
//! | `\Answered` | PidTagLastVerbExecuted ([MS-OXOMSG] 2.2.1.29) / PidTagIconIndex ([MS-OXOMSG] 2.2.1.10) | verb 102 (reply) or 103 (reply all), or icon 0x105 | verb 102, icon 0x105 |
//! | `$Forwarded` | the same | verb 104 (forward), or icon 0x106 | verb 104, icon 0x106 |
//! | `\Draft` | PidTagMessageFlags `mfUnsent` (0x8) | bit set | at creation only |
//! | `\Deleted` | none: gateway state until EXPUNGE | — | — |
//! | keywords | PidNameKeywords (PS_PUBLIC_STRINGS `Keywords`, the categories) | category present | the whole list |
//!
//! Decisions, documented because MAPI cannot say everything IMAP can:
//!
//! * PidTagFlagStatus 1 (`followupComplete`) is **not** `\Flagged`: the
//!   item shows as done in Outlook. Clearing `\Flagged` on a completed item
//!   leaves it completed; setting `\Flagged` makes it flagged again.
//! * MAPI keeps only the *last* verb. When both `\Answered` and `$Forwarded`
//!   are wanted, the gateway writes verb 102 (reply) and icon 0x106
//!   (forwarded), which reads back as both. An existing verb 103 (reply
//!   all) is kept while `\Answered` stays.
//! * `mfUnsent` can only be set before a message is first saved
//!   ([MS-OXCMSG] 2.2.1.6), so `\Draft` is fixed at APPEND; a STORE that
//!   would change it is reported in [`FlagWrite::draft_refused`] and not
//!   applied (the flag is not in PERMANENTFLAGS).
//! * Keywords ↔ categories go through [`CategoryMap`]: Thunderbird's
//!   `$label1`…`$label5` are the configured category names; other
//!   categories that are not IMAP atoms are escaped reversibly (`#XX` per
//!   UTF-8 byte). A keyword spelled like a label's category name (`Work`)
//!   reads back as the label (`$label2`).

use std::borrow::Cow;

use convert::PropertyBag;
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::PidName;

use super::PropRef;
use crate::flags::{Flag, Flags, Keyword, is_atom_char};

/// PidTagMessageFlags `mfRead` ([MS-OXCMSG] 2.2.1.6).
pub const MF_READ: i32 = 0x0000_0001;
/// PidTagMessageFlags `mfUnsent` ([MS-OXCMSG] 2.2.1.6).
pub const MF_UNSENT: i32 = 0x0000_0008;
/// PidTagFlagStatus `followupComplete` ([MS-OXOFLAG] 2.2.1.1).
pub const FLAG_STATUS_COMPLETE: i32 = 1;
/// PidTagFlagStatus `followupFlagged` ([MS-OXOFLAG] 2.2.1.1).
pub const FLAG_STATUS_FLAGGED: i32 = 2;
/// PidTagFollowupIcon red flag ([MS-OXOFLAG] 2.2.1.2).
pub const FOLLOWUP_ICON_RED: i32 = 6;
/// PidTagLastVerbExecuted `NOTEIVERB_REPLYTOSENDER` ([MS-OXOMSG] 2.2.1.29).
pub const VERB_REPLY: i32 = 102;
/// PidTagLastVerbExecuted `NOTEIVERB_REPLYTOALL`.
pub const VERB_REPLY_ALL: i32 = 103;
/// PidTagLastVerbExecuted `NOTEIVERB_FORWARD`.
pub const VERB_FORWARD: i32 = 104;
/// PidTagIconIndex "replied mail" ([MS-OXOMSG] 2.2.1.10).
pub const ICON_REPLIED: i32 = 0x105;
/// PidTagIconIndex "forwarded mail".
pub const ICON_FORWARDED: i32 = 0x106;

/// The columns to read for [`MapiFlagState`] (plus [`PidName::KEYWORDS`],
/// named).
pub const FLAG_COLUMNS: [PropTag; 4] =
    [PropTag::MESSAGE_FLAGS, PropTag::FLAG_STATUS, PropTag::LAST_VERB_EXECUTED, PropTag::ICON_INDEX];

/// The flag-bearing properties of one message, as read from a table row or
/// a property bag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapiFlagState {
    /// PidTagMessageFlags.
    pub message_flags: Option<i32>,
    /// PidTagFlagStatus.
    pub flag_status: Option<i32>,
    /// PidTagLastVerbExecuted.
    pub last_verb: Option<i32>,
    /// PidTagIconIndex.
    pub icon_index: Option<i32>,
    /// PidNameKeywords, in stored order.
    pub categories: Vec<String>,
}

impl MapiFlagState {
    /// Reads the state from a property bag.
    pub fn from_bag(bag: &PropertyBag) -> Self {
        Self {
            message_flags: bag.i32(PropTag::MESSAGE_FLAGS),
            flag_status: bag.i32(PropTag::FLAG_STATUS),
            last_verb: bag.i32(PropTag::LAST_VERB_EXECUTED),
            icon_index: bag.i32(PropTag::ICON_INDEX),
            categories: bag
                .named_strings(&PidName::KEYWORDS)
                .map(|v| v.into_iter().map(Cow::into_owned).collect())
                .unwrap_or_default(),
        }
    }

    fn read(&self) -> bool {
        self.message_flags.unwrap_or(0) & MF_READ != 0
    }

    fn unsent(&self) -> bool {
        self.message_flags.unwrap_or(0) & MF_UNSENT != 0
    }

    fn answered(&self) -> bool {
        matches!(self.last_verb, Some(VERB_REPLY | VERB_REPLY_ALL)) || self.icon_index == Some(ICON_REPLIED)
    }

    fn forwarded(&self) -> bool {
        self.last_verb == Some(VERB_FORWARD) || self.icon_index == Some(ICON_FORWARDED)
    }

    /// The IMAP flags these properties mean (never `\Deleted`, which is
    /// gateway state).
    pub fn flags(&self, map: &CategoryMap) -> Flags {
        let mut f = Flags::new();
        f.set(Flag::Seen, self.read());
        f.set(Flag::Draft, self.unsent());
        f.set(Flag::Flagged, self.flag_status == Some(FLAG_STATUS_FLAGGED));
        f.set(Flag::Answered, self.answered());
        f.set(Flag::Forwarded, self.forwarded());
        for c in &self.categories {
            if let Some(k) = map.keyword_of(c) {
                f.insert(Flag::Keyword(k));
            }
        }
        f
    }

    /// What to write so that the message carries `target` (ignoring
    /// `\Deleted`).
    pub fn write_for(&self, target: &Flags, map: &CategoryMap) -> FlagWrite {
        let mut w = FlagWrite::default();
        let seen = target.contains(&Flag::Seen);
        if seen != self.read() {
            w.read = Some(seen);
        }
        if target.contains(&Flag::Draft) != self.unsent() {
            w.draft_refused = true;
        }
        let flagged = target.contains(&Flag::Flagged);
        if flagged && self.flag_status != Some(FLAG_STATUS_FLAGGED) {
            w.set.push((PropRef::Tag(PropTag::FLAG_STATUS), PropValue::I32(FLAG_STATUS_FLAGGED)));
            w.set.push((PropRef::Tag(PropTag::FOLLOWUP_ICON), PropValue::I32(FOLLOWUP_ICON_RED)));
        } else if !flagged && self.flag_status == Some(FLAG_STATUS_FLAGGED) {
            w.delete.push(PropRef::Tag(PropTag::FLAG_STATUS));
            w.delete.push(PropRef::Tag(PropTag::FOLLOWUP_ICON));
        }
        let (answered, forwarded) = (target.contains(&Flag::Answered), target.contains(&Flag::Forwarded));
        if (answered, forwarded) != (self.answered(), self.forwarded()) {
            let verb = match (answered, forwarded) {
                (true, _) if self.last_verb == Some(VERB_REPLY_ALL) => Some(VERB_REPLY_ALL),
                (true, _) => Some(VERB_REPLY),
                (false, true) => Some(VERB_FORWARD),
                (false, false) => None,
            };
            let icon = match (answered, forwarded) {
                (_, true) => Some(ICON_FORWARDED),
                (true, false) => Some(ICON_REPLIED),
                (false, false) => None,
            };
            for (tag, value) in [(PropTag::LAST_VERB_EXECUTED, verb), (PropTag::ICON_INDEX, icon)] {
                match value {
                    Some(v) => w.set.push((PropRef::Tag(tag), PropValue::I32(v))),
                    None => w.delete.push(PropRef::Tag(tag)),
                }
            }
        }
        // Categories: keep the stored order of those that stay, append new.
        let wanted: Vec<String> = target.keywords().map(|k| map.category_of(k)).collect();
        let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
        let mut next: Vec<String> =
            self.categories.iter().filter(|c| wanted.iter().any(|w| same(w, c))).cloned().collect();
        for c in wanted {
            if !next.iter().any(|n| same(n, &c)) {
                next.push(c);
            }
        }
        let changed = next.len() != self.categories.len()
            || next.iter().zip(&self.categories).any(|(a, b)| a != b)
            || self.categories.iter().any(|c| map.keyword_of(c).is_none());
        if changed {
            let keywords = PropRef::Named(PidName::KEYWORDS);
            if next.is_empty() {
                w.delete.push(keywords);
            } else {
                w.set.push((keywords, PropValue::MvString(next)));
            }
        }
        w
    }
}

/// PidTagMessageFlags for a new message (APPEND) with these flags.
pub fn initial_message_flags(flags: &Flags) -> i32 {
    let mut v = 0;
    if flags.contains(&Flag::Seen) {
        v |= MF_READ;
    }
    if flags.contains(&Flag::Draft) {
        v |= MF_UNSENT;
    }
    v
}

/// The property changes that make a message carry some flags.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlagWrite {
    /// Change the read state (RopSetReadFlags: it also sends read receipts
    /// per the message's settings, which a property write would not).
    pub read: Option<bool>,
    /// Properties to set (RopSetProperties).
    pub set: Vec<(PropRef, PropValue)>,
    /// Properties to delete (RopDeleteProperties).
    pub delete: Vec<PropRef>,
    /// `\Draft` differs but cannot change after creation.
    pub draft_refused: bool,
}

impl FlagWrite {
    /// Whether nothing needs writing.
    pub fn is_empty(&self) -> bool {
        self.read.is_none() && self.set.is_empty() && self.delete.is_empty()
    }

    /// Applies the change to a property bag (the in-memory backend; tests).
    pub fn apply_to(&self, bag: &mut PropertyBag) {
        if let Some(read) = self.read {
            let old = bag.i32(PropTag::MESSAGE_FLAGS).unwrap_or(0);
            let new = if read { old | MF_READ } else { old & !MF_READ };
            let _ = bag.insert(PropTag::MESSAGE_FLAGS, PropValue::I32(new));
        }
        for r in &self.delete {
            match r {
                PropRef::Tag(t) => bag.remove(*t),
                PropRef::Named(n) => bag.remove(n),
            };
        }
        for (r, v) in &self.set {
            // Keys are plain tags < 0x8000 or catalogued names: never refused.
            let _ = match r {
                PropRef::Tag(t) => bag.insert(*t, v.clone()),
                PropRef::Named(n) => bag.insert(n, v.clone()),
            };
        }
    }
}

/// Keywords ↔ Outlook categories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryMap {
    /// The category names of Thunderbird's `$label1`…`$label5`.
    pub labels: [String; 5],
}

impl Default for CategoryMap {
    /// Thunderbird's default tag names.
    fn default() -> Self {
        Self { labels: ["Important", "Work", "Personal", "To Do", "Later"].map(String::from) }
    }
}

impl CategoryMap {
    /// The category a keyword stands for.
    pub fn category_of(&self, keyword: &Keyword) -> String {
        let k = keyword.as_str();
        if let Some(name) = label_index(k).and_then(|i| self.labels.get(i)) {
            return name.clone();
        }
        unescape(k)
    }

    /// The keyword a category shows as; `None` for an empty category.
    pub fn keyword_of(&self, category: &str) -> Option<Keyword> {
        if let Some(i) = self.labels.iter().position(|l| l.to_lowercase() == category.to_lowercase()) {
            return Keyword::new(format!("$label{}", i + 1));
        }
        Keyword::new(escape(category))
    }
}

/// `$label1`…`$label5` → 0…4.
fn label_index(k: &str) -> Option<usize> {
    let rest = k.get(..6).filter(|p| p.eq_ignore_ascii_case("$label")).and_then(|_| k.get(6..))?;
    match rest {
        "1" | "2" | "3" | "4" | "5" => rest.parse::<usize>().ok().map(|n| n - 1),
        _ => None,
    }
}

/// A category as an IMAP atom: bytes that are not atom characters, and `#`,
/// become `#XX`; a leading `$` that would make a label or `$Forwarded` is
/// escaped too.
fn escape(category: &str) -> String {
    let mut out = String::with_capacity(category.len());
    let reserved = label_index(category).is_some() || category.eq_ignore_ascii_case("$Forwarded");
    for (i, b) in category.bytes().enumerate() {
        if is_atom_char(b) && b != b'#' && !(i == 0 && reserved) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("#{b:02X}"));
        }
    }
    out
}

/// The inverse of [`escape`]; a `#` not followed by two hex digits stays.
fn unescape(k: &str) -> String {
    let bytes = k.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.filter(|_| b == b'#').and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests;
