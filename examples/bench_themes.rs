//! Themes benchmark (release build), issue 10: a project with 500 codes, 40 themes (8 of them
//! sub-themes, each theme linked to 15-25 codes, so most codes support more than one theme)
//! and 200,000 codings over 500 documents of 4,000 words and 200 cases. Built once into a
//! `.weft` in the temp folder and reused.
//!
//! Measures: every theme's counts (`theme_counts`, the union of the linked codes' codings),
//! the level-2 coverage grids (themes × cases, themes × documents), and frames of the real
//! thematic map (`MapView::ui` inside a headless `egui::Context::run_ui`, tessellated, as a
//! real frame is). Prints one JSON line with the figures and the targets.
//!
//! `cargo run --release --example bench_themes`
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark prints and may panic

use std::time::Instant;

use egui::{Pos2, RawInput, Rect, vec2};
use weft::analysis::ScopeFilter;
use weft::analysis::themes::{GridAcross, coverage_grid, theme_counts};
use weft::model::{CodeId, Origin, ThemeId};
use weft::store::{NewDocument, Store};
use weft::ui::thematic_map::MapView;
use weft::ui::view::ProjectView;

#[path = "common/corpus.rs"]
mod corpus;
use corpus::{peak_rss_mb, transcript};

const DOCS: usize = 500;
const WORDS_PER_DOC: usize = 4_000;
const CASES: usize = 200;
const CODES: usize = 500;
const THEMES: usize = 40;
const SUB_THEMES: usize = 8;
const CODINGS: usize = 200_000;

/// The benchmark project, built once and cached in the temp folder.
fn themes_project() -> std::path::PathBuf {
    let cached = std::env::temp_dir().join("weft-bench-themes-v1.weft");
    if cached.exists() {
        // A cache from an older Weft: bring it to the current file format once.
        drop(Store::open(&cached).unwrap());
        return cached;
    }
    let building = cached.with_extension("building");
    let _ = std::fs::remove_file(&building);
    let mut store = Store::create(&building).unwrap();
    store
        .untracked(|db| {
            let mut seed = 7u64;
            let mut next = move |n: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % n as u64) as usize
            };
            let cases: Vec<_> = (0..CASES)
                .map(|i| db.add_case(&format!("C{:03}", i + 1)))
                .collect::<Result<_, _>>()?;
            let mut docs = Vec::new();
            for i in 0..DOCS {
                let (text, turns) = transcript(WORDS_PER_DOC);
                let char_len = text.chars().count();
                let id = db.add_document(&NewDocument {
                    name: format!("D{:04}", i + 1),
                    text,
                    origin: Origin {
                        file_name: format!("d{:04}.txt", i + 1),
                        format: "txt".into(),
                        encoding: "UTF-8".into(),
                        sha256: String::new(),
                    },
                    turns,
                    guid: None,
                })?;
                db.assign_case(cases[i % CASES], id)?;
                docs.push((id, char_len));
            }
            // 20 top-level codes with 24 sub-codes each: 500 codes.
            let mut codes: Vec<CodeId> = Vec::new();
            for t in 0..20 {
                codes.push(db.ensure_code_path(&format!("Area {t:02}"), None, "")?.0);
                for k in 0..24 {
                    let path = format!("Area {t:02}/Code {k:02}");
                    codes.push(db.ensure_code_path(&path, None, "")?.0);
                }
            }
            assert_eq!(codes.len(), CODES);
            let coder = db.default_coder_or_add()?;
            for i in 0..CODINGS {
                let (doc, char_len) = docs[i % docs.len()];
                let len = 40 + next(400);
                let start = next(char_len.saturating_sub(len + 1).max(1));
                let code = codes[next(codes.len())];
                db.apply_code(doc, code, coder, start, (start + len).min(char_len), "")?;
            }
            let mut themes: Vec<ThemeId> = Vec::new();
            for i in 0..THEMES {
                let parent = (i >= THEMES - SUB_THEMES).then(|| themes[i % 8]);
                let name = format!("Theme {i:02} says something about the data");
                let t = db.add_theme(&name, parent, None, None)?;
                for _ in 0..15 + next(11) {
                    db.link_code(t, codes[next(codes.len())])?;
                }
                themes.push(t);
            }
            Ok(())
        })
        .unwrap();
    store.checkpoint().unwrap();
    drop(store);
    std::fs::rename(&building, &cached).unwrap();
    cached
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

/// Runs `f` `n` times; the times in ms.
fn times(n: usize, mut f: impl FnMut()) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

fn main() {
    let t = Instant::now();
    let path = themes_project();
    let build_s = t.elapsed().as_secs_f64();
    let store = Store::open(&path).unwrap();
    let db = store.db();
    let themes = db.themes().unwrap();
    let links: usize = themes.iter().map(|t| t.codes.len()).sum();
    let codings = db.coding_counts().unwrap().values().sum::<usize>();
    let codes = db.code_tree().unwrap().codes.len();
    assert_eq!((codes, themes.len(), codings), (CODES, THEMES, CODINGS));

    let filter = ScopeFilter::default();
    let counts = times(5, || {
        let r = theme_counts(db, &filter, false).unwrap();
        assert_eq!(r.themes.len(), THEMES);
    });
    let grid_cases = times(5, || {
        coverage_grid(db, GridAcross::Cases).unwrap();
    });
    let grid_docs = times(5, || {
        coverage_grid(db, GridAcross::Documents).unwrap();
    });

    // The map: the view the app would hand it, then frames of the real widget.
    let t = Instant::now();
    let view = ProjectView::load(db, 1).unwrap();
    let view_load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let ctx = egui::Context::default();
    let mut map = MapView::default();
    let mut out = Vec::new();
    let mut frame = |i: usize| -> f64 {
        let raw = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1600.0, 1000.0))),
            time: Some(i as f64 / 60.0),
            ..RawInput::default()
        };
        let t = Instant::now();
        let mut full = ctx.run_ui(raw, |ui| map.ui(ui, db, &view, &mut out));
        full.textures_delta.clear();
        let _ = ctx.tessellate(full.shapes, full.pixels_per_point);
        t.elapsed().as_secs_f64() * 1000.0
    };
    let first_frame_ms = frame(0);
    let frames: Vec<f64> = (1..=60).map(&mut frame).collect();

    println!(
        "{{\"bench\":\"themes\",\"codes\":{codes},\"themes\":{},\"sub_themes\":{SUB_THEMES},\
\"links\":{links},\"codings\":{codings},\"documents\":{DOCS},\"cases\":{CASES},\
\"build_or_open_cache_s\":{build_s:.1},\
\"theme_counts_ms\":{{\"median\":{:.1},\"max\":{:.1},\"target\":300}},\
\"grid_cases_ms\":{{\"median\":{:.1},\"max\":{:.1},\"target\":500}},\
\"grid_documents_ms\":{{\"median\":{:.1},\"max\":{:.1},\"target\":500}},\
\"map_view_load_ms\":{view_load_ms:.1},\"map_first_frame_ms\":{first_frame_ms:.2},\
\"map_frame_ms\":{{\"median\":{:.2},\"max\":{:.2},\"target\":8}},\
\"peak_rss_mb\":{:.0}}}",
        themes.len(),
        median(counts.clone()),
        max(&counts),
        median(grid_cases.clone()),
        max(&grid_cases),
        median(grid_docs.clone()),
        max(&grid_docs),
        median(frames.clone()),
        max(&frames),
        peak_rss_mb(),
    );
}
