//! Receive folders ([MS-OXCSTOR] 2.2.1.2–2.2.1.4): which folder receives
//! which message class. A new mailbox has the table a new Exchange mailbox
//! has (`IPC` → Root; `IPM`, `REPORT.IPM` and the default `""` → Inbox);
//! RopSetReceiveFolder adds, changes or removes entries, persisted in the
//! `receive_folders` table over those defaults.

use mapi_wire::ids::FolderId;
use mapi_wire::prop_value::FileTime;
use rusqlite::params;

use super::error::{StoreError, StoreResult};
use super::folder::{counter_of, fid, live_folder};
use super::{Mailbox, SpecialFolder, StoreKind};

/// One receive-folder table row ([MS-OXCSTOR] 2.2.1.4: PidTagFolderId,
/// PidTagMessageClass, PidTagLastModificationTime).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiveFolder {
    /// The message class (upper-case for the built-in ones; as set otherwise).
    pub message_class: String,
    /// The folder receiving it.
    pub folder: FolderId,
    /// When the entry was last set (the mailbox's creation for defaults).
    pub modified: FileTime,
}

const DEFAULTS: [(&str, SpecialFolder); 4] = [
    ("", SpecialFolder::Inbox),
    ("IPC", SpecialFolder::Root),
    ("IPM", SpecialFolder::Inbox),
    ("REPORT.IPM", SpecialFolder::Inbox),
];

impl Mailbox {
    fn private_only(&self) -> StoreResult<()> {
        if self.info.kind != StoreKind::Private {
            return Err(StoreError::NotSupported("receive folders of the public store"));
        }
        Ok(())
    }

    /// The receive-folder table, sorted by message class (case-insensitive).
    pub fn receive_folders(&self) -> StoreResult<Vec<ReceiveFolder>> {
        self.private_only()?;
        let root = self.special_folder(SpecialFolder::Root);
        let created = match self.folder_props(root)?.get(mapi_wire::PropTag::CREATION_TIME) {
            Some(mapi_wire::prop_value::PropValue::Time(t)) => *t,
            _ => FileTime(0),
        };
        let stored: Vec<(String, i64, i64)> = self.store.with_tx(|tx| {
            let mut st = tx.prepare_cached("SELECT class, folder, mtime FROM receive_folders WHERE store = ?1")?;
            let rows = st.query_map([self.id()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        let mut out: Vec<ReceiveFolder> = DEFAULTS
            .iter()
            .filter(|(c, _)| !stored.iter().any(|(s, _, _)| s.eq_ignore_ascii_case(c)))
            .map(|(c, f)| ReceiveFolder {
                message_class: (*c).into(),
                folder: self.special_folder(*f),
                modified: created,
            })
            .collect();
        out.extend(stored.into_iter().filter(|(_, f, _)| *f != 0).map(|(c, f, t)| ReceiveFolder {
            message_class: c,
            folder: fid(f as u64),
            modified: FileTime(t as u64),
        }));
        out.sort_by_key(|r| r.message_class.to_ascii_uppercase());
        Ok(out)
    }

    /// RopGetReceiveFolder ([MS-OXCSTOR] 2.2.1.2): the folder receiving
    /// `message_class` and the explicit class that selected it: the
    /// longest dot-separated prefix in the table, case-insensitively, else
    /// the default `""`. NotSupported for the public store.
    pub fn receive_folder(&self, message_class: &str) -> StoreResult<(FolderId, String)> {
        let table = self.receive_folders()?;
        let class = message_class.to_ascii_uppercase();
        let hit = table
            .iter()
            .filter(|r| {
                let c = r.message_class.to_ascii_uppercase();
                c.is_empty() || class == c || class.starts_with(&format!("{c}."))
            })
            .max_by_key(|r| r.message_class.len());
        match hit {
            Some(r) => Ok((r.folder, r.message_class.clone())),
            None => Ok((self.special_folder(SpecialFolder::Inbox), String::new())),
        }
    }

    /// RopSetReceiveFolder ([MS-OXCSTOR] 2.2.1.3, 3.2.5.2): `folder` now
    /// receives `message_class`; `None` removes the class. The default
    /// class `""` cannot be removed (InvalidParameter → ecError at the ROP
    /// layer), `IPM` and `REPORT.IPM` cannot be changed (AccessDenied), and
    /// the folder must exist.
    pub fn set_receive_folder(&self, message_class: &str, folder: Option<FolderId>) -> StoreResult<()> {
        self.private_only()?;
        if message_class.is_empty() && folder.is_none() {
            return Err(StoreError::InvalidParameter("the default receive folder cannot be removed"));
        }
        if message_class.eq_ignore_ascii_case("IPM") || message_class.eq_ignore_ascii_case("REPORT.IPM") {
            return Err(StoreError::AccessDenied(format!("the receive folder of {message_class} is fixed")));
        }
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let f = match folder {
                Some(f) => {
                    live_folder(tx, self.id(), f)?;
                    counter_of(f)?
                }
                None => 0,
            };
            tx.execute(
                "INSERT INTO receive_folders(store, class, folder, mtime) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(store, class) DO UPDATE SET class = ?2, folder = ?3, mtime = ?4",
                params![self.id(), message_class, f, now.0 as i64],
            )?;
            Ok(())
        })
    }
}
