//! The central views (coded segments, frequencies, memos) driven headless with egui_kittest, by
//! role and label, over a small in-memory project.

// Helpers outside #[test] fns too: a failed setup should panic with its error.
#![allow(clippy::unwrap_used)]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use weft::actions::Action;
use weft::analysis::{Counts, FrequencyReport, ScopeFilter, frequencies};
use weft::model::{CaseId, CodeId, CodingId, DocId, MemoId, MemoTarget, Origin, Turn};
use weft::store::{NewDocument, Store};
use weft::ui::frequencies::FrequenciesView;
use weft::ui::memos::MemosView;
use weft::ui::scope_bar::{fmt_count, fmt_percent};
use weft::ui::segments::SegmentsView;
use weft::ui::view::{Command, ProjectView, Tab};

const ALICE: &str = "Interviewer: How was the first week?\n\
P01: It was exhausting but I felt proud of the team. We laughed a lot at the café.\n\
Interviewer: Anything else?\n\
P01: The night shifts were hard, and the pay is poor.\n";

const BOB: &str = "Interviewer: Tell me more.\n\
P02: I was proud and exhausted at once. Honestly the pay is bad.\n";

/// Speaker turns of `Name: text` lines, in chars.
fn turns(text: &str) -> Vec<Turn> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let len = line.chars().count();
        if let Some((speaker, _)) = line.split_once(": ") {
            out.push(Turn {
                start: pos,
                body_start: pos + speaker.chars().count() + 2,
                end: pos + len,
                speaker: speaker.to_owned(),
                timestamp: None,
            });
        }
        pos += len;
    }
    out
}

/// The char range of the first `needle` in `text`.
fn span(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).expect("needle in text");
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

struct Project {
    store: Store,
    alice: DocId,
    bob: DocId,
    p02: CaseId,
    feelings: CodeId,
    pride: CodeId,
    pay: CodeId,
    /// The coding of "felt proud of the team" in Alice's interview.
    proud_coding: CodingId,
    memo: MemoId,
}

fn project() -> Project {
    let mut store = Store::in_memory().unwrap();
    let doc = |name: &str, text: &str| NewDocument {
        name: name.into(),
        text: text.into(),
        origin: Origin {
            file_name: format!("{name}.txt"),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            sha256: String::new(),
        },
        turns: turns(text),
        guid: None,
    };
    let ids = store
        .action("setup", |db| {
            let alice = db.add_document(&doc("Alice", ALICE))?;
            let bob = db.add_document(&doc("Bob", BOB))?;
            let p01 = db.ensure_case("P01")?;
            let p02 = db.ensure_case("P02")?;
            db.assign_case(p01, alice)?;
            db.assign_case(p02, bob)?;
            db.set_case_attr(p01, "role", "nurse")?;
            db.set_case_attr(p02, "role", "doctor")?;
            let me = db.ensure_coder("Ann")?;
            db.set_default_coder(me)?;
            let sam = db.ensure_coder("Sam")?;
            let (feelings, _) = db.ensure_code_path("Feelings", None, "")?;
            let (pride, _) = db.ensure_code_path("Feelings/Pride", None, "")?;
            let (fatigue, _) = db.ensure_code_path("Feelings/Fatigue", None, "")?;
            let (pay, _) = db.ensure_code_path("Work/Pay", None, "")?;
            let code = |d: DocId, text: &str, needle: &str, c: CodeId, who| {
                let (s, e) = span(text, needle);
                db.apply_code(d, c, who, s, e, "")
            };
            let proud_coding = code(alice, ALICE, "felt proud of the team", pride, me)?;
            db.set_coding_memo(proud_coding, "Pride in the team, not in oneself")?;
            code(alice, ALICE, "We laughed a lot at the café", pride, me)?;
            code(bob, BOB, "I was proud", pride, sam)?;
            code(alice, ALICE, "It was exhausting", fatigue, me)?;
            code(alice, ALICE, "The night shifts were hard", fatigue, me)?;
            code(bob, BOB, "exhausted at once", fatigue, me)?;
            code(alice, ALICE, "the pay is poor", pay, me)?;
            code(bob, BOB, "Honestly the pay is bad", pay, me)?;
            code(bob, BOB, "pay is bad", pay, sam)?;
            let memo = db.add_memo(
                MemoTarget::Project,
                "First thoughts",
                "Pride seems central.",
                Some(me),
            )?;
            db.add_memo(
                MemoTarget::Code(pay),
                "Pay",
                "Only two participants.",
                Some(me),
            )?;
            Ok((alice, bob, p02, feelings, pride, pay, proud_coding, memo))
        })
        .unwrap();
    let (alice, bob, p02, feelings, pride, pay, proud_coding, memo) = ids;
    Project {
        store,
        alice,
        bob,
        p02,
        feelings,
        pride,
        pay,
        proud_coding,
        memo,
    }
}

