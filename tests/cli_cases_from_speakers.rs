//! `weft import --cases-from-speakers`: cases made from the participants' speaker labels, the
//! interviewer left out, existing cases linked with a warning, all in the import's one undo step.

mod common;
use common::{ok, s, weft};

#[test]
fn import_makes_cases_from_speaker_labels() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    let p = s(&p);
    ok(&["new", p]);
    ok(&["case", "add", p, "P03"]);
    let interview = dir.path().join("p03-interview.txt");
    std::fs::write(
        &interview,
        "Interviewer: How did it start?\nP03: Slowly.\nInterviewer: And then?\nP03: Fast.\n",
    )
    .unwrap();
    let group = dir.path().join("fg.txt");
    std::fs::write(
        &group,
        "FACILITATOR: Welcome.\nANNA: Hi.\nKOFI: Hello.\nANNA: Me first.\nP03: Me too.\n",
    )
    .unwrap();
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, "# Notes\n\nNo speakers here.\n").unwrap();

    let out = weft(&[
        "import",
        p,
        s(&interview),
        s(&group),
        s(&notes),
        "--cases-from-speakers",
    ]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("case ")).collect();
    assert_eq!(
        lines,
        [
            "case P03 (existing): document “p03-interview”",
            "case ANNA (new): speaker “ANNA” in “fg”",
            "case KOFI (new): speaker “KOFI” in “fg”",
            "case P03 (existing): speaker “P03” in “fg”",
        ],
        "{stdout}"
    );
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].contains("“P03” matches the existing case “P03”"),
        "{stderr}"
    );
    assert!(!stdout.contains("FACILITATOR") && !stdout.contains("Interviewer"));

    let cases = ok(&["case", "list", p, "--json"]);
    let cases: serde_json::Value = serde_json::from_str(&cases).unwrap();
    let names: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ANNA", "KOFI", "P03"]);
    let docs = ok(&["docs", p, "--json"]);
    let docs: serde_json::Value = serde_json::from_str(&docs).unwrap();
    let cases_of = |name: &str| {
        docs.as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .map(|d| d["cases"].clone())
            .unwrap()
    };
    assert_eq!(cases_of("p03-interview"), serde_json::json!(["P03"]));
    assert_eq!(cases_of("fg"), serde_json::json!(["ANNA", "KOFI", "P03"]));
    assert_eq!(cases_of("notes"), serde_json::json!([]));

    // The import and its links are one step: undo leaves only the old case.
    assert!(ok(&["undo", p]).contains("Import"));
    let cases = ok(&["case", "list", p]);
    assert!(cases.contains("P03") && !cases.contains("ANNA"), "{cases}");
    assert!(!ok(&["docs", p]).contains("p03-interview"));
}

#[test]
fn without_participant_labels_nothing_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    let p = s(&p);
    ok(&["new", p]);
    let f = dir.path().join("a.txt");
    std::fs::write(&f, "Interviewer: Hi\nI: Hello\nInterviewer: Bye\n").unwrap();
    let out = ok(&["import", p, s(&f), "--cases-from-speakers"]);
    assert!(out.contains("no participant speaker labels found"), "{out}");
    assert!(ok(&["case", "list", p]).trim().lines().count() <= 1);
}
