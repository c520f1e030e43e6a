//! The `certdesk` binary's directory import, run as a user would run it.

use std::process::Command;

fn certdesk(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_certdesk"));
    command
        .current_dir(dir)
        .env(
            "CERTDESK_DATABASE__URL",
            format!("sqlite://{}?mode=rwc", dir.join("desk.db").display()),
        )
        .env("CERTDESK_STORAGE__PATH", dir.join("blobs"))
        .env("CERTDESK_ENCRYPTION__KEY_FILE", dir.join("master.keys"))
        .env("CERTDESK_LOG__FILTER", "warn");
    command
}

#[test]
fn officers_import_is_all_or_nothing_and_then_updates_by_nip() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "nip,name,unit,email,active\n\
         197501012000031002,Kepala UPK Contoh,Sekretariat Jenderal,kepala.upk@kemenkeu.go.id,true\n\
         123,Kepala UPK Contoh,Setjen,kepala-upk@kemenkeu.go.id,maybe\n",
    )
    .unwrap();
    let output = certdesk(dir.path())
        .args(["officers", "import"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nothing imported"), "{stderr}");
    for column in [
        "line 3: nip",
        "line 3: unit",
        "line 3: email",
        "line 3: active",
    ] {
        assert!(stderr.contains(column), "{column} in {stderr}");
    }

    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/officers.csv");
    let output = certdesk(dir.path())
        .args(["officers", "import", samples])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("3 new, 0 updated"));
    let output = certdesk(dir.path())
        .args(["officers", "import", samples])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 new, 3 updated"));
}

/// What a command prints to standard output is its result and nothing else: logs and
/// migration messages go to standard error, so `TOKEN=$(certdesk token create …)`
/// captures a token.
#[test]
fn token_commands_print_only_the_token_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = certdesk(dir.path())
            .env("CERTDESK_LOG__FILTER", "info")
            .env("CERTDESK_AUTH__LOCAL_KEY_FILE", dir.path().join("jwt.key"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };

    let (stdout, stderr) = run(&[
        "token",
        "create",
        "--name",
        "hr-portal",
        "--scope",
        "tickets:write",
    ]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout:?}");
    assert!(
        lines[0].starts_with("cdk_") && lines[0].len() > 40,
        "{stdout:?}"
    );
    assert!(
        stderr.contains("migration"),
        "the chatter went to stderr: {stderr}"
    );

    let (stdout, _) = run(&[
        "token",
        "issue",
        "--nip",
        "199005172015031001",
        "--role",
        "requester",
    ]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout:?}");
    assert_eq!(lines[0].split('.').count(), 3, "a JWT: {stdout:?}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour codes in what a script captures"
    );

    let (stdout, stderr) = run(&["demo"]);
    let variables: Vec<&str> = stdout
        .lines()
        .map(|line| {
            line.strip_prefix("export ")
                .and_then(|rest| rest.split_once('='))
                .map(|(name, _)| name)
                .unwrap_or_else(|| panic!("not an export line: {line:?}"))
        })
        .collect();
    assert_eq!(variables, ["REQUESTER", "OFFICER", "AGENT", "SUPERVISOR"]);
    assert!(stderr.contains("3 new"), "{stderr}");
}

/// `certdesk config` prints the configuration in effect as TOML, secrets redacted; a
/// value that cannot work is refused by key before anything starts.
#[test]
fn config_prints_what_the_layers_made_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let output = certdesk(dir.path())
        .env(
            "CERTDESK_DATABASE__URL",
            "postgres://certdesk:not-to-be-shown@db.example:5432/certdesk",
        )
        .env("CERTDESK_MAIL__SMTP__PASSWORD", "also-not-to-be-shown")
        .env("CERTDESK_LIFECYCLE__ENDORSEMENT_SERVICES", "[15.1, 15.3]")
        .arg("config")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let effective: toml::Table = stdout.parse().expect("TOML");
    assert_eq!(
        effective["database"]["url"].as_str(),
        Some("postgres://certdesk:***@db.example:5432/certdesk")
    );
    assert_eq!(effective["mail"]["smtp"]["password"].as_str(), Some("***"));
    assert!(!stdout.contains("not-to-be-shown"));
    assert_eq!(
        effective["lifecycle"]["endorsement_services"].to_string(),
        r#"["15.1", "15.3"]"#
    );

    let refused = certdesk(dir.path())
        .env(
            "CERTDESK_LIFECYCLE__ENDORSEMENT_SERVICES",
            r#"["15.1","16"]"#,
        )
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("lifecycle.endorsement_services") && stderr.contains("\"16\""),
        "{stderr}"
    );
}

