//! Searches of the in-memory backend (restriction evaluated as Exchange
//! would, residual locally) select exactly what a local evaluation of the
//! whole criteria tree over the fetched envelope, flags and MIME selects.

mod common;

use common::{T0, env, rfc5322_date, ts};
use mailbox::search::evaluate;
use mailbox::{
    Account, AppendRequest, FetchFields, Flag, Flags, Keyword, SearchDate, SearchKey, SearchView, SeqSet, Uid, UidSet,
};
use proptest::prelude::*;

const NAMES: [(&str, &str); 4] = [
    ("Alice Adams", "alice@example.com"),
    ("Bob Brown", "bob@example.org"),
    ("Carol Clark", "carol@example.net"),
    ("Dave Dunn", "dave@example.com"),
];
const WORDS: [&str; 6] = ["alpha", "beta", "gamma", "delta", "report", "invoice"];
const KEYWORDS: [&str; 4] = ["$label1", "$label3", "Project", "urgent"];

#[derive(Clone, Debug)]
struct Gen {
    from: usize,
    to: Vec<usize>,
    cc: Vec<usize>,
    subject: Vec<usize>,
    body: Vec<usize>,
    tag: Option<usize>,
    sent: i64,
    delivered: i64,
    flags: Vec<u8>,
    keywords: Vec<usize>,
}

fn gen_message() -> impl Strategy<Value = Gen> {
    (
        0..NAMES.len(),
        proptest::collection::vec(0..NAMES.len(), 1..3),
        proptest::collection::vec(0..NAMES.len(), 0..2),
        proptest::collection::vec(0..WORDS.len(), 1..3),
        proptest::collection::vec(0..WORDS.len(), 1..6),
        proptest::option::of(0..WORDS.len()),
        (0i64..6, 0i64..86_400),
        (0i64..6, 0i64..86_400),
        proptest::collection::vec(0u8..6, 0..4),
        proptest::collection::vec(0..KEYWORDS.len(), 0..3),
    )
        .prop_map(|(from, to, cc, subject, body, tag, (sd, ss), (dd, ds), flags, keywords)| Gen {
            from,
            to,
            cc,
            subject,
            body,
            tag,
            sent: T0 + sd * 86_400 + ss,
            delivered: T0 + dd * 86_400 + ds,
            flags,
            keywords,
        })
}

fn render(g: &Gen) -> Vec<u8> {
    let addr = |i: &usize| {
        let (n, a) = NAMES[*i];
        format!("{n} <{a}>")
    };
    let list = |v: &[usize]| v.iter().map(addr).collect::<Vec<_>>().join(", ");
    let words = |v: &[usize]| v.iter().map(|&i| WORDS[i]).collect::<Vec<_>>().join(" ");
    let mut s = format!("From: {}\r\nTo: {}\r\n", addr(&g.from), list(&g.to));
    if !g.cc.is_empty() {
        s.push_str(&format!("Cc: {}\r\n", list(&g.cc)));
    }
    s.push_str(&format!("Subject: {}\r\nDate: {}\r\n", words(&g.subject), rfc5322_date(g.sent)));
    if let Some(t) = g.tag {
        s.push_str(&format!("X-Tag: {}\r\n", WORDS[t]));
    }
    s.push_str(&format!("Message-ID: <{}.{}@example.com>\r\n\r\n{}\r\n", g.sent, g.delivered, words(&g.body)));
    s.into_bytes()
}

fn flags_of(g: &Gen) -> Flags {
    let mut f = Flags::new();
    for b in &g.flags {
        f.insert(match b {
            0 => Flag::Seen,
            1 => Flag::Answered,
            2 => Flag::Flagged,
            3 => Flag::Deleted,
            4 => Flag::Draft,
            _ => Flag::Forwarded,
        });
    }
    for &k in &g.keywords {
        f.insert(Flag::Keyword(Keyword::new(KEYWORDS[k]).expect("atom")));
    }
    f
}

