//! Property writes on many messages of a folder ([MS-OXCMSG] 3.1.4.1 open, modify, save):
//! RopOpenMessage (read/write) + RopSetProperties / RopDeleteProperties +
//! RopSaveChangesMessage + RopRelease for each message, as many messages per Execute as
//! fit the 32 KB ROP input limit and the handle table, each message in its own handle
//! slot so one failure cannot affect the next.

use mapi_wire::Encode;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{PropertyProblem, TaggedValue};
use mapi_wire::rop::{
    DeletePropertiesRequest, MessageOpenModeFlags, OpenMessageRequest, RopId, RopRequest, RopRequestBuffer,
    RopResponse, SaveChangesMessageRequest, SaveFlags, SetPropertiesRequest,
};
use mapi_wire::{ErrorCode, PropTag};

use super::Result;
use super::bulk::release;
use super::exec::{MAX_ROP_IN, return_value};
use super::message::CODE_PAGE_LOGON;
use super::store::{Mailbox, Repeat};

/// Messages per Execute at most: each takes a handle slot (slot 0 is the logon, slot
/// numbers are one byte), and their RopOpenMessage answers (subject, first recipient
/// rows) must fit one response buffer.
pub const MESSAGES_PER_EXECUTE: usize = 64;

/// Room kept free in the ROP input buffer for the RopSize field and the deferred
/// releases [`Mailbox`] appends.
const INPUT_RESERVE: usize = 256;

/// One message's change in [`Mailbox::update_messages`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageUpdate {
    /// The message (in the folder given to the call).
    pub mid: MessageId,
    /// Properties to set (RopSetProperties).
    pub set: Vec<TaggedValue>,
    /// Properties to delete (RopDeleteProperties).
    pub delete: Vec<PropTag>,
}

/// Why one message of [`Mailbox::update_messages`] was not (completely) written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageFailure {
    /// The message.
    pub mid: MessageId,
    /// The first ROP that failed for it (RopOpenMessage: e.g. ecNotFound when the
    /// message is gone; RopSaveChangesMessage: e.g. ecObjectModified).
    pub rop: RopId,
    /// Its ReturnValue, or the error of the first property problem, or ecTooBig when
    /// the message's changes alone exceed one Execute or a wire length field (nothing
    /// was sent for it).
    pub code: ErrorCode,
    /// Properties the server refused (RopSetProperties / RopDeleteProperties
    /// PropertyProblems); the message was saved without them.
    pub problems: Vec<PropertyProblem>,
}

/// What [`Mailbox::update_messages`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateOutcome {
    /// Executes sent (not counting RopBackoff/RopBufferTooSmall tails; counting those
    /// sent again in halves after an Execute-level ecBufferTooSmall).
    pub executes: u32,
    /// Messages whose changes were saved in full.
    pub saved: usize,
    /// The others, in request order.
    pub failed: Vec<MessageFailure>,
}

/// The ROPs of one message in handle `slot`.
fn message_rops(folder: FolderId, slot: u8, u: &MessageUpdate) -> Vec<RopRequest> {
    let mut rops = vec![RopRequest::OpenMessage(OpenMessageRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: slot,
        code_page_id: CODE_PAGE_LOGON,
        folder_id: folder,
        open_mode_flags: MessageOpenModeFlags::READ_WRITE,
        message_id: u.mid,
    })];
    if !u.set.is_empty() {
        rops.push(RopRequest::SetProperties(SetPropertiesRequest {
            logon_id: 0,
            input_handle_index: slot,
            values: u.set.clone(),
        }));
    }
    if !u.delete.is_empty() {
        rops.push(RopRequest::DeleteProperties(DeletePropertiesRequest {
            logon_id: 0,
            input_handle_index: slot,
            property_tags: u.delete.clone(),
        }));
    }
    rops.push(RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
        logon_id: 0,
        response_handle_index: slot,
        input_handle_index: slot,
        save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
    }));
    rops.push(release(slot));
    rops
}

/// Bytes one message adds to a request buffer: its ROPs and a 4-byte handle slot.
/// None when they cannot be encoded at all (a value longer than its length field).
fn input_size(folder: FolderId, u: &MessageUpdate) -> Option<usize> {
    let alone = RopRequestBuffer { rops: message_rops(folder, 1, u), handles: Vec::new() }.to_bytes().ok()?;
    // The buffer's own RopSize field (2 bytes) is counted once, in INPUT_RESERVE.
    Some(alone.len().saturating_sub(2) + 4)
}

/// Splits `updates` into Executes: at most [`MESSAGES_PER_EXECUTE`] messages and
/// [`MAX_ROP_IN`] bytes each. A message too large on its own is returned apart.
type Plan<'a> = (Vec<Vec<&'a MessageUpdate>>, Vec<&'a MessageUpdate>);

