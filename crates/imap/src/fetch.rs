//! FETCH and UID FETCH (RFC 9051 §6.4.5, RFC 7162 §3.1.4 CHANGEDSINCE and
//! §3.2.6 VANISHED): asks the folder for what the items need, sets `\Seen`
//! for non-PEEK body fetches, and writes one `* n FETCH` per message,
//! streaming in batches.

use std::fmt::Write as _;

use imap_codec::imap_types::fetch::{MessageDataItemName as Item, Section};
use mailbox::{FetchFields, Flag, FlagOp, Flags, MessageData, Uid, UidSet};

use crate::conn::Output;
use crate::mime::{self, Parsed, Piece};
use crate::session::Fail;
use crate::view::View;
use crate::wire::{self, Str};

/// Messages asked of the folder at a time.
const BATCH: usize = 500;

/// A FETCH request after parsing.
pub(crate) struct FetchRequest<'a> {
    pub(crate) items: &'a [Item<'a>],
    /// UID FETCH: UID is always returned.
    pub(crate) uid: bool,
    /// CHANGEDSINCE.
    pub(crate) changed_since: Option<u64>,
}

/// Runs a FETCH over `uids` (already limited to the view).
pub(crate) async fn fetch(
    view: &mut View,
    uids: &UidSet,
    req: &FetchRequest<'_>,
    out: &mut Output<'_>,
) -> Result<(), Fail> {
    let mut fields = FetchFields { changed_since: req.changed_since, ..FetchFields::default() };
    let mut set_seen = false;
    let mut want_modseq = req.changed_since.is_some();
    for item in req.items {
        match item {
            Item::Flags => fields.flags = true,
            Item::InternalDate => fields.internal_date = true,
            Item::Rfc822Size => fields.size = true,
            Item::Envelope => fields.envelope = true,
            Item::Body | Item::BodyStructure | Item::Rfc822Header => fields.mime = true,
            Item::BodyExt { peek, .. } => {
                fields.mime = true;
                set_seen |= !peek;
            }
            Item::Rfc822 | Item::Rfc822Text => {
                fields.mime = true;
                set_seen = true;
            }
            Item::ModSeq => want_modseq = true,
            Item::Uid => {}
            Item::Binary { peek, .. } => {
                fields.mime = true;
                set_seen |= !peek;
            }
            Item::BinarySize { .. } => fields.mime = true,
        }
    }
    if want_modseq {
        view.condstore = true;
    }
    let set_seen = set_seen && !view.read_only;
    if set_seen {
        fields.flags = true;
    }
    let all: Vec<Uid> = uids.iter().collect();
    for chunk in all.chunks(BATCH) {
        let set: UidSet = chunk.iter().copied().collect();
        let mut data = view.folder.fetch(&set, fields).await?;
        let mut seen_now = UidSet::new();
        if set_seen {
            let unseen: UidSet = data
                .iter()
                .filter(|m| m.flags.as_ref().is_some_and(|f| !f.contains(&Flag::Seen)))
                .map(|m| m.uid)
                .collect();
            if !unseen.is_empty() {
                let outcome = view.folder.store(&unseen, &FlagOp::Add(Flags::from([Flag::Seen])), None).await?;
                for (uid, flags, modseq) in outcome.items {
                    if let Ok(i) = data.binary_search_by_key(&uid, |m| m.uid) {
                        data[i].flags = Some(flags);
                        data[i].modseq = modseq;
                    }
                    view.reported(uid, modseq.get());
                    seen_now.insert(uid);
                }
            }
        }
        for m in &data {
            let Some(seq) = view.seq_of(m.uid) else { continue };
            render(view, seq, m, req, want_modseq, seen_now.contains(m.uid), &mut out.buf)?;
            out.maybe_flush().await.map_err(Fail::Io)?;
        }
    }
    Ok(())
}

