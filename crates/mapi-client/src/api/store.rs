//! [MS-OXCSTOR] store logons: a [`Mailbox`] handle over one [`EmsmdbSession`] — RopLogon
//! (own mailbox, another user's mailbox, public folders), the logon's special folder ids,
//! RopGetReceiveFolder, and the Execute gate that re-logs on after a lost context and
//! repeats idempotent reads.

use std::sync::Arc;

use mapi_wire::ErrorCode;
use mapi_wire::ids::FolderId;
use mapi_wire::rop::{
    ColumnMemory, GetReceiveFolderRequest, LogonFlags, LogonOpenFlags, LogonRequest, LogonResponseBody, RopRequest,
    RopRequestBuffer, RopResponse,
};

use super::exec::{Answers, Executor, WireCounters, WireStats};
use super::logon_ids::LogonIdLease;
use super::{Error, Result};
use crate::{DEFAULT_MAX_ROP_OUT, EmsmdbSession, ExecuteFlags};

/// RopNotify responses kept from ordinary Executes until a subscriber takes them.
const MAX_QUEUED_NOTIFICATIONS: usize = 1024;

/// Which store to log on to ([MS-OXCSTOR] 2.2.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreTarget {
    /// A private mailbox by its legacyExchangeDN (the user's own, or another user's
    /// when the account has rights to it).
    Mailbox {
        /// legacyExchangeDN of the mailbox (Autodiscover `LegacyDN`, or the NSPI
        /// `PidTagEmailAddress` of the owner for another user's mailbox).
        legacy_dn: String,
    },
    /// The public folder store.
    PublicFolders,
}

/// Options of a [`Mailbox`].
#[derive(Clone, Debug)]
pub struct MailboxOptions {
    /// Execute `Flags` ([MS-OXCMAPIHTTP] 2.2.4.2.1): default NoXorMagic|NoCompression
    /// (what Outlook sends, captures 005–040). Without NoCompression the server may
    /// compress responses.
    pub flags: ExecuteFlags,
    /// `MaxRopOut` of ordinary Executes.
    pub max_rop_out: u32,
    /// Ask for chained output (Chain flag, MaxRopOut 0x40000) when paging tables.
    pub chain_tables: bool,
    /// Rows asked per RopQueryRows when paging (the server returns as many as fit).
    pub page_rows: u16,
    /// PropertySizeLimit of RopGetProperties* (0 = the server's default; larger values
    /// come back as ecNotEnoughMemory and are streamed).
    pub property_size_limit: u16,
    /// MaximumByteCount of each RopReadStream (one per Execute).
    pub stream_chunk: u32,
}

impl Default for MailboxOptions {
    fn default() -> Self {
        Self {
            flags: ExecuteFlags(ExecuteFlags::NO_COMPRESSION.0 | ExecuteFlags::NO_XOR_MAGIC.0),
            max_rop_out: DEFAULT_MAX_ROP_OUT,
            chain_tables: true,
            page_rows: 0x1000,
            property_size_limit: 0,
            stream_chunk: 0xF000,
        }
    }
}

/// The special folders a RopLogon names ([MS-OXCROPS] 2.2.3.1.2; order confirmed by
/// corrections B8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecialFolder {
    /// Root of the mailbox (FolderIds[0]).
    Root,
    /// Deferred Action (1).
    DeferredAction,
    /// Spooler Queue (2).
    SpoolerQueue,
    /// Top of the IPM subtree (3).
    IpmSubtree,
    /// Inbox (4).
    Inbox,
    /// Outbox (5).
    Outbox,
    /// Sent Items (6).
    SentItems,
    /// Deleted Items (7).
    DeletedItems,
    /// Common Views (8).
    CommonViews,
    /// Schedule (9).
    Schedule,
    /// Search (10).
    Search,
    /// Views (11).
    Views,
    /// Shortcuts (12).
    Shortcuts,
}

/// What RopLogon returned.
#[derive(Clone, Debug, PartialEq)]
pub struct LogonInfo {
    /// The 13 FolderIds of the logon response.
    pub folder_ids: [FolderId; 13],
    /// True for a private mailbox logon.
    pub private: bool,
    /// MailboxGuid (private) or PerUserGuid (public).
    pub mailbox_guid: mapi_wire::Guid,
    /// ReplId of the logon (not the FID/MID replid on gromox, corrections A15).
    pub repl_id: u16,
    /// ReplGuid of the logon.
    pub repl_guid: mapi_wire::Guid,
}

