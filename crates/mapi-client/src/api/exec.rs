//! One ROP list through one or more Executes ([MS-OXCROPS] 3.1.4.1, [MS-OXCRPC] 3.1.4.2):
//! RopBackoff and RopBufferTooSmall leave a tail of unanswered ROPs that is sent again
//! (after the backoff time, or with a larger MaxRopOut); chained output buffers of a
//! repeated RopQueryRows/RopReadStream/RopFastTransferSourceGetBuffer are decoded as
//! further answers to that ROP.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mapi_wire::rop::{
    ColumnMemory, ExecuteContext, RopId, RopRequest, RopRequestBuffer, RopResponse, RopResponseBuffer,
};
use mapi_wire::{Encode, ErrorCode};

use super::{Error, Result};
use crate::{EmsmdbSession, ExecuteFlags};

/// The ROP input limit of one Execute: the 32 KB RPC_HEADER_EXT payload
/// ([MS-OXCMAPIHTTP] 2.2.4.2.1, [MS-OXCRPC] 3.1.4.2.1.1).
pub const MAX_ROP_IN: usize = 0x8000;

/// MaxRopOut the API asks for when it wants chained output (the [MS-OXCRPC] 3.1.4.2
/// `pcbOut` maximum of 0x40000 bytes).
pub const CHAINED_MAX_ROP_OUT: u32 = 0x40000;

/// How many times a Backoff/BufferTooSmall tail is sent again before giving up.
const MAX_TAIL_ROUNDS: u32 = 8;

/// Wire counters of a [`super::Mailbox`] (all Executes since it was opened).
#[derive(Debug, Default)]
pub(crate) struct WireStats {
    round_trips: AtomicU64,
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    /// Moved before and after every Execute that carries a ROP which may
    /// change the store ([`mapi_wire::rop::RopId::reads_only`]).
    writes: AtomicU64,
}

/// A snapshot of [`WireStats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireCounters {
    /// Execute requests sent.
    pub round_trips: u64,
    /// Execute request body bytes (after compression).
    pub bytes_sent: u64,
    /// Execute response body bytes (binary part, before decompression).
    pub bytes_received: u64,
    /// A count that moves whenever an Execute that may change the store is
    /// about to be sent or has been answered: a cache caught up while it
    /// stood still has missed no write of this session.
    pub writes: u64,
}

impl WireStats {
    /// The counters now.
    pub(crate) fn snapshot(&self) -> WireCounters {
        WireCounters {
            round_trips: self.round_trips.load(Ordering::Relaxed),
            bytes_sent: self.bytes_sent.load(Ordering::Relaxed),
            bytes_received: self.bytes_received.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::SeqCst),
        }
    }
}

/// The answers to one ROP list, aligned with the requests.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    /// One entry per request ROP: None for RopRelease (no response).
    pub(crate) rops: Vec<Option<RopResponse>>,
    /// Further answers to the last ROP from chained output buffers.
    pub(crate) chained: Vec<RopResponse>,
    /// The final server object handle table.
    pub(crate) handles: Vec<u32>,
    /// RopNotify responses that came along.
    pub(crate) notifications: Vec<RopResponse>,
    /// The context generation of the (last) Execute.
    pub(crate) generation: u64,
}

impl Answers {
    /// The response to request `i`.
    pub(crate) fn at(&self, i: usize) -> Result<&RopResponse> {
        self.rops.get(i).and_then(Option::as_ref).ok_or_else(|| Error::Protocol(format!("no response to ROP #{i}")))
    }

    /// The server handle in `slot`.
    pub(crate) fn handle(&self, slot: u8) -> Result<u32> {
        self.handles
            .get(usize::from(slot))
            .copied()
            .ok_or_else(|| Error::Protocol(format!("handle table has no slot {slot}")))
    }
}

