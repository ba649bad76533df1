use super::*;
use proptest::prelude::*;

use crate::testdata::capture;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// gromox's database GUID for replid 1 (corrections A15).
fn db_guid() -> Guid {
    Guid::parse("00000001-18a5-6f7b-bcdc-ea1ed03c5657").unwrap()
}

#[test]
fn tv12_folder_id_layout() {
    let fid = FolderId::new(1, 0x123);
    assert_eq!(fid.to_bytes().unwrap(), [0x01, 0, 0, 0, 0, 0, 0x01, 0x23]);
    assert_eq!(fid.0, 0x2301_0000_0000_0001);
    assert_eq!(fid.replica_id(), 1);
    assert_eq!(fid.global_counter().value(), 0x123);
    assert_eq!(format!("{fid:?}"), "FolderId(1:0x123)");
}

#[test]
fn tv12_gid_and_long_term_id() {
    let guid = Guid::parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee").unwrap();
    let gid = Gid { guid, counter: FolderId::new(1, 0x123).global_counter() };
    let want = hex("AA AA AA AA BB BB CC CC DD DD EE EE EE EE EE EE 00 00 00 00 01 23");
    assert_eq!(gid.to_bytes().unwrap(), want);
    assert_eq!(Gid::decode_exact(&want).unwrap(), gid);
    let mut ltid = want.clone();
    ltid.extend([0, 0]);
    assert_eq!(gid.to_long_term_id().to_bytes().unwrap(), ltid);
    assert_eq!(LongTermId::decode_exact(&ltid).unwrap().gid(), gid);
}

#[test]
fn capture_007_long_term_id_from_id() {
    let Some(json) = capture("007-execute-special-folder-entryids.json") else { return };
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    // Request: RopLongTermIdFromId 43 00 00 <ObjectId>.
    let req =
        v["rops"].as_array().unwrap().iter().find(|r| r["rop"].as_str().unwrap().contains("LongTermIdFromId")).unwrap();
    let req = hex(req["bytes"].as_str().unwrap());
    let fid = FolderId::decode_exact(&req[3..]).unwrap();
    assert_eq!((fid.replica_id(), fid.global_counter().value()), (1, 0xd)); // Inbox
    // Response: 43 00 <ReturnValue u32> <LongTermId 24>.
    let resp = v["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rop"].as_str().unwrap().contains("LongTermIdFromId"))
        .unwrap();
    let resp = hex(resp["bytes"].as_str().unwrap());
    let ltid = LongTermId::decode_exact(&resp[6..]).unwrap();
    assert_eq!(ltid.guid, db_guid());
    assert_eq!(ltid.counter, fid.global_counter());
    assert_eq!(ltid.pad, 0);
    assert_eq!(ltid.to_bytes().unwrap(), &resp[6..]);
}

#[test]
fn capture_046_change_key_predecessors_and_ids() {
    let Some(json) = capture("046-ics-contents-inbox-initial.fxstream.json") else { return };
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let atoms = v["atoms"].as_array().unwrap();
    let value_of = |tag: &str| {
        atoms.iter().find(|a| a["tag"].as_str().is_some_and(|t| t.starts_with(tag))).unwrap()["value"].clone()
    };
    let ck = hex(value_of("0x65E20102").as_str().unwrap());
    let xid = Xid::from_bytes(&ck).unwrap();
    assert_eq!(xid.guid, db_guid());
    assert_eq!(xid.local_id, [0, 0, 0, 0, 0, 0x1e]);
    assert_eq!(xid.to_bytes().unwrap(), ck);

    let pcl_bytes = hex(value_of("0x65E30102").as_str().unwrap());
    let pcl = PredecessorChangeList::decode_exact(&pcl_bytes).unwrap();
    assert_eq!(pcl.0, std::slice::from_ref(&xid));
    assert_eq!(pcl.to_bytes().unwrap(), pcl_bytes);

    // PidTagChangeNumber is printed as the LE u64; its counter is the change key's.
    let cn = ChangeNumber(value_of("0x67A40014").as_u64().unwrap());
    assert_eq!(cn.replica_id(), 1);
    assert_eq!(Xid::from_counter(db_guid(), cn.global_counter()), xid);
    let mid = MessageId(value_of("0x674A0014").as_u64().unwrap());
    assert_eq!((mid.replica_id(), mid.global_counter().value()), (1, 0x30000));
}

#[test]
fn xid_size_limits() {
    assert!(Xid::from_bytes(&[0; 16]).is_err());
    assert!(Xid::from_bytes(&[0; 25]).is_err());
    assert_eq!(Xid::from_bytes(&[0; 17]).unwrap().local_id, [0]);
    // SizedXid with XidSize beyond the input.
    assert!(matches!(SizedXid::decode_exact(&[22, 0, 0]), Err(DecodeError::Incomplete { .. })));
    assert!(matches!(SizedXid::decode_exact(&[9; 10]), Err(DecodeError::Invalid { .. })));
    let bad = Xid { guid: Guid::NIL, local_id: vec![] };
    assert!(bad.to_bytes().is_err());
    assert!(PredecessorChangeList(vec![bad]).to_bytes().is_err());
}

