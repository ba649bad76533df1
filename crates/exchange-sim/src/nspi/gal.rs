//! The GAL: the store's private mailboxes as mail users, and the NSPI
//! operations over them ([MS-OXNSPI] 3.1.4.1).

use std::cmp::Ordering;

use mapi_wire::entry_id::{AddressBookEntryId, DisplayType, EphemeralEntryId};
use mapi_wire::nspi::{
    CompareMIdsRequest, CompareMIdsResponse, DnToMIdRequest, DnToMIdResponse, GetMatchesRequest, GetMatchesResponse,
    GetPropListRequest, GetPropListResponse, GetPropsRequest, GetPropsResponse, GetSpecialTableRequest,
    GetSpecialTableResponse, MinimalId, QueryColumnsRequest, QueryColumnsResponse, QueryRowsRequest, QueryRowsResponse,
    ResolveNamesRequest, ResolveNamesResponse, RetrievalFlags, RowSet, SeekEntriesRequest, SeekEntriesResponse, Stat,
    UpdateStatRequest, UpdateStatResponse,
};
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::restriction::{FuzzyLevel, RelOp, Restriction};
use mapi_wire::{Encode, ErrorCode, Guid, PropTag, PropType};

use crate::store::{Store, StoreKind};

/// Property tags the GAL serves ([MS-OXPROPS]).
pub mod tags {
    use mapi_wire::{PropTag, PropType};
    /// PidTagDisplayName.
    pub const DISPLAY_NAME: PropTag = PropTag::new(0x3001, PropType::STRING);
    /// PidTagAddressType.
    pub const ADDRESS_TYPE: PropTag = PropTag::new(0x3002, PropType::STRING);
    /// PidTagEmailAddress (the legacyDN).
    pub const EMAIL_ADDRESS: PropTag = PropTag::new(0x3003, PropType::STRING);
    /// PidTagSmtpAddress.
    pub const SMTP_ADDRESS: PropTag = PropTag::new(0x39FE, PropType::STRING);
    /// PidTagAccount.
    pub const ACCOUNT: PropTag = PropTag::new(0x3A00, PropType::STRING);
    /// PidTagDisplayType.
    pub const DISPLAY_TYPE: PropTag = PropTag::new(0x3900, PropType::INTEGER32);
    /// PidTagObjectType.
    pub const OBJECT_TYPE: PropTag = PropTag::new(0x0FFE, PropType::INTEGER32);
    /// PidTagEntryId.
    pub const ENTRY_ID: PropTag = PropTag::new(0x0FFF, PropType::BINARY);
    /// PidTagRecordKey.
    pub const RECORD_KEY: PropTag = PropTag::new(0x0FF9, PropType::BINARY);
    /// PidTagInstanceKey.
    pub const INSTANCE_KEY: PropTag = PropTag::new(0x0FF6, PropType::BINARY);
    /// PidTagAddressBookProxyAddresses.
    pub const PROXY_ADDRESSES: PropTag = PropTag::new(0x800F, PropType::MULTIPLE_STRING);
    /// PidTagTitle.
    pub const TITLE: PropTag = PropTag::new(0x3A17, PropType::STRING);
    /// PidTagDepartmentName.
    pub const DEPARTMENT: PropTag = PropTag::new(0x3A18, PropType::STRING);
    /// PidTagAnr (ambiguous name resolution; restrictions only).
    pub const ANR: PropTag = PropTag::new(0x360C, PropType::STRING);
    /// PidTagContainerFlags.
    pub const CONTAINER_FLAGS: PropTag = PropTag::new(0x3600, PropType::INTEGER32);
    /// PidTagDepth.
    pub const DEPTH: PropTag = PropTag::new(0x3005, PropType::INTEGER32);
    /// PidTagAddressBookContainerId.
    pub const CONTAINER_ID: PropTag = PropTag::new(0xFFFD, PropType::INTEGER32);
    /// PidTagAddressBookIsMaster.
    pub const IS_MASTER: PropTag = PropTag::new(0xFFFB, PropType::BOOLEAN);
    /// PidTagAddressBookHomeMessageDatabase ([MS-OXPROPS] 2.518: PtypString8
    /// or PtypObject; capture 131 reads it as PtypString8).
    pub const HOME_MDB: PropTag = PropTag::new(0x8006, PropType::STRING8);
    /// PidTagThumbnailPhoto ([MS-OXOABK] 2.2.4.40).
    pub const THUMBNAIL_PHOTO: PropTag = PropTag::new(0x8C9E, PropType::BINARY);
}