/// The text of a node: its label, or for a label widget its value.
fn label_of(node: &egui_kittest::Node<'_>) -> String {
    node.accesskit_node()
        .label()
        .filter(|l| !l.is_empty())
        .or_else(|| node.accesskit_node().value())
        .unwrap_or_default()
}

/// The labels on the same row as the label `name`, left to right (the name excluded).
fn row_cells(harness: &Harness<'_, impl Sized>, name: &str) -> Vec<String> {
    let name_node = harness.get_by_label(name);
    let y = name_node.rect().center().y;
    let x = name_node.rect().right();
    let mut cells: Vec<(f32, String)> = harness
        .query_all_by_role(Role::Label)
        .filter(|n| (n.rect().center().y - y).abs() < 4.0 && n.rect().left() >= x)
        .map(|n| (n.rect().left(), label_of(&n)))
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    cells.into_iter().map(|(_, s)| s).collect()
}

fn expected_cells(c: &Counts) -> Vec<String> {
    vec![
        fmt_count(c.segments),
        fmt_count(c.documents),
        fmt_count(c.cases),
        fmt_count(c.words),
        fmt_percent(c.coverage),
    ]
}

/// Code paths from top to bottom as the table shows them (in codebook order it shows names,
/// indented; sorted by a number, whole paths).
fn table_order(harness: &Harness<'_, impl Sized>, paths: &[&str]) -> Vec<String> {
    let mut rows: Vec<(f32, String)> = paths
        .iter()
        .map(|p| {
            let node = harness
                .query_by_label(p)
                .or_else(|| harness.query_by_label(p.rsplit('/').next().unwrap()))
                .unwrap_or_else(|| panic!("no row for {p}"));
            (node.rect().center().y, (*p).to_owned())
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, n)| n).collect()
}

struct FreqState {
    view: ProjectView,
    freq: FrequenciesView,
    out: Vec<Command>,
}

fn freq_harness(p: &Project) -> Harness<'_, FreqState> {
    let db = p.store.db();
    let state = FreqState {
        view: ProjectView::load(db, 1).unwrap(),
        freq: FrequenciesView::default(),
        out: Vec::new(),
    };
    let mut h = Harness::builder()
        .with_size([1100.0, 900.0])
        .build_ui_state(
            move |ui, s: &mut FreqState| s.freq.ui(ui, db, &s.view, &mut s.out),
            state,
        );
    h.run();
    h
}

fn check_table(h: &Harness<'_, FreqState>, report: &FrequencyReport, aggregate: bool) {
    for stats in &report.codes {
        let name = stats.path.rsplit('/').next().unwrap();
        let counts = if aggregate {
            &stats.aggregate
        } else {
            &stats.own
        };
        assert_eq!(
            row_cells(h, name),
            expected_cells(counts),
            "row of {}",
            stats.path
        );
    }
}

