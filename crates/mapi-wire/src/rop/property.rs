//! [MS-OXCROPS] 2.2.8 property and named-property ROPs ([MS-OXCPRPT] 2.2):
//! get/set/delete/copy properties, name↔id mapping and RopProgress.

use crate::{
    codec::{Decode, Encode, Put, Reader},
    error::{DecodeError, EncodeError},
    error_code::ErrorCode,
    guid::Guid,
    named::PropertyName,
    prop_tag::PropTag,
    prop_value::{
        CountWidth, PropContext, PropertyProblem, PropertyProblemList, PropertyRow, TaggedValue, decode_tagged_list,
        encode_tagged_list,
    },
    rop::{
        ResponseContext, RopId, RopRequestBody, RopResponseBody,
        misc::{check_success, fixed_request, read_header, read_tags, read_u16s, write_header, write_tags, write_u16s},
    },
};

/// Reads a ROP TaggedPropertyValue list (`PropertyValueCount u16` + values).
pub(crate) fn read_values(r: &mut Reader<'_>) -> Result<Vec<TaggedValue>, DecodeError> {
    decode_tagged_list(r, CountWidth::U16, PropContext::Rop)
}

/// Writes a ROP TaggedPropertyValue list.
pub(crate) fn write_values(w: &mut Vec<u8>, values: &[TaggedValue]) -> Result<(), EncodeError> {
    encode_tagged_list(w, values, CountWidth::U16, PropContext::Rop)
}

fn read_problems(r: &mut Reader<'_>) -> Result<Vec<PropertyProblem>, DecodeError> {
    Ok(PropertyProblemList::decode(r)?.0)
}

fn write_problems(w: &mut Vec<u8>, p: &[PropertyProblem]) -> Result<(), EncodeError> {
    PropertyProblemList(p.to_vec()).encode(w)
}

// ---------------------------------------------------------------------------
// Reading properties
// ---------------------------------------------------------------------------

/// [MS-OXCROPS] 2.2.8.3.1 RopGetPropertiesSpecific request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropertiesSpecificRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex.
    pub input_handle_index: u8,
    /// PropertySizeLimit (0 = server default; gromox ignores it, corrections A18).
    pub property_size_limit: u16,
    /// WantUnicode: a 2-byte boolean.
    pub want_unicode: u16,
    /// PropertyTagCount u16 + PropertyTags.
    pub property_tags: Vec<PropTag>,
}

impl RopRequestBody for GetPropertiesSpecificRequest {
    const ID: RopId = RopId::GET_PROPERTIES_SPECIFIC;
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
            property_size_limit: r.u16("PropertySizeLimit")?,
            want_unicode: r.u16("WantUnicode")?,
            property_tags: read_tags(r, "PropertyTags")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u16(self.property_size_limit);
        w.put_u16(self.want_unicode);
        write_tags(w, &self.property_tags, "PropertyTags")
    }
}

/// [MS-OXCROPS] 2.2.8.3.2 RopGetPropertiesSpecific response: one PropertyRow
/// in the columns of the request (no count on the wire).
///
/// The decoder takes the columns from `ResponseContext::request` (a
/// RopGetPropertiesSpecific request) or, failing that, from
/// `ResponseContext::columns`; they are kept in `columns` so the response can
/// be encoded on its own.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropertiesSpecificResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// The request's PropertyTags (the row's columns).
    pub columns: Vec<PropTag>,
    /// RowData, present on success.
    pub row: Option<PropertyRow>,
}

impl GetPropertiesSpecificResponse {
    /// Decodes the response for the given request tags.
    pub fn decode_with_columns(r: &mut Reader<'_>, columns: &[PropTag]) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let row = if return_value.is_success() {
            Some(PropertyRow::decode_with(r, columns, PropContext::Rop)?)
        } else {
            None
        };
        Ok(Self { handle_index, return_value, columns: columns.to_vec(), row })
    }
}

