//! The workspace's end-to-end tests live in `tests/`: real clients (mbsync,
//! curl, imaplib, swaks, smtplib) against the IMAP and SMTP front ends over
//! `mailbox::exchange::ExchangeProvider` and an in-process exchange-sim.
#![forbid(unsafe_code)]
