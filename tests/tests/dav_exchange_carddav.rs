//! CardDAV over Exchange, scripted (issue 11, "must show"): the DAV server
//! over `ExchangeProvider` over an in-process exchange-sim. Discovery,
//! create/edit/delete with ETags, addressbook-query, sync tokens, a group
//! whose members resolve, and a photo that a PUT replaces or removes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod dav_exchange_stack;

use dav_exchange_stack::*;

fn query(prop: &str, text: &str) -> String {
    format!(
        r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter><card:prop-filter name="{prop}"><card:text-match collation="i;unicode-casemap" match-type="contains">{text}</card:text-match></card:prop-filter></card:filter></card:addressbook-query>"#
    )
}

/// A 1×1 PNG, base64 (the smallest valid image a client could send).
const PNG_RED: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const PNG_BLUE: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPj/HwADBwIAMCbHYQAAAABJRU5ErkJggg==";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_from_well_known_to_the_contacts_address_book() {
    let stack = start().await;
    let r = send(stack.gateway.addr, None, "PROPFIND", "/.well-known/carddav", &[("depth", "0")], Vec::new()).await;
    assert!(matches!(r.status, 301 | 302 | 307 | 308), "{} {}", r.status, r.body);
    let location = r.header("location").unwrap().to_owned();
    let path = location.trim_start_matches(&stack.base()).to_owned();
    let r = stack.propfind(&path, "0", "<d:current-user-principal/>").await;
    assert_eq!(r.status, 207, "{}", r.body);
    let principal =
        r.body.split("<d:current-user-principal>").nth(1).and_then(|s| text_of(s, "d:href")).unwrap().to_owned();
    let r = stack.propfind(&principal, "0", "<card:addressbook-home-set/>").await;
    let home =
        r.body.split("<card:addressbook-home-set>").nth(1).and_then(|s| text_of(s, "d:href")).unwrap().to_owned();
    let r = stack.propfind(&home, "1", "<d:displayname/><d:resourcetype/><d:sync-token/>").await;
    assert_eq!(r.status, 207, "{}", r.body);
    let books: Vec<String> = responses(&r.body)
        .into_iter()
        .filter(|x| x.contains("<card:addressbook/>"))
        .map(|x| text_of(&x, "d:displayname").unwrap_or_default().to_owned())
        .collect();
    assert!(books.contains(&"Contacts".to_owned()), "{books:?}");
    // The seeded contacts are served as vCards.
    let book = stack.collection("addressbooks", "Contacts").await;
    let members = stack.members(&book).await;
    assert!(!members.is_empty());
    let r = stack.send("GET", &members[0].0, &[], "").await;
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with("BEGIN:VCARD") && r.body.contains("FN:"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_edit_delete_query_and_sync_tokens() {
    let stack = start().await;
    let book = stack.collection("addressbooks", "Contacts").await;
    let r = stack.sync(&book, "").await;
    let t0 = text_of(&r.body, "d:sync-token").unwrap().to_owned();

    let href = format!("{book}zoe.vcf");
    let vcf = card("e2e-zoe", "Zoë Quartermaine", "zoe@example.org", "+44 20 7946 0011");
    let r = stack.send("PUT", &href, &[("if-none-match", "*"), ("content-type", "text/vcard")], &vcf).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let etag = stack.etag_of(&href).await;
    let r = stack.send("GET", &href, &[], "").await;
    assert!(r.body.contains("FN:Zoë Quartermaine") && r.body.contains("zoe@example.org"), "{}", r.body);
    assert!(r.body.contains("UID:e2e-zoe"), "{}", r.body);

    // Query by e-mail, by name (non-ASCII, case-insensitive) and by phone.
    for (prop, text) in [("EMAIL", "zoe@example"), ("FN", "Ë QUARTER"), ("TEL", "7946 0011")] {
        let r = stack.send("REPORT", &book, &[("depth", "1")], &query(prop, text)).await;
        assert_eq!(r.status, 207, "{}", r.body);
        assert_eq!(hrefs(&r.body), vec![href.clone()], "{prop} {text}: {}", r.body);
    }
    let r = stack.send("REPORT", &book, &[("depth", "1")], &query("EMAIL", "nobody@nowhere")).await;
    assert!(hrefs(&r.body).is_empty(), "{}", r.body);

    // Sync: exactly the new card.
    let r = stack.sync(&book, &t0).await;
    assert_eq!(hrefs(&r.body), vec![href.clone()], "{}", r.body);
    let t1 = text_of(&r.body, "d:sync-token").unwrap().to_owned();

    // Edit with the right ETag; a stale one fails.
    let edited = card("e2e-zoe", "Zoë Quartermaine-Smith", "zoe@example.org", "+44 20 7946 0022");
    assert_eq!(stack.send("PUT", &href, &[("if-match", &etag)], &edited).await.status, 204);
    assert_eq!(stack.send("PUT", &href, &[("if-match", &etag)], &vcf).await.status, 412);
    let r = stack.send("GET", &href, &[], "").await;
    assert!(r.body.contains("FN:Zoë Quartermaine-Smith") && r.body.contains("7946 0022"), "{}", r.body);
    assert!(!r.body.contains("7946 0011"), "the old number is gone: {}", r.body);
    let r = stack.sync(&book, &t1).await;
    assert_eq!(hrefs(&r.body), vec![href.clone()], "{}", r.body);
    let t2 = text_of(&r.body, "d:sync-token").unwrap().to_owned();

    assert_eq!(stack.send("DELETE", &href, &[("if-match", &etag)], "").await.status, 412);
    let etag = stack.etag_of(&href).await;
    assert_eq!(stack.send("DELETE", &href, &[("if-match", &etag)], "").await.status, 204);
    assert_eq!(stack.send("GET", &href, &[], "").await.status, 404);
    let r = stack.sync(&book, &t2).await;
    assert_eq!(hrefs(&r.body), vec![href.clone()], "{}", r.body);
    assert!(r.body.contains("404"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_card_keeps_members_that_resolve_to_cards() {
    let stack = start().await;
    let book = stack.collection("addressbooks", "Contacts").await;
    for (uid, name, mail) in [("e2e-ann", "Ann Archer", "ann@example.org"), ("e2e-ben", "Ben Baker", "ben@example.org")]
    {
        let r = stack.send("PUT", &format!("{book}{uid}.vcf"), &[], &card(uid, name, mail, "+1 555 0100")).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // As DAVx5 writes a group (vCard 4.0, KIND:group, MEMBER urn:uuid:).
    let group = "BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:DAVx5/4.4.2-ose ez-vcard/0.12.1\r\nUID:e2e-team\r\n\
KIND:group\r\nFN:Team\r\nMEMBER:urn:uuid:e2e-ann\r\nMEMBER:urn:uuid:e2e-ben\r\nMEMBER:mailto:erin@example.org\r\n\
REV:20261127T080000Z\r\nEND:VCARD\r\n";
    let href = format!("{book}team.vcf");
    let r = stack.send("PUT", &href, &[("content-type", "text/vcard; charset=utf-8")], group).await;
    assert_eq!(r.status, 201, "{}", r.body);
    for accept in ["text/vcard; version=4.0", "text/vcard; version=3.0"] {
        let r = stack.send("GET", &href, &[("accept", accept)], "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let body = unfold(&r.body);
        assert!(body.contains("KIND:group") || body.contains("X-ADDRESSBOOKSERVER-KIND:group"), "{accept}: {body}");
        let members: Vec<&str> = body
            .lines()
            .filter_map(|l| l.strip_prefix("MEMBER:").or_else(|| l.strip_prefix("X-ADDRESSBOOKSERVER-MEMBER:")))
            .collect();
        assert_eq!(members.len(), 3, "{accept}: {body}");
        assert!(members.contains(&"mailto:erin@example.org"), "{members:?}");
        // Each urn:uuid member is a card of the address book.
        for m in members.iter().filter_map(|m| m.strip_prefix("urn:uuid:")) {
            let r = stack.send("REPORT", &book, &[("depth", "1")], &query("UID", m)).await;
            assert_eq!(hrefs(&r.body), vec![format!("{book}{m}.vcf")], "member {m}: {}", r.body);
        }
    }
    // Dropping a member rewrites the list.
    let etag = stack.etag_of(&href).await;
    let smaller = group.replace("MEMBER:urn:uuid:e2e-ben\r\n", "");
    assert_eq!(stack.send("PUT", &href, &[("if-match", &etag)], &smaller).await.status, 204);
    let body = unfold(&stack.send("GET", &href, &[("accept", "text/vcard; version=4.0")], "").await.body);
    assert!(!body.contains("e2e-ben") && body.contains("e2e-ann"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_contact_replaces_or_removes_its_photo() {
    let stack = start().await;
    let book = stack.collection("addressbooks", "Contacts").await;
    let href = format!("{book}pat.vcf");
    // As Apple Contacts writes a photo (vCard 3.0, ENCODING=b).
    let with_photo = |png: &str| {
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\nN:Lee;Pat;;;\r\nFN:Pat Lee\r\n\
             EMAIL;type=INTERNET;type=HOME;type=pref:pat@example.org\r\nPHOTO;ENCODING=b;TYPE=PNG:{png}\r\nUID:e2e-pat\r\nEND:VCARD\r\n"
        )
    };
    let photo_of = |body: &str| -> Vec<String> {
        unfold(body).lines().filter(|l| l.starts_with("PHOTO")).map(|l| l.replace(' ', "")).collect()
    };
    assert_eq!(stack.send("PUT", &href, &[], &with_photo(PNG_RED)).await.status, 201);
    let r = stack.send("GET", &href, &[("accept", "text/vcard; version=3.0")], "").await;
    let photos = photo_of(&r.body);
    assert_eq!(photos.len(), 1, "{}", r.body);
    assert!(photos[0].contains(&PNG_RED[60..]), "{photos:?}");

    // Another photo: exactly one, the new one.
    let etag = r.etag();
    assert_eq!(stack.send("PUT", &href, &[("if-match", &etag)], &with_photo(PNG_BLUE)).await.status, 204);
    let r = stack.send("GET", &href, &[("accept", "text/vcard; version=3.0")], "").await;
    let photos = photo_of(&r.body);
    assert_eq!(photos.len(), 1, "{}", r.body);
    assert!(photos[0].contains(&PNG_BLUE[60..]) && !photos[0].contains(&PNG_RED[60..]), "{photos:?}");

    // No photo: none left.
    let etag = r.etag();
    let plain = with_photo("").replace("PHOTO;ENCODING=b;TYPE=PNG:\r\n", "");
    assert_eq!(stack.send("PUT", &href, &[("if-match", &etag)], &plain).await.status, 204);
    let r = stack.send("GET", &href, &[], "").await;
    assert!(photo_of(&r.body).is_empty(), "{}", r.body);
    assert!(r.body.contains("FN:Pat Lee"), "{}", r.body);
}
