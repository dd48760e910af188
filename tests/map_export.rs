//! The thematic map exported: the SVG is well-formed XML naming every theme and listing the
//! codes no theme links, the PNG is a real image, and `weft export --format map-svg|map-png`
//! writes both.
#![allow(clippy::unwrap_used)]

mod common;

use weft::actions::{Action, ThemeAction};
use weft::export::map_svg::{map_png, map_svg};
use weft::session::Session;

const THEMES: [&str; 3] = [
    "Trust has to be earned twice",
    "Giving back makes it worth it",
    "Us & them: <the> \"staff\" line",
];

fn project() -> Session {
    let mut store = weft::store::Store::in_memory().unwrap();
    weft::demo::build_without_analysis(&mut store).unwrap();
    let mut s = Session::new(store).unwrap();
    for name in THEMES {
        s.apply(&Action::Theme(ThemeAction::Add {
            name: name.into(),
            parent: None,
            concept: String::new(),
            definition: String::new(),
            color: None,
        }))
        .unwrap();
    }
    let db = s.read();
    let trust = db.code_by_path("Relationship/Trust").unwrap().unwrap();
    let first = db.theme_by_name(THEMES[0]).unwrap().unwrap();
    let third = db.theme_by_name(THEMES[2]).unwrap().unwrap();
    s.apply(&Action::Theme(ThemeAction::Link {
        theme: first,
        codes: vec![trust],
    }))
    .unwrap();
    s.apply(&Action::Theme(ThemeAction::Nest {
        theme: third,
        parent: Some(first),
    }))
    .unwrap();
    s
}

#[test]
fn svg_is_well_formed_and_names_every_theme() {
    let s = project();
    let svg = map_svg(s.read()).unwrap();
    let mut reader = quick_xml::Reader::from_str(&svg);
    let mut texts = String::new();
    let mut elements = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_) => {
                elements += 1
            }
            quick_xml::events::Event::Text(t) => {
                texts.push_str(&t.unescape().unwrap());
                texts.push('\n');
            }
            _ => {}
        }
    }
    assert!(elements > 20, "a real drawing: {elements} elements");
    for name in THEMES {
        // Labels are wrapped into lines: every word is there.
        for word in name.split_whitespace() {
            assert!(texts.contains(word), "{word} of {name} in the SVG");
        }
    }
    assert!(texts.contains("Not yet in a theme"));
    assert!(
        texts.contains("Relationship/Power"),
        "an unlinked code in the tray"
    );
    assert!(
        texts.contains("Candidate") && texts.contains("Final"),
        "the legend"
    );
}

#[test]
fn png_is_an_image() {
    let s = project();
    let png = map_png(s.read()).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 10_000, "{} bytes", png.len());
    // Width and height from the IHDR chunk.
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!(w > 800 && h > 400, "{w}×{h}");
}

#[test]
fn an_empty_project_still_draws() {
    let s = Session::in_memory().unwrap();
    let svg = map_svg(s.read()).unwrap();
    assert!(svg.contains("No themes yet."));
    assert!(map_png(s.read()).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn the_command_line_exports_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    let p = common::s(&p);
    common::ok(&["demo", p]);
    common::ok(&["theme", "add", p, THEMES[1]]);
    common::ok(&["theme", "link", p, THEMES[1], "Reciprocity/Giving back"]);
    let svg = dir.path().join("map.svg");
    let png = dir.path().join("map.png");
    common::ok(&["export", p, "--format", "map-svg", "-o", common::s(&svg)]);
    common::ok(&["export", p, "--format", "map-png", "-o", common::s(&png)]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.contains("Giving back"));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    // Never over the project.
    let err = common::fails(&["export", p, "--format", "map-svg", "-o", p]);
    assert!(err.contains("project"), "{err}");
}