/// The operators guide's configuration tables (docs/operators.md) are the reference: every key the program reads is
/// listed, and every value written there (each default, each example) works as printed
/// in an environment variable and lands under the key its name says.
#[test]
fn every_documented_setting_works_as_written_and_every_setting_is_documented() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operators.md")).unwrap();
    let ticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let mut documented = Vec::new();
    for line in readme.lines().filter(|l| l.starts_with("| `CERTDESK_")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let variable = ticked(cells[0]).remove(0);
        let mut values = ticked(cells[1]);
        values.extend(
            cells[2]
                .split("e.g. `")
                .skip(1)
                .filter_map(|rest| rest.split('`').next())
                .map(str::to_owned),
        );
        documented.push((variable, values));
    }
    assert!(documented.len() > 40, "{} rows", documented.len());

    let dir = tempfile::tempdir().unwrap();
    let plain = |text: &str| text.replace([' ', '"'], "");
    for (variable, values) in &documented {
        let path: Vec<String> = variable
            .strip_prefix("CERTDESK_")
            .unwrap()
            .to_lowercase()
            .split("__")
            .map(str::to_owned)
            .collect();
        for value in values {
            let mut command = certdesk(dir.path());
            command.env(variable, value).arg("config");
            // The issuer goes with the JWKS URL; a username with its password.
            if variable == "CERTDESK_AUTH__JWKS_URL" {
                command.env("CERTDESK_AUTH__ISSUER", "https://sso.example.go.id");
            }
            if variable == "CERTDESK_MAIL__SMTP__USERNAME" {
                command.env("CERTDESK_MAIL__SMTP__PASSWORD", "example");
            }
            // A days-off file is read at start: the example's file is there.
            if variable == "CERTDESK_CALENDAR__DAYS_OFF_FILES" {
                std::fs::write(
                    dir.path().join("days-off-2028.tsv"),
                    "# source: a test's own\n2028-01-01\tholiday\tTahun Baru 2028 Masehi\n",
                )
                .unwrap();
            }
            let output = command.output().unwrap();
            assert!(
                output.status.success(),
                "{variable}={value}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let effective: toml::Table = String::from_utf8(output.stdout).unwrap().parse().unwrap();
            let effective = toml::Value::Table(effective);
            let found = path
                .iter()
                .try_fold(&effective, |at, key| at.get(key))
                .unwrap_or_else(|| {
                    panic!("{variable}: no key {} in `certdesk config`", path.join("."))
                });
            let shown = match found {
                toml::Value::String(text) => text.clone(),
                toml::Value::Array(items) => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                other => other.to_string(),
            };
            // Secrets are shown redacted, never as given.
            if ["CERTDESK_MAIL__SMTP__PASSWORD", "CERTDESK_ENCRYPTION__KEYS"]
                .contains(&variable.as_str())
            {
                assert_eq!(shown, "***", "{variable}");
            } else {
                assert_eq!(plain(&shown), plain(value), "{variable}");
            }
        }
    }

    // And the other way: every key the program has is in a table.
    let output = certdesk(dir.path()).arg("config").output().unwrap();
    let effective: toml::Table = String::from_utf8(output.stdout).unwrap().parse().unwrap();
    fn leaves(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
        for (key, value) in table {
            let name = format!("{prefix}{}", key.to_uppercase());
            match value {
                toml::Value::Table(inner) => leaves(&format!("{name}__"), inner, out),
                _ => out.push(name),
            }
        }
    }
    let mut keys = Vec::new();
    leaves("CERTDESK_", &effective, &mut keys);
    for key in keys {
        assert!(
            documented.iter().any(|(variable, _)| *variable == key),
            "{key} is not in the configuration tables of docs/operators.md"
        );
    }
}

