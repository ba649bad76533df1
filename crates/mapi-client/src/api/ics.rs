//! [MS-OXCFXICS] ICS downloads: RopOpenFolder, RopSynchronizationConfigure, the state
//! upload (RopSynchronizationUploadStateStreamBegin/Continue/End per state property) and
//! the first RopFastTransferSourceGetBuffer in one Execute (captures 046, 048, 050), then
//! GetBuffer until TransferStatus Done; the stream is parsed with
//! [`mapi_wire::fx::ContentsSync`] / [`mapi_wire::fx::HierarchySync`]. The new state comes
//! back as bytes ([`state_to_bytes`]) for the caller to persist.

use mapi_wire::fx::{ContentsSync, FxWriter, HierarchySync, SyncState, meta};
use mapi_wire::ids::FolderId;
use mapi_wire::rop::{
    FastTransferSourceGetBufferRequest, RopId, RopRequest, RopResponse, SynchronizationConfigureRequest,
    SynchronizationType, SynchronizationUploadStateStreamBeginRequest, SynchronizationUploadStateStreamContinueRequest,
    SynchronizationUploadStateStreamEndRequest, TransferStatus,
};
use mapi_wire::{ErrorCode, PropTag};

use super::bulk::open_folder;
use super::exec::{Answers, check};
use super::store::{Mailbox, Repeat};
use super::{Error, Result};

/// Bytes of state data per RopSynchronizationUploadStateStreamContinue.
const STATE_CHUNK: usize = 0x3000;

/// How a synchronization is configured ([MS-OXCROPS] 2.2.13.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsOptions {
    /// SendOptions (0x01 Unicode).
    pub send_options: u8,
    /// SynchronizationFlags.
    pub flags: u16,
    /// SynchronizationExtraFlags.
    pub extra_flags: u32,
    /// GetBuffer BufferSize; 0xBABE means "up to `maximum_buffer_size`".
    pub buffer_size: u16,
    /// MaximumBufferSize with 0xBABE.
    pub maximum_buffer_size: u16,
    /// Ask for chained GetBuffer output (Execute Flags Chain, corrections B6).
    pub chain: bool,
}

impl IcsOptions {
    /// Contents sync as in capture 046: Unicode; flags Unicode|NoDeletions off|
    /// ReadState|… (0x0139); extra flags Eid|MessageSize|Cn (0x7); 0xBABE/0x7F00.
    pub fn contents() -> Self {
        Self {
            send_options: 0x01,
            flags: 0x0139,
            extra_flags: 0x7,
            buffer_size: 0xBABE,
            maximum_buffer_size: 0x7F00,
            chain: false,
        }
    }

    /// Hierarchy sync as in capture 048 (flags 0x0101, extra 0x5), with 0xBABE/0x7F00.
    pub fn hierarchy() -> Self {
        Self { flags: 0x0101, extra_flags: 0x5, ..Self::contents() }
    }
}

/// The state properties uploaded before a download: the saved ones, or empty values of
/// the kind's properties for an initial sync ([MS-OXCFXICS] 3.2.5.2.1).
fn state_uploads(kind: SynchronizationType, state: Option<&SyncState>) -> Vec<(PropTag, Vec<u8>)> {
    let tags: &[PropTag] = if kind == SynchronizationType::HIERARCHY {
        &[meta::IDSET_GIVEN, meta::CNSET_SEEN]
    } else {
        &[meta::IDSET_GIVEN, meta::CNSET_SEEN, meta::CNSET_SEEN_FAI, meta::CNSET_READ]
    };
    match state {
        None => tags.iter().map(|t| (*t, Vec::new())).collect(),
        Some(s) => {
            let have = s.upload_list();
            tags.iter()
                .map(|t| (*t, have.iter().find(|(h, _)| h == t).map(|(_, b)| b.to_vec()).unwrap_or_default()))
                .collect()
        }
    }
}

/// Serializes a state for the caller to persist (the IncrSyncStateBegin…End element).
pub fn state_to_bytes(state: &SyncState) -> Result<Vec<u8>> {
    let mut w = FxWriter::new();
    state.write(&mut w)?;
    Ok(w.as_bytes().to_vec())
}

/// Reads back a state saved with [`state_to_bytes`].
pub fn state_from_bytes(bytes: &[u8]) -> Result<SyncState> {
    Ok(SyncState::parse(bytes)?)
}

fn get_buffer(slot: u8, o: &IcsOptions) -> RopRequest {
    RopRequest::FastTransferSourceGetBuffer(FastTransferSourceGetBufferRequest {
        logon_id: 0,
        input_handle_index: slot,
        buffer_size: o.buffer_size,
        maximum_buffer_size: (o.buffer_size == 0xBABE).then_some(o.maximum_buffer_size),
    })
}

