//! Analysis and export through the read interface, backed by a real (in-memory) store: the
//! frequency numbers of DESIGN.md "Counting" on a hand-built project, the coded segments
//! table, and the same report giving the same bytes from the CLI and from the GUI's export.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use weft::analysis::{CodeStats, FrequencyReport, ScopeFilter, frequencies};
use weft::export::{Format, coded_segments, segments};
use weft::model::{CodeId, NewDocument, Origin, Turn};
use weft::store::Store;

fn new_doc(name: &str, text: &str, turns: Vec<Turn>) -> NewDocument {
    NewDocument {
        name: name.into(),
        text: text.into(),
        origin: Origin {
            file_name: name.into(),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            sha256: String::new(),
        },
        turns,
        guid: None,
    }
}

fn turn(start: usize, body: usize, end: usize, who: &str) -> Turn {
    Turn {
        start,
        body_start: body,
        end,
        speaker: who.into(),
        timestamp: None,
    }
}

/// A: "one two three four five six" (P01), B: "alpha beta" (P02), C: a focus group
/// whose speakers A and B are P01 and P03.
fn hand_built() -> (Store, CodeId, CodeId) {
    let mut s = Store::in_memory().unwrap();
    let ids = s
        .action("Build", |db| {
            let me = db.default_coder_or_add()?;
            let other = db.ensure_coder("Second")?;
            let a = db.add_document(&new_doc("A", "one two three four five six", vec![]))?;
            let b = db.add_document(&new_doc("B", "alpha beta", vec![]))?;
            let c = db.add_document(&new_doc(
                "C",
                "A: hello there\nB: bye now",
                vec![turn(0, 3, 14, "A"), turn(15, 18, 25, "B")],
            ))?;
            let p1 = db.ensure_case("P01")?;
            let p2 = db.ensure_case("P02")?;
            let p3 = db.ensure_case("P03")?;
            db.assign_case(p1, a)?;
            db.assign_case(p2, b)?;
            db.map_speaker(c, "A", Some(p1))?;
            db.map_speaker(c, "B", Some(p3))?;
            db.set_case_attr(p1, "role", "peer support worker")?;
            db.set_case_attr(p2, "role", "person supported")?;
            db.set_case_attr(p3, "role", "person supported")?;
            let (sub, _) = db.ensure_code_path("Theme/Sub", None, "")?;
            let theme = db.require_code("Theme")?;
            db.apply_code(a, sub, me, 0, 7, "")?; // "one two"
            db.apply_code(a, sub, me, 4, 13, "")?; // "two three": overlaps
            db.apply_code(a, theme, me, 15, 17, "")?; // inside "four"
            db.apply_code(b, sub, other, 6, 10, "")?; // "beta"
            db.apply_code(c, sub, me, 3, 8, "")?; // "hello", said by P01
            db.apply_code(c, theme, me, 18, 21, "")?; // "bye", said by P03
            Ok((theme, sub))
        })
        .unwrap();
    (s, ids.0, ids.1)
}

fn row(r: &FrequencyReport, path: &str) -> CodeStats {
    r.codes.iter().find(|c| c.path == path).cloned().unwrap()
}

#[test]
fn overlapping_and_nested_codings() {
    let (s, _, _) = hand_built();
    let r = frequencies(s.db(), &ScopeFilter::default()).unwrap();
    assert_eq!(r.totals.chars, 27 + 10 + 25);
    assert_eq!(r.totals.documents, 3);
    assert_eq!(r.totals.cases, 3);
    assert_eq!(r.totals.segments, 6);
    let sub = row(&r, "Theme/Sub");
    // A: union [0,13) = 13 chars, 3 words; B: 4 chars, 1 word; C: 5 chars, 1 word.
    assert_eq!(sub.own.segments, 4);
    assert_eq!(sub.own.documents, 3);
    assert_eq!(sub.own.cases, 2, "P01 (A and C) and P02");
    assert_eq!(sub.own.chars, 22);
    assert_eq!(sub.own.words, 5);
    assert!((sub.own.coverage - 22.0 / 62.0).abs() < 1e-12);
    assert_eq!(sub.aggregate, sub.own, "a leaf aggregates only itself");
    let theme = row(&r, "Theme");
    assert_eq!(theme.own.segments, 2);
    assert_eq!(theme.own.chars, 5);
    assert_eq!(
        theme.own.cases, 2,
        "P01 via document A, P03 as a focus-group speaker"
    );
    // Aggregate is a union: A [0,13)+[15,17) = 15, B 4, C [3,8)+[18,21) = 8.
    assert_eq!(theme.aggregate.segments, 6);
    assert_eq!(theme.aggregate.chars, 27);
    assert_eq!(theme.aggregate.words, 4 + 1 + 2);
    assert_eq!(theme.aggregate.documents, 3);
    assert_eq!(theme.aggregate.cases, 3);
}

