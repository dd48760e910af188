//! Every CLI command end to end on a temporary project, through the real `weft` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    (dir, project)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const P01: &str = "Interviewer: How did it start?\r\nP01: I was a peer worker — it helped me 😀 too.\r\nInterviewer: Go on.\r\nP01: We both learned.\r\n";

#[test]
fn a_whole_session_on_the_command_line() {
    let (dir, project) = setup();
    let p = s(&project);
    ok(&["new", p]);
    assert!(fails(&["new", p]).contains("already exists"));

    let t1 = dir.path().join("p01.txt");
    std::fs::write(&t1, P01).unwrap();
    let bad = dir.path().join("empty.txt");
    std::fs::write(&bad, "").unwrap();
    let err = fails(&["import", p, s(&t1), s(&bad), "--case", "P01"]);
    assert!(err.contains("empty.txt"), "{err}");
    assert!(err.contains("imported 1 of 2"), "{err}");

    let docs: serde_json::Value = serde_json::from_str(&ok(&["docs", p, "--json"])).unwrap();
    assert_eq!(docs[0]["name"], "p01");
    assert_eq!(docs[0]["cases"][0], "P01");
    assert_eq!(docs[0]["codings"], 0);
    let chars = docs[0]["chars"].as_u64().unwrap();
    assert_eq!(chars as usize, P01.replace("\r\n", "\n").chars().count());

    ok(&["code", "add", p, "Mutuality/Shared experience", "--color", "#59a14f", "--description", "Being alike"]);
    ok(&["code", "add", p, "Reciprocity"]);
    assert!(fails(&["code", "add", p, "Reciprocity"]).contains("already exists"));
    assert!(fails(&["code", "add", p, "X", "--color", "green"]).contains("not a colour"));
    let codes: serde_json::Value = serde_json::from_str(&ok(&["code", "list", p, "--json"])).unwrap();
    let paths: Vec<&str> = codes.as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["Mutuality", "Mutuality/Shared experience", "Reciprocity"]);

    // "I was a peer worker — it helped me 😀 too." starts after "P01: " on line 2.
    let text = P01.replace("\r\n", "\n");
    let start = text.find("it helped").map(|b| text[..b].chars().count()).unwrap();
    let end = start + "it helped me 😀 too".chars().count();
    let (st, en) = (start.to_string(), end.to_string());
    ok(&["code", "apply", p, "--doc", "p01", "--code", "Reciprocity", "--start", &st, "--end", &en, "--memo", "helping heals"]);
    ok(&["code", "apply", p, "--doc", "p01", "--code", "Mutuality/Shared experience", "--start", &st, "--end", &en, "--coder", "Second"]);
    assert!(fails(&["code", "apply", p, "--doc", "p01", "--code", "Reciprocity", "--start", "5", "--end", "5"]).contains("empty"));
    assert!(fails(&["code", "apply", p, "--doc", "p01", "--code", "Reciprocity", "--start", "0", "--end", "99999"]).contains("outside"));
    assert!(fails(&["code", "apply", p, "--doc", "nope", "--code", "Reciprocity", "--start", "0", "--end", "1"]).contains("no document"));
    assert!(fails(&["code", "apply", p, "--doc", "p01", "--code", "Nope", "--start", "0", "--end", "1"]).contains("no code"));

    ok(&["case", "add", p, "P02"]);
    ok(&["case", "assign", p, "P02", "p01"]);
    ok(&["attr", "set", p, "--case", "P01", "role=peer support worker"]);
    ok(&["attr", "set", p, "--doc", "p01", "interview_date=2026-03-14"]);
    assert!(fails(&["attr", "set", p, "--case", "Nobody", "role=x"]).contains("no case"));
    assert!(fails(&["attr", "set", p, "--case", "P01", "novalue"]).contains("KEY=VALUE"));

    let stats: serde_json::Value = serde_json::from_str(&ok(&["stats", p, "--format", "json"])).unwrap();
    let recip = stats["codes"].as_array().unwrap().iter().find(|c| c["path"] == "Reciprocity").unwrap().clone();
    assert_eq!(recip["segments"], 1);
    assert_eq!(recip["chars"], end - start);
    assert_eq!(recip["words"], 4, "it, helped, me, too");
    assert_eq!(recip["cases"], 2);
    assert_eq!(stats["codes"][0]["aggregate"]["segments"], 1);
    assert_eq!(stats["totals"]["chars"], chars);
    let by_coder: serde_json::Value =
        serde_json::from_str(&ok(&["stats", p, "--format", "json", "--coder", "Second"])).unwrap();
    assert_eq!(by_coder["totals"]["segments"], 1);
    let by_attr: serde_json::Value =
        serde_json::from_str(&ok(&["stats", p, "--format", "json", "--where", "role=peer support worker", "--case", "P01"])).unwrap();
    assert_eq!(by_attr["totals"]["segments"], 2);
    let none: serde_json::Value =
        serde_json::from_str(&ok(&["stats", p, "--format", "json", "--where", "role=nurse"])).unwrap();
    assert_eq!(none["totals"]["segments"], 0);
    let csv = ok(&["stats", p, "--format", "csv"]);
    assert!(csv.starts_with("path,segments,documents,cases,chars,words,coverage,agg_segments"));
    assert!(ok(&["stats", p]).contains("| Code |"));
    let out = dir.path().join("stats.md");
    ok(&["stats", p, "--format", "md", "-o", s(&out)]);
    assert!(std::fs::read_to_string(&out).unwrap().contains("Shared experience"));

    let seg = ok(&["segments", p, "--code", "Reciprocity"]);
    assert!(seg.contains("it helped me 😀 too"), "{seg}");
    assert!(seg.contains("helping heals"));
    let seg: serde_json::Value = serde_json::from_str(&ok(&["segments", p, "--format", "json"])).unwrap();
    assert_eq!(seg.as_array().unwrap().len(), 2);
    assert_eq!(seg[0]["speaker"], "P01");
    let seg: serde_json::Value =
        serde_json::from_str(&ok(&["segments", p, "--code", "Mutuality", "--subcodes", "--format", "json"])).unwrap();
    assert_eq!(seg[0]["code"], "Mutuality/Shared experience");
    assert_eq!(seg[0]["coder"], "Second");

    ok(&["memo", p, "Week 1", "First impressions"]);
    assert!(ok(&["undo", p]).contains("Add memo"));
    assert!(ok(&["redo", p]).contains("Add memo"));
}

#[test]
fn demo_project_and_help() {
    let (_dir, project) = setup();
    ok(&["demo", s(&project)]);
    let docs: serde_json::Value = serde_json::from_str(&ok(&["docs", s(&project), "--json"])).unwrap();
    assert!(docs.as_array().unwrap().len() >= 8);
    let help = ok(&["--help"]);
    for cmd in ["new", "demo", "import", "docs", "code", "case", "attr", "stats", "segments"] {
        assert!(help.contains(cmd), "--help lists {cmd}");
    }
    assert!(ok(&["code", "--help"]).contains("apply"));
}

#[test]
fn foreign_files_are_refused_and_untouched() {
    let (dir, _) = setup();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a project").unwrap();
    let err = fails(&["docs", s(&notes)]);
    assert!(err.contains("not a Weft project") && err.contains("notes.txt"), "{err}");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "not a project");
    let err = fails(&["docs", s(&dir.path().join("missing.weft"))]);
    assert!(err.contains("missing.weft"), "{err}");
}
