//! Scripted CardDAV sessions against the server over a MemoryProvider.

mod common;

use common::{card, env, hrefs};

#[tokio::test]
async fn cards_round_trip_with_etags_and_version_negotiation() {
    let env = env().await;
    let book = env.collection("addressbooks", "Contacts").await;
    let href = format!("{book}bob.vcf");
    let bob = card("bob-1", "Bob Builder", "bobby", "bob@example.com", "+1 555 0100");
    let r = env.send("PUT", &href, &[("if-none-match", "*"), ("content-type", "text/vcard")], &bob).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = env.send("GET", &href, &[], "").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("VERSION:3.0") && r.body.contains("UID:bob-1") && r.body.contains("FN:Bob Builder"),
        "{}",
        r.body
    );
    let etag = r.header("etag").expect("etag").to_owned();
    let r = env.send("GET", &href, &[("accept", "text/vcard; version=4.0")], "").await;
    assert!(r.body.contains("VERSION:4.0"), "{}", r.body);
    assert!(r.header("content-type").is_some_and(|c| c.contains("version=4.0")));

    let edited = card("bob-1", "Robert Builder", "bobby", "bob@example.com", "+1 555 0100");
    assert_eq!(env.send("PUT", &href, &[("if-match", "\"stale\"")], &edited).await.status, 412);
    assert_eq!(env.send("PUT", &href, &[("if-match", &etag)], &edited).await.status, 204);
    assert!(env.send("GET", &href, &[], "").await.body.contains("FN:Robert Builder"));

    let r = env.send("PUT", &format!("{book}bad.vcf"), &[], "BEGIN:VCARD\r\nVERSION:9.9\r\nEND:VCARD\r\n").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<card:valid-address-data/>"), "{}", r.body);
    let r = env.propfind(&book, "1", "<d:getetag/>").await;
    assert_eq!(hrefs(&r.body), vec![book.clone(), href.clone()]);

    assert_eq!(env.send("DELETE", &href, &[], "").await.status, 204);
    assert_eq!(env.send("GET", &href, &[], "").await.status, 404);
}

#[tokio::test]
async fn addressbook_query_matches_fn_email_tel_and_nickname() {
    let env = env().await;
    let book = env.collection("addressbooks", "Contacts").await;
    for (name, c) in [
        ("bob", card("bob-1", "Bob Builder", "bobby", "bob@example.com", "+1 555 0100")),
        ("carol", card("carol-1", "Carol Jones", "cj", "carol@example.org", "+44 20 7946 0000")),
        ("dave", card("dave-1", "Dave Smith", "ds", "dave@example.com", "+1 555 0199")),
    ] {
        assert_eq!(env.send("PUT", &format!("{book}{name}.vcf"), &[], &c).await.status, 201);
    }
    let query = |filters: &str, test: &str| {
        format!(
            r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter test="{test}">{filters}</card:filter></card:addressbook-query>"#
        )
    };
    let tm = |prop: &str, text: &str, mt: &str| {
        format!(
            r#"<card:prop-filter name="{prop}"><card:text-match collation="i;unicode-casemap" match-type="{mt}">{text}</card:text-match></card:prop-filter>"#
        )
    };
    let names = |body: &str| {
        let mut v: Vec<String> =
            hrefs(body).into_iter().map(|h| h.rsplit('/').next().unwrap_or_default().to_owned()).collect();
        v.sort();
        v
    };
    let ask = async |f: String| env.send("REPORT", &book, &[("depth", "1")], &f).await;

    let r = ask(query(&tm("FN", "BO", "contains"), "anyof")).await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(names(&r.body), vec!["bob.vcf"]);
    assert!(r.body.contains("FN:Bob Builder"));
    let r = ask(query(&tm("EMAIL", "@example.com", "ends-with"), "anyof")).await;
    assert_eq!(names(&r.body), vec!["bob.vcf", "dave.vcf"]);
    let r = ask(query(&tm("TEL", "+44", "starts-with"), "anyof")).await;
    assert_eq!(names(&r.body), vec!["carol.vcf"]);
    let r = ask(query(&tm("NICKNAME", "cj", "equals"), "anyof")).await;
    assert_eq!(names(&r.body), vec!["carol.vcf"]);
    let both = format!("{}{}", tm("EMAIL", "example.com", "contains"), tm("NICKNAME", "ds", "equals"));
    let r = ask(query(&both, "allof")).await;
    assert_eq!(names(&r.body), vec!["dave.vcf"]);
    let r = ask(query(&both, "anyof")).await;
    assert_eq!(names(&r.body), vec!["bob.vcf", "dave.vcf"]);
    let negated =
        r#"<card:prop-filter name="FN"><card:text-match negate-condition="yes">o</card:text-match></card:prop-filter>"#;
    let r = ask(query(negated, "anyof")).await;
    assert_eq!(names(&r.body), vec!["dave.vcf"], "only Dave Smith has no o");
}

#[tokio::test]
async fn addressbook_multiget_and_sync() {
    let env = env().await;
    let book = env.collection("addressbooks", "Contacts").await;
    let bob = card("bob-1", "Bob Builder", "bobby", "bob@example.com", "+1 555 0100");
    env.send("PUT", &format!("{book}bob.vcf"), &[], &bob).await;
    let body = format!(
        r#"<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data version="4.0"/></d:prop><d:href>{book}bob.vcf</d:href><d:href>{book}nobody.vcf</d:href></card:addressbook-multiget>"#
    );
    let r = env.send("REPORT", &book, &[], &body).await;
    assert!(r.body.contains("VERSION:4.0") && r.body.contains("FN:Bob Builder"), "{}", r.body);
    assert!(r.body.contains("404 Not Found"));

    let sync = |t: &str| {
        format!(
            r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{t}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
        )
    };
    let r = env.send("REPORT", &book, &[], &sync("")).await;
    let token = common::text_of(&r.body, "d:sync-token").expect("token").to_owned();
    let carol = card("carol-1", "Carol Jones", "cj", "carol@example.org", "+44 20 7946 0000");
    env.send("PUT", &format!("{book}carol.vcf"), &[], &carol).await;
    let r = env.send("REPORT", &book, &[], &sync(&token)).await;
    assert_eq!(hrefs(&r.body), vec![format!("{book}carol.vcf")]);
}
