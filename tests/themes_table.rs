//! The theme table papers print (issue 10, item 5): `weft themes-table` in Markdown, CSV,
//! Excel and HTML, with participants, the exemplars the researcher marked (never ones picked
//! for them) and a footnote on discarded themes.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, s};

const TOP: &str = "Giving back makes it worth it";
const SUB: &str = "Owing <b>a debt</b> | & more";

/// A demo project with a theme (two marked exemplars), a sub-theme (none) and a discarded one.
fn project(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("demo.weft");
    ok(&["demo", s(&p), "--no-analysis"]);
    ok(&["theme", "add", s(&p), TOP]);
    ok(&["theme", "link", s(&p), TOP, "Reciprocity/Giving back"]);
    ok(&[
        "theme",
        "define",
        s(&p),
        TOP,
        "--concept",
        "Helping others makes one's own recovery worth it",
        "--definition",
        "Passing on what one was given.",
    ]);
    ok(&["theme", "add", s(&p), SUB]);
    ok(&["theme", "nest", s(&p), SUB, TOP]);
    ok(&[
        "theme",
        "link",
        s(&p),
        SUB,
        "Reciprocity/Exchange and obligation",
    ]);
    ok(&["theme", "add", s(&p), "Set aside"]);
    ok(&["theme", "status", s(&p), "Set aside", "discarded"]);
    let codings: serde_json::Value = serde_json::from_str(&ok(&[
        "coding",
        "list",
        s(&p),
        "--code",
        "Reciprocity/Giving back",
        "--json",
    ]))
    .unwrap();
    for c in codings.as_array().unwrap().iter().take(2) {
        ok(&["code", "exemplar", s(&p), &c["id"].to_string()]);
    }
    p
}

#[test]
fn markdown_shows_themes_participants_and_marked_exemplars() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let md = ok(&["themes-table", s(&p)]);
    assert!(
        md.starts_with("## Theme table — demo.weft"),
        "provenance first: {md}"
    );
    let row = md
        .lines()
        .find(|l| l.contains(&format!("**{TOP}**")))
        .unwrap();
    // Exemplars with their case: the two marked ones (P01 and P02), nothing else.
    assert!(row.contains("(P01)") && row.contains("(P02)"), "{row}");
    assert!(row.contains("Helping others makes one's own recovery worth it"));
    assert!(row.contains("Reciprocity/Giving back"));
    let sub = md.lines().find(|l| l.contains("↳ Owing")).unwrap();
    assert!(
        sub.contains("\\<b\\>a debt\\</b\\> \\| & more"),
        "escaped: {sub}"
    );
    assert!(sub.contains("_no exemplar chosen yet_"), "{sub}");
    let pipes = sub.len() - sub.replace('|', "").len() - sub.matches("\\|").count();
    assert_eq!(pipes, 8, "a table row of seven cells: {sub}");
    // Participants: the cases behind the theme and its sub-theme.
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "themes-table",
        s(&p),
        "--format",
        "json",
        "--no-meta",
    ]))
    .unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "the discarded theme is left out");
    assert!(rows[0]["participants"].as_u64().unwrap() >= rows[1]["participants"].as_u64().unwrap());
    assert!(rows[0]["participants"].as_u64().unwrap() > 0);
    assert_eq!(rows[0]["exemplars"].as_array().unwrap().len(), 2);
    assert_eq!(json["discarded"][0], "Set aside");
    assert!(
        md.contains("Left out: 1 discarded theme (“Set aside”)."),
        "{md}"
    );
    assert!(ok(&["themes-table", s(&p), "--no-meta"]).starts_with("| Theme |"));
}

#[test]
fn csv_xlsx_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let csv = ok(&["themes-table", s(&p), "--format", "csv"]);
    assert!(csv.starts_with("# Report: theme table\n"), "{csv}");
    let body: String = csv
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut r = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(r.headers().unwrap().iter().next(), Some("theme"));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][0], SUB);
    assert_eq!(&rows[1][1], TOP);
    assert!(fails(&["themes-table", s(&p), "--format", "xlsx"]).contains("-o"));
    let x = dir.path().join("themes.xlsx");
    ok(&["themes-table", s(&p), "--format", "xlsx", "-o", s(&x)]);
    assert!(std::fs::read(&x).unwrap().starts_with(b"PK"));
    let h = dir.path().join("themes.html");
    ok(&["themes-table", s(&p), "--format", "html", "-o", s(&h)]);
    let html = std::fs::read_to_string(&h).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Owing &lt;b&gt;a debt&lt;/b&gt; | &amp; more"));
    assert!(!html.contains("<b>a debt"));
    assert!(html.contains("no exemplar chosen yet"));
    assert!(html.contains("@media print"));
    assert!(fails(&["themes-table", s(&p), "-o", s(&p)]).contains("cannot write the export there"));
}
