//! exchange-sim: an Exchange stand-in that speaks MAPI over HTTP, for tests
//! and the demo (issue 3).
//!
//! | module | what |
//! |---|---|
//! | [`store`] | the persistent mailbox store (SQLite), ids and change tracking, permissions, and the pure restriction/sort/table engine the ROP layer calls |
#![forbid(unsafe_code)]

pub mod store;