impl RopResponseBody for GetPropertiesSpecificResponse {
    const ID: RopId = RopId::GET_PROPERTIES_SPECIFIC;
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        match request_columns(ctx).or(ctx.columns) {
            Some(columns) => Self::decode_with_columns(r, columns),
            None => Err(DecodeError::Invalid {
                what: "RopGetPropertiesSpecific response",
                offset: r.offset(),
                reason: "needs the request's PropertyTags (ResponseContext::request)",
            }),
        }
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_success(self.return_value, &self.row, "RopGetPropertiesSpecific")?;
        write_header(w, self.handle_index, self.return_value);
        if let Some(row) = &self.row {
            row.encode_with(w, &self.columns, PropContext::Rop)?;
        }
        Ok(())
    }
}

/// The PropertyTags of a RopGetPropertiesSpecific request in the context.
fn request_columns<'a>(ctx: &ResponseContext<'a>) -> Option<&'a [PropTag]> {
    match ctx.request? {
        super::RopRequest::GetPropertiesSpecific(q) => Some(&q.property_tags),
        _ => None,
    }
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.8.4.1 RopGetPropertiesAll request.
    pub struct GetPropertiesAllRequest = GET_PROPERTIES_ALL {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex.
        input_handle_index: u8 = "InputHandleIndex",
        /// PropertySizeLimit.
        property_size_limit: u16 = "PropertySizeLimit",
        /// WantUnicode (2-byte boolean).
        want_unicode: u16 = "WantUnicode",
    }
}

/// [MS-OXCROPS] 2.2.8.4.2 RopGetPropertiesAll response.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropertiesAllResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// PropertyValueCount u16 + PropertyValues, on success.
    pub values: Option<Vec<TaggedValue>>,
}

impl RopResponseBody for GetPropertiesAllResponse {
    const ID: RopId = RopId::GET_PROPERTIES_ALL;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let values = if return_value.is_success() { Some(read_values(r)?) } else { None };
        Ok(Self { handle_index, return_value, values })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_success(self.return_value, &self.values, "RopGetPropertiesAll")?;
        write_header(w, self.handle_index, self.return_value);
        if let Some(v) = &self.values {
            write_values(w, v)?;
        }
        Ok(())
    }
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.8.5.1 RopGetPropertiesList request.
    pub struct GetPropertiesListRequest = GET_PROPERTIES_LIST {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex.
        input_handle_index: u8 = "InputHandleIndex",
    }
}

/// [MS-OXCROPS] 2.2.8.5.2 RopGetPropertiesList response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropertiesListResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// PropertyTagCount u16 + PropertyTags, on success.
    pub property_tags: Option<Vec<PropTag>>,
}

impl RopResponseBody for GetPropertiesListResponse {
    const ID: RopId = RopId::GET_PROPERTIES_LIST;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let property_tags = if return_value.is_success() { Some(read_tags(r, "PropertyTags")?) } else { None };
        Ok(Self { handle_index, return_value, property_tags })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_success(self.return_value, &self.property_tags, "RopGetPropertiesList")?;
        write_header(w, self.handle_index, self.return_value);
        if let Some(t) = &self.property_tags {
            write_tags(w, t, "PropertyTags")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Writing and deleting properties
// ---------------------------------------------------------------------------

/// [MS-OXCROPS] 2.2.8.6.1 RopSetProperties request: `PropertyValueSize u16`
/// (bytes of the next two fields), `PropertyValueCount u16`, values.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SetPropertiesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex.
    pub input_handle_index: u8,
    /// PropertyValues.
    pub values: Vec<TaggedValue>,
}

impl RopRequestBody for SetPropertiesRequest {
    const ID: RopId = RopId::SET_PROPERTIES;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let size = r.u16("PropertyValueSize")? as usize;
        let mut s = r.sub(size, "PropertyValues")?;
        let values = read_values(&mut s)?;
        s.expect_end("PropertyValues")?;
        Ok(Self { logon_id, input_handle_index, values })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        let at = w.reserve_u16();
        write_values(w, &self.values)?;
        w.patch_len_u16(at, "PropertyValueSize")
    }
}

