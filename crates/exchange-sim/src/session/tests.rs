use std::sync::Arc;
use std::time::Duration;

use super::*;

fn user(a: &str) -> AuthUser {
    AuthUser {
        address: a.to_owned(),
        display_name: a.to_owned(),
        legacy_dn: format!("/o=x/cn={a}"),
        mailbox_guid: mapi_wire::Guid([0; 16]),
    }
}

const SEQ: BeginOptions = BeginOptions { sequenced: true, exclusive: true };

#[test]
fn sequence_rotates_and_stale_values_are_refused() {
    let reg = SessionRegistry::new(Duration::from_secs(60));
    let alice = user("alice@example.test");
    let g = reg.create(SessionKind::Mailbox, &alice, None);
    let ctx = g.context().to_owned();
    let seq1 = g.new_sequence.clone().expect("connect issues a sequence");
    drop(g);
    let mut g = reg.begin(SessionKind::Mailbox, &alice, Some(&ctx), Some(&seq1), SEQ).expect("first execute");
    g.advance_sequence();
    let seq2 = g.new_sequence.clone().expect("rotated");
    assert_ne!(seq1, seq2);
    drop(g);
    assert_eq!(
        reg.begin(SessionKind::Mailbox, &alice, Some(&ctx), Some(&seq1), SEQ).err(),
        Some(SessionError::BadSequence)
    );
    assert_eq!(reg.begin(SessionKind::Mailbox, &alice, Some(&ctx), None, SEQ).err(), Some(SessionError::BadSequence));
    assert!(reg.begin(SessionKind::Mailbox, &alice, Some(&ctx), Some(&seq2), SEQ).is_ok());
}

#[test]
fn busy_other_user_wrong_endpoint_and_unknown_contexts() {
    let reg = SessionRegistry::new(Duration::from_secs(60));
    let alice = user("alice@example.test");
    let g = reg.create(SessionKind::Mailbox, &alice, None);
    let ctx = g.context().to_owned();
    let seq = g.new_sequence.clone();
    // The Connect guard still holds the context.
    assert_eq!(
        reg.begin(SessionKind::Mailbox, &alice, Some(&ctx), seq.as_deref(), SEQ).err(),
        Some(SessionError::Busy)
    );
    let nw = BeginOptions { sequenced: false, exclusive: false };
    assert!(reg.begin(SessionKind::Mailbox, &alice, Some(&ctx), None, nw).is_ok(), "NotificationWait runs beside");
    drop(g);
    let bob = user("bob@example.test");
    assert_eq!(
        reg.begin(SessionKind::Mailbox, &bob, Some(&ctx), seq.as_deref(), SEQ).err(),
        Some(SessionError::OtherUser)
    );
    assert_eq!(
        reg.begin(SessionKind::AddressBook, &alice, Some(&ctx), seq.as_deref(), SEQ).err(),
        Some(SessionError::WrongEndpoint)
    );
    assert_eq!(reg.begin(SessionKind::Mailbox, &alice, Some("nope"), None, nw).err(), Some(SessionError::NotFound));
    assert_eq!(reg.begin(SessionKind::Mailbox, &alice, None, None, nw).err(), Some(SessionError::MissingCookie));
}

#[test]
fn idle_contexts_expire_and_reconnect_replaces_the_old_one() {
    let reg = SessionRegistry::new(Duration::from_millis(30));
    let alice = user("alice@example.test");
    let ctx = reg.create(SessionKind::Mailbox, &alice, None).context().to_owned();
    let again = reg.create(SessionKind::Mailbox, &alice, Some(&ctx));
    assert_eq!(reg.len(), 1, "the old context was dropped");
    let ctx2 = again.context().to_owned();
    drop(again);
    std::thread::sleep(Duration::from_millis(60));
    let nw = BeginOptions { sequenced: false, exclusive: false };
    assert_eq!(reg.begin(SessionKind::Mailbox, &alice, Some(&ctx2), None, nw).err(), Some(SessionError::NotFound));
    assert!(reg.is_empty());
}

#[test]
fn notify_user_reaches_every_mailbox_context_of_that_user() {
    let reg = SessionRegistry::new(Duration::from_secs(60));
    let alice = user("alice@example.test");
    let a1 = reg.create(SessionKind::Mailbox, &alice, None);
    let a2 = reg.create(SessionKind::Mailbox, &alice, None);
    let _ab = reg.create(SessionKind::AddressBook, &alice, None);
    let b = reg.create(SessionKind::Mailbox, &user("bob@example.test"), None);
    let ev: Event = Arc::new("new mail");
    assert_eq!(reg.notify_user("ALICE@example.test", &ev), 2);
    assert_eq!(a1.notifications.len(), 1);
    assert_eq!(a2.notifications.len(), 1);
    assert!(b.notifications.is_empty());
}
