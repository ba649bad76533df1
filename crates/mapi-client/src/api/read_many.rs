//! Reading many messages of a folder in few Executes ([MS-OXCMSG] 3.1.4.1 open, read,
//! release): RopOpenMessage + RopGetPropertiesAll + RopReadRecipients + RopRelease for
//! each message, each in its own handle slot, up to [`READS_PER_EXECUTE`] messages per
//! Execute. The ROPs are those of [`Mailbox::message_properties`] and
//! [`Mailbox::recipients`], so a message read here gives the same values and rows as
//! read alone; the rare message whose answers were incomplete (a value too large for
//! the ROP buffer, more recipients than one RopReadRecipients returned) is read again
//! alone by those calls.

use mapi_wire::ErrorCode;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{PropValue, TaggedValue};
use mapi_wire::rop::{GetPropertiesAllRequest, ReadRecipientsRequest, RopRequest, RopResponse};

use super::bulk::release;
use super::message::{Recipient, open_message};
use super::store::{Mailbox, Repeat};
use super::{Error, Result};

/// Messages per Execute at most: each takes a handle slot, and their answers (all
/// properties up to the property size limit, the recipient rows) must fit one
/// response buffer. Groups are sized on the answers of the previous one; a group
/// whose answers did not fit is sent again halved.
pub const READS_PER_EXECUTE: usize = 32;

/// Messages in the first Execute of a call (later ones are sized on the answers).
const FIRST_GROUP: usize = 4;

/// Answer bytes aimed at per Execute at first: just below the 32 KB a response
/// buffer holds ([MS-OXCRPC] 3.1.4.2.1.1; Exchange and gromox fill one
/// RPC_HEADER_EXT payload). Each group that does not fit lowers the aim by an eighth
/// (to no less than [`MIN_BUDGET`]), so a server with a smaller buffer costs few
/// failed Executes.
const ANSWER_BUDGET: usize = 30 * 1024;

/// The lowest aim.
const MIN_BUDGET: usize = 8 * 1024;

/// One message read by [`Mailbox::read_messages`].
#[derive(Clone, Debug, PartialEq)]
pub struct MessageRead {
    /// RopGetPropertiesAll's values (too-large values already streamed).
    pub values: Vec<TaggedValue>,
    /// Every recipient.
    pub recipients: Vec<Recipient>,
}

/// The ROPs reading one message in `slot`.
fn read_rops(folder: FolderId, mid: MessageId, slot: u8, limit: u16) -> [RopRequest; 4] {
    [
        open_message(slot, folder, mid),
        RopRequest::GetPropertiesAll(GetPropertiesAllRequest {
            logon_id: 0,
            input_handle_index: slot,
            property_size_limit: limit,
            want_unicode: 1,
        }),
        RopRequest::ReadRecipients(ReadRecipientsRequest {
            logon_id: 0,
            input_handle_index: slot,
            row_id: 0,
            reserved: 0,
        }),
        release(slot),
    ]
}

/// What one message's three answers gave: complete, to be read again alone, or
/// failed with the first error (e.g. ecNotFound: deleted meanwhile).
enum Outcome {
    Done(MessageRead),
    Again { values: bool, recipients: bool, partial: MessageRead },
    Failed(ErrorCode),
}

fn outcome(open: &RopResponse, props: &RopResponse, recips: &RopResponse) -> Result<Outcome> {
    let info = match open {
        RopResponse::OpenMessage(m) => match &m.success {
            Some(s) => s,
            None => return Ok(Outcome::Failed(m.return_value)),
        },
        other => return Err(Error::Protocol(format!("expected RopOpenMessage, got {}", other.id()))),
    };
    let values = match props {
        RopResponse::GetPropertiesAll(r) => match &r.values {
            Some(v) => v.clone(),
            None => return Ok(Outcome::Failed(r.return_value)),
        },
        other => return Err(Error::Protocol(format!("expected RopGetPropertiesAll, got {}", other.id()))),
    };
    let rows = match recips {
        RopResponse::ReadRecipients(r) if r.return_value == ErrorCode::NOT_FOUND => Vec::new(),
        RopResponse::ReadRecipients(r) => match &r.success {
            Some(s) => s.rows.0.clone(),
            None => return Ok(Outcome::Failed(r.return_value)),
        },
        other => return Err(Error::Protocol(format!("expected RopReadRecipients, got {}", other.id()))),
    };
    let columns = &info.recipient_columns;
    let mut recipients = Vec::with_capacity(rows.len());
    for r in rows {
        if let Some(row) = r.row.parse(columns)? {
            recipients.push(Recipient {
                row_id: r.row_id,
                recipient_type: r.recipient_type,
                row,
                columns: columns.clone(),
            });
        }
    }
    // [MS-OXCPRPT] 3.2.5.1: values over the buffer come back as ecNotEnoughMemory.
    let too_big = values.iter().any(|v| matches!(v.value, PropValue::Error(ErrorCode::NOT_ENOUGH_MEMORY)));
    let more_recipients = recipients.len() < usize::from(info.recipient_count);
    let read = MessageRead { values, recipients };
    Ok(if too_big || more_recipients {
        Outcome::Again { values: too_big, recipients: more_recipients, partial: read }
    } else {
        Outcome::Done(read)
    })
}

