//! Search criteria → a MAPI restriction ([MS-OXCDATA] 2.12) executed by
//! Exchange (RopRestrict on the contents table) plus a residual evaluated
//! locally ([`crate::search::evaluate`]).
//!
//! The top-level conjunction is split: each conjunct that MAPI can express
//! entirely goes into the restriction, every other conjunct into the
//! residual, so an item matches iff it matches the restriction **and** the
//! residual. A conjunct mixing both (`OR UID 1:5 FROM bob`) goes to the
//! residual whole; the backend then needs the envelope columns of the
//! candidates (and bodies for BODY/TEXT in such conjuncts).
//!
//! | key | restriction |
//! |---|---|
//! | FROM | Content FL_SUBSTRING\|FL_IGNORECASE on PidTagSentRepresentingName / SmtpAddress / EmailAddress |
//! | TO/CC/BCC | SubObject(PidTagMessageRecipients, And(Property RecipientType = 1/2/3, Content on DisplayName / SmtpAddress / EmailAddress)) |
//! | SUBJECT, BODY | Content on PidTagSubject, PidTagBody |
//! | TEXT | Content on PidTagTransportMessageHeaders or PidTagBody |
//! | SEEN, DRAFT | Bitmask NEZ on PidTagMessageFlags (mfRead, mfUnsent) |
//! | FLAGGED | Property PidTagFlagStatus = 2 |
//! | ANSWERED / $Forwarded | Property on PidTagLastVerbExecuted / PidTagIconIndex (see [`super::flags`]) |
//! | KEYWORD | Content FL_FULLSTRING\|FL_IGNORECASE on PidNameKeywords (resolved) |
//! | BEFORE/ON/SINCE | Property on PidTagMessageDeliveryTime (UTC days) |
//! | SENTBEFORE/SENTON/SENTSINCE | Property on PidTagClientSubmitTime |
//! | LARGER/SMALLER | Property on PidTagMessageSize (see [`PlanOptions::size_on_server`]) |
//! | NOT, OR, AND | Not, Or, And |
//! | HEADER | residual; at the top level also a prefilter: Content on PidTagTransportMessageHeaders, or no such property |
//! | UID, sequence sets, MODSEQ, DELETED, RECENT/NEW/OLD | residual (gateway state) |
//!
//! NOT over a restriction is exact because every positive translation is
//! false for items lacking the property, as the local evaluation is.

use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue, TaggedValue};
use mapi_wire::restriction::{BitmapRelOp, FuzzyLevel, RelOp, Restriction};
use mapi_wire::tags::PidName;

use super::Resolver;
use super::flags::{
    CategoryMap, FLAG_STATUS_FLAGGED, ICON_FORWARDED, ICON_REPLIED, MF_READ, MF_UNSENT, VERB_FORWARD, VERB_REPLY,
    VERB_REPLY_ALL,
};
use crate::flags::{Flag, Keyword};
use crate::search::{SearchDate, SearchKey};

/// Options of [`plan`].
#[derive(Clone, Copy)]
pub struct PlanOptions<'a> {
    /// Keywords ↔ categories.
    pub categories: &'a CategoryMap,
    /// Named property ids of the mailbox.
    pub resolve: Resolver<'a>,
    /// Run LARGER/SMALLER on PidTagMessageSize. That is Exchange's storage
    /// size, not the rendered MIME size RFC822.SIZE reports, so results near
    /// the bound can differ; `false` evaluates them locally on the exact size.
    pub size_on_server: bool,
}

impl std::fmt::Debug for PlanOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanOptions")
            .field("categories", self.categories)
            .field("size_on_server", &self.size_on_server)
            .finish_non_exhaustive()
    }
}

/// A split search: an item matches iff it matches `restriction` (absent:
/// every item) and `residual` (absent: every item).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchPlan {
    /// What Exchange evaluates.
    pub restriction: Option<Restriction>,
    /// What the gateway evaluates on the candidates.
    pub residual: Option<SearchKey>,
}

/// Splits `key` into a restriction and a residual.
pub fn plan(key: &SearchKey, opts: &PlanOptions<'_>) -> SearchPlan {
    let mut conjuncts = Vec::new();
    flatten(key, &mut conjuncts);
    let mut server = Vec::new();
    let mut local = Vec::new();
    for k in conjuncts {
        match translate(k, opts) {
            Tr::True => {}
            Tr::R(r) => server.push(r),
            Tr::Local => {
                if let SearchKey::Header(_, value) = k
                    && !value.is_empty()
                    && value.is_ascii()
                {
                    // Items without transport headers stay candidates: the
                    // residual matches them on their envelope.
                    server.push(Restriction::Or(vec![
                        content(PropTag::TRANSPORT_MESSAGE_HEADERS, value, FuzzyLevel::SUBSTRING),
                        Restriction::Not(Box::new(Restriction::Exist { tag: PropTag::TRANSPORT_MESSAGE_HEADERS })),
                    ]));
                }
                local.push(k.clone());
            }
        }
    }
    SearchPlan { restriction: and(server), residual: (!local.is_empty()).then(|| SearchKey::And(local).simplified()) }
}

