use convert::PropertyBag;
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::PidName;
use proptest::prelude::*;

use super::*;
use crate::flags::{Flag, Flags, Keyword};

fn bag(props: &[(PropTag, i32)]) -> PropertyBag {
    let mut b = PropertyBag::new();
    for (t, v) in props {
        b.insert(*t, PropValue::I32(*v)).expect("plain tag");
    }
    b
}

fn read(b: &PropertyBag) -> Flags {
    MapiFlagState::from_bag(b).flags(&CategoryMap::default())
}

/// Writes `target` onto `b` and returns the write.
fn write(b: &mut PropertyBag, target: &Flags) -> FlagWrite {
    let w = MapiFlagState::from_bag(b).write_for(target, &CategoryMap::default());
    w.apply_to(b);
    w
}

#[test]
fn properties_read_as_flags() {
    assert_eq!(read(&bag(&[(PropTag::MESSAGE_FLAGS, MF_READ)])), Flags::from([Flag::Seen]));
    assert_eq!(read(&bag(&[(PropTag::MESSAGE_FLAGS, MF_UNSENT)])), Flags::from([Flag::Draft]));
    assert_eq!(read(&bag(&[(PropTag::FLAG_STATUS, 2)])), Flags::from([Flag::Flagged]));
    // followupComplete is not \Flagged.
    assert_eq!(read(&bag(&[(PropTag::FLAG_STATUS, 1)])), Flags::new());
    for verb in [102, 103] {
        assert_eq!(read(&bag(&[(PropTag::LAST_VERB_EXECUTED, verb)])), Flags::from([Flag::Answered]));
    }
    assert_eq!(read(&bag(&[(PropTag::LAST_VERB_EXECUTED, 104)])), Flags::from([Flag::Forwarded]));
    assert_eq!(read(&bag(&[(PropTag::ICON_INDEX, 0x105)])), Flags::from([Flag::Answered]));
    assert_eq!(read(&bag(&[(PropTag::ICON_INDEX, 0x106)])), Flags::from([Flag::Forwarded]));
    assert_eq!(
        read(&bag(&[(PropTag::LAST_VERB_EXECUTED, 102), (PropTag::ICON_INDEX, 0x106)])),
        Flags::from([Flag::Answered, Flag::Forwarded])
    );
    // Unrelated icon (0x100 read mail) and verbs mean nothing.
    assert_eq!(read(&bag(&[(PropTag::ICON_INDEX, 0x100), (PropTag::LAST_VERB_EXECUTED, 0)])), Flags::new());
}

#[test]
fn seen_is_written_as_a_read_flag_change() {
    let mut b = bag(&[(PropTag::MESSAGE_FLAGS, MF_UNSENT)]);
    let w = write(&mut b, &Flags::from([Flag::Seen, Flag::Draft]));
    assert_eq!(w.read, Some(true));
    assert!(w.set.is_empty() && w.delete.is_empty() && !w.draft_refused);
    assert_eq!(b.i32(PropTag::MESSAGE_FLAGS), Some(MF_UNSENT | MF_READ));
    let w = write(&mut b, &Flags::from([Flag::Draft]));
    assert_eq!(w.read, Some(false));
    assert_eq!(b.i32(PropTag::MESSAGE_FLAGS), Some(MF_UNSENT));
}

#[test]
fn flagged_is_flag_status_2_and_clearing_deletes_it() {
    let mut b = PropertyBag::new();
    let w = write(&mut b, &Flags::from([Flag::Flagged]));
    assert_eq!(
        w.set,
        vec![
            (PropRef::Tag(PropTag::FLAG_STATUS), PropValue::I32(2)),
            (PropRef::Tag(PropTag::FOLLOWUP_ICON), PropValue::I32(6))
        ]
    );
    assert_eq!(read(&b), Flags::from([Flag::Flagged]));
    let w = write(&mut b, &Flags::new());
    assert_eq!(w.delete, vec![PropRef::Tag(PropTag::FLAG_STATUS), PropRef::Tag(PropTag::FOLLOWUP_ICON)]);
    assert_eq!(b.i32(PropTag::FLAG_STATUS), None);
    // A completed item stays completed when \Flagged is cleared.
    let mut done = bag(&[(PropTag::FLAG_STATUS, 1)]);
    assert!(write(&mut done, &Flags::new()).is_empty());
    assert_eq!(done.i32(PropTag::FLAG_STATUS), Some(1));
}

