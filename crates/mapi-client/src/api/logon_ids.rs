//! LogonIds of one EMSMDB session ([MS-OXCROPS] 3.1.4.2 "Logging On"): "The logon ID
//! MUST be unique per RPC session ... If the client specifies an active logon ID, then
//! the current logon session is released and replaced with the new one." Each
//! [`super::Mailbox`] on a session holds its own id for as long as it lives (the first
//! logon, normally the user's own mailbox, gets 0; later ones the lowest free id) and
//! sends it in its RopLogon and every other ROP.

use std::sync::{Arc, Mutex};

use super::{Error, Result};
use crate::EmsmdbSession;

/// How many logons one session can hold (LogonId is a u8).
pub const MAX_LOGONS: usize = 256;

/// The LogonIds in use on one session.
#[derive(Debug, Default)]
pub(crate) struct LogonIds {
    used: Mutex<[u64; MAX_LOGONS / 64]>,
}

impl LogonIds {
    /// Takes the lowest free id; None when all 256 are in use.
    fn take_lowest(&self) -> Option<u8> {
        // A poisoned lock only means a panic elsewhere: the bitmap itself is consistent.
        let mut used = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (word_index, word) in used.iter_mut().enumerate() {
            if *word != u64::MAX {
                let bit = word.trailing_ones();
                *word |= 1 << bit;
                return u8::try_from(word_index * 64 + bit as usize).ok();
            }
        }
        None
    }

    fn free(&self, id: u8) {
        let mut used = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(word) = used.get_mut(usize::from(id) / 64) {
            *word &= !(1u64 << (id % 64));
        }
    }
}

/// One LogonId held by a [`super::Mailbox`]; free again when dropped.
pub(crate) struct LogonIdLease {
    session: Arc<EmsmdbSession>,
    id: u8,
}

impl LogonIdLease {
    /// The lowest free LogonId of `session`, or [`Error::TooManyLogons`].
    pub(crate) fn take(session: &Arc<EmsmdbSession>) -> Result<Self> {
        let id = session.logon_ids().take_lowest().ok_or(Error::TooManyLogons)?;
        Ok(Self { session: session.clone(), id })
    }

    /// The LogonId.
    pub(crate) fn id(&self) -> u8 {
        self.id
    }
}

impl Drop for LogonIdLease {
    fn drop(&mut self) {
        self.session.logon_ids().free(self.id);
    }
}

impl std::fmt::Debug for LogonIdLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LogonIdLease").field(&self.id).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_free_id_first_and_none_after_256() {
        let ids = LogonIds::default();
        let taken: Vec<u8> = (0..MAX_LOGONS).filter_map(|_| ids.take_lowest()).collect();
        assert_eq!(taken, (0..=255u8).collect::<Vec<_>>());
        assert_eq!(ids.take_lowest(), None);
        ids.free(130);
        ids.free(3);
        assert_eq!(ids.take_lowest(), Some(3));
        assert_eq!(ids.take_lowest(), Some(130));
        assert_eq!(ids.take_lowest(), None);
    }
}
