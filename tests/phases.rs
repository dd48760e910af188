//! Phase progress on a fixture project at each phase: every measure is read from the data
//! (documents, reading progress, memos, codings, definitions, themes, review marks, the grid
//! and report milestones, exemplars), never ticked by hand.
#![allow(clippy::unwrap_used)]

use weft::actions::{Action, ThemeAction};
use weft::analysis::phases::{Phase, current_phase, phases};
use weft::model::{
    Bundle, BundleCase, BundleCode, BundleCoder, BundleDocument, CharRange, CodeId, DocId,
    GRID_SEEN_SETTING, NewDocument, REPORT_EXPORTED_SETTING, ThemeId, Verdict,
};
use weft::session::Session;

const TEXTS: [&str; 3] = [
    "I wanted to give something back. It is how I heal, really.",
    "You have to earn trust twice here, once as a peer and once as staff.",
    "Nothing much to add, honestly.",
];

struct Fixture {
    s: Session,
    docs: Vec<DocId>,
    codes: Vec<CodeId>,
}

fn fixture() -> Fixture {
    let mut s = Session::in_memory().unwrap();
    let names = ["P1 interview", "P2 interview", "P3 interview"];
    s.apply(&Action::AddContent {
        label: "Import".into(),
        bundle: Box::new(Bundle {
            coders: vec![BundleCoder {
                name: "Ana".into(),
                ..Default::default()
            }],
            default_coder: Some("Ana".into()),
            cases: ["P1", "P2", "P3"]
                .iter()
                .map(|n| BundleCase {
                    name: (*n).into(),
                    ..Default::default()
                })
                .collect(),
            documents: names
                .iter()
                .zip(TEXTS)
                .zip(["P1", "P2", "P3"])
                .map(|((n, t), c)| BundleDocument {
                    doc: NewDocument {
                        name: (*n).into(),
                        text: t.into(),
                        ..NewDocument::default()
                    },
                    cases: vec![c.into()],
                    ..Default::default()
                })
                .collect(),
            codes: ["Giving back", "Trust", "Healing"]
                .iter()
                .map(|p| BundleCode {
                    path: (*p).into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
    })
    .unwrap();
    let db = s.read();
    let mut docs: Vec<(String, DocId)> = db
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| (d.name, d.id))
        .collect();
    docs.sort();
    let docs = docs.into_iter().map(|(_, d)| d).collect();
    let codes = ["Giving back", "Trust", "Healing"]
        .iter()
        .map(|p| db.code_by_path(p).unwrap().unwrap())
        .collect();
    Fixture { s, docs, codes }
}

/// `(done, of)` of each measure of phase `n`.
fn measures(s: &Session, n: u8) -> Vec<(usize, usize)> {
    phase(s, n)
        .measures
        .iter()
        .map(|m| (m.done, m.of))
        .collect()
}

fn phase(s: &Session, n: u8) -> Phase {
    phases(s.read())
        .unwrap()
        .into_iter()
        .find(|p| p.number == n)
        .unwrap()
}

fn current(s: &Session) -> u8 {
    current_phase(&phases(s.read()).unwrap())
}

fn code(f: &mut Fixture, doc: usize, code: usize, start: usize, end: usize) {
    let coder = f.s.coder().unwrap();
    f.s.apply(&Action::ApplyCode {
        doc: f.docs[doc],
        code: f.codes[code],
        coder,
        range: CharRange::new(start, end).unwrap(),
    })
    .unwrap();
}

fn add_theme(f: &mut Fixture, name: &str, codes: Vec<CodeId>) -> ThemeId {
    f.s.apply(&Action::Theme(ThemeAction::Add {
        name: name.into(),
        parent: None,
        concept: String::new(),
        definition: String::new(),
        color: None,
    }))
    .unwrap();
    let id = f.s.read().theme_by_name(name).unwrap().unwrap();
    f.s.apply(&Action::Theme(ThemeAction::Link { theme: id, codes }))
        .unwrap();
    id
}

/// Phase 1 only: documents imported, then read and noted.
#[test]
fn familiarisation_counts_documents_read_to_the_end_and_noted() {
    let mut f = fixture();
    assert_eq!(measures(&f.s, 1), vec![(0, 3), (0, 3)]);
    assert_eq!(current(&f.s), 1);
    assert_eq!(
        phase(&f.s, 1).measures[0].text,
        "0 of 3 documents read to the end"
    );
    // Opened but not read to the end: not counted.
    f.s.record_reading(f.docs[0], 10, false).unwrap();
    assert_eq!(measures(&f.s, 1)[0], (0, 3));
    f.s.record_reading(f.docs[0], 58, true).unwrap();
    f.s.record_reading(f.docs[1], 70, true).unwrap();
    // Reading further back later never undoes "finished".
    f.s.record_reading(f.docs[1], 5, false).unwrap();
    f.s.apply(&Action::SetDocumentMemo {
        doc: f.docs[0],
        memo: "Warm, a little guarded at first.".into(),
    })
    .unwrap();
    assert_eq!(measures(&f.s, 1), vec![(2, 3), (1, 3)]);
    // Nothing else has moved.
    assert_eq!(measures(&f.s, 2), vec![(0, 3), (0, 3)]);
    assert_eq!(measures(&f.s, 3), vec![(0, 2), (0, 3)]);
}

/// Through every phase to the write-up.
#[test]
fn each_phase_moves_with_the_data() {
    let mut f = fixture();
    for (d, text) in f.docs.clone().into_iter().zip(TEXTS) {
        f.s.record_reading(d, text.chars().count(), true).unwrap();
        f.s.apply(&Action::SetDocumentMemo {
            doc: d,
            memo: "First impressions.".into(),
        })
        .unwrap();
    }
    assert_eq!(measures(&f.s, 1), vec![(3, 3), (3, 3)]);
    assert_eq!(current(&f.s), 2, "familiarisation done: generating codes");

    // Phase 2: codings and definitions.
    code(&mut f, 0, 0, 0, 34); // Giving back, P1
    code(&mut f, 0, 2, 35, 58); // Healing, P1
    code(&mut f, 1, 1, 0, 30); // Trust, P2
    f.s.apply(&Action::DescribeCode {
        code: f.codes[0],
        description: "Wanting to return help once received.".into(),
    })
    .unwrap();
    assert_eq!(measures(&f.s, 2), vec![(2, 3), (1, 3)]);
    for (i, d) in [
        "Trust between peers and staff.",
        "Helping as a way of healing.",
    ]
    .iter()
    .enumerate()
    {
        f.s.apply(&Action::DescribeCode {
            code: f.codes[i + 1],
            description: (*d).into(),
        })
        .unwrap();
    }
    code(&mut f, 2, 1, 0, 7); // Trust, P3
    assert_eq!(measures(&f.s, 2), vec![(3, 3), (3, 3)]);
    assert_eq!(current(&f.s), 3);

    // Phase 3: one candidate theme is not yet a map; two are.
    let c = f.codes.clone();
    let giving = add_theme(&mut f, "Giving back heals", vec![c[0]]);
    assert_eq!(measures(&f.s, 3), vec![(1, 2), (1, 3)]);
    assert_eq!(
        phase(&f.s, 3).measures[0].text,
        "1 theme constructed (two or more make a map)"
    );
    let trust = add_theme(&mut f, "Trust", vec![c[1]]);
    f.s.apply(&Action::Theme(ThemeAction::Link {
        theme: giving,
        codes: vec![f.codes[2]],
    }))
    .unwrap();
    assert_eq!(measures(&f.s, 3), vec![(2, 2), (3, 3)]);
    assert_eq!(phase(&f.s, 3).measures[0].text, "2 themes constructed");
    assert_eq!(current(&f.s), 4);

    // Phase 4: level-1 marks on every extract of one theme, then the grid looked at.
    let extracts = weft::analysis::themes::theme_extracts(f.s.read(), giving).unwrap();
    assert_eq!(extracts.len(), 2);
    assert_eq!(measures(&f.s, 4), vec![(0, 2), (0, 1)]);
    f.s.apply(&Action::Theme(ThemeAction::Mark {
        theme: giving,
        coding: extracts[0].coding,
        verdict: Some(Verdict::Fits),
    }))
    .unwrap();
    assert_eq!(measures(&f.s, 4), vec![(0, 2), (0, 1)], "one of two marked");
    f.s.apply(&Action::Theme(ThemeAction::Mark {
        theme: giving,
        coding: extracts[1].coding,
        verdict: Some(Verdict::Misfit),
    }))
    .unwrap();
    assert_eq!(measures(&f.s, 4), vec![(1, 2), (0, 1)]);
    f.s.record_milestone(GRID_SEEN_SETTING).unwrap();
    assert_eq!(measures(&f.s, 4), vec![(1, 2), (1, 1)]);
    assert_eq!(
        phase(&f.s, 4).measures[1].text,
        "theme × case grid looked at: yes"
    );

    // Phase 5: concept and definition; a one-word name brings advice, never a block.
    assert_eq!(measures(&f.s, 5), vec![(0, 2), (1, 2)]);
    assert!(!phase(&f.s, 5).advice.is_empty(), "“Trust” is one word");
    for t in [giving, trust] {
        f.s.apply(&Action::Theme(ThemeAction::Define {
            theme: t,
            concept: Some("What the pattern is about.".into()),
            definition: Some("A paragraph.".into()),
            boundaries: None,
        }))
        .unwrap();
    }
    f.s.apply(&Action::Theme(ThemeAction::Rename {
        theme: trust,
        name: "Trust has to be earned twice".into(),
    }))
    .unwrap();
    assert_eq!(measures(&f.s, 5), vec![(2, 2), (2, 2)]);
    assert!(phase(&f.s, 5).advice.is_empty());

    // Phase 6: exemplars, the report, and a journal entry for the phase.
    assert_eq!(measures(&f.s, 6), vec![(0, 2), (0, 1)]);
    f.s.apply(&Action::MarkExemplar {
        coding: extracts[0].coding,
        exemplar: true,
    })
    .unwrap();
    assert_eq!(measures(&f.s, 6), vec![(1, 2), (0, 1)]);
    f.s.record_milestone(REPORT_EXPORTED_SETTING).unwrap();
    assert_eq!(measures(&f.s, 6), vec![(1, 2), (1, 1)]);
    let coder = f.s.coder();
    f.s.apply(&Action::Theme(ThemeAction::PhaseNote {
        phase: 6,
        title: "Choosing extracts".into(),
        body: "I picked the most vivid, not the most typical.".into(),
        coder,
    }))
    .unwrap();
    let p6 = phase(&f.s, 6);
    assert_eq!(p6.notes.len(), 1);
    assert_eq!(p6.notes[0].title, "Choosing extracts");
    assert!(phase(&f.s, 5).notes.is_empty());

    // A discarded theme no longer counts against the others.
    f.s.apply(&Action::Theme(ThemeAction::Status {
        theme: trust,
        status: weft::model::ThemeStatus::Discarded,
    }))
    .unwrap();
    assert_eq!(measures(&f.s, 4)[0], (1, 1));
    assert_eq!(measures(&f.s, 6)[0], (1, 1));
}

/// The level-2 grid on 500 codes, 40 themes and 200,000 codings (a tenth of the documents are
/// focus groups with speakers mapped to cases) within half a second; run with
/// `cargo test --release --test phases -- --ignored --nocapture`.
#[test]
#[ignore = "timing, run by hand in release"]
fn grid_speed() {
    use weft::analysis::themes::{GridAcross, coverage_grid, theme_extracts};
    use weft::model::BundleCoding;
    let mut s = Session::in_memory().unwrap();
    let para = "We met every week and it changed how I see the service and myself. ";
    let docs: Vec<BundleDocument> = (0..100)
        .map(|d| {
            let focus = d % 10 == 0;
            let mut text = String::new();
            for t in 0..60 {
                if focus {
                    text.push_str(&format!("S{}: ", t % 5));
                } else {
                    text.push_str(if t % 2 == 0 { "I: " } else { "P: " });
                }
                text.push_str(&para.repeat(5));
                text.push('\n');
            }
            BundleDocument {
                doc: NewDocument {
                    name: format!("D{d:03}"),
                    turns: weft::import::detect_turns(&text),
                    text,
                    ..NewDocument::default()
                },
                cases: if focus {
                    Vec::new()
                } else {
                    vec![format!("C{d:03}")]
                },
                speakers: if focus {
                    (0..5)
                        .map(|k| (format!("S{k}"), format!("C{:03}", d + k)))
                        .collect()
                } else {
                    Vec::new()
                },
                ..Default::default()
            }
        })
        .collect();
    let codes: Vec<BundleCode> = (0..500)
        .map(|c| BundleCode {
            path: format!("G{}/K{c}", c / 25),
            ..Default::default()
        })
        .collect();
    let mut codings = Vec::with_capacity(200_000);
    let mut x: u64 = 7;
    for i in 0..200_000usize {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let start = usize::try_from((x >> 33) % 20_000).unwrap();
        codings.push(BundleCoding {
            guid: None,
            document: format!("D{:03}", i % 100),
            code: format!("G{}/K{}", (i / 7 % 500) / 25, i / 7 % 500),
            coder: None,
            range: CharRange::new(start, start + 40).unwrap(),
            memo: String::new(),
            created_at: None,
            selection_guid: None,
        });
    }
    s.apply(&Action::AddContent {
        label: "Import".into(),
        bundle: Box::new(Bundle {
            documents: docs,
            codes,
            codings,
            ..Default::default()
        }),
    })
    .unwrap();
    let db = s.read();
    let mut themes = Vec::new();
    for t in 0..40 {
        themes.push(format!("Theme number {t}"));
    }
    let code_ids: Vec<CodeId> = db.code_tree().unwrap().codes.iter().map(|c| c.id).collect();
    for (t, name) in themes.iter().enumerate() {
        s.apply(&Action::Theme(ThemeAction::Add {
            name: name.clone(),
            parent: None,
            concept: String::new(),
            definition: String::new(),
            color: None,
        }))
        .unwrap();
        let id = s.read().theme_by_name(name).unwrap().unwrap();
        let codes = code_ids.iter().skip(t * 12).take(15).copied().collect();
        s.apply(&Action::Theme(ThemeAction::Link { theme: id, codes }))
            .unwrap();
    }
    let db = s.read();
    assert!(db.coding_spans().unwrap().len() >= 199_000);
    for across in [GridAcross::Cases, GridAcross::Documents] {
        let t0 = std::time::Instant::now();
        let g = coverage_grid(db, across).unwrap();
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        println!(
            "coverage_grid {across:?}: {ms:.0} ms ({} × {})",
            g.themes.len(),
            g.columns.len()
        );
        if !cfg!(debug_assertions) {
            assert!(ms <= 500.0, "{ms:.0} ms");
        }
    }
    let t0 = std::time::Instant::now();
    let p = phases(db).unwrap();
    println!(
        "phases: {:.0} ms ({} phases)",
        t0.elapsed().as_secs_f64() * 1000.0,
        p.len()
    );
    let first = db.theme_by_name("Theme number 0").unwrap().unwrap();
    let t0 = std::time::Instant::now();
    let x = theme_extracts(db, first).unwrap();
    println!(
        "theme_extracts: {:.0} ms ({} extracts)",
        t0.elapsed().as_secs_f64() * 1000.0,
        x.len()
    );
}
