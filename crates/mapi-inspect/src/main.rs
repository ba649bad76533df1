//! `mapi-inspect FILE`: prints what a MAPI over HTTP body holds.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use mapi_inspect::{
    Direction, guess_request_kind, guess_response_kind, inspect_request, inspect_response, render_tree, request_kind,
};

/// Decode a MAPI over HTTP request or response body (as sent, or de-chunked
/// with its PROCESSING/DONE block) into ROPs and property values.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// The body to decode.
    file: PathBuf,
    /// The file is a request body.
    #[arg(long, conflicts_with = "response")]
    request: bool,
    /// The file is a response body.
    #[arg(long)]
    response: bool,
    /// The X-RequestType (Connect, Execute, Bind, QueryRows, …); guessed when absent.
    #[arg(long = "type")]
    kind: Option<String>,
    /// The matching request body, for decoding a response (implies --response).
    #[arg(long = "for")]
    for_request: Option<PathBuf>,
    /// Print JSON instead of a tree.
    #[arg(long)]
    json: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let request = match &args.for_request {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?),
        None => None,
    };
    let direction = if args.request {
        Direction::Request
    } else if args.response || request.is_some() || bytes.starts_with(b"PROCESSING") || bytes.starts_with(b"PENDING") {
        Direction::Response
    } else {
        Direction::Request
    };
    let kind = match (&args.kind, &request, direction) {
        (Some(name), _, _) => request_kind(name)?,
        (None, Some(req), _) => guess_request_kind(req)?,
        (None, None, Direction::Request) => guess_request_kind(&bytes)?,
        (None, None, Direction::Response) => guess_response_kind(&bytes)?,
    };
    let report = match direction {
        Direction::Request => inspect_request(kind, &bytes)?,
        Direction::Response => inspect_response(kind, &bytes, request.as_deref())?,
    };
    if report.is_null() {
        bail!("nothing decoded");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_tree(&report));
    }
    Ok(())
}
