//! [MS-OXCROPS] 2.2.10–2.2.11 permission and rule ROPs, 2.2.11.4
//! RopUpdateDeferredActionMessages, plus the small wire helpers and
//! declaration macros the rop2 modules (property, stream, notify, ics,
//! special, misc) share.

use crate::{
    codec::{Put, Reader, len_u16, len_u32},
    error::{DecodeError, EncodeError},
    error_code::ErrorCode,
    guid::Guid,
    prop_tag::PropTag,
    prop_value::TaggedValue,
};

// ---------------------------------------------------------------------------
// Shared helpers ([MS-OXCROPS] 2.2.1 generic response header and the
// length-prefixed fields every ROP family uses).
// ---------------------------------------------------------------------------

/// One fixed-size wire field of a ROP body.
pub(crate) trait Field: Sized {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError>;
    fn write(&self, w: &mut Vec<u8>);
}

macro_rules! int_field {
    ($($ty:ty => $read:ident, $put:ident;)*) => {$(
        impl Field for $ty {
            fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
                r.$read(what)
            }
            fn write(&self, w: &mut Vec<u8>) {
                w.$put(*self as _);
            }
        }
    )*};
}

int_field! {
    u8 => u8, put_u8;
    u16 => u16, put_u16;
    u32 => u32, put_u32;
    u64 => u64, put_u64;
    i64 => i64, put_u64;
}

impl Field for PropTag {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.u32(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_u32(self.0);
    }
}

impl Field for ErrorCode {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.u32(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_u32(self.0);
    }
}

impl Field for Guid {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.array(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_bytes(&self.0);
    }
}

impl<const N: usize> Field for [u8; N] {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        r.array(what)
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_bytes(self);
    }
}

impl Field for [u16; 3] {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok([r.u16(what)?, r.u16(what)?, r.u16(what)?])
    }
    fn write(&self, w: &mut Vec<u8>) {
        for v in self {
            w.put_u16(*v);
        }
    }
}

/// Reads the generic response header after RopId: handle index and ReturnValue.
pub(crate) fn read_header(r: &mut Reader<'_>, index: &'static str) -> Result<(u8, ErrorCode), DecodeError> {
    Ok((r.u8(index)?, ErrorCode(r.u32("ReturnValue")?)))
}

/// Writes the generic response header after RopId.
pub(crate) fn write_header(w: &mut Vec<u8>, index: u8, rv: ErrorCode) {
    w.put_u8(index);
    w.put_u32(rv.0);
}

/// Checks that success-only fields are present exactly when ReturnValue is 0.
pub(crate) fn check_success<T>(rv: ErrorCode, success: &Option<T>, what: &'static str) -> Result<(), EncodeError> {
    match (rv.is_success(), success.is_some()) {
        (true, false) => {
            Err(EncodeError::NotRepresentable { what, reason: "ReturnValue is 0 but the success fields are missing" })
        }
        (false, true) => {
            Err(EncodeError::NotRepresentable { what, reason: "success fields given with a failure ReturnValue" })
        }
        _ => Ok(()),
    }
}

