//! [MS-OXCROPS] 2.2.3 logon and store ROPs ([MS-OXCSTOR] 2.2.1), and 2.2.15.3 RopRelease.

use crate::{
    ErrorCode, Guid,
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
    ids::{FolderId, LongTermId},
    rop::{
        ResponseContext, RopId, RopRequestBody, RopResponseBody,
        wire::{Wire, latin1_to_string, put_latin1z},
    },
};

rop_request! {
    /// [MS-OXCROPS] 2.2.15.3 RopRelease: frees the object in `input_handle_index`. It has no response.
    pub struct ReleaseRequest = RELEASE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex: the slot of the object to release.
        pub input_handle_index: u8,
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.3.1.1 RopLogon LogonFlags ([MS-OXCSTOR] 2.2.1.1.1); bit flags.
    pub struct LogonFlags(u8) {
        PRIVATE = 0x01, "Private";
        UNDERCOVER = 0x02, "Undercover";
        GHOSTED = 0x04, "Ghosted";
        SPOOLER_PROCESS = 0x08, "SpoolerProcess";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.3.1.1 RopLogon OpenFlags ([MS-OXCSTOR] 2.2.1.1.1); bit flags.
    pub struct LogonOpenFlags(u32) {
        USE_ADMIN_PRIVILEGE = 0x0000_0001, "USE_ADMIN_PRIVILEGE";
        PUBLIC = 0x0000_0002, "PUBLIC";
        HOME_LOGON = 0x0000_0004, "HOME_LOGON";
        TAKE_OWNERSHIP = 0x0000_0008, "TAKE_OWNERSHIP";
        ALTERNATE_SERVER = 0x0000_0100, "ALTERNATE_SERVER";
        IGNORE_HOME_MDB = 0x0000_0200, "IGNORE_HOME_MDB";
        NO_MAIL = 0x0000_0400, "NO_MAIL";
        USE_PER_MDB_REPLID_MAPPING = 0x0100_0000, "USE_PER_MDB_REPLID_MAPPING";
        SUPPORT_PROGRESS = 0x2000_0000, "SUPPORT_PROGRESS";
    }
}

wire_newtype! {
    LogonFlags => u8;
    LogonOpenFlags => u32;
}

rop_flags!(LogonFlags, LogonOpenFlags);

impl LogonFlags {
    /// True when the Private bit (mailbox logon) is set.
    pub fn is_private(self) -> bool {
        self.0 & Self::PRIVATE.0 != 0
    }
}

/// [MS-OXCROPS] 2.2.3.1.1 RopLogon request. Its header has OutputHandleIndex and no InputHandleIndex.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LogonRequest {
    /// LogonId chosen for this logon.
    pub logon_id: u8,
    /// OutputHandleIndex: the slot that receives the logon object.
    pub output_handle_index: u8,
    /// LogonFlags (Private for a mailbox).
    pub logon_flags: LogonFlags,
    /// OpenFlags (set USE_PER_MDB_REPLID_MAPPING for private logons).
    pub open_flags: LogonOpenFlags,
    /// StoreState (0).
    pub store_state: u32,
    /// Essdn: the mailbox's legacyExchangeDN (8-bit, without its NUL); None when EssdnSize is 0.
    pub essdn: Option<String>,
}

