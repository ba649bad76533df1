//! [MS-OXCROPS] 2.2.7 transport ROPs ([MS-OXCMSG] 2.2.3.18–2.2.3.22, [MS-OXOMSG] 2.2.3).

use crate::{
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
    ids::{FolderId, MessageId},
    rop::wire::Wire,
};

rop_request! {
    /// [MS-OXCROPS] 2.2.7.1.1 RopSubmitMessage request.
    pub struct SubmitMessageRequest = SUBMIT_MESSAGE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the saved message).
        pub input_handle_index: u8,
        /// SubmitFlags (0 None, 1 PreProcess, 2 NeedsSpooler).
        pub submit_flags: u8,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.1.2 RopSubmitMessage response (header only).
    pub struct SubmitMessageResponse = SUBMIT_MESSAGE;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.7.2.1 RopAbortSubmit request.
    pub struct AbortSubmitRequest = ABORT_SUBMIT {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// FolderId.
        pub folder_id: FolderId,
        /// MessageId.
        pub message_id: MessageId,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.2.2 RopAbortSubmit response (header only).
    pub struct AbortSubmitResponse = ABORT_SUBMIT;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.7.3.1 RopGetAddressTypes request.
    pub struct GetAddressTypesRequest = GET_ADDRESS_TYPES {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
    }
}

/// [MS-OXCROPS] 2.2.7.3.2 RopGetAddressTypes success fields:
/// `AddressTypeCount u16, AddressTypeSize u16, AddressTypes ASCIIZ[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetAddressTypesSuccess {
    /// AddressTypes ("SMTP", "EX", ...).
    pub address_types: Vec<String>,
}

impl Wire for GetAddressTypesSuccess {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let count = usize::from(r.u16("AddressTypeCount")?);
        let size = usize::from(r.u16("AddressTypeSize")?);
        let mut sub = r.sub(size, what)?;
        let n = sub.count(count, 1, "AddressTypes")?;
        let mut address_types = Vec::with_capacity(n);
        for _ in 0..n {
            address_types.push(String::read(&mut sub, "AddressTypes")?);
        }
        sub.expect_end("AddressTypes")?;
        Ok(Self { address_types })
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(crate::codec::len_u16(self.address_types.len(), "AddressTypeCount")?);
        let at = w.reserve_u16();
        for s in &self.address_types {
            s.write(w)?;
        }
        w.patch_len_u16(at, "AddressTypeSize")
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.3.2 RopGetAddressTypes response.
    pub struct GetAddressTypesResponse = GET_ADDRESS_TYPES, success GetAddressTypesSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.7.4.1 RopSetSpooler request.
    pub struct SetSpoolerRequest = SET_SPOOLER {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.4.2 RopSetSpooler response (header only).
    pub struct SetSpoolerResponse = SET_SPOOLER;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.7.5.1 RopSpoolerLockMessage request.
    pub struct SpoolerLockMessageRequest = SPOOLER_LOCK_MESSAGE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// MessageId.
        pub message_id: MessageId,
        /// LockState (0 lock, 1 unlock, 2 finished).
        pub lock_state: u8,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.5.2 RopSpoolerLockMessage response (header only).
    pub struct SpoolerLockMessageResponse = SPOOLER_LOCK_MESSAGE;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.7.6.1 RopTransportSend request.
    pub struct TransportSendRequest = TRANSPORT_SEND {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
    }
}

/// [MS-OXCROPS] 2.2.7.6.2 RopTransportSend success fields:
/// `NoPropertiesReturned u8, [PropertyValueCount u16, PropertyValues TaggedPropertyValue[]]`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TransportSendSuccess {
    /// The message's properties; None when NoPropertiesReturned is set.
    pub properties: Option<Vec<crate::prop_value::TaggedValue>>,
}

impl Wire for TransportSendSuccess {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        if r.u8(what)? != 0 {
            return Ok(Self { properties: None });
        }
        let values = crate::prop_value::decode_tagged_list(
            r,
            crate::prop_value::CountWidth::U16,
            crate::prop_value::PropContext::Rop,
        )?;
        Ok(Self { properties: Some(values) })
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match &self.properties {
            None => {
                w.put_u8(1);
                Ok(())
            }
            Some(values) => {
                w.put_u8(0);
                crate::prop_value::encode_tagged_list(
                    w,
                    values,
                    crate::prop_value::CountWidth::U16,
                    crate::prop_value::PropContext::Rop,
                )
            }
        }
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.6.2 RopTransportSend response.
    pub struct TransportSendResponse = TRANSPORT_SEND, success TransportSendSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.7.7.1 RopTransportNewMail request.
    pub struct TransportNewMailRequest = TRANSPORT_NEW_MAIL {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// MessageId.
        pub message_id: MessageId,
        /// FolderId.
        pub folder_id: FolderId,
        /// MessageClass.
        pub message_class: String,
        /// MessageFlags.
        pub message_flags: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.7.2 RopTransportNewMail response (header only).
    pub struct TransportNewMailResponse = TRANSPORT_NEW_MAIL;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.7.8.1 RopGetTransportFolder request.
    pub struct GetTransportFolderRequest = GET_TRANSPORT_FOLDER {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.7.8.2 RopGetTransportFolder success fields.
    pub struct GetTransportFolderSuccess {
        /// FolderId.
        pub folder_id: FolderId,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.8.2 RopGetTransportFolder response.
    pub struct GetTransportFolderResponse = GET_TRANSPORT_FOLDER, success GetTransportFolderSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.7.9.1 RopOptionsData request.
    pub struct OptionsDataRequest = OPTIONS_DATA {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// AddressType.
        pub address_type: String,
        /// WantWin32.
        pub want_win32: bool,
    }
}

/// [MS-OXCROPS] 2.2.7.9.2 RopOptionsData success fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OptionsDataSuccess {
    /// Reserved (1).
    pub reserved: u8,
    /// OptionsInfo (size u16 + bytes).
    pub options_info: Vec<u8>,
    /// HelpFile (size u16 + bytes).
    pub help_file: Vec<u8>,
    /// HelpFileName: present exactly when HelpFile is not empty.
    pub help_file_name: Option<String>,
}

impl Wire for OptionsDataSuccess {
    fn read(r: &mut Reader<'_>, _what: &'static str) -> Result<Self, DecodeError> {
        let reserved = r.u8("Reserved")?;
        let options_info = Vec::<u8>::read(r, "OptionsInfo")?;
        let help_file = Vec::<u8>::read(r, "HelpFile")?;
        let help_file_name = if help_file.is_empty() { None } else { Some(String::read(r, "HelpFileName")?) };
        Ok(Self { reserved, options_info, help_file, help_file_name })
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.reserved);
        self.options_info.write(w)?;
        self.help_file.write(w)?;
        match (&self.help_file_name, self.help_file.is_empty()) {
            (Some(name), false) => name.write(w),
            (None, true) => Ok(()),
            _ => Err(EncodeError::NotRepresentable {
                what: "HelpFileName",
                reason: "present exactly when HelpFile is not empty",
            }),
        }
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.7.9.2 RopOptionsData response.
    pub struct OptionsDataResponse = OPTIONS_DATA, success OptionsDataSuccess;
}
