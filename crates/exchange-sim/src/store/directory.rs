//! What the directory knows about a mailbox's user beyond its name and
//! addresses ([MS-OXOABK] 2.2.4: title, department, phones, office,
//! thumbnail photo), served by the GAL; and the mailbox's size, which the
//! quota properties of the logon compare against.

use rusqlite::{OptionalExtension, params};

use super::error::StoreResult;
use super::mailbox::Mailbox;
use super::props::PropBag;

impl Mailbox {
    /// The user's directory attributes (empty when none were set).
    pub fn directory_props(&self) -> StoreResult<PropBag> {
        let blob: Option<Vec<u8>> = self.store().with_tx(|tx| {
            Ok(tx
                .prepare_cached("SELECT props FROM directory WHERE store = ?1")?
                .query_row([self.id()], |r| r.get(0))
                .optional()?)
        })?;
        blob.map_or_else(|| Ok(PropBag::new()), |b| PropBag::from_blob(&b))
    }

    /// Merges `props` into the user's directory attributes.
    pub fn set_directory_props(&self, props: &PropBag) -> StoreResult<()> {
        let mut bag = self.directory_props()?;
        bag.merge(props);
        let blob = bag.to_blob()?;
        self.store().with_tx(|tx| {
            tx.prepare_cached(
                "INSERT INTO directory(store, props) VALUES (?1, ?2) ON CONFLICT(store) DO UPDATE SET props = ?2",
            )?
            .execute(params![self.id(), blob])?;
            Ok(())
        })
    }

    /// The bytes of the mailbox's live messages (normal and associated),
    /// as PidTagMessageSizeExtended of the store counts them ([MS-OXPROPS]
    /// PidTagMessageSizeExtended).
    pub fn total_message_size(&self) -> StoreResult<u64> {
        let total: i64 = self.store().with_tx(|tx| {
            Ok(tx
                .prepare_cached("SELECT COALESCE(SUM(size), 0) FROM messages WHERE store = ?1 AND deleted = 0")?
                .query_row([self.id()], |r| r.get(0))?)
        })?;
        Ok(u64::try_from(total).unwrap_or(0))
    }
}