impl LogonInfo {
    /// The id of a special folder. Public logons fill fewer slots (unused ones are 0).
    pub fn folder(&self, which: SpecialFolder) -> FolderId {
        let i = which as usize;
        self.folder_ids.get(i).copied().unwrap_or(FolderId(0))
    }
}

pub(crate) struct Inner {
    pub(crate) logon_handle: u32,
    pub(crate) generation: u64,
    pub(crate) memory: ColumnMemory,
    #[allow(dead_code)] // filled by named-property resolution (not yet on this branch)
    pub(crate) named: std::collections::HashMap<mapi_wire::named::PropertyName, u16>,
    /// Server handles to release with the next Execute (tables and folders a finished
    /// cursor kept open); dropped after a reconnect.
    pub(crate) pending_release: Vec<u32>,
    /// RopNotify responses that arrived with other Executes, for [`super::Notifications`].
    pub(crate) notifications: Vec<mapi_wire::rop::NotifyResponse>,
}

/// Whether an operation may be sent again after a lost context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// A read: re-log on, re-open and send again.
    Idempotent,
    /// A write: report [`crate::Error::Reconnected`] (the request was not executed) to
    /// the caller, after re-logging on so that the next call works.
    Once,
    /// A write that opens every object it touches within the same request (only the
    /// logon handle comes from before): a lost context means the server refused it
    /// before executing anything, so after the re-logon it is sent once more. Never
    /// used after an ambiguous outcome ([`crate::Error::Ambiguous`] is returned as is).
    Resend,
}

/// A logged-on store over one session. Cheap operations are batched into single
/// Executes; handles are opened and released within each operation (or kept by a
/// [`super::TableCursor`] that can re-open itself), so a lost context costs one
/// re-logon.
pub struct Mailbox {
    pub(crate) exec: Executor,
    pub(crate) target: StoreTarget,
    pub(crate) options: MailboxOptions,
    pub(crate) info: LogonInfo,
    pub(crate) inner: tokio::sync::Mutex<Inner>,
}

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailbox").field("target", &self.target).field("info", &self.info).finish_non_exhaustive()
    }
}

/// The RopLogon request for a target ([MS-OXCROPS] 2.2.3.1.1; capture 005), with
/// LogonId 0: a [`Mailbox`] sends it with its own LogonId ([`Mailbox::logon_id`]).
pub fn logon_request(target: &StoreTarget) -> LogonRequest {
    match target {
        StoreTarget::Mailbox { legacy_dn } => LogonRequest {
            logon_id: 0,
            output_handle_index: 0,
            logon_flags: LogonFlags::PRIVATE,
            open_flags: LogonOpenFlags::USE_PER_MDB_REPLID_MAPPING,
            store_state: 0,
            essdn: Some(legacy_dn.clone()),
        },
        StoreTarget::PublicFolders => LogonRequest {
            logon_id: 0,
            output_handle_index: 0,
            logon_flags: LogonFlags(0),
            open_flags: LogonOpenFlags(LogonOpenFlags::PUBLIC.0 | LogonOpenFlags::USE_PER_MDB_REPLID_MAPPING.0),
            store_state: 0,
            essdn: None,
        },
    }
}

