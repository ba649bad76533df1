use super::*;
use proptest::prelude::*;

fn capture_dir() -> Option<std::path::PathBuf> {
    let mut c: Vec<std::path::PathBuf> = Vec::new();
    if let Ok(p) = std::env::var("MAPI_CAPTURES") {
        c.push(p.into());
    }
    c.push(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/captures/gromox-3.10").into());
    c.push("/work/shared/captures/gromox-3.10".into());
    let found = c.into_iter().find(|p| p.join("README.md").exists());
    if found.is_none() {
        eprintln!("note: gromox-3.10 captures not found; capture tests skipped");
    }
    found
}

/// (name, json, resp.bin) of every MAPI/HTTP exchange.
fn mapi_captures() -> Vec<(String, serde_json::Value, Vec<u8>)> {
    let Some(dir) = capture_dir() else { return Vec::new() };
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.contains("fxstream"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for n in names {
        let j: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join(&n)).unwrap()).unwrap();
        if !j["request"]["line"].as_str().unwrap().contains("/mapi/") {
            continue;
        }
        let stem = n.trim_end_matches(".json");
        let resp = std::fs::read(dir.join(format!("{stem}.resp.bin"))).unwrap();
        out.push((stem.to_owned(), j, resp));
    }
    out
}

/// Events with adjacent body pieces merged, so different splits compare equal.
fn normalise(events: Vec<FrameEvent>) -> Vec<FrameEvent> {
    let mut out: Vec<FrameEvent> = Vec::new();
    for ev in events {
        match (out.last_mut(), ev) {
            (Some(FrameEvent::BodyChunk(a)), FrameEvent::BodyChunk(b)) => a.extend_from_slice(&b),
            (Some(FrameEvent::NonMapiBody(a)), FrameEvent::NonMapiBody(b)) => a.extend_from_slice(&b),
            (_, ev) => out.push(ev),
        }
    }
    out
}

fn run(pieces: &[&[u8]]) -> (Vec<FrameEvent>, Result<(), DecodeError>) {
    let mut f = ResponseFramer::new();
    let mut evs = Vec::new();
    for p in pieces {
        match f.push(p) {
            Ok(e) => evs.extend(e),
            Err(e) => return (normalise(evs), Err(e)),
        }
    }
    let end = f.finish();
    (normalise(evs), end)
}

#[test]
fn capture_every_mapi_response_at_every_split() {
    let caps = mapi_captures();
    for (name, j, resp) in &caps {
        let (whole, end) = run(&[resp]);
        let code = j["X-ResponseCode"].as_str().unwrap_or("");
        let meta = &j["meta"];
        if j["http_status"] != 200 {
            // 069: `Unauthorized\r\n` is garbage to the framer.
            assert!(matches!(end, Err(DecodeError::Invalid { .. })), "{name}: {end:?}");
            continue;
        }
        if code != "0" {
            // X-ResponseCode errors: an HTML page, reported as such.
            assert!(end.is_ok(), "{name}");
            assert_eq!(whole, vec![FrameEvent::NonMapiBody(resp.clone())], "{name}");
        } else if let Some(off) = meta["binary_offset"].as_u64() {
            end.clone().unwrap();
            let r = FramedResponse::collect(resp, FramerLimits::default()).unwrap();
            assert!(r.done, "{name}");
            let text = meta["text_before_DONE"].as_str().unwrap();
            assert_eq!(r.processing, text.matches("PROCESSING").count(), "{name}");
            assert_eq!(r.pending, text.matches("PENDING").count(), "{name}");
            assert_eq!(r.body, resp[off as usize..], "{name}");
            assert_eq!(r.body.len() as u64, meta["binary_len"].as_u64().unwrap(), "{name}");
            let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
            let want: Vec<&str> = meta["additional_headers"].as_object().unwrap().keys().map(|s| s.as_str()).collect();
            let mut sorted = names.clone();
            sorted.sort();
            let mut want_sorted = want.clone();
            want_sorted.sort();
            assert_eq!(sorted, want_sorted, "{name}");
            for (n, v) in &r.headers {
                assert_eq!(meta["additional_headers"][n].as_str(), Some(v.as_str()), "{name}");
            }
            assert!(r.elapsed_time().unwrap().is_ok());
            assert!(r.start_time().unwrap().is_ok());
            assert!(r.response_code().is_none(), "gromox never repeats X-ResponseCode after DONE");
        } else {
            // 134: the client stopped reading during PENDINGs.
            assert!(matches!(end, Err(DecodeError::Incomplete { .. })), "{name}: {end:?}");
            assert_eq!(whole.first(), Some(&FrameEvent::Processing));
            assert_eq!(whole.iter().filter(|e| **e == FrameEvent::Pending).count(), 12, "{name}");
        }
        // Every split point and byte by byte give the same result.
        for i in 0..=resp.len() {
            let (a, b) = resp.split_at(i);
            let (evs, e) = run(&[a, b]);
            assert_eq!(evs, whole, "{name} split at {i}");
            assert_eq!(e.is_ok(), end.is_ok(), "{name} split at {i}");
        }
        let bytes: Vec<&[u8]> = resp.chunks(1).collect();
        let (evs, e) = run(&bytes);
        assert_eq!(evs, whole, "{name} byte by byte");
        assert_eq!(e.is_ok(), end.is_ok(), "{name} byte by byte");
    }
    if capture_dir().is_some() {
        assert!(caps.len() >= 120, "only {} MAPI captures", caps.len());
    }
}

