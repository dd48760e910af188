//! The transcript view driven headless with egui_kittest: mouse and keyboard selection across
//! turns, clicking codings, copy, find, and documents that break naive code.

use egui::{Event, Key, Modifiers, PointerButton, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use std::ops::Range;
use std::sync::Arc;
use weft::model::{CodeId, CodingId, Color, DocId, Turn};
use weft::ui::transcript::{Highlight, TranscriptEvent, TranscriptView};

/// Two turns with an accent, emoji and CJK; "support" occurs once in each.
const TEXT: &str = "P01 (00:00:05): Héllo 😀 wörld, 共同 support.\n\
                    Interviewer: Te\u{301}a together? Yes 👍 more support.\n";

struct State {
    view: TranscriptView,
    events: Vec<TranscriptEvent>,
}

/// Char range of the `nth` occurrence of `needle` in `TEXT`.
fn find(needle: &str, nth: usize) -> Range<usize> {
    let (b, _) = TEXT.match_indices(needle).nth(nth).expect("in TEXT");
    let start = TEXT[..b].chars().count();
    start..start + needle.chars().count()
}

fn turns() -> Vec<Turn> {
    let second = find("Interviewer", 0).start;
    let end = TEXT.chars().count() - 1;
    vec![
        Turn {
            start: 0,
            body_start: find("Héllo", 0).start,
            end: second - 1,
            speaker: "P01".into(),
            timestamp: Some("00:00:05".into()),
        },
        Turn {
            start: second,
            body_start: find("Te\u{301}a", 0).start,
            end,
            speaker: "Interviewer".into(),
            timestamp: None,
        },
    ]
}

fn highlight(id: i64, r: Range<usize>, label: &str) -> Highlight {
    Highlight {
        coding: CodingId(id),
        code: CodeId(id),
        start: r.start,
        end: r.end,
        color: Color::palette(id as usize),
        label: label.into(),
    }
}

fn harness<'a>() -> Harness<'a, State> {
    let mut view = TranscriptView::new();
    view.set_document(DocId(1), Arc::from(TEXT), turns());
    view.set_highlights(vec![
        highlight(7, find("support", 0), "Peer support"),
        highlight(8, find("wörld, 共同 support", 0), "World"),
    ]);
    let mut h = Harness::builder()
        .with_size(vec2(900.0, 500.0))
        .with_step_dt(0.01)
        .allow_missing_glyphs() // The default fonts have no CJK.
        .build_ui_state(
            |ui, s: &mut State| {
                let ev = s.view.ui(ui);
                s.events.extend(ev);
            },
            State {
                view,
                events: Vec::new(),
            },
        );
    h.run();
    h
}

/// Screen point inside char `c`, `frac` of the way across it.
fn at(h: &Harness<'_, State>, c: usize, frac: f32) -> Pos2 {
    let r = h.state().view.char_screen_rect(c).expect("laid out");
    Pos2::new(r.min.x + r.width() * frac, r.center().y)
}

fn press(h: &mut Harness<'_, State>, pos: Pos2, pressed: bool, modifiers: Modifiers) {
    h.event(Event::ModifiersChanged(modifiers));
    h.event(Event::PointerMoved(pos));
    h.event(Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers,
    });
    h.step();
}

fn click(h: &mut Harness<'_, State>, pos: Pos2, modifiers: Modifiers) {
    press(h, pos, true, modifiers);
    press(h, pos, false, modifiers);
    h.event(Event::ModifiersChanged(Modifiers::NONE));
}

fn drag(h: &mut Harness<'_, State>, from: Pos2, to: Pos2) {
    press(h, from, true, Modifiers::NONE);
    let mid = from + (to - from) * 0.5;
    h.event(Event::PointerMoved(mid));
    h.step();
    h.event(Event::PointerMoved(to));
    h.step();
    press(h, to, false, Modifiers::NONE);
    h.run();
}

#[test]
fn drag_across_turns_selects_one_document_range() {
    let mut h = harness();
    let w = find("wörld", 0).start;
    let together = find("together", 0);
    // From the left half of 'w' to the right half of the last 'r' of "together".
    let (from, to) = (at(&h, w, 0.2), at(&h, together.end - 1, 0.8));
    drag(&mut h, from, to);
    assert_eq!(h.state().view.selection(), Some(w..together.end));
    assert_eq!(
        h.state().view.selected_text(),
        Some("wörld, 共同 support.\nInterviewer: Te\u{301}a together")
    );
    assert!(
        h.state()
            .events
            .contains(&TranscriptEvent::SelectionChanged(Some(w..together.end)))
    );

    // Shift+Right extends by one char, Shift+Left gives it back.
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    h.run();
    assert_eq!(h.state().view.selection(), Some(w..together.end + 1));
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowLeft);
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowLeft);
    h.run();
    assert_eq!(h.state().view.selection(), Some(w..together.end - 1));

    // Shift+click extends from the same anchor.
    let yes = find("Yes", 0);
    let p = at(&h, yes.end - 1, 0.9);
    click(&mut h, p, Modifiers::SHIFT);
    h.run();
    assert_eq!(h.state().view.selection(), Some(w..yes.end));

    // Ctrl+C copies exactly the selected chars.
    h.event(Event::Copy);
    h.step(); // The command is in this frame's output only.
    let copied = h.output().platform_output.commands.iter().any(|c| {
        matches!(c, egui::OutputCommand::CopyText(t) if t == "wörld, 共同 support.\nInterviewer: Te\u{301}a together? Yes")
    });
    assert!(copied, "{:?}", h.output().platform_output.commands);

    // Escape clears, Ctrl+A selects the document's bodies.
    h.key_press(Key::Escape);
    h.run();
    assert_eq!(h.state().view.selection(), None);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    let n = TEXT.chars().count();
    assert_eq!(
        h.state().view.selection(),
        Some(find("Héllo", 0).start..n - 1)
    );
}

