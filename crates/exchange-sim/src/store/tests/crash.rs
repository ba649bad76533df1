//! Abrupt stop: a child process (this test binary, re-run on an ignored
//! test) writes in a loop and is killed; the store must reopen intact with
//! every committed message whole and ids still increasing.

use std::process::{Command, Stdio};
use std::time::Duration;

use mapi_wire::PropTag;

use super::super::*;
use super::{TempDir, alice, mail};

const ENV: &str = "EXCHANGE_SIM_CRASH_DIR";

/// The child: writes until killed (only runs when asked to).
#[test]
#[ignore = "run by abrupt_stop_never_corrupts as a child process"]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(ENV) else { return };
    let store = Store::open(&dir).unwrap();
    let mb = store.mailbox("alice@example.test").unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    for i in 0.. {
        let mut m = mail(&format!("m{i}"), false);
        m.props.set(PropTag::BODY, mapi_wire::prop_value::PropValue::String("x".repeat(i % 5000)));
        let id = mb.save_message(inbox, None, false, &m, SaveMode::Normal).unwrap().id;
        if i % 3 == 0 {
            mb.delete_messages(inbox, &[id], i % 2 == 0).unwrap();
        }
    }
}

#[test]
fn abrupt_stop_never_corrupts() {
    let dir = TempDir::new();
    let before = {
        let store = Store::open(&dir.0).unwrap();
        let mb = alice(&store);
        mb.allocate_message_id().unwrap()
    };
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["--ignored", "--exact", "store::tests::crash::crash_child_writer", "--nocapture"])
        .env(ENV, &dir.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once the child has committed a good number of changes (or after
    // a generous timeout on a slow machine).
    let start = std::time::Instant::now();
    let progress = Store::open(&dir.0).unwrap().mailbox("alice@example.test").unwrap();
    while start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
        if progress.current_change_number().unwrap().global_counter().value() > 200 {
            break;
        }
    }
    drop(progress);
    std::thread::sleep(Duration::from_millis(50));
    child.kill().unwrap();
    child.wait().unwrap();

    let store = Store::open(&dir.0).unwrap();
    {
        let conn = lock(&store.inner.conn);
        let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
    }
    let mb = store.mailbox("alice@example.test").unwrap();
    assert!(mb.current_change_number().unwrap().global_counter().value() > 200, "the child wrote");
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let rows = mb.contents(inbox, false).unwrap();
    let count = mb.folder_props(inbox).unwrap().i32(PropTag::CONTENT_COUNT).unwrap();
    assert_eq!(count as usize, rows.len());
    for r in &rows {
        let subject = r.content.props.string(PropTag::SUBJECT).unwrap();
        let n: usize = subject.trim_start_matches('m').parse().unwrap();
        assert_eq!(r.content.props.string(PropTag::BODY).map(|b| b.len()), Some(n % 5000), "message {n} is whole");
    }
    let after = mb.allocate_message_id().unwrap();
    assert!(after.global_counter().value() > before.global_counter().value());
    if let Some(max) = rows.iter().map(|r| r.id.global_counter().value()).max() {
        assert!(after.global_counter().value() > max);
    }
}