#[test]
fn capture_042_notificationwait_processing_twice() {
    let Some(dir) = capture_dir() else { return };
    let resp = std::fs::read(dir.join("042-emsmdb-notificationwait-newmail.resp.bin")).unwrap();
    // The first HTTP chunk was `PROCESSING\r\n` alone (12 bytes), 3 s before the rest.
    let (a, b) = resp.split_at(12);
    let mut f = ResponseFramer::new();
    assert_eq!(f.push(a).unwrap(), vec![FrameEvent::Processing]);
    let evs = f.push(b).unwrap();
    f.finish().unwrap();
    assert_eq!(evs[0], FrameEvent::Processing);
    let FrameEvent::Done { headers } = &evs[1] else { panic!("{evs:?}") };
    assert_eq!(headers[0], ("X-ElapsedTime".to_owned(), "3".to_owned()));
    assert_eq!(evs[2], FrameEvent::BodyChunk(vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]));
}

#[test]
fn capture_006_ping_has_no_body() {
    let Some(dir) = capture_dir() else { return };
    let resp = std::fs::read(dir.join("006-emsmdb-ping.resp.bin")).unwrap();
    let r = FramedResponse::collect(&resp, FramerLimits::default()).unwrap();
    assert!(r.done && r.body.is_empty());
    assert_eq!(r.start_time().unwrap().unwrap().format(), "Fri, 27 Nov 2026 01:36:08 GMT");
}

#[test]
fn error_headers_select_non_mapi_mode() {
    let h = ResponseHeaders::from_pairs([("Content-Type", "text/plain; charset=utf-8")]).unwrap();
    let mut f = ResponseFramer::for_response(&h, FramerLimits::default());
    assert_eq!(f.push(b"Unauthorized\r\n").unwrap(), vec![FrameEvent::NonMapiBody(b"Unauthorized\r\n".to_vec())]);
    f.finish().unwrap();
}

#[test]
fn garbage_is_refused_clearly() {
    for (input, what) in [
        (&b"HTTP/1.1 200 OK\r\n"[..], "MAPI/HTTP response meta-tag"),
        (b"processing\r\n", "MAPI/HTTP response meta-tag"),
        (b"PROCESSING\r\nDONEX\r\n", "MAPI/HTTP DONE meta-tag"),
        (b"PROCESSING\r\nDONE\r\nno colon here\r\n\r\n", "MAPI/HTTP additional header"),
        (b"DONE\r\nX-A: b\x01c\r\n\r\n", "MAPI/HTTP additional header"),
        (b"DONE\r\nX A: b\r\n\r\n", "MAPI/HTTP additional header"),
        (b"\x00\x00\x00\x00", "MAPI/HTTP response meta-tag"),
    ] {
        let mut f = ResponseFramer::new();
        let e = f.push(input).unwrap_err();
        let got = match &e {
            DecodeError::Invalid { what, .. } => *what,
            other => panic!("{other:?}"),
        };
        assert_eq!(got, what, "{:?}", String::from_utf8_lossy(input));
        // The framer stays failed.
        assert_eq!(f.push(b"PENDING").unwrap_err(), e);
        assert_eq!(f.finish().unwrap_err(), e);
    }
}

#[test]
fn error_offset_points_at_the_culprit() {
    let mut f = ResponseFramer::new();
    f.push(b"PROCESSING\r\nPEN").unwrap();
    let e = f.push(b"DINGxyz").unwrap_err();
    assert_eq!(
        e,
        DecodeError::Invalid {
            what: "MAPI/HTTP response meta-tag",
            offset: 19,
            reason: "expected PROCESSING, PENDING or DONE"
        }
    );
}

