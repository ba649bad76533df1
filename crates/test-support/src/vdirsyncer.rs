//! `vdirsyncer` syncing every calendar and address book of a DAV server on
//! 127.0.0.1 with a local directory (one `filesystem` storage per kind).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Writes a configuration under `dir` that pairs the server's calendars
/// (`dir/calendars/`, `.ics`) and address books (`dir/contacts/`, `.vcf`)
/// with local directories, the server winning conflicts; returns its path.
pub fn config(dir: &Path, port: u16, user: &str, password: &str) -> PathBuf {
    let mut cfg = format!("[general]\nstatus_path = \"{}/status/\"\n", dir.display());
    for (kind, remote, ext) in [("calendars", "caldav", ".ics"), ("contacts", "carddav", ".vcf")] {
        cfg.push_str(&format!(
            "\n[pair {kind}]\na = \"{kind}_remote\"\nb = \"{kind}_local\"\ncollections = [\"from a\"]\nconflict_resolution = \"a wins\"\n\
             \n[storage {kind}_remote]\ntype = \"{remote}\"\nurl = \"http://127.0.0.1:{port}/\"\nusername = \"{user}\"\npassword = \"{password}\"\n\
             \n[storage {kind}_local]\ntype = \"filesystem\"\npath = \"{}/{kind}/\"\nfileext = \"{ext}\"\n",
            dir.display()
        ));
    }
    let path = dir.join("config");
    std::fs::write(&path, cfg).expect("write the vdirsyncer config");
    path
}

/// Runs `vdirsyncer -c cfg args…` (verbose) off the runtime's worker
/// threads, so a server on the same runtime keeps answering; panics with
/// the log unless it succeeds, else returns the log.
pub async fn run(cfg: &Path, args: &[&str]) -> String {
    let cfg = cfg.to_owned();
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = Command::new("vdirsyncer")
            .arg("-vdebug")
            .arg("-c")
            .arg(&cfg)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        // `discover` asks before creating each local collection: yes.
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all("y\n".repeat(20).as_bytes());
        }
        child.wait_with_output()
    })
    .await
    .expect("the vdirsyncer task ends")
    .expect("vdirsyncer runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "vdirsyncer failed:\n{text}");
    text
}

/// `(path, text)` of every file whose name ends in `ext` anywhere under
/// `dir`, sorted by path; empty when `dir` does not exist.
pub fn files(dir: &Path, ext: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    collect(dir, ext, &mut out);
    out.sort();
    out
}

fn collect(dir: &Path, ext: &str, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            out.push((path, text));
        }
    }
}
