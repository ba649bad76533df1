//! Seeding: determinism, counts, and a seeded Inbox listed through the ROP
//! executor.
#![allow(clippy::unwrap_used, missing_docs)]

use exchange_sim::seed::{SeedOptions, seed};
use exchange_sim::store::{SpecialFolder, Store};

fn opts(s: u64) -> SeedOptions {
    SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 12, seed: s }
}

/// The stored message bags of a folder, without the server-computed
/// volatile properties (times, change keys, ids).
fn bags(store: &Store, user: &str, f: SpecialFolder) -> Vec<String> {
    let mb = store.mailbox(user).unwrap();
    let folder = mb.special_folder(f);
    let mut out: Vec<String> = mb
        .contents(folder, false)
        .unwrap()
        .iter()
        .map(|row| {
            let m = row;
            let mut props: Vec<String> = m
                .content
                .props
                .iter()
                .filter(|(t, _)| {
                    ![
                        0x3007u16, 0x3008, 0x65E2, 0x65E3, 0x67A4, 0x6748, 0x674A, 0x65E0, 0x65E1, 0x0E08, 0x0FF9,
                        0x0FFF, 0x300B, 0x3FD9,
                    ]
                    .contains(&t.id())
                })
                .map(|(t, v)| format!("{:08X}={v:?}", t.0))
                .collect();
            props.sort();
            format!("{props:?} rcpt={:?} att={}", m.content.recipients.len(), m.content.attachments.len())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn same_seed_same_content_and_counts() {
    let (a, b, c) =
        (Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap(), Store::open_in_memory().unwrap());
    let ra = seed(&a, &opts(7)).unwrap();
    let rb = seed(&b, &opts(7)).unwrap();
    seed(&c, &opts(8)).unwrap();
    assert_eq!(ra, rb);
    assert_eq!(ra.messages, 24);
    assert_eq!(ra.contacts, 10, "4 contacts and a distribution list per user");
    assert_eq!(ra.appointments, 8);
    assert_eq!(ra.meeting_requests, 1);
    for u in ["alice@example.test", "bob@example.test"] {
        let inbox = bags(&a, u, SpecialFolder::Inbox);
        // 3 of every 4 messages are received; bob also has alice's meeting request.
        assert_eq!(inbox.len(), if u == "bob@example.test" { 10 } else { 9 });
        assert!(inbox == bags(&b, u, SpecialFolder::Inbox), "same seed, same Inbox bags");
        assert!(
            bags(&a, u, SpecialFolder::SentItems) == bags(&b, u, SpecialFolder::SentItems),
            "same seed, same Sent Items bags"
        );
        assert!(
            bags(&a, u, SpecialFolder::Contacts) == bags(&b, u, SpecialFolder::Contacts),
            "same seed, same contacts"
        );
        for f in [SpecialFolder::Drafts, SpecialFolder::Calendar, SpecialFolder::Tasks, SpecialFolder::Notes] {
            let bag = bags(&a, u, f);
            assert!(!bag.is_empty(), "{f:?} seeded");
            assert!(bag == bags(&b, u, f), "same seed, same {f:?}");
        }
        assert_eq!(bags(&a, u, SpecialFolder::SentItems).len(), 3);
        assert_ne!(inbox, bags(&c, u, SpecialFolder::Inbox), "another seed, other content");
    }
    // Demo users, the team mailbox, alice's access.
    assert!(a.verify_password("alice@example.test", "demo").unwrap());
    assert!(a.verify_password("bob@example.test", "demo").unwrap());
    assert!(a.mailbox("team@example.test").is_ok());
}