/// Reads a `u16` count followed by that many property tags ([MS-OXCDATA] 2.10 PropertyTagArray, ROP form).
pub(crate) fn read_tags(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<PropTag>, DecodeError> {
    let n = r.u16(what)? as usize;
    let n = r.count(n, 4, what)?;
    (0..n).map(|_| Ok(PropTag(r.u32(what)?))).collect()
}

/// Writes a `u16` count and the tags.
pub(crate) fn write_tags(w: &mut Vec<u8>, tags: &[PropTag], what: &'static str) -> Result<(), EncodeError> {
    w.put_u16(len_u16(tags.len(), what)?);
    for t in tags {
        w.put_u32(t.0);
    }
    Ok(())
}

/// Reads a `u16` count followed by that many 16-bit values (property ids, versions).
pub(crate) fn read_u16s(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u16>, DecodeError> {
    let n = r.u16(what)? as usize;
    let n = r.count(n, 2, what)?;
    (0..n).map(|_| r.u16(what)).collect()
}

/// Writes a `u16` count and the values.
pub(crate) fn write_u16s(w: &mut Vec<u8>, v: &[u16], what: &'static str) -> Result<(), EncodeError> {
    w.put_u16(len_u16(v.len(), what)?);
    for x in v {
        w.put_u16(*x);
    }
    Ok(())
}

/// Reads a `u16` count followed by that many 64-bit ids.
pub(crate) fn read_u64s(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u64>, DecodeError> {
    let n = r.u16(what)? as usize;
    let n = r.count(n, 8, what)?;
    (0..n).map(|_| r.u64(what)).collect()
}

/// Writes a `u16` count and the ids.
pub(crate) fn write_u64s(w: &mut Vec<u8>, v: &[u64], what: &'static str) -> Result<(), EncodeError> {
    w.put_u16(len_u16(v.len(), what)?);
    for x in v {
        w.put_u64(*x);
    }
    Ok(())
}

/// Reads `u16` length + bytes.
pub(crate) fn read_bin16(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u8>, DecodeError> {
    let n = r.u16(what)? as usize;
    Ok(r.bytes(n, what)?.to_vec())
}

/// Writes `u16` length + bytes.
pub(crate) fn write_bin16(w: &mut Vec<u8>, b: &[u8], what: &'static str) -> Result<(), EncodeError> {
    w.put_u16(len_u16(b.len(), what)?);
    w.put_bytes(b);
    Ok(())
}

/// Reads `u32` length + bytes.
pub(crate) fn read_bin32(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u8>, DecodeError> {
    let n = r.u32(what)? as usize;
    Ok(r.bytes(n, what)?.to_vec())
}

/// Writes `u32` length + bytes.
pub(crate) fn write_bin32(w: &mut Vec<u8>, b: &[u8], what: &'static str) -> Result<(), EncodeError> {
    w.put_u32(len_u32(b.len(), what)?);
    w.put_bytes(b);
    Ok(())
}

/// Declares a ROP request whose body is a fixed sequence of [`Field`]s.
macro_rules! fixed_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $id:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $what:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::rop::RopRequestBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            fn decode_body(r: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::error::DecodeError> {
                Ok(Self { $( $field: <$ty as $crate::rop::misc::Field>::read(r, $what)?, )* })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                $( $crate::rop::misc::Field::write(&self.$field, w); )*
                Ok(())
            }
        }
    };
}
pub(crate) use fixed_request;

/// Declares a ROP response that is only the generic header
/// (`handle index u8, ReturnValue u32`), on success and on failure.
macro_rules! header_response {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $id:ident, $index:literal
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name {
            #[doc = concat!("The ", $index, " of the request.")]
            pub handle_index: u8,
            /// ReturnValue.
            pub return_value: $crate::error_code::ErrorCode,
        }

        impl $crate::rop::RopResponseBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            fn decode_body(
                r: &mut $crate::codec::Reader<'_>,
                _ctx: &$crate::rop::ResponseContext<'_>,
            ) -> Result<Self, $crate::error::DecodeError> {
                let (handle_index, return_value) = $crate::rop::misc::read_header(r, $index)?;
                Ok(Self { handle_index, return_value })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                $crate::rop::misc::write_header(w, self.handle_index, self.return_value);
                Ok(())
            }
        }
    };
}
pub(crate) use header_response;

/// Declares a ROP response whose success body is one [`Field`], kept as an
/// inline `Option` (present exactly when ReturnValue is 0).
macro_rules! one_field_response {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $id:ident, $index:literal {
            $(#[$fmeta:meta])* $field:ident : $ty:ty = $what:literal
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            #[doc = concat!("The ", $index, " of the request.")]
            pub handle_index: u8,
            /// ReturnValue.
            pub return_value: $crate::error_code::ErrorCode,
            $(#[$fmeta])*
            /// Present only on success.
            pub $field: Option<$ty>,
        }

        impl $crate::rop::RopResponseBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            fn decode_body(
                r: &mut $crate::codec::Reader<'_>,
                _ctx: &$crate::rop::ResponseContext<'_>,
            ) -> Result<Self, $crate::error::DecodeError> {
                let (handle_index, return_value) = $crate::rop::misc::read_header(r, $index)?;
                let $field = if return_value.is_success() {
                    Some(<$ty as $crate::rop::misc::Field>::read(r, $what)?)
                } else {
                    None
                };
                Ok(Self { handle_index, return_value, $field })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                $crate::rop::misc::check_success(self.return_value, &self.$field, stringify!($name))?;
                $crate::rop::misc::write_header(w, self.handle_index, self.return_value);
                if let Some(v) = &self.$field {
                    $crate::rop::misc::Field::write(v, w);
                }
                Ok(())
            }
        }
    };
}
pub(crate) use one_field_response;

// ---------------------------------------------------------------------------
// Permissions and rules ([MS-OXCROPS] 2.2.10, [MS-OXCPERM], [MS-OXORULE]).
// ---------------------------------------------------------------------------

fixed_request! {
    /// [MS-OXCROPS] 2.2.10.2 RopGetPermissionsTable request: opens the permissions table of a folder.
    pub struct GetPermissionsTableRequest = GET_PERMISSIONS_TABLE {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the folder).
        input_handle_index: u8 = "InputHandleIndex",
        /// OutputHandleIndex (the new table).
        output_handle_index: u8 = "OutputHandleIndex",
        /// TableFlags (0x02 IncludeFreeBusy, 0x80 ... see [MS-OXCPERM] 2.2.1).
        table_flags: u8 = "TableFlags",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.10.2 RopGetPermissionsTable response.
    pub struct GetPermissionsTableResponse = GET_PERMISSIONS_TABLE, "OutputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.11.2 RopGetRulesTable request: opens the rules table of a folder.
    pub struct GetRulesTableRequest = GET_RULES_TABLE {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the folder).
        input_handle_index: u8 = "InputHandleIndex",
        /// OutputHandleIndex (the new table).
        output_handle_index: u8 = "OutputHandleIndex",
        /// TableFlags (0x40 Unicode).
        table_flags: u8 = "TableFlags",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.11.2 RopGetRulesTable response.
    pub struct GetRulesTableResponse = GET_RULES_TABLE, "OutputHandleIndex"
}

/// One row of RopModifyPermissions (PermissionData) or RopModifyRules
/// (RuleData): `Flags u8, PropertyValueCount u16, PropertyValues`
/// ([MS-OXCROPS] 2.2.10.1.1, 2.2.11.1.1; [MS-OXCPERM] 2.2.4, [MS-OXORULE] 2.2.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModifyRow {
    /// PermissionDataFlags (0x01 AddRow, 0x02 ModifyRow, 0x04 RemoveRow) or RuleDataFlags.
    pub flags: u8,
    /// PropertyValues (PidTagMemberId, PidTagEntryId, PidTagMemberRights; or the rule's properties).
    pub values: Vec<TaggedValue>,
}

