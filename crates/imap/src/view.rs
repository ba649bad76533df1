//! The selected mailbox as one session sees it (RFC 9051 §2.3.1.2): the
//! UIDs in sequence-number order, and the changes of other sessions and of
//! new mail not yet told to the client. Changes arrive from
//! [`mailbox::Folder::watch`] and are announced only where RFC 9051 §7.5
//! allows (no EXPUNGE during FETCH, STORE or SEARCH).

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::StreamExt as _;
use imap_codec::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};
use mailbox::{ChangeKind, ChangeStream, Folder, Uid, UidRange, UidSet};

use crate::seqmap::SeqMap;
use crate::wire::{self, Str};

/// One selected mailbox.
pub(crate) struct View {
    pub(crate) folder: Arc<dyn Folder>,
    /// The name the client selected it by (for error texts).
    pub(crate) read_only: bool,
    /// UIDs by sequence number (index + 1), ascending.
    pub(crate) uids: SeqMap,
    /// The `\Recent` UIDs this session claimed.
    pub(crate) recent: UidSet,
    /// In a mutex only to make the view `Sync` (the stream is `Send`
    /// only); always reached through `&mut self`, never locked.
    feed: Option<std::sync::Mutex<ChangeStream>>,
    pending: Vec<ChangeKind>,
    /// Flag changes this session already reported (uid -> modseq), so the
    /// feed's echo of its own STORE is not repeated.
    echo: HashMap<Uid, u64>,
    /// Whether the client uses CONDSTORE (MODSEQ in unsolicited FETCH).
    pub(crate) condstore: bool,
    /// Whether the client enabled QRESYNC (VANISHED instead of EXPUNGE).
    pub(crate) qresync: bool,
    /// New arrivals were announced and their `\Recent` is still to claim.
    claim_due: bool,
}

impl View {
    pub(crate) fn new(
        folder: Arc<dyn Folder>,
        read_only: bool,
        uids: Arc<[Uid]>,
        recent: UidSet,
        feed: ChangeStream,
    ) -> Self {
        Self {
            folder,
            read_only,
            uids: SeqMap::shared(uids),
            recent,
            feed: Some(std::sync::Mutex::new(feed)),
            pending: Vec::new(),
            echo: HashMap::new(),
            condstore: false,
            qresync: false,
            claim_due: false,
        }
    }

    /// The sequence number of `uid`.
    pub(crate) fn seq_of(&self, uid: Uid) -> Option<u32> {
        self.uids.position(uid).and_then(|i| u32::try_from(i + 1).ok())
    }

    /// How many messages the client knows of.
    pub(crate) fn exists(&self) -> u32 {
        u32::try_from(self.uids.len()).unwrap_or(u32::MAX)
    }

    /// The UIDs a sequence-number set names (`*` is the last message;
    /// numbers beyond the view are ignored). RFC 9051 §9 `seq-number`.
    pub(crate) fn seqs_to_uids(&self, set: &SequenceSet) -> UidSet {
        let n = self.exists();
        let mut out = UidSet::new();
        if n == 0 {
            return out;
        }
        let resolve = |s: &SeqOrUid| match s {
            SeqOrUid::Value(v) => v.get(),
            SeqOrUid::Asterisk => n,
        };
        for seq in set.0.as_ref() {
            let (a, b) = match seq {
                Sequence::Single(s) => (resolve(s), resolve(s)),
                Sequence::Range(a, b) => (resolve(a), resolve(b)),
            };
            let (lo, hi) = (a.min(b), a.max(b).min(n));
            for i in lo..=hi {
                if let Some(uid) = usize::try_from(i - 1).ok().and_then(|i| self.uids.get(i)) {
                    out.insert(uid);
                }
            }
        }
        out
    }

    /// The UID set a UID command names: `*` is the highest UID in the view
    /// (RFC 9051 §6.4.9: `n:*` always includes the last message).
    pub(crate) fn uid_set(&self, set: &SequenceSet) -> UidSet {
        let max = self.uids.last().map_or(0, |u| u.get());
        uid_set_with_max(set, max)
    }

    /// The view's UIDs inside `set`, ascending.
    pub(crate) fn known(&self, set: &UidSet) -> UidSet {
        let mut out = UidSet::new();
        for r in set.ranges() {
            for u in self.uids.iter_from(r.first()).take_while(|u| *u <= r.last()) {
                out.insert(u);
            }
        }
        out
    }

    /// Remembers flag changes this session reported itself.
    pub(crate) fn reported(&mut self, uid: Uid, modseq: u64) {
        if self.echo.len() > 10_000 {
            self.echo.clear();
        }
        self.echo.insert(uid, modseq);
    }

