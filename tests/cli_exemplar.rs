//! `weft code exemplar` (issue 9, item 4): mark a coding by its number or GUID, see the mark
//! in `weft segments`, clear it, undo it; the HTML report quotes a marked coding first.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, s};

/// The segments of the project as JSON rows.
fn segments(p: &str) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["segments", p, "--format", "json", "--no-meta"])).unwrap();
    json["segments"].as_array().unwrap().clone()
}

fn marked(p: &str) -> Vec<i64> {
    segments(p)
        .iter()
        .filter(|r| r["exemplar"] == true)
        .map(|r| r["coding"].as_i64().unwrap())
        .collect()
}

/// The demo project without the exemplars its finished analysis comes with.
fn demo_without_exemplars(p: &str) {
    ok(&["demo", p]);
    for coding in marked(p) {
        ok(&["code", "exemplar", p, &coding.to_string(), "--unset"]);
    }
}

#[test]
fn a_coding_is_marked_seen_in_segments_unmarked_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.weft");
    let p = s(&path);
    demo_without_exemplars(p);
    let rows = segments(p);
    assert!(rows.iter().all(|r| r["exemplar"] == false), "none marked");
    let first = rows[0]["coding"].as_i64().unwrap();
    let guid = rows[1]["id"].as_str().unwrap().to_uppercase();
    let second = rows[1]["coding"].as_i64().unwrap();

    let out = ok(&["code", "exemplar", p, &first.to_string()]);
    assert_eq!(out, format!("coding {first} is marked as an exemplar\n"));
    assert_eq!(marked(p), [first]);
    // By GUID (any letter case, braces or not) too.
    ok(&["code", "exemplar", p, &format!("{{{guid}}}")]);
    assert_eq!(marked(p), [first, second]);
    // Marking again changes nothing and leaves no undo step.
    let again = ok(&["code", "exemplar", p, &first.to_string()]);
    assert!(again.contains("already"), "{again}");
    // CSV: the last column.
    let csv = ok(&["segments", p, "--no-meta"]);
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",id,exemplar"), "{header}");
    assert_eq!(csv.lines().filter(|l| l.ends_with(",true")).count(), 2);

    let out = ok(&["code", "exemplar", p, &first.to_string(), "--unset"]);
    assert_eq!(out, format!("coding {first} is no longer an exemplar\n"));
    assert_eq!(marked(p), [second]);
    assert!(ok(&["undo", p]).contains("Unmark exemplar"));
    assert_eq!(marked(p), [first, second]);
    assert!(ok(&["undo", p]).contains("Mark exemplar"));
    assert_eq!(marked(p), [first]);
    assert!(ok(&["redo", p]).contains("Mark exemplar"));
    assert_eq!(marked(p), [first, second]);

    let err = fails(&["code", "exemplar", p, "999999"]);
    assert!(err.contains("there is no coding 999999"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn the_report_quotes_a_marked_coding_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.weft");
    let p = s(&path);
    demo_without_exemplars(p);
    // The shortest coding of the first theme that has several: never first on its own,
    // since quotes go longest first.
    let codes: serde_json::Value =
        serde_json::from_str(&ok(&["code", "list", p, "--json"])).unwrap();
    let theme = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_owned())
        .find(|t| {
            !t.contains('/')
                && segments(p)
                    .iter()
                    .filter(|r| r["code"].as_str().unwrap().split('/').next() == Some(t))
                    .count()
                    >= 3
        })
        .expect("a theme with three codings");
    let rows = segments(p);
    let shortest = rows
        .iter()
        .filter(|r| r["code"].as_str().unwrap().split('/').next() == Some(theme.as_str()))
        .min_by_key(|r| r["end"].as_i64().unwrap() - r["start"].as_i64().unwrap())
        .unwrap();
    let text = shortest["text"].as_str().unwrap();
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let first_quote = |html: &str| -> String {
        let article = &html[html.find(&format!("<h3>{}</h3>", esc(&theme))).unwrap()..];
        let article = &article[..article.find("</article>").unwrap()];
        let fig = &article[article.find("<figure").expect("a quote")..];
        fig[..fig.find("</figure>").unwrap()].to_owned()
    };

    let out = dir.path().join("before.html");
    ok(&["report", p, "-o", s(&out)]);
    let before = first_quote(&std::fs::read_to_string(&out).unwrap());
    assert!(
        !before.contains(&format!("<blockquote>{}</blockquote>", esc(text))),
        "the shortest coding is not first unmarked: {before}"
    );
    assert!(!before.contains("exemplar"));

    ok(&["code", "exemplar", p, shortest["id"].as_str().unwrap()]);
    let out = dir.path().join("after.html");
    ok(&["report", p, "-o", s(&out)]);
    let after = first_quote(&std::fs::read_to_string(&out).unwrap());
    assert!(
        after.contains(&format!("<blockquote>{}</blockquote>", esc(text))),
        "{after}"
    );
    assert!(after.contains("exemplar"), "{after}");
}