impl RopRequestBody for LogonRequest {
    const ID: RopId = RopId::LOGON;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let output_handle_index = r.u8("OutputHandleIndex")?;
        let logon_flags = LogonFlags(r.u8("LogonFlags")?);
        let open_flags = LogonOpenFlags(r.u32("OpenFlags")?);
        let store_state = r.u32("StoreState")?;
        let size = usize::from(r.u16("EssdnSize")?);
        let essdn = if size == 0 {
            None
        } else {
            let at = r.offset();
            let mut sub = r.sub(size, "Essdn")?;
            let s = sub.asciiz("Essdn")?;
            if !sub.is_empty() {
                return Err(DecodeError::Invalid {
                    what: "Essdn",
                    offset: at,
                    reason: "NUL before the end of EssdnSize",
                });
            }
            Some(latin1_to_string(s))
        };
        Ok(Self { logon_id, output_handle_index, logon_flags, open_flags, store_state, essdn })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.output_handle_index);
        w.put_u8(self.logon_flags.0);
        w.put_u32(self.open_flags.0);
        w.put_u32(self.store_state);
        match &self.essdn {
            None => w.put_u16(0),
            Some(s) => {
                let at = w.reserve_u16();
                put_latin1z(w, s, "Essdn")?;
                w.patch_len_u16(at, "EssdnSize")?;
            }
        }
        Ok(())
    }
    fn output_handle_index(&self) -> Option<u8> {
        Some(self.output_handle_index)
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.1.2 RopLogon LogonTime: the server's local time of the logon.
    pub struct LogonTime {
        /// Seconds (0–59).
        pub seconds: u8,
        /// Minutes (0–59).
        pub minutes: u8,
        /// Hour (0–23).
        pub hour: u8,
        /// DayOfWeek (0 = Sunday).
        pub day_of_week: u8,
        /// Day of the month (1–31).
        pub day: u8,
        /// Month (1–12).
        pub month: u8,
        /// Year.
        pub year: u16,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.1.2 RopLogon success response for a private mailbox.
    pub struct LogonPrivateSuccess {
        /// LogonFlags (Private set).
        pub logon_flags: LogonFlags,
        /// FolderIds: Root, DeferredAction, SpoolerQueue, IPM subtree, Inbox, Outbox, Sent Items,
        /// Deleted Items, Common Views, Schedule, Search, Views, Shortcuts ([MS-OXCSTOR] 2.2.1.1.3).
        pub folder_ids: [FolderId; 13],
        /// ResponseFlags (0x01 Reserved, 0x02 OwnerRight, 0x04 SendAsRight, 0x10 OOF).
        pub response_flags: u8,
        /// MailboxGuid.
        pub mailbox_guid: Guid,
        /// ReplId (gromox returns 5 here while ids use replid 1, corrections A15).
        pub repl_id: u16,
        /// ReplGuid.
        pub repl_guid: Guid,
        /// LogonTime.
        pub logon_time: LogonTime,
        /// GwartTime (FILETIME).
        pub gwart_time: u64,
        /// StoreState.
        pub store_state: u32,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.1.3 RopLogon success response for public folders.
    pub struct LogonPublicSuccess {
        /// LogonFlags (Private clear).
        pub logon_flags: LogonFlags,
        /// FolderIds (13 public-folder ids, [MS-OXCSTOR] 2.2.1.1.4).
        pub folder_ids: [FolderId; 13],
        /// ReplId.
        pub repl_id: u16,
        /// ReplGuid.
        pub repl_guid: Guid,
        /// PerUserGuid.
        pub per_user_guid: Guid,
    }
}

impl<const N: usize> Wire for [FolderId; N] {
    const MIN_SIZE: usize = 8 * N;
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let mut out = [FolderId(0); N];
        for v in &mut out {
            *v = FolderId(r.u64(what)?);
        }
        Ok(out)
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        for v in self {
            w.put_u64(v.0);
        }
        Ok(())
    }
}

/// The body of a RopLogon response after ReturnValue ([MS-OXCROPS] 2.2.3.1.2–2.2.3.1.4).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum LogonResponseBody {
    /// Success on a private mailbox (the request's LogonFlags had Private; without the request
    /// the response's LogonFlags decide).
    Private(LogonPrivateSuccess),
    /// Success on public folders (no Private flag).
    Public(LogonPublicSuccess),
    /// ecWrongServer 0x478: the mailbox lives on another server.
    Redirect {
        /// LogonFlags.
        logon_flags: LogonFlags,
        /// ServerName (8-bit, without its NUL).
        server_name: String,
    },
}

/// [MS-OXCROPS] 2.2.3.1.2 RopLogon response; `handle_index` is the OutputHandleIndex.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LogonResponse {
    /// OutputHandleIndex.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// Success (private/public) or redirect fields; None for other failures.
    pub body: Option<LogonResponseBody>,
}

