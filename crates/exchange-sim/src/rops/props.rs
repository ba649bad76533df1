//! [MS-OXCROPS] 2.2.8 property ROPs ([MS-OXCPRPT] 3.2.5): get/set/delete
//! on logons, folders, messages and attachments; named-property mapping.

use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyProblem, PropertyRow, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::tags::PS_MAPI;
use mapi_wire::{ErrorCode, Guid, PropTag, PropType};

use super::dispatch::Ctx;
use super::folder::check;
use super::logon::mailbox_of;
use super::objects::Object;
use super::table::property_row;
use crate::store::{PropBag, Rights};

/// PidTagBodyHtml's string form: not served (corrections A19, capture 015);
/// PidTagHtml (0x10130102) is.
const BODY_HTML_STRING: PropTag = PropTag(0x1013_001F);

/// [MS-OXCPRPT] 2.2.11.1 PidTagMailboxOwnerName / 2.2.2.? store properties.
const MAILBOX_OWNER_NAME: PropTag = PropTag(0x661C_001F);

/// PidTagMessageSizeExtended, PidTagStorageQuotaLimit,
/// PidTagProhibitSendQuota, PidTagProhibitReceiveQuota.
const MESSAGE_SIZE_EXTENDED: PropTag = PropTag(0x0E08_0014);
const STORAGE_QUOTA_LIMIT: PropTag = PropTag(0x3FF5_0003);
const PROHIBIT_SEND_QUOTA: PropTag = PropTag(0x666E_0003);
const PROHIBIT_RECEIVE_QUOTA: PropTag = PropTag(0x666A_0003);

/// The properties of the object in slot `index`.
pub(crate) fn bag_of(ctx: &Ctx<'_>, index: u8) -> Result<PropBag, ErrorCode> {
    match ctx.object(index)? {
        Object::Logon(l) => {
            let info = l.mailbox.info();
            let mut bag = PropBag::new();
            bag.set(PropTag::DISPLAY_NAME, PropValue::String(format!("Mailbox - {}", info.display_name)));
            bag.set(MAILBOX_OWNER_NAME, PropValue::String(info.display_name.clone()));
            bag.set(PropTag::RECORD_KEY, PropValue::Binary(info.mailbox_guid.0.to_vec()));
            bag.set(PropTag::STORE_RECORD_KEY, PropValue::Binary(info.mailbox_guid.0.to_vec()));
            // The mailbox size and quotas ([MS-OXPROPS] 2.798, 2.1025, 2.876,
            // 2.875): bytes as PtypInteger64, the limits in KiB.
            let size = l.mailbox.total_message_size().map_err(|e| e.error_code())?;
            bag.set(MESSAGE_SIZE_EXTENDED, PropValue::I64(i64::try_from(size).unwrap_or(i64::MAX)));
            let quota = ctx.quotas.of(&info.address);
            let kib = |v: u32| PropValue::I32(i32::try_from(v).unwrap_or(i32::MAX));
            bag.set(STORAGE_QUOTA_LIMIT, kib(quota.warning_kib));
            bag.set(PROHIBIT_SEND_QUOTA, kib(quota.prohibit_send_kib));
            bag.set(PROHIBIT_RECEIVE_QUOTA, kib(quota.prohibit_receive_kib));
            Ok(bag)
        }
        Object::Folder(f) => {
            let mut bag = f.mailbox.folder_props(f.id).map_err(|e| e.error_code())?;
            let rights = f.mailbox.rights_of(&ctx.user.address, f.id).map_err(|e| e.error_code())?;
            set_computed_rights(&mut bag, rights);
            Ok(bag)
        }
        Object::Message(m) => Ok(m.content.props.clone()),
        Object::Attachment(a) => Ok(a.props.clone()),
        Object::Table(_) | Object::Notification(_) | Object::Stream(_) | Object::Sync(_) | Object::Collector(_) => {
            Err(ErrorCode::NOT_SUPPORTED)
        }
    }
}