same_layout_request! {
    /// [MS-OXCROPS] 2.2.8.7.1 RopSetPropertiesNoReplicate request (same fields as RopSetProperties).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct SetPropertiesNoReplicateRequest(pub SetPropertiesRequest) = SET_PROPERTIES_NO_REPLICATE;
}

/// [MS-OXCROPS] 2.2.8.8.1 RopDeleteProperties request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DeletePropertiesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex.
    pub input_handle_index: u8,
    /// PropertyTagCount u16 + PropertyTags.
    pub property_tags: Vec<PropTag>,
}

impl RopRequestBody for DeletePropertiesRequest {
    const ID: RopId = RopId::DELETE_PROPERTIES;
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
            property_tags: read_tags(r, "PropertyTags")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        write_tags(w, &self.property_tags, "PropertyTags")
    }
}

same_layout_request! {
    /// [MS-OXCROPS] 2.2.8.9.1 RopDeletePropertiesNoReplicate request (same fields as RopDeleteProperties).
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct DeletePropertiesNoReplicateRequest(pub DeletePropertiesRequest) = DELETE_PROPERTIES_NO_REPLICATE;
}

/// Declares a response whose success body is `PropertyProblemCount u16, PropertyProblem[]`.
macro_rules! problems_response {
    ($(#[$meta:meta])* pub struct $name:ident = $id:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            /// InputHandleIndex of the request.
            pub handle_index: u8,
            /// ReturnValue.
            pub return_value: ErrorCode,
            /// PropertyProblemCount u16 + PropertyProblems, on success.
            pub problems: Option<Vec<PropertyProblem>>,
        }

        impl RopResponseBody for $name {
            const ID: RopId = RopId::$id;
            fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
                let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
                let problems = if return_value.is_success() { Some(read_problems(r)?) } else { None };
                Ok(Self { handle_index, return_value, problems })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
                check_success(self.return_value, &self.problems, stringify!($name))?;
                write_header(w, self.handle_index, self.return_value);
                if let Some(p) = &self.problems {
                    write_problems(w, p)?;
                }
                Ok(())
            }
        }
    };
}

problems_response! {
    /// [MS-OXCROPS] 2.2.8.6.2 RopSetProperties response.
    pub struct SetPropertiesResponse = SET_PROPERTIES
}

problems_response! {
    /// [MS-OXCROPS] 2.2.8.7.2 RopSetPropertiesNoReplicate response.
    pub struct SetPropertiesNoReplicateResponse = SET_PROPERTIES_NO_REPLICATE
}

problems_response! {
    /// [MS-OXCROPS] 2.2.8.8.2 RopDeleteProperties response.
    pub struct DeletePropertiesResponse = DELETE_PROPERTIES
}

problems_response! {
    /// [MS-OXCROPS] 2.2.8.9.2 RopDeletePropertiesNoReplicate response.
    pub struct DeletePropertiesNoReplicateResponse = DELETE_PROPERTIES_NO_REPLICATE
}

// ---------------------------------------------------------------------------
// Copying properties
// ---------------------------------------------------------------------------

/// [MS-OXCROPS] 2.2.8.11.1 RopCopyProperties request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CopyPropertiesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// SourceHandleIndex.
    pub source_handle_index: u8,
    /// DestHandleIndex.
    pub dest_handle_index: u8,
    /// WantAsynchronous.
    pub want_asynchronous: u8,
    /// CopyFlags (0x01 Move, 0x02 NoOverwrite).
    pub copy_flags: u8,
    /// PropertyTagCount u16 + PropertyTags to copy.
    pub property_tags: Vec<PropTag>,
}

impl RopRequestBody for CopyPropertiesRequest {
    const ID: RopId = RopId::COPY_PROPERTIES;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            source_handle_index: r.u8("SourceHandleIndex")?,
            dest_handle_index: r.u8("DestHandleIndex")?,
            want_asynchronous: r.u8("WantAsynchronous")?,
            copy_flags: r.u8("CopyFlags")?,
            property_tags: read_tags(r, "PropertyTags")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.source_handle_index);
        w.put_u8(self.dest_handle_index);
        w.put_u8(self.want_asynchronous);
        w.put_u8(self.copy_flags);
        write_tags(w, &self.property_tags, "PropertyTags")
    }
}

