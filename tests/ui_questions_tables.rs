//! The Questions tab's crosstab and word-frequency views driven headless with egui_kittest
//! over the demo project: pick an attribute and see its values as column headings, narrow it
//! with the scope bar, click a cell and see its passages; list the words, click one and read
//! it in context.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;
use weft::ui::view::Tab;

fn questions(view: &str) -> Harness<'static, WeftApp> {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build_without_analysis(&mut store).unwrap();
    let app = WeftApp::with_store(Some(store), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h.get_by_label("Questions").click();
    h.run_steps(3);
    h.get_by_label(view).click();
    h.run_steps(3);
    h
}

#[test]
fn a_crosstab_shows_the_values_of_the_attribute_picked() {
    let mut h = questions("Crosstab");
    assert!(
        h.query_by_label("Pick an attribute: its values become the columns.")
            .is_some()
    );
    h.get_by_label("role").click();
    h.run_steps(3);
    h.get_by_label("peer support worker");
    h.get_by_label("person supported");
    h.get_by_label("(no value)");
    // The cell of a code under a value, then its passages below.
    let cell = h
        .query_by_label_contains("Role/Lived-experience disclosure × peer support worker")
        .expect("a cell per code and value");
    cell.click();
    h.run_steps(3);
    assert!(h.query_by_label_contains("Passage 1 of").is_some());
    // Another measure keeps the table.
    h.get_by_label("Coverage").click();
    h.run_steps(3);
    h.get_by_label("peer support worker");
}

/// The scope bar narrows a crosstab as it narrows Frequencies: with one case chosen, every
/// cell is that case's count.
#[test]
fn the_scope_bar_narrows_a_crosstab() {
    use weft::analysis::ScopeFilter;
    use weft::analysis::crosstab::{Measure, crosstab};
    let mut h = questions("Crosstab");
    h.get_by_label("role").click();
    h.run_steps(3);
    let (whole, scoped) = {
        let db = h.state().store().unwrap().db();
        let p01 = db.case_by_name("P01").unwrap().unwrap();
        let filter = ScopeFilter {
            cases: Some(vec![p01]),
            ..ScopeFilter::default()
        };
        (
            crosstab(db, "role", &ScopeFilter::default()).unwrap(),
            crosstab(db, "role", &filter).unwrap(),
        )
    };
    let labels = |t: &weft::analysis::crosstab::Crosstab| -> Vec<String> {
        let nums = t.table(Measure::Segments, None);
        t.rows
            .iter()
            .zip(&nums)
            .flat_map(|(r, cells)| {
                cells
                    .iter()
                    .enumerate()
                    .map(|(c, v)| format!("{} × {}: {v}", r.path, t.heading(c)))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (whole, scoped) = (labels(&whole), labels(&scoped));
    assert_ne!(whole, scoped, "the case changes some cell");
    for l in &whole {
        h.get_by_label(l);
    }
    h.get_by_label("Case").click();
    h.run_steps(2);
    // The case in the open list (the Cases panel names it too).
    h.query_all_by_label("P01")
        .last()
        .expect("the case list is open")
        .click();
    h.run_steps(3);
    for l in &scoped {
        h.get_by_label(l);
    }
}

#[test]
fn word_frequencies_list_words_and_show_them_in_context() {
    let mut h = questions("Word frequencies");
    let peer = h.get_by_label("peer");
    peer.click();
    h.run_steps(3);
    let first = h
        .query_by_label_contains("Occurrence 1 of")
        .expect("occurrences of the word");
    first.click();
    h.run_steps(3);
    // The click opened the transcript at the word.
    assert_eq!(h.state().tab, Tab::Transcript);
}