fn render(
    view: &View,
    seq: u32,
    m: &MessageData,
    req: &FetchRequest<'_>,
    want_modseq: bool,
    flags_changed: bool,
    out: &mut Vec<u8>,
) -> Result<(), Fail> {
    let _ = write!(Str(out), "* {seq} FETCH (");
    let mut first = true;
    let mut sep = |out: &mut Vec<u8>| {
        if !first {
            out.push(b' ');
        }
        first = false;
    };
    let raw: &[u8] = m.mime.as_deref().unwrap_or(&[]);
    let mut parsed: Option<Option<Parsed<'_>>> = None;
    let mut parse = || Parsed::new(raw);
    let asked_uid = req.items.iter().any(|i| matches!(i, Item::Uid));
    if req.uid || asked_uid {
        sep(out);
        let _ = write!(Str(out), "UID {}", m.uid);
    }
    let mut flags_done = false;
    for item in req.items {
        match item {
            Item::Uid | Item::ModSeq => {}
            Item::Flags => {
                sep(out);
                out.extend_from_slice(b"FLAGS ");
                wire::flag_list(out, m.flags.as_ref().unwrap_or(&Flags::new()), view.recent.contains(m.uid));
                flags_done = true;
            }
            Item::InternalDate => {
                sep(out);
                out.extend_from_slice(b"INTERNALDATE ");
                wire::internal_date(out, m.internal_date.unwrap_or(mailbox::Timestamp(0)));
            }
            Item::Rfc822Size => {
                sep(out);
                let _ = write!(Str(out), "RFC822.SIZE {}", m.size.unwrap_or(raw.len() as u64));
            }
            Item::Envelope => {
                sep(out);
                out.extend_from_slice(b"ENVELOPE ");
                mime::envelope(out, m.envelope.as_ref().unwrap_or(&mailbox::Envelope::default()));
            }
            Item::Body | Item::BodyStructure => {
                sep(out);
                let extended = matches!(item, Item::BodyStructure);
                out.extend_from_slice(if extended { b"BODYSTRUCTURE " } else { b"BODY " });
                match parsed.get_or_insert_with(&mut parse) {
                    Some(p) => p.structure(out, extended),
                    None => out.extend_from_slice(b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)"),
                }
            }
            Item::Rfc822 => {
                sep(out);
                out.extend_from_slice(b"RFC822 ");
                wire::literal(out, raw);
            }
            Item::Rfc822Header => {
                sep(out);
                out.extend_from_slice(b"RFC822.HEADER ");
                wire::literal(out, mime::split_header(raw).0);
            }
            Item::Rfc822Text => {
                sep(out);
                out.extend_from_slice(b"RFC822.TEXT ");
                wire::literal(out, mime::split_header(raw).1);
            }
            Item::BodyExt { section, partial, .. } => {
                sep(out);
                out.extend_from_slice(b"BODY[");
                section_spec(out, section.as_ref());
                out.push(b']');
                let data = section_bytes(raw, section.as_ref(), &mut parsed, &mut parse);
                match (partial, data) {
                    (Some((start, len)), Some(d)) => {
                        let _ = write!(Str(out), "<{start}> ");
                        let s = (*start as usize).min(d.len());
                        let e = s.saturating_add(len.get() as usize).min(d.len());
                        wire::literal(out, &d[s..e]);
                    }
                    (Some((start, _)), None) => {
                        let _ = write!(Str(out), "<{start}> NIL");
                    }
                    (None, Some(d)) => {
                        out.push(b' ');
                        wire::literal(out, &d);
                    }
                    (None, None) => out.extend_from_slice(b" NIL"),
                }
            }
            Item::Binary { section, partial, .. } => {
                sep(out);
                out.extend_from_slice(b"BINARY[");
                binary_path(out, section);
                out.push(b']');
                match binary_bytes(raw, section, &mut parsed, &mut parse)? {
                    Some(d) => {
                        let d = match partial {
                            Some((start, len)) => {
                                let _ = write!(Str(out), "<{start}>");
                                let s = (*start as usize).min(d.len());
                                let e = s.saturating_add(len.get() as usize).min(d.len());
                                &d[s..e]
                            }
                            None => &d[..],
                        };
                        out.push(b' ');
                        // RFC 3516 §4.3: literal8 for data with NULs.
                        if d.contains(&0) {
                            out.push(b'~');
                        }
                        wire::literal(out, d);
                    }
                    None => out.extend_from_slice(b" NIL"),
                }
            }
            Item::BinarySize { section } => {
                sep(out);
                out.extend_from_slice(b"BINARY.SIZE[");
                binary_path(out, section);
                out.push(b']');
                let n = binary_bytes(raw, section, &mut parsed, &mut parse)?.map_or(0, |d| d.len());
                let _ = write!(Str(out), " {n}");
            }
        }
    }
    // RFC 9051 §6.4.5: an implicit \Seen change is reported with FLAGS.
    if flags_changed && !flags_done {
        sep(out);
        out.extend_from_slice(b"FLAGS ");
        wire::flag_list(out, m.flags.as_ref().unwrap_or(&Flags::new()), view.recent.contains(m.uid));
    }
    if want_modseq || (view.condstore && (flags_done || flags_changed)) {
        sep(out);
        let _ = write!(Str(out), "MODSEQ ({})", m.modseq);
    }
    out.extend_from_slice(b")\r\n");
    Ok(())
}

/// `1.2` of a BINARY section (RFC 3516 §4.2 `section-binary`).
fn binary_path(out: &mut Vec<u8>, path: &[std::num::NonZeroU32]) {
    for (i, n) in path.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        let _ = write!(Str(out), "{n}");
    }
}

