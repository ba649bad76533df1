//! Folder permissions ([MS-OXCPERM] 2.2.7 PidTagMemberRights) and
//! password hashing.
//!
//! A grant is per (store, folder, grantee); folder 0 means "every folder of
//! the mailbox" (full mailbox access, e.g. alice on team@example.test). The
//! mailbox owner has every right. The grantee `default` stands for every
//! authenticated user ([MS-OXCPERM] 2.2.4 "Default" member). The public
//! store grants Author rights to everyone by default.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use mapi_wire::ids::FolderId;
use rusqlite::{OptionalExtension, params};

use super::error::{StoreError, StoreResult};
use super::folder::counter_of;
use super::{Mailbox, StoreKind};

/// PidTagMemberRights bits ([MS-OXCPERM] 2.2.7).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Rights(pub u32);

impl Rights {
    /// No rights.
    pub const NONE: Self = Self(0);
    /// ReadAny.
    pub const READ_ANY: Self = Self(0x0001);
    /// Create.
    pub const CREATE: Self = Self(0x0002);
    /// EditOwned.
    pub const EDIT_OWNED: Self = Self(0x0008);
    /// DeleteOwned.
    pub const DELETE_OWNED: Self = Self(0x0010);
    /// EditAny.
    pub const EDIT_ANY: Self = Self(0x0020);
    /// DeleteAny.
    pub const DELETE_ANY: Self = Self(0x0040);
    /// CreateSubFolder.
    pub const CREATE_SUBFOLDER: Self = Self(0x0080);
    /// FolderOwner.
    pub const FOLDER_OWNER: Self = Self(0x0100);
    /// FolderContact.
    pub const FOLDER_CONTACT: Self = Self(0x0200);
    /// FolderVisible.
    pub const FOLDER_VISIBLE: Self = Self(0x0400);
    /// FreeBusySimple.
    pub const FREE_BUSY_SIMPLE: Self = Self(0x0800);
    /// FreeBusyDetailed.
    pub const FREE_BUSY_DETAILED: Self = Self(0x1000);
    /// Every right (the owner's).
    pub const ALL: Self = Self(0x1FFB);
    /// The Reviewer role: ReadAny | FolderVisible.
    pub const REVIEWER: Self = Self(0x0401);
    /// The Author role: Reviewer + Create, EditOwned, DeleteOwned.
    pub const AUTHOR: Self = Self(0x041B);
    /// The Editor role: Author + EditAny, DeleteAny.
    pub const EDITOR: Self = Self(0x047B);

    /// True if every bit of `other` is set here.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// The grantee name for every authenticated user.
pub const DEFAULT_GRANTEE: &str = "default";

/// The Default member's rights on a new mailbox's Calendar: free/busy
/// times only, as Exchange sets them ([MS-OXCPERM] 2.2.7 FreeBusySimple;
/// the "Free/Busy time" role Outlook shows for Default). Every user can so
/// see when others are busy, and may log on to their mailboxes for it
/// ([`Mailbox::can_logon`]).
pub const DEFAULT_CALENDAR_RIGHTS: Rights = Rights::FREE_BUSY_SIMPLE;

/// Grants the Default member [`DEFAULT_CALENDAR_RIGHTS`] on the Calendar of
/// the private mailbox `store_id` (within its creating transaction).
pub(super) fn grant_default_calendar_rights(tx: &rusqlite::Connection, store_id: i64) -> StoreResult<()> {
    tx.execute(
        "INSERT OR IGNORE INTO permissions(store, folder, grantee, rights) VALUES (?1, ?2, ?3, ?4)",
        params![
            store_id,
            super::SpecialFolder::Calendar.counter() as i64,
            DEFAULT_GRANTEE,
            i64::from(DEFAULT_CALENDAR_RIGHTS.0)
        ],
    )?;
    Ok(())
}

fn argon() -> StoreResult<Argon2<'static>> {
    // Light parameters: this is a simulator whose tests hash many times.
    let params = Params::new(4096, 1, 1, None).map_err(|_| StoreError::PasswordHash)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// An argon2id PHC string for `password`.
pub(crate) fn hash_password(password: &str) -> StoreResult<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| StoreError::PasswordHash)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| StoreError::PasswordHash)?;
    Ok(argon()?.hash_password(password.as_bytes(), &salt).map_err(|_| StoreError::PasswordHash)?.to_string())
}

