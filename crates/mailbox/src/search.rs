//! Search criteria mirroring the RFC 3501 §6.4.4 SEARCH keys (plus RFC 7162
//! MODSEQ), and their local evaluation over what the gateway knows of an
//! item ([`SearchView`]).
//!
//! Backends translate as much of a tree as they can into a server-side
//! query (for MAPI: [`crate::mapi::search::plan`]) and evaluate the rest with
//! [`evaluate`]. Dates compare by calendar day in UTC.

use state::{ModSeq, Uid, UidSet};

use crate::flags::{Flag, Flags};
use crate::model::{Address, Envelope, Timestamp};

/// A calendar date of a SEARCH key (`BEFORE 1-Feb-1994`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SearchDate {
    /// Days since 1970-01-01.
    days: i64,
}

impl SearchDate {
    /// The date; `None` for an impossible date.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        let dim = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= dim).then(|| Self { days: days_from_civil(year, month, day) })
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Self {
        Self { days }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.days
    }

    /// Midnight UTC starting this date.
    pub fn start(self) -> Timestamp {
        Timestamp(self.days * 86_400)
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// algorithm).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A message sequence number set, `*` already resolved (inclusive ranges).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SeqSet(pub Vec<(u32, u32)>);

impl SeqSet {
    /// Whether `n` lies in one of the ranges (either bound order).
    pub fn contains(&self, n: u32) -> bool {
        self.0.iter().any(|&(a, b)| a.min(b) <= n && n <= a.max(b))
    }
}

/// A search key (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 7162 §3.1.5). Strings
/// match as case-insensitive substrings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchKey {
    /// Every message.
    All,
    /// All of these (a parenthesised list, or the top-level key list).
    And(Vec<Self>),
    /// Either.
    Or(Box<Self>, Box<Self>),
    /// Not.
    Not(Box<Self>),
    /// `\Answered`.
    Answered,
    /// `\Deleted`.
    Deleted,
    /// `\Draft`.
    Draft,
    /// `\Flagged`.
    Flagged,
    /// `\Seen`.
    Seen,
    /// `\Recent` (RFC 3501).
    Recent,
    /// `\Recent` and not `\Seen`.
    New,
    /// Not `\Recent`.
    Old,
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNSEEN`.
    Unseen,
    /// The keyword is set.
    Keyword(String),
    /// The keyword is not set.
    Unkeyword(String),
    /// Bcc contains.
    Bcc(String),
    /// Cc contains.
    Cc(String),
    /// From contains.
    From(String),
    /// To contains.
    To(String),
    /// Subject contains.
    Subject(String),
    /// The body contains.
    Body(String),
    /// The header block or the body contains.
    Text(String),
    /// A header of that name contains the value (an empty value: the header
    /// exists).
    Header(String, String),
    /// Internal date before the day.
    Before(SearchDate),
    /// Internal date on the day.
    On(SearchDate),
    /// Internal date on or after the day.
    Since(SearchDate),
    /// Date header before the day.
    SentBefore(SearchDate),
    /// Date header on the day.
    SentOn(SearchDate),
    /// Date header on or after the day.
    SentSince(SearchDate),
    /// Size larger than.
    Larger(u32),
    /// Size smaller than.
    Smaller(u32),
    /// UIDs in the set.
    Uid(UidSet),
    /// Sequence numbers in the set.
    Seq(SeqSet),
    /// Mod-sequence at least (RFC 7162 §3.1.5).
    ModSeq(u64),
}

impl SearchKey {
    /// `NOT key`.
    pub fn negate(key: Self) -> Self {
        Self::Not(Box::new(key))
    }

    /// `OR a b`.
    pub fn or(a: Self, b: Self) -> Self {
        Self::Or(Box::new(a), Box::new(b))
    }
}

/// What the gateway knows of one item when it evaluates criteria locally.
#[derive(Clone, Copy, Debug)]
pub struct SearchView<'a> {
    /// The UID.
    pub uid: Uid,
    /// The sequence number in the searcher's view.
    pub seq: u32,
    /// The mod-sequence.
    pub modseq: ModSeq,
    /// The flags, `\Deleted` included.
    pub flags: &'a Flags,
    /// Whether the item is `\Recent` for this session.
    pub recent: bool,
    /// The internal date.
    pub internal_date: Timestamp,
    /// The exact size.
    pub size: u64,
    /// The envelope.
    pub envelope: &'a Envelope,
    /// The raw header block (for HEADER and TEXT); `None` when unknown.
    pub headers: Option<&'a str>,
    /// The plain-text body (for BODY and TEXT); `None` when unknown.
    pub body: Option<&'a str>,
}

/// Case-insensitive substring test, the same in every evaluator of this
/// crate (Unicode lower-casing; an empty needle matches).
pub(crate) fn contains_ci(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn addresses_contain(list: &[Address], needle: &str) -> bool {
    list.iter().any(|a| a.name.as_deref().is_some_and(|n| contains_ci(n, needle)) || contains_ci(&a.email, needle))
}

/// Evaluates the whole tree over one item.
pub fn evaluate(key: &SearchKey, m: &SearchView<'_>) -> bool {
    let env = m.envelope;
    let has = |f: Flag| m.flags.contains(&f);
    match key {
        SearchKey::All => true,
        SearchKey::And(keys) => keys.iter().all(|k| evaluate(k, m)),
        SearchKey::Or(a, b) => evaluate(a, m) || evaluate(b, m),
        SearchKey::Not(k) => !evaluate(k, m),
        SearchKey::Answered => has(Flag::Answered),
        SearchKey::Deleted => has(Flag::Deleted),
        SearchKey::Draft => has(Flag::Draft),
        SearchKey::Flagged => has(Flag::Flagged),
        SearchKey::Seen => has(Flag::Seen),
        SearchKey::Recent => m.recent,
        SearchKey::New => m.recent && !has(Flag::Seen),
        SearchKey::Old => !m.recent,
        SearchKey::Unanswered => !has(Flag::Answered),
        SearchKey::Undeleted => !has(Flag::Deleted),
        SearchKey::Undraft => !has(Flag::Draft),
        SearchKey::Unflagged => !has(Flag::Flagged),
        SearchKey::Unseen => !has(Flag::Seen),
        SearchKey::Keyword(k) => Flag::keyword(k).is_some_and(has),
        SearchKey::Unkeyword(k) => !Flag::keyword(k).is_some_and(has),
        SearchKey::Bcc(s) => addresses_contain(&env.bcc, s),
        SearchKey::Cc(s) => addresses_contain(&env.cc, s),
        SearchKey::From(s) => addresses_contain(&env.from, s),
        SearchKey::To(s) => addresses_contain(&env.to, s),
        SearchKey::Subject(s) => env.subject.as_deref().is_some_and(|subj| contains_ci(subj, s)),
        SearchKey::Body(s) => m.body.is_some_and(|b| contains_ci(b, s)),
        SearchKey::Text(s) => m.headers.is_some_and(|h| contains_ci(h, s)) || m.body.is_some_and(|b| contains_ci(b, s)),
        SearchKey::Header(name, value) => match m.headers {
            Some(h) => header_matches(h, name, value),
            None => envelope_header_matches(env, name, value),
        },
        SearchKey::Before(d) => m.internal_date.day() < d.days(),
        SearchKey::On(d) => m.internal_date.day() == d.days(),
        SearchKey::Since(d) => m.internal_date.day() >= d.days(),
        SearchKey::SentBefore(d) => env.date.is_some_and(|t| t.day() < d.days()),
        SearchKey::SentOn(d) => env.date.is_some_and(|t| t.day() == d.days()),
        SearchKey::SentSince(d) => env.date.is_some_and(|t| t.day() >= d.days()),
        SearchKey::Larger(n) => m.size > u64::from(*n),
        SearchKey::Smaller(n) => m.size < u64::from(*n),
        SearchKey::Uid(set) => set.contains(m.uid),
        SearchKey::Seq(set) => set.contains(m.seq),
        SearchKey::ModSeq(n) => m.modseq.get() >= *n,
    }
}

/// Whether the header block has a field `name` whose unfolded value
/// contains `value` (RFC 3501 HEADER; an empty value only needs the field).
pub fn header_matches(block: &str, name: &str, value: &str) -> bool {
    header_fields(block).any(|(n, v)| n.eq_ignore_ascii_case(name) && contains_ci(&v, value))
}

/// HEADER for an item without a raw header block (one Exchange did not
/// receive over SMTP: Outlook's own, sent items, drafts): the fields the
/// gateway writes for it from the envelope.
fn envelope_header_matches(env: &Envelope, name: &str, value: &str) -> bool {
    let text = |s: &Option<String>| s.as_deref().is_some_and(|s| contains_ci(s, value));
    let addresses = |l: &[Address]| !l.is_empty() && addresses_contain(l, value);
    match name.to_ascii_lowercase().as_str() {
        "subject" => text(&env.subject),
        "message-id" => text(&env.message_id),
        "in-reply-to" => text(&env.in_reply_to),
        "from" => addresses(&env.from),
        "sender" => addresses(&env.sender),
        "to" => addresses(&env.to),
        "cc" => addresses(&env.cc),
        "bcc" => addresses(&env.bcc),
        "reply-to" => addresses(&env.reply_to),
        _ => false,
    }
}

/// The fields of a header block as (name, unfolded value).
fn header_fields(block: &str) -> impl Iterator<Item = (&str, String)> {
    let mut fields: Vec<(&str, String)> = Vec::new();
    for line in block.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push_str(line);
            }
        } else if let Some((n, v)) = line.split_once(':') {
            fields.push((n.trim_end(), v.trim_start().to_owned()));
        }
    }
    fields.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_from_the_epoch() {
        assert_eq!(SearchDate::new(1970, 1, 1).map(SearchDate::days), Some(0));
        assert_eq!(SearchDate::new(2000, 3, 1).map(SearchDate::days), Some(11_017));
        assert_eq!(SearchDate::new(2026, 11, 27).map(|d| d.start().0), Some(1_795_737_600));
        assert_eq!(SearchDate::new(2023, 2, 29), None);
        assert_eq!(Timestamp(-1).day(), -1);
    }

    #[test]
    fn header_search_unfolds_and_ignores_case() {
        let block = "From: a@b\r\nX-Spam-Flag: maybe\r\n  YES\r\nSubject: hi\r\n\r\nbody: no";
        assert!(header_matches(block, "x-spam-flag", "yes"));
        assert!(header_matches(block, "Subject", ""));
        assert!(!header_matches(block, "body", ""));
        assert!(!header_matches(block, "X-Other", ""));
    }

    #[test]
    fn header_search_without_a_header_block_uses_the_envelope() {
        let env = Envelope {
            subject: Some("Offsite agenda".into()),
            from: vec![Address { name: Some("Bob".into()), email: "bob@example.test".into() }],
            message_id: Some("<seed-1@example.test>".into()),
            ..Envelope::default()
        };
        let flags = Flags::default();
        let view = SearchView {
            uid: Uid::MIN,
            seq: 1,
            modseq: ModSeq::MIN,
            flags: &flags,
            recent: false,
            internal_date: Timestamp(0),
            size: 0,
            envelope: &env,
            headers: None,
            body: None,
        };
        let header = |n: &str, v: &str| evaluate(&SearchKey::Header(n.into(), v.into()), &view);
        assert!(header("Message-ID", "<seed-1@example.test>") && header("message-id", "SEED-1"));
        assert!(header("Subject", "agenda") && header("From", "bob@") && header("From", ""));
        assert!(!header("To", "") && !header("X-Spam", "") && !header("Subject", "budget"));
    }
}
