//! The global address list through the model (`Account::directory`) over
//! exchange-sim's NSPI endpoint: prefix search, the cap, get by id, the
//! listing, and one reused NSPI session.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use mailbox::{Account, DirectoryId, DirectoryQuery, EntryKind, SearchField};

#[tokio::test]
async fn gal_search_for_bo_finds_bob_through_the_model() {
    let env = Env::new().await;
    // bob's directory attributes as the seed gives them (title, phones, a
    // JPEG thumbnail).
    exchange_sim::seed::directory::attributes(&env.mailbox(BOB), 1, BOB).unwrap();
    let alice = env.alice().await;
    let gal = alice.directory().expect("autodiscover names the address book");
    assert!(gal.searchable().contains(&SearchField::Email));
    assert!(!gal.searchable().contains(&SearchField::Phone), "NSPI ANR does not search phone numbers");

    let found = gal.search(&DirectoryQuery::anr("bo"), 50).await.unwrap();
    assert!(!found.truncated);
    let [bob] = &found.entries[..] else { panic!("{found:?}") };
    assert_eq!(bob.display_name, "Bob Tester");
    assert_eq!(bob.email, BOB);
    assert_eq!(bob.kind, EntryKind::User);
    assert_eq!(bob.id.as_str(), env.mailbox(BOB).info().legacy_dn, "the legacyDN names the entry");

    assert!(gal.search(&DirectoryQuery::anr("zz"), 50).await.unwrap().entries.is_empty());
    // A query on fields NSPI cannot search finds nothing rather than guessing.
    let phone = DirectoryQuery { text: "bo".into(), fields: vec![SearchField::Phone] };
    assert!(gal.search(&phone, 50).await.unwrap().entries.is_empty());

    // "Tester" matches alice and bob: capped at one, and said so.
    let capped = gal.search(&DirectoryQuery::anr("tester"), 1).await.unwrap();
    assert_eq!((capped.entries.len(), capped.truncated), (1, true));

    // Get by the id a search returned gives the same entry (and version).
    let again = gal.get(&bob.id).await.unwrap().expect("bob by legacyDN");
    assert_eq!(again.email, BOB);
    assert_eq!(again.version(), bob.version());
    assert_eq!(gal.get(&DirectoryId::new("/o=nowhere/cn=nobody")).await.unwrap(), None);
    // The GAL serves bob's thumbnail (PidTagThumbnailPhoto).
    let photo = again.photo.as_ref().expect("bob's GAL entry carries his thumbnail photo");
    assert!(photo.data.starts_with(&[0xFF, 0xD8]), "a JPEG (SOI marker)");

    let listed = gal.list(10).await.unwrap();
    let names: Vec<&str> = listed.entries.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["Alice Tester", "Bob Tester", "Team Mailbox"]);

    // Every call went over one NSPI session.
    let (binds, requests) = alice.exchange_directory().unwrap().counters();
    assert_eq!(binds, 1);
    assert!(requests >= 6, "{requests}");
}
