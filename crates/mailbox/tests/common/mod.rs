//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::sync::Arc;

use mailbox::{MemoryAccount, MemoryConfig, Timestamp};

/// 2026-11-27 00:00:00 UTC.
pub const T0: i64 = 1_795_737_600;

pub struct Env {
    pub dir: tempfile::TempDir,
    pub account: MemoryAccount,
}

pub async fn env() -> Env {
    env_with(MemoryConfig::default()).await
}

pub async fn env_with(config: MemoryConfig) -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = state::SqliteStore::open(dir.path()).await.expect("state store");
    let account = MemoryAccount::new("alice@example.com", Arc::new(store), config).await.expect("account");
    Env { dir, account }
}

/// `27 Nov 2026 10:00:00 +0000` for a Unix time.
pub fn rfc5322_date(t: i64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil from days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{d} {} {y} {:02}:{:02}:{:02} +0000", MONTHS[(m - 1) as usize], secs / 3600, secs / 60 % 60, secs % 60)
}

/// A small text message.
pub fn message(subject: &str, date: i64) -> Vec<u8> {
    format!(
        "From: Bob <bob@example.com>\r\nTo: Alice <alice@example.com>\r\nSubject: {subject}\r\nDate: {}\r\n\
Message-ID: <{subject}.{date}@example.com>\r\n\r\nHello {subject}\r\n",
        rfc5322_date(date)
    )
    .into_bytes()
}

pub fn ts(t: i64) -> Timestamp {
    Timestamp(t)
}
