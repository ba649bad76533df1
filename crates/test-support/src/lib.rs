//! Drivers of the real clients that both a front end's own tests (over the
//! in-memory mailbox) and the end-to-end tests (over exchange-sim) run:
//! Debian's `vdirsyncer`, `swaks` and Python's `smtplib`; and the replay of
//! saved fuzz inputs.
//!
//! Test code only (a dev-dependency): a client that cannot be started or
//! does not answer in time panics with what it was doing.
#![forbid(unsafe_code)]

pub mod fuzz_corpus;
pub mod smtplib;
pub mod swaks;
pub mod tools;
pub mod vdirsyncer;