fn plan(folder: FolderId, updates: &[MessageUpdate]) -> Plan<'_> {
    let budget = MAX_ROP_IN - INPUT_RESERVE - 4; // minus the logon's handle slot
    let mut groups: Vec<Vec<&MessageUpdate>> = Vec::new();
    let mut too_large = Vec::new();
    let mut current: Vec<&MessageUpdate> = Vec::new();
    let mut used = 0usize;
    for u in updates {
        let Some(size) = input_size(folder, u).filter(|s| *s <= budget) else {
            too_large.push(u);
            continue;
        };
        if current.len() == MESSAGES_PER_EXECUTE || used + size > budget {
            groups.push(std::mem::take(&mut current));
            used = 0;
        }
        used += size;
        current.push(u);
    }
    if !current.is_empty() {
        groups.push(current);
    }
    (groups, too_large)
}

/// Problems a property ROP reported (those come with ReturnValue success).
fn problems_of(r: &RopResponse) -> &[PropertyProblem] {
    match r {
        RopResponse::SetProperties(s) => s.problems.as_deref().unwrap_or_default(),
        RopResponse::DeleteProperties(d) => d.problems.as_deref().unwrap_or_default(),
        _ => &[],
    }
}

impl Mailbox {
    /// Sets and deletes properties of many messages of `folder` and saves each:
    /// RopOpenMessage, RopSetProperties, RopDeleteProperties, RopSaveChangesMessage and
    /// RopRelease per message ([MS-OXCROPS] 2.2.6.1, 2.2.8.6, 2.2.8.8, 2.2.6.3,
    /// 2.2.15.3), up to [`MESSAGES_PER_EXECUTE`] messages per Execute within the 32 KB
    /// ROP input (a batch whose answers do not fit is sent again in halves). A message
    /// that fails (gone, modified meanwhile, a refused property) is reported in
    /// [`UpdateOutcome::failed`] and does not stop the others; transport errors end the
    /// call (earlier Executes stay applied; writing the same values again is harmless,
    /// so the call may be repeated).
    pub async fn update_messages(&self, folder: FolderId, updates: &[MessageUpdate]) -> Result<UpdateOutcome> {
        let mut out = UpdateOutcome::default();
        let (groups, too_large) = plan(folder, updates);
        for u in too_large {
            out.failed.push(MessageFailure {
                mid: u.mid,
                rop: RopId::SET_PROPERTIES,
                code: ErrorCode::TOO_BIG,
                problems: Vec::new(),
            });
        }
        let mut queue: std::collections::VecDeque<Vec<&MessageUpdate>> = groups.into();
        while let Some(group) = queue.pop_front() {
            let sent = self
                .run(Repeat::Idempotent, group.len() + 1, |_| {
                    let mut rops = Vec::new();
                    for (i, u) in group.iter().enumerate() {
                        rops.extend(message_rops(folder, u8::try_from(i + 1).unwrap_or(u8::MAX), u));
                    }
                    rops
                })
                .await;
            out.executes += 1;
            let a = match sent {
                // The answers did not fit MaxRopOut and the server failed the whole
                // Execute instead of answering RopBufferTooSmall (RopOpenMessage
                // answers carry subjects and recipient rows of unknown size): the
                // writes are idempotent, so halves are sent again.
                Err(super::Error::Execute(code)) if code == ErrorCode(0x47D) && group.len() > 1 => {
                    let (first, second) = group.split_at(group.len() / 2);
                    queue.push_front(second.to_vec());
                    queue.push_front(first.to_vec());
                    continue;
                }
                other => other?,
            };
            // Answers come in request order; RopRelease has none.
            let mut answers = a.rops.iter().flatten();
            for (i, u) in group.iter().enumerate() {
                let n = message_rops(folder, u8::try_from(i + 1).unwrap_or(u8::MAX), u).len() - 1;
                let mut failure: Option<MessageFailure> = None;
                for _ in 0..n {
                    let Some(r) = answers.next() else {
                        return Err(super::Error::Protocol(format!("no answer for message {:?}", u.mid)));
                    };
                    let code = return_value(r).unwrap_or(ErrorCode::SUCCESS);
                    let problems = problems_of(r);
                    if failure.is_none() && code != ErrorCode::SUCCESS {
                        failure = Some(MessageFailure { mid: u.mid, rop: r.id(), code, problems: Vec::new() });
                    } else if !problems.is_empty() {
                        let f = failure.get_or_insert_with(|| MessageFailure {
                            mid: u.mid,
                            rop: r.id(),
                            code: problems.first().map_or(ErrorCode::SUCCESS, |p| p.error),
                            problems: Vec::new(),
                        });
                        f.problems.extend_from_slice(problems);
                    }
                }
                match failure {
                    Some(f) => out.failed.push(f),
                    None => out.saved += 1,
                }
            }
        }
        let order: std::collections::HashMap<MessageId, usize> =
            updates.iter().enumerate().map(|(i, u)| (u.mid, i)).rev().collect();
        out.failed.sort_by_key(|f| order.get(&f.mid).copied().unwrap_or(usize::MAX));
        Ok(out)
    }
}