/// `certdesk worker --check`, a container's healthcheck: alive only while a worker turns
/// its loop against the database; before it starts and once it is killed, not.
#[test]
fn worker_check_says_whether_a_worker_is_alive_for_real() {
    let dir = tempfile::tempdir().unwrap();
    let check = |dir: &std::path::Path| {
        certdesk(dir)
            .args(["worker", "--check"])
            // Short enough for a test, and allowed: twice a poll and a relay's timeout.
            .env("CERTDESK_OUTBOX__HEARTBEAT_MAX_AGE_SECS", "2")
            .env("CERTDESK_OUTBOX__POLL_INTERVAL_MS", "100")
            .env("CERTDESK_MAIL__SMTP__TIMEOUT_SECS", "1")
            .output()
            .unwrap()
    };
    let before = check(dir.path());
    assert!(!before.status.success());
    assert!(
        String::from_utf8_lossy(&before.stderr).contains("no heartbeat"),
        "{}",
        String::from_utf8_lossy(&before.stderr)
    );

    let mut worker = certdesk(dir.path())
        .arg("worker")
        .env("CERTDESK_OUTBOX__POLL_INTERVAL_MS", "100")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let alive = (0..100).find_map(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let output = check(dir.path());
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    });
    let _ = worker.kill();
    let _ = worker.wait();
    let alive = alive.expect("the running worker was never reported alive");
    assert!(alive.contains("worker alive"), "{alive}");

    // Killed, its heartbeat goes stale.
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let after = check(dir.path());
    assert!(!after.status.success());
    assert!(
        String::from_utf8_lossy(&after.stderr).contains("last round"),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
}

/// The README's command table names exactly the commands `certdesk --help` lists.
#[test]
fn the_readme_lists_every_command_and_no_other() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme
        .split("\n## Commands\n")
        .nth(1)
        .expect("a Commands section in the README")
        .split("\n## ")
        .next()
        .unwrap();
    let mut documented: Vec<String> = table
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|cell| cell.split(['`', ' ']).next())
        .map(str::to_owned)
        .collect();
    documented.sort();
    documented.dedup();
    let help = Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let mut listed: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    listed.sort();
    assert_eq!(
        documented, listed,
        "the README's commands and `certdesk --help`"
    );
}

/// A mistake in the configuration is named as it was written: the variable (or the
/// file's key) with its value, never a secret's; a misspelt variable is pointed out with
/// the setting it was likely meant to be; a database the desk cannot speak is refused.
#[test]
fn configuration_mistakes_are_named_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let run = |vars: &[(&str, &str)]| {
        let mut command = certdesk(dir.path());
        command.arg("config");
        for (name, value) in vars {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, said) = run(&[("CERTDESK_SERVER__LISTEN", "localhost-8080")]);
    assert_eq!(code, Some(2));
    assert!(
        said.contains("CERTDESK_SERVER__LISTEN=\"localhost-8080\""),
        "{said}"
    );
    let (code, said) = run(&[("CERTDESK_SERVER__LISTN", "127.0.0.1:9000")]);
    assert_eq!(
        code,
        Some(0),
        "a misspelt key is ignored, with a warning: {said}"
    );
    assert!(
        said.contains("CERTDESK_SERVER__LISTN is not a setting")
            && said.contains("did you mean CERTDESK_SERVER__LISTEN?"),
        "{said}"
    );
    let (code, said) = run(&[("CERTDESK_DATABASE__URL", "mysql://desk:s3cret@db/desk")]);
    assert_eq!(code, Some(2));
    assert!(
        said.contains("database.url") && !said.contains("s3cret"),
        "{said}"
    );
    let (code, said) = run(&[("CERTDESK_MAIL__SMTP__PORT", "s3cret")]);
    assert_eq!(code, Some(2));
    assert!(said.contains("CERTDESK_MAIL__SMTP__PORT"), "{said}");
}