#[test]
fn limits_are_enforced() {
    let limits = FramerLimits { max_header_block: 64, max_body: 10 };
    let mut f = ResponseFramer::with_limits(limits);
    f.push(b"DONE\r\n").unwrap();
    let long = format!("X-Long: {}", "a".repeat(100));
    assert!(matches!(f.push(long.as_bytes()), Err(DecodeError::TooLarge { limit: 64, .. })));

    // Many short lines add up.
    let mut f = ResponseFramer::with_limits(limits);
    let mut s = b"DONE\r\n".to_vec();
    for _ in 0..10 {
        s.extend_from_slice(b"X-A: 1234\r\n");
    }
    assert!(matches!(f.push(&s), Err(DecodeError::TooLarge { .. })));

    let mut f = ResponseFramer::with_limits(limits);
    f.push(b"DONE\r\n\r\n0123456789").unwrap();
    assert!(matches!(f.push(b"x"), Err(DecodeError::TooLarge { what: "MAPI/HTTP response body", limit: 10, .. })));

    // A long unknown meta-tag cannot grow the buffer without bound.
    let mut f = ResponseFramer::new();
    assert!(f.push(&[b'X'; 100]).is_err());
}

#[test]
fn unknown_meta_tags_and_variants() {
    let r = FramedResponse::collect(
        b"PROCESSING\nPENDINGPENDING\r\nKEEPALIVE\r\nDONE\nX-ResponseCode: 0\n\nbody",
        FramerLimits::default(),
    )
    .unwrap();
    assert_eq!((r.processing, r.pending), (1, 2));
    assert_eq!(r.unknown_meta_tags, vec!["KEEPALIVE".to_owned()]);
    assert_eq!(r.response_code().unwrap().unwrap(), ResponseCode::SUCCESS);
    assert_eq!(r.body, b"body");
    // Truncated streams.
    assert!(matches!(
        FramedResponse::collect(b"PROCESSING\r\nDONE\r\nX-A: 1\r\n", FramerLimits::default()),
        Err(DecodeError::Incomplete { what: "MAPI/HTTP additional headers", .. })
    ));
    assert!(matches!(
        FramedResponse::collect(b"PROCESSING\r\nDO", FramerLimits::default()),
        Err(DecodeError::Incomplete { what: "MAPI/HTTP DONE meta-tag", offset: 14, .. })
    ));
}

#[test]
fn writer_refuses_header_injection() {
    let mut w = Vec::new();
    assert!(write_done(&mut w, &[("X-A", "1\r\nX-B: 2")]).is_err());
    assert!(write_done(&mut w, &[("X A", "1")]).is_err());
}

fn header() -> impl Strategy<Value = (String, String)> {
    ("X-[A-Za-z]{1,12}", "[ -~]{0,30}").prop_map(|(n, v)| (n, v.trim().to_owned()))
}

proptest! {
    #[test]
    fn writer_output_frames_back(
        pendings in proptest::collection::vec(any::<bool>(), 0..5),
        headers in proptest::collection::vec(header(), 0..5),
        body in proptest::collection::vec(any::<u8>(), 0..300),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let mut w = Vec::new();
        write_processing(&mut w);
        for &bare in &pendings {
            if bare { write_pending_bare(&mut w) } else { write_pending(&mut w) }
        }
        let hs: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        write_done(&mut w, &hs).unwrap();
        w.extend_from_slice(&body);
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(w.len() + 1)).collect();
        points.sort_unstable();
        let mut pieces = Vec::new();
        let mut last = 0;
        for p in points {
            pieces.push(&w[last..p]);
            last = p;
        }
        pieces.push(&w[last..]);
        let r = FramedResponse::collect_chunks(pieces, FramerLimits::default()).unwrap();
        prop_assert_eq!(r.processing, 1);
        prop_assert_eq!(r.pending, pendings.len());
        prop_assert_eq!(&r.headers, &headers);
        prop_assert_eq!(&r.body, &body);
    }

    #[test]
    fn framer_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200), cut in any::<prop::sample::Index>()) {
        let (a, b) = data.split_at(cut.index(data.len() + 1));
        let mut f = ResponseFramer::with_limits(FramerLimits { max_header_block: 64, max_body: 64 });
        let _ = f.push(a);
        let _ = f.push(b);
        let _ = f.finish();
    }
}
