//! [`Mailbox`]: a handle on one store, with the id conversions of
//! [MS-OXCDATA] 2.2 (FID/MID ↔ GID/LongTermID, entry IDs) and the id
//! allocation entry points.

use std::sync::Arc;

use mapi_wire::Encode;
use mapi_wire::entry_id::{FolderEntryId, MessageEntryId, StoreObjectType};
use mapi_wire::ids::{ChangeNumber, FolderId, Gid, GlobalCounter, LongTermId, MessageId, Xid};

use super::error::{StoreError, StoreResult};
use super::special::{PublicFolder, SpecialFolder};
use super::{MailboxInfo, REPLID, Store, StoreKind, alloc_ids};

/// A handle on one store (private mailbox or public folders) in a [`Store`].
#[derive(Clone, Debug)]
pub struct Mailbox {
    pub(crate) store: Store,
    pub(crate) info: Arc<MailboxInfo>,
}

impl Mailbox {
    /// The store's identity (RopLogon fields).
    pub fn info(&self) -> &MailboxInfo {
        &self.info
    }

    /// The [`Store`] this mailbox lives in.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn id(&self) -> i64 {
        self.info.store_id
    }

    /// The FID of a special folder of a private mailbox.
    pub fn special_folder(&self, f: SpecialFolder) -> FolderId {
        FolderId::new(REPLID, f.counter())
    }

    /// The FID of a special folder of the public store.
    pub fn public_folder(&self, f: PublicFolder) -> FolderId {
        FolderId::new(REPLID, f.counter())
    }

    /// The 13 FolderIds of the RopLogon response ([MS-OXCSTOR] 2.2.1.1.3
    /// for private stores; 2.2.1.1.4 for the public store: Root, IPM
    /// subtree, non-IPM subtree, EFORMS REGISTRY, then zeros).
    pub fn logon_folder_ids(&self) -> [FolderId; 13] {
        match self.info.kind {
            StoreKind::Private => SpecialFolder::LOGON_ORDER.map(|f| self.special_folder(f)),
            StoreKind::Public => {
                let mut out = [FolderId(0); 13];
                for (o, f) in out.iter_mut().zip(PublicFolder::ALL) {
                    *o = self.public_folder(f);
                }
                out
            }
        }
    }

    /// The GID of a FID, MID or CN of this store ([MS-OXCDATA] 2.2.1.3):
    /// replica GUID + global counter. This is PidTagSourceKey's value.
    pub fn gid(&self, counter: GlobalCounter) -> Gid {
        Gid { guid: self.info.replica_guid, counter }
    }

    /// RopLongTermIdFromId ([MS-OXCROPS] 2.2.3.8): fails with NotFound for
    /// another replica id.
    pub fn long_term_id(&self, id: u64) -> StoreResult<LongTermId> {
        let fid = FolderId(id);
        if fid.replica_id() != REPLID {
            return Err(StoreError::not_found(format!("replica id {}", fid.replica_id())));
        }
        Ok(self.gid(fid.global_counter()).to_long_term_id())
    }

    /// RopIdFromLongTermId ([MS-OXCROPS] 2.2.3.9): NotFound unless the GUID
    /// is this store's replica GUID.
    pub fn id_from_long_term_id(&self, ltid: &LongTermId) -> StoreResult<u64> {
        if ltid.guid != self.info.replica_guid {
            return Err(StoreError::not_found(format!("replica GUID {:?}", ltid.guid)));
        }
        Ok(FolderId::from_parts(REPLID, ltid.counter).0)
    }

    /// The 46-byte folder entry ID ([MS-OXCDATA] 2.2.4.1).
    pub fn folder_entry_id(&self, fid: FolderId) -> Vec<u8> {
        let mut e = FolderEntryId::private(self.info.mailbox_guid, self.gid(fid.global_counter()));
        if self.info.kind == StoreKind::Public {
            e.folder_type = StoreObjectType::PUBLIC_FOLDER;
        }
        e.to_bytes().unwrap_or_default()
    }

    /// The 70-byte message entry ID ([MS-OXCDATA] 2.2.4.2).
    pub fn message_entry_id(&self, fid: FolderId, mid: MessageId) -> Vec<u8> {
        let mut e = MessageEntryId::private(
            self.info.mailbox_guid,
            self.gid(fid.global_counter()),
            self.gid(mid.global_counter()),
        );
        if self.info.kind == StoreKind::Public {
            e.message_type = StoreObjectType::PUBLIC_MESSAGE;
        }
        e.to_bytes().unwrap_or_default()
    }

    /// Parses a folder or message entry ID of this store into (FID, MID).
    /// NotFound for another store's or malformed entry IDs.
    pub fn ids_from_entry_id(&self, bytes: &[u8]) -> StoreResult<(FolderId, Option<MessageId>)> {
        use mapi_wire::Decode;
        let bad = || StoreError::not_found("entry id of another store");
        if bytes.len() == FolderEntryId::SIZE {
            let e = FolderEntryId::decode_exact(bytes).map_err(|_| bad())?;
            if e.provider_uid != self.info.mailbox_guid || e.folder.guid != self.info.replica_guid {
                return Err(bad());
            }
            return Ok((e.folder_id(REPLID), None));
        }
        let e = MessageEntryId::decode_exact(bytes).map_err(|_| bad())?;
        if e.provider_uid != self.info.mailbox_guid
            || e.folder.guid != self.info.replica_guid
            || e.message.guid != self.info.replica_guid
        {
            return Err(bad());
        }
        Ok((e.folder_id(REPLID), Some(e.message_id(REPLID))))
    }

    /// The newest change number handed out (0 before any change).
    pub fn current_change_number(&self) -> StoreResult<ChangeNumber> {
        let next: i64 = self.store.with_tx(|conn| {
            Ok(conn.query_row("SELECT next_cn FROM stores WHERE id = ?1", [self.id()], |r| r.get(0))?)
        })?;
        Ok(ChangeNumber::new(REPLID, (next as u64).saturating_sub(1)))
    }

    /// The newest change-number counter handed out (0 before any change):
    /// every write that changes a folder or message row allocates one, so
    /// an unchanged counter means unchanged table rows.
    pub fn change_counter(&self) -> StoreResult<u64> {
        let next: i64 = self.store.with_tx(|conn| {
            Ok(conn.query_row("SELECT next_cn FROM stores WHERE id = ?1", [self.id()], |r| r.get(0))?)
        })?;
        Ok((next as u64).saturating_sub(1))
    }

    /// RopGetLocalReplicaIds ([MS-OXCROPS] 2.2.13.13): reserves `count`
    /// global counters for the client and returns the first.
    pub fn reserve_ids(&self, count: u32) -> StoreResult<GlobalCounter> {
        let first = self.store.with_tx(|tx| alloc_ids(tx, self.id(), u64::from(count)))?;
        Ok(GlobalCounter::from_value(first))
    }

    /// The XID for a change-number counter (PidTagChangeKey value bytes).
    pub fn change_key(&self, cn: u64) -> Vec<u8> {
        Xid::from_counter(self.info.replica_guid, GlobalCounter::from_value(cn)).to_bytes().unwrap_or_default()
    }

    /// The GID bytes of a global counter (PidTagSourceKey value bytes).
    pub fn source_key(&self, counter: u64) -> Vec<u8> {
        self.gid(GlobalCounter::from_value(counter)).to_bytes().unwrap_or_default()
    }
}
