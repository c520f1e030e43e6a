//! One email's whole way in, through a real MTA: SMTP to Debian's Postfix on loopback, its
//! pipe transport running `certdesk mail receive` as an unprivileged user, the reply on
//! the ticket. A message naming no ticket is bounced by Postfix (exit 67) to the sender's
//! mail server (the test SMTP server) with the desk's explanation in it. Every domain but
//! the desk's goes to that server, so nothing leaves loopback and no name is looked up.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use serde_json::Value;

use crate::helpers::*;
use crate::mail_server::MailServer;

const POSTFIX: &str = "/usr/sbin/postfix";
/// The desk's inbound address, as the transport map routes it.
const DESK: &str = "layanan@certdesk.test";

/// A Postfix instance of the test's own (configuration, queue and port), stopped when
/// dropped. Its master runs as root, as Postfix's does; the pipe runs as `nobody`.
struct Postfix {
    dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

impl Postfix {
    /// Postfix on a free loopback port, handing `DESK`'s mail to `certdesk mail receive`
    /// and everything else to `127.0.0.1:relay_port`. `desk` puts the files the pipe's
    /// user needs in the folder it is given, and answers the configuration naming them.
    fn start(relay_port: u16, desk: impl FnOnce(&Path) -> String) -> Self {
        assert!(
            Path::new(POSTFIX).exists(),
            "the MTA test needs Debian's postfix; `bash scripts/test` installs it"
        );
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Postfix's daemons (user postfix) and the pipe (nobody) walk through it.
        set_mode(root, 0o755);
        for sub in ["etc", "queue", "data", "bin", "desk"] {
            std::fs::create_dir(root.join(sub)).unwrap();
        }
        as_root(Command::new("chown").args(["postfix:", &path(&root.join("data"))]));
        // The pipe's user may not read the build directory: it runs its own copy.
        let binary = root.join("bin/certdesk");
        std::fs::copy(env!("CARGO_BIN_EXE_certdesk"), &binary).unwrap();
        set_mode(&binary, 0o755);
        let config = desk(&root.join("desk"));
        std::fs::write(root.join("desk/certdesk.toml"), config).unwrap();
        let root_s = path(root);
        std::fs::write(
            root.join("etc/main.cf"),
            format!(
                "compatibility_level = 3.6
queue_directory = {root_s}/queue
data_directory = {root_s}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mta.certdesk.test
mydomain = certdesk.test
myorigin = certdesk.test
mydestination =
relay_domains = certdesk.test
local_recipient_maps =
alias_maps =
alias_database =
transport_maps = texthash:{root_s}/etc/transport
default_transport = smtp:[127.0.0.1]:{relay_port}
smtp_dns_support_level = disabled
smtputf8_enable = no
biff = no
maillog_file = /dev/stdout
certdesk_destination_recipient_limit = 1
"
            ),
        )
        .unwrap();
        std::fs::write(root.join("etc/transport"), format!("{DESK} certdesk:\n")).unwrap();
        // The desk's files for the pipe's user: its configuration and key file.
        as_root(Command::new("chown").args(["-R", "nobody:", &path(&root.join("desk"))]));
        // Postfix cannot be given port 0: a free port is picked first, and another test
        // may take it before Postfix binds it. Then Postfix exits, or someone else
        // answers there; either way, try again on another.
        for attempt in 1..=3 {
            let port = free_port();
            std::fs::write(
                root.join("etc/master.cf"),
                format!(
                    "127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
showq     unix  n       -       n       -       -       showq
certdesk  unix  -       n       n       -       -       pipe
  flags=Rq user=nobody argv={root_s}/bin/certdesk --config {root_s}/desk/certdesk.toml mail receive
"
                ),
            )
            .unwrap();
            let log = std::fs::File::create(root.join("postfix.log")).unwrap();
            let mut child = sudo_if_needed(POSTFIX)
                .args(["-c", &path(&root.join("etc")), "start-fg"])
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .stdin(Stdio::null())
                .spawn()
                .unwrap();
            match greets(port, &mut child) {
                Ok(()) => return Self { dir, port, child },
                Err(why) if attempt < 3 => {
                    eprintln!("Postfix on port {port}: {why}; trying another port");
                    let _ = sudo_if_needed(POSTFIX)
                        .args(["-c", &path(&root.join("etc")), "stop"])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                    let _ = child.kill();
                    let _ = child.wait();
                }
                Err(why) => panic!(
                    "Postfix on port {port}: {why}:\n{}",
                    std::fs::read_to_string(root.join("postfix.log")).unwrap_or_default()
                ),
            }
        }
        unreachable!("the last attempt panics")
    }