#[test]
fn focus_group_speakers_count_as_cases() {
    let (s, _, _) = hand_built();
    let p3 = s.db().require_case("P03").unwrap();
    let f = ScopeFilter {
        cases: Some(vec![p3]),
        ..Default::default()
    };
    let r = frequencies(s.db(), &f).unwrap();
    assert_eq!(r.totals.documents, 1);
    assert_eq!(r.totals.chars, 10, "only speaker B's turn of C is in scope");
    assert_eq!(r.totals.segments, 1);
    let theme = row(&r, "Theme");
    assert_eq!(theme.own.segments, 1);
    assert_eq!(theme.own.cases, 1);
    assert!((theme.own.coverage - 0.3).abs() < 1e-12);
    assert_eq!(row(&r, "Theme/Sub").own.segments, 0);
}

#[test]
fn a_case_filter_counts_only_the_selected_cases() {
    let (mut s, _, sub) = hand_built();
    let c = s.db().require_document("C").unwrap();
    let a = s.db().require_document("A").unwrap();
    s.action("More", |db| {
        let me = db.default_coder_or_add()?;
        let p3 = db.require_case("P03")?;
        db.assign_case(p3, a)?; // A now belongs to P01 and P03
        db.apply_code(c, sub, me, 5, 20, "") // spans speakers A (P01) and B (P03)
    })
    .unwrap();
    let p3 = s.db().require_case("P03").unwrap();
    let f = ScopeFilter {
        cases: Some(vec![p3]),
        ..Default::default()
    };
    let r = frequencies(s.db(), &f).unwrap();
    let sub = row(&r, "Theme/Sub");
    assert_eq!(sub.own.cases, 1, "only P03 is counted under a P03 filter");
    assert_eq!(sub.own.segments, 3, "A's two codings and the spanning one");
    // Only the part in P03's turn (15..20) counts, not the part P01 said.
    assert_eq!(sub.own.chars, 13 + 5);
    assert!(r.codes.iter().all(|c| c.aggregate.coverage <= 1.0));
}

#[test]
fn an_attribute_filter_counts_only_the_matching_cases() {
    let (mut s, _, sub) = hand_built();
    let b = s.db().require_document("B").unwrap();
    s.action("Share B", |db| {
        let p1 = db.require_case("P01")?;
        db.assign_case(p1, b) // B now belongs to P01 (peer) and P02 (person supported)
    })
    .unwrap();
    let _ = sub;
    let f = ScopeFilter {
        attrs: vec![("role".into(), "peer support worker".into())],
        ..Default::default()
    };
    let r = frequencies(s.db(), &f).unwrap();
    let sub = row(&r, "Theme/Sub");
    assert_eq!(sub.own.cases, 1, "only P01 is a peer support worker");
    assert_eq!(r.totals.cases, 1);
}

