//! [MS-OXCFXICS] 3.2.5.8.1 FastTransfer download of a message or messages:
//! RopFastTransferSourceCopyTo and RopFastTransferSourceCopyProperties on a
//! message object (a messageContent stream, 2.2.4.3.16) and
//! RopFastTransferSourceCopyMessages on a folder (a messageList,
//! 2.2.4.3.17). Each opens a download context whose stream
//! RopFastTransferSourceGetBuffer hands out. Folder copies
//! (RopFastTransferSourceCopyFolder, CopyTo on a folder) are not simulated.

use mapi_wire::fx::{FxWriter, Marker, meta};
use mapi_wire::ids::MessageId;
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};

use super::dispatch::Ctx;
use super::folder::{check, folder_of};
use super::ics::{prop_list, stream_download};
use super::objects::Object;
use crate::store::{Mailbox, MessageContent, Rights};

/// PidTagMessageRecipients / PidTagMessageAttachments: naming them in a
/// property list selects (CopyProperties) or drops (CopyTo) the children.
const RECIPIENTS: PropTag = PropTag(0x0E12_000D);
const ATTACHMENTS: PropTag = PropTag(0x0E13_000D);

/// Which properties and children go into a messageContent.
#[derive(Clone, Copy)]
enum Select<'a> {
    /// Every property except these (CopyTo; Level 0 includes children
    /// unless excluded).
    Except(&'a [PropTag], bool),
    /// Only these (CopyProperties; children only if listed and Level 0).
    Only(&'a [PropTag], bool),
    /// Everything (CopyMessages).
    All,
}

impl Select<'_> {
    fn keeps(&self, tag: PropTag) -> bool {
        match self {
            Self::Except(tags, _) => !tags.iter().any(|t| t.id() == tag.id()),
            Self::Only(tags, _) => tags.iter().any(|t| t.id() == tag.id()),
            Self::All => true,
        }
    }

    fn children(&self, which: PropTag) -> bool {
        match self {
            Self::Except(_, level0) | Self::Only(_, level0) => *level0 && self.keeps(which),
            Self::All => true,
        }
    }
}

/// Writes a messageContent ([MS-OXCFXICS] 2.2.4.3.16): propList, then
/// the recipients (StartRecip … EndToRecip) and attachments (NewAttach …
/// EndAttach, embedded messages in StartEmbed … EndEmbed), each child list
/// announced by MetaTagFXDelProp.
fn write_content(
    w: &mut FxWriter,
    mb: &Mailbox,
    c: &MessageContent,
    select: Select<'_>,
) -> Result<(), mapi_wire::EncodeError> {
    let skip: Vec<PropTag> = c.props.tags().into_iter().filter(|t| !select.keeps(*t)).collect();
    for p in prop_list(mb, &c.props, &skip).iter() {
        w.property(p)?;
    }
    if select.children(RECIPIENTS) {
        w.prop(meta::FX_DEL_PROP, PropValue::I32(RECIPIENTS.0 as i32))?;
        for r in &c.recipients {
            w.marker(Marker::START_RECIP);
            for p in prop_list(mb, r, &[]).iter() {
                w.property(p)?;
            }
            w.marker(Marker::END_TO_RECIP);
        }
    }
    if select.children(ATTACHMENTS) {
        w.prop(meta::FX_DEL_PROP, PropValue::I32(ATTACHMENTS.0 as i32))?;
        for a in &c.attachments {
            w.marker(Marker::NEW_ATTACH);
            // PidTagAttachNumber first (2.2.4.3.1).
            let number = a.props.get(PropTag::ATTACH_NUMBER).cloned().unwrap_or(PropValue::I32(0));
            w.prop(PropTag::ATTACH_NUMBER, number)?;
            for p in prop_list(mb, &a.props, &[PropTag::ATTACH_NUMBER]).iter() {
                w.property(p)?;
            }
            if let Some(e) = &a.embedded {
                w.marker(Marker::START_EMBED);
                write_content(w, mb, e, Select::All)?;
                w.marker(Marker::END_EMBED);
            }
            w.marker(Marker::END_ATTACH);
        }
    }
    Ok(())
}

