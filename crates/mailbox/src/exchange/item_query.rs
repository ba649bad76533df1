//! [`ItemCollection::candidates`] over Exchange: a calendar-query or
//! addressbook-query becomes a restriction ([MS-OXCDATA] 2.12) on the
//! folder's contents table, read in pages with the columns a time range
//! needs, instead of opening every item.
//!
//! The restriction only ever narrows to a superset of the matches; the
//! caller evaluates its filter exactly on what comes back:
//!
//! * a time range keeps an appointment whose start is before the range's
//!   end and whose end (or start) is not before its beginning, every
//!   series (PidLidAppointmentRecur exists: exceptions may be moved
//!   anywhere, so the series range proves nothing), every item without a
//!   PidLidAppointmentStartWhole, and every task (their rules differ);
//! * `FN` and `EMAIL` text becomes content restrictions (FL_SUBSTRING |
//!   FL_IGNORECASE) on the properties the vCard takes them from, keeping
//!   items whose `FN` is derived from other names and items with lines kept
//!   as text (which may hold more values); other vCard properties, negated
//!   matches and needles that are not plain ASCII are not pushed.
//!
//! The columns come back as a summary; one that may have been truncated
//! ([MS-OXCDATA] 2.8.2: exactly 255 or 510 bytes or characters) or that
//! the server could not return leaves the candidate without a summary, and
//! the caller opens the item.
//!
//! [`ItemCollection::candidates`]: crate::items::ItemCollection::candidates

use std::collections::HashMap;

