//! [MS-OXCROPS] 2.2.6.12–2.2.6.18 attachment ROPs ([MS-OXCMSG] 2.2.3.12–2.2.3.18).

use crate::rop::TableFlags;

open_enum! {
    /// [MS-OXCROPS] 2.2.6.12.1 RopOpenAttachment OpenAttachmentFlags.
    pub struct OpenAttachmentFlags(u8) {
        READ_ONLY = 0x00, "ReadOnly";
        READ_WRITE = 0x01, "ReadWrite";
        BEST_ACCESS = 0x03, "BestAccess";
    }
}

wire_newtype! {
    OpenAttachmentFlags => u8;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.17.1 RopGetAttachmentTable request.
    pub struct GetAttachmentTableRequest = GET_ATTACHMENT_TABLE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the table).
        pub output_handle_index: u8,
        /// TableFlags (0x40 UseUnicode).
        pub table_flags: TableFlags,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.17.2 RopGetAttachmentTable response (header only, corrections B11).
    pub struct GetAttachmentTableResponse = GET_ATTACHMENT_TABLE;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.12.1 RopOpenAttachment request.
    pub struct OpenAttachmentRequest = OPEN_ATTACHMENT {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the attachment).
        pub output_handle_index: u8,
        /// OpenAttachmentFlags.
        pub flags: OpenAttachmentFlags,
        /// AttachmentID (PidTagAttachNumber).
        pub attachment_id: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.12.2 RopOpenAttachment response (header only).
    pub struct OpenAttachmentResponse = OPEN_ATTACHMENT;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.13.1 RopCreateAttachment request.
    pub struct CreateAttachmentRequest = CREATE_ATTACHMENT {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the new attachment).
        pub output_handle_index: u8,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.13.2 RopCreateAttachment success fields.
    pub struct CreateAttachmentSuccess {
        /// AttachmentID of the new attachment.
        pub attachment_id: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.13.2 RopCreateAttachment response.
    pub struct CreateAttachmentResponse = CREATE_ATTACHMENT, success CreateAttachmentSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.14.1 RopDeleteAttachment request.
    pub struct DeleteAttachmentRequest = DELETE_ATTACHMENT {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// AttachmentID.
        pub attachment_id: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.14.2 RopDeleteAttachment response (header only).
    pub struct DeleteAttachmentResponse = DELETE_ATTACHMENT;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.15.1 RopSaveChangesAttachment request (ResponseHandleIndex first).
    pub struct SaveChangesAttachmentRequest = SAVE_CHANGES_ATTACHMENT {
        /// LogonId.
        pub logon_id: u8,
        /// ResponseHandleIndex: the index the response names.
        pub response_handle_index: u8,
        /// InputHandleIndex (the attachment).
        pub input_handle_index: u8,
        /// SaveFlags.
        pub save_flags: crate::rop::SaveFlags,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.15.2 RopSaveChangesAttachment response (header only; `handle_index` = ResponseHandleIndex).
    pub struct SaveChangesAttachmentResponse = SAVE_CHANGES_ATTACHMENT;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.18.1 RopGetValidAttachments request.
    pub struct GetValidAttachmentsRequest = GET_VALID_ATTACHMENTS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.18.2 RopGetValidAttachments success fields.
    pub struct GetValidAttachmentsSuccess {
        /// AttachmentIdArray (count u16).
        pub attachment_ids: Vec<u32>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.18.2 RopGetValidAttachments response.
    pub struct GetValidAttachmentsResponse = GET_VALID_ATTACHMENTS, success GetValidAttachmentsSuccess;
}