/// The decoded bytes of a BINARY section (RFC 3516 §4.2): `BINARY[]` is
/// the message as it is; `None` when the part does not exist.
fn binary_bytes<'r>(
    raw: &'r [u8],
    path: &[std::num::NonZeroU32],
    parsed: &mut Option<Option<Parsed<'r>>>,
    parse: &mut impl FnMut() -> Option<Parsed<'r>>,
) -> Result<Option<Vec<u8>>, Fail> {
    if path.is_empty() {
        return Ok(Some(raw.to_vec()));
    }
    let path: Vec<u32> = path.iter().map(|n| n.get()).collect();
    let Some(p) = parsed.get_or_insert_with(parse).as_ref() else { return Ok(None) };
    p.binary(&path)
        .map_err(|e| Fail::No(Some("UNKNOWN-CTE"), format!("Cannot decode Content-Transfer-Encoding {}", e.0)))
}

/// Writes the section spec as the client gave it (the response names the
/// data item the same way, RFC 9051 §7.5.2).
fn section_spec(out: &mut Vec<u8>, section: Option<&Section<'_>>) {
    let Some(section) = section else { return };
    let part = |out: &mut Vec<u8>, p: &imap_codec::imap_types::fetch::Part, dot: bool| {
        let nums: Vec<String> = p.0.as_ref().iter().map(|n| n.to_string()).collect();
        out.extend_from_slice(nums.join(".").as_bytes());
        if dot {
            out.push(b'.');
        }
    };
    let names = |out: &mut Vec<u8>, list: &[imap_codec::imap_types::core::AString<'_>]| {
        out.extend_from_slice(b" (");
        for (i, n) in list.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            wire::astring(out, &String::from_utf8_lossy(n.as_ref()));
        }
        out.push(b')');
    };
    match section {
        Section::Part(p) => part(out, p, false),
        Section::Header(p) => {
            if let Some(p) = p {
                part(out, p, true);
            }
            out.extend_from_slice(b"HEADER");
        }
        Section::HeaderFields(p, list) => {
            if let Some(p) = p {
                part(out, p, true);
            }
            out.extend_from_slice(b"HEADER.FIELDS");
            names(out, list.as_ref());
        }
        Section::HeaderFieldsNot(p, list) => {
            if let Some(p) = p {
                part(out, p, true);
            }
            out.extend_from_slice(b"HEADER.FIELDS.NOT");
            names(out, list.as_ref());
        }
        Section::Text(p) => {
            if let Some(p) = p {
                part(out, p, true);
            }
            out.extend_from_slice(b"TEXT");
        }
        Section::Mime(p) => {
            part(out, p, true);
            out.extend_from_slice(b"MIME");
        }
    }
}

/// The bytes a section names; `None` when the part does not exist.
fn section_bytes<'r>(
    raw: &'r [u8],
    section: Option<&Section<'_>>,
    parsed: &mut Option<Option<Parsed<'r>>>,
    parse: &mut impl FnMut() -> Option<Parsed<'r>>,
) -> Option<Vec<u8>> {
    let path = |p: &imap_codec::imap_types::fetch::Part| -> Vec<u32> { p.0.as_ref().iter().map(|n| n.get()).collect() };
    let mut via_parser =
        |path: Vec<u32>, piece: Piece| parsed.get_or_insert_with(&mut *parse).as_ref()?.section(&path, piece);
    let names_of = |list: &[imap_codec::imap_types::core::AString<'_>]| -> Vec<Vec<u8>> {
        list.iter().map(|n| n.as_ref().to_vec()).collect()
    };
    match section {
        None => Some(raw.to_vec()),
        // The top-level pieces need no MIME parse: the hot path of
        // header-only syncs.
        Some(Section::Header(None)) => Some(mime::split_header(raw).0.to_vec()),
        Some(Section::Text(None)) => Some(mime::split_header(raw).1.to_vec()),
        Some(Section::HeaderFields(None, list)) | Some(Section::HeaderFieldsNot(None, list)) => {
            let not = matches!(section, Some(Section::HeaderFieldsNot(..)));
            let names = names_of(list.as_ref());
            let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
            Some(mime::header_fields(mime::split_header(raw).0, &refs, not))
        }
        Some(Section::Part(p)) => via_parser(path(p), Piece::Body),
        Some(Section::Mime(p)) => via_parser(path(p), Piece::Mime),
        Some(Section::Header(Some(p))) => via_parser(path(p), Piece::Header),
        Some(Section::Text(Some(p))) => via_parser(path(p), Piece::Text),
        Some(Section::HeaderFields(Some(p), list)) | Some(Section::HeaderFieldsNot(Some(p), list)) => {
            let not = matches!(section, Some(Section::HeaderFieldsNot(..)));
            let block = via_parser(path(p), Piece::Header)?;
            let names = names_of(list.as_ref());
            let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
            Some(mime::header_fields(&block, &refs, not))
        }
    }
}
