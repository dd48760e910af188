//! Small and large windows, driven headless with egui_kittest: at 800×600 the side panels give
//! way so the transcript keeps a readable line, and View (or Ctrl+[ / Ctrl+]) hides and shows
//! the side panels.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

fn app(w: f32, h: f32) -> Harness<'static, WeftApp> {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    let mut h = Harness::builder()
        .with_size(vec2(w, h))
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, app: &mut WeftApp| app.ui_root(ui),
            WeftApp::with_store(Some(store), Settings::default()),
        );
    h.run_steps(3);
    h
}

/// How many characters of the open transcript fit on one line of its text column, as the
/// transcript widget laid it out (its own font, its own speaker column and code margin).
fn chars_per_line(h: &Harness<'_, WeftApp>) -> f32 {
    h.state().transcript.chars_per_line().unwrap()
}

#[test]
fn at_800_by_600_the_transcript_keeps_a_readable_line() {
    let h = app(800.0, 600.0);
    assert!(h.state().current_document().is_some());
    let n = chars_per_line(&h);
    assert!(n >= 45.0, "only {n:.0} characters per line at 800×600");
}

#[test]
fn side_panels_hide_and_show_from_view_and_by_shortcut() {
    let mut h = app(800.0, 600.0);
    // A narrow window starts without the documents panel; Ctrl+[ shows and hides it.
    let before = chars_per_line(&h);
    assert!(h.query_by_label("+ Case").is_none());

    h.key_press_modifiers(Modifiers::COMMAND, Key::OpenBracket);
    h.run_steps(3);
    assert!(
        h.query_by_label("+ Case").is_some(),
        "documents panel shown"
    );
    assert!(chars_per_line(&h) < before);

    h.key_press_modifiers(Modifiers::COMMAND, Key::OpenBracket);
    h.run_steps(3);
    assert!(
        h.query_by_label("+ Case").is_none(),
        "documents panel hidden again"
    );

    h.get_by_label("View").click();
    h.run();
    h.get_by_label_contains("Hide codebook panel").click();
    h.run_steps(3);
    assert!(
        h.query_by_label("+ Code").is_none(),
        "codebook panel hidden"
    );
    h.get_by_label("View").click();
    h.run();
    h.get_by_label_contains("Show codebook panel").click();
    h.run_steps(3);
    assert!(h.query_by_label("+ Code").is_some(), "codebook panel back");
    h.get_by_label("View").click();
    h.run();
    h.get_by_label_contains("Hide codebook panel");
}

#[test]
fn the_inspector_fits_a_long_code_name_and_shows_its_buttons_at_1400_by_900() {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    let long = "A very long code name that a team wrote to say exactly what it means, \
                and then some more words so that it is much wider than any side panel";
    let doc = store.db().documents().unwrap()[0].id;
    let coding = store
        .action("Long code", |db| {
            let coder = db.default_coder_or_add()?;
            let (code, _) = db.ensure_code_path(long, None, "")?;
            db.apply_code(doc, code, coder, 0, 20, "")
        })
        .unwrap();
    let mut h = Harness::builder()
        .with_size(vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, app: &mut WeftApp| app.ui_root(ui),
            WeftApp::with_store(Some(store), Settings::default()),
        );
    h.run_steps(3);
    h.state_mut().transcript.set_selected_coding(Some(coding));
    h.run_steps(3);
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, vec2(1400.0, 900.0));
    let combo = h.get_by_label("Code of the selected coding").rect();
    assert!(combo.right() <= window.right(), "{combo:?}");
    for label in ["Set to selection", "Remove coding"] {
        let r = h.get_by_label(label).rect();
        assert!(window.contains_rect(r), "{label} at {r:?}");
    }
}
