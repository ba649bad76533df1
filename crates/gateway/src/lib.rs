//! The `mapibridge` binary's parts: configuration, listeners and TLS, the
//! HTTP side (health, readiness, metrics, client auto-configuration), and the
//! commands (`demo`, `serve`, `check`, `dns`, `inspect`, `login`, `passwd`, `prefetch`).
//!
//! The gateway holds no protocol logic: IMAP, SMTP and the mailbox model
//! live in their crates and are plugged in through [`frontends::FrontEnd`].
#![forbid(unsafe_code)]

pub mod access;
pub mod admin;
pub mod autoconfig;
pub mod backend;
pub mod check;
pub mod config;
pub mod credstore;
pub mod demo;
pub mod dns;
pub mod frontends;
pub mod http;
pub mod inspect;
pub mod logging;
pub mod login;
pub mod metrics;
pub mod oauth;
pub mod prefetch;
pub mod probe;
pub mod probe_tls;
pub mod serve;
pub mod server;
pub mod signals;
pub mod tls;
pub mod tokens;
pub mod vault;