impl SearchKey {
    /// A one-element `And` is its element.
    fn simplified(self) -> Self {
        match self {
            Self::And(mut v) if v.len() == 1 => v.pop().unwrap_or(Self::All),
            other => other,
        }
    }
}

fn flatten<'k>(key: &'k SearchKey, out: &mut Vec<&'k SearchKey>) {
    match key {
        SearchKey::And(keys) => keys.iter().for_each(|k| flatten(k, out)),
        other => out.push(other),
    }
}

/// A translation: always true, a restriction, or not expressible.
enum Tr {
    True,
    R(Restriction),
    Local,
}

fn and(mut v: Vec<Restriction>) -> Option<Restriction> {
    match v.len() {
        0 => None,
        1 => v.pop(),
        _ => Some(Restriction::And(v)),
    }
}

fn translate(key: &SearchKey, o: &PlanOptions<'_>) -> Tr {
    use SearchKey as K;
    let not = |k: &SearchKey| translate(&K::Not(Box::new(k.clone())), o);
    match key {
        K::All => Tr::True,
        K::And(keys) => {
            let mut v = Vec::new();
            for k in keys {
                match translate(k, o) {
                    Tr::True => {}
                    Tr::R(r) => v.push(r),
                    Tr::Local => return Tr::Local,
                }
            }
            and(v).map_or(Tr::True, Tr::R)
        }
        K::Or(a, b) => match (translate(a, o), translate(b, o)) {
            (Tr::Local, _) | (_, Tr::Local) => Tr::Local,
            (Tr::True, _) | (_, Tr::True) => Tr::True,
            (Tr::R(a), Tr::R(b)) => Tr::R(Restriction::Or(vec![a, b])),
        },
        K::Not(k) => match translate(k, o) {
            Tr::R(r) => Tr::R(Restriction::Not(Box::new(r))),
            // NOT ALL matches nothing: left to the residual (rare).
            Tr::True | Tr::Local => Tr::Local,
        },
        K::Seen => Tr::R(bitmask(MF_READ)),
        K::Draft => Tr::R(bitmask(MF_UNSENT)),
        K::Flagged => Tr::R(eq_i32(PropTag::FLAG_STATUS, FLAG_STATUS_FLAGGED)),
        K::Answered => Tr::R(Restriction::Or(vec![
            eq_i32(PropTag::LAST_VERB_EXECUTED, VERB_REPLY),
            eq_i32(PropTag::LAST_VERB_EXECUTED, VERB_REPLY_ALL),
            eq_i32(PropTag::ICON_INDEX, ICON_REPLIED),
        ])),
        K::Unseen => not(&K::Seen),
        K::Undraft => not(&K::Draft),
        K::Unflagged => not(&K::Flagged),
        K::Unanswered => not(&K::Answered),
        K::Keyword(k) => keyword(k, o),
        K::Unkeyword(k) => match keyword(k, o) {
            Tr::R(r) => Tr::R(Restriction::Not(Box::new(r))),
            Tr::True | Tr::Local => Tr::Local,
        },
        K::From(s) => Tr::R(Restriction::Or(vec![
            content(PropTag::SENT_REPRESENTING_NAME, s, FuzzyLevel::SUBSTRING),
            content(PropTag::SENT_REPRESENTING_SMTP_ADDRESS, s, FuzzyLevel::SUBSTRING),
            content(PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, s, FuzzyLevel::SUBSTRING),
        ])),
        K::To(s) => Tr::R(recipient(1, s)),
        K::Cc(s) => Tr::R(recipient(2, s)),
        K::Bcc(s) => Tr::R(recipient(3, s)),
        K::Subject(s) => Tr::R(content(PropTag::SUBJECT, s, FuzzyLevel::SUBSTRING)),
        K::Body(s) => Tr::R(content(PropTag::BODY, s, FuzzyLevel::SUBSTRING)),
        K::Text(s) => Tr::R(Restriction::Or(vec![
            content(PropTag::TRANSPORT_MESSAGE_HEADERS, s, FuzzyLevel::SUBSTRING),
            content(PropTag::BODY, s, FuzzyLevel::SUBSTRING),
        ])),
        K::Before(d) => time(PropTag::MESSAGE_DELIVERY_TIME, RelOp::LT, *d),
        K::Since(d) => time(PropTag::MESSAGE_DELIVERY_TIME, RelOp::GE, *d),
        K::On(d) => on(PropTag::MESSAGE_DELIVERY_TIME, *d),
        K::SentBefore(d) => time(PropTag::CLIENT_SUBMIT_TIME, RelOp::LT, *d),
        K::SentSince(d) => time(PropTag::CLIENT_SUBMIT_TIME, RelOp::GE, *d),
        K::SentOn(d) => on(PropTag::CLIENT_SUBMIT_TIME, *d),
        K::Larger(n) if o.size_on_server => size(RelOp::GT, *n),
        K::Smaller(n) if o.size_on_server => size(RelOp::LT, *n),
        K::Larger(_)
        | K::Smaller(_)
        | K::Header(..)
        | K::Deleted
        | K::Undeleted
        | K::Recent
        | K::New
        | K::Old
        | K::Uid(_)
        | K::Seq(_)
        | K::ModSeq(_) => Tr::Local,
    }
}

