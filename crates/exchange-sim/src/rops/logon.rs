//! [MS-OXCROPS] 2.2.3 RopLogon and the store ROPs ([MS-OXCSTOR] 2.2.1,
//! 3.2.5): GetReceiveFolder, GetStoreState, LongTermIdFromId,
//! IdFromLongTermId.

use mapi_wire::ErrorCode;
use mapi_wire::prop_value::FileTime;
use mapi_wire::rop::*;

use super::dispatch::Ctx;
use super::objects::{LogonObj, Object};
use crate::store::{Mailbox, StoreError};

/// [MS-OXCSTOR] 2.2.1.1.3 ResponseFlags: Reserved | OwnerRight | SendAsRight
/// (0x07, capture 005) for the owner; Reserved only for a delegate.
const OWNER_RESPONSE_FLAGS: u8 = 0x07;
const DELEGATE_RESPONSE_FLAGS: u8 = 0x01;

/// RopLogon ([MS-OXCSTOR] 3.2.5.1): the own mailbox (no or own Essdn),
/// another user's mailbox when the user holds rights in it (else
/// ecLoginPerm), the public store without the Private flag; an unknown
/// Essdn gives ecUnknownUser.
pub(crate) fn logon(ctx: &mut Ctx<'_>, r: &LogonRequest) -> LogonResponse {
    let fail = |code: ErrorCode| LogonResponse { handle_index: r.output_handle_index, return_value: code, body: None };
    // [MS-OXCROPS] 3.1.4.2: an active LogonId is released and replaced.
    ctx.session.release_logon(r.logon_id);
    let now = ctx.store.now();
    if !r.logon_flags.is_private() {
        let Ok(mailbox) = ctx.store.public_folders() else { return fail(ErrorCode::NOT_FOUND) };
        let info = mailbox.info().clone();
        let folder_ids = mailbox.logon_folder_ids();
        let h = ctx.output(r.output_handle_index, Object::Logon(LogonObj { mailbox }));
        ctx.session.logged_on(r.logon_id, h);
        return LogonResponse {
            handle_index: r.output_handle_index,
            return_value: ErrorCode::SUCCESS,
            body: Some(LogonResponseBody::Public(LogonPublicSuccess {
                logon_flags: r.logon_flags,
                folder_ids,
                repl_id: crate::store::REPLID,
                repl_guid: info.replica_guid,
                per_user_guid: info.mailbox_guid,
            })),
        };
    }
    let (mailbox, owner) = match open_private(ctx, r.essdn.as_deref()) {
        Ok(m) => m,
        Err(code) => return fail(code),
    };
    let info = mailbox.info().clone();
    let folder_ids = mailbox.logon_folder_ids();
    let h = ctx.output(r.output_handle_index, Object::Logon(LogonObj { mailbox }));
    ctx.session.logged_on(r.logon_id, h);
    LogonResponse {
        handle_index: r.output_handle_index,
        return_value: ErrorCode::SUCCESS,
        body: Some(LogonResponseBody::Private(LogonPrivateSuccess {
            logon_flags: r.logon_flags,
            folder_ids,
            response_flags: if owner { OWNER_RESPONSE_FLAGS } else { DELEGATE_RESPONSE_FLAGS },
            mailbox_guid: info.mailbox_guid,
            repl_id: crate::store::REPLID,
            repl_guid: info.replica_guid,
            logon_time: logon_time(now),
            // GwartTime = the logon time (corrections B8).
            gwart_time: now.0,
            store_state: 0,
        })),
    }
}

fn open_private(ctx: &Ctx<'_>, essdn: Option<&str>) -> Result<(Mailbox, bool), ErrorCode> {
    let me = &ctx.user.address;
    let target = match essdn {
        None => me.clone(),
        Some(dn) if dn.eq_ignore_ascii_case(&ctx.user.legacy_dn) => me.clone(),
        Some(dn) => {
            let all = ctx.store.mailboxes().map_err(|e| e.error_code())?;
            all.into_iter()
                .find(|m| m.legacy_dn.eq_ignore_ascii_case(dn) || m.address.eq_ignore_ascii_case(dn))
                .map(|m| m.address)
                .ok_or(ErrorCode::UNKNOWN_USER)?
        }
    };
    let mailbox = ctx.store.mailbox(&target).map_err(|e| match e {
        StoreError::NotFound(_) => ErrorCode::UNKNOWN_USER,
        e => e.error_code(),
    })?;
    let owner = target.eq_ignore_ascii_case(me);
    if !owner && !mailbox.can_logon(me).map_err(|e| e.error_code())? {
        return Err(ErrorCode::LOGIN_PERM);
    }
    Ok((mailbox, owner))
}

/// [MS-OXCROPS] 2.2.3.1.2 LogonTime from a FILETIME (UTC).
pub(crate) fn logon_time(now: FileTime) -> LogonTime {
    let secs = (now.0 / 10_000_000).saturating_sub(11_644_473_600);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    LogonTime {
        seconds: (rem % 60) as u8,
        minutes: ((rem / 60) % 60) as u8,
        hour: (rem / 3_600) as u8,
        // 1970-01-01 was a Thursday (4).
        day_of_week: ((days + 4).rem_euclid(7)) as u8,
        day: day as u8,
        month: month as u8,
        year: u16::try_from(year).unwrap_or(0),
    }
}

