//! FastTransfer download ROPs ([MS-OXCFXICS] 3.2.5.8.1):
//! RopFastTransferSourceCopyTo / CopyProperties on a message and
//! RopFastTransferSourceCopyMessages on a folder, streams read back with
//! mapi-wire's FastTransfer reader.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::SpecialFolder;
use mapi_wire::fx::{FxElement, Marker, read_stream};
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

const NONE: u32 = u32::MAX;

fn open_folder(folder: FolderId) -> RopRequest {
    RopRequest::OpenFolder(OpenFolderRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: 1,
        folder_id: folder,
        open_mode_flags: FolderOpenModeFlags::NONE,
    })
}

fn open_message(folder: FolderId, mid: MessageId) -> RopRequest {
    RopRequest::OpenMessage(OpenMessageRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: 2,
        code_page_id: 0x0FFF,
        folder_id: folder,
        open_mode_flags: MessageOpenModeFlags::READ_ONLY,
        message_id: mid,
    })
}

/// Runs `rops` (slots: logon, folder, message, download) and then
/// GetBuffer on slot 3 until Done; the whole stream's elements.
fn download(h: &mut Harness, logon: u32, rops: Vec<RopRequest>) -> Result<Vec<FxElement>, Vec<(u8, u32)>> {
    let r = h.run(rops, vec![logon, NONE, NONE, NONE]);
    let rv = return_values(&r);
    if rv.iter().any(|(_, v)| *v != 0) {
        return Err(rv);
    }
    let handles = r.handles.clone();
    let mut stream = Vec::new();
    for _ in 0..100 {
        let r = h.run(
            vec![RopRequest::FastTransferSourceGetBuffer(FastTransferSourceGetBufferRequest {
                logon_id: 0,
                input_handle_index: 3,
                buffer_size: 0x100,
                maximum_buffer_size: None,
            })],
            handles.clone(),
        );
        let RopResponse::FastTransferSourceGetBuffer(g) = &r.rops[0] else { panic!() };
        assert_eq!(g.return_value, ErrorCode::SUCCESS);
        stream.extend_from_slice(&g.transfer_buffer);
        if g.transfer_status == TransferStatus::DONE {
            return Ok(read_stream(&stream).unwrap().into_iter().map(|(_, e)| e).collect());
        }
    }
    panic!("no TransferStatus Done");
}

fn markers(elements: &[FxElement]) -> Vec<Marker> {
    elements.iter().filter_map(|e| if let FxElement::Marker(m) = e { Some(*m) } else { None }).collect()
}

fn value(elements: &[FxElement], tag: PropTag) -> Option<PropValue> {
    elements.iter().find_map(|e| match e {
        FxElement::Property(p) if p.tag.id() == tag.id() => Some(p.value.clone()),
        _ => None,
    })
}

/// The seeded "Mail with attachment" (one recipient, one attachment).
fn mail_with_attachment(h: &Harness) -> (FolderId, MessageId) {
    let mb = h.store.mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let m = mb
        .contents(inbox, false)
        .unwrap()
        .into_iter()
        .find(|m| m.content.props.string(PropTag::SUBJECT).as_deref() == Some("Mail with attachment"))
        .unwrap();
    (inbox, m.id)
}