impl RopResponseBody for LogonResponse {
    const ID: RopId = RopId::LOGON;
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let handle_index = r.u8("OutputHandleIndex")?;
        let return_value = ErrorCode(r.u32("ReturnValue")?);
        let body = if return_value == ErrorCode::SUCCESS {
            // The private/public layout follows the request's Private flag (the response echoes it).
            let private = match ctx.request {
                Some(crate::rop::RopRequest::Logon(q)) => q.logon_flags.is_private(),
                _ => LogonFlags(r.peek_u8("LogonFlags")?).is_private(),
            };
            if private {
                Some(LogonResponseBody::Private(Wire::read(r, "RopLogon")?))
            } else {
                Some(LogonResponseBody::Public(Wire::read(r, "RopLogon")?))
            }
        } else if return_value == ErrorCode::WRONG_SERVER {
            let logon_flags = LogonFlags(r.u8("LogonFlags")?);
            let size = usize::from(r.u8("ServerNameSize")?);
            let at = r.offset();
            let mut sub = r.sub(size, "ServerName")?;
            let name = sub.asciiz("ServerName")?;
            if !sub.is_empty() {
                return Err(DecodeError::Invalid {
                    what: "ServerName",
                    offset: at,
                    reason: "NUL before ServerNameSize",
                });
            }
            Some(LogonResponseBody::Redirect { logon_flags, server_name: latin1_to_string(name) })
        } else {
            None
        };
        Ok(Self { handle_index, return_value, body })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.handle_index);
        w.put_u32(self.return_value.0);
        match &self.body {
            None => Ok(()),
            Some(LogonResponseBody::Private(s)) => s.write(w),
            Some(LogonResponseBody::Public(s)) => s.write(w),
            Some(LogonResponseBody::Redirect { logon_flags, server_name }) => {
                w.put_u8(logon_flags.0);
                let mut name = Vec::new();
                put_latin1z(&mut name, server_name, "ServerName")?;
                let n = u8::try_from(name.len()).map_err(|_| EncodeError::TooLong {
                    what: "ServerName",
                    len: name.len(),
                    max: 255,
                })?;
                w.put_u8(n);
                w.put_bytes(&name);
                Ok(())
            }
        }
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.2.1 RopGetReceiveFolder request.
    pub struct GetReceiveFolderRequest = GET_RECEIVE_FOLDER {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// MessageClass ("" or "IPM" select the Inbox).
        pub message_class: String,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.2.2 RopGetReceiveFolder success fields.
    pub struct GetReceiveFolderSuccess {
        /// FolderId of the receive folder.
        pub folder_id: FolderId,
        /// ExplicitMessageClass: the message class the folder is configured for.
        pub explicit_message_class: String,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.2.2 RopGetReceiveFolder response.
    pub struct GetReceiveFolderResponse = GET_RECEIVE_FOLDER, success GetReceiveFolderSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.3.1 RopSetReceiveFolder request.
    pub struct SetReceiveFolderRequest = SET_RECEIVE_FOLDER {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// FolderId (0 removes the setting).
        pub folder_id: FolderId,
        /// MessageClass.
        pub message_class: String,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.3.2 RopSetReceiveFolder response (header only).
    pub struct SetReceiveFolderResponse = SET_RECEIVE_FOLDER;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.4.1 RopGetReceiveFolderTable request.
    pub struct GetReceiveFolderTableRequest = GET_RECEIVE_FOLDER_TABLE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
    }
}

/// [MS-OXCROPS] 2.2.3.4.2 the columns of every RopGetReceiveFolderTable row: PidTagFolderId,
/// PidTagMessageClass (PtypString8) and PidTagLastModificationTime (as gromox writes them).
pub const RECEIVE_FOLDER_TABLE_COLUMNS: [crate::PropTag; 3] =
    [crate::PropTag(0x6748_0014), crate::PropTag(0x001A_001E), crate::PropTag(0x3008_0040)];

/// [MS-OXCROPS] 2.2.3.4.2 RopGetReceiveFolderTable success fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetReceiveFolderTableSuccess {
    /// Rows (RowCount u32) in [`RECEIVE_FOLDER_TABLE_COLUMNS`].
    pub rows: Vec<crate::prop_value::PropertyRow>,
}