/// [MS-OXNSPI] 2.2.1.3 DT_CONTAINER.
const DT_CONTAINER: u32 = 0x0000_0100;
/// [MS-OXCDATA] 2.4 ecWarnWithErrors (capture 104).
const WARN_WITH_ERRORS: ErrorCode = ErrorCode(0x0004_0380);
/// The MId of the first mailbox (creation order; mailboxes are never
/// deleted, so MIds are stable). 0x11 is the MId gromox gives its first
/// user (captures 097, 104: alice 0x11, bob 0x12).
const FIRST_MID: u32 = 0x11;
/// PidTagObjectType MAPI_MAILUSER.
const MAPI_MAILUSER: i32 = 6;

/// One GAL mail user.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Its MId (0x11 for the first mailbox created, then 0x12, …).
    pub mid: u32,
    /// PidTagDisplayName.
    pub display_name: String,
    /// PidTagSmtpAddress.
    pub address: String,
    /// legacyExchangeDN (PidTagEmailAddress).
    pub legacy_dn: String,
    /// PidTagAddressBookHomeMessageDatabase: the DN of the mailbox database.
    pub home_mdb: String,
    /// Directory attributes of the user (title, department, phones,
    /// office, photo …) as stored with the mailbox.
    pub extra: Vec<TaggedValue>,
}

impl Entry {
    /// The account name: the SMTP address, as gromox answers (capture 094).
    pub fn account(&self) -> &str {
        &self.address
    }

    /// Every property of the entry in its natural type; `ephemeral` picks
    /// the EntryId form ([MS-OXNSPI] 2.2.9.2 / 2.2.9.3).
    pub fn properties(&self, server: Guid, ephemeral: bool) -> Vec<TaggedValue> {
        let permanent = AddressBookEntryId::new(DisplayType::MAILUSER, &self.legacy_dn).to_bytes().unwrap_or_default();
        let entry_id = if ephemeral {
            EphemeralEntryId::new(server, DisplayType::MAILUSER, self.mid).to_bytes().unwrap_or_default()
        } else {
            permanent.clone()
        };
        vec![
            TaggedValue { tag: tags::DISPLAY_NAME, value: PropValue::String(self.display_name.clone()) },
            TaggedValue { tag: tags::ADDRESS_TYPE, value: PropValue::String("EX".into()) },
            TaggedValue { tag: tags::EMAIL_ADDRESS, value: PropValue::String(self.legacy_dn.clone()) },
            TaggedValue { tag: tags::SMTP_ADDRESS, value: PropValue::String(self.address.clone()) },
            TaggedValue { tag: tags::ACCOUNT, value: PropValue::String(self.account().to_string()) },
            TaggedValue { tag: tags::DISPLAY_TYPE, value: PropValue::I32(0) },
            TaggedValue { tag: tags::OBJECT_TYPE, value: PropValue::I32(MAPI_MAILUSER) },
            TaggedValue { tag: tags::ENTRY_ID, value: PropValue::Binary(entry_id) },
            TaggedValue { tag: tags::RECORD_KEY, value: PropValue::Binary(permanent) },
            TaggedValue { tag: tags::INSTANCE_KEY, value: PropValue::Binary(self.mid.to_le_bytes().to_vec()) },
            TaggedValue {
                tag: tags::PROXY_ADDRESSES,
                value: PropValue::MvString(vec![format!("SMTP:{}", self.address)]),
            },
            TaggedValue { tag: tags::HOME_MDB, value: PropValue::String8(self.home_mdb.clone().into_bytes()) },
        ]
        .into_iter()
        .chain(self.extra.iter().cloned())
        .collect()
    }

    /// The value of `tag` converted to the requested type (PtypUnspecified
    /// = natural type, PtypString8 from PtypString); `None` if absent.
    pub fn value(&self, tag: PropTag, server: Guid, ephemeral: bool) -> Option<TaggedValue> {
        let have = self.properties(server, ephemeral).into_iter().find(|v| v.tag.id() == tag.id())?;
        convert(have, tag.prop_type())
    }
}

