//! exchange-sim: an Exchange stand-in that speaks MAPI over HTTP, for tests
//! and the demo (issue 3).
//!
//! | module | what |
//! |---|---|
//! | [`server`] | the HTTP face: listener (plain/TLS), MAPI/HTTP endpoints, Autodiscover, `/health`, `/admin/faults`; [`server::Simulator`] / [`server::RunningSim`] |
//! | [`auth`] | Basic and Bearer authentication, the user directory |
//! | [`session`] | session contexts, cookies, sequencing, expiry, notification queues, and the backend traits the ROP/NSPI engines implement ([`session::MailboxBackend`], [`session::NspiBackend`]) |
//! | [`autodiscover`] | Autodiscover POX responses |
//! | [`config`] | [`config::SimConfig`] |
//! | [`rops`] | the ROP executor: [`rops::StoreBackend`], the default mailbox backend (Connect/Execute/Disconnect over the store: logon, folders, tables, messages, properties, streams, notifications, ICS download) |
//! | [`store`] | the persistent mailbox store (SQLite), ids and change tracking, permissions, and the pure restriction/sort/table engine the ROP layer calls |
#![forbid(unsafe_code)]

pub mod auth;
pub mod autodiscover;
pub mod config;
pub mod nspi;
pub mod rops;
pub mod seed;
pub mod server;
pub mod session;
pub mod store;