async fn do_logon(exec: &Executor, target: &StoreTarget, memory: &mut ColumnMemory) -> Result<(u32, u64, LogonInfo)> {
    let request = RopRequestBuffer { rops: vec![RopRequest::Logon(logon_request(target))], handles: vec![u32::MAX] };
    let answers = exec.run(request, memory, false).await?;
    let RopResponse::Logon(l) = answers.at(0)? else {
        return Err(Error::Protocol("RopLogon answered by another ROP".into()));
    };
    let info = match &l.body {
        Some(LogonResponseBody::Private(p)) => LogonInfo {
            folder_ids: p.folder_ids,
            private: true,
            mailbox_guid: p.mailbox_guid,
            repl_id: p.repl_id,
            repl_guid: p.repl_guid,
        },
        Some(LogonResponseBody::Public(p)) => LogonInfo {
            folder_ids: p.folder_ids,
            private: false,
            mailbox_guid: p.per_user_guid,
            repl_id: p.repl_id,
            repl_guid: p.repl_guid,
        },
        Some(LogonResponseBody::Redirect { server_name, .. }) => {
            return Err(Error::WrongServer { server: server_name.clone() });
        }
        None => return Err(Error::Rop { rop: mapi_wire::rop::RopId::LOGON, code: l.return_value }),
    };
    if l.return_value != ErrorCode::SUCCESS {
        return Err(Error::Rop { rop: mapi_wire::rop::RopId::LOGON, code: l.return_value });
    }
    Ok((answers.handle(0)?, answers.generation, info))
}

impl Mailbox {
    /// Logs on ([MS-OXCROPS] 2.2.3.1 RopLogon) to `target` over `session`.
    pub async fn logon(session: Arc<EmsmdbSession>, target: StoreTarget, options: MailboxOptions) -> Result<Self> {
        // Held by the Executor: freed when the Mailbox is dropped (or its logon fails).
        let logon = LogonIdLease::take(&session)?;
        let exec = Executor {
            session,
            logon,
            flags: options.flags,
            max_rop_out: options.max_rop_out,
            stats: WireStats::default(),
        };
        let mut memory = ColumnMemory::default();
        let (logon_handle, generation, info) = logon_retrying(&exec, &target, &mut memory).await?;
        Ok(Self {
            exec,
            target,
            options,
            info,
            inner: tokio::sync::Mutex::new(Inner {
                logon_handle,
                generation,
                memory,
                named: std::collections::HashMap::new(),
                pending_release: Vec::new(),
                notifications: Vec::new(),
            }),
        })
    }

    /// What RopLogon returned.
    pub fn info(&self) -> &LogonInfo {
        &self.info
    }

    /// The id of a special folder of the logon.
    pub fn folder(&self, which: SpecialFolder) -> FolderId {
        self.info.folder(which)
    }

    /// The session under this store.
    pub fn session(&self) -> &Arc<EmsmdbSession> {
        &self.exec.session
    }

    /// The LogonId of this logon on its session ([MS-OXCROPS] 3.1.4.2): sent in its
    /// RopLogon (also after a lost context) and in every ROP it issues.
    pub fn logon_id(&self) -> u8 {
        self.exec.logon.id()
    }

    /// Round trips and bytes since logon.
    pub fn wire_counters(&self) -> WireCounters {
        self.exec.stats.snapshot()
    }

    /// [MS-OXCROPS] 2.2.3.2 RopGetReceiveFolder: the folder that receives `message_class`
    /// ("" = the default, usually the Inbox) and the class that matched.
    pub async fn receive_folder(&self, message_class: &str) -> Result<(FolderId, String)> {
        let mc = message_class.to_owned();
        let a = self
            .run(Repeat::Idempotent, 1, move |_| {
                vec![RopRequest::GetReceiveFolder(GetReceiveFolderRequest {
                    logon_id: 0,
                    input_handle_index: 0,
                    message_class: mc.clone(),
                })]
            })
            .await?;
        match a.at(0)? {
            RopResponse::GetReceiveFolder(r) => match &r.success {
                Some(s) => Ok((s.folder_id, s.explicit_message_class.clone())),
                None => Err(Error::Rop { rop: mapi_wire::rop::RopId::GET_RECEIVE_FOLDER, code: r.return_value }),
            },
            other => Err(Error::Protocol(format!("expected RopGetReceiveFolder, got {}", other.id()))),
        }
    }

    /// Runs a ROP list built by `build` (slot 0 = the logon; `slots` handle table
    /// entries). A lost context (or a generation change caused by another call) leads to
    /// a re-logon; `Repeat::Idempotent` lists are then built and sent again.
    pub(crate) async fn run<F>(&self, repeat: Repeat, slots: usize, build: F) -> Result<Answers>
    where
        F: Fn(&Inner) -> Vec<RopRequest>,
    {
        self.run_with(repeat, slots, false, build).await
    }

