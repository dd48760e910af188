//! Hardening of the command line, through the real `weft` binary: filters that match nothing
//! are refused, a closed output pipe is not a crash, codings are addressable, and everything
//! the app can edit the command line can edit too.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;
use common::{fails, ok, s, weft};

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

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

// Item 22: codings are addressable, repeats say so, partial imports say so.

/// The id in "coding 116: coded ..." or "already coded; nothing added (coding 116: ...)".
fn coding_id(out: &str) -> String {
    let at = out.find("coding ").expect("a coding id") + "coding ".len();
    out[at..].chars().take_while(char::is_ascii_digit).collect()
}

#[test]
fn an_exact_repeat_says_nothing_was_added_and_codings_are_addressable_by_id() {
    let (_dir, project) = demo();
    let p = s(&project);
    let apply = [
        "code",
        "apply",
        p,
        "--doc",
        "P01 interview",
        "--code",
        "Role",
        "--start",
        "0",
        "--end",
        "10",
    ];
    let first = ok(&apply);
    assert!(
        first.contains("coded 0..10 of P01 interview with Role"),
        "{first}"
    );
    let id = coding_id(&first);
    let again = ok(&apply);
    assert!(again.contains("already coded; nothing added"), "{again}");
    assert_eq!(
        coding_id(&again),
        id,
        "the repeat names the existing coding"
    );

    // The listing shows the same id.
    let list: serde_json::Value = serde_json::from_str(&ok(&[
        "coding",
        "list",
        p,
        "--doc",
        "P01 interview",
        "--json",
    ]))
    .unwrap();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"].as_i64() == id.parse().ok())
        .unwrap();
    assert_eq!(
        (row["start"].as_u64(), row["code"].as_str()),
        (Some(0), Some("Role"))
    );

    ok(&["coding", "memo", p, &id, "a note"]);
    ok(&[
        "coding",
        "recode",
        p,
        &id,
        "Role/Lived-experience disclosure",
    ]);
    let list: serde_json::Value =
        serde_json::from_str(&ok(&["coding", "list", p, "--json"])).unwrap();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"].as_i64() == id.parse().ok())
        .unwrap();
    assert_eq!(row["memo"], "a note");
    assert_eq!(row["code"], "Role/Lived-experience disclosure");
    ok(&["coding", "remove", p, &id]);
    assert!(fails(&["coding", "remove", p, &id]).contains(&format!("no coding {id}")));
    assert!(ok(&["undo", p]).contains("Remove coding"));

    // A file with a repeat says how many were repeats.
    let dir = project.parent().unwrap();
    let file = dir.join("rows.csv");
    std::fs::write(
        &file,
        "doc,code,start,end\nP01 interview,Role/Lived-experience disclosure,0,10\nP01 interview,Role,20,30\n",
    )
    .unwrap();
    let out = ok(&["code", "apply", p, "--from", s(&file)]);
    assert!(out.contains("applied 1 coding as one undo step"), "{out}");
    assert!(out.contains("1 row was already coded"), "{out}");
}

#[test]
fn a_partial_import_exits_3_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.weft");
    let p = s(&project);
    ok(&["new", p]);
    let mut files = Vec::new();
    for (name, text) in [("a.txt", "One.\n"), ("b.txt", ""), ("c.txt", "Three.\n")] {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        files.push(f);
    }
    let mut args = vec!["import", p];
    args.extend(files.iter().map(|f| s(f)));
    let out = weft(&args);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 of 3 imported"), "{err}");
    assert!(err.contains("b.txt"), "{err}");
}

#[test]
fn code_add_exist_ok_and_document_names_with_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.weft");
    let p = s(&project);
    ok(&["new", p]);
    let f = dir.path().join("interview_001.txt");
    std::fs::write(&f, "Interviewer: Hi?\nP01: Hello there.\n").unwrap();
    ok(&["import", p, s(&f)]);
    ok(&["code", "add", p, "Trust"]);
    assert!(fails(&["code", "add", p, "Trust"]).contains("already exists"));
    assert!(ok(&["code", "add", p, "Trust", "--exist-ok"]).contains("already exists"));

    let out = ok(&[
        "code",
        "apply",
        p,
        "--doc",
        "interview_001.txt",
        "--code",
        "Trust",
        "--start",
        "0",
        "--end",
        "5",
    ]);
    assert!(out.contains("of interview_001 with Trust"), "{out}");
    ok(&["attr", "set", p, "--doc", "interview_001.txt", "site=north"]);
    let err = fails(&[
        "code",
        "apply",
        p,
        "--doc",
        "interview_01",
        "--code",
        "Trust",
        "--start",
        "0",
        "--end",
        "5",
    ]);
    assert!(err.contains("did you mean “interview_001”"), "{err}");
    let err = fails(&["delete", p, "--doc", "interview_01"]);
    assert!(err.contains("did you mean “interview_001”"), "{err}");
    assert!(ok(&["delete", p, "--doc", "interview_001.txt"]).contains("deleted interview_001"));
}

