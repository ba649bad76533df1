//! The request builders the rops_* tests share: opening folders and
//! messages, creating, setting, reading and saving properties, with
//! LogonId 0 and the handle slots the test names.

use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::TaggedValue;
use mapi_wire::rop::*;

/// An empty handle slot (0xFFFFFFFF) of the request's handle table.
pub const NONE: u32 = u32::MAX;

/// RopOpenFolder of `fid` from the logon in slot `input` into slot `output`.
pub fn open_folder(input: u8, output: u8, fid: FolderId) -> RopRequest {
    RopRequest::OpenFolder(OpenFolderRequest {
        logon_id: 0,
        input_handle_index: input,
        output_handle_index: output,
        folder_id: fid,
        open_mode_flags: FolderOpenModeFlags::NONE,
    })
}

/// RopOpenMessage of `mid` in `fid` into slot `output`, read-write when
/// `write`.
pub fn open_message(input: u8, output: u8, fid: FolderId, mid: MessageId, write: bool) -> RopRequest {
    RopRequest::OpenMessage(OpenMessageRequest {
        logon_id: 0,
        input_handle_index: input,
        output_handle_index: output,
        code_page_id: 0x0FFF,
        folder_id: fid,
        open_mode_flags: if write { MessageOpenModeFlags::READ_WRITE } else { MessageOpenModeFlags::READ_ONLY },
        message_id: mid,
    })
}

/// RopCreateMessage (not associated) in `fid` into slot `output`.
pub fn create_message(input: u8, output: u8, fid: FolderId) -> RopRequest {
    RopRequest::CreateMessage(CreateMessageRequest {
        logon_id: 0,
        input_handle_index: input,
        output_handle_index: output,
        code_page_id: 0x0FFF,
        folder_id: fid,
        associated: false,
    })
}

/// RopSetProperties of `values` on the object in slot `input`.
pub fn set_properties(input: u8, values: Vec<TaggedValue>) -> RopRequest {
    RopRequest::SetProperties(SetPropertiesRequest { logon_id: 0, input_handle_index: input, values })
}

/// RopGetPropertiesSpecific of `tags` (no size limit, Unicode strings).
pub fn get_properties(input: u8, tags: Vec<PropTag>) -> RopRequest {
    RopRequest::GetPropertiesSpecific(GetPropertiesSpecificRequest {
        logon_id: 0,
        input_handle_index: input,
        property_size_limit: 0,
        want_unicode: 1,
        property_tags: tags,
    })
}

/// RopSaveChangesMessage of the message in slot `index`, kept open
/// read-write.
pub fn save_message(index: u8) -> RopRequest {
    RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
        logon_id: 0,
        response_handle_index: index,
        input_handle_index: index,
        save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
    })
}