#[test]
fn copy_to_a_message_streams_its_content_with_recipients_and_attachments() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let (inbox, mid) = mail_with_attachment(&h);
    let copy_to = |tags: Vec<PropTag>, level: u8| {
        RopRequest::FastTransferSourceCopyTo(FastTransferSourceCopyToRequest {
            logon_id: 0,
            input_handle_index: 2,
            output_handle_index: 3,
            level,
            copy_flags: 0,
            send_options: 0x01,
            property_tags: tags,
        })
    };
    let all = download(&mut h, logon, vec![open_message(inbox, mid), copy_to(vec![], 0)]).unwrap();
    assert_eq!(value(&all, PropTag::SUBJECT), Some(PropValue::String("Mail with attachment".into())));
    assert_eq!(
        markers(&all),
        vec![Marker::START_RECIP, Marker::END_TO_RECIP, Marker::NEW_ATTACH, Marker::END_ATTACH],
        "messageContent: recipients then attachments"
    );
    // The attachment's first property is PidTagAttachNumber, its data follows.
    let at = all.iter().position(|e| *e == FxElement::Marker(Marker::NEW_ATTACH)).unwrap();
    let FxElement::Property(first) = &all[at + 1] else { panic!("{:?}", all[at + 1]) };
    assert_eq!(first.tag, PropTag::ATTACH_NUMBER);
    assert_eq!(value(&all[at..], PropTag(0x3701_0102)), Some(PropValue::Binary(b"a,b,c\n1,2,3\n4,5,6\n".to_vec())));
    // Excluding the subject and the attachments; Level 1 drops children.
    let some = download(
        &mut h,
        logon,
        vec![open_message(inbox, mid), copy_to(vec![PropTag::SUBJECT, PropTag(0x0E13_000D)], 0)],
    )
    .unwrap();
    assert_eq!(value(&some, PropTag::SUBJECT), None);
    assert_eq!(markers(&some), vec![Marker::START_RECIP, Marker::END_TO_RECIP]);
    let flat = download(&mut h, logon, vec![open_message(inbox, mid), copy_to(vec![], 1)]).unwrap();
    assert!(markers(&flat).is_empty());
    assert!(value(&flat, PropTag::BODY).is_some());
    // Move is not a download.
    let mut moving = copy_to(vec![], 0);
    if let RopRequest::FastTransferSourceCopyTo(r) = &mut moving {
        r.copy_flags = 0x01;
    }
    let err = download(&mut h, logon, vec![open_message(inbox, mid), moving]).unwrap_err();
    assert_eq!(err, vec![(0x03, 0), (0x4D, ErrorCode::NOT_SUPPORTED.0)]);
}

#[test]
fn copy_properties_streams_only_the_listed_ones() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let (inbox, mid) = mail_with_attachment(&h);
    let elements = download(
        &mut h,
        logon,
        vec![
            open_message(inbox, mid),
            RopRequest::FastTransferSourceCopyProperties(FastTransferSourceCopyPropertiesRequest {
                logon_id: 0,
                input_handle_index: 2,
                output_handle_index: 3,
                level: 0,
                copy_flags: 0,
                send_options: 0x01,
                property_tags: vec![PropTag::SUBJECT, PropTag::IMPORTANCE, PropTag(0x0E12_000D)],
            }),
        ],
    )
    .unwrap();
    let tags: Vec<u16> = elements
        .iter()
        .take_while(|e| !matches!(e, FxElement::Marker(_)))
        .filter_map(|e| if let FxElement::Property(p) = e { Some(p.tag.id()) } else { None })
        .collect();
    // Subject and importance, then MetaTagFXDelProp announcing the
    // recipients.
    assert_eq!(tags.len(), 3);
    assert_eq!(tags[2], 0x4016);
    let mut props = tags[..2].to_vec();
    props.sort_unstable();
    assert_eq!(props, vec![PropTag::IMPORTANCE.id(), PropTag::SUBJECT.id()]);
    assert_eq!(
        markers(&elements),
        vec![Marker::START_RECIP, Marker::END_TO_RECIP],
        "recipients listed, no attachments"
    );
}

#[test]
fn copy_messages_streams_a_message_list_in_request_order() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let mb = store.mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let rows = mb.contents(inbox, false).unwrap();
    let (a, b) = (rows[3].id, rows[0].id);
    let copy = |ids: Vec<u64>| {
        RopRequest::FastTransferSourceCopyMessages(FastTransferSourceCopyMessagesRequest {
            logon_id: 0,
            input_handle_index: 1,
            output_handle_index: 3,
            message_ids: ids,
            copy_flags: 0,
            send_options: 0x01,
        })
    };
    let elements = download(&mut h, logon, vec![open_folder(inbox), copy(vec![a.0, b.0])]).unwrap();
    let starts: Vec<usize> = elements
        .iter()
        .enumerate()
        .filter(|(_, e)| **e == FxElement::Marker(Marker::START_MESSAGE))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 2);
    assert_eq!(markers(&elements).iter().filter(|m| **m == Marker::END_MESSAGE).count(), 2);
    let subject = |from: usize| value(&elements[from..], PropTag::SUBJECT);
    assert_eq!(subject(starts[0]), rows[3].content.props.get(PropTag::SUBJECT).cloned());
    assert_eq!(subject(starts[1]), rows[0].content.props.get(PropTag::SUBJECT).cloned());
    // A MID that is not in the folder fails the ROP.
    let err =
        download(&mut h, logon, vec![open_folder(inbox), copy(vec![a.0, MessageId::new(1, 0xFF_FFFF).0])]).unwrap_err();
    assert_eq!(err, vec![(0x02, 0), (0x4B, ErrorCode::NOT_FOUND.0)]);
}