    /// Replaces the desk's configuration the pipe runs with.
    fn configure(&self, config: &str) {
        std::fs::write(self.dir.path().join("desk/certdesk.toml"), config).unwrap();
    }

    /// Asks Postfix to try its deferred mail now, as `postqueue -f` does.
    fn flush(&self) {
        let status = sudo_if_needed("/usr/sbin/postqueue")
            .args(["-c", &path(&self.dir.path().join("etc")), "-f"])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until Postfix's log holds `needle`.
    async fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in Postfix's log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postfix.log")).unwrap_or_default()
    }

    /// Hands a message to Postfix over SMTP, as another mail server would.
    fn send(&self, from: &str, to: &str, message: &[u8]) {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut expect = |code: &str| {
            // Multi-line replies: "250-…" lines, then "250 …".
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                assert!(line.starts_with(code), "expected {code}, got {line:?}");
                if line.as_bytes().get(3) == Some(&b' ') {
                    break;
                }
            }
        };
        expect("220");
        for (command, code) in [
            ("EHLO mail.kemenkeu.go.id".to_owned(), "250"),
            (format!("MAIL FROM:<{from}>"), "250"),
            (format!("RCPT TO:<{to}>"), "250"),
            ("DATA".to_owned(), "354"),
        ] {
            writer
                .write_all(format!("{command}\r\n").as_bytes())
                .unwrap();
            expect(code);
        }
        let text = String::from_utf8_lossy(message).replace("\r\n", "\n");
        for line in text.lines() {
            // Dot-stuffing (RFC 5321 4.5.2).
            let line = if line.starts_with('.') {
                format!(".{line}")
            } else {
                line.to_owned()
            };
            writer.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        }
        writer.write_all(b".\r\n").unwrap();
        expect("250");
        writer.write_all(b"QUIT\r\n").unwrap();
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = sudo_if_needed(POSTFIX)
            .args(["-c", &path(&self.dir.path().join("etc")), "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
        // The queue belongs to postfix: root takes it back so the directory can go.
        as_root(Command::new("chown").args(["-R", "0:0", &path(self.dir.path())]));
    }
}

/// Waits until the Postfix instance `child` answers on `port` with its own greeting.
fn greets(port: u16, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("Postfix exited ({status})"));
        }
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .map_err(|e| e.to_string())?;
            let mut greeting = String::new();
            BufReader::new(stream)
                .read_line(&mut greeting)
                .map_err(|e| format!("something listens there but does not greet ({e})"))?;
            return if greeting.starts_with("220 mta.certdesk.test") {
                Ok(())
            } else {
                Err(format!("another server answers there: {greeting:?}"))
            };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("it did not listen within 30 s".into())
}

fn path(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Postfix's master must start as root: directly when the tests are root, else through
/// `sudo -n` (which must not ask for a password).
fn sudo_if_needed(program: &str) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
    if root {
        Command::new(program)
    } else {
        let mut command = Command::new("sudo");
        command.args(["-n", program]);
        command
    }
}

fn as_root(command: &mut Command) {
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let status = sudo_if_needed(program.to_str().unwrap())
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "{program:?} failed");
}

