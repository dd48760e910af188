//! The whole desktop app driven headless with egui_kittest, by role and label: open the demo,
//! select text, code it (click, number key, quick-code box), undo and redo, delete a code
//! after confirming, and compare the frequencies view with the library.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use weft::analysis::{ScopeFilter, frequencies};
use weft::store::{CodingFilter, Store};
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

fn demo_app() -> Harness<'static, WeftApp> {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    let app = WeftApp::with_store(Some(store), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h
}

fn codings(h: &Harness<'_, WeftApp>) -> usize {
    h.state()
        .store()
        .unwrap()
        .db()
        .codings(&CodingFilter::default())
        .unwrap()
        .len()
}

/// Selects chars `[start, end)` of the open document as a drag would.
fn select(h: &mut Harness<'_, WeftApp>, start: usize, end: usize) {
    h.state_mut()
        .transcript
        .set_selection(Some(start..end), true);
    h.run_steps(2);
}

/// Drags with the mouse from the start of char `a` to the start of char `b`.
fn drag_select(h: &mut Harness<'_, WeftApp>, a: usize, b: usize) {
    use egui::{Event, PointerButton, Pos2};
    let at = |h: &Harness<'_, WeftApp>, c: usize| {
        let r = h
            .state()
            .transcript
            .char_screen_rect(c)
            .expect("char is on screen");
        Pos2::new(r.min.x + 0.2, r.center().y)
    };
    let (from, to) = (at(h, a), at(h, b));
    for (pos, pressed) in [
        (from, true),
        (from + (to - from) * 0.5, true),
        (to, true),
        (to, false),
    ] {
        h.event(Event::PointerMoved(pos));
        if pos == from || !pressed {
            h.event(Event::PointerButton {
                pos,
                button: PointerButton::Primary,
                pressed,
                modifiers: Modifiers::NONE,
            });
        }
        h.step();
    }
    h.run_steps(2);
}

#[test]
fn mouse_drag_across_turns_then_number_key() {
    let mut h = demo_app();
    let doc = h.state().current_document().unwrap();
    let turns = h.state().store().unwrap().db().turns(doc).unwrap();
    // From inside the first turn's body to inside the second turn's body.
    let (a, b) = (turns[0].body_start + 3, turns[1].body_start + 5);
    drag_select(&mut h, a, b);
    assert_eq!(h.state().transcript.selection(), Some(a..b));
    let before = codings(&h);
    h.key_press(Key::Num3);
    h.run_steps(2);
    assert_eq!(codings(&h), before + 1);
    let third = h.state().view.quick_codes()[2].unwrap();
    let db = h.state().store().unwrap().db();
    let c = db
        .codings(&CodingFilter {
            doc: Some(doc),
            codes: Some(vec![third]),
            ..Default::default()
        })
        .unwrap();
    assert!(
        c.iter().any(|c| (c.start, c.end) == (a, b)),
        "coded exactly the dragged range"
    );
}

#[test]
fn number_key_applies_the_first_codes() {
    let mut h = demo_app();
    let before = codings(&h);
    let doc = h.state().current_document().unwrap();
    select(&mut h, 10, 40);
    h.key_press(Key::Num2);
    h.run_steps(2);
    assert_eq!(codings(&h), before + 1);
    let second = h.state().view.quick_codes()[1].unwrap();
    let db = h.state().store().unwrap().db();
    let c = db
        .codings(&CodingFilter {
            doc: Some(doc),
            codes: Some(vec![second]),
            ..Default::default()
        })
        .unwrap();
    assert!(c.iter().any(|c| c.start == 10 && c.end == 40));
}

