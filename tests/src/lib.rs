//! The workspace's end-to-end tests live in `tests/`: real clients (mbsync,
//! curl, imaplib, swaks, smtplib) against the IMAP and SMTP front ends over
//! `mailbox::exchange::ExchangeProvider` and an in-process exchange-sim.
//!
//! The library holds what the fault, security and load runs share: the real
//! binaries as processes ([`procs`]) and small protocol clients ([`clients`]).
#![forbid(unsafe_code)]

pub mod clients;
pub mod procs;