fn read_rows(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<ModifyRow>, DecodeError> {
    let n = r.u16(what)? as usize;
    let n = r.count(n, 3, what)?;
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        rows.push(ModifyRow { flags: r.u8("Flags")?, values: super::property::read_values(r)? });
    }
    Ok(rows)
}

fn write_rows(w: &mut Vec<u8>, rows: &[ModifyRow], what: &'static str) -> Result<(), EncodeError> {
    w.put_u16(len_u16(rows.len(), what)?);
    for row in rows {
        w.put_u8(row.flags);
        super::property::write_values(w, &row.values)?;
    }
    Ok(())
}

/// [MS-OXCROPS] 2.2.10.1.1 RopModifyPermissions request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModifyPermissionsRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the folder).
    pub input_handle_index: u8,
    /// ModifyFlags (0x01 ReplaceRows, 0x02 IncludeFreeBusy).
    pub modify_flags: u8,
    /// ModifyCount u16 + PermissionsData.
    pub rows: Vec<ModifyRow>,
}

impl super::RopRequestBody for ModifyPermissionsRequest {
    const ID: super::RopId = super::RopId::MODIFY_PERMISSIONS;
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            modify_flags: r.u8("ModifyFlags")?,
            rows: read_rows(r, "ModifyCount")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.modify_flags);
        write_rows(w, &self.rows, "ModifyCount")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.10.1.2 RopModifyPermissions response.
    pub struct ModifyPermissionsResponse = MODIFY_PERMISSIONS, "InputHandleIndex"
}

