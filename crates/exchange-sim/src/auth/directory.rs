//! Where users and their password hashes come from: the store (the
//! default) or an in-memory directory (tests of the HTTP layer alone).

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use mapi_wire::Guid;

use super::AuthUser;
use crate::store::{Store, StoreKind};

/// The users the simulator authenticates.
pub trait UserDirectory: Send + Sync + 'static {
    /// True if `password` is `user`'s password (`user` = SMTP address or
    /// legacyDN). Unknown users and users without a password: false.
    fn verify_password(&self, user: &str, password: &str) -> bool;
    /// The user named by an SMTP address or legacyDN.
    fn lookup(&self, user: &str) -> Option<AuthUser>;

    /// The NT hash (MD4 of the UTF-16LE password, [MS-NLMP] 3.3.1) NTLM
    /// verification needs; `None` when the directory does not keep one
    /// (then NTLM fails for that user).
    fn nt_hash(&self, user: &str) -> Option<[u8; 16]> {
        let _ = user;
        None
    }

    /// The mailboxes Autodiscover maps into `user`'s profile
    /// (`AlternativeMailbox`, [MS-OXDSCLI] 2.2.4.1.1.2.1): on Exchange, the
    /// mailboxes where the user holds full access. None by default.
    fn automapped(&self, user: &str) -> Vec<AuthUser> {
        let _ = user;
        Vec::new()
    }
}

impl UserDirectory for Store {
    fn verify_password(&self, user: &str, password: &str) -> bool {
        Self::verify_password(self, user, password).unwrap_or(false)
    }

    fn lookup(&self, user: &str) -> Option<AuthUser> {
        let mailbox = self.mailbox(user).ok()?;
        let info = mailbox.info();
        (info.kind == StoreKind::Private).then(|| AuthUser {
            address: info.address.clone(),
            display_name: info.display_name.clone(),
            legacy_dn: info.legacy_dn.clone(),
            mailbox_guid: info.mailbox_guid,
        })
    }

    /// Other private mailboxes with a mailbox-wide grant (folder 0) to
    /// `user`: full access, as Exchange automaps it.
    fn automapped(&self, user: &str) -> Vec<AuthUser> {
        let Some(me) = self.lookup(user) else { return Vec::new() };
        let mut out = Vec::new();
        for info in self.mailboxes().unwrap_or_default() {
            if info.address.eq_ignore_ascii_case(&me.address) {
                continue;
            }
            let Ok(mailbox) = self.mailbox(&info.address) else { continue };
            let grants = mailbox.permissions(None).unwrap_or_default();
            if grants.iter().any(|(who, rights)| who.eq_ignore_ascii_case(&me.address) && rights.0 != 0) {
                out.push(AuthUser {
                    address: info.address.clone(),
                    display_name: info.display_name.clone(),
                    legacy_dn: info.legacy_dn.clone(),
                    mailbox_guid: info.mailbox_guid,
                });
            }
        }
        out
    }
}

/// An in-memory directory with argon2id password hashes.
#[derive(Default)]
pub struct MemoryDirectory {
    users: Mutex<HashMap<String, (AuthUser, String)>>,
    nt_hashes: Mutex<HashMap<String, [u8; 16]>>,
}

impl std::fmt::Debug for MemoryDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryDirectory").finish_non_exhaustive()
    }
}

fn argon() -> Option<Argon2<'static>> {
    Params::new(4096, 1, 1, None).ok().map(|p| Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
}

impl MemoryDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a user with a derived legacyDN and a random
    /// mailbox GUID. Returns the user.
    pub fn add(&self, address: &str, display_name: &str, password: &str) -> AuthUser {
        let mut g = [0u8; 16];
        // Without randomness the GUID stays zero: harmless for tests.
        let _ = getrandom::fill(&mut g);
        let local = address.split('@').next().unwrap_or(address);
        let user = AuthUser {
            address: address.to_owned(),
            display_name: display_name.to_owned(),
            legacy_dn: format!("{}{local}", crate::store::LEGACY_DN_PREFIX),
            mailbox_guid: Guid(g),
        };
        let mut salt = [0u8; 16];
        let _ = getrandom::fill(&mut salt);
        let hash = SaltString::encode_b64(&salt)
            .ok()
            .and_then(|s| argon().and_then(|a| a.hash_password(password.as_bytes(), &s).ok().map(|h| h.to_string())))
            .unwrap_or_default();
        self.users
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(address.to_ascii_lowercase(), (user.clone(), hash));
        self.set_nt_password(address, password);
        user
    }

    /// Keeps the NT hash of `password` for NTLM ([MS-NLMP] 3.3.1).
    pub fn set_nt_password(&self, address: &str, password: &str) {
        self.nt_hashes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(address.to_ascii_lowercase(), super::ntlm::nt_hash(password));
    }

    fn find(&self, user: &str) -> Option<(AuthUser, String)> {
        let users = self.users.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        users
            .get(&user.to_ascii_lowercase())
            .or_else(|| users.values().find(|(u, _)| u.legacy_dn.eq_ignore_ascii_case(user)))
            .cloned()
    }
}

impl UserDirectory for MemoryDirectory {
    fn verify_password(&self, user: &str, password: &str) -> bool {
        let Some((_, hash)) = self.find(user) else { return false };
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        argon().is_some_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
    }

    fn lookup(&self, user: &str) -> Option<AuthUser> {
        self.find(user).map(|(u, _)| u)
    }

    fn nt_hash(&self, user: &str) -> Option<[u8; 16]> {
        let address = self.find(user)?.0.address.to_ascii_lowercase();
        self.nt_hashes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&address).copied()
    }
}

/// A directory with NT hashes added in memory to another (the store keeps
/// only argon2 hashes, from which NTLM cannot work): the `serve` binary
/// registers the `--user` passwords here. The hashes are not persisted.
pub struct WithNtHashes {
    inner: std::sync::Arc<dyn UserDirectory>,
    nt_hashes: MemoryDirectory,
}

impl std::fmt::Debug for WithNtHashes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithNtHashes").finish_non_exhaustive()
    }
}

impl WithNtHashes {
    /// Wraps `inner`.
    pub fn new(inner: std::sync::Arc<dyn UserDirectory>) -> Self {
        Self { inner, nt_hashes: MemoryDirectory::new() }
    }

    /// Keeps the NT hash of `password` for `address`.
    pub fn set_password(&self, address: &str, password: &str) {
        self.nt_hashes.set_nt_password(address, password);
    }
}

impl UserDirectory for WithNtHashes {
    fn verify_password(&self, user: &str, password: &str) -> bool {
        self.inner.verify_password(user, password)
    }

    fn lookup(&self, user: &str) -> Option<AuthUser> {
        self.inner.lookup(user)
    }

    fn nt_hash(&self, user: &str) -> Option<[u8; 16]> {
        let address = self.inner.lookup(user)?.address.to_ascii_lowercase();
        self.nt_hashes.nt_hashes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&address).copied()
    }

    fn automapped(&self, user: &str) -> Vec<AuthUser> {
        self.inner.automapped(user)
    }
}
