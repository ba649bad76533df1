//! `mapibridge inspect FILE…`: decodes recorded MAPI over HTTP bodies with
//! the `mapi-inspect` library. Files named like the trace directory writes
//! them (`NNN-<RequestType>.req.bin` / `.resp.bin`, see `MAPIBRIDGE_TRACE_DIR`)
//! need no options: the type comes from the name, and a response is decoded
//! against its request when that file lies beside it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use mapi_inspect::{
    Direction, guess_request_kind, guess_response_kind, inspect_request, inspect_response, render_tree, request_kind,
};
use mapi_wire::http::RequestKind;

/// `mapibridge inspect` options.
#[derive(clap::Args, Clone, Debug)]
pub struct InspectArgs {
    /// Bodies to decode (requests or responses, as sent or as traced).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The X-RequestType (Connect, Execute, Bind, QueryRows…) when the file name does not tell.
    #[arg(long = "type")]
    pub kind: Option<String>,
    /// Print JSON instead of a tree.
    #[arg(long)]
    pub json: bool,
}

/// What a trace file name says: direction and request type.
fn from_name(path: &Path) -> (Option<Direction>, Option<String>) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let (stem, direction) = if let Some(s) = name.strip_suffix(".req.bin") {
        (s, Some(Direction::Request))
    } else if let Some(s) = name.strip_suffix(".resp.bin") {
        (s, Some(Direction::Response))
    } else {
        (name, None)
    };
    // `004-Connect` (trace dir) or `004-emsmdb-connect-alice` (captures): the
    // first word after the number that names a request type.
    let kind = stem.split('-').skip(1).find(|token| request_kind(token).is_ok()).map(str::to_owned);
    (direction, kind)
}

/// The request file beside a response file.
fn sibling_request(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?.strip_suffix(".resp.bin")?;
    let req = path.with_file_name(format!("{name}.req.bin"));
    req.exists().then_some(req)
}

/// Decodes one file.
pub fn inspect_file(path: &Path, kind: Option<&str>, json: bool) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let (named_direction, named_kind) = from_name(path);
    let direction = named_direction.unwrap_or(
        if bytes.starts_with(b"PROCESSING") || bytes.starts_with(b"PENDING") || bytes.starts_with(b"DONE") {
            Direction::Response
        } else {
            Direction::Request
        },
    );
    let request = match direction {
        Direction::Response => sibling_request(path).map(std::fs::read).transpose()?,
        Direction::Request => None,
    };
    let kind: RequestKind = match kind.map(str::to_owned).or(named_kind) {
        Some(name) => request_kind(&name)?,
        None => match (direction, &request) {
            (Direction::Request, _) => guess_request_kind(&bytes)?,
            (Direction::Response, Some(req)) => guess_request_kind(req)?,
            (Direction::Response, None) => guess_response_kind(&bytes)?,
        },
    };
    let report = match direction {
        Direction::Request => inspect_request(kind, &bytes)?,
        Direction::Response => inspect_response(kind, &bytes, request.as_deref())?,
    };
    anyhow::ensure!(!report.is_null(), "{}: nothing decoded", path.display());
    Ok(if json { serde_json::to_string_pretty(&report)? + "\n" } else { render_tree(&report) })
}

/// Decodes every file; a file that fails is reported and the rest go on.
pub fn run(args: &InspectArgs, out: &mut dyn Write) -> anyhow::Result<bool> {
    let mut all_ok = true;
    let several = args.files.len() > 1;
    for path in &args.files {
        if several {
            writeln!(out, "== {}", path.display())?;
        }
        match inspect_file(path, args.kind.as_deref(), args.json) {
            Ok(text) => out.write_all(text.as_bytes())?,
            Err(e) => {
                all_ok = false;
                writeln!(out, "error: {e:#}")?;
            }
        }
    }
    Ok(all_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/captures/gromox-3.10")
    }

    #[test]
    fn trace_names_give_direction_and_type() {
        assert_eq!(from_name(Path::new("004-Connect.req.bin")), (Some(Direction::Request), Some("Connect".into())));
        assert_eq!(from_name(Path::new("012-Execute.resp.bin")), (Some(Direction::Response), Some("Execute".into())));
        assert_eq!(from_name(Path::new("body.bin")), (None, None));
    }

    #[test]
    fn decodes_recorded_bodies_and_pairs_responses_with_requests() {
        let dir = captures();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.to_str().is_some_and(|s| s.ends_with(".bin")) && p.to_str().is_some_and(|s| s.contains("connect"))
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no connect capture in {}", dir.display());
        for f in files {
            let tree = inspect_file(&f, None, false).unwrap();
            assert!(!tree.trim().is_empty(), "{}", f.display());
            let json = inspect_file(&f, None, true).unwrap();
            assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
        }
    }

    #[test]
    fn bad_file_is_reported_and_others_still_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.bin");
        std::fs::write(&junk, b"\xff\xfe not mapi").unwrap();
        let args = InspectArgs { files: vec![junk, dir.path().join("missing.bin")], kind: None, json: false };
        let mut out = Vec::new();
        assert!(!run(&args, &mut out).unwrap());
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("error:").count(), 2, "{text}");
    }
}
