//! `weft code apply`: one coding, and many from a CSV or JSON file as one undo step with
//! refused rows reported by line, through the real `weft` binary.
#![allow(clippy::unwrap_used)]

mod common;
use common::{ok, s, weft};

use std::path::Path;

fn project(dir: &Path) -> String {
    let p = dir.join("study.weft");
    let t = dir.join("p01.txt");
    std::fs::write(&t, "P01: We trust each other 😀 here, and we give back.\n").unwrap();
    ok(&["new", s(&p)]);
    ok(&["import", s(&p), s(&t)]);
    ok(&[
        "code",
        "add",
        s(&p),
        "Trust",
        "--description",
        "Definition: relying on.",
    ]);
    ok(&["code", "add", s(&p), "Reciprocity/Giving back"]);
    s(&p).to_owned()
}

fn codings(p: &str) -> serde_json::Value {
    let file: serde_json::Value =
        serde_json::from_str(&ok(&["segments", p, "--format", "json", "--no-meta"])).unwrap();
    file["segments"].clone()
}

#[test]
fn one_coding_with_memo_and_coder_is_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let out = ok(&[
        "code", "apply", &p, "--doc", "p01", "--code", "Trust", "--start", "5", "--end", "10",
        "--memo", "why", "--coder", "Ann",
    ]);
    assert!(out.contains("coded 5..10 of p01 with Trust"), "{out}");
    let rows = codings(&p);
    assert_eq!(rows[0]["text"], "We tr");
    assert_eq!(rows[0]["memo"], "why");
    assert_eq!(rows[0]["coder"], "Ann");
    assert!(ok(&["undo", &p]).contains("Apply code “Trust”"));
    assert_eq!(codings(&p).as_array().unwrap().len(), 0);
    let err = weft(&[
        "code", "apply", &p, "--doc", "p01", "--code", "Nope", "--start", "0", "--end", "3",
    ]);
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("there is no code “Nope”"));
}

#[test]
fn a_csv_of_codings_is_one_step_and_refusals_name_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let csv = dir.path().join("codings.csv");
    std::fs::write(
        &csv,
        "doc,code,start,end,coder,memo\n\
         p01,Trust,5,10,Ann,first\n\
         p01,Reciprocity/Giving back,40,50,,\n\
         p01,Nope,0,3,,\n\
         p02,Trust,0,3,,\n\
         p01,Trust,0,999,,\n\
         p01,Trust,x,3,,\n\
         p01,Trust,0,4,Bo,\"a memo, with a comma\"\n",
    )
    .unwrap();
    let out = weft(&["code", "apply", &p, "--from", s(&csv)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "refusals make the exit code non-zero"
    );
    assert!(
        stdout.contains("applied 3 codings as one undo step"),
        "{stdout}"
    );
    for (line, why) in [
        (4, "no code “Nope”"),
        (5, "no document “p02”"),
        (6, "outside"),
        (7, "cannot be read"),
    ] {
        assert!(
            stderr.contains(&format!("refused line {line}: ")) && stderr.contains(why),
            "line {line}: {stderr}"
        );
    }
    assert_eq!(codings(&p).as_array().unwrap().len(), 3);
    assert!(ok(&["undo", &p]).contains("Apply 6 codings"));
    assert_eq!(codings(&p).as_array().unwrap().len(), 0);
}

#[test]
fn a_json_file_of_codings() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let json = dir.path().join("codings.json");
    std::fs::write(
        &json,
        r#"[
  {"doc": "p01", "code": "Trust", "start": 5, "end": 10},
  {"doc": "p01", "code": "Trust", "start": 3, "end": 2}
]"#,
    )
    .unwrap();
    let out = weft(&["code", "apply", &p, "--from", s(&json)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refused line 3: "), "{stderr}");
    assert_eq!(codings(&p).as_array().unwrap().len(), 1);
    let garbage = dir.path().join("bad.json");
    std::fs::write(&garbage, "[{").unwrap();
    let out = weft(&["code", "apply", &p, "--from", s(&garbage)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("bad.json"),
        "the error names the file: {stderr}"
    );
    assert_eq!(codings(&p).as_array().unwrap().len(), 1, "nothing changed");
}

#[test]
fn importing_the_same_file_again_adds_nothing_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let t = dir.path().join("p01.txt");
    let copy = dir.path().join("p01-copy.txt");
    std::fs::copy(&t, &copy).unwrap();
    let out = weft(&["import", &p, s(&t), s(&copy)]);
    assert!(out.status.success(), "duplicates are skipped, not errors");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("already holds the same content as “p01”")
            .count(),
        2,
        "{err}"
    );
    let docs: serde_json::Value = serde_json::from_str(&ok(&["docs", &p, "--json"])).unwrap();
    assert_eq!(docs.as_array().unwrap().len(), 1);
    ok(&["import", &p, s(&t), "--allow-duplicates"]);
    let docs: serde_json::Value = serde_json::from_str(&ok(&["docs", &p, "--json"])).unwrap();
    assert_eq!(
        docs.as_array().unwrap().len(),
        2,
        "added again as “p01 (2)”"
    );
}

#[test]
fn a_folder_imports_the_transcripts_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("study.weft");
    ok(&["new", s(&p)]);
    let folder = dir.path().join("interviews");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("p01.txt"), "P01: one\n").unwrap();
    std::fs::write(folder.join("p02.md"), "P02: two\n").unwrap();
    std::fs::write(folder.join("notes.xlsx"), "PK").unwrap();
    std::fs::write(folder.join(".hidden.txt"), "x").unwrap();
    std::fs::create_dir(folder.join("sub")).unwrap();
    std::fs::write(folder.join("sub").join("p03.txt"), "P03: three\n").unwrap();
    let out = ok(&["import", s(&p), s(&folder)]);
    assert!(
        out.contains("imported p01") && out.contains("imported p02"),
        "{out}"
    );
    let docs: serde_json::Value = serde_json::from_str(&ok(&["docs", s(&p), "--json"])).unwrap();
    assert_eq!(
        docs.as_array().unwrap().len(),
        2,
        "only the supported files directly inside"
    );
}