    /// [`Mailbox::run`] with chained output.
    pub(crate) async fn run_with<F>(&self, repeat: Repeat, slots: usize, chain: bool, build: F) -> Result<Answers>
    where
        F: Fn(&Inner) -> Vec<RopRequest>,
    {
        self.run_inner(repeat, slots, chain, &[], build).await
    }

    /// Runs `rops` with the server handles `preset` in slots 1.. (objects kept open by a
    /// cursor). A lost context is reported as [`crate::Error::Reconnected`] (after a
    /// re-logon): the caller re-opens its objects.
    pub(crate) async fn run_handles(&self, chain: bool, preset: &[u32], rops: Vec<RopRequest>) -> Result<Answers> {
        self.run_inner(Repeat::Once, preset.len() + 1, chain, preset, |_| rops.clone()).await
    }

    async fn run_inner<F>(&self, repeat: Repeat, slots: usize, chain: bool, preset: &[u32], build: F) -> Result<Answers>
    where
        F: Fn(&Inner) -> Vec<RopRequest>,
    {
        let mut inner = self.inner.lock().await;
        for attempt in 0..3u32 {
            if self.exec.session.generation().await != inner.generation {
                self.relogon(&mut inner).await?;
            }
            let mut handles = vec![u32::MAX; slots.max(1)];
            if let Some(h) = handles.first_mut() {
                *h = inner.logon_handle;
            }
            for (slot, h) in handles.iter_mut().skip(1).zip(preset) {
                *slot = *h;
            }
            let mut rops = build(&inner);
            // Deferred releases ride at the end (no response, so answer indices stay).
            for h in std::mem::take(&mut inner.pending_release) {
                let Ok(slot) = u8::try_from(handles.len()) else { break };
                handles.push(h);
                rops.push(RopRequest::Release(mapi_wire::rop::ReleaseRequest {
                    logon_id: 0,
                    input_handle_index: slot,
                }));
            }
            let request = RopRequestBuffer { rops, handles };
            let inner_ref = &mut *inner;
            match self.exec.run(request, &mut inner_ref.memory, chain).await {
                Ok(mut a) if a.generation == inner.generation => {
                    for n in std::mem::take(&mut a.notifications) {
                        if let RopResponse::Notify(n) = n {
                            inner.notifications.push(n);
                        }
                    }
                    // Bounded when nobody subscribes: keep the newest.
                    let excess = inner.notifications.len().saturating_sub(MAX_QUEUED_NOTIFICATIONS);
                    inner.notifications.drain(..excess);
                    return Ok(a);
                }
                Ok(a) => {
                    // Sent in a newer context with stale handles: nothing useful ran.
                    tracing::info!(generation = a.generation, "stale handles after a reconnect; re-logging on");
                    self.relogon(&mut inner).await?;
                    if repeat == Repeat::Once || (repeat == Repeat::Resend && attempt >= 1) {
                        return Err(Error::Transport(crate::Error::Reconnected {
                            code: mapi_wire::http::ResponseCode::SUCCESS,
                        }));
                    }
                }
                Err(Error::Transport(crate::Error::Reconnected { code })) => {
                    self.relogon(&mut inner).await?;
                    if repeat == Repeat::Once || (repeat == Repeat::Resend && attempt >= 1) || attempt == 2 {
                        return Err(Error::Transport(crate::Error::Reconnected { code }));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::Protocol("context kept being lost".into()))
    }

    async fn relogon(&self, inner: &mut Inner) -> Result<()> {
        inner.memory = ColumnMemory::default();
        inner.pending_release.clear();
        let (h, generation, _info) = logon_retrying(&self.exec, &self.target, &mut inner.memory).await?;
        inner.logon_handle = h;
        inner.generation = generation;
        Ok(())
    }
}

/// RopLogon, repeated (at most twice) after [`crate::Error::Reconnected`].
async fn logon_retrying(
    exec: &Executor,
    target: &StoreTarget,
    memory: &mut ColumnMemory,
) -> Result<(u32, u64, LogonInfo)> {
    let mut n = 0;
    loop {
        match do_logon(exec, target, memory).await {
            Err(Error::Transport(crate::Error::Reconnected { .. })) if n < 2 => n += 1,
            other => return other,
        }
    }
}
