//! Golden vCard ↔ MAPI tests: every tests/fixtures/vcard/*.vcf (Apple
//! Contacts 3.0, DAVx5 4.0, Thunderbird, Outlook 2.1/3.0, photos, groups,
//! non-ASCII, folded lines, odd-but-legal input) is parsed to MAPI, the
//! property bag and the rendered 3.0 and 4.0 cards are snapshotted with
//! insta, and the rendered cards are parsed again to the same bag.
//!
//! To refresh after an intended change: `INSTA_UPDATE=always cargo test -p
//! convert --test vcard_golden` and review the diff.

mod vcard_util;

use convert::Message;
use convert::vcard::{
    VcardParseOptions, VcardRenderOptions, VcardVersion, message_to_vcard, props, vcards_to_messages,
};
use vcard_util::TestDirectory;

fn directory() -> TestDirectory {
    TestDirectory::default()
        .with("urn:uuid:3F2504E0-4F89-11D3-9A0C-0305E82C3301", "Mia Fischer", "mia@blueharbor.example")
        .with("urn:uuid:7E1A2B3C-0000-4000-8000-0000000000C1", "Chidi Okonkwo", "chidi@example.ng")
        .with("c7d5d9a4-6d8e-4f2b-9a51-0f1e2d3c4b5a", "Sofia Costa", "sofia@costa.example")
}

#[test]
fn at_least_twenty_fixtures() {
    assert!(vcard_util::fixtures().len() >= 20, "{}", vcard_util::fixtures().len());
}

#[test]
fn golden_snapshots() {
    let dir = directory();
    let parse = VcardParseOptions { directory: &dir, ..Default::default() };
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/vcard");
    settings.bind(|| {
        for (name, raw) in vcard_util::fixtures() {
            let cards = vcards_to_messages(&raw, &parse).unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut out = String::new();
            for (i, card) in cards.iter().enumerate() {
                out.push_str(&format!("## card {i} (source {:?}, uid {:?})\n", card.version, card.uid));
                out.push_str(&vcard_util::dump(&card.message));
                out.push_str(&format!("warnings: {:#?}\n", card.warnings));
                for version in [VcardVersion::V3, VcardVersion::V4] {
                    let render = VcardRenderOptions { version, directory: &dir, ..Default::default() };
                    let text = message_to_vcard(&card.message, &render).expect("renders");
                    out.push_str(&format!("## rendered {}\n{}", version.as_str(), text.replace("\r\n", "\n")));
                }
            }
            insta::assert_snapshot!(name.as_str(), out);
        }
    });
}

/// Parsing our own rendering gives the same MAPI message, in both
/// versions, for every fixture: nothing a client stored is lost on GET.
#[test]
fn rendered_cards_parse_back_to_the_same_message() {
    let dir = directory();
    let parse = VcardParseOptions { directory: &dir, ..Default::default() };
    for (name, raw) in vcard_util::fixtures() {
        for card in vcards_to_messages(&raw, &parse).expect("parses") {
            for version in [VcardVersion::V3, VcardVersion::V4] {
                let render = VcardRenderOptions { version, directory: &dir, ..Default::default() };
                let text = message_to_vcard(&card.message, &render).expect("renders");
                let again = vcards_to_messages(text.as_bytes(), &parse).expect("reparses");
                assert_eq!(again.len(), 1);
                let (a, b) = (comparable(&card.message, version), comparable(&again[0].message, version));
                let missing: Vec<&str> = a.lines().filter(|l| !b.lines().any(|x| x == *l)).collect();
                let added: Vec<&str> = b.lines().filter(|l| !a.lines().any(|x| x == *l)).collect();
                assert_eq!(a, b, "{name} via {}: lost {missing:#?} gained {added:#?}\n{text}", version.as_str());
            }
        }
    }
}

/// The message without what one version cannot carry: vCard 3.0 has no
/// GENDER, so it is kept as text on the way back.
fn comparable(m: &Message, version: VcardVersion) -> String {
    let mut m = m.clone();
    if version == VcardVersion::V3 {
        m.props.remove(mapi_wire::PropTag::GENDER);
        if let Some(e) = m.props.string(props::VCARD_EXTRA).map(|s| s.into_owned()) {
            let kept: String =
                e.split("\r\n").filter(|l| !l.starts_with("GENDER")).map(|l| format!("{l}\r\n")).collect();
            m.props.remove(props::VCARD_EXTRA);
            if !kept.trim().is_empty() {
                let _ = m.props.insert(props::VCARD_EXTRA, mapi_wire::prop_value::PropValue::String(kept));
            }
        }
    }
    vcard_util::dump(&m)
}