/// [MS-OXCROPS] 2.2.8.12.1 RopCopyTo request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CopyToRequest {
    /// LogonId.
    pub logon_id: u8,
    /// SourceHandleIndex.
    pub source_handle_index: u8,
    /// DestHandleIndex.
    pub dest_handle_index: u8,
    /// WantAsynchronous.
    pub want_asynchronous: u8,
    /// WantSubObjects.
    pub want_sub_objects: u8,
    /// CopyFlags.
    pub copy_flags: u8,
    /// ExcludedTagCount u16 + ExcludedTags.
    pub excluded_tags: Vec<PropTag>,
}

impl RopRequestBody for CopyToRequest {
    const ID: RopId = RopId::COPY_TO;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            source_handle_index: r.u8("SourceHandleIndex")?,
            dest_handle_index: r.u8("DestHandleIndex")?,
            want_asynchronous: r.u8("WantAsynchronous")?,
            want_sub_objects: r.u8("WantSubObjects")?,
            copy_flags: r.u8("CopyFlags")?,
            excluded_tags: read_tags(r, "ExcludedTags")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.source_handle_index);
        w.put_u8(self.dest_handle_index);
        w.put_u8(self.want_asynchronous);
        w.put_u8(self.want_sub_objects);
        w.put_u8(self.copy_flags);
        write_tags(w, &self.excluded_tags, "ExcludedTags")
    }
}

/// Declares a RopCopyProperties/RopCopyTo response: problems on success,
/// `DestHandleIndex u32` with ecDstNullObject (0x503), header only otherwise.
macro_rules! copy_response {
    ($(#[$meta:meta])* pub struct $name:ident = $id:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            /// SourceHandleIndex of the request.
            pub handle_index: u8,
            /// ReturnValue.
            pub return_value: ErrorCode,
            /// DestHandleIndex, present exactly when ReturnValue is ecDstNullObject.
            pub dest_handle_index: Option<u32>,
            /// PropertyProblemCount u16 + PropertyProblems, on success.
            pub problems: Option<Vec<PropertyProblem>>,
        }

        impl RopResponseBody for $name {
            const ID: RopId = RopId::$id;
            fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
                let (handle_index, return_value) = read_header(r, "SourceHandleIndex")?;
                let dest_handle_index = if return_value == ErrorCode::DST_NULL_OBJECT {
                    Some(r.u32("DestHandleIndex")?)
                } else {
                    None
                };
                let problems = if return_value.is_success() { Some(read_problems(r)?) } else { None };
                Ok(Self { handle_index, return_value, dest_handle_index, problems })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
                check_success(self.return_value, &self.problems, stringify!($name))?;
                if (self.return_value == ErrorCode::DST_NULL_OBJECT) != self.dest_handle_index.is_some() {
                    return Err(EncodeError::NotRepresentable {
                        what: stringify!($name),
                        reason: "DestHandleIndex exactly when ReturnValue is ecDstNullObject",
                    });
                }
                write_header(w, self.handle_index, self.return_value);
                if let Some(d) = self.dest_handle_index {
                    w.put_u32(d);
                }
                if let Some(p) = &self.problems {
                    write_problems(w, p)?;
                }
                Ok(())
            }
        }
    };
}

copy_response! {
    /// [MS-OXCROPS] 2.2.8.11.2–2.2.8.11.3 RopCopyProperties response.
    pub struct CopyPropertiesResponse = COPY_PROPERTIES
}

copy_response! {
    /// [MS-OXCROPS] 2.2.8.12.2–2.2.8.12.4 RopCopyTo response.
    pub struct CopyToResponse = COPY_TO
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.8.13.1 RopProgress request: polls (or cancels) an asynchronous copy.
    pub struct ProgressRequest = PROGRESS {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex.
        input_handle_index: u8 = "InputHandleIndex",
        /// WantCancel.
        want_cancel: u8 = "WantCancel",
    }
}