#[test]
fn undo_and_redo_from_keyboard_and_menu() {
    let mut h = demo_app();
    let before = codings(&h);
    select(&mut h, 5, 25);
    h.key_press(Key::Num1);
    h.run_steps(2);
    assert_eq!(codings(&h), before + 1);
    // The Edit menu says what will be undone.
    h.get_by_label("Edit").click();
    h.run_steps(2);
    let first = h.state().view.tree.codes[0].name.clone();
    h.get_by_label_contains(&format!("Undo Apply code “{first}”"))
        .click();
    h.run_steps(2);
    assert_eq!(codings(&h), before);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert_eq!(codings(&h), before + 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(codings(&h), before);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run_steps(2);
    assert_eq!(codings(&h), before + 1);
}

/// The quick-code box's text field (it has the keyboard focus when the box opens).
fn quick_box<'h>(h: &'h Harness<'_, WeftApp>) -> egui_kittest::Node<'h> {
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .find(|n| n.is_focused())
        .expect("the quick-code field has the focus")
}

#[test]
fn quick_code_box_creates_a_code() {
    let mut h = demo_app();
    select(&mut h, 50, 90);
    h.key_press(Key::Q);
    h.run_steps(2);
    h.get_by_label("Apply a code").hover();
    quick_box(&h).type_text("Stigma at work");
    h.run_steps(2);
    h.get_by_label_contains("Create “Stigma at work” and apply")
        .click();
    h.run_steps(2);
    let db = h.state().store().unwrap().db();
    let code = db
        .code_by_path("Stigma at work")
        .unwrap()
        .unwrap_or_else(|| {
            let names: Vec<String> = h
                .state()
                .view
                .tree
                .codes
                .iter()
                .map(|c| c.name.clone())
                .collect();
            panic!(
                "code not created; messages: {:?}; codes {names:?}",
                h.state().messages()
            )
        });
    let c = db
        .codings(&CodingFilter {
            codes: Some(vec![code]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!((c[0].start, c[0].end), (50, 90));
    // Typing part of an existing name and Enter applies the best match.
    select(&mut h, 100, 130);
    h.key_press(Key::Q);
    h.run_steps(2);
    quick_box(&h).type_text("stigma");
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(2);
    let db = h.state().store().unwrap().db();
    let c = db
        .codings(&CodingFilter {
            codes: Some(vec![code]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(c.len(), 2);
}

#[test]
fn in_vivo_names_the_code_after_the_words() {
    let mut h = demo_app();
    let doc = h.state().current_document().unwrap();
    let text = h.state().store().unwrap().db().document_text(doc).unwrap();
    // The first word of the transcript body after the first label.
    let turns = h.state().store().unwrap().db().turns(doc).unwrap();
    let s = turns[0].body_start;
    select(&mut h, s, s + 7);
    h.key_press_modifiers(Modifiers::COMMAND, Key::I);
    h.run_steps(2);
    let expected: String = text.chars().skip(s).take(7).collect();
    let name = weft::ui::app::in_vivo_name(&expected);
    assert!(
        h.state()
            .store()
            .unwrap()
            .db()
            .code_by_path(&name)
            .unwrap()
            .is_some(),
        "code “{name}”"
    );
}

/// The text of a node: its label, or for a label widget its value.
fn text_of(node: &egui_kittest::Node<'_>) -> String {
    node.accesskit_node()
        .label()
        .filter(|l| !l.is_empty())
        .or_else(|| node.accesskit_node().value())
        .unwrap_or_default()
}

/// For every label reading `name`, the labels to its right on the same row.
fn rows_of(h: &Harness<'_, WeftApp>, name: &str) -> Vec<Vec<String>> {
    let labels: Vec<_> = h.query_all_by_role(egui::accesskit::Role::Label).collect();
    labels
        .iter()
        .filter(|n| text_of(n) == name)
        .map(|n| {
            let (y, x) = (n.rect().center().y, n.rect().right());
            let mut cells: Vec<(f32, String)> = labels
                .iter()
                .filter(|m| (m.rect().center().y - y).abs() < 4.0 && m.rect().left() >= x)
                .map(|m| (m.rect().left(), text_of(m)))
                .collect();
            cells.sort_by(|a, b| a.0.total_cmp(&b.0));
            cells.into_iter().map(|(_, t)| t).collect()
        })
        .collect()
}

#[test]
fn frequencies_view_shows_the_library_numbers() {
    use weft::ui::scope_bar::{fmt_count, fmt_percent};
    let mut h = demo_app();
    h.get_by_label("Frequencies").click();
    h.run_steps(3);
    let report = frequencies(h.state().store().unwrap().db(), &ScopeFilter::default()).unwrap();
    let mut checked = 0;
    // The view opens with sub-codes aggregated, as the codebook shows them.
    for row in report
        .codes
        .iter()
        .filter(|r| r.aggregate.segments > 0)
        .take(8)
    {
        let name = row.path.rsplit('/').next().unwrap();
        let c = &row.aggregate;
        let expected = vec![
            fmt_count(c.segments),
            fmt_count(c.documents),
            fmt_count(c.cases),
            fmt_count(c.words),
            fmt_percent(c.coverage),
        ];
        let rows = rows_of(&h, name);
        assert!(
            rows.iter()
                .any(|cells| cells.len() >= 5 && cells[..5] == expected[..]),
            "{name}: expected {expected:?} in {rows:?}"
        );
        checked += 1;
    }
    assert!(checked >= 5);
}

#[test]
fn the_apply_button_applies_a_code_to_the_selection() {
    use egui::accesskit::Role;
    let mut h = demo_app();
    let doc = h.state().current_document().unwrap();
    select(&mut h, 200, 260);
    h.get_by_role_and_label(Role::Button, "Apply “Trust”")
        .click();
    h.run_steps(2);
    let db = h.state().store().unwrap().db();
    let trust = db.code_by_path("Relationship/Trust").unwrap().unwrap();
    let c = db
        .codings(&CodingFilter {
            doc: Some(doc),
            codes: Some(vec![trust]),
            ..Default::default()
        })
        .unwrap();
    assert!(c.iter().any(|c| (c.start, c.end) == (200, 260)));
    assert_eq!(h.state().selected_code(), Some(trust));
}

#[test]
fn deleting_a_code_asks_first_and_can_be_undone() {
    use egui::accesskit::Role;
    let mut h = demo_app();
    let (before_codes, before_codings) = {
        let db = h.state().store().unwrap().db();
        (db.codes().unwrap().len(), codings(&h))
    };
    let hope = h
        .state()
        .store()
        .unwrap()
        .db()
        .code_by_path("Relationship/Hope")
        .unwrap()
        .unwrap();
    let n = h.state().view.code_counts(hope).0.0;
    assert!(n > 0);
    h.get_by_role_and_label(Role::TreeItem, "Hope")
        .click_secondary();
    h.run_steps(2);
    h.get_by_label("Delete…").click();
    h.run_steps(2);
    let question = format!(
        "Delete “Hope”? {n} coding{} will be removed.",
        if n == 1 { "" } else { "s" }
    );
    h.get_by_label_contains(&question);
    assert_eq!(
        codings(&h),
        before_codings,
        "nothing happens before confirming"
    );
    h.get_by_role_and_label(Role::Button, "Delete").click();
    h.run_steps(2);
    assert_eq!(
        h.state().store().unwrap().db().codes().unwrap().len(),
        before_codes - 1
    );
    assert_eq!(codings(&h), before_codings - n);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(
        h.state().store().unwrap().db().codes().unwrap().len(),
        before_codes
    );
    assert_eq!(codings(&h), before_codings);
}

/// Runs frames until the background job is done (at most ~10 s).
fn wait_for_job(h: &mut Harness<'_, WeftApp>) {
    for _ in 0..1000 {
        h.run_steps(1);
        if !h.state().job_running() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the background job did not finish");
}

/// Replaces the text of the focused text field (the path prompt's, when it opens).
fn type_path(h: &mut Harness<'_, WeftApp>, path: &std::path::Path) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .find(|n| n.is_focused())
        .expect("the path field has the focus")
        .type_text(path.to_str().unwrap());
    h.run_steps(1);
}

#[test]
fn import_and_export_through_the_file_menu_with_a_typed_path() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    weft::demo::create(&project).unwrap();
    let transcript = dir.path().join("p13.txt");
    std::fs::write(
        &transcript,
        "Interviewer: Hello?\r\nP13: We both learned 😀.\r\n",
    )
    .unwrap();

    let mut app = WeftApp::with_store(Some(Store::open(&project).unwrap()), Settings::default());
    app.use_path_prompt();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);

    // File ▸ Import documents… asks for a path in the window.
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label_contains("Import documents…").click();
    h.run_steps(2);
    h.get_by_label_contains("No system file dialog");
    type_path(&mut h, &transcript);
    h.get_by_label("OK").click();
    wait_for_job(&mut h);
    h.run_steps(2);
    let docs = h.state().store().unwrap().db().documents().unwrap();
    assert!(
        docs.iter().any(|d| d.name == "p13"),
        "imported: {:?}",
        h.state().messages()
    );
    assert_eq!(
        h.state().view.undo_label.as_deref(),
        Some("Import “p13.txt”")
    );

    // Frequencies ▸ Markdown… writes the library's report to the typed file.
    h.get_by_label("Frequencies").click();
    h.run_steps(3);
    h.get_by_label("Markdown…").click();
    h.run_steps(2);
    let out = dir.path().join("freq.md");
    type_path(&mut h, &out);
    h.get_by_label("OK").click();
    wait_for_job(&mut h);
    let written = std::fs::read_to_string(&out).unwrap();
    let report = frequencies(h.state().store().unwrap().db(), &ScopeFilter::default()).unwrap();
    // The provenance header first (on by default), then the library's table.
    assert!(written.starts_with("## Frequencies — "), "{written}");
    assert!(written.contains("- **Filters:** none (the whole project)\n"));
    let table = weft::export::report::to_markdown(&report);
    let table = table.split_once("\n\n").unwrap().1;
    assert!(written.ends_with(table), "{written}");
}
