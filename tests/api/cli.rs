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

/// The README's configuration tables are the reference: every key the program reads is
/// listed, and every value written there (each default, each example) works as printed
/// in an environment variable and lands under the key its name says.
#[test]
fn every_documented_setting_works_as_written_and_every_setting_is_documented() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
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
            "{key} is not in the README's configuration tables"
        );
    }
}