#[test]
fn the_codebook_can_be_edited_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.weft");
    let p = s(&project);
    ok(&["new", p]);
    ok(&["code", "add", p, "Trust"]);
    ok(&["code", "add", p, "Care/Giving"]);
    ok(&["code", "add", p, "Helping"]);
    ok(&["code", "rename", p, "Trust", "Trusting"]);
    ok(&["code", "move", p, "Trusting", "--under", "Care"]);
    ok(&["code", "color", p, "Care/Trusting", "#e15759"]);
    ok(&[
        "code",
        "describe",
        p,
        "Care/Trusting",
        "When they rely on someone.",
    ]);
    ok(&["code", "merge", p, "Helping", "Care/Giving"]);
    ok(&["code", "move", p, "Care/Giving", "--top"]);
    let codes: serde_json::Value =
        serde_json::from_str(&ok(&["code", "list", p, "--json"])).unwrap();
    let paths: Vec<&str> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"Care/Trusting") && paths.contains(&"Giving"),
        "{paths:?}"
    );
    assert!(!paths.contains(&"Helping"), "{paths:?}");
    let t = codes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "Care/Trusting")
        .unwrap();
    assert_eq!(t["color"], "#e15759");
    assert_eq!(t["description"], "When they rely on someone.");
    ok(&["code", "delete", p, "Care"]);
    assert!(!ok(&["code", "list", p]).contains("Trusting"));
    assert!(fails(&["code", "delete", p, "Nope"]).contains("Nope"));
}

#[test]
fn cases_memos_and_coders_can_be_edited_and_listed() {
    let (_dir, project) = demo();
    let p = s(&project);
    ok(&["case", "add", p, "P13"]);
    let err = fails(&[
        "case",
        "speaker",
        p,
        "P13",
        "--doc",
        "Focus group 1",
        "--speaker",
        "Nobody",
    ]);
    assert!(err.contains("BRIDGET"), "{err}");
    ok(&[
        "case",
        "speaker",
        p,
        "P13",
        "--doc",
        "Focus group 1",
        "--speaker",
        "FACILITATOR",
    ]);
    ok(&["case", "rename", p, "P13", "Facilitator"]);
    ok(&["case", "memo", p, "Facilitator", "Runs the group."]);
    let cases: serde_json::Value =
        serde_json::from_str(&ok(&["case", "list", p, "--json"])).unwrap();
    let f = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Facilitator")
        .unwrap();
    assert_eq!(f["memo"], "Runs the group.");
    assert_eq!(f["speakers"][0]["speaker"], "FACILITATOR");
    assert_eq!(f["speakers"][0]["document"], "Focus group 1");
    let p01 = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "P01")
        .unwrap();
    assert_eq!(p01["documents"][0], "P01 interview");

    // Every kind of memo is listed.
    ok(&["memo", p, "Week 5", "Started the second round."]);
    let first = ok(&[
        "code",
        "apply",
        p,
        "--doc",
        "P01 interview",
        "--code",
        "Role",
        "--start",
        "0",
        "--end",
        "3",
    ]);
    ok(&["coding", "memo", p, &coding_id(&first), "opening words"]);
    let memos: serde_json::Value =
        serde_json::from_str(&ok(&["memo", "list", p, "--json"])).unwrap();
    let kinds: Vec<&str> = memos
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    for kind in ["journal", "case", "coding"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(
        memos
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["title"] == "Week 5")
    );
    assert!(
        memos
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body"] == "opening words")
    );
    assert!(
        memos
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body"] == "Runs the group.")
    );

    let coders = ok(&["coder", "list", p]);
    assert!(
        coders.contains("Alex Morgan") && coders.contains("Sam Okafor"),
        "{coders}"
    );

    ok(&["case", "delete", p, "Facilitator"]);
    assert!(!ok(&["case", "list", p]).contains("Facilitator"));
    assert!(ok(&["undo", p]).contains("Delete case"));
}

#[test]
fn the_segments_export_names_each_coding_by_the_id_the_cli_takes() {
    let (_dir, project) = demo();
    let p = s(&project);
    let out = ok(&[
        "code",
        "apply",
        p,
        "--doc",
        "P01 interview",
        "--code",
        "Role",
        "--start",
        "0",
        "--end",
        "7",
    ]);
    let id = coding_id(&out);
    let csv = ok(&["segments", p, "--code", "Role"]);
    let header = csv.lines().find(|l| !l.starts_with('#')).unwrap();
    assert!(header.ends_with(",created,coding,id,exemplar"), "{header}");
    assert!(
        csv.lines().any(|l| l.starts_with("P01 interview,")
            && l.contains(",0,7,")
            && l.contains(&format!(",{id},"))),
        "{csv}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["segments", p, "--code", "Role", "--format", "json"])).unwrap();
    assert!(
        json["segments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["coding"].as_i64() == id.parse().ok())
    );
    // The GUID in the `id` column names the same coding, in any letter case.
    let guid = json["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["coding"].as_i64() == id.parse().ok())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(guid.len(), 36, "{guid}");
    ok(&[
        "coding",
        "memo",
        p,
        &guid.to_uppercase(),
        "found by its GUID",
    ]);
    assert!(ok(&["segments", p, "--code", "Role"]).contains("found by its GUID"));
    assert!(fails(&["coding", "remove", p, "not-a-coding"]).contains("there is no coding"));
    ok(&["coding", "remove", p, &id]);
}