impl Wire for GetReceiveFolderTableSuccess {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let n = r.u32(what)? as usize;
        let n = r.count(n, 1, what)?;
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            rows.push(crate::prop_value::PropertyRow::decode_with(
                r,
                &RECEIVE_FOLDER_TABLE_COLUMNS,
                crate::prop_value::PropContext::Rop,
            )?);
        }
        Ok(Self { rows })
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(crate::codec::len_u32(self.rows.len(), "RowCount")?);
        for row in &self.rows {
            row.encode_with(w, &RECEIVE_FOLDER_TABLE_COLUMNS, crate::prop_value::PropContext::Rop)?;
        }
        Ok(())
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.4.2 RopGetReceiveFolderTable response.
    pub struct GetReceiveFolderTableResponse = GET_RECEIVE_FOLDER_TABLE, success GetReceiveFolderTableSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.5.1 RopGetStoreState request.
    pub struct GetStoreStateRequest = GET_STORE_STATE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.5.2 RopGetStoreState success fields.
    pub struct GetStoreStateSuccess {
        /// StoreState (0x01000000 STORE_HAS_SEARCHES).
        pub store_state: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.5.2 RopGetStoreState response (gromox: ecNotImplemented, corrections B9).
    pub struct GetStoreStateResponse = GET_STORE_STATE, success GetStoreStateSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.6.1 RopGetOwningServers request.
    pub struct GetOwningServersRequest = GET_OWNING_SERVERS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the public-folder logon).
        pub input_handle_index: u8,
        /// FolderId.
        pub folder_id: FolderId,
    }
}

/// [MS-OXCROPS] 2.2.3.6.2 the server list of RopGetOwningServers, RopPublicFolderIsGhosted and
/// RopOpenFolder/RopCreateFolder: `Count u16, CheapCount u16, Servers ASCIIZ[Count]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ServerList {
    /// CheapServersCount: how many of the first servers are cheap to reach.
    pub cheap_count: u16,
    /// The servers (8-bit names).
    pub servers: Vec<String>,
}

