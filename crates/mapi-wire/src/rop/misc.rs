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

/// Declares a ROP request whose body is a fixed sequence of [`Field`]s;
/// `= ID => field` names the OutputHandleIndex field of ROPs that create an object.
macro_rules! fixed_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $id:ident $(=> $out:ident)? {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $what:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::rop::RopRequestBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            $(
                fn output_handle_index(&self) -> Option<u8> {
                    Some(self.$out)
                }
            )?
            fn decode_body(r: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::error::DecodeError> {
                Ok(Self { $( $field: <$ty as $crate::rop::misc::Field>::read(r, $what)?, )* })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                $( $crate::rop::misc::Field::write(&self.$field, w); )*
                Ok(())
            }
            fn logon_id(&self) -> u8 {
                self.logon_id
            }
            fn set_logon_id(&mut self, id: u8) {
                self.logon_id = id;
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
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    pub struct GetPermissionsTableRequest = GET_PERMISSIONS_TABLE => output_handle_index {
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
    pub struct GetRulesTableRequest = GET_RULES_TABLE => output_handle_index {
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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
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
pub(crate) mod tests;
