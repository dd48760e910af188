//! GUI benchmark (release build): the real app, headless, on a transcript of 100,000 words
//! with 2,000 codings. Drives `WeftApp` through `egui::Context::run_ui` (plus tessellation,
//! as a real frame does) and prints one JSON line: open + first frame, a scrolling frame
//! (median), applying a code until its highlight is drawn, a frame while resizing (median).
//!
//! Then the same on the bench_core-sized corpus (1,000 transcripts, 10 million words, 200,000
//! codings over 40 codes, built once into a `.weft` in the temp folder and copied for each
//! run): opening it and drawing the first frame, and applying a code to a selection until the
//! frame that draws it (median and p95 over 50 applications; the codebook recount runs in the
//! background and is not waited for).
//!
//! `cargo run --release --example bench_ui`
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark prints and may panic

use std::time::Instant;

use egui::{Event, MouseWheelSource, MouseWheelUnit, Pos2, RawInput, Rect, TouchPhase, vec2};
use weft::model::Origin;
use weft::store::{NewDocument, Store};
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

#[path = "common/corpus.rs"]
mod corpus;
use corpus::{big_project, transcript};

fn input(t: f64, size: (f32, f32), events: Vec<Event>) -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(size.0, size.1))),
        time: Some(t),
        events,
        ..RawInput::default()
    }
}