/// Where the desk cannot start, it says where to look: a database that does not answer
/// names its host and port and the setting; a port already taken names the setting.
#[test]
fn a_desk_that_cannot_start_says_where_to_look() {
    let dir = tempfile::tempdir().unwrap();
    let nobody = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = nobody.local_addr().unwrap().port();
    drop(nobody);
    let output = certdesk(dir.path())
        .arg("migrate")
        .env(
            "CERTDESK_DATABASE__URL",
            format!("postgres://desk:s3cret@127.0.0.1:{closed}/certdesk"),
        )
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        said.contains(&format!("nothing answers at 127.0.0.1:{closed}"))
            && said.contains("CERTDESK_DATABASE__URL")
            && !said.contains("s3cret"),
        "{said}"
    );

    // Postfix keeps a reply for later when the desk's configuration is broken (75),
    // rather than bouncing it to the sender with the desk's words in it.
    let output = certdesk(dir.path())
        .args(["mail", "receive"])
        .env("CERTDESK_SERVER__LISTEN", "nonsense")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(75), "{output:?}");

    // A URL the driver cannot parse is quoted whole in its error: never the password.
    let output = certdesk(dir.path())
        .arg("migrate")
        .env(
            "CERTDESK_DATABASE__URL",
            "postgres://desk:s3/cr?t@127.0.0.1:99999/certdesk",
        )
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        said.contains("postgres://desk:***@127.0.0.1:99999") && !said.contains("cr?t"),
        "{said}"
    );

    // A SQLite file that cannot be opened says so, not that PostgreSQL is not running.
    std::fs::create_dir_all(dir.path().join("adir/sub")).unwrap();
    let output = certdesk(dir.path())
        .arg("migrate")
        .env("CERTDESK_DATABASE__URL", "sqlite://./adir/sub")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        said.contains("unable to open database file") && !said.contains("PostgreSQL"),
        "{said}"
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = certdesk(dir.path())
        .arg("serve")
        .env("CERTDESK_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("CERTDESK_AUTH__LOCAL_KEY_FILE", dir.path().join("jwt.key"))
        .env("CERTDESK_OUTBOX__IN_PROCESS", "false")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        said.contains(&format!("listening on 127.0.0.1:{port}"))
            && said.contains("CERTDESK_SERVER__LISTEN"),
        "{said}"
    );
    drop(taken);
}

/// `certdesk calendar`: the shipped year's days off, working time measured and added on
/// the desk's clock, a year added from a file, and one that is missing said so.
#[test]
fn the_working_calendar_answers_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], vars: &[(&str, &str)]| {
        let mut command = certdesk(dir.path());
        command.arg("calendar").args(args);
        for (name, value) in vars {
            command.env(name, value);
        }
        command.output().unwrap()
    };
    let days = run(&["days-off", "--year", "2026"], &[]);
    assert!(days.status.success());
    let listed = String::from_utf8_lossy(&days.stdout);
    assert_eq!(listed.lines().count(), 25, "{listed}");
    assert!(listed.contains("2026-03-20\tFri\tcuti bersama"), "{listed}");
    assert!(String::from_utf8_lossy(&days.stderr).contains("Nomor 1497 Tahun 2025"));

    let between = run(&["between", "2026-05-13 12:00", "2026-05-18 12:00"], &[]);
    assert_eq!(
        String::from_utf8_lossy(&between.stdout).trim(),
        "8 h 0 m of working time (480 minutes)"
    );
    let due = run(&["add", "2026-03-17 15:30", "8"], &[]);
    assert!(
        String::from_utf8_lossy(&due.stdout).starts_with("2026-03-25 15:30 (Wed) WIB"),
        "{}",
        String::from_utf8_lossy(&due.stdout)
    );

    let missing = run(&["days-off", "--year", "2028"], &[]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("calendar.days_off_files"));
    let file = dir.path().join("2028.tsv");
    std::fs::write(
        &file,
        "# source: a test's own\n2028-01-03\tholiday\tA synthetic day off\n",
    )
    .unwrap();
    let files = format!("[{}]", file.display());
    let added = run(
        &["between", "2028-01-03 08:00", "2028-01-04 16:00"],
        &[("CERTDESK_CALENDAR__DAYS_OFF_FILES", &files)],
    );
    assert_eq!(
        String::from_utf8_lossy(&added.stdout).trim(),
        "8 h 0 m of working time (480 minutes)",
        "the Monday is off, the Tuesday is worked"
    );
    std::fs::write(&file, "2028-01-03\tholiday\tno source line\n").unwrap();
    let refused = run(
        &["days-off"],
        &[("CERTDESK_CALENDAR__DAYS_OFF_FILES", &files)],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("# source:"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
