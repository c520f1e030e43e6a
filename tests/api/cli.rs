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
