//! Every CLI command end to end on a temporary project, through the real `weft` binary.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;
use common::{fails, ok, s};

use std::path::{Path, PathBuf};

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    (dir, project)
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

    ok(&[
        "code",
        "add",
        p,
        "Mutuality/Shared experience",
        "--color",
        "#59a14f",
        "--description",
        "Being alike",
    ]);
    ok(&["code", "add", p, "Reciprocity"]);
    assert!(fails(&["code", "add", p, "Reciprocity"]).contains("already exists"));
    assert!(fails(&["code", "add", p, "X", "--color", "green"]).contains("not a colour"));
    let codes: serde_json::Value =
        serde_json::from_str(&ok(&["code", "list", p, "--json"])).unwrap();
    let paths: Vec<&str> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["Mutuality", "Mutuality/Shared experience", "Reciprocity"]
    );

    // "I was a peer worker — it helped me 😀 too." starts after "P01: " on line 2.
    let text = P01.replace("\r\n", "\n");
    let start = text
        .find("it helped")
        .map(|b| text[..b].chars().count())
        .unwrap();
    let end = start + "it helped me 😀 too".chars().count();
    let (st, en) = (start.to_string(), end.to_string());
    ok(&[
        "code",
        "apply",
        p,
        "--doc",
        "p01",
        "--code",
        "Reciprocity",
        "--start",
        &st,
        "--end",
        &en,
        "--memo",
        "helping heals",
    ]);
    ok(&[
        "code",
        "apply",
        p,
        "--doc",
        "p01",
        "--code",
        "Mutuality/Shared experience",
        "--start",
        &st,
        "--end",
        &en,
        "--coder",
        "Second",
    ]);
    assert!(
        fails(&[
            "code",
            "apply",
            p,
            "--doc",
            "p01",
            "--code",
            "Reciprocity",
            "--start",
            "5",
            "--end",
            "5"
        ])
        .contains("empty")
    );
    assert!(
        fails(&[
            "code",
            "apply",
            p,
            "--doc",
            "p01",
            "--code",
            "Reciprocity",
            "--start",
            "0",
            "--end",
            "99999"
        ])
        .contains("outside")
    );
    assert!(
        fails(&[
            "code",
            "apply",
            p,
            "--doc",
            "nope",
            "--code",
            "Reciprocity",
            "--start",
            "0",
            "--end",
            "1"
        ])
        .contains("no document")
    );
    assert!(
        fails(&[
            "code", "apply", p, "--doc", "p01", "--code", "Nope", "--start", "0", "--end", "1"
        ])
        .contains("no code")
    );

    ok(&["case", "add", p, "P02"]);
    ok(&["case", "assign", p, "P02", "p01"]);
    ok(&[
        "attr",
        "set",
        p,
        "--case",
        "P01",
        "role=peer support worker",
    ]);
    ok(&[
        "attr",
        "set",
        p,
        "--doc",
        "p01",
        "interview_date=2026-03-14",
    ]);
    assert!(fails(&["attr", "set", p, "--case", "Nobody", "role=x"]).contains("no case"));
    assert!(fails(&["attr", "set", p, "--case", "P01", "novalue"]).contains("KEY=VALUE"));

    let stats: serde_json::Value =
        serde_json::from_str(&ok(&["stats", p, "--format", "json"])).unwrap();
    let recip = stats["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "Reciprocity")
        .unwrap()
        .clone();
    assert_eq!(recip["segments"], 1);
    assert_eq!(recip["chars"], end - start);
    assert_eq!(recip["words"], 4, "it, helped, me, too");
    assert_eq!(recip["cases"], 2);
    assert_eq!(stats["codes"][0]["aggregate"]["segments"], 1);
    assert_eq!(stats["totals"]["chars"], chars);
    let by_coder: serde_json::Value =
        serde_json::from_str(&ok(&["stats", p, "--format", "json", "--coder", "Second"])).unwrap();
    assert_eq!(by_coder["totals"]["segments"], 1);
    let by_attr: serde_json::Value = serde_json::from_str(&ok(&[
        "stats",
        p,
        "--format",
        "json",
        "--where",
        "role=peer support worker",
        "--case",
        "P01",
    ]))
    .unwrap();
    assert_eq!(by_attr["totals"]["segments"], 2);
    let none: serde_json::Value = serde_json::from_str(&ok(&[
        "stats",
        p,
        "--format",
        "json",
        "--where",
        "role=nurse",
    ]))
    .unwrap();
    assert_eq!(none["totals"]["segments"], 0);
    let csv = ok(&["stats", p, "--format", "csv"]);
    assert!(csv.starts_with("# Report: frequencies\n"), "{csv}");
    assert!(
        csv.contains("\n# Filters: none (the whole project)\n"),
        "{csv}"
    );
    let header = csv.lines().find(|l| !l.starts_with('#')).unwrap();
    assert!(header.starts_with("path,segments,documents,cases,chars,words,coverage,agg_segments"));
    let bare = ok(&["stats", p, "--format", "csv", "--no-meta"]);
    assert!(bare.starts_with("path,segments,documents,cases,chars,words,coverage,agg_segments"));
    assert_eq!(
        bare,
        csv.lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(|l| [l, "\n"])
            .collect::<String>()
    );
    assert!(ok(&["stats", p]).contains("| Code |"));
    let out = dir.path().join("stats.md");
    ok(&["stats", p, "--format", "md", "-o", s(&out)]);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("Shared experience")
    );

    let seg = ok(&["segments", p, "--code", "Reciprocity"]);
    assert!(seg.contains("it helped me 😀 too"), "{seg}");
    assert!(seg.contains("helping heals"));
    let file: serde_json::Value =
        serde_json::from_str(&ok(&["segments", p, "--format", "json"])).unwrap();
    assert_eq!(file["meta"]["report"], "coded segments");
    let seg = &file["segments"];
    assert_eq!(seg.as_array().unwrap().len(), 2);
    assert_eq!(seg[0]["speaker"], "P01");
    let seg: serde_json::Value = serde_json::from_str(&ok(&[
        "segments",
        p,
        "--code",
        "Mutuality",
        "--subcodes",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(
        seg["meta"]["filters"]["codes"],
        serde_json::json!(["Mutuality", "Mutuality/Shared experience"])
    );
    let seg = &seg["segments"];
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
    let docs: serde_json::Value =
        serde_json::from_str(&ok(&["docs", s(&project), "--json"])).unwrap();
    assert!(docs.as_array().unwrap().len() >= 8);
    let help = ok(&["--help"]);
    for cmd in [
        "new", "demo", "import", "docs", "code", "case", "attr", "stats", "segments",
    ] {
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
    assert!(
        err.contains("not a Weft project") && err.contains("notes.txt"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "not a project");
    let err = fails(&["docs", s(&dir.path().join("missing.weft"))]);
    assert!(err.contains("missing.weft"), "{err}");
}

// Snapshots, history and permanent deletion on the command line.

/// A demo project at `dir/name`.
fn demo(dir: &Path, name: &str) -> PathBuf {
    let project = dir.join(name);
    ok(&["demo", s(&project)]);
    project
}

#[test]
fn backup_then_restore_round_trip() {
    let (dir, _) = setup();
    let project = demo(dir.path(), "study.weft");
    let p = s(&project);
    let snap = ok(&["backup", p]).trim().to_owned();
    assert!(Path::new(&snap).is_file(), "{snap}");
    assert!(snap.contains("backups"), "{snap}");
    assert!(ok(&["backup", p, "--list"]).contains(&snap));

    ok(&["code", "add", p, "Added after the snapshot"]);
    // The edit made today's automatic snapshot first.
    assert!(ok(&["backup", p, "--list"]).contains("daily"));
    let out = ok(&["restore", p, &snap]);
    assert!(out.contains("previous file was kept at"), "{out}");
    let kept = out
        .lines()
        .find_map(|l| l.strip_prefix("the previous file was kept at "))
        .unwrap();
    assert!(Path::new(kept).is_file());
    assert!(!ok(&["code", "list", p]).contains("Added after the snapshot"));

    // A folder of one's own, remembered with --always.
    let elsewhere = dir.path().join("elsewhere");
    let out = ok(&["backup", p, "--dir", s(&elsewhere), "--always"]);
    assert!(out.contains(s(&elsewhere)), "{out}");
    assert!(ok(&["backup", p, "--list"]).contains(s(&elsewhere)));
}

#[test]
fn a_damaged_project_names_the_file_and_the_snapshot_to_restore() {
    let (dir, _) = setup();
    let project = demo(dir.path(), "study.weft");
    let p = s(&project);
    let snap = ok(&["backup", p]).trim().to_owned();
    // Damage every page after the first two.
    let mut bytes = std::fs::read(&project).unwrap();
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    assert!(bytes.len() > 3 * page);
    for b in &mut bytes[2 * page..] {
        *b = 0xFF;
    }
    std::fs::write(&project, &bytes).unwrap();
    let err = fails(&["docs", p]);
    assert!(err.contains("damaged"), "{err}");
    assert!(err.contains("left untouched"), "{err}");
    assert!(err.trim_end().ends_with(p), "the file comes last: {err}");
    assert!(err.contains(&format!("weft restore {p} {snap}")), "{err}");
    assert_eq!(std::fs::read(&project).unwrap(), bytes, "untouched");
    // And the command it names works.
    ok(&["restore", p, &snap]);
    ok(&["docs", p]);
}

#[test]
fn delete_undoably_or_permanently_and_the_history() {
    let (dir, _) = setup();
    let project = demo(dir.path(), "study.weft");
    let p = s(&project);
    let out = ok(&["delete", p, "--doc", "P02 interview"]);
    assert!(out.contains("weft undo"), "{out}");
    ok(&["undo", p]);
    ok(&["case", "add", p, "Someone"]);

    let history = ok(&["history", p]);
    assert!(
        history.contains("undone") || history.contains("done"),
        "{history}"
    );
    assert!(history.contains("Add case “Someone”"), "{history}");
    let steps: serde_json::Value = serde_json::from_str(&ok(&["history", p, "--json"])).unwrap();
    assert_eq!(
        steps.as_array().unwrap().len(),
        1,
        "the redo step went with the new edit"
    );

    let out = ok(&["delete", p, "--doc", "P02 interview", "--permanently"]);
    assert!(out.contains("cannot be undone"), "{out}");
    assert!(
        out.contains("still hold it"),
        "the daily snapshot is listed: {out}"
    );
    assert!(fails(&["delete", p, "--doc", "P02 interview"]).contains("P02 interview"));

    let out = ok(&[
        "delete",
        p,
        "--case",
        "P03",
        "--permanently",
        "--including-backups",
    ]);
    assert!(out.contains("cannot be undone"), "{out}");
    assert!(out.contains("removed from the snapshot"), "{out}");

    // Trim the history, and keep it trimmed.
    for name in ["A", "B", "C"] {
        ok(&["code", "add", p, name]);
    }
    assert!(ok(&["history", p, "--keep", "2", "--always"]).contains("from now on"));
    ok(&["code", "add", p, "D"]);
    let steps: serde_json::Value = serde_json::from_str(&ok(&["history", p, "--json"])).unwrap();
    assert_eq!(steps.as_array().unwrap().len(), 2);
    ok(&["history", p, "--keep-all"]);
    ok(&["code", "add", p, "E"]);
    let steps: serde_json::Value = serde_json::from_str(&ok(&["history", p, "--json"])).unwrap();
    assert_eq!(steps.as_array().unwrap().len(), 3);
    let _ = dir;
}