/// [MS-OXCROPS] 2.2.11.1.1 RopModifyRules request. Rule conditions
/// (PtypRestriction) and actions (PtypRuleAction) decode as far as the
/// `prop_value` module supports those types.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModifyRulesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the folder).
    pub input_handle_index: u8,
    /// ModifyRulesFlags (0x01 ReplaceRules).
    pub modify_rules_flags: u8,
    /// RulesCount u16 + RulesData.
    pub rules: Vec<ModifyRow>,
}

impl super::RopRequestBody for ModifyRulesRequest {
    const ID: super::RopId = super::RopId::MODIFY_RULES;
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            modify_rules_flags: r.u8("ModifyRulesFlags")?,
            rules: read_rows(r, "RulesCount")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.modify_rules_flags);
        write_rows(w, &self.rules, "RulesCount")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.11.1.2 RopModifyRules response.
    pub struct ModifyRulesResponse = MODIFY_RULES, "InputHandleIndex"
}

/// [MS-OXCROPS] 2.2.11.3 RopUpdateDeferredActionMessages request: re-points
/// deferred action messages from a server entry id to a client entry id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateDeferredActionMessagesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the logon).
    pub input_handle_index: u8,
    /// ServerEntryId (u16 size + bytes).
    pub server_entry_id: Vec<u8>,
    /// ClientEntryId (u16 size + bytes).
    pub client_entry_id: Vec<u8>,
}

impl super::RopRequestBody for UpdateDeferredActionMessagesRequest {
    const ID: super::RopId = super::RopId::UPDATE_DEFERRED_ACTION_MESSAGES;
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            server_entry_id: read_bin16(r, "ServerEntryId")?,
            client_entry_id: read_bin16(r, "ClientEntryId")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        write_bin16(w, &self.server_entry_id, "ServerEntryId")?;
        write_bin16(w, &self.client_entry_id, "ClientEntryId")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.11.3 RopUpdateDeferredActionMessages response.
    pub struct UpdateDeferredActionMessagesResponse = UPDATE_DEFERRED_ACTION_MESSAGES, "InputHandleIndex"
}

#[cfg(test)]
pub(crate) mod tests {
    //! Shared test support for the rop2 modules: capture loading and
    //! byte-level round-trip checks.
    use super::*;
    use crate::rop::{ResponseContext, RopRequestBody, RopResponseBody};
    use proptest::prelude::*;

