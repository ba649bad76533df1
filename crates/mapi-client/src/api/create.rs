//! [MS-OXCMSG] creating and submitting messages in one Execute: RopCreateMessage,
//! RopSetProperties, RopModifyRecipients (the gromox-accepted form, corrections A16),
//! attachments (RopCreateAttachment + RopSetProperties + RopSaveChangesAttachment),
//! RopSaveChangesMessage, optionally RopSubmitMessage, RopRelease (captures 031, 033).
//!
//! A write whose answer was lost ([`crate::Error::Ambiguous`]) is never replayed: when
//! the message carries a PidTagSearchKey of ours, the API looks for it with a restricted
//! contents table and reports [`WriteReport::Landed`] or [`WriteReport::NotLanded`].

use mapi_wire::Encode;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{PropValue, TaggedValue};
use mapi_wire::restriction::{RelOp, Restriction};
use mapi_wire::rop::{
    CommitStreamRequest, CreateAttachmentRequest, CreateMessageRequest, ModifyRecipientRow, ModifyRecipientsRequest,
    OpenStreamRequest, RopId, RopRequest, RopResponse, SaveChangesAttachmentRequest, SaveChangesMessageRequest,
    SaveFlags, SetPropertiesRequest, StreamOpenMode, SubmitMessageRequest, WriteStreamRequest,
};
use mapi_wire::{ErrorCode, PropTag};

use super::bulk::release;
use super::exec::check;
use super::message::CODE_PAGE_LOGON;
use super::store::{Mailbox, Repeat, SpecialFolder};
use super::table::TableSpec;
use super::{Error, Result};

/// PidTagSearchKey ([MS-OXCPRPT] 2.2.1.9): the key the API sets to find its own writes.
pub const PID_TAG_SEARCH_KEY: PropTag = PropTag(0x300B_0102);
/// Values larger than this (bytes on the wire) are written with RopOpenStream +
/// RopWriteStream + RopCommitStream instead of RopSetProperties ([MS-OXCPRPT] 3.2.5.1),
/// so every Execute stays within the 32 KB ROP input limit.
pub const LARGE_VALUE: usize = 0x4000;
/// Bytes per RopWriteStream.
const WRITE_CHUNK: usize = 0x6000;

/// The stream form of a string or binary value (UTF-16LE for strings).
fn stream_bytes(v: &TaggedValue) -> Option<Vec<u8>> {
    match &v.value {
        PropValue::String(s) => Some(s.encode_utf16().flat_map(u16::to_le_bytes).collect()),
        PropValue::String8(b) | PropValue::Binary(b) => Some(b.clone()),
        _ => None,
    }
}

/// PidTagMid, the column used when looking a message up.
const PID_TAG_MID: PropTag = PropTag(0x674A_0014);

/// An attachment of a [`NewMessage`] (its properties, e.g. PidTagAttachMethod,
/// PidTagAttachLongFilename, PidTagAttachDataBinary).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewAttachment {
    /// Values set with RopSetProperties.
    pub properties: Vec<TaggedValue>,
}

/// A message to create.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewMessage {
    /// The folder to create it in (Drafts for mail to send).
    pub folder: FolderId,
    /// Values set with RopSetProperties.
    pub properties: Vec<TaggedValue>,
    /// RopModifyRecipients RecipientColumns (never RecipientType/DisplayName/EmailAddress/
    /// AddressType on gromox, corrections A16).
    pub recipient_columns: Vec<PropTag>,
    /// RopModifyRecipients rows.
    pub recipients: Vec<ModifyRecipientRow>,
    /// Attachments.
    pub attachments: Vec<NewAttachment>,
    /// A PidTagSearchKey value to set so that an ambiguous outcome can be checked;
    /// [`NewMessage::with_unique_search_key`] makes one.
    pub search_key: Option<Vec<u8>>,
}

impl NewMessage {
    /// Sets a random 16-byte PidTagSearchKey.
    pub fn with_unique_search_key(mut self) -> Result<Self> {
        let mut k = vec![0u8; 16];
        getrandom::fill(&mut k).map_err(|e| Error::Transport(crate::Error::Config(format!("random source: {e}"))))?;
        self.search_key = Some(k);
        Ok(self)
    }