fn encode_failed(_: mapi_wire::EncodeError) -> ErrorCode {
    ErrorCode::GENERAL_FAILURE
}

/// The message object behind `index`: its mailbox, folder and content.
fn message_of(ctx: &Ctx<'_>, index: u8) -> Result<(Mailbox, mapi_wire::ids::FolderId, MessageContent), ErrorCode> {
    match ctx.object(index)? {
        Object::Message(m) => Ok((m.mailbox.clone(), m.folder, m.content.clone())),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// RopFastTransferSourceCopyTo ([MS-OXCFXICS] 2.2.3.1.1.1) on a message:
/// every property but PropertyTags; Level 0 adds the recipients and
/// attachments unless PropertyTags excludes them. CopyFlags Move (0x01) is
/// not supported for a download (ecNotSupported).
pub(crate) fn copy_to(ctx: &mut Ctx<'_>, r: &FastTransferSourceCopyToRequest) -> Result<(), ErrorCode> {
    if r.copy_flags & 0x01 != 0 {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let (mb, folder, content) = message_of(ctx, r.input_handle_index)?;
    let mut w = FxWriter::new();
    write_content(&mut w, &mb, &content, Select::Except(&r.property_tags, r.level == 0)).map_err(encode_failed)?;
    ctx.output(r.output_handle_index, Object::Sync(Box::new(stream_download(mb, folder, false, w.into_bytes()))));
    Ok(())
}

/// RopFastTransferSourceCopyProperties ([MS-OXCFXICS] 2.2.3.1.1.2) on a
/// message: only PropertyTags; recipients/attachments when listed and
/// Level is 0.
pub(crate) fn copy_properties(ctx: &mut Ctx<'_>, r: &FastTransferSourceCopyPropertiesRequest) -> Result<(), ErrorCode> {
    if r.copy_flags & 0x01 != 0 {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let (mb, folder, content) = message_of(ctx, r.input_handle_index)?;
    let mut w = FxWriter::new();
    write_content(&mut w, &mb, &content, Select::Only(&r.property_tags, r.level == 0)).map_err(encode_failed)?;
    ctx.output(r.output_handle_index, Object::Sync(Box::new(stream_download(mb, folder, false, w.into_bytes()))));
    Ok(())
}

/// RopFastTransferSourceCopyMessages ([MS-OXCFXICS] 2.2.3.1.1.3) on a
/// folder: a messageList, each message as StartMessage (StartFAIMsg for
/// FAI) + messageContent + EndMessage, in request order. A MID that is not
/// a live message of the folder fails the ROP with ecNotFound.
pub(crate) fn copy_messages(ctx: &mut Ctx<'_>, r: &FastTransferSourceCopyMessagesRequest) -> Result<(), ErrorCode> {
    if r.copy_flags & 0x01 != 0 {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let (mb, folder) = folder_of(ctx, r.input_handle_index)?;
    check(ctx, &mb, folder, Rights::READ_ANY)?;
    let mut w = FxWriter::new();
    for mid in &r.message_ids {
        let m = mb.message(MessageId(*mid)).map_err(|_| ErrorCode::NOT_FOUND)?;
        if m.folder != folder {
            return Err(ErrorCode::NOT_FOUND);
        }
        w.marker(if m.fai { Marker::START_FAI_MSG } else { Marker::START_MESSAGE });
        write_content(&mut w, &mb, &m.content, Select::All).map_err(encode_failed)?;
        w.marker(Marker::END_MESSAGE);
    }
    ctx.output(r.output_handle_index, Object::Sync(Box::new(stream_download(mb, folder, false, w.into_bytes()))));
    Ok(())
}
