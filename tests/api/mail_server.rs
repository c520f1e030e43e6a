//! The test SMTP server (`tests/smtp/server.py`, aiosmtpd): a real server on loopback,
//! with faults switched on and off through its control port.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

pub struct MailServer {
    pub port: u16,
    control: BufReader<TcpStream>,
    child: Child,
    // Dropping it closes the server's stdin, which stops the server.
    _stdin: ChildStdin,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    /// The SMTP session's client (address, port): messages of one session share it.
    pub peer: (String, u16),
    pub rcpt_tos: Vec<String>,
    pub message_id: String,
    pub subject: String,
    pub content_language: Option<String>,
    pub auto_submitted: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// The Python with aiosmtpd: `TEST_PYTHON`, else the tests' own environment in
/// the build directory (`target/test-venv`, where `scripts/test` makes it), made here from
/// `tests/smtp/requirements.txt` if it is missing, so that a plain `cargo test` needs
/// nothing done by hand.
fn python() -> String {
    if let Ok(python) = std::env::var("TEST_PYTHON") {
        return python;
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let venv = target.join("test-venv");
    ensure_venv(&venv);
    venv.join("bin/python").display().to_string()
}

/// Makes the virtual environment once, whichever of several test processes gets there
/// first: a lock directory (made atomically) keeps the others waiting until `.ready`.
fn ensure_venv(venv: &std::path::Path) {
    let ready = venv.join(".ready");
    let lock = venv.with_extension("lock");
    let deadline = Instant::now() + Duration::from_secs(600);
    while !ready.exists() {
        let stale = std::fs::metadata(&lock)
            .and_then(|m| m.modified())
            .is_ok_and(|at| at.elapsed().unwrap_or_default() > Duration::from_secs(600));
        if stale {
            let _ = std::fs::remove_dir(&lock);
        }
        if std::fs::create_dir_all(venv.parent().unwrap_or(venv)).is_ok()
            && std::fs::create_dir(&lock).is_ok()
        {
            let made = make_venv(venv);
            let _ = std::fs::remove_dir(&lock);
            if let Err(error) = made {
                panic!(
                    "could not make the tests' Python environment at {} ({error}); \
                     `bash scripts/test` makes it, or set TEST_PYTHON to a Python \
                     with tests/smtp/requirements.txt installed",
                    venv.display()
                );
            }
            return;
        }
        assert!(
            Instant::now() < deadline,
            "waited 10 minutes for {}",
            lock.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn make_venv(venv: &std::path::Path) -> Result<(), String> {
    let run = |command: &mut Command| -> Result<(), String> {
        let status = command.status().map_err(|e| e.to_string())?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| format!("{command:?} failed: {status}"))
    };
    if !venv.join("bin/python").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
    }
    run(Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "install", "-q", "-r"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/smtp/requirements.txt"
        )))?;
    std::fs::write(venv.join(".ready"), b"").map_err(|e| e.to_string())
}

impl MailServer {
    pub fn start() -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/server.py");
        let mut child = Command::new(python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the test SMTP server (python3 with aiosmtpd; see README, Tests)");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut ready = String::new();
        stdout.read_line(&mut ready).expect("read READY");
        let ports: Vec<u16> = ready
            .strip_prefix("READY ")
            .unwrap_or_else(|| {
                panic!(
                    "the test SMTP server did not start ({ready:?}); install its requirements: \
                     pip install -r tests/smtp/requirements.txt"
                )
            })
            .split_whitespace()
            .map(|p| p.parse().expect("port"))
            .collect();
        let control = TcpStream::connect(("127.0.0.1", ports[1])).expect("control port");
        control
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Self {
            port: ports[0],
            control: BufReader::new(control),
            child,
            _stdin: stdin,
        }
    }

    fn command(&mut self, line: &str) -> Value {
        let stream = self.control.get_mut();
        stream.write_all(format!("{line}\n").as_bytes()).unwrap();
        let mut reply = String::new();
        self.control.read_line(&mut reply).unwrap();
        serde_json::from_str(&reply).unwrap_or_else(|e| panic!("{line}: {e}: {reply}"))
    }

    pub fn tempfail(&mut self, on: bool) {
        self.command(if on { "tempfail on" } else { "tempfail off" });
    }

    pub fn reject(&mut self, address: &str) {
        self.command(&format!("reject {address}"));
    }

    pub fn accept(&mut self, address: &str) {
        self.command(&format!("accept {address}"));
    }

    pub fn drop_after_data(&mut self, messages: u32) {
        self.command(&format!("drop_after_data {messages}"));
    }

    pub fn count(&mut self) -> usize {
        self.command("count")["count"].as_u64().unwrap() as usize
    }

    pub fn messages(&mut self) -> Vec<Received> {
        serde_json::from_value(self.command("messages")).unwrap()
    }

    /// Waits until at least `n` messages arrived; panics after `limit`.
    pub async fn wait_for(&mut self, n: usize, limit: Duration) -> Vec<Received> {
        let deadline = Instant::now() + limit;
        loop {
            let count = self.count();
            if count >= n {
                return self.messages();
            }
            assert!(
                Instant::now() < deadline,
                "{count} of {n} messages arrived within {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
