//! The teaching portfolio (issue 10, item 7): one self-contained page with every section a
//! lecturer grades, nothing fetched, every name escaped.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, s};

#[test]
fn the_portfolio_has_every_section_escapes_names_and_fetches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.weft");
    ok(&["demo", s(&p), "--no-analysis"]);
    let hostile = "<script>alert('x')</script> & \"co\"";
    ok(&["theme", "add", s(&p), hostile]);
    ok(&[
        "theme",
        "link",
        s(&p),
        hostile,
        "Reciprocity/Giving back",
        "--note",
        "Why: <img src=x>",
    ]);
    ok(&[
        "theme",
        "define",
        s(&p),
        hostile,
        "--concept",
        "Concept <i>here</i>",
        "--boundaries",
        "Not <pay>",
    ]);
    ok(&[
        "code",
        "rename",
        s(&p),
        "Relationship/Hope",
        "Hope <u>and<u> refusal",
    ]);
    ok(&["memo", s(&p), "Journal <entry>", "Body & <stuff>"]);
    {
        let mut session = weft::session::Session::open(&p).unwrap();
        session
            .apply(&weft::actions::Action::Theme(
                weft::actions::ThemeAction::PhaseNote {
                    phase: 3,
                    title: "Candidate themes".into(),
                    body: "Two candidates so far.".into(),
                    coder: None,
                },
            ))
            .unwrap();
    }
    let out = dir.path().join("portfolio.html");
    ok(&["portfolio", s(&p), "-o", s(&out)]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for section in [
        "<section id=\"familiarisation\">\n<h2>Familiarisation notes</h2>",
        "<section id=\"codebook\">\n<h2>Codebook</h2>",
        "<section id=\"evolution\">\n<h2>How the themes evolved</h2>",
        "<section id=\"map\">\n<h2>Thematic map</h2>",
        "<section id=\"themes\">\n<h2>Themes</h2>",
        "<section id=\"journal\">\n<h2>Journal</h2>",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    assert!(html.contains("<svg"), "the map inline");
    // Escaped everywhere.
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("<img"));
    assert!(
        !html.contains("<u>and<u>") && !html.contains("<i>here</i>") && !html.contains("<pay>")
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
    assert!(html.contains("Hope &lt;u&gt;and&lt;u&gt; refusal"));
    assert!(
        html.contains("Why: &lt;img src=x&gt;"),
        "the journal note of the link"
    );
    assert!(html.contains("Journal &lt;entry&gt;"));
    // The theme's definition block and its extracts (none marked: says so, then others).
    assert!(html.contains("Concept &lt;i&gt;here&lt;/i&gt;"));
    assert!(html.contains("No exemplar chosen yet."));
    assert!(html.contains("Further extracts"));
    // Journal entries labelled by phase.
    assert!(
        html.contains("<span class=\"phase\">Phase 3, Constructing themes</span> Candidate themes"),
        "phase labels"
    );
    // Nothing is fetched: no http(s) in any src, href or url() (the SVG namespace is a name).
    for attr in ["src=", "href=", "url(", "@import"] {
        for (i, _) in html.match_indices(attr) {
            let rest: String = html[i..].chars().take(80).collect();
            assert!(
                !rest.contains("http") && !rest.contains("//"),
                "external reference: {rest}"
            );
        }
    }
    assert!(fails(&["portfolio", s(&p), "-o", s(&p)]).contains("cannot write the export there"));
}