    /// Waits for the next change (IDLE); never returns when the feed ended.
    pub(crate) async fn wait_change(&mut self) {
        match &mut self.feed {
            Some(feed) => match feed.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner).next().await {
                Some(ev) => self.pending.push(ev.kind),
                None => self.feed = None,
            },
            None => std::future::pending().await,
        }
    }

    /// Collects what the feed has without waiting.
    fn drain_feed(&mut self) {
        let Some(feed) = &mut self.feed else { return };
        let feed = feed.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            match feed.next().now_or_never() {
                Some(Some(ev)) => self.pending.push(ev.kind),
                Some(None) => {
                    self.feed = None;
                    return;
                }
                None => return,
            }
        }
    }

    /// Writes the untagged updates the client is owed: EXISTS, flag
    /// changes and, when `expunge_ok`, EXPUNGE/VANISHED.
    pub(crate) async fn push_updates(&mut self, out: &mut Vec<u8>, expunge_ok: bool) {
        self.drain_feed();
        if self.pending.is_empty() {
            return;
        }
        let mut grew = false;
        let mut kept = Vec::new();
        let mut resync = false;
        for kind in std::mem::take(&mut self.pending) {
            match kind {
                ChangeKind::Exists { uids, .. } => {
                    for uid in uids.iter() {
                        if self.uids.last().is_none_or(|last| uid > last) {
                            self.uids.push(uid);
                            grew = true;
                        }
                    }
                }
                ChangeKind::Expunged { uids } => {
                    if expunge_ok {
                        self.expunge(&uids, out);
                    } else {
                        kept.push(ChangeKind::Expunged { uids });
                    }
                }
                ChangeKind::Flags { uid, flags, modseq } => {
                    if let Some(&reported) = self.echo.get(&uid)
                        && reported >= modseq.get()
                    {
                        // The echo of this session's own change: said already.
                        if reported == modseq.get() {
                            self.echo.remove(&uid);
                        }
                        continue;
                    }
                    if let Some(seq) = self.seq_of(uid) {
                        let _ =
                            std::fmt::Write::write_fmt(&mut Str(out), format_args!("* {seq} FETCH (UID {uid} FLAGS "));
                        wire::flag_list(out, &flags, self.recent.contains(uid));
                        if self.condstore {
                            let _ = std::fmt::Write::write_fmt(&mut Str(out), format_args!(" MODSEQ ({modseq})"));
                        }
                        out.extend_from_slice(b")\r\n");
                    }
                }
                ChangeKind::Reset | ChangeKind::Lagged => resync = true,
            }
        }
        if resync {
            match self.folder.uids().await {
                Ok(now) => {
                    let gone: UidSet = self.uids.iter().filter(|u| now.binary_search(u).is_err()).collect();
                    if !gone.is_empty() {
                        if expunge_ok {
                            self.expunge(&gone, out);
                        } else {
                            kept.push(ChangeKind::Expunged { uids: gone });
                        }
                    }
                    let before = self.uids.len();
                    for u in now {
                        self.uids.push(u);
                    }
                    grew |= self.uids.len() > before;
                }
                // The folder is gone or the backend is down: try again later.
                Err(_) => kept.push(ChangeKind::Lagged),
            }
        }
        self.pending = kept;
        if grew {
            let _ = std::fmt::Write::write_fmt(&mut Str(out), format_args!("* {} EXISTS\r\n", self.exists()));
            self.claim_due = !self.read_only;
        }
    }

    /// Claims the new arrivals' `\Recent` (RFC 3501 §7.3.2: they are
    /// recent for the session told first; IMAP4rev1 clients such as
    /// Thunderbird's new-mail check read it) and says `* n RECENT`. Kept
    /// apart from [`View::push_updates`] so that IDLE can send EXISTS
    /// before this backend round trip.
    pub(crate) async fn claim_new(&mut self, out: &mut Vec<u8>) {
        if !std::mem::take(&mut self.claim_due) {
            return;
        }
        if let Ok(claimed) = self.folder.claim_recent().await
            && !claimed.is_empty()
        {
            for uid in claimed.iter() {
                self.recent.insert(uid);
            }
            let recent = self.known(&self.recent).len();
            let _ = std::fmt::Write::write_fmt(&mut Str(out), format_args!("* {recent} RECENT\r\n"));
        }
    }

    /// Removes `uids` from the view, telling the client (RFC 9051 §7.5.1
    /// EXPUNGE, highest sequence number first so none shifts; RFC 7162
    /// §3.2.10 VANISHED under QRESYNC).
    pub(crate) fn expunge(&mut self, uids: &UidSet, out: &mut Vec<u8>) {
        let gone = self.known(uids);
        if gone.is_empty() {
            return;
        }
        if self.qresync {
            out.extend_from_slice(b"* VANISHED ");
            wire::uid_set(out, &gone);
            out.extend_from_slice(b"\r\n");
            self.uids.retain(|u| !gone.contains(u));
        } else {
            // Highest first, so the numbers still to come do not shift.
            let mut positions: Vec<usize> = gone.iter().filter_map(|u| self.uids.position(u)).collect();
            positions.sort_unstable_by(|a, b| b.cmp(a));
            for i in positions {
                let _ = std::fmt::Write::write_fmt(&mut Str(out), format_args!("* {} EXPUNGE\r\n", i + 1));
            }
            self.uids.retain(|u| !gone.contains(u));
        }
        for u in gone.iter() {
            self.echo.remove(&u);
        }
    }
}

/// A client's UID set with `*` standing for `max`.
pub(crate) fn uid_set_with_max(set: &SequenceSet, max: u32) -> UidSet {
    let mut out = UidSet::new();
    let resolve = |s: &SeqOrUid| match s {
        SeqOrUid::Value(v) => v.get(),
        SeqOrUid::Asterisk => max.max(1),
    };
    for seq in set.0.as_ref() {
        let (a, b) = match seq {
            Sequence::Single(s) => (resolve(s), resolve(s)),
            Sequence::Range(a, b) => (resolve(a), resolve(b)),
        };
        if let (Some(a), Some(b)) = (Uid::new(a), Uid::new(b)) {
            out.insert_range(UidRange::new(a, b));
        }
    }
    out
}
