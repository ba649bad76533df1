//! Incremental ICS grammar ([MS-OXCFXICS] 2.2.4.3): turns FastTransfer
//! elements into one event per top-level grammar unit as soon as the unit
//! is complete, so a client applies message changes while later buffers are
//! still on the wire and never holds more than one message in memory.

use std::collections::VecDeque;

use super::super::FxElement;
use super::super::marker::Marker;
use super::super::reader::FxReader;
use super::super::scan::FxLimits;
use super::cursor::Cursor;
use super::{Deletions, FolderChange, MessageChange, ProgressInformation, PropList, ReadStateChanges, SyncState};
use crate::error::DecodeError;

/// Which ICS stream is being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SyncKind {
    /// contentsSync ([MS-OXCFXICS] 2.2.4.3.2): RopSynchronizationConfigure
    /// with SynchronizationType 0x01.
    Contents,
    /// hierarchySync ([MS-OXCFXICS] 2.2.4.3.9): SynchronizationType 0x02.
    Hierarchy,
    /// The stream of RopSynchronizationGetTransferState: one state element
    /// and no IncrSyncEnd (corrections B18).
    TransferState,
}

/// One top-level unit of an ICS stream ([MS-OXCFXICS] 2.2.4.3).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SyncEvent {
    /// progressTotal.
    Progress(ProgressInformation),
    /// A messageChange (with its progressPerMessage, if any).
    MessageChange(Box<MessageChange>),
    /// A folderChange.
    FolderChange(FolderChange),
    /// errorInfo (FXErrorInfo propList).
    ErrorInfo(PropList),
    /// deletions.
    Deletions(Deletions),
    /// readStateChanges.
    ReadStateChanges(ReadStateChanges),
    /// state: persist it only after [`SyncEvent::End`] (pitfall 18).
    State(SyncState),
    /// IncrSyncEnd.
    End,
}

/// Grammar position: what may still come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
enum Phase {
    Start,
    Changes,
    Deletions,
    ReadState,
    State,
    Ended,
}

/// Splits an element stream into grammar units and parses each
/// ([MS-OXCFXICS] 2.2.4.3).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SyncParser {
    kind: SyncKind,
    unit: Vec<(usize, FxElement)>,
    /// Nesting inside recipients, attachments and embedded messages.
    depth: u32,
    /// Inside a value delivered in pieces.
    in_long: bool,
    phase: Phase,
    events: VecDeque<SyncEvent>,
    /// Stream offset after the last element seen (approximately: its start).
    last: usize,
}

impl SyncParser {
    /// A parser for a stream of the given kind.
    pub fn new(kind: SyncKind) -> Self {
        Self { kind, unit: Vec::new(), depth: 0, in_long: false, phase: Phase::Start, events: VecDeque::new(), last: 0 }
    }