    /// Loads a capture file, or returns None (with a note) when the capture
    /// set is not on this machine.
    pub(crate) fn capture(name: &str) -> Option<Vec<u8>> {
        let mut dirs = Vec::new();
        if let Ok(d) = std::env::var("MAPI_CAPTURES") {
            dirs.push(std::path::PathBuf::from(d));
        }
        dirs.push(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures/gromox-3.10"));
        dirs.push(std::path::PathBuf::from("/work/shared/captures/gromox-3.10"));
        for d in dirs {
            if let Ok(b) = std::fs::read(d.join(name)) {
                return Some(b);
            }
        }
        eprintln!("note: capture {name} not found; skipping");
        None
    }

    /// The capture's JSON, parsed.
    pub(crate) fn capture_json(prefix: &str) -> Option<serde_json::Value> {
        let dirs = [
            std::env::var("MAPI_CAPTURES").ok().map(std::path::PathBuf::from),
            Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures/gromox-3.10")),
            Some(std::path::PathBuf::from("/work/shared/captures/gromox-3.10")),
        ];
        for d in dirs.into_iter().flatten() {
            let Ok(rd) = std::fs::read_dir(&d) else { continue };
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with(prefix) && n.ends_with(".json") && !n.contains("fxstream") {
                    let text = std::fs::read_to_string(e.path()).ok()?;
                    return serde_json::from_str(&text).ok();
                }
            }
        }
        eprintln!("note: capture {prefix} not found; skipping");
        None
    }

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).expect("hex")
    }

    /// The exact bytes of a hex field that may be cut "...(N bytes)": cut
    /// ones are found again in the response/request `.bin` by their prefix.
    fn full_bytes(prefix: &str, hex_field: &str, bin_suffix: &str) -> Vec<u8> {
        match hex_field.find("...(") {
            None => unhex(hex_field),
            Some(at) => {
                let head = unhex(&hex_field[..at]);
                let rest = &hex_field[at + 4..];
                let n: usize = rest[..rest.find(' ').expect("count")].parse().expect("count");
                let dir = std::path::Path::new("/work/shared/captures/gromox-3.10");
                let file = std::fs::read_dir(dir)
                    .expect("dir")
                    .flatten()
                    .find(|e| {
                        let f = e.file_name().to_string_lossy().into_owned();
                        f.starts_with(prefix) && f.ends_with(bin_suffix)
                    })
                    .expect("bin file");
                let bin = std::fs::read(file.path()).expect("bin");
                let pos = bin.windows(head.len()).position(|w| w == head.as_slice()).expect("prefix in .bin");
                bin[pos..pos + n].to_vec()
            }
        }
    }

    /// Request ROP bytes (RopId included) of capture `prefix` whose RopId is `id`.
    pub(crate) fn capture_requests(prefix: &str, id: u8) -> Vec<Vec<u8>> {
        let Some(j) = capture_json(prefix) else { return Vec::new() };
        j["rops"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| full_bytes(prefix, r["bytes"].as_str().expect("bytes"), ".req.bin"))
            .filter(|b| b.first() == Some(&id))
            .collect()
    }

    /// Response ROP bytes (RopId included) of capture `prefix` whose RopId is `id`,
    /// with their decoded JSON.
    pub(crate) fn capture_responses(prefix: &str, id: u8) -> Vec<(Vec<u8>, serde_json::Value)> {
        let Some(j) = capture_json(prefix) else { return Vec::new() };
        let mut out = Vec::new();
        for ext in j["response_decoded"]["rpc_header_ext"].as_array().into_iter().flatten() {
            for r in ext["decoded"]["responses"].as_array().into_iter().flatten() {
                if let Some(h) = r["bytes"].as_str() {
                    let b = full_bytes(prefix, h, ".resp.bin");
                    if b.first() == Some(&id) {
                        out.push((b, r.clone()));
                    }
                }
            }
        }
        out
    }

    /// The ROP payloads (RopSize .. end of handle table) of every
    /// RPC_HEADER_EXT of an uncompressed Execute response capture.
    pub(crate) fn execute_response_payloads(name: &str) -> Vec<Vec<u8>> {
        let Some(bin) = capture(name) else { return Vec::new() };
        let start = bin.windows(4).position(|w| w == b"\r\n\r\n").expect("end of meta block") + 4;
        let mut r = Reader::new(&bin[start..]);
        let _status = r.u32("StatusCode").unwrap();
        let _error = r.u32("ErrorCode").unwrap();
        let _flags = r.u32("Flags").unwrap();
        let size = r.u32("RopBufferSize").unwrap() as usize;
        let mut rb = r.sub(size, "RopBuffer").unwrap();
        let mut out = Vec::new();
        while !rb.is_empty() {
            let _version = rb.u16("Version").unwrap();
            let flags = rb.u16("Flags").unwrap();
            assert_eq!(flags & 0x3, 0, "compressed/XOR payloads are not handled here");
            let sz = rb.u16("Size").unwrap() as usize;
            let _actual = rb.u16("SizeActual").unwrap();
            out.push(rb.bytes(sz, "payload").unwrap().to_vec());
        }
        out
    }

    /// Decodes a request (bytes include RopId), checks it re-encodes byte-identically.
    pub(crate) fn request_known_answer<T: RopRequestBody + std::fmt::Debug>(bytes: &[u8]) -> T {
        assert_eq!(bytes[0], T::ID.0, "RopId");
        let mut r = Reader::new(&bytes[1..]);
        let v = T::decode_body(&mut r).unwrap_or_else(|e| panic!("{e} in {}", hex::encode(bytes)));
        r.expect_end("request").unwrap();
        let mut w = vec![T::ID.0];
        v.encode_body(&mut w).unwrap();
        assert_eq!(hex::encode(&w), hex::encode(bytes), "{v:?}");
        v
    }

    /// Decodes a response (bytes include RopId), checks it re-encodes byte-identically.
    pub(crate) fn response_known_answer<T: RopResponseBody + std::fmt::Debug>(
        bytes: &[u8],
        ctx: &ResponseContext<'_>,
    ) -> T {
        assert_eq!(bytes[0], T::ID.0, "RopId");
        let mut r = Reader::new(&bytes[1..]);
        let v = T::decode_body(&mut r, ctx).unwrap_or_else(|e| panic!("{e}"));
        r.expect_end("response").unwrap();
        let mut w = vec![T::ID.0];
        v.encode_body(&mut w).unwrap();
        assert!(w == bytes, "re-encoding differs: {v:?}");
        v
    }

    /// Round trip for a value: encode, decode, compare; and no trailing bytes.
    pub(crate) fn request_round_trip<T: RopRequestBody + std::fmt::Debug + PartialEq>(v: &T) {
        let mut w = Vec::new();
        v.encode_body(&mut w).unwrap();
        let mut r = Reader::new(&w);
        let back = T::decode_body(&mut r).unwrap();
        assert!(r.is_empty());
        assert_eq!(&back, v);
    }

    /// Round trip for a response value.
    pub(crate) fn response_round_trip<T: RopResponseBody + std::fmt::Debug + PartialEq>(
        v: &T,
        ctx: &ResponseContext<'_>,
    ) {
        let mut w = Vec::new();
        v.encode_body(&mut w).unwrap();
        let mut r = Reader::new(&w);
        let back = T::decode_body(&mut r, ctx).unwrap();
        assert!(r.is_empty());
        assert_eq!(&back, v);
    }

    /// Bytes → value → bytes: whatever a request decoder accepts re-encodes to
    /// exactly the bytes it consumed (and never panics on arbitrary input).
    pub(crate) fn request_bytes_round_trip<T: RopRequestBody + std::fmt::Debug + PartialEq>(bytes: &[u8]) {
        let mut r = Reader::new(bytes);
        if let Ok(v) = T::decode_body(&mut r) {
            let used = bytes.len() - r.remaining();
            let mut w = Vec::new();
            v.encode_body(&mut w).unwrap();
            assert_eq!(w, &bytes[..used]);
            request_round_trip(&v);
        }
    }

    /// Bytes → value → bytes for responses.
    pub(crate) fn response_bytes_round_trip<T: RopResponseBody + std::fmt::Debug + PartialEq>(bytes: &[u8]) {
        let ctx = ResponseContext::default();
        let mut r = Reader::new(bytes);
        if let Ok(v) = T::decode_body(&mut r, &ctx) {
            let used = bytes.len() - r.remaining();
            let mut w = Vec::new();
            v.encode_body(&mut w).unwrap();
            assert_eq!(w, &bytes[..used]);
            response_round_trip(&v, &ctx);
        }
    }

    /// A byte strategy that favours success ReturnValues for responses
    /// (byte 1..5 zero half of the time).
    pub(crate) fn response_bytes() -> impl Strategy<Value = Vec<u8>> {
        (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..64)).prop_map(|(ok, mut b)| {
            if ok && b.len() >= 5 {
                b[1..5].fill(0);
            }
            b
        })
    }

    proptest! {
        #[test]
        fn misc_requests_round_trip(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            request_bytes_round_trip::<GetPermissionsTableRequest>(&b);
            request_bytes_round_trip::<GetRulesTableRequest>(&b);
            request_bytes_round_trip::<UpdateDeferredActionMessagesRequest>(&b);
            let _ = ModifyPermissionsRequest::decode_body(&mut Reader::new(&b));
            let _ = ModifyRulesRequest::decode_body(&mut Reader::new(&b));
        }

        #[test]
        fn modify_rows_round_trip(
            rows in proptest::collection::vec(
                (any::<u8>(), proptest::collection::vec(crate::rop::property::tests::arb_tagged(), 0..3)),
                0..3,
            ),
            flags in any::<u8>(),
        ) {
            let rows: Vec<ModifyRow> = rows.into_iter().map(|(flags, values)| ModifyRow { flags, values }).collect();
            request_round_trip(&ModifyPermissionsRequest { logon_id: 0, input_handle_index: 1, modify_flags: flags, rows: rows.clone() });
            request_round_trip(&ModifyRulesRequest { logon_id: 0, input_handle_index: 1, modify_rules_flags: flags, rules: rows });
        }

        #[test]
        fn misc_responses_round_trip(b in response_bytes()) {
            response_bytes_round_trip::<GetPermissionsTableResponse>(&b);
            response_bytes_round_trip::<GetRulesTableResponse>(&b);
            response_bytes_round_trip::<UpdateDeferredActionMessagesResponse>(&b);
            response_bytes_round_trip::<ModifyPermissionsResponse>(&b);
            response_bytes_round_trip::<ModifyRulesResponse>(&b);
        }
    }

    #[test]
    fn modify_permissions_layout() {
        use crate::prop_value::PropValue;
        // [MS-OXCPERM] 2.2.4: add a member (EntryId) with rights 0x0000047B.
        let v = ModifyPermissionsRequest {
            logon_id: 0,
            input_handle_index: 1,
            modify_flags: 0,
            rows: vec![ModifyRow {
                flags: 0x01,
                values: vec![
                    TaggedValue { tag: PropTag(0x0FFF_0102), value: PropValue::Binary(vec![0xAA, 0xBB]) },
                    TaggedValue { tag: PropTag(0x6673_0003), value: PropValue::I32(0x47B) },
                ],
            }],
        };
        let mut w = vec![0x40];
        v.encode_body(&mut w).unwrap();
        assert_eq!(hex::encode(&w), "4000010001000102000201ff0f0200aabb030073667b040000");
        let back: ModifyPermissionsRequest = request_known_answer(&w);
        assert_eq!(back, v);
    }

    #[test]
    fn update_deferred_action_messages_layout() {
        // [MS-OXCROPS] 2.2.11.3.1: two u16-size-prefixed entry ids.
        let bytes = [0x57, 0, 0, 2, 0, 0xAA, 0xBB, 1, 0, 0xCC];
        let v: UpdateDeferredActionMessagesRequest = request_known_answer(&bytes);
        assert_eq!(v.server_entry_id, [0xAA, 0xBB]);
        assert_eq!(v.client_entry_id, [0xCC]);
        assert!(UpdateDeferredActionMessagesRequest::decode_body(&mut Reader::new(&[0, 0, 5, 0, 1])).is_err());
    }
}