#[test]
fn answered_and_forwarded_become_verb_and_icon() {
    let mut b = PropertyBag::new();
    write(&mut b, &Flags::from([Flag::Answered]));
    assert_eq!((b.i32(PropTag::LAST_VERB_EXECUTED), b.i32(PropTag::ICON_INDEX)), (Some(102), Some(0x105)));
    write(&mut b, &Flags::from([Flag::Forwarded]));
    assert_eq!((b.i32(PropTag::LAST_VERB_EXECUTED), b.i32(PropTag::ICON_INDEX)), (Some(104), Some(0x106)));
    write(&mut b, &Flags::from([Flag::Answered, Flag::Forwarded]));
    assert_eq!((b.i32(PropTag::LAST_VERB_EXECUTED), b.i32(PropTag::ICON_INDEX)), (Some(102), Some(0x106)));
    assert_eq!(read(&b), Flags::from([Flag::Answered, Flag::Forwarded]));
    write(&mut b, &Flags::new());
    assert_eq!((b.i32(PropTag::LAST_VERB_EXECUTED), b.i32(PropTag::ICON_INDEX)), (None, None));
    // Reply-all stays reply-all while \Answered stays.
    let mut all = bag(&[(PropTag::LAST_VERB_EXECUTED, 103)]);
    write(&mut all, &Flags::from([Flag::Answered, Flag::Forwarded]));
    assert_eq!(all.i32(PropTag::LAST_VERB_EXECUTED), Some(103));
}

#[test]
fn draft_cannot_change_after_creation() {
    let mut b = bag(&[(PropTag::MESSAGE_FLAGS, 0)]);
    let w = write(&mut b, &Flags::from([Flag::Draft]));
    assert!(w.draft_refused && w.is_empty());
    assert_eq!(initial_message_flags(&Flags::from([Flag::Draft, Flag::Seen])), MF_UNSENT | MF_READ);
    assert_eq!(initial_message_flags(&Flags::from([Flag::Flagged])), 0);
}

#[test]
fn deleted_is_never_a_property() {
    let mut b = PropertyBag::new();
    assert!(write(&mut b, &Flags::from([Flag::Deleted])).is_empty());
    assert!(b.is_empty());
}

#[test]
fn keywords_become_categories_with_labels_named() {
    let mut b = PropertyBag::new();
    let kw = |s: &str| Flag::Keyword(Keyword::new(s).expect("atom"));
    let w = write(&mut b, &Flags::from([kw("$label2"), kw("Project-X"), kw("Red#20Category")]));
    assert_eq!(w.set.len(), 1);
    let cats = b.named_strings(&PidName::KEYWORDS).expect("categories").into_iter().map(|c| c.into_owned());
    assert_eq!(cats.collect::<Vec<_>>(), vec!["Work", "Project-X", "Red Category"]);
    assert_eq!(read(&b), Flags::from([kw("$label2"), kw("Project-X"), kw("Red#20Category")]));
    // Removing one keeps the others in their order; removing all deletes.
    write(&mut b, &Flags::from([kw("Red#20Category"), kw("$label2")]));
    let cats = b.named_strings(&PidName::KEYWORDS).expect("categories").into_iter().map(|c| c.into_owned());
    assert_eq!(cats.collect::<Vec<_>>(), vec!["Work", "Red Category"]);
    let w = write(&mut b, &Flags::new());
    assert_eq!(w.delete, vec![PropRef::Named(PidName::KEYWORDS)]);
    assert!(!b.contains(PidName::KEYWORDS));
}

