//! SEARCH criteria (RFC 3501 §6.4.4, RFC 7162 §3.1.5) from imap-codec's
//! tree to the model's [`mailbox::SearchKey`], with sequence numbers turned
//! into UIDs of the session's view (the model's numbering may differ while
//! expunges are pending).

use chrono::Datelike as _;
use imap_codec::imap_types::core::AString;
use imap_codec::imap_types::datetime::NaiveDate;
use imap_codec::imap_types::search::SearchKey as Key;
use mailbox::{SearchDate, SearchKey};

use crate::view::View;

/// Why a criterion cannot be searched.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SearchError {
    /// A string was not UTF-8.
    #[error("search strings must be UTF-8")]
    BadCharset,
    /// A date out of range.
    #[error("bad date")]
    BadDate,
}

/// Translates the top-level key list.
pub(crate) fn translate(keys: &[Key<'_>], view: &View) -> Result<SearchKey, SearchError> {
    let mut all = keys.iter().map(|k| key(k, view)).collect::<Result<Vec<_>, _>>()?;
    Ok(if all.len() == 1 { all.remove(0) } else { SearchKey::And(all) })
}

fn text(s: &AString<'_>) -> Result<String, SearchError> {
    String::from_utf8(s.as_ref().to_vec()).map_err(|_| SearchError::BadCharset)
}

fn date(d: &NaiveDate) -> Result<SearchDate, SearchError> {
    let d = d.as_ref();
    SearchDate::new(d.year(), d.month(), d.day()).ok_or(SearchError::BadDate)
}

fn key(k: &Key<'_>, view: &View) -> Result<SearchKey, SearchError> {
    Ok(match k {
        Key::And(keys) => SearchKey::And(keys.as_ref().iter().map(|k| key(k, view)).collect::<Result<_, _>>()?),
        Key::SequenceSet(set) => SearchKey::Uid(view.seqs_to_uids(set)),
        Key::Uid(set) => SearchKey::Uid(view.uid_set(set)),
        Key::All => SearchKey::All,
        Key::Answered => SearchKey::Answered,
        Key::Bcc(s) => SearchKey::Bcc(text(s)?),
        Key::Before(d) => SearchKey::Before(date(d)?),
        Key::Body(s) => SearchKey::Body(text(s)?),
        Key::Cc(s) => SearchKey::Cc(text(s)?),
        Key::Deleted => SearchKey::Deleted,
        Key::Draft => SearchKey::Draft,
        Key::Flagged => SearchKey::Flagged,
        Key::From(s) => SearchKey::From(text(s)?),
        Key::Header(n, v) => SearchKey::Header(text(n)?, text(v)?),
        Key::Keyword(a) => SearchKey::Keyword(a.inner().to_owned()),
        Key::Larger(n) => SearchKey::Larger(*n),
        // \Recent is the session's (RFC 3501 §2.3.2): answered from the
        // view's claim, not by the backend.
        Key::New => SearchKey::And(vec![SearchKey::Uid(view.recent.clone()), SearchKey::Unseen]),
        Key::Not(k) => SearchKey::negate(key(k, view)?),
        Key::Old => SearchKey::negate(SearchKey::Uid(view.recent.clone())),
        Key::On(d) => SearchKey::On(date(d)?),
        Key::Or(a, b) => SearchKey::or(key(a, view)?, key(b, view)?),
        Key::Recent => SearchKey::Uid(view.recent.clone()),
        Key::Seen => SearchKey::Seen,
        Key::SentBefore(d) => SearchKey::SentBefore(date(d)?),
        Key::SentOn(d) => SearchKey::SentOn(date(d)?),
        Key::SentSince(d) => SearchKey::SentSince(date(d)?),
        Key::Since(d) => SearchKey::Since(date(d)?),
        Key::Smaller(n) => SearchKey::Smaller(*n),
        Key::Subject(s) => SearchKey::Subject(text(s)?),
        Key::Text(s) => SearchKey::Text(text(s)?),
        Key::To(s) => SearchKey::To(text(s)?),
        Key::Unanswered => SearchKey::Unanswered,
        Key::Undeleted => SearchKey::Undeleted,
        Key::Undraft => SearchKey::Undraft,
        Key::Unflagged => SearchKey::Unflagged,
        Key::Unkeyword(a) => SearchKey::Unkeyword(a.inner().to_owned()),
        Key::Unseen => SearchKey::Unseen,
        Key::ModSequence { modseq, .. } => SearchKey::ModSeq(*modseq),
    })
}

/// Whether the tree uses MODSEQ (the answer then carries `(MODSEQ n)`,
/// RFC 7162 §3.1.5).
pub(crate) fn uses_modseq(keys: &[Key<'_>]) -> bool {
    keys.iter().any(|k| match k {
        Key::ModSequence { .. } => true,
        Key::And(v) => uses_modseq(v.as_ref()),
        Key::Not(k) => uses_modseq(std::slice::from_ref(k.as_ref())),
        Key::Or(a, b) => uses_modseq(std::slice::from_ref(a.as_ref())) || uses_modseq(std::slice::from_ref(b.as_ref())),
        _ => false,
    })
}