fn fixture(name: &str, number: &str, from: &str) -> Vec<u8> {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/mail/{name}.eml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("{NUMBER}", number)
    .replace("{FROM}", from)
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_through_postfix_lands_on_its_ticket_and_a_stray_one_is_bounced_with_why() {
    if skip_without_postgres().await {
        return;
    }
    // PostgreSQL, as in production: the pipe's user reaches it over loopback.
    let app = spawn_app(Backend::Postgres).await;
    let p = people(&app);
    put_agent_in_directory(&app).await;
    let number = awaiting_requester(&app, &p, "Pindaian KTP buram.").await;

    let mut outside = MailServer::start();
    let settings = &app.store_settings;
    let config = |desk: &Path, database_url: &str| {
        let mut config = toml::Table::new();
        let mut database = toml::Table::new();
        database.insert("url".into(), database_url.to_owned().into());
        if let Some(schema) = &settings.database.schema {
            database.insert("schema".into(), schema.clone().into());
        }
        config.insert("database".into(), database.into());
        config.insert(
            "storage".into(),
            toml::Table::from_iter([("path".to_owned(), path(&desk.join("blobs")).into())]).into(),
        );
        config.insert(
            "encryption".into(),
            toml::Table::from_iter([(
                "key_file".to_owned(),
                path(&desk.join("master.keys")).into(),
            )])
            .into(),
        );
        toml::to_string(&config).unwrap()
    };
    let database_url = settings.database.url.expose_secret().to_owned();
    let mut desk_dir = None;
    let postfix = Postfix::start(outside.port, |desk| {
        // The key file, readable by the pipe's user only (the desk refuses a wider one).
        let keys = desk.join("master.keys");
        std::fs::copy(&settings.encryption.key_file, &keys).unwrap();
        set_mode(&keys, 0o600);
        desk_dir = Some(desk.to_owned());
        config(desk, &database_url)
    });
    let desk_dir = desk_dir.unwrap();

    // The requester's answer, from their mail server to the desk's MTA.
    postfix.send(
        REQUESTER_EMAIL,
        DESK,
        &fixture("gmail_reply", &number, REQUESTER_EMAIL),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ticket: Value = app
            .get_as(&p.agent, &format!("/api/v1/tickets/{number}"))
            .await
            .json()
            .await
            .unwrap();
        if ticket["status"] == "in_review" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the reply did not land: {}\n{}",
            ticket["status"],
            postfix.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let history: Value = app
        .get_as(&p.agent, &format!("/api/v1/tickets/{number}/history"))
        .await
        .json()
        .await
        .unwrap();
    // The last transition: the clocks it resumed follow it.
    let answer = history
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|h| h["kind"] == "transition")
        .unwrap();
    assert_eq!(
        answer["reason"],
        "Sudah saya unggah ulang pindaian KTP \u{2014} terima kasih, Bu."
    );
    assert!(
        postfix.log().contains("relay=certdesk") && postfix.log().contains("status=sent"),
        "{}",
        postfix.log()
    );

    // The database down: the pipe exits 75, Postfix keeps the message and says why in
    // its log; once the database is back, the retry lands it. Nothing is lost.
    let comments = || app.count_where("ticket_history", "kind = 'comment'");
    let before = comments().await;
    postfix.configure(&config(
        &desk_dir,
        "postgres://postgres@127.0.0.1:1/nowhere",
    ));
    postfix.send(
        REQUESTER_EMAIL,
        DESK,
        &fixture("outlook_html_only", &number, REQUESTER_EMAIL),
    );
    postfix.wait_for_log("status=deferred").await;
    assert!(
        postfix.log().contains("the database cannot be reached"),
        "{}",
        postfix.log()
    );
    assert_eq!(comments().await, before);
    postfix.configure(&config(&desk_dir, &database_url));
    postfix.flush();
    let deadline = Instant::now() + Duration::from_secs(30);
    while comments().await == before {
        assert!(
            Instant::now() < deadline,
            "the deferred reply did not land:\n{}",
            postfix.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // No ticket named: the pipe exits 67, Postfix bounces it to the sender's server.
    postfix.send(
        REQUESTER_EMAIL,
        DESK,
        &fixture("no_ticket", &number, REQUESTER_EMAIL),
    );
    let bounces = outside.wait_for(1, Duration::from_secs(30)).await;
    let bounce = &bounces[0];
    assert_eq!(bounce.rcpt_tos, [REQUESTER_EMAIL.to_owned()]);
    let text = bounce.text.clone().unwrap_or_default();
    assert!(
        text.contains("No ticket recognised") && text.contains("Tidak ada tiket"),
        "{text}\n{}",
        postfix.log()
    );
    assert!(
        !text.contains("INFO") && !text.contains("sqlx"),
        "no log lines in the sender's bounce: {text}"
    );
}
