//! The MAPI-backed implementation of the model: [`ExchangeProvider`] logs
//! users in to Exchange (MAPI over HTTP, through `mapi-client`) and hands
//! out accounts whose folders are kept in step with the mailbox by ICS.
//!
//! # How the pieces fit
//!
//! * [`ExchangeProvider`] keeps one MAPI session per user per node, shared
//!   by every front end (`pool`): a second login with the same password
//!   reuses it, a different password is verified against Exchange again.
//!   Idle sessions (no front end holds the account) close after
//!   [`ExchangeConfig::idle_timeout`]; [`ExchangeConfig::max_sessions`] caps
//!   them.
//! * An account lists the folder hierarchy (hierarchy table of the IPM
//!   subtree) with kinds from PidTagContainerClass and roles from the logon's
//!   special folders ([`crate::mapi::folders`]).
//! * Each folder has one sync index per session (`sync`): an ICS contents
//!   download (initial, then incremental from the state blob) gives new,
//!   changed, read/unread and deleted messages; UIDs, mod-sequences and the
//!   ICS state are committed together in the [`state::StateStore`].
//!   Item identity is the MID (8 wire bytes). Flags and the envelope come
//!   from the ICS properties; the MIME is rendered on demand from the opened
//!   message and cached per change key (`render`); a FETCH of many uncached
//!   messages reads them several per Execute (`render_batch`).
//! * Writes go to Exchange and are then observed through the same ICS path,
//!   so the model's own changes and changes made by other clients take one
//!   road to the change feed (`watch`).
//!
//! # Limits (as of this version)
//!
//! * The summaries are in memory: the first use of a folder in a process
//!   costs a full ICS download (an incremental one from the stored state
//!   first, so mod-sequences move only for what changed meanwhile). UIDs
//!   survive restarts through the state store.
//! * FETCH serves the index as of the last catch-up; SELECT, UID lists,
//!   SEARCH, STORE, COPY/MOVE, EXPUNGE and every MAPI notification catch up.
//! * STORE writes `\Seen` for all items in one RopSetReadFlags batch and the
//!   other flags with `update_messages` (up to 64 messages per Execute).
//! * Rendering reads recipients from the RecipientRow fields (name, address,
//!   type) and its column properties (SMTP address of X500 recipients), and
//!   named properties only for Keywords (the API has no
//!   RopGetNamesFromPropertyIds); embedded messages are rendered from their
//!   own properties only. STATUS SIZE counts PidTagMessageSize for items not
//!   rendered yet; RFC822.SIZE is always exact.
//! * Other users' mailboxes and public folders are separate logons on the
//!   user's session (`stores`): the mailboxes Autodiscover maps
//!   (`AlternativeMailbox`), those in [`ExchangeConfig::additional_mailboxes`]
//!   and any the user names (IMAP `Other Users/<address>/…`, DAV
//!   `/calendars/<address>/`), each with its own UID namespace. Only folders
//!   the user may read are shown; listing them needs Folder visible on the
//!   mailbox's IPM subtree (Outlook's rule for adding a mailbox). Their
//!   changes reach watchers like the own store's (one feed per transport);
//!   a folder without EditAny in PidTagRights selects read-only.

mod account;
mod connect;
mod directory;
mod folder;
mod item_write;
mod items;
mod pool;
mod props;
mod render;
mod render_batch;
mod schedule;
mod stores;
mod submit;
mod sync;
mod watch;
mod write;

use std::time::Duration;

pub use account::ExchangeAccount;
pub use directory::ExchangeDirectory;
pub use folder::ExchangeFolder;
pub use pool::{ExchangeProvider, PoolStats};

use crate::mapi::flags::CategoryMap;
use crate::model::ExpungeMode;

/// Where the mailbox endpoints are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoints {
    /// Autodiscover POX for the user's address ([MS-OXDSCLI]), starting at
    /// these URLs (empty: the domain's standard candidates).
    Autodiscover {
        /// First URLs to ask (e.g. `https://mail.example.com/autodiscover/autodiscover.xml`).
        start: Vec<String>,
    },
    /// Fixed MAPI/HTTP URLs. The user's legacyExchangeDN is resolved through
    /// the address book (NSPI ResolveNames) when `addressbook` is given; else
    /// the SMTP address is used as the user DN (Exchange and the simulator
    /// accept it in Connect and RopLogon).
    Explicit {
        /// The `emsmdb` URL (MailStore).
        mailstore: String,
        /// The `nspi` URL (AddressBook).
        addressbook: Option<String>,
    },
}

