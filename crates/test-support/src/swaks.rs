//! Debian's `swaks` submitting to an SMTP server on 127.0.0.1 with AUTH
//! PLAIN.

use std::process::Output;

/// Runs swaks against `port` as `user` with `args` added (`--from`,
/// `--to`, `--attach`…), over STARTTLS when `starttls`; a 60 s timeout per
/// step. The transcript is in the output (`<~` lines under TLS, `<-`
/// without).
pub async fn swaks(port: u16, user: &str, password: &str, starttls: bool, args: &[&str]) -> Output {
    let port = port.to_string();
    let mut cmd = tokio::process::Command::new("swaks");
    cmd.args(["--server", "127.0.0.1", "--port", &port, "--helo", "swaks.test"])
        .args(["--auth", "PLAIN", "--auth-user", user, "--auth-password", password])
        .args(["--timeout", "60"])
        .args(args)
        .kill_on_drop(true);
    if starttls {
        cmd.arg("-tls");
    }
    cmd.output().await.expect("swaks runs")
}

/// `len` deterministic bytes that are not text (an attachment whose
/// transfer encoding must keep every byte).
pub fn binary(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            // xorshift32: every byte value, no line structure.
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}
