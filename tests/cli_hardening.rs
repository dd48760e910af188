//! Hardening of the command line, through the real `weft` binary: filters that match nothing
//! are refused, a closed output pipe is not a crash, codings are addressable, and everything
//! the app can edit the command line can edit too.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn weft(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .env("WEFT_CODER", "Tester")
        .output()
        .expect("the weft binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = weft(args);
    assert!(
        out.status.success(),
        "weft {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn fails(args: &[&str]) -> String {
    let out = weft(args);
    assert!(!out.status.success(), "weft {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    ok(&["demo", s(&project)]);
    (dir, project)
}

// Item 11: `--where` that can match nothing is refused, naming what exists.

#[test]
fn where_with_an_unknown_attribute_or_value_is_refused_with_what_exists() {
    let (_dir, project) = demo();
    let p = s(&project);
    let err = fails(&["stats", p, "--where", "rolee=x"]);
    assert!(err.contains("no attribute “rolee”"), "{err}");
    assert!(
        err.contains("role") && err.contains("years_experience"),
        "{err}"
    );

    let err = fails(&["stats", p, "--where", "role==x"]);
    assert!(err.contains("did you mean role=x"), "{err}");
    assert!(err.contains("“peer support worker”"), "{err}");

    // A known attribute with a value nobody has is a question whose answer is zero: counted,
    // with a warning naming the values that exist.
    let out = weft(&["stats", p, "--format", "json", "--where", "role=nurse"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("role = “nurse”") && err.contains("“person supported”"),
        "{err}"
    );

    let err = fails(&["stats", p, "--where", "role="]);
    assert!(err.contains("no value"), "{err}");
    assert!(err.contains("“person supported”"), "{err}");

    let err = fails(&["stats", p, "--where", "role"]);
    assert!(err.contains("KEY=VALUE"), "{err}");

    // A real value, in any case and spacing, still counts.
    let out = ok(&["stats", p, "--where", "role= Peer Support Worker "]);
    assert!(out.contains("| Code |"), "{out}");
}

// Item 12b: a closed standard output is not a crash.

/// Runs weft with its standard output a pipe whose reading end is already closed, so every
/// write fails with EPIPE (deterministically, unlike `| head -1`).
fn weft_into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .env("WEFT_CODER", "Tester")
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_output_pipe_ends_quietly_after_the_work_is_done() {
    let (dir, project) = demo();
    let p = s(&project);
    for args in [
        vec!["docs", p],
        vec!["docs", p, "--json"],
        vec!["segments", p],
        vec!["stats", p],
        vec!["code", "list", p],
        vec!["history", p],
    ] {
        let out = weft_into_closed_pipe(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "weft {args:?}: {err}");
        assert!(!err.contains("panicked"), "weft {args:?}: {err}");
    }
    // Edits print after saving: the edit stands and the exit is still quiet.
    let t = dir.path().join("extra.txt");
    std::fs::write(&t, "Interviewer: Hi?\nP99: Hello.\n").unwrap();
    let out = weft_into_closed_pipe(&["import", p, s(&t)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ok(&["docs", p]).contains("extra"));
    let out = weft_into_closed_pipe(&[
        "code", "apply", p, "--doc", "extra", "--code", "Role", "--start", "0", "--end", "5",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: serde_json::Value = serde_json::from_str(&ok(&["docs", p, "--json"])).unwrap();
    let extra = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "extra")
        .unwrap();
    assert_eq!(extra["codings"], 1);
}