#[test]
fn frequencies_table_shows_the_analysis_numbers() {
    let p = project();
    let mut h = freq_harness(&p);
    let report = frequencies(p.store.db(), &ScopeFilter::default()).unwrap();
    assert_eq!(report.codes.len(), 5);
    check_table(&h, &report, true);
    let t = report.totals;
    h.get_by_label(&format!(
        "Scope: {} documents, {} cases, {} words, {} codings",
        t.documents,
        t.cases,
        fmt_count(t.words),
        t.segments
    ));

    // Own numbers.
    h.get_by_label("With sub-codes (aggregate)").click();
    h.run();
    check_table(&h, &report, false);

    // Filtered by case, through the combo.
    h.get_by_label("Case").click();
    h.run();
    h.get_by_label("P02").click();
    h.run();
    let filter = ScopeFilter {
        cases: Some(vec![p.p02]),
        ..ScopeFilter::default()
    };
    let filtered = frequencies(p.store.db(), &filter).unwrap();
    assert_ne!(filtered, report);
    check_table(&h, &filtered, false);
    assert_eq!(h.state().freq.filter(), filter);

    // Export asks the app with that filter and remembers the format.
    h.get_by_label("Markdown…").click();
    h.run();
    assert!(h.state().out.contains(&Command::ExportFrequencies(filter)));
    assert_eq!(
        h.state().freq.export_format,
        Some(weft::export::Format::Markdown)
    );

    // Clicking a code name selects it.
    h.get_by_label("Pay").click();
    h.run();
    assert!(h.state().out.contains(&Command::SelectCode(Some(p.pay))));
}

#[test]
fn attribute_filter_counts_what_the_analysis_counts() {
    let p = project();
    let mut h = freq_harness(&p);
    h.get_by_label("Attribute").click();
    h.run();
    h.get_by_label("role").click();
    h.run();
    h.get_by_label("Value").click();
    h.run();
    // Values present in the project, sorted.
    let doctor = h.get_by_label("doctor").rect().top();
    assert!(doctor < h.get_by_label("nurse").rect().top());
    h.get_by_label("nurse").click();
    h.run();
    let filter = ScopeFilter {
        attrs: vec![("role".into(), "nurse".into())],
        ..ScopeFilter::default()
    };
    assert_eq!(h.state().freq.filter(), filter);
    let report = frequencies(p.store.db(), &filter).unwrap();
    assert_eq!(report.totals.documents, 1);
    check_table(&h, &report, true);
}

#[test]
fn clicking_a_header_sorts_the_table() {
    let p = project();
    let mut h = freq_harness(&p);
    let names = [
        "Feelings",
        "Feelings/Pride",
        "Feelings/Fatigue",
        "Work",
        "Work/Pay",
    ];
    let codebook = table_order(&h, &names);
    assert_eq!(codebook, names);
    let report = frequencies(p.store.db(), &ScopeFilter::default()).unwrap();
    let words = |n: &str, agg: bool| {
        let c = report.codes.iter().find(|c| c.path == n).unwrap();
        if agg { c.aggregate.words } else { c.own.words }
    };

    // With sub-codes, the largest first: parents lead.
    h.get_by_role_and_label(Role::Button, "Words").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Words, sorted descending");
    let desc = table_order(&h, &names);
    let values: Vec<usize> = desc.iter().map(|n| words(n, true)).collect();
    assert!(
        values.windows(2).all(|w| w[0] >= w[1]),
        "{desc:?} {values:?}"
    );
    assert_eq!(desc[0], "Feelings");

    // Own numbers: the parents have no codings of their own and drop to the end.
    h.get_by_label("With sub-codes (aggregate)").click();
    h.run();
    let own = table_order(&h, &names);
    assert_eq!(
        own,
        [
            "Feelings/Pride",
            "Feelings/Fatigue",
            "Work/Pay",
            "Feelings",
            "Work"
        ]
    );

    h.get_by_role_and_label(Role::Button, "Words, sorted descending")
        .click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Words, sorted ascending");
    let asc = table_order(&h, &names);
    let values: Vec<usize> = asc.iter().map(|n| words(n, false)).collect();
    assert!(
        values.windows(2).all(|w| w[0] <= w[1]),
        "{asc:?} {values:?}"
    );
    assert_ne!(asc, own);

    // The code column sorts by path, A first.
    h.get_by_role_and_label(Role::Button, "Code").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Code, sorted ascending");
    assert_eq!(
        table_order(&h, &names),
        [
            "Feelings",
            "Feelings/Fatigue",
            "Feelings/Pride",
            "Work",
            "Work/Pay"
        ]
    );

    h.get_by_label("Codebook order").click();
    h.run();
    assert_eq!(table_order(&h, &names), codebook);
}