    /// Feeds the next element and its stream offset (as
    /// [`FxReader::next_at`] returns them).
    pub fn push(&mut self, offset: usize, e: FxElement) -> Result<(), DecodeError> {
        self.last = offset;
        if self.phase == Phase::Ended {
            return Err(self.error(offset, "elements after IncrSyncEnd"));
        }
        if self.in_long {
            self.in_long = !matches!(e, FxElement::ValueEnd);
            self.unit.push((offset, e));
            return Ok(());
        }
        let m = match e {
            FxElement::Marker(m) => m,
            FxElement::ValueStart { .. } => {
                self.in_long = true;
                self.unit.push((offset, e));
                return Ok(());
            }
            other => {
                self.unit.push((offset, other));
                return Ok(());
            }
        };
        match m {
            Marker::START_RECIP | Marker::NEW_ATTACH | Marker::START_EMBED => self.depth += 1,
            Marker::END_TO_RECIP | Marker::END_ATTACH | Marker::END_EMBED => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        if self.depth == 0 && is_boundary(m) && !self.continues_unit(m) {
            self.flush(offset)?;
        }
        if m == Marker::INCR_SYNC_END && self.depth == 0 {
            if self.phase != Phase::State {
                return Err(self.error(offset, "IncrSyncEnd before the state element"));
            }
            self.phase = Phase::Ended;
            self.events.push_back(SyncEvent::End);
            return Ok(());
        }
        self.unit.push((offset, FxElement::Marker(m)));
        if m == Marker::INCR_SYNC_STATE_END && self.depth == 0 {
            self.flush(offset + 4)?;
        }
        Ok(())
    }

    /// The next complete unit, if any.
    pub fn next_event(&mut self) -> Option<SyncEvent> {
        self.events.pop_front()
    }

    /// Checks that the stream ended where the grammar allows: after
    /// IncrSyncEnd (after the state element for
    /// [`SyncKind::TransferState`]).
    pub fn finish(&self) -> Result<(), DecodeError> {
        let done = match self.kind {
            SyncKind::TransferState => self.phase >= Phase::State,
            _ => self.phase == Phase::Ended,
        };
        if !done || !self.unit.is_empty() || self.in_long {
            return Err(DecodeError::Incomplete { what: "ICS stream", offset: self.last, needed: 4 });
        }
        Ok(())
    }

    /// A progressPerMessage unit still waits for its messageChange.
    fn continues_unit(&self, m: Marker) -> bool {
        matches!(m, Marker::INCR_SYNC_CHG | Marker::INCR_SYNC_GROUP_INFO)
            && matches!(self.unit.first(), Some((_, FxElement::Marker(Marker::INCR_SYNC_PROGRESS_PER_MSG))))
            && !self
                .unit
                .iter()
                .any(|(_, e)| matches!(e, FxElement::Marker(Marker::INCR_SYNC_CHG | Marker::INCR_SYNC_GROUP_INFO)))
    }

    fn error(&self, offset: usize, reason: &'static str) -> DecodeError {
        DecodeError::Invalid { what: "FastTransfer ICS grammar", offset, reason }
    }

    /// Parses the buffered unit (if any) into an event.
    fn flush(&mut self, end: usize) -> Result<(), DecodeError> {
        if self.unit.is_empty() {
            return Ok(());
        }
        let unit = std::mem::take(&mut self.unit);
        let start = unit.first().map_or(end, |(o, _)| *o);
        let mut c = Cursor::new(unit, end)?;
        let (from, to, event) = match (self.kind, c.peek_marker()) {
            (SyncKind::Contents, Some(Marker::INCR_SYNC_PROGRESS_MODE)) => {
                c.eat(Marker::INCR_SYNC_PROGRESS_MODE);
                (Phase::Start, Phase::Changes, SyncEvent::Progress(c.progress_total()?))
            }
            (
                SyncKind::Contents,
                Some(Marker::INCR_SYNC_PROGRESS_PER_MSG | Marker::INCR_SYNC_CHG | Marker::INCR_SYNC_GROUP_INFO),
            ) => {
                let progress =
                    if c.eat(Marker::INCR_SYNC_PROGRESS_PER_MSG) { Some(c.progress_per_msg()?) } else { None };
                let mut m = c.message_change()?;
                m.progress = progress;
                (Phase::Changes, Phase::Changes, SyncEvent::MessageChange(Box::new(m)))
            }
            (SyncKind::Contents, Some(Marker::FX_ERROR_INFO)) => {
                c.eat(Marker::FX_ERROR_INFO);
                (Phase::Changes, Phase::Changes, SyncEvent::ErrorInfo(c.prop_list()))
            }
            (SyncKind::Hierarchy, Some(Marker::INCR_SYNC_CHG)) => {
                c.eat(Marker::INCR_SYNC_CHG);
                (Phase::Changes, Phase::Changes, SyncEvent::FolderChange(FolderChange { props: c.prop_list() }))
            }
            (SyncKind::Contents | SyncKind::Hierarchy, Some(Marker::INCR_SYNC_DEL)) => {
                c.eat(Marker::INCR_SYNC_DEL);
                (Phase::Changes, Phase::Deletions, SyncEvent::Deletions(Deletions { props: c.prop_list() }))
            }
            (SyncKind::Contents, Some(Marker::INCR_SYNC_READ)) => {
                c.eat(Marker::INCR_SYNC_READ);
                let r = ReadStateChanges { props: c.prop_list() };
                (Phase::Deletions, Phase::ReadState, SyncEvent::ReadStateChanges(r))
            }
            (SyncKind::TransferState, Some(Marker::INCR_SYNC_STATE_BEGIN)) => {
                (Phase::Start, Phase::State, SyncEvent::State(c.state()?))
            }
            (_, Some(Marker::INCR_SYNC_STATE_BEGIN)) => (Phase::ReadState, Phase::State, SyncEvent::State(c.state()?)),
            _ => return Err(c.error("unexpected element at the top level of the ICS stream")),
        };
        c.end()?;
        if self.phase > from {
            return Err(self.error(start, "ICS stream elements out of order"));
        }
        self.phase = to;
        self.events.push_back(event);
        Ok(())
    }
}

/// Markers that start a top-level unit ([MS-OXCFXICS] 2.2.4.3).
fn is_boundary(m: Marker) -> bool {
    matches!(
        m,
        Marker::INCR_SYNC_PROGRESS_MODE
            | Marker::INCR_SYNC_PROGRESS_PER_MSG
            | Marker::INCR_SYNC_CHG
            | Marker::INCR_SYNC_GROUP_INFO
            | Marker::FX_ERROR_INFO
            | Marker::INCR_SYNC_DEL
            | Marker::INCR_SYNC_READ
            | Marker::INCR_SYNC_STATE_BEGIN
            | Marker::INCR_SYNC_END
    )
}

/// An ICS download read buffer by buffer: [`FxReader`] and [`SyncParser`]
/// together. Push each TransferBuffer of RopFastTransferSourceGetBuffer,
/// drain [`SyncReader::next`], and call [`SyncReader::finish`] after the
/// last buffer (TransferStatus Done).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SyncReader {
    fx: FxReader,
    parser: SyncParser,
}

impl SyncReader {
    /// A reader for a stream of the given kind, with default limits.
    pub fn new(kind: SyncKind) -> Self {
        Self::with_limits(kind, FxLimits::default())
    }

    /// A reader with explicit FastTransfer limits.
    pub fn with_limits(kind: SyncKind, limits: FxLimits) -> Self {
        Self { fx: FxReader::with_limits(limits), parser: SyncParser::new(kind) }
    }

    /// Appends the next TransferBuffer.
    pub fn push(&mut self, data: &[u8]) {
        self.fx.push(data);
    }

    /// The next complete unit, `Ok(None)` when more input is needed.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<SyncEvent>, DecodeError> {
        loop {
            if let Some(e) = self.parser.next_event() {
                return Ok(Some(e));
            }
            match self.fx.next_at()? {
                Some((offset, e)) => self.parser.push(offset, e)?,
                None => return Ok(None),
            }
        }
    }

    /// Checks that the stream and the grammar both ended cleanly.
    pub fn finish(&self) -> Result<(), DecodeError> {
        self.fx.finish()?;
        self.parser.finish()
    }
}
