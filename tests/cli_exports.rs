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