struct SegState {
    view: ProjectView,
    seg: SegmentsView,
    code: Option<CodeId>,
    out: Vec<Command>,
}

fn seg_harness(p: &Project, code: Option<CodeId>) -> Harness<'_, SegState> {
    let db = p.store.db();
    let state = SegState {
        view: ProjectView::load(db, 1).unwrap(),
        seg: SegmentsView::default(),
        code,
        out: Vec::new(),
    };
    let mut h = Harness::builder()
        .with_size([900.0, 1000.0])
        .build_ui_state(
            move |ui, s: &mut SegState| s.seg.ui(ui, db, &s.view, s.code, &mut s.out),
            state,
        );
    h.run();
    h
}

#[test]
fn segments_view_lists_passages_and_jumps_to_them() {
    let p = project();
    let mut h = seg_harness(&p, Some(p.feelings));
    // Feelings has sub-codes, so they are included by default.
    h.get_by_label("6 passages in 2 documents from 2 cases");
    let (start, end) = span(ALICE, "felt proud of the team");
    let text = h
        .get_all_by_label_contains("felt proud of the team")
        .next()
        .unwrap();
    assert!(
        label_of(&text).contains("It was exhausting but I "),
        "context before"
    );
    let card_label = format!("Passage 2 of 6: Alice at {start}–{end}");
    let card = h.get_by_role_and_label(Role::Button, &card_label);
    h.get_by_label("Memo: Pride in the team, not in oneself");
    assert_eq!(
        h.get_all_by_label_contains("Alice · P01 · P01 · Ann")
            .count(),
        4
    );

    card.click();
    h.run();
    assert_eq!(
        h.state().out,
        vec![
            Command::JumpTo {
                doc: p.alice,
                coding: Some(p.proud_coding),
                start,
                end
            },
            Command::ShowTab(Tab::Transcript),
        ]
    );

    h.get_by_label("Include sub-codes").click();
    h.run();
    h.get_by_label("0 passages in 0 documents from 0 cases");
    h.get_by_label("No passages are coded with this code yet.");

    h.state_mut().code = Some(p.pride);
    h.run();
    h.get_by_label("3 passages in 2 documents from 2 cases");
    h.get_by_label("Export JSON…").click();
    h.run();
    assert!(h.state().out.contains(&Command::ExportSegments(
        Some(vec![p.pride]),
        ScopeFilter::default()
    )));

    // Coder filter through the combo: Sam coded one passage of Pride, in Bob's interview.
    h.get_by_label("Coder").click();
    h.run();
    h.get_by_label("Sam").click();
    h.run();
    h.get_by_label("1 passage in 1 document from 1 case");
    h.get_by_label_contains("Bob · P02 · P02 · Sam");
    let _ = p.bob;

    h.state_mut().code = None;
    h.run();
    h.get_by_label("Select a code in the codebook to see its passages.");
}

#[test]
fn segments_view_handles_thousands_of_passages() {
    let mut store = Store::in_memory().unwrap();
    let text: String = (0..3000)
        .map(|i| format!("P01: sentence number {i} is here.\n"))
        .collect();
    let code = store
        .action("setup", |db| {
            let doc = db.add_document(&NewDocument {
                name: "Long".into(),
                text: text.clone(),
                origin: Origin {
                    file_name: "long.txt".into(),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: String::new(),
                },
                turns: turns(&text),
                guid: None,
            })?;
            let me = db.default_coder_or_add()?;
            let (code, _) = db.ensure_code_path("Theme", None, "")?;
            for t in turns(&text) {
                db.apply_code(doc, code, me, t.body_start, t.end - 1, "")?;
            }
            Ok(code)
        })
        .unwrap();
    let db = store.db();
    let state = SegState {
        view: ProjectView::load(db, 1).unwrap(),
        seg: SegmentsView::default(),
        code: Some(code),
        out: Vec::new(),
    };
    let mut h = Harness::builder().with_size([900.0, 700.0]).build_ui_state(
        move |ui, s: &mut SegState| s.seg.ui(ui, db, &s.view, s.code, &mut s.out),
        state,
    );
    h.run();
    h.get_by_label("3,000 passages in 1 document from 0 cases");
    // Only the cards in view are drawn.
    let cards = h.query_all_by_label_contains("Passage ").count();
    assert!(cards > 3 && cards < 60, "{cards} cards drawn");
    assert!(
        h.query_by_label_contains("sentence number 2999 is here")
            .is_none()
    );
}