/// The DN of a user's mailbox database, as Exchange and gromox form it
/// (capture 131): the organisation of the legacyDN, the server named by
/// the MailboxId, `cn=Microsoft Private MDB`.
fn home_mdb(legacy_dn: &str, address: &str, guid: Guid) -> String {
    let org = legacy_dn.split("/cn=Recipients").next().unwrap_or(legacy_dn);
    let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
    format!("{org}/cn=Configuration/cn=Servers/cn={guid}@{domain}/cn=Microsoft Private MDB")
}

fn convert(have: TaggedValue, want: PropType) -> Option<TaggedValue> {
    if want == PropType(0) || want == have.tag.prop_type() {
        return Some(have);
    }
    let value = match (have.value, want) {
        (PropValue::String(s), PropType::STRING8) => PropValue::String8(s.into_bytes()),
        (PropValue::String8(b), PropType::STRING) => PropValue::String(String::from_utf8_lossy(&b).into_owned()),
        (PropValue::MvString(v), PropType::MULTIPLE_STRING8) => {
            PropValue::MvString8(v.into_iter().map(String::into_bytes).collect())
        }
        _ => return None,
    };
    Some(TaggedValue { tag: have.tag.with_type(want), value })
}

/// The GAL at one moment.
#[derive(Clone, Debug)]
pub struct Gal {
    /// The entries in display-name order.
    pub entries: Vec<Entry>,
    server: Guid,
}