/// Appends the transfer buffers of GetBuffer answers; true when the stream is done.
fn collect(a: &Answers, first: usize, out: &mut Vec<u8>) -> Result<bool> {
    let mut done = false;
    for r in std::iter::once(a.at(first)?).chain(a.chained.iter()) {
        match r {
            RopResponse::FastTransferSourceGetBuffer(g) => {
                if g.return_value != ErrorCode::SUCCESS {
                    return Err(Error::Rop { rop: RopId::FAST_TRANSFER_SOURCE_GET_BUFFER, code: g.return_value });
                }
                if g.transfer_status == TransferStatus::ERROR {
                    return Err(Error::Protocol("FastTransfer stream reported an error".into()));
                }
                out.extend_from_slice(&g.transfer_buffer);
                done |= g.transfer_status == TransferStatus::DONE;
            }
            other => {
                return Err(Error::Protocol(format!("expected RopFastTransferSourceGetBuffer, got {}", other.id())));
            }
        }
    }
    Ok(done)
}

impl Mailbox {
    /// Downloads the FastTransfer stream of a synchronization of `folder`.
    async fn ics_stream(
        &self,
        folder: FolderId,
        kind: SynchronizationType,
        state: Option<&SyncState>,
        o: &IcsOptions,
    ) -> Result<Vec<u8>> {
        let uploads = state_uploads(kind, state);
        for _attempt in 0..3 {
            let a = self
                .run_with(Repeat::Idempotent, 3, o.chain, |_| {
                    let mut rops = vec![
                        open_folder(1, folder),
                        RopRequest::SynchronizationConfigure(SynchronizationConfigureRequest {
                            logon_id: 0,
                            input_handle_index: 1,
                            output_handle_index: 2,
                            synchronization_type: kind,
                            send_options: o.send_options,
                            synchronization_flags: o.flags,
                            restriction: None,
                            synchronization_extra_flags: o.extra_flags,
                            property_tags: Vec::new(),
                        }),
                    ];
                    for (tag, data) in &uploads {
                        rops.push(RopRequest::SynchronizationUploadStateStreamBegin(
                            SynchronizationUploadStateStreamBeginRequest {
                                logon_id: 0,
                                input_handle_index: 2,
                                state_property: *tag,
                                transfer_buffer_size: u32::try_from(data.len()).unwrap_or(u32::MAX),
                            },
                        ));
                        let mut chunks: Vec<&[u8]> = data.chunks(STATE_CHUNK).collect();
                        if chunks.is_empty() {
                            chunks.push(&[]);
                        }
                        for c in chunks {
                            rops.push(RopRequest::SynchronizationUploadStateStreamContinue(
                                SynchronizationUploadStateStreamContinueRequest {
                                    logon_id: 0,
                                    input_handle_index: 2,
                                    stream_data: c.to_vec(),
                                },
                            ));
                        }
                        rops.push(RopRequest::SynchronizationUploadStateStreamEnd(
                            SynchronizationUploadStateStreamEndRequest { logon_id: 0, input_handle_index: 2 },
                        ));
                    }
                    rops.push(get_buffer(2, o));
                    rops
                })
                .await?;
            // The GetBuffer is the last ROP built here; deferred Releases of earlier
            // operations may follow it in `a.rops`.
            let last = 2 + uploads.iter().map(|(_, d)| 2 + d.chunks(STATE_CHUNK).count().max(1)).sum::<usize>();
            for i in 0..last {
                check(a.at(i)?)?;
            }
            let handles = [a.handle(1)?, a.handle(2)?];
            let generation = a.generation;
            let mut stream = Vec::new();
            let mut done = collect(&a, last, &mut stream)?;
            let mut lost = false;
            while !done {
                match self.run_handles(o.chain, &handles, vec![get_buffer(2, o)]).await {
                    Ok(b) if b.generation == generation => done = collect(&b, 0, &mut stream)?,
                    Ok(_) | Err(Error::Transport(crate::Error::Reconnected { .. })) => {
                        lost = true;
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            if lost {
                tracing::info!("context lost during an ICS download; starting it again");
                continue;
            }
            let mut inner = self.inner.lock().await;
            if inner.generation == generation {
                inner.pending_release.extend([handles[1], handles[0]]);
            }
            return Ok(stream);
        }
        Err(Error::Protocol("context kept being lost during an ICS download".into()))
    }

    /// Contents synchronization of `folder` ([MS-OXCFXICS] 3.2.5.9): initial with
    /// `state` None, incremental with the state of the previous download.
    pub async fn sync_contents(
        &self,
        folder: FolderId,
        state: Option<&SyncState>,
        options: &IcsOptions,
    ) -> Result<ContentsSync> {
        let stream = self.ics_stream(folder, SynchronizationType::CONTENTS, state, options).await?;
        Ok(ContentsSync::parse(&stream)?)
    }

    /// Hierarchy synchronization below `folder`.
    pub async fn sync_hierarchy(
        &self,
        folder: FolderId,
        state: Option<&SyncState>,
        options: &IcsOptions,
    ) -> Result<HierarchySync> {
        let stream = self.ics_stream(folder, SynchronizationType::HIERARCHY, state, options).await?;
        Ok(HierarchySync::parse(&stream)?)
    }
}

/// The property tag of RopSynchronizationImportDeletes' source-key list (PtypMultipleBinary;
/// the id is unverified against a capture, corrections C §3.5.9).
pub const IMPORT_DELETES_TAG: PropTag = PropTag(0x0000_1102);

impl Mailbox {
    /// Opens a contents collector on `folder` with the (optional) state uploaded: the ROPs
    /// before an import ([MS-OXCFXICS] 3.3.4.3.3).
    fn collector_rops(folder: FolderId, state: Option<&SyncState>) -> Vec<RopRequest> {
        let mut rops = vec![
            open_folder(1, folder),
            RopRequest::SynchronizationOpenCollector(mapi_wire::rop::SynchronizationOpenCollectorRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                is_contents_collector: 1,
            }),
        ];
        if let Some(s) = state {
            for (tag, data) in s.upload_list() {
                rops.push(RopRequest::SynchronizationUploadStateStreamBegin(
                    SynchronizationUploadStateStreamBeginRequest {
                        logon_id: 0,
                        input_handle_index: 2,
                        state_property: tag,
                        transfer_buffer_size: u32::try_from(data.len()).unwrap_or(u32::MAX),
                    },
                ));
                for c in data.chunks(STATE_CHUNK) {
                    rops.push(RopRequest::SynchronizationUploadStateStreamContinue(
                        SynchronizationUploadStateStreamContinueRequest {
                            logon_id: 0,
                            input_handle_index: 2,
                            stream_data: c.to_vec(),
                        },
                    ));
                }
                rops.push(RopRequest::SynchronizationUploadStateStreamEnd(
                    SynchronizationUploadStateStreamEndRequest { logon_id: 0, input_handle_index: 2 },
                ));
            }
        }
        rops
    }

    async fn import(&self, folder: FolderId, state: Option<&SyncState>, import: RopRequest) -> Result<()> {
        let a = self
            .run(Repeat::Idempotent, 3, |_| {
                let mut rops = Self::collector_rops(folder, state);
                rops.push(import.clone());
                rops.push(super::bulk::release(2));
                rops.push(super::bulk::release(1));
                rops
            })
            .await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        Ok(())
    }

    /// [MS-OXCROPS] 2.2.13.3 RopSynchronizationImportReadStateChanges: marks messages
    /// (by source key) read or unread through a contents collector.
    pub async fn upload_read_states(
        &self,
        folder: FolderId,
        changes: &[(Vec<u8>, bool)],
        state: Option<&SyncState>,
    ) -> Result<()> {
        let states = changes
            .iter()
            .map(|(key, read)| mapi_wire::rop::MessageReadState {
                message_id: key.clone(),
                mark_as_read: u8::from(*read),
            })
            .collect();
        self.import(
            folder,
            state,
            RopRequest::SynchronizationImportReadStateChanges(
                mapi_wire::rop::SynchronizationImportReadStateChangesRequest {
                    logon_id: 0,
                    input_handle_index: 2,
                    states,
                },
            ),
        )
        .await
    }

    /// [MS-OXCROPS] 2.2.13.5 RopSynchronizationImportDeletes: deletes messages (by source
    /// key) through a contents collector; `hard` sets the HardDelete flag (0x02).
    pub async fn upload_deletes(
        &self,
        folder: FolderId,
        source_keys: &[Vec<u8>],
        hard: bool,
        state: Option<&SyncState>,
    ) -> Result<()> {
        self.import(
            folder,
            state,
            RopRequest::SynchronizationImportDeletes(mapi_wire::rop::SynchronizationImportDeletesRequest {
                logon_id: 0,
                input_handle_index: 2,
                import_delete_flags: if hard { 0x02 } else { 0x00 },
                values: vec![mapi_wire::prop_value::TaggedValue {
                    tag: IMPORT_DELETES_TAG,
                    value: mapi_wire::prop_value::PropValue::MvBinary(source_keys.to_vec()),
                }],
            }),
        )
        .await
    }
}
