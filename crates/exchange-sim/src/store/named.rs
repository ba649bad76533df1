//! Named-property mapping per store ([MS-OXCPRPT] 3.1.5.2 /
//! 2.2.12–2.2.13 RopGetPropertyIdsFromNames, RopGetNamesFromPropertyIds).
//!
//! Ids are allocated from 0x8001 upwards in creation order, stored, and
//! never change or get reused. PS_MAPI MNID_ID names map to the tagged
//! property id equal to the LID (and ids < 0x8000 name themselves as
//! PS_MAPI + LID, corrections B15). PS_INTERNET_HEADERS string names are
//! case-insensitive (kept lower-case).

use mapi_wire::Guid;
use mapi_wire::named::PropertyName;
use mapi_wire::tags::{PS_INTERNET_HEADERS, PS_MAPI};
use rusqlite::{OptionalExtension, params};

use super::Mailbox;
use super::error::{StoreError, StoreResult};

/// The first id handed out.
pub const FIRST_NAMED_ID: u16 = 0x8001;
/// The last usable id (0xFFFF is reserved).
pub const LAST_NAMED_ID: u16 = 0xFFFE;

fn key(name: &PropertyName) -> StoreResult<(Guid, i64, i64, String)> {
    Ok(match name {
        PropertyName::Id { guid, lid } => (*guid, 0, i64::from(*lid), String::new()),
        PropertyName::Name { guid, name } => {
            let n = if *guid == PS_INTERNET_HEADERS { name.to_lowercase() } else { name.clone() };
            (*guid, 1, 0, n)
        }
        PropertyName::None { .. } => return Err(StoreError::InvalidParameter("a property name of kind 0xFF")),
    })
}

impl Mailbox {
    /// The property id of `name`, allocating one when `create` is set
    /// (RopGetPropertyIdsFromNames with flag 0x02). `None` for an unmapped
    /// name without `create` (the ROP answers id 0, corrections A13).
    pub fn prop_id_from_name(&self, name: &PropertyName, create: bool) -> StoreResult<Option<u16>> {
        if let PropertyName::Id { guid, lid } = name
            && *guid == PS_MAPI
        {
            return Ok(u16::try_from(*lid).ok().filter(|l| *l < 0x8000));
        }
        let (guid, kind, lid, n) = key(name)?;
        self.store.with_tx(|tx| {
            let found: Option<i64> = tx
                .query_row(
                    "SELECT propid FROM named_props WHERE store = ?1 AND guid = ?2 AND kind = ?3 AND lid = ?4 AND name = ?5",
                    params![self.id(), &guid.0[..], kind, lid, n],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = found {
                return Ok(u16::try_from(id).ok());
            }
            if !create {
                return Ok(None);
            }
            let max: Option<i64> =
                tx.query_row("SELECT MAX(propid) FROM named_props WHERE store = ?1", [self.id()], |r| r.get(0))?;
            let next = max.map_or(i64::from(FIRST_NAMED_ID), |m| m + 1);
            if next > i64::from(LAST_NAMED_ID) {
                return Err(StoreError::Exhausted("named property ids"));
            }
            tx.execute(
                "INSERT INTO named_props(store, propid, guid, kind, lid, name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![self.id(), next, &guid.0[..], kind, lid, n],
            )?;
            Ok(u16::try_from(next).ok())
        })
    }

    /// The name of property id `id` (RopGetNamesFromPropertyIds): PS_MAPI +
    /// LID for ids below 0x8000, the mapping for named ids, `None` if
    /// unmapped.
    pub fn name_from_prop_id(&self, id: u16) -> StoreResult<Option<PropertyName>> {
        if id < 0x8000 {
            return Ok(Some(PropertyName::Id { guid: PS_MAPI, lid: u32::from(id) }));
        }
        self.store.with_tx(|tx| {
            let row = tx
                .query_row(
                    "SELECT guid, kind, lid, name FROM named_props WHERE store = ?1 AND propid = ?2",
                    params![self.id(), i64::from(id)],
                    |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?)),
                )
                .optional()?;
            Ok(row.map(|(g, kind, lid, name)| {
                let guid = super::guid_from(g);
                if kind == 0 { PropertyName::Id { guid, lid: lid as u32 } } else { PropertyName::Name { guid, name } }
            }))
        })
    }

    /// Every mapping of the store, by id.
    pub fn named_properties(&self) -> StoreResult<Vec<(u16, PropertyName)>> {
        let ids: Vec<i64> = self.store.with_tx(|tx| {
            let mut st = tx.prepare("SELECT propid FROM named_props WHERE store = ?1 ORDER BY propid")?;
            let rows = st.query_map([self.id()], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let id = u16::try_from(id).map_err(|_| StoreError::Corrupt("named property id".into()))?;
            if let Some(n) = self.name_from_prop_id(id)? {
                out.push((id, n));
            }
        }
        Ok(out)
    }
}
