//! Python's `smtplib` driven line by line: the test gives a script, reads
//! what it prints, and lets it go on (`go`) after changing the server.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

/// What every script starts with: `s` is connected to `argv[1]` (port) on
/// 127.0.0.1 and has sent EHLO; `login()` logs in as `user`/`pw`
/// (`argv[2]`, `argv[3]`) as is, `tls_login()` after STARTTLS (without
/// verifying the test certificate); `send(msg, rcpts, sender=user)` prints
/// `ok`, or the refusal's class, code and text.
pub const PRELUDE: &str = r#"
import smtplib, ssl, sys
from email.message import EmailMessage
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", port, timeout=120)
s.ehlo("python.test")
def login():
    s.login(user, pw)
def tls_login():
    s.starttls(context=ctx)
    s.ehlo("python.test")
    login()
def send(msg, rcpts, sender=user):
    try:
        s.sendmail(sender, rcpts, msg)
        print("ok", flush=True)
    except smtplib.SMTPResponseException as e:
        print(type(e).__name__, e.smtp_code, e.smtp_error.decode(), flush=True)
        s.rset()
"#;

/// A running `python3` with [`PRELUDE`] and a script; killed on drop.
pub struct Smtplib {
    child: Child,
    out: Lines<BufReader<ChildStdout>>,
}

impl Smtplib {
    /// Starts `script` after the prelude, against `port` as `user`.
    pub fn start(port: u16, user: &str, password: &str, script: &str) -> Self {
        let mut child = tokio::process::Command::new("python3")
            .arg("-c")
            .arg(format!("{PRELUDE}\n{script}"))
            .args([port.to_string(), user.to_owned(), password.to_owned()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 starts");
        let out = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        Self { child, out }
    }

    /// The next line the script prints (within 60 s).
    pub async fn line(&mut self) -> String {
        tokio::time::timeout(Duration::from_secs(60), self.out.next_line())
            .await
            .expect("python answered in time")
            .expect("python's stdout is readable")
            .expect("python printed a line")
    }

    /// Lets a script waiting in `sys.stdin.readline()` go on.
    pub async fn go(&mut self) {
        let stdin = self.child.stdin.as_mut().expect("piped stdin");
        stdin.write_all(b"go\n").await.expect("write to python");
        stdin.flush().await.expect("flush to python");
    }

    /// Waits (at most 60 s) for the script to end, and asserts it succeeded.
    pub async fn finish(mut self) {
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("python ended in time")
            .expect("python's status");
        assert!(status.success(), "python failed: {status}");
    }
}