use convert::NamedKey;
use convert::vcard::props::VCARD_EXTRA;
use mapi_client::api::TableSpec;
use mapi_wire::ids::MessageId;
use mapi_wire::prop_value::{FileTime, FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::restriction::{FuzzyLevel, RelOp, Restriction};
use mapi_wire::tags::{NamedProp, PidLid};
use mapi_wire::{ErrorCode, PropTag};

use super::super::connect::api_error;
use super::super::props::{bag_of_values, id_cell};
use super::ExchangeCollection;
use crate::error::MailboxError;
use crate::items::{Candidate, ItemQuery, TextCondition};
use convert::Message;

/// The named properties a time range is evaluated on.
const TIME_PROPS: [NamedProp; 11] = [
    PidLid::APPOINTMENT_START_WHOLE,
    PidLid::APPOINTMENT_END_WHOLE,
    PidLid::APPOINTMENT_RECUR,
    PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_RECUR,
    PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY,
    PidLid::TIME_ZONE_STRUCT,
    PidLid::TIME_ZONE_DESCRIPTION,
    PidLid::COMMON_START,
    PidLid::COMMON_END,
    PidLid::TASK_START_DATE,
    PidLid::TASK_DUE_DATE,
];

/// Where a contact's `EMAIL` values come from: the three addresses and
/// their original display names (used for non-SMTP slots).
const EMAIL_PROPS: [NamedProp; 6] = [
    PidLid::EMAIL1_EMAIL_ADDRESS,
    PidLid::EMAIL2_EMAIL_ADDRESS,
    PidLid::EMAIL3_EMAIL_ADDRESS,
    PidLid::EMAIL1_ORIGINAL_DISPLAY_NAME,
    PidLid::EMAIL2_ORIGINAL_DISPLAY_NAME,
    PidLid::EMAIL3_ORIGINAL_DISPLAY_NAME,
];

/// Lengths at which a table value may have been cut ([MS-OXCDATA] 2.8.2).
const TRUNCATED_AT: [usize; 2] = [255, 510];

/// This mailbox's ids of some named properties (`None`: no item has it).
struct Ids(HashMap<NamedKey, u16>);

impl Ids {
    fn tag(&self, p: &NamedProp) -> Option<PropTag> {
        self.0.get(&NamedKey::from(p)).map(|id| p.tag(*id))
    }
}

impl ExchangeCollection {
    /// The items that may match `query`, in name order.
    pub(super) async fn query_candidates(&self, query: &ItemQuery) -> Result<Vec<Candidate>, MailboxError> {
        let mut wanted: Vec<&NamedProp> = TIME_PROPS.iter().collect();
        if query.text.is_some() {
            wanted.extend(EMAIL_PROPS.iter());
            wanted.push(&VCARD_EXTRA);
        }
        let ids = self.ids_of(&wanted).await?;
        let mut restrictions = Vec::new();
        if let Some((from, to)) = query.time_range {
            restrictions.extend(time_restriction(&ids, from, to));
        }
        if let Some(text) = &query.text {
            restrictions.extend(text_restriction(&ids, text));
        }
        let mut columns = vec![PropTag::MID, PropTag::MESSAGE_CLASS, PropTag::START_DATE, PropTag::END_DATE];
        columns.extend(TIME_PROPS.iter().filter_map(|p| ids.tag(p)));
        let mut spec = TableSpec::contents(self.fid, columns.clone());
        spec.restriction = match restrictions.len() {
            0 => None,
            1 => restrictions.pop(),
            _ => Some(Restriction::And(restrictions)),
        };
        let rows = self.session.mailbox.query_all(&spec).await.map_err(|e| api_error(e, "query items"))?;

        let mut folders = self.session.dav.folders.lock().await;
        let now = self.refresh(folders.entry(self.fid).or_default()).await?;
        drop(folders);
        let named = self.named().await?;
        let mut summaries: HashMap<MessageId, Option<Message>> = HashMap::new();
        for row in &rows.rows {
            let Some(mid) = id_cell(row, 0) else { continue };
            summaries.insert(MessageId(mid), summary_of(row, &columns, &named));
        }
        let listed: Vec<_> = now.iter().filter(|(_, c)| summaries.contains_key(&c.mid)).collect();
        let entries = self.entries(listed.iter().copied()).await?;
        Ok(entries
            .into_iter()
            .zip(listed)
            .map(|(entry, (_, c))| Candidate { entry, summary: summaries.remove(&c.mid).flatten() })
            .collect())
    }

    /// The ids of `props` in this mailbox; names the cached map lacks are
    /// asked for again (another client may have used them since).
    async fn ids_of(&self, props: &[&NamedProp]) -> Result<Ids, MailboxError> {
        let named = self.named().await?;
        let mut ids: HashMap<NamedKey, u16> = HashMap::new();
        let known: HashMap<&NamedKey, u16> = named.iter().map(|(id, k)| (k, *id)).collect();
        let mut missing = Vec::new();
        for p in props {
            let key = NamedKey::from(*p);
            match known.get(&key) {
                Some(id) => {
                    ids.insert(key, *id);
                }
                None => missing.push(key),
            }
        }
        if !missing.is_empty() {
            let names: Vec<_> = missing.iter().map(super::super::props::property_name).collect();
            let found =
                self.session.mailbox.property_ids(&names, false).await.map_err(|e| api_error(e, "named properties"))?;
            let found: HashMap<NamedKey, u16> =
                missing.into_iter().zip(found).filter(|(_, id)| *id >= 0x8000).collect();
            self.session.dav.learn_names(&found).await;
            ids.extend(found);
        }
        Ok(Ids(ids))
    }
}

/// The columns of a row as a message; `None` when a value is missing for
/// another reason than absence, or may have been truncated.
fn summary_of(row: &PropertyRow, columns: &[PropTag], named: &HashMap<u16, NamedKey>) -> Option<Message> {
    let cells: Vec<Result<Option<&PropValue>, ()>> = match row {
        PropertyRow::Standard(v) => v.iter().map(|v| Ok(Some(v))).collect(),
        PropertyRow::Flagged(v) => v
            .iter()
            .map(|f| match f {
                FlaggedValue::Value(v) => Ok(Some(v)),
                FlaggedValue::Missing => Ok(None),
                FlaggedValue::Error(code) if *code == ErrorCode::NOT_FOUND => Ok(None),
                FlaggedValue::Error(_) => Err(()),
            })
            .collect(),
    };
    let mut values = Vec::new();
    for (tag, cell) in columns.iter().zip(cells).skip(1) {
        match cell.ok()? {
            None => {}
            Some(PropValue::Error(code)) if *code == ErrorCode::NOT_FOUND => {}
            Some(PropValue::Error(_)) => return None,
            Some(PropValue::Binary(b)) if TRUNCATED_AT.contains(&b.len()) => return None,
            Some(PropValue::String(s)) if TRUNCATED_AT.contains(&s.chars().count()) => return None,
            Some(v) => values.push(TaggedValue { tag: *tag, value: v.clone() }),
        }
    }
    Some(Message { props: bag_of_values(&values, named), recipients: Vec::new(), attachments: Vec::new() })
}

fn time(op: RelOp, tag: PropTag, at: FileTime) -> Restriction {
    Restriction::Property { op, tag, value: TaggedValue { tag, value: PropValue::Time(at) } }
}

fn exists(tag: PropTag) -> Restriction {
    Restriction::Exist { tag }
}

fn not(r: Restriction) -> Restriction {
    Restriction::Not(Box::new(r))
}

fn contains(tag: PropTag, needle: &str) -> Restriction {
    Restriction::Content {
        fuzzy: FuzzyLevel { low: FuzzyLevel::SUBSTRING, high: FuzzyLevel::IGNORE_CASE },
        tag,
        value: TaggedValue { tag, value: PropValue::String(needle.to_owned()) },
    }
}

/// Items that may have an occurrence in `[from, to)` (see the module doc);
/// `None` when no item can be excluded.
fn time_restriction(ids: &Ids, from: FileTime, to: FileTime) -> Option<Restriction> {
    // Without the name in the mailbox, no item has a start: none excluded.
    let start = ids.tag(&PidLid::APPOINTMENT_START_WHOLE)?;
    let mut kept = vec![
        not(exists(start)),
        Restriction::Content {
            fuzzy: FuzzyLevel { low: FuzzyLevel::PREFIX, high: FuzzyLevel::IGNORE_CASE },
            tag: PropTag::MESSAGE_CLASS,
            value: TaggedValue { tag: PropTag::MESSAGE_CLASS, value: PropValue::String("IPM.Task".into()) },
        },
    ];
    if let Some(recur) = ids.tag(&PidLid::APPOINTMENT_RECUR) {
        kept.push(exists(recur));
    }
    // A single event is [start, max(start, end)), or the instant start
    // when they are equal: it overlaps when start < to and its end (or
    // its start) is not before `from`.
    let mut ends = vec![time(RelOp::GE, start, from)];
    if let Some(end) = ids.tag(&PidLid::APPOINTMENT_END_WHOLE) {
        ends.push(not(exists(end)));
        ends.push(time(RelOp::GE, end, from));
        kept.push(Restriction::And(vec![time(RelOp::LT, start, to), Restriction::Or(ends)]));
    } else {
        kept.push(time(RelOp::LT, start, to));
    }
    Some(Restriction::Or(kept))
}

/// A superset restriction for a text condition; `None` when it cannot be
/// expressed (the condition then narrows nothing).
fn text_restriction(ids: &Ids, c: &TextCondition) -> Option<Restriction> {
    match c {
        TextCondition::AnyOf(all) => {
            let parts: Option<Vec<_>> = all.iter().map(|c| text_restriction(ids, c)).collect();
            parts.filter(|p| !p.is_empty()).map(Restriction::Or)
        }
        TextCondition::AllOf(all) => {
            let parts: Vec<_> = all.iter().filter_map(|c| text_restriction(ids, c)).collect();
            (!parts.is_empty()).then_some(Restriction::And(parts))
        }
        TextCondition::Contains { property, needle } => {
            if needle.is_empty() || !needle.is_ascii() || needle.contains(['\\', '\r', '\n']) {
                return None;
            }
            let mut any = match property.to_ascii_uppercase().as_str() {
                // FN is PidTagDisplayName, or made of other names when
                // that is missing or empty.
                "FN" => vec![
                    contains(PropTag::DISPLAY_NAME, needle),
                    not(exists(PropTag::DISPLAY_NAME)),
                    Restriction::Property {
                        op: RelOp::EQ,
                        tag: PropTag::DISPLAY_NAME,
                        value: TaggedValue { tag: PropTag::DISPLAY_NAME, value: PropValue::String(String::new()) },
                    },
                ],
                "EMAIL" => EMAIL_PROPS.iter().filter_map(|p| ids.tag(p)).map(|t| contains(t, needle)).collect(),
                _ => return None,
            };
            // Lines kept as text may carry any property.
            if let Some(extra) = ids.tag(&VCARD_EXTRA) {
                any.push(exists(extra));
            }
            // No property can hold it: nothing matches.
            Some(if any.is_empty() { not(exists(PropTag::MID)) } else { Restriction::Or(any) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Ids {
        let mut m = HashMap::new();
        for (i, p) in TIME_PROPS.iter().chain(EMAIL_PROPS.iter()).chain([&VCARD_EXTRA]).enumerate() {
            m.insert(NamedKey::from(p), 0x8100 + u16::try_from(i).unwrap_or(0));
        }
        Ids(m)
    }

    #[test]
    fn unpushable_text_narrows_nothing() {
        let ids = ids();
        let c = |p: &str, n: &str| TextCondition::Contains { property: p.into(), needle: n.into() };
        assert!(text_restriction(&ids, &c("TEL", "555")).is_none(), "TEL is not pushed");
        assert!(text_restriction(&ids, &c("FN", "Zoë")).is_none(), "non-ASCII needle");
        assert!(text_restriction(&ids, &c("EMAIL", "a\\b")).is_none(), "escapes differ in vCard text");
        let any = TextCondition::AnyOf(vec![c("EMAIL", "bob"), c("TEL", "555")]);
        assert!(text_restriction(&ids, &any).is_none(), "one unpushable alternative: any item may match");
        let all = TextCondition::AllOf(vec![c("EMAIL", "bob"), c("TEL", "555")]);
        assert!(matches!(text_restriction(&ids, &all), Some(Restriction::And(v)) if v.len() == 1));
    }

    #[test]
    fn time_range_keeps_series_and_items_without_times() {
        let ids = ids();
        let Some(Restriction::Or(kept)) = time_restriction(&ids, FileTime(10), FileTime(20)) else {
            panic!("a restriction")
        };
        let start = ids.tag(&PidLid::APPOINTMENT_START_WHOLE);
        let recur = ids.tag(&PidLid::APPOINTMENT_RECUR);
        assert!(kept.iter().any(|r| matches!(r, Restriction::Exist { tag } if Some(*tag) == recur)));
        assert!(kept.iter().any(
            |r| matches!(r, Restriction::Not(b) if matches!(**b, Restriction::Exist { tag } if Some(tag) == start))
        ));
        let no_names = Ids(HashMap::new());
        assert!(time_restriction(&no_names, FileTime(10), FileTime(20)).is_none());
    }

    #[test]
    fn possibly_truncated_columns_give_no_summary() {
        let cols = [PropTag::MID, PropTag::MESSAGE_CLASS, PropTag::new(0x8100, mapi_wire::PropType::BINARY)];
        let row = |b: usize| {
            PropertyRow::Standard(vec![
                PropValue::I64(1),
                PropValue::String("IPM.Appointment".into()),
                PropValue::Binary(vec![0; b]),
            ])
        };
        let named = HashMap::new();
        assert!(summary_of(&row(254), &cols, &named).is_some());
        assert!(summary_of(&row(255), &cols, &named).is_none());
        assert!(summary_of(&row(510), &cols, &named).is_none());
        let failed = PropertyRow::Standard(vec![
            PropValue::I64(1),
            PropValue::Error(ErrorCode::NOT_FOUND),
            PropValue::Error(ErrorCode(0x8007_000E)),
        ]);
        assert!(summary_of(&failed, &cols, &named).is_none(), "a value the server could not return");
    }
}