fn leaf() -> impl Strategy<Value = SearchKey> {
    let word = (0..WORDS.len()).prop_map(|i| WORDS[i].to_owned());
    let name = (0..NAMES.len(), any::<bool>()).prop_map(|(i, by_name)| {
        let (n, a) = NAMES[i];
        if by_name {
            n.split(' ').next().unwrap_or(n).to_lowercase()
        } else {
            a.split('@').nth(1).unwrap_or(a).to_uppercase()
        }
    });
    let date = (0i64..7).prop_map(|d| SearchDate::from_days(T0 / 86_400 + d));
    let keyword = (0..KEYWORDS.len() + 1).prop_map(|i| KEYWORDS.get(i).copied().unwrap_or("$Forwarded").to_owned());
    prop_oneof![
        Just(SearchKey::All),
        Just(SearchKey::Seen),
        Just(SearchKey::Unseen),
        Just(SearchKey::Answered),
        Just(SearchKey::Unanswered),
        Just(SearchKey::Flagged),
        Just(SearchKey::Unflagged),
        Just(SearchKey::Deleted),
        Just(SearchKey::Undeleted),
        Just(SearchKey::Draft),
        Just(SearchKey::Undraft),
        Just(SearchKey::Recent),
        keyword.clone().prop_map(SearchKey::Keyword),
        keyword.prop_map(SearchKey::Unkeyword),
        name.clone().prop_map(SearchKey::From),
        name.clone().prop_map(SearchKey::To),
        name.prop_map(SearchKey::Cc),
        word.clone().prop_map(SearchKey::Subject),
        word.clone().prop_map(SearchKey::Body),
        word.clone().prop_map(SearchKey::Text),
        word.prop_map(|w| SearchKey::Header("x-tag".into(), w)),
        Just(SearchKey::Header("X-Tag".into(), String::new())),
        date.clone().prop_map(SearchKey::Before),
        date.clone().prop_map(SearchKey::On),
        date.clone().prop_map(SearchKey::Since),
        date.clone().prop_map(SearchKey::SentBefore),
        date.clone().prop_map(SearchKey::SentOn),
        date.prop_map(SearchKey::SentSince),
        (200u32..320).prop_map(SearchKey::Larger),
        (200u32..320).prop_map(SearchKey::Smaller),
        (1u32..20, 0u32..5).prop_map(|(a, n)| SearchKey::Uid((a..=a + n).filter_map(Uid::new).collect::<UidSet>())),
        (1u32..20, 0u32..5).prop_map(|(a, n)| SearchKey::Seq(SeqSet(vec![(a, a + n)]))),
        (1u64..30).prop_map(SearchKey::ModSeq),
    ]
}

fn key() -> impl Strategy<Value = SearchKey> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(SearchKey::negate),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| SearchKey::or(a, b)),
            proptest::collection::vec(inner, 1..4).prop_map(SearchKey::And),
        ]
    })
}

/// Header block and body of a raw message.
fn split(raw: &[u8]) -> (String, String) {
    let s = String::from_utf8_lossy(raw).into_owned();
    match s.split_once("\r\n\r\n") {
        Some((h, b)) => (format!("{h}\r\n"), b.to_owned()),
        None => (s, String::new()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn search_equals_local_evaluation(
        messages in proptest::collection::vec(gen_message(), 1..16),
        keys in proptest::collection::vec(key(), 1..10),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let e = env().await;
            let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
            for g in &messages {
                let req = AppendRequest { mime: render(g), flags: flags_of(g), internal_date: Some(ts(g.delivered)) };
                inbox.append(req).await.expect("append");
            }
            // Some later flag changes so that modseqs differ.
            let first: UidSet = inbox.uids().await.expect("uids").into_iter().step_by(3).collect();
            let op = mailbox::FlagOp::Add(Flags::from([Flag::Seen]));
            inbox.store(&first, &op, None).await.expect("store");
            let fields = FetchFields { mime: true, ..FetchFields::SUMMARY };
            let data = inbox.fetch(&UidSet::all(), fields).await.expect("fetch");
            for key in &keys {
                let got = inbox.search(key).await.expect("search");
                let want: UidSet = data
                    .iter()
                    .enumerate()
                    .filter(|(i, m)| {
                        let (headers, body) = split(m.mime.as_deref().expect("mime"));
                        let flags = m.flags.clone().expect("flags");
                        let envelope = m.envelope.clone().expect("envelope");
                        let view = SearchView {
                            uid: m.uid,
                            seq: u32::try_from(i + 1).expect("small"),
                            modseq: m.modseq,
                            flags: &flags,
                            recent: false,
                            internal_date: m.internal_date.expect("date"),
                            size: m.size.expect("size"),
                            envelope: &envelope,
                            headers: Some(&headers),
                            body: Some(&body),
                        };
                        evaluate(key, &view)
                    })
                    .map(|(_, m)| m.uid)
                    .collect();
                prop_assert_eq!(&got, &want, "key {:?}", key);
            }
            Ok(())
        })?;
    }
}
