//! [MS-OXCMSG] rewriting an existing message as a whole: its properties, its
//! recipient table and its attachments, embedded messages included (the
//! exception attachments of a recurring appointment, [MS-OXOCAL] 2.2.10.1.1).
//!
//! RopOpenMessage (read/write), RopSetProperties, RopDeleteProperties,
//! RopRemoveAllRecipients + RopModifyRecipients ([MS-OXCMSG] 3.2.5.7, 3.2.5.6),
//! RopDeleteAttachment for every old attachment (3.2.5.15), then each new one
//! (RopCreateAttachment, RopSetProperties, for an embedded message
//! RopOpenEmbeddedMessage with Create, RopSetProperties, RopModifyRecipients
//! and RopSaveChangesMessage, then RopSaveChangesAttachment), and
//! RopSaveChangesMessage last: nothing is visible until that save, so a failure
//! before it leaves the old version whole.
//!
//! One Execute when everything fits the ROP input limit; otherwise the message
//! stays open across Executes and large values go through streams.

use mapi_wire::Encode;
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{PropValue, TaggedValue};
use mapi_wire::rop::{
    CreateAttachmentRequest, DeleteAttachmentRequest, DeletePropertiesRequest, MessageOpenModeFlags,
    ModifyRecipientRow, ModifyRecipientsRequest, OpenEmbeddedMessageRequest, OpenMessageRequest,
    RemoveAllRecipientsRequest, RopRequest, RopRequestBuffer, SaveChangesAttachmentRequest, SaveChangesMessageRequest,
    SaveFlags, SetPropertiesRequest,
};

use super::bulk::release;
use super::create::LARGE_VALUE;
use super::exec::check;
use super::message::CODE_PAGE_LOGON;
use super::store::{Mailbox, Repeat};
use super::{Error, Result};

/// The content of a message to write as a whole.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemContent {
    /// Values set with RopSetProperties (or streams when large).
    pub properties: Vec<TaggedValue>,
    /// RopModifyRecipients RecipientColumns.
    pub recipient_columns: Vec<PropTag>,
    /// RopModifyRecipients rows.
    pub recipients: Vec<ModifyRecipientRow>,
    /// Attachments, in order.
    pub attachments: Vec<ItemAttachment>,
}

/// An attachment of an [`ItemContent`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemAttachment {
    /// The attachment's values (PidTagAttachMethod 5 for an embedded message).
    pub properties: Vec<TaggedValue>,
    /// The embedded message's properties and recipients (its own attachments
    /// are not written).
    pub embedded: Option<ItemContent>,
}

fn is_large(v: &TaggedValue) -> bool {
    match &v.value {
        PropValue::String(s) => s.encode_utf16().count() * 2 > LARGE_VALUE,
        PropValue::String8(b) | PropValue::Binary(b) => b.len() > LARGE_VALUE,
        _ => false,
    }
}

fn split(values: &[TaggedValue]) -> (Vec<TaggedValue>, Vec<TaggedValue>) {
    values.iter().cloned().partition(|v| !is_large(v))
}

fn set(slot: u8, values: Vec<TaggedValue>) -> RopRequest {
    RopRequest::SetProperties(SetPropertiesRequest { logon_id: 0, input_handle_index: slot, values })
}

fn save_message(slot: u8) -> RopRequest {
    RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
        logon_id: 0,
        response_handle_index: slot,
        input_handle_index: slot,
        save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
    })
}

fn recipients(slot: u8, content: &ItemContent) -> Option<RopRequest> {
    (!content.recipients.is_empty()).then(|| {
        RopRequest::ModifyRecipients(ModifyRecipientsRequest {
            logon_id: 0,
            input_handle_index: slot,
            recipient_columns: content.recipient_columns.clone(),
            rows: content.recipients.clone(),
        })
    })
}

/// Creates an attachment on the message in slot 1 (attachment in slot 2,
/// its embedded message in slot 3) with `values`; the attachment stays open.
fn attachment_rops(a: &ItemAttachment, values: Vec<TaggedValue>) -> Vec<RopRequest> {
    let mut rops = vec![
        RopRequest::CreateAttachment(CreateAttachmentRequest {
            logon_id: 0,
            input_handle_index: 1,
            output_handle_index: 2,
        }),
        set(2, values),
    ];
    if let Some(e) = &a.embedded {
        rops.push(RopRequest::OpenEmbeddedMessage(OpenEmbeddedMessageRequest {
            logon_id: 0,
            input_handle_index: 2,
            output_handle_index: 3,
            code_page_id: CODE_PAGE_LOGON,
            open_mode_flags: MessageOpenModeFlags::CREATE,
        }));
        rops.push(set(3, e.properties.clone()));
        rops.extend(recipients(3, e));
        rops.push(save_message(3));
        rops.push(release(3));
    }
    rops
}