struct MemoState {
    view: ProjectView,
    memos: MemosView,
    out: Vec<Command>,
}

fn memo_harness(view: ProjectView) -> Harness<'static, MemoState> {
    let state = MemoState {
        view,
        memos: MemosView::default(),
        out: Vec::new(),
    };
    let mut h = Harness::builder()
        .with_size([1000.0, 700.0])
        .build_ui_state(
            |ui, s: &mut MemoState| s.memos.ui(ui, &s.view, &mut s.out),
            state,
        );
    h.run();
    h
}

#[test]
fn memos_view_saves_an_edit_and_deletes_with_confirmation() {
    let p = project();
    let mut h = memo_harness(ProjectView::load(p.store.db(), 1).unwrap());
    h.get_by_label("Select a memo to read and edit it.");
    // The code memo says what it is attached to.
    h.get_by_label_contains("Code: Work/Pay");

    h.get_by_label_contains("First thoughts").click();
    h.run();
    assert_eq!(
        h.get_by_label("Title").value().as_deref(),
        Some("First thoughts")
    );
    assert!(
        h.get_by_role_and_label(Role::Button, "Save")
            .accesskit_node()
            .is_disabled()
    );

    let body = h.get_by_label("Memo text");
    body.focus();
    h.run();
    h.get_by_label("Memo text").type_text(" Check with P02.");
    h.run();
    h.get_by_label("Unsaved changes");
    h.get_by_role_and_label(Role::Button, "Save").click();
    h.run();
    let edit = h.state().out.iter().find_map(|c| match c {
        Command::Edit(Action::EditMemo { memo, title, body }) => {
            Some((*memo, title.clone(), body.clone()))
        }
        _ => None,
    });
    let (memo, title, body) = edit.expect("an EditMemo");
    assert_eq!(memo, p.memo);
    assert_eq!(title, "First thoughts");
    assert!(
        body.contains("Pride seems central.") && body.contains("Check with P02."),
        "{body}"
    );

    h.state_mut().out.clear();
    h.get_by_label("Delete…").click();
    h.run();
    h.get_by_label("Delete this memo?");
    h.get_by_label("Delete memo").click();
    h.run();
    assert_eq!(
        h.state().out,
        vec![Command::Edit(Action::DeleteMemo(p.memo))]
    );
}

#[test]
fn a_new_journal_entry_is_selected_when_it_arrives() {
    let mut p = project();
    let mut h = memo_harness(ProjectView::load(p.store.db(), 1).unwrap());
    h.get_by_label("+ Journal entry").click();
    h.run();
    let action = match h.state().out.as_slice() {
        [
            Command::Edit(
                a @ Action::AddMemo {
                    target: MemoTarget::Project,
                    body,
                    ..
                },
            ),
        ] => {
            assert!(body.is_empty());
            a.clone()
        }
        other => panic!("{other:?}"),
    };
    let Action::AddMemo { title, coder, .. } = &action else {
        unreachable!()
    };
    assert!(title.starts_with("Journal 20"), "{title}");
    assert_eq!(*coder, h.state().view.coder);
    // What the app does: apply, reload with a new version.
    action.apply(&mut p.store).unwrap();
    h.state_mut().view = ProjectView::load(p.store.db(), 2).unwrap();
    h.run();
    assert_eq!(
        h.get_by_label("Title").value().as_deref(),
        Some(title.as_str())
    );
}

#[test]
fn memo_filter_narrows_the_list() {
    let p = project();
    let mut h = memo_harness(ProjectView::load(p.store.db(), 1).unwrap());
    h.get_by_label("Filter:").focus();
    h.run();
    h.get_by_label("Filter:").type_text("participants");
    h.run();
    h.get_by_label_contains("Code: Work/Pay");
    assert!(h.query_by_label_contains("First thoughts").is_none());
}