/// The success body of [MS-OXCROPS] 2.2.8.13.2 RopProgress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Progress {
    /// LogonId.
    pub logon_id: u8,
    /// CompletedTaskCount.
    pub completed_task_count: u32,
    /// TotalTaskCount.
    pub total_task_count: u32,
}

/// [MS-OXCROPS] 2.2.8.13.2 RopProgress response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProgressResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// Progress counters, on success.
    pub success: Option<Progress>,
}

impl RopResponseBody for ProgressResponse {
    const ID: RopId = RopId::PROGRESS;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let success = if return_value.is_success() {
            Some(Progress {
                logon_id: r.u8("LogonId")?,
                completed_task_count: r.u32("CompletedTaskCount")?,
                total_task_count: r.u32("TotalTaskCount")?,
            })
        } else {
            None
        };
        Ok(Self { handle_index, return_value, success })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_success(self.return_value, &self.success, "RopProgress")?;
        write_header(w, self.handle_index, self.return_value);
        if let Some(p) = &self.success {
            w.put_u8(p.logon_id);
            w.put_u32(p.completed_task_count);
            w.put_u32(p.total_task_count);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Named properties
// ---------------------------------------------------------------------------

/// [MS-OXCROPS] 2.2.8.1.1 RopGetPropertyIdsFromNames request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropertyIdsFromNamesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (logon or any object of the store).
    pub input_handle_index: u8,
    /// Flags (0x02 = create missing mappings).
    pub flags: u8,
    /// PropertyNameCount u16 + PropertyNames.
    pub names: Vec<PropertyName>,
}

impl GetPropertyIdsFromNamesRequest {
    /// Flags bit: create mappings for names that have none.
    pub const CREATE: u8 = 0x02;
}

impl RopRequestBody for GetPropertyIdsFromNamesRequest {
    const ID: RopId = RopId::GET_PROPERTY_IDS_FROM_NAMES;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let flags = r.u8("Flags")?;
        let n = r.u16("PropertyNameCount")? as usize;
        let n = r.count(n, 17, "PropertyNames")?;
        let mut names = Vec::with_capacity(n);
        for _ in 0..n {
            names.push(PropertyName::decode(r)?);
        }
        Ok(Self { logon_id, input_handle_index, flags, names })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.flags);
        w.put_u16(crate::codec::len_u16(self.names.len(), "PropertyNameCount")?);
        for n in &self.names {
            n.encode(w)?;
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.8.1.2 RopGetPropertyIdsFromNames response. The ids are
/// present on success and with ecWarnWithErrors (0x00040380); an id of 0
/// marks a name without mapping — gromox answers that with ReturnValue 0
/// (corrections A13, capture 124), so check every id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropertyIdsFromNamesResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// PropertyIdCount u16 + PropertyIds.
    pub property_ids: Option<Vec<u16>>,
}

impl RopResponseBody for GetPropertyIdsFromNamesResponse {
    const ID: RopId = RopId::GET_PROPERTY_IDS_FROM_NAMES;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let body = return_value.is_success() || return_value == ErrorCode::WARN_WITH_ERRORS;
        let property_ids = if body { Some(read_u16s(r, "PropertyIds")?) } else { None };
        Ok(Self { handle_index, return_value, property_ids })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        let body = self.return_value.is_success() || self.return_value == ErrorCode::WARN_WITH_ERRORS;
        if body != self.property_ids.is_some() {
            return Err(EncodeError::NotRepresentable {
                what: "RopGetPropertyIdsFromNames",
                reason: "PropertyIds exactly with Success or ecWarnWithErrors",
            });
        }
        write_header(w, self.handle_index, self.return_value);
        if let Some(ids) = &self.property_ids {
            write_u16s(w, ids, "PropertyIds")?;
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.8.2.1 RopGetNamesFromPropertyIds request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetNamesFromPropertyIdsRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex.
    pub input_handle_index: u8,
    /// PropertyIdCount u16 + PropertyIds.
    pub property_ids: Vec<u16>,
}

impl RopRequestBody for GetNamesFromPropertyIdsRequest {
    const ID: RopId = RopId::GET_NAMES_FROM_PROPERTY_IDS;
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
            property_ids: read_u16s(r, "PropertyIds")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        write_u16s(w, &self.property_ids, "PropertyIds")
    }
}

/// Reads `count u16` + PropertyNames (ROP form).
fn read_names(r: &mut Reader<'_>, n: usize) -> Result<Vec<PropertyName>, DecodeError> {
    let n = r.count(n, 17, "PropertyNames")?;
    let mut names = Vec::with_capacity(n);
    for _ in 0..n {
        names.push(PropertyName::decode(r)?);
    }
    Ok(names)
}

/// [MS-OXCROPS] 2.2.8.2.2 RopGetNamesFromPropertyIds response. An id without
/// a name comes back as Kind 0xFF followed by a zero GUID
/// ([`PropertyName::None`], corrections B15, capture 025).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetNamesFromPropertyIdsResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// PropertyNameCount u16 + PropertyNames, on success.
    pub names: Option<Vec<PropertyName>>,
}