/// The mailbox of the logon in slot `index` (any object of the logon will
/// do: the store ROPs take the logon handle).
fn logon_mailbox(ctx: &Ctx<'_>, index: u8) -> Result<Mailbox, ErrorCode> {
    match ctx.object(index)? {
        Object::Logon(l) => Ok(l.mailbox.clone()),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// RopGetReceiveFolder ([MS-OXCSTOR] 3.2.5.2; capture 007).
pub(crate) fn receive_folder(
    ctx: &mut Ctx<'_>,
    r: &GetReceiveFolderRequest,
) -> Result<GetReceiveFolderSuccess, ErrorCode> {
    let mailbox = logon_mailbox(ctx, r.input_handle_index)?;
    let (folder_id, explicit_message_class) = mailbox.receive_folder(&r.message_class).map_err(|e| e.error_code())?;
    Ok(GetReceiveFolderSuccess { folder_id, explicit_message_class })
}

/// RopSetReceiveFolder ([MS-OXCSTOR] 3.2.5.2): FolderId 0 removes the
/// class; removing the default class `""` is ecError, changing `IPM` or
/// `REPORT.IPM` ecAccessDenied (as gromox answers), an unknown folder
/// ecNotFound. Only the mailbox owner may change the table.
pub(crate) fn set_receive_folder(ctx: &mut Ctx<'_>, r: &SetReceiveFolderRequest) -> Result<(), ErrorCode> {
    if r.message_class.is_empty() && r.folder_id.0 == 0 {
        return Err(ErrorCode(0x8000_4005));
    }
    let mailbox = logon_mailbox(ctx, r.input_handle_index)?;
    if !mailbox.is_owner(&ctx.user.address) {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    let folder = (r.folder_id.0 != 0).then_some(r.folder_id);
    mailbox.set_receive_folder(&r.message_class, folder).map_err(|e| e.error_code())
}

/// RopGetReceiveFolderTable ([MS-OXCSTOR] 2.2.1.4): one row per class
/// (PidTagFolderId, PidTagMessageClass as PtypString8,
/// PidTagLastModificationTime).
pub(crate) fn receive_folder_table(
    ctx: &mut Ctx<'_>,
    r: &GetReceiveFolderTableRequest,
) -> Result<GetReceiveFolderTableSuccess, ErrorCode> {
    let mailbox = logon_mailbox(ctx, r.input_handle_index)?;
    let rows = mailbox
        .receive_folders()
        .map_err(|e| e.error_code())?
        .into_iter()
        .map(|f| {
            mapi_wire::prop_value::PropertyRow::Standard(vec![
                mapi_wire::prop_value::PropValue::I64(f.folder.0 as i64),
                mapi_wire::prop_value::PropValue::String8(f.message_class.into_bytes()),
                mapi_wire::prop_value::PropValue::Time(f.modified),
            ])
        })
        .collect();
    Ok(GetReceiveFolderTableSuccess { rows })
}

/// RopGetStoreState: ecNotImplemented like Exchange 2010+ and gromox
/// (capture 007).
pub(crate) fn store_state(ctx: &mut Ctx<'_>, r: &GetStoreStateRequest) -> Result<GetStoreStateSuccess, ErrorCode> {
    logon_mailbox(ctx, r.input_handle_index)?;
    Err(ErrorCode::NOT_IMPLEMENTED)
}

/// RopLongTermIdFromId ([MS-OXCSTOR] 3.2.5.8).
pub(crate) fn long_term_id_from_id(
    ctx: &mut Ctx<'_>,
    r: &LongTermIdFromIdRequest,
) -> Result<LongTermIdFromIdSuccess, ErrorCode> {
    let mailbox = logon_mailbox(ctx, r.input_handle_index)?;
    let long_term_id = mailbox.long_term_id(r.object_id).map_err(|e| e.error_code())?;
    Ok(LongTermIdFromIdSuccess { long_term_id })
}

/// RopIdFromLongTermId ([MS-OXCSTOR] 3.2.5.9).
pub(crate) fn id_from_long_term_id(
    ctx: &mut Ctx<'_>,
    r: &IdFromLongTermIdRequest,
) -> Result<IdFromLongTermIdSuccess, ErrorCode> {
    let mailbox = logon_mailbox(ctx, r.input_handle_index)?;
    let object_id = mailbox.id_from_long_term_id(&r.long_term_id).map_err(|e| e.error_code())?;
    Ok(IdFromLongTermIdSuccess { object_id })
}

/// The mailbox behind any object (logon, folder, message, table…).
pub(crate) fn mailbox_of(object: &Object, ctx: &Ctx<'_>) -> Option<Mailbox> {
    match object {
        Object::Logon(l) => Some(l.mailbox.clone()),
        Object::Folder(f) => Some(f.mailbox.clone()),
        Object::Message(m) => Some(m.mailbox.clone()),
        Object::Table(t) => Some(t.mailbox.clone()),
        Object::Attachment(a) => match ctx.session.objects.get(&a.message_handle) {
            Some(Object::Message(m)) => Some(m.mailbox.clone()),
            _ => None,
        },
        Object::Stream(s) => ctx.session.objects.get(&s.parent).and_then(|p| mailbox_of(p, ctx)),
        Object::Notification(_) | Object::Sync(_) | Object::Collector(_) => None,
    }
}
