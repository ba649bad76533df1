//! ICS upload of folders ([MS-OXCFXICS] 3.3.5.8.4
//! RopSynchronizationImportHierarchyChange): create or change a folder
//! keeping the client's change tracking. Message uploads use
//! [`Mailbox::save_message`] with [`SaveMode::Import`](super::SaveMode::Import).

use mapi_wire::ids::{ChangeNumber, FolderId, PredecessorChangeList};
use mapi_wire::prop_value::PropValue;
use mapi_wire::{Decode, Encode, PropTag};

use super::error::{StoreError, StoreResult};
use super::events::StoreEvent;
use super::folder::{
    COMPUTED_FOLDER_TAGS, ClientChange, counter_of, descendants, fid, insert_folder, is_special, live_folder,
    load_folder, name_taken, save_folder_row, stamp_change,
};
use super::props::PropBag;
use super::{Mailbox, REPLID, alloc_cn, alloc_ids};

/// What [`Mailbox::import_folder`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportedFolder {
    /// The folder.
    pub id: FolderId,
    /// The change number of this import.
    pub change_number: ChangeNumber,
    /// True if the folder was created.
    pub created: bool,
}

const CLIENT_CHANGE_TAGS: [PropTag; 3] =
    [PropTag::CHANGE_KEY, PropTag::PREDECESSOR_CHANGE_LIST, PropTag::LAST_MODIFICATION_TIME];

fn pcl_of(bag: &PropBag) -> PredecessorChangeList {
    match bag.get(PropTag::PREDECESSOR_CHANGE_LIST) {
        Some(PropValue::Binary(b)) => PredecessorChangeList::decode_exact(b).unwrap_or_default(),
        _ => PredecessorChangeList::new(),
    }
}

impl Mailbox {
    /// Creates folder `id` (or a new FID when None) under `parent`, or,
    /// if `id` is a live folder, moves it under `parent` and sets `props`.
    /// `props` must name the folder (PidTagDisplayName) on creation. The
    /// client's PidTagChangeKey and PidTagLastModificationTime are kept and
    /// its PidTagPredecessorChangeList is merged; a new CN is assigned. An
    /// `id` not yet stored must come from this store's allocator
    /// (RopGetLocalReplicaIds) else [`StoreError::InvalidParameter`].
    pub fn import_folder(
        &self,
        parent: FolderId,
        id: Option<FolderId>,
        props: &PropBag,
    ) -> StoreResult<ImportedFolder> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let p = live_folder(tx, self.id(), parent)?;
            let existing = match id {
                Some(f) => load_folder(tx, self.id(), counter_of(f)?)?,
                None => None,
            };
            let cn = alloc_cn(tx, self.id())?;
            let (counter, created, mut rec) = match existing {
                Some(rec) => {
                    if rec.deleted {
                        return Err(StoreError::ObjectDeleted);
                    }
                    (rec.id, false, rec)
                }
                None => {
                    let counter = match id {
                        Some(f) => {
                            let c = counter_of(f)?;
                            let next: i64 =
                                tx.query_row("SELECT next_id FROM stores WHERE id = ?1", [self.id()], |r| r.get(0))?;
                            if c >= next {
                                return Err(StoreError::InvalidParameter("folder id was not allocated by this store"));
                            }
                            c as u64
                        }
                        None => alloc_ids(tx, self.id(), 1)?,
                    };
                    let name = props
                        .string(PropTag::DISPLAY_NAME)
                        .filter(|n| !n.is_empty())
                        .ok_or(StoreError::InvalidParameter("a folder needs a display name"))?;
                    if name_taken(tx, self.id(), p.id, &name, None)?.is_some() {
                        return Err(StoreError::DuplicateName(name));
                    }
                    insert_folder(tx, &self.info, counter, Some(p.id), props.clone(), now)?;
                    let rec = load_folder(tx, self.id(), counter as i64)?
                        .ok_or_else(|| StoreError::Corrupt("inserted folder vanished".into()))?;
                    (counter, true, rec)
                }
            };
            let old_parent = rec.parent;
            if !created {
                if old_parent != Some(p.id) {
                    if is_special(&self.info, rec.id) {
                        return Err(StoreError::AccessDenied("special folders cannot move".into()));
                    }
                    if p.id == rec.id || descendants(tx, self.id(), rec.id)?.iter().any(|(c, _)| *c == p.id) {
                        return Err(StoreError::FolderCycle);
                    }
                }
                for (t, v) in props.iter() {
                    if !COMPUTED_FOLDER_TAGS.iter().any(|c| c.id() == t.id()) {
                        rec.props.set(t, v.clone());
                    }
                }
                let name = rec.props.string(PropTag::DISPLAY_NAME).unwrap_or_default();
                if name_taken(tx, self.id(), p.id, &name, Some(rec.id))?.is_some() {
                    return Err(StoreError::DuplicateName(name));
                }
                rec.parent = Some(p.id);
            }
            // The client's change tracking over the merged PCL.
            let mut pcl = if created { PredecessorChangeList::new() } else { pcl_of(&rec.props) };
            pcl.merge(&pcl_of(props));
            let mut client_bag = PropBag::new();
            for t in CLIENT_CHANGE_TAGS {
                if let Some(v) = props.get(t) {
                    client_bag.set(t, v.clone());
                }
            }
            client_bag.set(PropTag::PREDECESSOR_CHANGE_LIST, PropValue::Binary(pcl.to_bytes().unwrap_or_default()));
            let client = ClientChange::take(&client_bag);
            stamp_change(&mut rec.props, &self.info, cn, now);
            if props.get(PropTag::CHANGE_KEY).is_some() {
                client.apply(&mut rec.props);
            }
            rec.cn = cn;
            save_folder_row(tx, self.id(), &rec)?;
            let folder = fid(counter);
            self.store.emit(if created {
                StoreEvent::FolderCreated { store: self.id(), folder, parent }
            } else if old_parent != Some(p.id) {
                StoreEvent::FolderMoved {
                    store: self.id(),
                    folder,
                    old_parent: fid(old_parent.unwrap_or(0)),
                    new_parent: parent,
                }
            } else {
                StoreEvent::FolderModified { store: self.id(), folder }
            });
            Ok(ImportedFolder { id: folder, change_number: ChangeNumber::new(REPLID, cn), created })
        })
    }
}