/// About the bytes a message's answers took on the wire ([MS-OXCDATA] 2.11.5
/// TaggedPropertyValue; RecipientRow sizes estimated from their values).
fn answer_size(read: &MessageRead) -> usize {
    let value = |v: &PropValue| match v {
        PropValue::String(s) => 2 * (s.encode_utf16().count() + 1),
        PropValue::String8(b) => b.len() + 1,
        PropValue::Binary(b) => b.len() + 2,
        _ => 8,
    };
    let props: usize = read.values.iter().map(|v| 4 + value(&v.value)).sum();
    let recipients: usize =
        read.recipients.iter().map(|r| 32 + r.properties().iter().map(|v| value(&v.value)).sum::<usize>()).sum();
    // RopOpenMessage's answer repeats the subject and (some of) the recipient rows.
    64 + props + 2 * recipients
}

impl Mailbox {
    /// Reads the properties (RopGetPropertiesAll) and recipients of many messages of
    /// `folder`, as many per Execute as their answers fit (at most
    /// [`READS_PER_EXECUTE`]); one answer per MID, in order. A
    /// message that cannot be read (gone: ecNotFound, no access) gets its error code
    /// and does not stop the others; transport errors end the call. The answers equal
    /// those of [`Mailbox::message_properties`] (all properties) and
    /// [`Mailbox::recipients`].
    pub async fn read_messages(
        &self,
        folder: FolderId,
        mids: &[MessageId],
    ) -> Result<Vec<std::result::Result<MessageRead, ErrorCode>>> {
        let limit = self.options.property_size_limit;
        let mut out = Vec::with_capacity(mids.len());
        let mut size = FIRST_GROUP;
        let mut budget = ANSWER_BUDGET;
        let mut at = 0;
        while at < mids.len() {
            let group = &mids[at..(at + size).min(mids.len())];
            let sent = self
                .run(Repeat::Idempotent, group.len() + 1, |_| {
                    let mut rops = Vec::with_capacity(group.len() * 4);
                    for (i, mid) in group.iter().enumerate() {
                        rops.extend(read_rops(folder, *mid, u8::try_from(i + 1).unwrap_or(u8::MAX), limit));
                    }
                    rops
                })
                .await;
            let a = match sent {
                // The answers did not fit and the server failed the whole Execute
                // (instead of answering RopBufferTooSmall): reads are repeatable, so
                // fewer messages go again.
                Err(Error::Execute(ErrorCode::BUFFER_TOO_SMALL)) if group.len() > 1 => {
                    tracing::debug!(messages = group.len(), "answers did not fit one Execute: fewer messages");
                    size = group.len() / 2;
                    budget = (budget - budget / 8).max(MIN_BUDGET);
                    continue;
                }
                // One message whose answers only fit apart: read as alone.
                Err(Error::Execute(ErrorCode::BUFFER_TOO_SMALL)) => {
                    let partial = MessageRead { values: Vec::new(), recipients: Vec::new() };
                    out.push(self.read_again(folder, group[0], true, true, partial).await?);
                    at += 1;
                    continue;
                }
                other => other?,
            };
            // Answers come in request order; RopRelease has none.
            let mut answers = a.rops.iter().flatten();
            let mut bytes = 0;
            for mid in group {
                let mut next =
                    || answers.next().ok_or_else(|| Error::Protocol(format!("no answer for message {mid:?}")));
                let (open, props, recips) = (next()?, next()?, next()?);
                let read = match outcome(open, props, recips)? {
                    Outcome::Done(read) => Ok(read),
                    Outcome::Failed(code) => Err(code),
                    Outcome::Again { values, recipients, partial } => {
                        self.read_again(folder, *mid, values, recipients, partial).await?
                    }
                };
                bytes += read.as_ref().map_or(16, answer_size);
                out.push(read);
            }
            at += group.len();
            // The next group is sized on the answers seen: as many messages as are
            // likely to fit the response buffer.
            let per_message = (bytes / group.len()).max(1);
            size = (budget / per_message).clamp(1, READS_PER_EXECUTE);
        }
        Ok(out)
    }

    /// Completes a message whose batched answers were partial, with the calls that
    /// read one message; a ROP failure (deleted meanwhile) is that message's error.
    async fn read_again(
        &self,
        folder: FolderId,
        mid: MessageId,
        values: bool,
        recipients: bool,
        mut partial: MessageRead,
    ) -> Result<std::result::Result<MessageRead, ErrorCode>> {
        let per_message = |e: Error| match e {
            Error::Rop { code, .. } => Ok(code),
            other => Err(other),
        };
        if values {
            match self.message_properties(folder, mid, None).await {
                Ok(v) => partial.values = v,
                Err(e) => return per_message(e).map(Err),
            }
        }
        if recipients {
            match self.recipients(folder, mid).await {
                Ok(r) => partial.recipients = r,
                Err(e) => return per_message(e).map(Err),
            }
        }
        Ok(Ok(partial))
    }
}