/// Verifies `password` against a PHC string.
pub(crate) fn verify_password(hash: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    argon().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

impl Mailbox {
    /// True if `user` (address or legacyDN) owns this mailbox.
    pub fn is_owner(&self, user: &str) -> bool {
        self.info.kind == StoreKind::Private
            && (self.info.address.eq_ignore_ascii_case(user) || self.info.legacy_dn.eq_ignore_ascii_case(user))
    }

    /// Sets `grantee`'s rights on `folder` (None = the whole mailbox);
    /// [`Rights::NONE`] removes the grant (RopModifyPermissions).
    pub fn grant(&self, folder: Option<FolderId>, grantee: &str, rights: Rights) -> StoreResult<()> {
        let f = folder.map(counter_of).transpose()?.unwrap_or(0);
        self.store.with_tx(|tx| {
            if f != 0 {
                super::folder::live_folder(tx, self.id(), super::folder::fid(f as u64))?;
            }
            if rights == Rights::NONE {
                tx.execute(
                    "DELETE FROM permissions WHERE store = ?1 AND folder = ?2 AND grantee = ?3",
                    params![self.id(), f, grantee],
                )?;
            } else {
                tx.execute(
                    "INSERT INTO permissions(store, folder, grantee, rights) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(store, folder, grantee) DO UPDATE SET rights = ?4",
                    params![self.id(), f, grantee, i64::from(rights.0)],
                )?;
            }
            Ok(())
        })
    }

    /// The grants on `folder` (None = mailbox-wide), sorted by grantee
    /// (RopGetPermissionsTable).
    pub fn permissions(&self, folder: Option<FolderId>) -> StoreResult<Vec<(String, Rights)>> {
        let f = folder.map(counter_of).transpose()?.unwrap_or(0);
        self.store.with_tx(|tx| {
            let mut st = tx
                .prepare("SELECT grantee, rights FROM permissions WHERE store = ?1 AND folder = ?2 ORDER BY grantee")?;
            let rows = st.query_map(params![self.id(), f], |r| Ok((r.get(0)?, Rights(r.get::<_, i64>(1)? as u32))))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn grant_of(&self, folder: i64, user: &str) -> StoreResult<Option<Rights>> {
        self.store.with_tx(|tx| {
            let r: Option<i64> = tx
                .query_row(
                    "SELECT rights FROM permissions WHERE store = ?1 AND folder = ?2 AND grantee = ?3",
                    params![self.id(), folder, user],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(r.map(|r| Rights(r as u32)))
        })
    }

    /// `user`'s rights on `folder`: everything for the owner; else the
    /// folder grant for `user`, else the mailbox-wide grant, else the
    /// folder's `default` grant, else the mailbox-wide `default`, else none
    /// (Author for the public store). A grant to the user's address also
    /// matches the legacyDN spelling only if stored that way: grant to the
    /// SMTP address, check with the SMTP address.
    pub fn rights_of(&self, user: &str, folder: FolderId) -> StoreResult<Rights> {
        if self.is_owner(user) {
            return Ok(Rights::ALL);
        }
        let f = counter_of(folder)?;
        for (fol, who) in [(f, user), (0, user), (f, DEFAULT_GRANTEE), (0, DEFAULT_GRANTEE)] {
            if let Some(r) = self.grant_of(fol, who)? {
                return Ok(r);
            }
        }
        Ok(if self.info.kind == StoreKind::Public { Rights::AUTHOR } else { Rights::NONE })
    }

    /// [`StoreError::AccessDenied`] unless `user` has every right in
    /// `needed` on `folder`.
    pub fn check_access(&self, user: &str, folder: FolderId, needed: Rights) -> StoreResult<()> {
        if self.rights_of(user, folder)?.contains(needed) {
            Ok(())
        } else {
            Err(StoreError::AccessDenied(format!("{user} lacks rights {:#x} on {folder:?}", needed.0)))
        }
    }

    /// True if `user` may log on to this store (RopLogon to another
    /// user's mailbox): the owner, anyone with a grant in it (their own or
    /// Default's, on any folder), and everyone for the public store.
    ///
    /// [MS-OXCSTOR] 3.2.5.1.1 has no mailbox-level logon right: a logon
    /// by a non-owner succeeds (without OwnerRight in its ResponseFlags,
    /// 2.2.1.1.3) and each folder's permissions decide what it may open;
    /// gromox refuses only a user whose union of folder rights is empty
    /// (ecLoginPerm). Since every Calendar gives Default free/busy times
    /// ([`DEFAULT_CALENDAR_RIGHTS`]), every user may log on to read them;
    /// a mailbox whose owner removed that grant and granted nothing else
    /// refuses the logon.
    pub fn can_logon(&self, user: &str) -> StoreResult<bool> {
        if self.is_owner(user) || self.info.kind == StoreKind::Public {
            return Ok(true);
        }
        self.store.with_tx(|tx| {
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM permissions WHERE store = ?1 AND (grantee = ?2 OR grantee = ?3) AND rights != 0",
                params![self.id(), user, DEFAULT_GRANTEE],
                |r| r.get(0),
            )?;
            Ok(n > 0)
        })
    }

    /// Grants (or with `allowed` false revokes) `grantee` the right to send
    /// as this mailbox: a submitted message whose PidTagSentRepresenting*
    /// names this mailbox is accepted from `grantee` ([MS-OXOMSG] 3.2.5.1).
    pub fn grant_send_as(&self, grantee: &str, allowed: bool) -> StoreResult<()> {
        self.store.with_tx(|tx| {
            if allowed {
                tx.execute(
                    "INSERT OR IGNORE INTO send_as(store, grantee) VALUES (?1, ?2)",
                    params![self.id(), grantee],
                )?;
            } else {
                tx.execute("DELETE FROM send_as WHERE store = ?1 AND grantee = ?2", params![self.id(), grantee])?;
            }
            Ok(())
        })
    }

    /// True if `user` (an SMTP address) may send as this mailbox: the
    /// owner, or a grantee of [`Mailbox::grant_send_as`]. Full mailbox
    /// access alone does not imply it, as on Exchange.
    pub fn may_send_as(&self, user: &str) -> StoreResult<bool> {
        if self.is_owner(user) {
            return Ok(true);
        }
        self.store.with_tx(|tx| {
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM send_as WHERE store = ?1 AND grantee = ?2",
                params![self.id(), user],
                |r| r.get(0),
            )?;
            Ok(n > 0)
        })
    }
}
