//! The ICS grammar layer: incremental events, round trips, order errors.

use super::*;

fn arb_props() -> impl Strategy<Value = PropList> {
    let prop =
        (0x0001u16..0x3FFF, arb_value()).prop_map(|(id, (ty, v))| FxProperty::new(PropTag::new(id, PropType(ty)), v));
    prop::collection::vec(prop, 0..4).prop_map(PropList)
}

fn arb_content(depth: u32) -> BoxedStrategy<MessageContent> {
    let attachment = if depth == 0 {
        arb_props().prop_map(|props| Attachment { props, embedded: None }).boxed()
    } else {
        (arb_props(), prop::option::of(arb_content(depth - 1)))
            .prop_map(|(props, e)| Attachment { props, embedded: e.map(Box::new) })
            .boxed()
    };
    (arb_props(), 0usize..=2, prop::collection::vec(arb_props(), 0..3), prop::collection::vec(attachment, 0..3))
        .prop_map(|(props, dels, recipients, attachments)| MessageContent {
            props,
            del_props: [meta::MESSAGE_RECIPIENTS, meta::MESSAGE_ATTACHMENTS][..dels].to_vec(),
            recipients,
            attachments,
        })
        .boxed()
}

fn arb_change() -> impl Strategy<Value = MessageChange> {
    let progress =
        prop::option::of((any::<i32>(), any::<bool>()).prop_map(|(size, fai)| ProgressPerMessage { size, fai }));
    let partial = prop::option::of((
        prop::collection::vec(any::<u8>(), 0..12),
        prop::option::of(any::<u32>()),
        prop::collection::vec((any::<u32>(), arb_props()), 0..3),
    ));
    (progress, arb_props(), arb_content(1), partial).prop_map(|(progress, header, mut content, partial)| {
        let partial = partial.map(|(group_info, group_id, groups)| {
            content.props = PropList(groups.iter().flat_map(|(_, p)| p.0.clone()).collect());
            PartialChange { group_info, group_id, groups }
        });
        MessageChange { progress, header, content, partial }
    })
}

fn arb_blob() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::of(prop::collection::vec(any::<u8>(), 0..24))
}

fn arb_state() -> impl Strategy<Value = SyncState> {
    (arb_blob(), arb_blob(), arb_blob(), arb_blob()).prop_map(|(a, b, c, d)| SyncState {
        idset_given: a,
        cnset_seen: b,
        cnset_seen_fai: c,
        cnset_read: d,
        other: PropList::default(),
    })
}

fn arb_contents() -> impl Strategy<Value = ContentsSync> {
    let progress = prop::option::of((any::<u16>(), any::<u32>(), any::<u64>(), any::<u32>(), any::<u64>()).prop_map(
        |(version, a, b, c, d)| ProgressInformation {
            version,
            fai_message_count: a,
            fai_message_total_size: b,
            normal_message_count: c,
            normal_message_total_size: d,
        },
    ));
    (
        progress,
        prop::collection::vec(arb_change(), 0..4),
        prop::collection::vec(arb_props(), 0..2),
        prop::option::of(arb_props().prop_map(|props| Deletions { props })),
        prop::option::of(arb_props().prop_map(|props| ReadStateChanges { props })),
        arb_state(),
    )
        .prop_map(|(progress, message_changes, errors, deletions, read_state_changes, state)| ContentsSync {
            progress,
            message_changes,
            errors,
            deletions,
            read_state_changes,
            state,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn contents_sync_round_trips_through_bytes(sync in arb_contents(), cut in 1usize..64) {
        let mut w = FxWriter::new();
        sync.write(&mut w).unwrap();
        let bytes = w.into_bytes();
        prop_assert_eq!(&ContentsSync::parse(&bytes).unwrap(), &sync);
        // Incrementally, in buffers of `cut` bytes.
        let mut r = SyncReader::new(SyncKind::Contents);
        let mut events = Vec::new();
        for b in split_buffers(&bytes, cut) {
            r.push(b);
            while let Some(e) = r.next().unwrap() {
                events.push(e);
            }
        }
        r.finish().unwrap();
        prop_assert_eq!(events.last(), Some(&SyncEvent::End));
        prop_assert_eq!(ContentsSync::from_events(events), sync);
    }

    #[test]
    fn hierarchy_sync_round_trips_through_bytes(
        folders in prop::collection::vec(arb_props(), 0..5),
        deletions in prop::option::of(arb_props()),
        state in arb_state(),
    ) {
        let sync = HierarchySync {
            folder_changes: folders.into_iter().map(|props| FolderChange { props }).collect(),
            deletions: deletions.map(|props| Deletions { props }),
            state,
        };
        let mut w = FxWriter::new();
        sync.write(&mut w).unwrap();
        prop_assert_eq!(HierarchySync::parse(w.as_bytes()).unwrap(), sync);
    }

    #[test]
    fn grammar_never_panics_on_arbitrary_elements(elems in prop::collection::vec(arb_element(), 0..30)) {
        let bytes = write_all(&elems);
        let _ = ContentsSync::parse(&bytes);
        let _ = HierarchySync::parse(&bytes);
        let _ = SyncState::parse(&bytes);
    }
}

#[test]
fn capture_046_message_changes_arrive_before_the_stream_ends() {
    let Some(bin) = captures::capture("046-ics-contents-inbox-initial.fxstream.bin") else { return };
    let mut r = SyncReader::new(SyncKind::Contents);
    let mut first_change_at = None;
    let mut events = Vec::new();
    let mut fed = 0;
    for b in split_buffers(&bin, 0x401) {
        r.push(b);
        fed += b.len();
        while let Some(e) = r.next().unwrap() {
            if matches!(e, SyncEvent::MessageChange(_)) && first_change_at.is_none() {
                first_change_at = Some(fed);
            }
            events.push(e);
        }
    }
    r.finish().unwrap();
    // The first message (4536 bytes) is complete once the next IncrSyncChg arrives.
    assert!(first_change_at.unwrap() < 6 * 0x401);
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            SyncEvent::MessageChange(_) => "change",
            SyncEvent::State(_) => "state",
            SyncEvent::End => "end",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["change", "change", "change", "change", "change", "change", "state", "end"]);
}

#[test]
fn grammar_order_errors() {
    let state = "03 00 3A 40 03 00 3B 40";
    let cases = [
        // IncrSyncEnd without a state.
        "03 00 14 40".to_string(),
        // Deletions after the state.
        format!("{state} 03 00 13 40 03 00 14 40"),
        // Something after IncrSyncEnd.
        format!("{state} 03 00 14 40 03 00 12 40"),
        // A stream that stops after the state.
        state.to_string(),
        // An IncrSyncMessage without IncrSyncChg.
        format!("03 00 15 40 {state} 03 00 14 40"),
        // An unclosed recipient.
        format!("03 00 12 40 03 00 15 40 03 00 03 40 {state} 03 00 14 40"),
        // Read-state changes before deletions.
        format!("03 00 2F 40 03 00 13 40 {state} 03 00 14 40"),
    ];
    for c in &cases {
        assert!(ContentsSync::parse(&hex(c)).is_err(), "{c}");
    }
    // Hierarchy streams have no read-state changes.
    assert!(HierarchySync::parse(&hex(&format!("03 00 2F 40 {state} 03 00 14 40"))).is_err());
    // The minimal valid streams.
    assert!(ContentsSync::parse(&hex(&format!("{state} 03 00 14 40"))).is_ok());
    assert_eq!(SyncState::parse(&hex(state)).unwrap(), SyncState::default());
}