#[test]
fn filters_by_coder_attribute_and_document() {
    let (s, _, _) = hand_built();
    let second = s.db().coder_by_name("Second").unwrap().unwrap();
    let r = frequencies(
        s.db(),
        &ScopeFilter {
            coder: Some(second),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.totals.segments, 1);
    assert_eq!(
        r.totals.chars, 62,
        "a coder filter does not shrink the text in scope"
    );

    let f = ScopeFilter {
        attrs: vec![("role".into(), "Person Supported".into())],
        ..Default::default()
    };
    let r = frequencies(s.db(), &f).unwrap();
    assert_eq!(
        r.totals.chars,
        10 + 10,
        "B whole, and speaker B's turn of C"
    );
    assert_eq!(r.totals.cases, 2);
    assert_eq!(row(&r, "Theme").aggregate.segments, 2);

    let a = s.db().require_document("A").unwrap();
    let r = frequencies(
        s.db(),
        &ScopeFilter {
            docs: Some(vec![a]),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.totals.segments, 3);
    assert_eq!(row(&r, "Theme").aggregate.chars, 15);
}

#[test]
fn rows_carry_exact_text_speaker_and_case() {
    let mut s = Store::in_memory().unwrap();
    s.action("Build", |db| {
        let text = "Interviewer: And then?\nZoë: We were both 😀 — équipe.\n";
        let turns = vec![
            Turn {
                start: 0,
                body_start: 13,
                end: 22,
                speaker: "Interviewer".into(),
                timestamp: None,
            },
            Turn {
                start: 23,
                body_start: 28,
                end: 52,
                speaker: "Zoë".into(),
                timestamp: None,
            },
        ];
        let d = db.add_document(&NewDocument {
            name: "P01".into(),
            text: text.into(),
            origin: Origin {
                file_name: "p01.txt".into(),
                format: "txt".into(),
                encoding: "UTF-8".into(),
                sha256: String::new(),
            },
            turns,
            guid: None,
        })?;
        let p = db.ensure_case("P01")?;
        db.assign_case(p, d)?;
        let (code, _) = db.ensure_code_path("Mutuality/Shared experience", None, "")?;
        let me = db.default_coder_or_add()?;
        db.apply_code(d, code, me, 28, 51, "emoji and accent")?;
        Ok(())
    })
    .unwrap();
    let rows = coded_segments(s.db(), None, &ScopeFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r.text, "We were both 😀 — équipe");
    assert_eq!(r.speaker, "Zoë");
    assert_eq!(r.case, "P01");
    assert_eq!(r.code, "Mutuality/Shared experience");
    let csv = String::from_utf8(segments::to_csv(&rows).unwrap()).unwrap();
    assert!(csv.starts_with(
        "document,case,speaker,timestamp,code,start,end,text,coder,memo,created,coding,id,exemplar\n"
    ));
    assert!(csv.contains("We were both 😀 — équipe"));
    let json: serde_json::Value =
        serde_json::from_slice(&segments::to_json(&rows, None).unwrap()).unwrap();
    assert_eq!(json["segments"][0]["start"], 28);
}

/// The project's data copied into memory: analysis and export need nothing but the read
/// interface, so they give the same answers from vectors as from SQLite.
struct Memory {
    tree: weft::model::CodeTree,
    documents: Vec<weft::model::Document>,
    links: weft::model::CaseLinks,
    coders: Vec<weft::model::Coder>,
    codings: Vec<weft::model::Coding>,
    texts: std::collections::HashMap<weft::model::DocId, (String, Vec<Turn>)>,
    exemplars: std::collections::HashSet<weft::model::CodingId>,
}

impl Memory {
    fn copy(db: weft::store::Db<'_>) -> Self {
        let documents = db.documents().unwrap();
        let texts = documents
            .iter()
            .map(|d| {
                (
                    d.id,
                    (db.document_text(d.id).unwrap(), db.turns(d.id).unwrap()),
                )
            })
            .collect();
        Self {
            tree: db.code_tree().unwrap(),
            documents,
            links: db.case_links().unwrap(),
            coders: db.coders().unwrap(),
            codings: db.codings(&Default::default()).unwrap(),
            texts,
            exemplars: db.exemplars().unwrap(),
        }
    }

    fn text(&self, doc: weft::model::DocId) -> ReadResult<&(String, Vec<Turn>)> {
        self.texts
            .get(&doc)
            .ok_or_else(|| ReadError::msg(format!("there is no document #{doc}")))
    }
}

use weft::model::{ProjectRead, ReadError, ReadResult};

impl ProjectRead for Memory {
    fn code_tree(&self) -> ReadResult<weft::model::CodeTree> {
        Ok(self.tree.clone())
    }
    fn exemplars(&self) -> ReadResult<std::collections::HashSet<weft::model::CodingId>> {
        Ok(self.exemplars.clone())
    }
    fn documents(&self) -> ReadResult<Vec<weft::model::Document>> {
        Ok(self.documents.clone())
    }
    fn case_links(&self) -> ReadResult<weft::model::CaseLinks> {
        Ok(self.links.clone())
    }
    fn coders(&self) -> ReadResult<Vec<weft::model::Coder>> {
        Ok(self.coders.clone())
    }
    fn coding_spans(&self) -> ReadResult<Vec<weft::model::CodingSpan>> {
        Ok(self
            .codings
            .iter()
            .rev() // order must not matter
            .map(|c| weft::model::CodingSpan {
                id: c.id,
                doc: c.doc,
                code: c.code,
                coder: c.coder,
                start: c.start,
                end: c.end,
            })
            .collect())
    }
    fn codings(&self, f: &weft::model::CodingFilter) -> ReadResult<Vec<weft::model::Coding>> {
        Ok(self
            .codings
            .iter()
            .filter(|c| f.doc.is_none_or(|d| d == c.doc))
            .filter(|c| f.coder.is_none_or(|d| d == c.coder))
            .filter(|c| f.codes.as_ref().is_none_or(|v| v.contains(&c.code)))
            .cloned()
            .collect())
    }
    fn document_text(&self, doc: weft::model::DocId) -> ReadResult<String> {
        Ok(self.text(doc)?.0.clone())
    }
    fn turns(&self, doc: weft::model::DocId) -> ReadResult<Vec<Turn>> {
        Ok(self.text(doc)?.1.clone())
    }
    fn word_index(&self, doc: weft::model::DocId) -> ReadResult<weft::text::WordIndex> {
        Ok(weft::text::WordIndex::new(&self.text(doc)?.0))
    }
}

#[test]
fn analysis_and_export_need_only_the_read_interface() {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    let memory = Memory::copy(store.db());
    let first_case = store.db().cases().unwrap().first().map(|c| c.id);
    assert!(first_case.is_some(), "the demo has cases");
    for filter in [
        ScopeFilter::default(),
        ScopeFilter {
            cases: first_case.map(|c| vec![c]),
            ..Default::default()
        },
    ] {
        assert_eq!(
            frequencies(&memory, &filter).unwrap(),
            frequencies(store.db(), &filter).unwrap()
        );
        assert_eq!(
            coded_segments(&memory, None, &filter).unwrap(),
            coded_segments(store.db(), None, &filter).unwrap()
        );
    }
    // A read that fails is reported, not hidden.
    let mut broken = memory;
    broken.texts.clear();
    let err = coded_segments(&broken, None, &ScopeFilter::default()).unwrap_err();
    assert!(err.to_string().contains("there is no document"), "{err}");
}

/// Runs the GUI's export job to `out` and waits for it.
fn gui_export(job: Result<weft::ui::jobs::Job, String>) {
    let job = job.unwrap();
    for _ in 0..2000 {
        if let Some(result) = job.poll() {
            match result {
                weft::ui::jobs::JobResult::Export(r) => {
                    r.unwrap();
                    return;
                }
                other => panic!("unexpected job result {other:?}"),
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the export job did not finish");
}

fn cli(args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "weft {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The export's bytes with the moment it was made blanked out (the CLI and the GUI run a
/// moment apart): the `Exported` line of CSV and Markdown, the `exported` field of JSON.
fn without_time(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    text.lines()
        .filter(|l| !l.contains("Exported:") && !l.contains("\"exported\":"))
        .flat_map(|l| [l, "\n"])
        .collect::<String>()
        .into_bytes()
}

#[test]
fn the_cli_and_the_gui_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("demo.weft");
    drop(weft::demo::create(&project).unwrap());
    let p = project.to_str().unwrap();
    for meta in [true, false] {
        for format in [Format::Csv, Format::Json, Format::Markdown] {
            let ext = format.extension();
            let flag = if meta { None } else { Some("--no-meta") };
            let same = |a: &[u8], b: &[u8], what: &str| {
                assert!(a.len() > 100, "{what} as {ext}: a real report");
                if meta {
                    let (a, b) = (without_time(a), without_time(b));
                    assert!(
                        String::from_utf8_lossy(&a).contains("demo.weft"),
                        "{what} as {ext} names the project"
                    );
                    assert_eq!(a, b, "{what} as {ext}, with provenance");
                } else {
                    assert!(!String::from_utf8_lossy(a).contains("demo.weft"));
                    assert_eq!(a, b, "{what} as {ext}");
                }
            };
            let from_cli = dir.path().join(format!("cli-stats-{meta}.{ext}"));
            let args = [
                "stats",
                p,
                "--format",
                ext,
                "-o",
                from_cli.to_str().unwrap(),
            ];
            cli(&args.into_iter().chain(flag).collect::<Vec<_>>());
            let from_gui = dir.path().join(format!("gui-stats-{meta}.{ext}"));
            gui_export(weft::ui::jobs::Job::export_frequencies(
                project.clone(),
                ScopeFilter::default(),
                format,
                from_gui.clone(),
                meta,
                || {},
            ));
            let (a, b) = (
                std::fs::read(&from_cli).unwrap(),
                std::fs::read(&from_gui).unwrap(),
            );
            same(&a, &b, "frequencies");
            if format == Format::Json {
                assert!(a.ends_with(b"}\n") && !a.ends_with(b"\n\n"), "one newline");
            }

            let from_cli = dir.path().join(format!("cli-segments-{meta}.{ext}"));
            let args = [
                "segments",
                p,
                "--format",
                ext,
                "-o",
                from_cli.to_str().unwrap(),
            ];
            cli(&args.into_iter().chain(flag).collect::<Vec<_>>());
            let from_gui = dir.path().join(format!("gui-segments-{meta}.{ext}"));
            gui_export(weft::ui::jobs::Job::export_segments(
                project.clone(),
                None,
                ScopeFilter::default(),
                format,
                from_gui.clone(),
                meta,
                || {},
            ));
            let (a, b) = (
                std::fs::read(&from_cli).unwrap(),
                std::fs::read(&from_gui).unwrap(),
            );
            same(&a, &b, "coded segments");
        }
    }
}