#[test]
fn drag_starting_in_body_never_selects_the_label_first() {
    let mut h = harness();
    let body = find("Te\u{301}a", 0).start;
    // Drag backwards from inside the second body to its first char's left edge and beyond
    // into the label column: the selection stops at the body start.
    let from = at(&h, body + 5, 0.5);
    let to = at(&h, body, 0.1) - vec2(60.0, 0.0);
    drag(&mut h, from, to);
    assert_eq!(h.state().view.selection(), Some(body..body + 5));
}

#[test]
fn clicking_a_highlight_selects_its_coding() {
    let mut h = harness();
    let support = find("support", 0);
    let p = at(&h, support.start + 2, 0.5);
    click(&mut h, p, Modifiers::NONE);
    h.run();
    // The innermost coding wins; a second click cycles to the overlapping one.
    assert!(
        h.state()
            .events
            .contains(&TranscriptEvent::CodingClicked(CodingId(7)))
    );
    assert_eq!(h.state().view.selected_coding(), Some(CodingId(7)));
    h.run_steps(40); // Past the double-click window.
    let p = at(&h, support.start + 2, 0.5);
    click(&mut h, p, Modifiers::NONE);
    h.run();
    assert_eq!(h.state().view.selected_coding(), Some(CodingId(8)));
    // Plain text deselects.
    h.run_steps(40);
    let p = at(&h, find("Yes", 0).start, 0.5);
    click(&mut h, p, Modifiers::NONE);
    h.run();
    assert_eq!(h.state().view.selected_coding(), None);
    assert!(
        h.state()
            .events
            .contains(&TranscriptEvent::CodingDeselected)
    );
}

#[test]
fn double_click_selects_a_word() {
    let mut h = harness();
    let p = at(&h, find("together", 0).start + 3, 0.5);
    click(&mut h, p, Modifiers::NONE);
    click(&mut h, p, Modifiers::NONE);
    h.run();
    assert_eq!(h.state().view.selection(), Some(find("together", 0)));
}

#[test]
fn find_bar_selects_matches() {
    let mut h = harness();
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    assert!(h.state().view.find_open());
    h.event(Event::Text("SUPPORT".into()));
    h.run();
    assert_eq!(h.state().view.selection(), Some(find("support", 0)));
    assert!(h.query_by_label("1 of 2").is_some());
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().view.selection(), Some(find("support", 1)));
    assert!(h.query_by_label("2 of 2").is_some());
    h.key_press_modifiers(Modifiers::SHIFT, Key::Enter);
    h.run();
    assert_eq!(h.state().view.selection(), Some(find("support", 0)));
    h.key_press(Key::Escape);
    h.run();
    assert!(!h.state().view.find_open());
    assert_eq!(h.state().view.selection(), Some(find("support", 0)));
}

#[test]
fn accessible_as_a_labelled_document() {
    let mut h = harness();
    h.state_mut().view.set_selection(Some(3..9), false);
    h.run();
    let node = h.get_by_label("Transcript").accesskit_node();
    assert_eq!(node.role(), egui::Role::Document);
    assert_eq!(node.description().as_deref(), Some("Selection: chars 3..9"));
}

#[test]
fn odd_documents_do_not_panic() {
    for (text, turns) in [
        ("", Vec::new()),
        ("\n\n\n", Vec::new()),
        ("no turns at all\nsecond paragraph", Vec::new()),
        (
            "X:",
            vec![Turn {
                start: 0,
                body_start: 9,
                end: 50,
                speaker: "X".into(),
                timestamp: None,
            }],
        ),
    ] {
        let mut view = TranscriptView::new();
        view.set_document(DocId(2), Arc::from(text), turns);
        view.set_highlights(vec![
            highlight(1, 0..1000, "Everything"),
            Highlight {
                start: 5,
                end: 2,
                ..highlight(2, 0..1, "Reversed")
            },
        ]);
        view.set_selection(Some(3..10_000), true);
        let mut h = Harness::builder()
            .with_size(vec2(300.0, 200.0))
            .build_ui_state(
                |ui, v: &mut TranscriptView| {
                    v.ui(ui);
                },
                view,
            );
        h.run();
        h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowDown);
        h.key_press_modifiers(Modifiers::SHIFT, Key::End);
        h.key_press_modifiers(Modifiers::COMMAND, Key::A);
        h.run();
        h.set_size(vec2(1.0, 1.0));
        h.run();
        let n = text.chars().count();
        assert!(h.state().selection().is_none_or(|r| r.end <= n));
    }
}
