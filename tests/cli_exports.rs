//! Exports never write over the project (`-o` onto it, its `-wal`, a link to it, another
//! project) nor over devices or folders; links are written through; new files get the usual
//! permissions. Through the real `weft` binary.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn weft(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(dir)
        .env("WEFT_CODER", "Tester")
        .output()
        .unwrap()
}

#[test]
fn an_export_never_overwrites_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(weft(d, &["demo", "s.weft"]).status.success());
    assert!(weft(d, &["demo", "other.weft"]).status.success());
    // A link to the project, made the way a user might.
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("s.weft"), d.join("link.md")).unwrap();
    let before = std::fs::read(d.join("s.weft")).unwrap();
    let other = std::fs::read(d.join("other.weft")).unwrap();
    for out in [
        "s.weft",
        "./s.weft",
        "../DIR/s.weft",
        "s.weft-wal",
        "link.md",
        "other.weft",
        ".",
        "/dev/null",
    ] {
        let out = out.replace("DIR", d.file_name().unwrap().to_str().unwrap());
        for cmd in [["stats", "s.weft"], ["segments", "s.weft"]] {
            let o = weft(d, &[cmd[0], cmd[1], "-o", &out]);
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(!o.status.success(), "{cmd:?} -o {out} must fail");
            assert!(
                err.contains("cannot write the export there")
                    && err.contains("nothing was written"),
                "{cmd:?} -o {out}: {err}"
            );
        }
    }
    assert_eq!(std::fs::read(d.join("s.weft")).unwrap(), before);
    assert_eq!(std::fs::read(d.join("other.weft")).unwrap(), other);
    assert!(
        weft(d, &["docs", "s.weft"]).status.success(),
        "the project still opens"
    );
}

#[cfg(unix)]
#[test]
fn a_link_is_written_through_and_new_files_get_the_usual_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(weft(d, &["demo", "s.weft"]).status.success());
    std::fs::write(d.join("report.md"), "old").unwrap();
    std::os::unix::fs::symlink(d.join("report.md"), d.join("latest.md")).unwrap();
    assert!(
        weft(d, &["stats", "s.weft", "-o", "latest.md"])
            .status
            .success()
    );
    assert!(
        std::fs::symlink_metadata(d.join("latest.md"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    let written = std::fs::read_to_string(d.join("report.md")).unwrap();
    assert!(
        written.contains("| code |") || written.contains("code"),
        "{written}"
    );

    assert!(
        weft(d, &["stats", "s.weft", "--format", "csv", "-o", "new.csv"])
            .status
            .success()
    );
    let mode = std::fs::metadata(d.join("new.csv"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    let umask = Command::new("sh").args(["-c", "umask"]).output().unwrap();
    let umask = u32::from_str_radix(String::from_utf8_lossy(&umask.stdout).trim(), 8).unwrap();
    assert_eq!(mode, 0o666 & !umask, "mode {mode:o} with umask {umask:o}");
}

/// Every frequency or segment export starts with its provenance (issue 7 item 6): project,
/// date, Weft version, filters by name and scope, in each format; `--no-meta` leaves it out.
#[test]
fn exports_say_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(weft(d, &["demo", "s.weft"]).status.success());
    let stdout = |args: &[&str]| {
        let o = weft(d, args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let filtered = [
        "stats",
        "s.weft",
        "--coder",
        "Sam Okafor",
        "--case",
        "P03",
        "--case",
        "P01",
        "--where",
        "role=peer worker",
    ];
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&[&filtered[..], &["--format", "json"]].concat())).unwrap();
    let meta = &json["meta"];
    assert_eq!(meta["report"], "frequencies");
    assert_eq!(meta["project"], "s.weft");
    assert_eq!(meta["weft_version"], env!("CARGO_PKG_VERSION"));
    assert!(chrono::DateTime::parse_from_rfc3339(meta["exported"].as_str().unwrap()).is_ok());
    assert_eq!(meta["filters"]["coder"], "Sam Okafor");
    assert_eq!(meta["filters"]["cases"], serde_json::json!(["P01", "P03"]));
    assert_eq!(
        meta["filters"]["attributes"],
        serde_json::json!(["role = peer worker"])
    );
    assert_eq!(
        meta["scope"],
        json["totals"]
            .as_object()
            .map(|t| {
                serde_json::json!({
                    "documents": t["documents"], "cases": t["cases"],
                    "chars": t["chars"], "words": t["words"],
                })
            })
            .unwrap()
    );

    let md = stdout(&[&filtered[..], &["--format", "md"]].concat());
    assert!(md.starts_with("## Frequencies — s.weft\n\n"), "{md}");
    assert!(
        md.contains("- **Filters:** coder Sam Okafor; cases P01, P03; role = peer worker\n"),
        "{md}"
    );
    assert!(md.contains("- **Scope:** "), "{md}");

    let csv = stdout(&["segments", "s.weft", "--code", "Role"]);
    let comments: Vec<&str> = csv.lines().take_while(|l| l.starts_with('#')).collect();
    assert_eq!(comments.len(), 6, "{csv}");
    assert_eq!(comments[0], "# Report: coded segments");
    assert_eq!(comments[1], "# Project: s.weft");
    assert_eq!(comments[4], "# Filters: code Role");
    assert!(
        comments[5].starts_with("# Scope: 8 documents, 12 cases, "),
        "{csv}"
    );

    // Off: the bare table, as before.
    let bare = stdout(&["segments", "s.weft", "--no-meta"]);
    assert!(bare.starts_with("document,case,speaker,"), "{bare}");
    let bare: serde_json::Value = serde_json::from_str(&stdout(&[
        "stats",
        "s.weft",
        "--format",
        "json",
        "--no-meta",
    ]))
    .unwrap();
    assert!(bare.get("meta").is_none());
}