impl Gal {
    /// Reads the private mailboxes of `store` (an unreadable store gives an
    /// empty GAL).
    pub fn load(store: &Store, server: Guid) -> Self {
        let mut mailboxes: Vec<_> =
            store.mailboxes().unwrap_or_default().into_iter().filter(|m| m.kind == StoreKind::Private).collect();
        mailboxes.sort_by_key(|m| m.store_id);
        let mut entries: Vec<Entry> = mailboxes
            .into_iter()
            .zip(FIRST_MID..)
            .map(|(m, mid)| {
                let extra = store
                    .mailbox(&m.address)
                    .and_then(|mb| mb.directory_props())
                    .map(|bag| bag.iter().map(|(tag, value)| TaggedValue { tag, value: value.clone() }).collect())
                    .unwrap_or_default();
                Entry {
                    mid,
                    home_mdb: home_mdb(&m.legacy_dn, &m.address, m.mailbox_guid),
                    display_name: m.display_name,
                    address: m.address,
                    legacy_dn: m.legacy_dn,
                    extra,
                }
            })
            .collect();
        entries
            .sort_by(|a, b| a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()).then(a.mid.cmp(&b.mid)));
        Self { entries, server }
    }

    fn position(&self, mid: u32) -> Option<usize> {
        self.entries.iter().position(|e| e.mid == mid)
    }

    fn by_mid(&self, mid: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.mid == mid)
    }

    fn total(&self) -> u32 {
        u32::try_from(self.entries.len()).unwrap_or(u32::MAX)
    }

    /// A row of `columns` for `entry` (a flagged row when a column is
    /// missing: ErrorCode ecNotFound in its place).
    fn row(&self, entry: Option<&Entry>, columns: &[PropTag], ephemeral: bool) -> PropertyRow {
        let values: Vec<Option<TaggedValue>> =
            columns.iter().map(|t| entry.and_then(|e| e.value(*t, self.server, ephemeral))).collect();
        if values.iter().all(Option::is_some) {
            PropertyRow::Standard(values.into_iter().flatten().map(|v| v.value).collect())
        } else {
            PropertyRow::Flagged(
                values
                    .into_iter()
                    .map(|v| match v {
                        Some(v) => FlaggedValue::Value(v.value),
                        None => FlaggedValue::Error(ErrorCode::NOT_FOUND),
                    })
                    .collect(),
            )
        }
    }

    /// Columns with PtypUnspecified replaced by the natural type.
    fn columns(&self, requested: Option<&Vec<PropTag>>) -> Vec<PropTag> {
        let requested = requested.cloned().unwrap_or_else(default_columns);
        requested.into_iter().map(|t| if t.prop_type() == PropType(0) { natural_type(t) } else { t }).collect()
    }

    fn rowset(&self, mids: &[u32], requested: Option<&Vec<PropTag>>, flags: RetrievalFlags) -> RowSet {
        let columns = self.columns(requested);
        let eph = flags.contains(RetrievalFlags::EPH_ID);
        let rows = mids.iter().map(|m| self.row(self.by_mid(*m), &columns, eph)).collect();
        RowSet { columns, rows }
    }

    /// The STAT with the GAL's totals.
    fn stat(&self, state: Option<Stat>) -> Stat {
        let mut s = state.unwrap_or_else(|| Stat::new(1252));
        s.total_recs = self.total();
        s
    }

    /// [MS-OXNSPI] 3.1.4.1.3 NspiGetSpecialTable: one row, the GAL container.
    pub fn special_table(&self, r: &GetSpecialTableRequest) -> GetSpecialTableResponse {
        let container = AddressBookEntryId::new(DisplayType(DT_CONTAINER), "/").to_bytes().unwrap_or_default();
        let row = vec![
            TaggedValue { tag: tags::ENTRY_ID, value: PropValue::Binary(container) },
            TaggedValue { tag: tags::CONTAINER_FLAGS, value: PropValue::I32(0x0000_0001 | 0x0000_0008) },
            TaggedValue { tag: tags::DEPTH, value: PropValue::I32(0) },
            TaggedValue { tag: tags::CONTAINER_ID, value: PropValue::I32(0) },
            TaggedValue { tag: tags::DISPLAY_NAME, value: PropValue::String(String::new()) },
            TaggedValue { tag: tags::IS_MASTER, value: PropValue::Bool(false) },
        ];
        GetSpecialTableResponse {
            error_code: ErrorCode::SUCCESS,
            code_page: r.state.map_or(1252, |s| s.code_page),
            version: r.version,
            rows: Some(vec![row]),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.8 NspiQueryRows: the explicit table, or
    /// `RowCount` rows from the STAT's position (CurrentRec + Delta).
    pub fn query_rows(&self, r: &QueryRowsRequest) -> QueryRowsResponse {
        let mut stat = self.stat(r.state);
        if !r.explicit_table.is_empty() {
            let mids: Vec<u32> = r.explicit_table.iter().map(|m| m.0).collect();
            return QueryRowsResponse {
                error_code: ErrorCode::SUCCESS,
                state: Some(stat),
                rows: Some(self.rowset(&mids, r.columns.as_ref(), r.flags)),
                auxiliary_buffer: Vec::new(),
            };
        }
        let total = self.entries.len();
        let start = match stat.current_rec {
            MinimalId::BEGINNING_OF_TABLE => 0,
            MinimalId::END_OF_TABLE => total,
            MinimalId::CURRENT => usize::try_from(stat.num_pos).unwrap_or(total).min(total),
            m => self.position(m.0).unwrap_or(total),
        };
        let start = (i64::try_from(start).unwrap_or(0) + i64::from(stat.delta)).clamp(0, total as i64) as usize;
        let count = usize::try_from(r.row_count).unwrap_or(usize::MAX);
        let end = start.saturating_add(count).min(total);
        let mids: Vec<u32> = self.entries.get(start..end).unwrap_or_default().iter().map(|e| e.mid).collect();
        stat.delta = 0;
        stat.num_pos = end as u32;
        stat.current_rec = self.entries.get(end).map_or(MinimalId::END_OF_TABLE, |e| MinimalId(e.mid));
        QueryRowsResponse {
            error_code: ErrorCode::SUCCESS,
            state: Some(stat),
            rows: Some(self.rowset(&mids, r.columns.as_ref(), r.flags)),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.10 NspiGetMatches: the entries the filter
    /// accepts (at most `RowCount`).
    pub fn matches(&self, r: &GetMatchesRequest) -> GetMatchesResponse {
        let stat = self.stat(r.state);
        let limit = usize::try_from(r.row_count).unwrap_or(usize::MAX);
        let candidates: Vec<&Entry> = match &r.minimal_ids {
            Some(ids) => ids.iter().filter_map(|m| self.by_mid(m.0)).collect(),
            None => self.entries.iter().collect(),
        };
        let mids: Vec<u32> = candidates
            .into_iter()
            .filter(|e| r.filter.as_ref().is_none_or(|f| self.eval(&f.restriction, e)))
            .take(limit)
            .map(|e| e.mid)
            .collect();
        GetMatchesResponse {
            error_code: ErrorCode::SUCCESS,
            state: Some(stat),
            minimal_ids: Some(mids.iter().map(|m| MinimalId(*m)).collect()),
            rows: Some(self.rowset(&mids, r.columns.as_ref(), RetrievalFlags(0))),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// ANR ([MS-OXNSPI] 3.1.4.7): a case-insensitive prefix of the display
    /// name or any of its words, the account or the SMTP address.
    fn anr(&self, e: &Entry, pattern: &str) -> bool {
        let p = pattern.trim().to_lowercase();
        if p.is_empty() {
            return false;
        }
        let name = e.display_name.to_lowercase();
        name.starts_with(&p)
            || name.split_whitespace().any(|w| w.starts_with(&p))
            || e.account().to_lowercase().starts_with(&p)
            || e.address.to_lowercase().starts_with(&p)
            || e.legacy_dn.eq_ignore_ascii_case(&p)
    }

    fn eval(&self, r: &Restriction, e: &Entry) -> bool {
        match r {
            Restriction::And(v) => v.iter().all(|r| self.eval(r, e)),
            Restriction::Or(v) => v.iter().any(|r| self.eval(r, e)),
            Restriction::Not(r) => !self.eval(r, e),
            Restriction::Property { op, tag, value } => {
                let Some(pattern) = text(&value.value) else { return false };
                if tag.id() == tags::ANR.id() {
                    return self.anr(e, &pattern);
                }
                let Some(have) = e.value(tag.with_type(PropType(0)), self.server, false).and_then(|v| text(&v.value))
                else {
                    return false;
                };
                let ord = have.to_lowercase().cmp(&pattern.to_lowercase());
                match *op {
                    RelOp::LT => ord == Ordering::Less,
                    RelOp::LE => ord != Ordering::Greater,
                    RelOp::GT => ord == Ordering::Greater,
                    RelOp::GE => ord != Ordering::Less,
                    RelOp::EQ => ord == Ordering::Equal,
                    RelOp::NE => ord != Ordering::Equal,
                    _ => false,
                }
            }
            Restriction::Content { fuzzy, tag, value } => {
                let Some(pattern) = text(&value.value) else { return false };
                if tag.id() == tags::ANR.id() {
                    return self.anr(e, &pattern);
                }
                let Some(have) = e.value(tag.with_type(PropType(0)), self.server, false).and_then(|v| text(&v.value))
                else {
                    return false;
                };
                let (have, pattern) = if fuzzy.high & FuzzyLevel::IGNORE_CASE != 0 {
                    (have.to_lowercase(), pattern.to_lowercase())
                } else {
                    (have, pattern)
                };
                match fuzzy.low {
                    FuzzyLevel::SUBSTRING => have.contains(&pattern),
                    FuzzyLevel::PREFIX => have.starts_with(&pattern),
                    _ => have == pattern,
                }
            }
            Restriction::Exist { tag } => e.value(*tag, self.server, false).is_some(),
            _ => false,
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.17 NspiResolveNamesW: per name MID_UNRESOLVED
    /// (0), MID_AMBIGUOUS (1) or — as the specification says — the MId of
    /// the one match, with a row for each resolved name.
    ///
    /// gromox 3.10 answers MID_RESOLVED (2) instead of the MId (captures
    /// 100, 102, 103; README "Observed behaviour"); we follow the spec.
    pub fn resolve_names(&self, r: &ResolveNamesRequest) -> ResolveNamesResponse {
        let names = r.names.clone().unwrap_or_default();
        let mut mids = Vec::with_capacity(names.len());
        let mut resolved = Vec::new();
        for name in &names {
            let hits: Vec<&Entry> = self
                .entries
                .iter()
                .filter(|e| {
                    e.address.eq_ignore_ascii_case(name.trim())
                        || e.legacy_dn.eq_ignore_ascii_case(name.trim())
                        || self.anr(e, name)
                })
                .collect();
            match hits.as_slice() {
                [] => mids.push(MinimalId::UNRESOLVED),
                [one] => {
                    mids.push(MinimalId(one.mid));
                    resolved.push(one.mid);
                }
                _ => mids.push(MinimalId::AMBIGUOUS),
            }
        }
        ResolveNamesResponse {
            error_code: ErrorCode::SUCCESS,
            // NspiResolveNamesW: the names are Unicode, CP_WINUNICODE
            // (capture 100's CodePage 1200).
            code_page: 1200,
            minimal_ids: Some(mids),
            rows: Some(self.rowset(&resolved, r.property_tags.as_ref(), RetrievalFlags(0))),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.7 NspiGetProps of the STAT's CurrentRec: a
    /// missing property is PtypErrorCode ecNotFound and the call answers
    /// ecWarnWithErrors (capture 104).
    pub fn props(&self, r: &GetPropsRequest) -> GetPropsResponse {
        let code_page = r.state.map_or(1252, |s| s.code_page);
        let mid = r.state.map_or(0, |s| s.current_rec.0);
        let Some(entry) = self.by_mid(mid) else {
            return GetPropsResponse {
                error_code: ErrorCode::NOT_FOUND,
                code_page,
                property_values: None,
                auxiliary_buffer: Vec::new(),
            };
        };
        let eph = r.flags.contains(RetrievalFlags::EPH_ID);
        let Some(tags) = &r.property_tags else {
            return GetPropsResponse {
                error_code: ErrorCode::SUCCESS,
                code_page,
                property_values: Some(entry.properties(self.server, eph)),
                auxiliary_buffer: Vec::new(),
            };
        };
        let mut warn = false;
        let values = tags
            .iter()
            .map(|t| {
                entry.value(*t, self.server, eph).unwrap_or_else(|| {
                    warn = true;
                    TaggedValue {
                        tag: t.with_type(PropType::ERROR_CODE),
                        value: PropValue::Error(ErrorCode::NOT_FOUND),
                    }
                })
            })
            .collect();
        GetPropsResponse {
            error_code: if warn { WARN_WITH_ERRORS } else { ErrorCode::SUCCESS },
            code_page,
            property_values: Some(values),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.6 NspiGetPropList.
    pub fn prop_list(&self, r: &GetPropListRequest) -> GetPropListResponse {
        match self.by_mid(r.minimal_id.0) {
            Some(e) => GetPropListResponse {
                error_code: ErrorCode::SUCCESS,
                // Strings in the request's code page: PtypString8 unless
                // it is CP_WINUNICODE (1200) (capture 105 lists 0x39FE001E).
                property_tags: Some(
                    e.properties(self.server, false)
                        .into_iter()
                        .map(|v| match v.tag.prop_type() {
                            PropType::STRING if r.code_page != 1200 => v.tag.with_type(PropType::STRING8),
                            PropType::MULTIPLE_STRING if r.code_page != 1200 => {
                                v.tag.with_type(PropType::MULTIPLE_STRING8)
                            }
                            _ => v.tag,
                        })
                        .collect(),
                ),
                auxiliary_buffer: Vec::new(),
            },
            None => GetPropListResponse {
                error_code: ErrorCode::NOT_FOUND,
                property_tags: None,
                auxiliary_buffer: Vec::new(),
            },
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.13 NspiDNToMId: 0 for an unknown DN.
    pub fn dn_to_mid(&self, r: &DnToMIdRequest) -> DnToMIdResponse {
        let mids = r
            .names
            .as_ref()
            .map(|names| {
                names
                    .iter()
                    .map(|n| {
                        MinimalId(
                            self.entries.iter().find(|e| e.legacy_dn.eq_ignore_ascii_case(n)).map_or(0, |e| e.mid),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        DnToMIdResponse { error_code: ErrorCode::SUCCESS, minimal_ids: Some(mids), auxiliary_buffer: Vec::new() }
    }

    /// [MS-OXNSPI] 3.1.4.1.9 NspiSeekEntries: positions the STAT on the
    /// first entry whose display name is ≥ the target; rows from there.
    pub fn seek_entries(&self, r: &SeekEntriesRequest) -> SeekEntriesResponse {
        let mut stat = self.stat(r.state);
        let Some(target) = r.target.as_ref().and_then(|t| text(&t.value)) else {
            return SeekEntriesResponse {
                error_code: ErrorCode(0x8007_0057),
                state: None,
                rows: None,
                auxiliary_buffer: Vec::new(),
            };
        };
        let target = target.to_lowercase();
        let list: Vec<&Entry> = match &r.explicit_table {
            Some(ids) => ids.iter().filter_map(|m| self.by_mid(m.0)).collect(),
            None => self.entries.iter().collect(),
        };
        let Some(pos) = list.iter().position(|e| e.display_name.to_lowercase() >= target) else {
            return SeekEntriesResponse {
                error_code: ErrorCode::NOT_FOUND,
                state: Some(stat),
                rows: None,
                auxiliary_buffer: Vec::new(),
            };
        };
        let mids: Vec<u32> = list.get(pos..).unwrap_or_default().iter().map(|e| e.mid).collect();
        stat.current_rec = MinimalId(mids.first().copied().unwrap_or(2));
        stat.num_pos = pos as u32;
        stat.delta = 0;
        SeekEntriesResponse {
            error_code: ErrorCode::SUCCESS,
            state: Some(stat),
            rows: r.columns.as_ref().map(|c| self.rowset(&mids, Some(c), RetrievalFlags(0))),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.2 NspiCompareMIds: negative if MId1 sorts
    /// before MId2 in the table, 0 if equal, positive after.
    ///
    /// gromox answers -1 for bob (0x12) vs alice (0x11) (capture 106) in its
    /// own field order (Result before ErrorCode); we follow the spec order
    /// of fields and values (bob after alice in display-name order: 1).
    pub fn compare_mids(&self, r: &CompareMIdsRequest) -> CompareMIdsResponse {
        let (a, b) = (self.position(r.minimal_id1.0), self.position(r.minimal_id2.0));
        match (a, b) {
            (Some(a), Some(b)) => CompareMIdsResponse {
                error_code: ErrorCode::SUCCESS,
                result: match a.cmp(&b) {
                    Ordering::Less => -1,
                    Ordering::Equal => 0,
                    Ordering::Greater => 1,
                },
                auxiliary_buffer: Vec::new(),
            },
            _ => CompareMIdsResponse { error_code: ErrorCode(0x8000_4005), result: 0, auxiliary_buffer: Vec::new() },
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.5 NspiQueryColumns: every property the GAL
    /// serves.
    pub fn query_columns(&self, _r: &QueryColumnsRequest) -> QueryColumnsResponse {
        let sample = Entry {
            mid: 0,
            display_name: String::new(),
            address: String::new(),
            legacy_dn: String::new(),
            home_mdb: String::new(),
            extra: Vec::new(),
        };
        QueryColumnsResponse {
            error_code: ErrorCode::SUCCESS,
            columns: Some(sample.properties(self.server, false).into_iter().map(|v| v.tag).collect()),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.4 NspiUpdateStat: applies Delta to the position.
    pub fn update_stat(&self, r: &UpdateStatRequest) -> UpdateStatResponse {
        let mut stat = self.stat(r.state);
        let total = self.entries.len();
        let start = match stat.current_rec {
            MinimalId::BEGINNING_OF_TABLE => 0,
            MinimalId::END_OF_TABLE => total,
            MinimalId::CURRENT => (stat.num_pos as usize).min(total),
            m => self.position(m.0).unwrap_or(total),
        };
        let delta = stat.delta;
        let pos = (start as i64 + i64::from(delta)).clamp(0, total as i64) as usize;
        stat.num_pos = pos as u32;
        stat.delta = 0;
        stat.current_rec = self.entries.get(pos).map_or(MinimalId::END_OF_TABLE, |e| MinimalId(e.mid));
        UpdateStatResponse {
            error_code: ErrorCode::SUCCESS,
            state: Some(stat),
            delta: r.delta_requested.then_some(pos as i32 - start as i32),
            auxiliary_buffer: Vec::new(),
        }
    }
}

fn default_columns() -> Vec<PropTag> {
    vec![
        tags::ENTRY_ID,
        tags::DISPLAY_NAME,
        tags::ADDRESS_TYPE,
        tags::EMAIL_ADDRESS,
        tags::SMTP_ADDRESS,
        tags::DISPLAY_TYPE,
        tags::OBJECT_TYPE,
        tags::INSTANCE_KEY,
    ]
}

fn natural_type(t: PropTag) -> PropTag {
    let sample = Entry {
        mid: 0,
        display_name: String::new(),
        address: String::new(),
        legacy_dn: String::new(),
        home_mdb: String::new(),
        extra: Vec::new(),
    };
    sample.properties(Guid([0; 16]), false).into_iter().find(|v| v.tag.id() == t.id()).map_or(t, |v| v.tag)
}

fn text(v: &PropValue) -> Option<String> {
    match v {
        PropValue::String(s) => Some(s.clone()),
        PropValue::String8(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}