    /// The values to set, the search key included, split into those sent with
    /// RopSetProperties and those too large for it (written through streams).
    fn values(&self) -> (Vec<TaggedValue>, Vec<TaggedValue>) {
        let mut values = self.properties.clone();
        if let Some(k) = &self.search_key {
            values.retain(|v| v.tag != PID_TAG_SEARCH_KEY);
            values.push(TaggedValue { tag: PID_TAG_SEARCH_KEY, value: PropValue::Binary(k.clone()) });
        }
        values.into_iter().partition(|v| stream_bytes(v).is_none_or(|b| b.len() <= LARGE_VALUE))
    }

    fn rops(&self, submit: bool) -> Vec<RopRequest> {
        let mut rops = self.head_rops(self.values().0);
        rops.extend(self.tail_rops(submit, true));
        rops
    }

    /// RopCreateMessage, RopSetProperties and RopModifyRecipients (message in slot 1).
    fn head_rops(&self, values: Vec<TaggedValue>) -> Vec<RopRequest> {
        let mut rops = vec![
            RopRequest::CreateMessage(CreateMessageRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                code_page_id: CODE_PAGE_LOGON,
                folder_id: self.folder,
                associated: false,
            }),
            RopRequest::SetProperties(SetPropertiesRequest { logon_id: 0, input_handle_index: 1, values }),
        ];
        if !self.recipients.is_empty() {
            rops.push(RopRequest::ModifyRecipients(ModifyRecipientsRequest {
                logon_id: 0,
                input_handle_index: 1,
                recipient_columns: self.recipient_columns.clone(),
                rows: self.recipients.clone(),
            }));
        }
        rops
    }

    /// Attachments (slot 2) unless they were written already, RopSaveChangesMessage,
    /// RopSubmitMessage, RopRelease.
    fn tail_rops(&self, submit: bool, with_attachments: bool) -> Vec<RopRequest> {
        let mut rops = Vec::new();
        for a in self.attachments.iter().filter(|_| with_attachments) {
            rops.push(RopRequest::CreateAttachment(CreateAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
            }));
            rops.push(RopRequest::SetProperties(SetPropertiesRequest {
                logon_id: 0,
                input_handle_index: 2,
                values: a.properties.clone(),
            }));
            rops.push(RopRequest::SaveChangesAttachment(SaveChangesAttachmentRequest {
                logon_id: 0,
                response_handle_index: 2,
                input_handle_index: 2,
                save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
            }));
            rops.push(release(2));
        }
        rops.push(RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
            logon_id: 0,
            response_handle_index: 1,
            input_handle_index: 1,
            save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
        }));
        if submit {
            rops.push(RopRequest::SubmitMessage(SubmitMessageRequest {
                logon_id: 0,
                input_handle_index: 1,
                submit_flags: 0,
            }));
        }
        rops.push(release(1));
        rops
    }
}

/// Which step of a multi-Execute create failed.
enum Step {
    /// Before RopSaveChangesMessage: nothing was saved.
    Before(Error),
    /// The Execute with RopSaveChangesMessage.
    Last(Error),
}

/// The outcome of a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteReport {
    /// The write completed; the new message's id.
    Done(MessageId),
    /// The answer was lost, but the message is in the store (found by its search key).
    Landed(MessageId),
    /// The answer was lost and the message is not in the store: safe to send again.
    NotLanded,
}