fn save_attachment() -> [RopRequest; 2] {
    [
        RopRequest::SaveChangesAttachment(SaveChangesAttachmentRequest {
            logon_id: 0,
            response_handle_index: 2,
            input_handle_index: 2,
            save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
        }),
        release(2),
    ]
}

impl Mailbox {
    /// Replaces message `mid` of `folder` by `content`: every property in
    /// `content` is set, every tag of `delete` removed, the recipient table and
    /// the attachments become exactly those of `content`. `old_attachments`
    /// are the attachment numbers the message has now (from its attachment
    /// table). Not repeated after a lost answer: the caller reads the message
    /// again to know whether it was written. A context lost before the save ran
    /// (the server refused the request at its cookie check, e.g. the first write
    /// after a server restart) changed nothing: the replacement is started again
    /// once in the new context.
    pub async fn replace_message(
        &self,
        folder: FolderId,
        mid: MessageId,
        content: &ItemContent,
        delete: &[PropTag],
        old_attachments: &[u32],
    ) -> Result<()> {
        match self.replace_message_once(folder, mid, content, delete, old_attachments).await {
            Err(e) if e.is_lost_context() => {
                tracing::info!("context lost while replacing a message; writing it again");
                self.replace_message_once(folder, mid, content, delete, old_attachments).await
            }
            other => other,
        }
    }

    async fn replace_message_once(
        &self,
        folder: FolderId,
        mid: MessageId,
        content: &ItemContent,
        delete: &[PropTag],
        old_attachments: &[u32],
    ) -> Result<()> {
        let (small, large) = split(&content.properties);
        let mut head = vec![
            RopRequest::OpenMessage(OpenMessageRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                code_page_id: CODE_PAGE_LOGON,
                folder_id: folder,
                open_mode_flags: MessageOpenModeFlags::READ_WRITE,
                message_id: mid,
            }),
            set(1, small),
        ];
        if !delete.is_empty() {
            head.push(RopRequest::DeleteProperties(DeletePropertiesRequest {
                logon_id: 0,
                input_handle_index: 1,
                property_tags: delete.to_vec(),
            }));
        }
        head.push(RopRequest::RemoveAllRecipients(RemoveAllRecipientsRequest {
            logon_id: 0,
            input_handle_index: 1,
            reserved: 0,
        }));
        head.extend(recipients(1, content));
        for num in old_attachments {
            head.push(RopRequest::DeleteAttachment(DeleteAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                attachment_id: *num,
            }));
        }

        let any_large = !large.is_empty()
            || content.attachments.iter().any(|a| {
                a.properties.iter().any(is_large)
                    || a.embedded.as_ref().is_some_and(|e| e.properties.iter().any(is_large))
            });
        if !any_large {
            let mut rops = head.clone();
            for a in &content.attachments {
                rops.extend(attachment_rops(a, a.properties.clone()));
                rops.extend(save_attachment());
            }
            rops.push(save_message(1));
            rops.push(release(1));
            let fits = RopRequestBuffer { rops: rops.clone(), handles: vec![0; 4] }
                .to_bytes()
                .is_ok_and(|b| b.len() <= super::MAX_ROP_IN);
            if fits {
                let a = self.run(Repeat::Once, 4, |_| rops.clone()).await?;
                for r in a.rops.iter().flatten() {
                    check(r)?;
                }
                return Ok(());
            }
        }

        // In steps, the message kept open between Executes.
        let a = self.run(Repeat::Once, 2, |_| head.clone()).await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        let generation = a.generation;
        let message = a.handle(1)?;
        for v in &large {
            self.write_through_stream(&[message], generation, v).await?;
        }
        for att in &content.attachments {
            let (small, large) = split(&att.properties);
            let a = self.run_handles(false, &[message, u32::MAX, u32::MAX], attachment_rops(att, small)).await?;
            for r in a.rops.iter().flatten() {
                check(r)?;
            }
            if a.generation != generation {
                return Err(Error::Transport(crate::Error::Reconnected {
                    code: mapi_wire::http::ResponseCode::SUCCESS,
                }));
            }
            let handle = a.handle(2)?;
            for v in &large {
                self.write_through_stream(&[message, handle], generation, v).await?;
            }
            let a = self.run_handles(false, &[message, handle], save_attachment().to_vec()).await?;
            for r in a.rops.iter().flatten() {
                check(r)?;
            }
        }
        let a = self.run_handles(false, &[message], vec![save_message(1), release(1)]).await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        Ok(())
    }
}
