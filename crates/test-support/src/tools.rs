//! External tools a test drives: whether one is installed, running it, and
//! its output for an assertion message.

use std::process::Output;

/// Whether `probe` (a shell command) succeeds, i.e. the tool `name` is
/// there; panics when MAPIBRIDGE_REQUIRE_TOOLS is set and it is not (CI
/// must not skip silently).
pub fn tool_by(name: &str, probe: &str) -> bool {
    let found = std::process::Command::new("sh").arg("-c").arg(probe).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("MAPIBRIDGE_REQUIRE_TOOLS").is_none(),
            "{name} is required (MAPIBRIDGE_REQUIRE_TOOLS is set)"
        );
        eprintln!("note: {name} not installed; test skipped");
    }
    found
}

/// [`tool_by`] with `command -v name` as the probe.
pub fn tool(name: &str) -> bool {
    tool_by(name, &format!("command -v {name}"))
}

/// Runs a tool to completion (killed if the test ends first).
pub async fn run(cmd: &str, args: &[String]) -> Output {
    tokio::process::Command::new(cmd).args(args).kill_on_drop(true).output().await.expect("spawn tool")
}

/// stdout and stderr of a run, for an assertion message.
pub fn transcript(o: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}
