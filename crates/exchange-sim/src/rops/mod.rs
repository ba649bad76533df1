//! The ROP executor: [`StoreBackend`] implements
//! [`MailboxBackend`](crate::session::MailboxBackend) over the
//! [`Store`](crate::store::Store), running each Execute's ROPs like Exchange
//! does ([MS-OXCROPS] 2.2.1, 3.2; [MS-OXCRPC] 3.1.4.2), following the
//! gromox captures where they pin behaviour down (corrections B5, B11, A14).
//!
//! | module | what |
//! |---|---|
//! | `backend` | Connect / Execute / Disconnect; RPC_HEADER_EXT in and out; MaxRopOut |
//! | `objects` | the per-session server object handle table |
//! | `dispatch` | one ROP request → one response, error responses |
//! | `logon` | RopLogon and the store ROPs |
//! | `folder` | folder ROPs |
//! | `table` | table ROPs over [`TableView`](crate::store::table::TableView) |
//! | `message` | message, recipient, read-flag, attachment and submit ROPs |
//! | `props` | property and named-property ROPs |
//! | `stream` | stream ROPs |
//! | `notify` | RopRegisterNotification, RopNotify, RopPending |
//! | `ics` | ICS download: SynchronizationConfigure, state upload, FastTransferSourceGetBuffer, GetTransferState |
//! | `fast_transfer` | FastTransferSourceCopyTo (message, folder), CopyProperties (message), CopyMessages, CopyFolder |
//! | `ics_upload` | ICS upload: SynchronizationOpenCollector, the Import ROPs, GetLocalReplicaIds |
//!
//! ROPs that are decoded but not executed here answer ecNotSupported with
//! the header-only failure layout.

mod backend;
mod calendar_attendant;
mod dispatch;
mod fast_transfer;
mod folder;
mod ics;
mod ics_upload;
mod logon;
mod message;
mod notify;
mod objects;
mod props;
mod row_cache;
mod stream;
mod table;

pub use backend::{COMPRESSION_THRESHOLD, StoreBackend};
pub(crate) use message::one_off_entry_id;