impl Mailbox {
    /// Creates (and with `submit`, sends) a message in one Execute. If the Execute's
    /// outcome is ambiguous and `msg.search_key` is set, checks where it landed instead
    /// of replaying it; without a search key the ambiguity is returned as an error.
    pub async fn create_message(&self, msg: &NewMessage, submit: bool) -> Result<WriteReport> {
        let (small, large) = msg.values();
        let one_execute = large.is_empty()
            && mapi_wire::rop::RopRequestBuffer { rops: msg.rops(submit), handles: vec![0; 3] }
                .to_bytes()
                .is_ok_and(|b| b.len() <= super::MAX_ROP_IN);
        let res = if one_execute {
            let slots = if msg.attachments.is_empty() { 2 } else { 3 };
            // Self-contained (folder opened in the same Execute): a context lost before
            // it ran is recovered by sending it again.
            self.run(Repeat::Resend, slots, |_| msg.rops(submit)).await
        } else {
            let mut steps = self.create_in_steps(msg, submit, small.clone(), large.clone()).await;
            if let Err(Step::Before(e) | Step::Last(e)) = &steps
                && e.is_lost_context()
            {
                // The message was never saved (an unsaved message dies with its
                // context, and the failed step did not run): start again, once, in the
                // new context (e.g. the first write after a server restart).
                tracing::info!("context lost while creating a message in steps; creating it again");
                steps = self.create_in_steps(msg, submit, small, large).await;
            }
            match steps {
                Ok(a) => Ok(a),
                // Nothing was saved before the last step.
                Err(Step::Before(e)) => {
                    return match e {
                        Error::Transport(crate::Error::Ambiguous { .. }) => Ok(WriteReport::NotLanded),
                        e => Err(e),
                    };
                }
                Err(Step::Last(e)) => Err(e),
            }
        };
        let a = match res {
            Ok(a) => a,
            Err(Error::Transport(crate::Error::Ambiguous { kind, reason })) => {
                let Some(key) = &msg.search_key else {
                    return Err(Error::Transport(crate::Error::Ambiguous { kind, reason }));
                };
                tracing::info!(%reason, "create_message outcome unknown; looking for its search key");
                let mut folders = vec![msg.folder];
                if submit {
                    folders.push(self.folder(SpecialFolder::SentItems));
                    folders.push(self.folder(SpecialFolder::Outbox));
                }
                for f in folders {
                    if let Some(mid) = self.find_by_search_key(f, key).await? {
                        return Ok(WriteReport::Landed(mid));
                    }
                }
                return Ok(WriteReport::NotLanded);
            }
            Err(e) => return Err(e),
        };
        let mut mid = None;
        for r in a.rops.iter().flatten() {
            check(r)?;
            if let RopResponse::SaveChangesMessage(s) = r {
                mid = s.success.as_ref().map(|s| s.message_id);
            }
        }
        mid.map(WriteReport::Done).ok_or(Error::Rop { rop: RopId::SAVE_CHANGES_MESSAGE, code: ErrorCode(0x8000_4005) })
    }

    /// Creates a message whose values do not fit one Execute: head ROPs, then each large
    /// value through a stream (chunks of [`WRITE_CHUNK`] bytes, one Execute each, on the
    /// kept message handle), then attachments, save, submit and release.
    async fn create_in_steps(
        &self,
        msg: &NewMessage,
        submit: bool,
        small: Vec<TaggedValue>,
        large: Vec<TaggedValue>,
    ) -> Result<super::exec::Answers, Step> {
        let a = self.run(Repeat::Once, 2, |_| msg.head_rops(small.clone())).await.map_err(Step::Before)?;
        for r in a.rops.iter().flatten() {
            check(r).map_err(Step::Before)?;
        }
        let generation = a.generation;
        let message = a.handle(1).map_err(Step::Before)?;
        for v in &large {
            self.write_through_stream(&[message], generation, v).await.map_err(Step::Before)?;
        }
        // Attachments one by one, their large values (the attachment's data, typically)
        // through streams too: RopSetProperties cannot carry a value over 64 KB at all.
        for attachment in &msg.attachments {
            let (small, large): (Vec<TaggedValue>, Vec<TaggedValue>) = attachment
                .properties
                .iter()
                .cloned()
                .partition(|v| stream_bytes(v).is_none_or(|b| b.len() <= LARGE_VALUE));
            let a = self
                .run_handles(
                    false,
                    &[message, u32::MAX],
                    vec![
                        RopRequest::CreateAttachment(CreateAttachmentRequest {
                            logon_id: 0,
                            input_handle_index: 1,
                            output_handle_index: 2,
                        }),
                        RopRequest::SetProperties(SetPropertiesRequest {
                            logon_id: 0,
                            input_handle_index: 2,
                            values: small,
                        }),
                    ],
                )
                .await
                .map_err(Step::Before)?;
            for r in a.rops.iter().flatten() {
                check(r).map_err(Step::Before)?;
            }
            let handle = a.handle(2).map_err(Step::Before)?;
            for v in &large {
                self.write_through_stream(&[message, handle], generation, v).await.map_err(Step::Before)?;
            }
            let a = self
                .run_handles(
                    false,
                    &[message, handle],
                    vec![
                        RopRequest::SaveChangesAttachment(SaveChangesAttachmentRequest {
                            logon_id: 0,
                            response_handle_index: 2,
                            input_handle_index: 2,
                            save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
                        }),
                        release(2),
                    ],
                )
                .await
                .map_err(Step::Before)?;
            for r in a.rops.iter().flatten() {
                check(r).map_err(Step::Before)?;
            }
        }
        self.run_handles(false, &[message, u32::MAX], msg.tail_rops(submit, false)).await.map_err(Step::Last)
    }