#[test]
fn category_names_map_to_configured_labels() {
    let map = CategoryMap { labels: ["Wichtig", "Arbeit", "Privat", "Erledigen", "Später"].map(String::from) };
    let k = map.keyword_of("arbeit").expect("keyword");
    assert_eq!(k.as_str(), "$label2");
    assert_eq!(map.category_of(&k), "Arbeit");
    assert_eq!(map.category_of(&Keyword::new("$Label5").expect("atom")), "Später");
    // Categories that look like labels or $Forwarded are escaped.
    assert_eq!(map.keyword_of("$label1").expect("kw").as_str(), "#24label1");
    assert_eq!(map.keyword_of("$Forwarded").expect("kw").as_str(), "#24Forwarded");
    assert_eq!(map.keyword_of("Später Lesen").expect("kw").as_str(), "Sp#C3#A4ter#20Lesen");
    assert_eq!(map.keyword_of(""), None);
}

fn flag_strategy() -> impl Strategy<Value = Flags> {
    let system = proptest::collection::vec(
        prop_oneof![
            Just(Flag::Seen),
            Just(Flag::Answered),
            Just(Flag::Flagged),
            Just(Flag::Forwarded),
            Just(Flag::Deleted),
        ],
        0..5,
    );
    let keywords = proptest::collection::vec("[A-Za-z0-9_.-]{1,8}|\\$label[1-5]", 0..4);
    (system, keywords).prop_map(|(s, k)| {
        let mut f: Flags = s.into_iter().collect();
        for k in k {
            if let Some(flag) = Flag::keyword(&k) {
                f.insert(flag);
            }
        }
        f
    })
}

proptest! {
    /// Every storable flag set survives flags → properties → flags, from any
    /// starting state (\Deleted excepted: gateway state).
    #[test]
    fn flags_round_trip_through_properties(start in flag_strategy(), target in flag_strategy()) {
        let map = CategoryMap::default();
        let labels = ["important", "work", "personal", "to do", "later"];
        let ok = |f: &Flags| f.keywords().all(|k| !labels.contains(&k.as_str().to_lowercase().as_str()));
        prop_assume!(ok(&start) && ok(&target));
        let mut b = PropertyBag::new();
        MapiFlagState::from_bag(&b).write_for(&start, &map).apply_to(&mut b);
        MapiFlagState::from_bag(&b).write_for(&target, &map).apply_to(&mut b);
        let mut want = target.clone();
        want.remove(&Flag::Deleted);
        prop_assert_eq!(MapiFlagState::from_bag(&b).flags(&map), want);
        // Writing the same flags again changes nothing.
        prop_assert!(MapiFlagState::from_bag(&b).write_for(&target, &map).is_empty());
    }

    /// Categories → keywords → categories is the identity (label names come
    /// back in the configured spelling).
    #[test]
    fn categories_round_trip(category in "\\PC{1,12}") {
        let map = CategoryMap::default();
        let k = map.keyword_of(&category).expect("non-empty");
        let back = map.category_of(&k);
        match map.labels.iter().find(|l| l.to_lowercase() == category.to_lowercase()) {
            Some(label) => prop_assert_eq!(&back, label),
            None => prop_assert_eq!(&back, &category),
        }
    }

    /// Keywords → categories → keywords is the identity for atoms that are
    /// not label names and use `#` only as escapes.
    #[test]
    fn keywords_round_trip(keyword in "[!-~]{1,12}") {
        let map = CategoryMap::default();
        let Some(k) = Keyword::new(keyword.clone()) else { return Ok(()) };
        prop_assume!(!keyword.contains('#') && !keyword.eq_ignore_ascii_case("$Forwarded"));
        prop_assume!(!map.labels.iter().any(|l| l.eq_ignore_ascii_case(&keyword)));
        let back = map.keyword_of(&map.category_of(&k)).expect("keyword");
        prop_assert_eq!(back, k);
    }
}