fn keyword(k: &str, o: &PlanOptions<'_>) -> Tr {
    match Flag::keyword(k) {
        Some(Flag::Forwarded) => Tr::R(Restriction::Or(vec![
            eq_i32(PropTag::LAST_VERB_EXECUTED, VERB_FORWARD),
            eq_i32(PropTag::ICON_INDEX, ICON_FORWARDED),
        ])),
        Some(Flag::Keyword(kw)) => match (o.resolve)(&PidName::KEYWORDS) {
            Some(tag) => Tr::R(keyword_restriction(tag, &kw, o.categories)),
            None => Tr::Local,
        },
        // Not a keyword at all: nothing carries it.
        _ => Tr::Local,
    }
}

/// Content on the multi-valued categories: matches if any value equals the
/// category (case-insensitively).
fn keyword_restriction(tag: PropTag, kw: &Keyword, map: &CategoryMap) -> Restriction {
    let value = PropValue::String(map.category_of(kw));
    Restriction::Content {
        fuzzy: FuzzyLevel { low: FuzzyLevel::FULL_STRING, high: FuzzyLevel::IGNORE_CASE },
        tag,
        value: TaggedValue::new(tag.id(), value),
    }
}

fn content(tag: PropTag, s: &str, low: u16) -> Restriction {
    Restriction::Content {
        fuzzy: FuzzyLevel { low, high: FuzzyLevel::IGNORE_CASE },
        tag,
        value: TaggedValue { tag, value: PropValue::String(s.to_owned()) },
    }
}

fn bitmask(mask: i32) -> Restriction {
    Restriction::Bitmask { op: BitmapRelOp::NEZ, tag: PropTag::MESSAGE_FLAGS, mask: mask as u32 }
}

fn eq_i32(tag: PropTag, v: i32) -> Restriction {
    Restriction::Property { op: RelOp::EQ, tag, value: TaggedValue { tag, value: PropValue::I32(v) } }
}

fn recipient(ty: i32, s: &str) -> Restriction {
    Restriction::SubObject {
        subobject: PropTag::MESSAGE_RECIPIENTS,
        restriction: Box::new(Restriction::And(vec![
            eq_i32(PropTag::RECIPIENT_TYPE, ty),
            Restriction::Or(vec![
                content(PropTag::DISPLAY_NAME, s, FuzzyLevel::SUBSTRING),
                content(PropTag::SMTP_ADDRESS, s, FuzzyLevel::SUBSTRING),
                content(PropTag::EMAIL_ADDRESS, s, FuzzyLevel::SUBSTRING),
            ]),
        ])),
    }
}

fn filetime(d: SearchDate) -> Option<FileTime> {
    FileTime::from_unix_seconds(d.start().0)
}

fn time(tag: PropTag, op: RelOp, d: SearchDate) -> Tr {
    match filetime(d) {
        Some(t) => Tr::R(Restriction::Property { op, tag, value: TaggedValue { tag, value: PropValue::Time(t) } }),
        None => Tr::Local,
    }
}

fn on(tag: PropTag, d: SearchDate) -> Tr {
    match (time(tag, RelOp::GE, d), time(tag, RelOp::LT, SearchDate::from_days(d.days() + 1))) {
        (Tr::R(a), Tr::R(b)) => Tr::R(Restriction::And(vec![a, b])),
        _ => Tr::Local,
    }
}

fn size(op: RelOp, n: u32) -> Tr {
    let tag = PropTag::MESSAGE_SIZE;
    match i32::try_from(n) {
        Ok(v) => Tr::R(Restriction::Property { op, tag, value: TaggedValue { tag, value: PropValue::I32(v) } }),
        Err(_) => Tr::Local,
    }
}

#[cfg(test)]
mod tests;