/// ReturnValue of any response.
pub(crate) fn return_value(r: &RopResponse) -> Option<ErrorCode> {
    macro_rules! rv {
        ($($v:ident),* $(,)?) => {
            match r {
                $( RopResponse::$v(x) => Some(x.return_value), )*
                _ => None,
            }
        };
    }
    rv!(
        Logon,
        GetReceiveFolder,
        OpenFolder,
        CreateFolder,
        DeleteFolder,
        MoveCopyMessages,
        MoveFolder,
        CopyFolder,
        EmptyFolder,
        HardDeleteMessagesAndSubfolders,
        DeleteMessages,
        HardDeleteMessages,
        GetHierarchyTable,
        GetContentsTable,
        SetColumns,
        SortTable,
        Restrict,
        QueryRows,
        QueryPosition,
        SeekRow,
        SeekRowBookmark,
        CreateBookmark,
        FindRow,
        FreeBookmark,
        ResetTable,
        OpenMessage,
        CreateMessage,
        SaveChangesMessage,
        ModifyRecipients,
        ReadRecipients,
        SetReadFlags,
        SetMessageReadFlag,
        OpenAttachment,
        CreateAttachment,
        SaveChangesAttachment,
        OpenEmbeddedMessage,
        GetAttachmentTable,
        SubmitMessage,
        LongTermIdFromId,
        GetStoreState,
        IdFromLongTermId,
        GetPropertiesSpecific,
        GetPropertiesAll,
        GetPropertiesList,
        SetProperties,
        DeleteProperties,
        GetPropertyIdsFromNames,
        GetNamesFromPropertyIds,
        OpenStream,
        ReadStream,
        WriteStream,
        CommitStream,
        SeekStream,
        GetStreamSize,
        SetStreamSize,
        RegisterNotification,
        SynchronizationConfigure,
        SynchronizationUploadStateStreamBegin,
        SynchronizationUploadStateStreamContinue,
        SynchronizationUploadStateStreamEnd,
        SynchronizationGetTransferState,
        FastTransferSourceGetBuffer,
        SynchronizationImportMessageChange,
        SynchronizationImportDeletes,
        SynchronizationImportReadStateChanges,
        SynchronizationOpenCollector,
        DeleteAttachment,
        SetReceiveFolder,
        AbortSubmit,
        SetSearchCriteria,
        GetSearchCriteria,
        GetStatus,
        Abort,
        QueryColumnsAll,
        SeekRowFractional,
        CollapseRow,
        ExpandRow,
    )
}

/// Fails with [`Error::Rop`] unless `r` succeeded (ecWarnWithErrors 0x00040380 counts
/// as success: some values or names were not available, [MS-OXCDATA] 2.4.2).
pub(crate) fn check(r: &RopResponse) -> Result<()> {
    match return_value(r) {
        Some(code) if code != ErrorCode::SUCCESS && code != ErrorCode(0x0004_0380) => {
            Err(Error::Rop { rop: r.id(), code })
        }
        _ => Ok(()),
    }
}

/// Sends ROP lists for one session.
pub(crate) struct Executor {
    pub(crate) session: Arc<EmsmdbSession>,
    /// The LogonId of the Mailbox: stamped into every ROP it sends.
    pub(crate) logon: super::logon_ids::LogonIdLease,
    pub(crate) flags: ExecuteFlags,
    pub(crate) max_rop_out: u32,
    pub(crate) stats: WireStats,
}