/// The session user's rights on a folder, as Exchange computes them per
/// reader: PidTagRights ([MS-OXPROPS] 2.915, the PidTagMemberRights bits of
/// [MS-OXCPERM] 2.2.7) and PidTagAccess ([MS-OXCPRPT] 2.2.1.1: Modify,
/// Read, Delete, Create Hierarchy, Create Contents, Create Associated).
fn set_computed_rights(bag: &mut PropBag, rights: Rights) {
    let has = |r: Rights| rights.contains(r);
    let mut access = 0;
    for (bit, granted) in [
        (0x01, has(Rights::FOLDER_OWNER)),
        (0x02, has(Rights::READ_ANY) || has(Rights::FOLDER_VISIBLE)),
        (0x04, has(Rights::FOLDER_OWNER)),
        (0x08, has(Rights::CREATE_SUBFOLDER)),
        (0x10, has(Rights::CREATE)),
        (0x20, has(Rights::FOLDER_OWNER)),
    ] {
        if granted {
            access |= bit;
        }
    }
    bag.set(PropTag::RIGHTS, PropValue::I32(rights.0 as i32));
    bag.set(PropTag::ACCESS, PropValue::I32(access));
}

/// Applies `f` to the writable property bag of the object in slot
/// `index` (folders are written to the store at once; messages and
/// attachments on their save).
fn modify(
    ctx: &mut Ctx<'_>,
    index: u8,
    f: impl FnOnce(&mut PropBag) -> Vec<PropertyProblem>,
) -> Result<Vec<PropertyProblem>, ErrorCode> {
    let folder = match ctx.object(index)? {
        Object::Folder(fo) => Some((fo.mailbox.clone(), fo.id)),
        _ => None,
    };
    if let Some((mailbox, id)) = folder {
        check(ctx, &mailbox, id, Rights::FOLDER_OWNER)?;
        let mut bag = mailbox.folder_props(id).map_err(|e| e.error_code())?;
        let before = bag.clone();
        let problems = f(&mut bag);
        let removed: Vec<PropTag> = before.tags().into_iter().filter(|t| bag.get(*t).is_none()).collect();
        let mut changed = PropBag::new();
        for (t, v) in bag.iter() {
            if before.get(t) != Some(v) {
                changed.set(t, v.clone());
            }
        }
        if !changed.is_empty() {
            mailbox.set_folder_props(id, &changed).map_err(|e| e.error_code())?;
        }
        if !removed.is_empty() {
            mailbox.remove_folder_props(id, &removed).map_err(|e| e.error_code())?;
        }
        return Ok(problems);
    }
    match ctx.object_mut(index)? {
        Object::Message(m) => {
            if m.read_only {
                return Err(ErrorCode::ACCESS_DENIED);
            }
            Ok(f(&mut m.content.props))
        }
        Object::Attachment(a) => Ok(f(&mut a.props)),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// A value as the client asked for it: PtypString8 when WantUnicode is 0.
fn narrow(v: PropValue, unicode: bool) -> PropValue {
    match v {
        PropValue::String(s) if !unicode => {
            PropValue::String8(s.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect())
        }
        v => v,
    }
}

/// Rows of at least this many value bytes get their large values reduced
/// (gromox `rop_getpropertiesspecific`/`rop_getpropertiesall`: a total of
/// 0x7000 or more).
const REDUCE_TOTAL: usize = 0x7000;
/// In a reduced row, string and binary values of at least this many bytes
/// come back as ecNotEnoughMemory ([MS-OXCPRPT] 3.2.5.1; gromox 0x1000) for
/// the client to read through a stream.
const REDUCE_VALUE: usize = 0x1000;

/// Wire size of a string or binary value (0 for the others).
fn big_size(v: &PropValue) -> usize {
    match v {
        PropValue::String(s) => s.encode_utf16().count() * 2 + 2,
        PropValue::String8(b) | PropValue::Binary(b) => b.len() + 2,
        _ => 0,
    }
}

/// True when values must be reduced: the row is at least [`REDUCE_TOTAL`]
/// bytes or does not fit what is left of the ROP output buffer.
fn must_reduce<'v>(values: impl Iterator<Item = &'v PropValue>, room: usize) -> bool {
    let total: usize = values.map(big_size).sum();
    total >= REDUCE_TOTAL || total + 64 > room
}

/// RopGetPropertiesSpecific ([MS-OXCPRPT] 3.2.5.1): missing properties come
/// back flagged with ecNotFound; PropertySizeLimit is ignored (A18), but large
/// values of a large row come back as ecNotEnoughMemory like gromox's.
pub(crate) fn get_specific(ctx: &mut Ctx<'_>, r: &GetPropertiesSpecificRequest) -> GetPropertiesSpecificResponse {
    let room = ctx.room;
    let result = bag_of(ctx, r.input_handle_index).map(|bag| {
        let row = property_row(&bag, &r.property_tags);
        let row = match row {
            PropertyRow::Standard(v) if must_reduce(v.iter(), room) => PropertyRow::Flagged(
                v.into_iter()
                    .map(|v| {
                        if big_size(&v) >= REDUCE_VALUE {
                            FlaggedValue::Error(ErrorCode::NOT_ENOUGH_MEMORY)
                        } else {
                            FlaggedValue::Value(v)
                        }
                    })
                    .collect(),
            ),
            PropertyRow::Flagged(v)
                if must_reduce(
                    v.iter().filter_map(|f| if let FlaggedValue::Value(v) = f { Some(v) } else { None }),
                    room,
                ) =>
            {
                PropertyRow::Flagged(
                    v.into_iter()
                        .map(|f| match f {
                            FlaggedValue::Value(v) if big_size(&v) >= REDUCE_VALUE => {
                                FlaggedValue::Error(ErrorCode::NOT_ENOUGH_MEMORY)
                            }
                            f => f,
                        })
                        .collect(),
                )
            }
            row => row,
        };
        if !r.property_tags.contains(&BODY_HTML_STRING) {
            return row;
        }
        // The bag is keyed by property id: only the string form is hidden.
        let values: Vec<FlaggedValue> = match row {
            PropertyRow::Standard(v) => v.into_iter().map(FlaggedValue::Value).collect(),
            PropertyRow::Flagged(v) => v,
        };
        PropertyRow::Flagged(
            values
                .into_iter()
                .zip(&r.property_tags)
                .map(|(v, t)| if *t == BODY_HTML_STRING { FlaggedValue::Error(ErrorCode::NOT_FOUND) } else { v })
                .collect(),
        )
    });
    let (rv, row) = match result {
        Ok(row) => (ErrorCode::SUCCESS, Some(row)),
        Err(e) => (e, None),
    };
    GetPropertiesSpecificResponse {
        handle_index: r.input_handle_index,
        return_value: rv,
        columns: r.property_tags.clone(),
        row,
    }
}

/// RopGetPropertiesAll ([MS-OXCPRPT] 3.2.5.2).
pub(crate) fn get_all(ctx: &mut Ctx<'_>, r: &GetPropertiesAllRequest) -> Result<Vec<TaggedValue>, ErrorCode> {
    let room = ctx.room;
    let bag = bag_of(ctx, r.input_handle_index)?;
    let unicode = r.want_unicode != 0;
    let reduce = must_reduce(bag.iter().map(|(_, v)| v), room);
    Ok(bag
        .iter()
        .map(|(t, v)| {
            let v = narrow(v.clone(), unicode);
            if reduce && big_size(&v) >= REDUCE_VALUE {
                return TaggedValue {
                    tag: t.with_type(PropType::ERROR_CODE),
                    value: PropValue::Error(ErrorCode::NOT_ENOUGH_MEMORY),
                };
            }
            let tag = t.with_type(v.prop_type());
            TaggedValue { tag, value: v }
        })
        .collect())
}

/// RopGetPropertiesList ([MS-OXCPRPT] 3.2.5.3).
pub(crate) fn get_list(ctx: &mut Ctx<'_>, r: &GetPropertiesListRequest) -> Result<Vec<PropTag>, ErrorCode> {
    Ok(bag_of(ctx, r.input_handle_index)?.tags())
}

/// RopSetProperties / RopSetPropertiesNoReplicate ([MS-OXCPRPT] 3.2.5.4):
/// values whose type disagrees with their tag are problems.
pub(crate) fn set(ctx: &mut Ctx<'_>, r: &SetPropertiesRequest) -> Result<Vec<PropertyProblem>, ErrorCode> {
    let values = r.values.clone();
    modify(ctx, r.input_handle_index, move |bag| {
        let mut problems = Vec::new();
        for (i, v) in values.into_iter().enumerate() {
            if v.tag.prop_type() != v.value.prop_type() || v.tag.prop_type() == PropType(0) {
                problems.push(PropertyProblem { index: i as u16, tag: v.tag, error: ErrorCode::INVALID_TYPE });
                continue;
            }
            bag.set(v.tag, v.value);
        }
        problems
    })
}

/// RopDeleteProperties / RopDeletePropertiesNoReplicate ([MS-OXCPRPT]
/// 3.2.5.5): deleting an absent property is not a problem.
pub(crate) fn delete(ctx: &mut Ctx<'_>, r: &DeletePropertiesRequest) -> Result<Vec<PropertyProblem>, ErrorCode> {
    let tags = r.property_tags.clone();
    modify(ctx, r.input_handle_index, move |bag| {
        for t in tags {
            bag.remove(t);
        }
        Vec::new()
    })
}

/// RopGetPropertyIdsFromNames ([MS-OXCPRPT] 3.2.5.9): an unmapped name
/// without the create flag gives id 0 with ReturnValue 0 (A13, capture 124).
pub(crate) fn ids_from_names(ctx: &mut Ctx<'_>, r: &GetPropertyIdsFromNamesRequest) -> Result<Vec<u16>, ErrorCode> {
    let object = ctx.object(r.input_handle_index)?;
    let mailbox = mailbox_of(object, ctx).ok_or(ErrorCode::NOT_SUPPORTED)?;
    let create = r.flags & GetPropertyIdsFromNamesRequest::CREATE != 0;
    let mut ids = Vec::with_capacity(r.names.len());
    for n in &r.names {
        ids.push(mailbox.prop_id_from_name(n, create).map_err(|e| e.error_code())?.unwrap_or(0));
    }
    Ok(ids)
}

/// RopGetNamesFromPropertyIds ([MS-OXCPRPT] 3.2.5.10): ids below 0x8000
/// are PS_MAPI names; unknown ids are Kind 0xFF with a zero GUID (B15).
pub(crate) fn names_from_ids(
    ctx: &mut Ctx<'_>,
    r: &GetNamesFromPropertyIdsRequest,
) -> Result<Vec<PropertyName>, ErrorCode> {
    let object = ctx.object(r.input_handle_index)?;
    let mailbox = mailbox_of(object, ctx).ok_or(ErrorCode::NOT_SUPPORTED)?;
    let mut names = Vec::with_capacity(r.property_ids.len());
    for id in &r.property_ids {
        names.push(if *id < 0x8000 {
            PropertyName::Id { guid: PS_MAPI, lid: u32::from(*id) }
        } else {
            mailbox
                .name_from_prop_id(*id)
                .map_err(|e| e.error_code())?
                .unwrap_or(PropertyName::None { guid: Guid([0; 16]) })
        });
    }
    Ok(names)
}

/// RopQueryNamedProperties ([MS-OXCPRPT] 3.2.5.11): QueryFlags 0x01
/// NoStrings, 0x02 NoIds; an optional property set filter.
pub(crate) fn query_named(
    ctx: &mut Ctx<'_>,
    r: &QueryNamedPropertiesRequest,
) -> Result<Vec<(u16, PropertyName)>, ErrorCode> {
    let object = ctx.object(r.input_handle_index)?;
    let mailbox = mailbox_of(object, ctx).ok_or(ErrorCode::NOT_SUPPORTED)?;
    let all = mailbox.named_properties().map_err(|e| e.error_code())?;
    Ok(all
        .into_iter()
        .filter(|(_, n)| match n {
            PropertyName::Id { guid, .. } => r.query_flags & 0x02 == 0 && r.property_guid.is_none_or(|g| g == *guid),
            PropertyName::Name { guid, .. } => r.query_flags & 0x01 == 0 && r.property_guid.is_none_or(|g| g == *guid),
            PropertyName::None { .. } => false,
        })
        .collect())
}