#[test]
fn predecessor_list_builder_sorts_and_keeps_the_highest_change() {
    let g1 = Guid([1; 16]);
    let g2 = Guid([2; 16]);
    let mut pcl = PredecessorChangeList::new();
    pcl.insert(Xid { guid: g2, local_id: vec![0, 0, 0, 0, 0, 5] });
    pcl.insert(Xid { guid: g1, local_id: vec![0, 0, 0, 0, 0, 9] });
    pcl.insert(Xid { guid: g2, local_id: vec![0, 0, 0, 0, 0, 3] }); // older: ignored
    pcl.insert(Xid { guid: g1, local_id: vec![0, 0, 0, 0, 1, 0] }); // newer: replaces
    assert!(pcl.is_sorted());
    assert_eq!(pcl.0.len(), 2);
    assert_eq!(pcl.0[0].guid, g1);
    assert_eq!(pcl.0[0].local_id, [0, 0, 0, 0, 1, 0]);
    assert_eq!(pcl.0[1].local_id, [0, 0, 0, 0, 0, 5]);
    let wire = pcl.to_bytes().unwrap();
    assert_eq!(wire.len(), 2 * 23);
    assert_eq!(wire[0], 22);
    let older = PredecessorChangeList(vec![Xid { guid: g1, local_id: vec![0, 0, 0, 0, 0, 9] }]);
    assert!(pcl.includes(&older));
    assert!(!older.includes(&pcl));
    // A shorter local id with a larger value wins over a longer one with leading zeros.
    let mut p = PredecessorChangeList::new();
    p.insert(Xid { guid: g1, local_id: vec![0, 0, 0, 0, 0, 7] });
    p.insert(Xid { guid: g1, local_id: vec![8] });
    assert_eq!(p.0[0].local_id, [8]);
}

pub(crate) fn arb_guid() -> impl Strategy<Value = Guid> {
    any::<[u8; 16]>().prop_map(Guid)
}

fn arb_xid() -> impl Strategy<Value = Xid> {
    (arb_guid(), proptest::collection::vec(any::<u8>(), 1..=8)).prop_map(|(guid, local_id)| Xid { guid, local_id })
}

proptest! {
    #[test]
    fn object_ids_round_trip(replid: u16, counter in 0..=GlobalCounter::MAX) {
        for id in [FolderId::new(replid, counter).0, MessageId::new(replid, counter).0, ChangeNumber::new(replid, counter).0] {
            let fid = FolderId(id);
            prop_assert_eq!(fid.replica_id(), replid);
            prop_assert_eq!(fid.global_counter().value(), counter);
            prop_assert_eq!(FolderId::decode_exact(&fid.to_bytes().unwrap()).unwrap(), fid);
            let w = fid.to_wire();
            prop_assert_eq!(&w[2..], &GlobalCounter::from_value(counter).0[..]);
            prop_assert_eq!(MessageId::from_wire(w).0, id);
        }
    }

    #[test]
    fn gid_and_long_term_id_round_trip(guid in arb_guid(), c: [u8; 6], pad: u16) {
        let gid = Gid { guid, counter: GlobalCounter(c) };
        prop_assert_eq!(Gid::decode_exact(&gid.to_bytes().unwrap()).unwrap(), gid);
        let l = LongTermId { guid, counter: GlobalCounter(c), pad };
        let b = l.to_bytes().unwrap();
        prop_assert_eq!(b.len(), LongTermId::SIZE);
        prop_assert_eq!(LongTermId::decode_exact(&b).unwrap(), l);
    }

    #[test]
    fn xid_and_predecessor_list_round_trip(xids in proptest::collection::vec(arb_xid(), 0..6)) {
        for x in &xids {
            prop_assert_eq!(&Xid::from_bytes(&x.to_bytes().unwrap()).unwrap(), x);
            let s = SizedXid(x.clone());
            prop_assert_eq!(SizedXid::decode_exact(&s.to_bytes().unwrap()).unwrap(), s);
        }
        let raw = PredecessorChangeList(xids.clone());
        prop_assert_eq!(PredecessorChangeList::decode_exact(&raw.to_bytes().unwrap()).unwrap(), raw);
        let mut built = PredecessorChangeList::new();
        for x in &xids {
            built.insert(x.clone());
        }
        prop_assert!(built.is_sorted());
        prop_assert!(built.includes(&PredecessorChangeList(xids.clone())));
    }

    #[test]
    fn predecessor_list_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = PredecessorChangeList::decode_exact(&bytes);
    }
}