impl Executor {
    /// Runs `request`: one Execute, plus one per RopBackoff/RopBufferTooSmall tail.
    /// `memory` supplies and learns table columns across Executes.
    pub(crate) async fn run(
        &self,
        request: RopRequestBuffer,
        memory: &mut ColumnMemory,
        chain: bool,
    ) -> Result<Answers> {
        let total = request.rops.len();
        let mut answers = Answers { rops: vec![None; total], ..Answers::default() };
        let mut offset = 0usize; // index of the tail's first ROP in the original list
        let mut current = request;
        // The one place LogonId is set: the ROP builders write 0, and every ROP of a
        // Mailbox (its RopLogon included) acts in that Mailbox's logon ([MS-OXCROPS]
        // 2.2.1, 3.1.4.2).
        current.set_logon_id(self.logon.id());
        let mut max_rop_out = if chain { CHAINED_MAX_ROP_OUT.max(self.max_rop_out) } else { self.max_rop_out };
        for _round in 0..MAX_TAIL_ROUNDS {
            let bytes = current.to_bytes()?;
            let writes = current.rops.iter().any(|r| !r.id().reads_only());
            if writes {
                self.stats.writes.fetch_add(1, Ordering::SeqCst);
            }
            if bytes.len() > MAX_ROP_IN {
                return Err(Error::TooLarge(format!("ROP input of {} bytes", bytes.len())));
            }
            let flags = if chain { self.flags | ExecuteFlags::CHAIN } else { self.flags };
            let outcome = self.session.execute(&bytes, flags, max_rop_out).await;
            if writes {
                // Also after the answer (or failure): a catch-up that began
                // while the write was on its way may not have seen it.
                self.stats.writes.fetch_add(1, Ordering::SeqCst);
            }
            let outcome = outcome?;
            self.stats.round_trips.fetch_add(1, Ordering::Relaxed);
            self.stats.bytes_sent.fetch_add(outcome.bytes_sent as u64, Ordering::Relaxed);
            self.stats.bytes_received.fetch_add(outcome.bytes_received as u64, Ordering::Relaxed);
            answers.generation = outcome.generation;
            if outcome.error_code != ErrorCode::SUCCESS {
                return Err(Error::Execute(outcome.error_code));
            }
            let mut payloads = outcome.rop_output.into_iter();
            let first = payloads.next().ok_or_else(|| Error::Protocol("Execute returned no ROP output".into()))?;
            let response = RopResponseBuffer::decode_with(&first, &ExecuteContext::new(&current).with_known(memory))?;
            memory.learn(&current, &response);
            let RopResponseBuffer { rops, handles } = response;
            let mut responses = rops.into_iter();
            let mut stop: Option<RopResponse> = None;
            let mut next_unanswered = current.rops.len();
            let mut last_answered: Option<usize> = None;
            'pair: for (i, req) in current.rops.iter().enumerate() {
                if req.id().has_no_response() {
                    continue;
                }
                loop {
                    let Some(resp) = responses.next() else {
                        next_unanswered = i;
                        break 'pair;
                    };
                    match resp.id() {
                        RopId::NOTIFY | RopId::PENDING => answers.notifications.push(resp),
                        RopId::BACKOFF | RopId::BUFFER_TOO_SMALL => {
                            stop = Some(resp);
                            next_unanswered = i;
                            break 'pair;
                        }
                        _ => {
                            if let Some(slot) = answers.rops.get_mut(offset + i) {
                                *slot = Some(resp);
                            }
                            last_answered = Some(i);
                            break;
                        }
                    }
                }
            }
            for resp in responses {
                match resp.id() {
                    RopId::BACKOFF | RopId::BUFFER_TOO_SMALL => stop = Some(resp),
                    _ => answers.notifications.push(resp),
                }
            }
            // Chained buffers repeat the last answered ROP ([MS-OXCRPC] 3.1.4.2.1.1.1).
            if let Some(last) = last_answered.and_then(|i| current.rops.get(i)) {
                let repeat = RopRequestBuffer { rops: vec![last.clone()], handles: handles.clone() };
                for p in payloads {
                    let more = RopResponseBuffer::decode_with(&p, &ExecuteContext::new(&repeat).with_known(memory))?;
                    for r in more.rops {
                        match r.id() {
                            RopId::NOTIFY | RopId::PENDING => answers.notifications.push(r),
                            _ => answers.chained.push(r),
                        }
                    }
                }
            }
            answers.handles = handles.clone();
            let Some(stop) = stop else {
                if current.rops.iter().skip(next_unanswered).any(|r| !r.id().has_no_response()) {
                    return Err(Error::Protocol(format!(
                        "the server answered {} of {} ROPs",
                        offset + next_unanswered,
                        offset + current.rops.len()
                    )));
                }
                return Ok(answers);
            };
            if next_unanswered >= current.rops.len() {
                return Ok(answers);
            }
            match &stop {
                RopResponse::BufferTooSmall(b) => {
                    let needed = u32::from(b.size_needed).saturating_add(0x100);
                    if needed <= max_rop_out && next_unanswered == 0 {
                        return Err(Error::Execute(ErrorCode(0x47D)));
                    }
                    max_rop_out = max_rop_out.max(needed);
                    tracing::debug!(needed, "RopBufferTooSmall: sending the rest again");
                }
                _ => {
                    let delay = backoff_delay(&stop);
                    tracing::info!(?delay, "RopBackoff: waiting before the rest");
                    tokio::time::sleep(delay).await;
                }
            }
            let tail: Vec<RopRequest> = current.rops.split_off(next_unanswered);
            offset += next_unanswered;
            current = RopRequestBuffer { rops: tail, handles };
        }
        Err(Error::Protocol("server kept answering RopBackoff/RopBufferTooSmall".into()))
    }
}

/// How long a RopBackoff asks us to wait ([MS-OXCROPS] 2.2.15.2: BackoffTime in ms,
/// capped here at 30 s).
fn backoff_delay(stop: &RopResponse) -> Duration {
    match stop {
        RopResponse::Backoff(b) => {
            let ms = b.rops.iter().map(|r| r.duration).chain(std::iter::once(b.duration)).max().unwrap_or(0);
            Duration::from_millis(u64::from(ms.clamp(10, 30_000)))
        }
        _ => Duration::from_millis(1000),
    }
}