    /// Writes `v` with RopOpenStream + RopWriteStream + RopCommitStream on the last of
    /// `objects` (server handles kept open in slots 1..), in chunks of [`WRITE_CHUNK`]
    /// bytes, one Execute each.
    pub(super) async fn write_through_stream(&self, objects: &[u32], generation: u64, v: &TaggedValue) -> Result<()> {
        let object_slot = u8::try_from(objects.len()).unwrap_or(u8::MAX);
        let stream_slot = object_slot.saturating_add(1);
        let mut preset = objects.to_vec();
        preset.push(u32::MAX);
        let bytes = stream_bytes(v).unwrap_or_default();
        let mut chunks = bytes.chunks(WRITE_CHUNK).peekable();
        let first = chunks.next().unwrap_or(&[]);
        let a = self
            .run_handles(
                false,
                &preset,
                vec![
                    RopRequest::OpenStream(OpenStreamRequest {
                        logon_id: 0,
                        input_handle_index: object_slot,
                        output_handle_index: stream_slot,
                        property_tag: v.tag,
                        open_mode: StreamOpenMode::CREATE,
                    }),
                    RopRequest::WriteStream(WriteStreamRequest {
                        logon_id: 0,
                        input_handle_index: stream_slot,
                        data: first.to_vec(),
                    }),
                ],
            )
            .await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        if a.generation != generation {
            return Err(Error::Transport(crate::Error::Reconnected { code: mapi_wire::http::ResponseCode::SUCCESS }));
        }
        let mut with_stream = objects.to_vec();
        with_stream.push(a.handle(stream_slot)?);
        let mut rest: Vec<RopRequest> = Vec::new();
        while let Some(c) = chunks.next() {
            let mut rops = vec![RopRequest::WriteStream(WriteStreamRequest {
                logon_id: 0,
                input_handle_index: stream_slot,
                data: c.to_vec(),
            })];
            if chunks.peek().is_none() {
                rest = std::mem::take(&mut rops);
                break;
            }
            let a = self.run_handles(false, &with_stream, rops).await?;
            for r in a.rops.iter().flatten() {
                check(r)?;
            }
        }
        rest.push(RopRequest::CommitStream(CommitStreamRequest { logon_id: 0, input_handle_index: stream_slot }));
        rest.push(release(stream_slot));
        let a = self.run_handles(false, &with_stream, rest).await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        Ok(())
    }

    /// The message of `folder` whose PidTagSearchKey is `key` (a restricted contents
    /// table in one Execute).
    pub async fn find_by_search_key(&self, folder: FolderId, key: &[u8]) -> Result<Option<MessageId>> {
        let spec = TableSpec::contents(folder, vec![PID_TAG_MID]).restricted(Restriction::Property {
            op: RelOp::EQ,
            tag: PID_TAG_SEARCH_KEY,
            value: TaggedValue { tag: PID_TAG_SEARCH_KEY, value: PropValue::Binary(key.to_vec()) },
        });
        let rows = self.query(&spec, 1).await?;
        Ok(rows.rows.first().and_then(|r| match r {
            mapi_wire::prop_value::PropertyRow::Standard(v) => match v.first() {
                Some(PropValue::I64(m)) => Some(MessageId(*m as u64)),
                _ => None,
            },
            mapi_wire::prop_value::PropertyRow::Flagged(v) => match v.first() {
                Some(mapi_wire::prop_value::FlaggedValue::Value(PropValue::I64(m))) => Some(MessageId(*m as u64)),
                _ => None,
            },
        }))
    }
}