/// How the gateway authenticates to Exchange with the user's credentials.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// HTTP Basic.
    #[default]
    Basic,
    /// NTLMv2 ([MS-NLMP]); the login is the user name as typed (UPN or
    /// `DOMAIN\user`).
    Ntlm,
    /// OAuth 2.0 bearer tokens from [`ExchangeConfig::bearer`] (Exchange
    /// Online). The password given to `login` is not sent to Exchange: the
    /// caller has verified it already (the gateway's own password).
    Bearer,
}

/// Where [`AuthMode::Bearer`] logins get a user's access tokens: `None`
/// when no token is stored for the user (the login is then refused as
/// unavailable with the reason).
#[derive(Clone)]
pub struct BearerTokens(
    /// User (as typed) → that user's token provider.
    pub std::sync::Arc<TokenLookup>,
);

/// The callback of [`BearerTokens`].
pub type TokenLookup = dyn Fn(&str) -> Result<std::sync::Arc<dyn mapi_client::TokenProvider>, String> + Send + Sync;

impl std::fmt::Debug for BearerTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerTokens(<provider>)")
    }
}

/// Configuration of an [`ExchangeProvider`].
#[derive(Clone, Debug)]
pub struct ExchangeConfig {
    /// Where Exchange is.
    pub endpoints: Endpoints,
    /// Basic or NTLM.
    pub auth: AuthMode,
    /// Extra trusted CA certificates (DER).
    pub extra_roots: Vec<Vec<u8>>,
    /// Accept exactly this server certificate (DER): self-signed lab servers
    /// and the simulator.
    pub pinned_certificate: Option<Vec<u8>>,
    /// Trust the Mozilla root set (default true).
    pub webpki_roots: bool,
    /// How long a session nobody uses stays open (default 10 minutes).
    pub idle_timeout: Duration,
    /// Most sessions the node keeps (default 1000). At the cap, the least
    /// recently used idle session is closed; when none is idle, logins fail
    /// with [`crate::MailboxError::Unavailable`].
    pub max_sessions: usize,
    /// What EXPUNGE does.
    pub expunge: ExpungeMode,
    /// Keywords ↔ categories.
    pub categories: CategoryMap,
    /// Largest message APPEND and submission accept (default 64 MiB).
    pub max_message_size: usize,
    /// Bytes of rendered MIME the node caches (default 256 MiB).
    pub mime_cache_bytes: usize,
    /// Run LARGER/SMALLER on PidTagMessageSize (see
    /// [`crate::mapi::search::PlanOptions::size_on_server`]); default false
    /// (exact sizes, evaluated locally).
    pub size_on_server: bool,
    /// Events a slow change-feed subscriber may fall behind before it gets
    /// [`crate::ChangeKind::Lagged`] (default 1024).
    pub feed_capacity: usize,
    /// Request timeout of the MAPI transport.
    pub request_timeout: Duration,
    /// How long a NotificationWait may hang (the change feed's long poll).
    pub notification_wait: Duration,
    /// Backoff of the transport for busy servers.
    pub retry: mapi_client::RetryPolicy,
    /// Other users' mailboxes (SMTP addresses) every user is offered in
    /// addition to those Autodiscover maps (`AlternativeMailbox`); each is
    /// shown only to users Exchange lets open it (see `stores`).
    pub additional_mailboxes: Vec<String>,
    /// Show the public folder tree (default true).
    pub public_folders: bool,
    /// Token source of [`AuthMode::Bearer`] (default none).
    pub bearer: Option<BearerTokens>,
}

impl ExchangeConfig {
    /// Defaults for these endpoints.
    pub fn new(endpoints: Endpoints) -> Self {
        Self {
            endpoints,
            auth: AuthMode::Basic,
            extra_roots: Vec::new(),
            pinned_certificate: None,
            webpki_roots: true,
            idle_timeout: Duration::from_secs(600),
            max_sessions: 1000,
            expunge: ExpungeMode::MoveToTrash,
            categories: CategoryMap::default(),
            max_message_size: 64 * 1024 * 1024,
            mime_cache_bytes: 256 * 1024 * 1024,
            size_on_server: false,
            feed_capacity: 1024,
            request_timeout: Duration::from_secs(60),
            notification_wait: Duration::from_secs(300),
            retry: mapi_client::RetryPolicy::default(),
            additional_mailboxes: Vec::new(),
            public_folders: true,
            bearer: None,
        }
    }
}
