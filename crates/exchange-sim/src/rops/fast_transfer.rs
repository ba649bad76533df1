//! [MS-OXCFXICS] 3.2.5.8.1 FastTransfer download of a message or messages:
//! RopFastTransferSourceCopyTo and RopFastTransferSourceCopyProperties on a
//! message object (a messageContent stream, 2.2.4.3.16) and
//! RopFastTransferSourceCopyMessages on a folder (a messageList,
//! 2.2.4.3.17), RopFastTransferSourceCopyFolder (a topFolder) and
//! RopFastTransferSourceCopyTo on a folder (a folderContent). Each opens a
//! download context whose stream RopFastTransferSourceGetBuffer hands out.

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
/// attachments unless PropertyTags excludes them. On a folder: a
/// folderContent (see [`write_folder`]). CopyFlags Move (0x01) is not
/// supported for a download (ecNotSupported).
pub(crate) fn copy_to(ctx: &mut Ctx<'_>, r: &FastTransferSourceCopyToRequest) -> Result<(), ErrorCode> {
    if r.copy_flags & 0x01 != 0 {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    if let Ok((mb, folder)) = folder_of(ctx, r.input_handle_index) {
        check(ctx, &mb, folder, Rights::READ_ANY)?;
        let level0 = r.level == 0;
        let keep = |t: PropTag| !r.property_tags.iter().any(|x| x.id() == t.id());
        let what = FolderSelect {
            skip: &r.property_tags,
            normal: level0 && keep(CONTAINER_CONTENTS),
            fai: level0 && keep(FOLDER_ASSOCIATED_CONTENTS),
            subfolders: level0 && keep(CONTAINER_HIERARCHY),
        };
        let mut w = FxWriter::new();
        write_folder(&mut w, &mb, folder, what, 0)?;
        ctx.output(r.output_handle_index, Object::Sync(Box::new(stream_download(mb, folder, false, w.into_bytes()))));
        return Ok(());
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

/// PidTagContainerHierarchy, PidTagContainerContents,
/// PidTagFolderAssociatedContents: the MetaTagFXDelProp values announcing
/// a folder's subfolders, normal and FAI messages ([MS-OXCFXICS]
/// 2.2.4.3.7, 2.2.4.3.5).
const CONTAINER_HIERARCHY: PropTag = PropTag(0x360E_000D);
const CONTAINER_CONTENTS: PropTag = PropTag(0x360F_000D);
const FOLDER_ASSOCIATED_CONTENTS: PropTag = PropTag(0x3610_000D);

/// RopFastTransferSourceCopyFolder CopyFlags CopySubfolders
/// ([MS-OXCFXICS] 2.2.3.1.1.2.1).
const COPY_SUBFOLDERS: u8 = 0x10;

/// Folder trees deeper than this are cut (a loop guard; Exchange limits
/// folder depth to 300).
const MAX_FOLDER_DEPTH: usize = 300;

/// What goes into a folderContent.
#[derive(Clone, Copy)]
struct FolderSelect<'a> {
    /// Properties left out of the folder's propList.
    skip: &'a [PropTag],
    normal: bool,
    fai: bool,
    subfolders: bool,
}

/// Folder properties that name the folder's place in this mailbox rather
/// than its content: a copy gets its own.
const FOLDER_IDENTITY: [PropTag; 4] = [
    PropTag::FOLDER_ID,
    PropTag::PARENT_FOLDER_ID,
    PropTag(0x0FFF_0102), // PidTagEntryId
    PropTag(0x0E09_0102), // PidTagParentEntryId
];

/// Writes a folderContent ([MS-OXCFXICS] 2.2.4.3.5): the folder's
/// propList; its FAI and normal messages, each list announced by
/// MetaTagFXDelProp (folderMessages, 2.2.4.3.7); its subfolders, announced
/// by MetaTagFXDelProp PidTagContainerHierarchy, each StartSubFld
/// folderContent EndFolder (subFolder, 2.2.4.3.20). Subfolders carry all
/// their messages and their own subfolders.
fn write_folder(
    w: &mut FxWriter,
    mb: &Mailbox,
    folder: mapi_wire::ids::FolderId,
    what: FolderSelect<'_>,
    depth: usize,
) -> Result<(), ErrorCode> {
    let props = mb.folder_props(folder).map_err(|e| e.error_code())?;
    let mut skip: Vec<PropTag> = what.skip.to_vec();
    skip.extend(FOLDER_IDENTITY);
    for p in prop_list(mb, &props, &skip).iter() {
        w.property(p).map_err(encode_failed)?;
    }
    for (wanted, fai, tag) in [(what.fai, true, FOLDER_ASSOCIATED_CONTENTS), (what.normal, false, CONTAINER_CONTENTS)] {
        if !wanted {
            continue;
        }
        w.prop(meta::FX_DEL_PROP, PropValue::I32(tag.0 as i32)).map_err(encode_failed)?;
        for m in mb.contents(folder, fai).map_err(|e| e.error_code())? {
            w.marker(if fai { Marker::START_FAI_MSG } else { Marker::START_MESSAGE });
            write_content(w, mb, &m.content, Select::All).map_err(encode_failed)?;
            w.marker(Marker::END_MESSAGE);
        }
    }
    if what.subfolders && depth < MAX_FOLDER_DEPTH {
        w.prop(meta::FX_DEL_PROP, PropValue::I32(CONTAINER_HIERARCHY.0 as i32)).map_err(encode_failed)?;
        let all = FolderSelect { skip: &[], normal: true, fai: true, subfolders: true };
        for sub in mb.subfolders(folder, false).map_err(|e| e.error_code())? {
            w.marker(Marker::START_SUB_FLD);
            write_folder(w, mb, sub.id, all, depth + 1)?;
            w.marker(Marker::END_FOLDER);
        }
    }
    Ok(())
}

/// RopFastTransferSourceCopyFolder ([MS-OXCFXICS] 2.2.3.1.1.2, 3.2.5.8.1):
/// a topFolder — StartTopFld, the folder's folderContent with its normal
/// and FAI messages, its subfolders only with CopySubfolders (0x10),
/// EndFolder. Move (0x01) is not supported for a download.
pub(crate) fn copy_folder(ctx: &mut Ctx<'_>, r: &FastTransferSourceCopyFolderRequest) -> Result<(), ErrorCode> {
    if r.copy_flags & 0x01 != 0 {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let (mb, folder) = folder_of(ctx, r.input_handle_index)?;
    check(ctx, &mb, folder, Rights::READ_ANY)?;
    let what = FolderSelect { skip: &[], normal: true, fai: true, subfolders: r.copy_flags & COPY_SUBFOLDERS != 0 };
    let mut w = FxWriter::new();
    w.marker(Marker::START_TOP_FLD);
    write_folder(&mut w, &mb, folder, what, 0)?;
    w.marker(Marker::END_FOLDER);
    ctx.output(r.output_handle_index, Object::Sync(Box::new(stream_download(mb, folder, false, w.into_bytes()))));
    Ok(())
}