impl Wire for ServerList {
    const MIN_SIZE: usize = 4;
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let n = usize::from(r.u16(what)?);
        let n = r.count(n, 1, what)?;
        let cheap_count = r.u16(what)?;
        let mut servers = Vec::with_capacity(n);
        for _ in 0..n {
            servers.push(String::read(r, what)?);
        }
        Ok(Self { cheap_count, servers })
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(crate::codec::len_u16(self.servers.len(), "ServersCount")?);
        w.put_u16(self.cheap_count);
        for s in &self.servers {
            s.write(w)?;
        }
        Ok(())
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.6.2 RopGetOwningServers response.
    pub struct GetOwningServersResponse = GET_OWNING_SERVERS, success ServerList;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.7.1 RopPublicFolderIsGhosted request.
    pub struct PublicFolderIsGhostedRequest = PUBLIC_FOLDER_IS_GHOSTED {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex.
        pub input_handle_index: u8,
        /// FolderId.
        pub folder_id: FolderId,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.7.2 RopPublicFolderIsGhosted success fields.
    pub struct PublicFolderIsGhostedSuccess {
        /// IsGhosted, with the servers holding replicas when ghosted.
        pub ghost: Option<ServerList>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.7.2 RopPublicFolderIsGhosted response.
    pub struct PublicFolderIsGhostedResponse = PUBLIC_FOLDER_IS_GHOSTED, success PublicFolderIsGhostedSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.8.1 RopLongTermIdFromId request.
    pub struct LongTermIdFromIdRequest = LONG_TERM_ID_FROM_ID {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// ObjectId (a FID or MID).
        pub object_id: u64,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.8.2 RopLongTermIdFromId success fields.
    pub struct LongTermIdFromIdSuccess {
        /// LongTermId ([MS-OXCDATA] 2.2.1.3.1: DatabaseGuid, GlobalCounter, Pad).
        pub long_term_id: LongTermId,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.8.2 RopLongTermIdFromId response.
    pub struct LongTermIdFromIdResponse = LONG_TERM_ID_FROM_ID, success LongTermIdFromIdSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.9.1 RopIdFromLongTermId request.
    pub struct IdFromLongTermIdRequest = ID_FROM_LONG_TERM_ID {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// LongTermId (24 bytes).
        pub long_term_id: LongTermId,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.9.2 RopIdFromLongTermId success fields.
    pub struct IdFromLongTermIdSuccess {
        /// ObjectId.
        pub object_id: u64,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.9.2 RopIdFromLongTermId response.
    pub struct IdFromLongTermIdResponse = ID_FROM_LONG_TERM_ID, success IdFromLongTermIdSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.10.1 RopGetPerUserLongTermIds request.
    pub struct GetPerUserLongTermIdsRequest = GET_PER_USER_LONG_TERM_IDS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// DatabaseGuid.
        pub database_guid: Guid,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.10.2 RopGetPerUserLongTermIds success fields.
    pub struct GetPerUserLongTermIdsSuccess {
        /// LongTermIds (count u16).
        pub long_term_ids: Vec<LongTermId>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.10.2 RopGetPerUserLongTermIds response.
    pub struct GetPerUserLongTermIdsResponse = GET_PER_USER_LONG_TERM_IDS, success GetPerUserLongTermIdsSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.11.1 RopGetPerUserGuid request.
    pub struct GetPerUserGuidRequest = GET_PER_USER_GUID {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// LongTermId of the public folder.
        pub long_term_id: LongTermId,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.11.2 RopGetPerUserGuid success fields.
    pub struct GetPerUserGuidSuccess {
        /// DatabaseGuid.
        pub database_guid: Guid,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.11.2 RopGetPerUserGuid response.
    pub struct GetPerUserGuidResponse = GET_PER_USER_GUID, success GetPerUserGuidSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.3.12.1 RopReadPerUserInformation request.
    pub struct ReadPerUserInformationRequest = READ_PER_USER_INFORMATION {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon).
        pub input_handle_index: u8,
        /// FolderId as a LongTermId.
        pub folder_id: LongTermId,
        /// Reserved (0).
        pub reserved: u8,
        /// DataOffset.
        pub data_offset: u32,
        /// MaxDataSize.
        pub max_data_size: u16,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.3.12.2 RopReadPerUserInformation success fields.
    pub struct ReadPerUserInformationSuccess {
        /// HasFinished.
        pub has_finished: bool,
        /// Data (DataSize u16 + bytes).
        pub data: Vec<u8>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.12.2 RopReadPerUserInformation response.
    pub struct ReadPerUserInformationResponse = READ_PER_USER_INFORMATION, success ReadPerUserInformationSuccess;
}

/// [MS-OXCROPS] 2.2.3.13.1 RopWritePerUserInformation request.
///
/// ReplGuid is present only when DataOffset is 0 on a private logon; a request
/// alone does not say which logon it is, so the decoder assumes a private
/// logon (reads ReplGuid whenever DataOffset is 0).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct WritePerUserInformationRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the logon).
    pub input_handle_index: u8,
    /// FolderId as a LongTermId.
    pub folder_id: LongTermId,
    /// HasFinished.
    pub has_finished: bool,
    /// DataOffset.
    pub data_offset: u32,
    /// Data (DataSize u16 + bytes).
    pub data: Vec<u8>,
    /// ReplGuid (first chunk on a private logon).
    pub repl_guid: Option<Guid>,
}

impl WritePerUserInformationRequest {
    /// Decodes the request of a public-folder logon (never a ReplGuid).
    pub fn decode_public(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let folder_id = LongTermId::read(r, "FolderId")?;
        let has_finished = r.u8("HasFinished")? != 0;
        let data_offset = r.u32("DataOffset")?;
        let data = Vec::<u8>::read(r, "Data")?;
        Ok(Self { logon_id, input_handle_index, folder_id, has_finished, data_offset, data, repl_guid: None })
    }
}

impl RopRequestBody for WritePerUserInformationRequest {
    const ID: RopId = RopId::WRITE_PER_USER_INFORMATION;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let folder_id = LongTermId::read(r, "FolderId")?;
        let has_finished = r.u8("HasFinished")? != 0;
        let data_offset = r.u32("DataOffset")?;
        let data = Vec::<u8>::read(r, "Data")?;
        let repl_guid = if data_offset == 0 { Some(Guid(r.array("ReplGuid")?)) } else { None };
        Ok(Self { logon_id, input_handle_index, folder_id, has_finished, data_offset, data, repl_guid })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        self.folder_id.write(w)?;
        w.put_u8(u8::from(self.has_finished));
        w.put_u32(self.data_offset);
        self.data.write(w)?;
        if let Some(g) = &self.repl_guid {
            w.put_bytes(&g.0);
        }
        Ok(())
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.3.13.2 RopWritePerUserInformation response (header only).
    pub struct WritePerUserInformationResponse = WRITE_PER_USER_INFORMATION;
}