impl RopResponseBody for GetNamesFromPropertyIdsResponse {
    const ID: RopId = RopId::GET_NAMES_FROM_PROPERTY_IDS;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let names = if return_value.is_success() {
            let n = r.u16("PropertyNameCount")? as usize;
            Some(read_names(r, n)?)
        } else {
            None
        };
        Ok(Self { handle_index, return_value, names })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_success(self.return_value, &self.names, "RopGetNamesFromPropertyIds")?;
        write_header(w, self.handle_index, self.return_value);
        if let Some(names) = &self.names {
            w.put_u16(crate::codec::len_u16(names.len(), "PropertyNameCount")?);
            for n in names {
                n.encode(w)?;
            }
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.8.10.1 RopQueryNamedProperties request: `QueryFlags u8,
/// HasGuid u8, [PropertyGuid]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QueryNamedPropertiesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex.
    pub input_handle_index: u8,
    /// QueryFlags (0x01 NoStrings, 0x02 NoIds).
    pub query_flags: u8,
    /// PropertyGuid (HasGuid 1) or all property sets (HasGuid 0).
    pub property_guid: Option<Guid>,
}

impl RopRequestBody for QueryNamedPropertiesRequest {
    const ID: RopId = RopId::QUERY_NAMED_PROPERTIES;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let query_flags = r.u8("QueryFlags")?;
        let at = r.offset();
        let property_guid = match r.u8("HasGuid")? {
            0 => None,
            1 => Some(Guid(r.array("PropertyGuid")?)),
            _ => return Err(DecodeError::Invalid { what: "HasGuid", offset: at, reason: "must be 0 or 1" }),
        };
        Ok(Self { logon_id, input_handle_index, query_flags, property_guid })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.query_flags);
        match &self.property_guid {
            None => w.put_u8(0),
            Some(g) => {
                w.put_u8(1);
                w.put_bytes(&g.0);
            }
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.8.10.2 RopQueryNamedProperties response: `IdCount u16,
/// PropertyIds u16[IdCount], PropertyNames[IdCount]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QueryNamedPropertiesResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// (PropertyId, PropertyName) pairs, on success.
    pub properties: Option<Vec<(u16, PropertyName)>>,
}

impl RopResponseBody for QueryNamedPropertiesResponse {
    const ID: RopId = RopId::QUERY_NAMED_PROPERTIES;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let properties = if return_value.is_success() {
            let ids = read_u16s(r, "PropertyIds")?;
            let names = read_names(r, ids.len())?;
            Some(ids.into_iter().zip(names).collect())
        } else {
            None
        };
        Ok(Self { handle_index, return_value, properties })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_success(self.return_value, &self.properties, "RopQueryNamedProperties")?;
        write_header(w, self.handle_index, self.return_value);
        if let Some(props) = &self.properties {
            let ids: Vec<u16> = props.iter().map(|(id, _)| *id).collect();
            write_u16s(w, &ids, "PropertyIds")?;
            for (_, n) in props {
                n.encode(w)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests;
