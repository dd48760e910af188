//! The audit trail of the analysis (issue 10, item 6): `weft history --analytic` lists how the
//! codebook and the themes changed, with times, coders and journal notes; an undone edit
//! leaves it.
#![allow(clippy::unwrap_used)]

mod common;

use common::{ok, s};

#[test]
fn the_trail_lists_a_rename_and_a_merge_with_their_times() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.weft");
    ok(&["demo", s(&p)]);
    ok(&[
        "code",
        "rename",
        s(&p),
        "Relationship/Hope",
        "Hope and its refusal",
    ]);
    ok(&[
        "code",
        "merge",
        s(&p),
        "Mutuality/Equality",
        "Mutuality/Two-way learning",
    ]);
    ok(&["theme", "add", s(&p), "Giving back makes it worth it"]);
    ok(&[
        "theme",
        "link",
        s(&p),
        "Giving back makes it worth it",
        "Reciprocity",
        "--note",
        "Reciprocity carries the *motive* | here.",
    ]);
    ok(&[
        "theme",
        "status",
        s(&p),
        "Giving back makes it worth it",
        "reviewed",
        "--note",
        "Every extract fits.",
    ]);
    let md = ok(&["history", s(&p), "--analytic"]);
    assert!(md.starts_with("# Audit trail of the analysis"), "{md}");
    // Times as recorded, in UTC, under their date.
    let trail: serde_json::Value =
        serde_json::from_str(&ok(&["history", s(&p), "--analytic", "--format", "json"])).unwrap();
    let entries = trail["entries"].as_array().unwrap();
    // The newest entry of the kind: the demo's own analysis has older renames and merges.
    let find = |kind: &str| {
        entries
            .iter()
            .rev()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} entry in {trail}"))
    };
    for (kind, words) in [
        (
            "renamed",
            "Code renamed to “Relationship/Hope and its refusal” (was “Relationship/Hope”)",
        ),
        (
            "merged",
            "Code “Mutuality/Equality” merged into “Mutuality/Two-way learning”",
        ),
    ] {
        let e = find(kind);
        let at = e["at"].as_str().unwrap();
        let t = chrono::DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&chrono::Utc);
        let line = md
            .lines()
            .find(|l| l.contains(words))
            .unwrap_or_else(|| panic!("{words} missing:\n{md}"));
        assert!(
            line.starts_with(&format!("- **{}** — ", t.format("%H:%M:%S"))),
            "{line}"
        );
        assert!(md.contains(&format!("## {}", t.format("%Y-%m-%d"))));
        assert!(!e["coder"].as_str().unwrap().is_empty(), "a coder: {e}");
    }
    // The theme link and the status change, each with its journal note quoted under it.
    let link = md
        .find("Code “Reciprocity” linked to theme “Giving back makes it worth it”")
        .unwrap();
    assert!(md[link..].starts_with("Code “Reciprocity” linked"), "{md}");
    assert!(
        md.contains("\n  > Reciprocity carries the \\*motive\\* \\| here.\n"),
        "{md}"
    );
    assert!(
        md.contains("status changed: candidate → reviewed\n  > Every extract fits.\n"),
        "{md}"
    );
    assert_eq!(
        find("linked")["note"]["body"],
        "Reciprocity carries the *motive* | here."
    );

    // Written to a file too.
    let out = dir.path().join("trail.md");
    ok(&["history", s(&p), "--analytic", "-o", s(&out)]);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("merged into")
    );

    // Undo the status change, the link, the theme, the merge and the rename: the rename's
    // entry is gone, and so is the merge's.
    for _ in 0..5 {
        ok(&["undo", s(&p)]);
    }
    let md = ok(&["history", s(&p), "--analytic"]);
    assert!(!md.contains("Hope and its refusal"), "{md}");
    assert!(
        !md.contains("Code “Mutuality/Equality” merged into"),
        "{md}"
    );
    assert!(!md.contains("Every extract fits."), "{md}");
}

#[test]
fn an_empty_trail_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    ok(&["new", s(&p)]);
    let md = ok(&["history", s(&p), "--analytic", "--format", "md"]);
    assert!(md.contains("Nothing recorded yet"), "{md}");
    common::fails(&["history", s(&p), "--format", "json"]);
}