fn frame(ctx: &egui::Context, app: &mut WeftApp, raw: RawInput) -> f64 {
    let t = Instant::now();
    let mut out = ctx.run_ui(raw, |ui| app.ui_root(ui));
    out.textures_delta.clear();
    let _ = ctx.tessellate(out.shapes, out.pixels_per_point);
    t.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.weft");
    let (text, turns) = transcript(100_000);
    let char_len = text.chars().count();
    {
        let mut store = Store::create(&path).unwrap();
        store
            .untracked(|db| {
                let doc = db.add_document(&NewDocument {
                    name: "Long interview".into(),
                    text: text.clone(),
                    origin: Origin {
                        file_name: "long.txt".into(),
                        format: "txt".into(),
                        encoding: "UTF-8".into(),
                        sha256: String::new(),
                    },
                    turns,
                    guid: None,
                })?;
                let mut codes = Vec::new();
                for theme in ["Role", "Relationship", "Mutuality", "Reciprocity"] {
                    for k in 0..10 {
                        codes.push(
                            db.ensure_code_path(&format!("{theme}/Sub {k}"), None, "")?
                                .0,
                        );
                    }
                }
                let me = db.default_coder_or_add()?;
                for i in 0..2000 {
                    let start = (i * 7919) % (char_len - 500);
                    let len = 30 + (i * 31) % 400;
                    db.apply_code(doc, codes[i % codes.len()], me, start, start + len, "")?;
                }
                Ok(())
            })
            .unwrap();
    }

    let size = (1600.0, 1000.0);
    let ctx = egui::Context::default();
    let mut t = 0.0;

    // Open the project and draw the first frame.
    let start = Instant::now();
    let store = Store::open(&path).unwrap();
    let mut app = WeftApp::with_store(Some(store), Settings::default());
    frame(&ctx, &mut app, input(t, size, vec![]));
    let open_first_frame_ms = start.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..3 {
        t += 0.016;
        frame(&ctx, &mut app, input(t, size, vec![]));
    }

    // Scrolling over the transcript.
    let over = Pos2::new(size.0 / 2.0, size.1 / 2.0);
    let mut scroll = Vec::new();
    for _ in 0..120 {
        t += 0.016;
        let ev = vec![
            Event::PointerMoved(over),
            Event::MouseWheel {
                unit: MouseWheelUnit::Point,
                delta: vec2(0.0, -120.0),
                phase: TouchPhase::Move,
                source: MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            },
        ];
        scroll.push(frame(&ctx, &mut app, input(t, size, ev)));
    }

    // Apply a code to a selection and draw the frame that shows it.
    let mut apply = Vec::new();
    for i in 0..20 {
        let s = 1000 + i * 3000;
        app.transcript.set_selection(Some(s..s + 120), true);
        t += 0.016;
        frame(&ctx, &mut app, input(t, size, vec![]));
        let code = app.view.tree.codes[i % 8].id;
        let started = Instant::now();
        app.apply_to_selection(code);
        t += 0.016;
        frame(&ctx, &mut app, input(t, size, vec![]));
        apply.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    // Resizing the window, frame by frame.
    let mut resize = Vec::new();
    for i in 0..40 {
        t += 0.016;
        let w = 1600.0 - (i as f32) * 12.0;
        let ms = frame(&ctx, &mut app, input(t, (w, size.1), vec![]));
        if i > 0 {
            resize.push(ms);
        }
    }

    let big = big_corpus();

    println!(
        "{{\"bench\":\"ui\",\"words\":100000,\"chars\":{char_len},\"codings\":2000,\
         \"open_first_frame_ms\":{open_first_frame_ms:.1},\"scroll_frame_ms\":{:.2},\
         \"scroll_frame_max_ms\":{:.2},\"apply_code_ms\":{:.2},\"resize_frame_ms\":{:.2},\
         \"resize_frame_max_ms\":{:.2},\"big_docs\":1000,\"big_words\":{},\"big_codings\":200000,\
         \"big_open_first_frame_ms\":{:.1},\"big_apply_code_ms\":{:.2},\"big_apply_code_p95_ms\":{:.2},\
         \"big_apply_code_max_ms\":{:.2},\"big_recount_ms\":{:.0}}}",
        median(scroll.clone()),
        scroll.iter().copied().fold(0.0, f64::max),
        median(apply),
        median(resize.clone()),
        resize.iter().copied().fold(0.0, f64::max),
        big.words,
        big.open_first_frame_ms,
        median(big.apply.clone()),
        percentile(big.apply.clone(), 0.95),
        big.apply.iter().copied().fold(0.0, f64::max),
        big.recount_ms,
    );
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

struct Big {
    words: usize,
    open_first_frame_ms: f64,
    apply: Vec<f64>,
    recount_ms: f64,
}

fn big_corpus() -> Big {
    let cached = big_project();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.weft");
    std::fs::copy(&cached, &path).unwrap();
    let size = (1600.0, 1000.0);
    let ctx = egui::Context::default();
    let mut t = 0.0;

    // Open the project and draw the first frame, as File ▸ Open does.
    let start = Instant::now();
    let mut app = WeftApp::with_session(None, Settings::default());
    app.open_project(&path);
    assert!(app.session().is_some(), "the big project opens");
    frame(&ctx, &mut app, input(t, size, vec![]));
    let open_first_frame_ms = start.elapsed().as_secs_f64() * 1000.0;
    let words = app.view.documents.iter().map(|d| d.word_count).sum();
    // Let the first count arrive so the figures below are of steady work.
    let recount = Instant::now();
    while app.counting() {
        std::thread::sleep(std::time::Duration::from_millis(5));
        t += 0.016;
        frame(&ctx, &mut app, input(t, size, vec![]));
    }
    let recount_ms = recount.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..3 {
        t += 0.016;
        frame(&ctx, &mut app, input(t, size, vec![]));
    }

    // Apply a code to a selection and draw the frame that shows its highlight.
    let mut apply = Vec::new();
    for i in 0..50 {
        let s = 200 + i * 97;
        app.transcript.set_selection(Some(s..s + 60), true);
        t += 0.016;
        frame(&ctx, &mut app, input(t, size, vec![]));
        let code = app.view.tree.codes[i % app.view.tree.codes.len()].id;
        let started = Instant::now();
        app.apply_to_selection(code);
        t += 0.016;
        frame(&ctx, &mut app, input(t, size, vec![]));
        apply.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(
            app.transcript.selected_coding().is_some(),
            "the new coding is drawn and selected"
        );
    }
    Big {
        words,
        open_first_frame_ms,
        apply,
        recount_ms,
    }
}
