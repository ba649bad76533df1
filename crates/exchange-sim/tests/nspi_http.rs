//! Raw-protocol NSPI tests over HTTP against the default backend
//! (StoreNspi): Bind, QueryRows paging through the GAL, DNToMId,
//! GetMatches in the specification's restriction form, GetProps.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use common::*;
use mapi_wire::nspi::{self, MinimalId, Stat};
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::restriction::{RelOp, Restriction};
use mapi_wire::{Decode, Encode, ErrorCode, PropTag};

const DISPLAY_NAME: PropTag = PropTag(0x3001_001F);
const SMTP: PropTag = PropTag(0x39FE_001F);

fn names(rows: &nspi::RowSet) -> Vec<String> {
    rows.rows
        .iter()
        .map(|r| match r {
            PropertyRow::Standard(v) => match &v[0] {
                PropValue::String(s) => s.clone(),
                o => panic!("{o:?}"),
            },
            PropertyRow::Flagged(v) => panic!("{v:?}"),
        })
        .collect()
}

#[tokio::test]
async fn bind_page_the_gal_resolve_and_read_props() {
    let sim = start(test_config()).await;
    let mut conn = connect(sim.local_addr()).await;
    let mut m = Mapi::new(ALICE);
    let bind = nspi::BindRequest { flags: nspi::BindFlags(0), state: Some(Stat::new(1252)), auxiliary_buffer: vec![] };
    let r = m.call(&mut conn, NSPI, "Bind", &bind.to_bytes().unwrap()).await;
    assert_eq!(r.response_code(), Some(0));
    let b = nspi::MapiResponse::<nspi::BindResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(b.completed().unwrap().error_code, ErrorCode::SUCCESS);

    // QueryRows one row at a time: alice, then bob, then the end.
    let mut state = Stat::new(1252);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let q = nspi::QueryRowsRequest {
            flags: nspi::RetrievalFlags(0),
            state: Some(state),
            explicit_table: vec![],
            row_count: 1,
            columns: Some(vec![DISPLAY_NAME, SMTP]),
            auxiliary_buffer: vec![],
        };
        let r = m.call(&mut conn, NSPI, "QueryRows", &q.to_bytes().unwrap()).await;
        assert_eq!(r.response_code(), Some(0));
        let q = nspi::MapiResponse::<nspi::QueryRowsResponse>::decode_exact(&r.mapi_body()).unwrap();
        let q = q.completed().unwrap().clone();
        assert_eq!(q.error_code, ErrorCode::SUCCESS);
        state = q.state.unwrap();
        assert_eq!(state.total_recs, 2);
        seen.extend(names(&q.rows.unwrap()));
    }
    assert_eq!(seen, vec!["Alice Tester".to_string(), "Bob Tester".to_string()]);
    assert_eq!(state.current_rec, MinimalId::END_OF_TABLE);

    // DNToMId: bob's DN and an unknown one (0).
    let bob_dn = sim.store().mailbox(BOB).unwrap().info().legacy_dn.clone();
    let d = nspi::DnToMIdRequest {
        reserved: 0,
        names: Some(vec![bob_dn, "/o=x/cn=nobody".into()]),
        auxiliary_buffer: vec![],
    };
    let r = m.call(&mut conn, NSPI, "DNToMId", &d.to_bytes().unwrap()).await;
    let d = nspi::MapiResponse::<nspi::DnToMIdResponse>::decode_exact(&r.mapi_body()).unwrap();
    let mids = d.completed().unwrap().minimal_ids.clone().unwrap();
    assert_eq!(mids, vec![MinimalId(0x12), MinimalId(0)]);

    // GetMatches with a specification-form Property restriction on
    // PidTagAnr.
    let filter = nspi::AddressBookRestriction {
        restriction: Restriction::Property {
            op: RelOp::EQ,
            tag: PropTag(0x360C_001F),
            value: TaggedValue { tag: PropTag(0x360C_001F), value: PropValue::String("ali".into()) },
        },
        form: mapi_wire::http::ServerDialect::Spec,
    };
    let g = nspi::GetMatchesRequest {
        reserved: 0,
        state: Some(Stat::new(1252)),
        minimal_ids: None,
        interface_option_flags: 0,
        filter: Some(filter),
        property_name: None,
        row_count: 10,
        columns: Some(vec![DISPLAY_NAME]),
        auxiliary_buffer: vec![],
    };
    let r = m.call(&mut conn, NSPI, "GetMatches", &g.to_bytes().unwrap()).await;
    assert_eq!(r.response_code(), Some(0));
    let g = nspi::MapiResponse::<nspi::GetMatchesResponse>::decode_exact(&r.mapi_body()).unwrap();
    let g = g.completed().unwrap().clone();
    assert_eq!(g.minimal_ids.unwrap(), vec![MinimalId(0x11)]);
    assert_eq!(names(&g.rows.unwrap()), vec!["Alice Tester".to_string()]);

    // GetProps of bob: a missing Title is PtypErrorCode ecNotFound.
    let mut st = Stat::new(1252);
    st.current_rec = MinimalId(0x12);
    let p = nspi::GetPropsRequest {
        flags: nspi::RetrievalFlags(0),
        state: Some(st),
        property_tags: Some(vec![SMTP, PropTag(0x3A17_001F)]),
        auxiliary_buffer: vec![],
    };
    let r = m.call(&mut conn, NSPI, "GetProps", &p.to_bytes().unwrap()).await;
    let p = nspi::MapiResponse::<nspi::GetPropsResponse>::decode_exact(&r.mapi_body()).unwrap();
    let p = p.completed().unwrap().clone();
    assert_eq!(p.error_code, ErrorCode(0x0004_0380));
    let v = p.property_values.unwrap();
    assert_eq!(v[0].value, PropValue::String(BOB.into()));
    assert_eq!(v[1].tag, PropTag(0x3A17_000A));
    assert_eq!(v[1].value, PropValue::Error(ErrorCode::NOT_FOUND));
}
