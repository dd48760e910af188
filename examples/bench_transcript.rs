//! Frame-time benchmark of the transcript view on a synthetic 100,000-word interview
//! (about 1,500 turns, some non-ASCII) with 2,000 highlights, driven headless through
//! `egui::Context::run_ui` (with tessellation) at 1200x900 with egui's default fonts.
//!
//! Run in release: `cargo run --release --example bench_transcript`. Prints one JSON line.
#![allow(clippy::print_stdout)] // The JSON line is the output.

use egui::{Event, MouseWheelUnit, Pos2, RawInput, Rect, vec2};
use std::sync::Arc;
use std::time::Instant;
use weft::model::{CodeId, CodingId, Color, DocId, Turn};
use weft::ui::transcript::{Highlight, TranscriptView};

/// A small deterministic random generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "the",
    "and",
    "I",
    "you",
    "it",
    "was",
    "that",
    "to",
    "of",
    "a",
    "in",
    "we",
    "they",
    "just",
    "really",
    "support",
    "people",
    "because",
    "think",
    "know",
    "feel",
    "mean",
    "group",
    "peer",
    "experience",
    "something",
    "important",
    "together",
    "understand",
    "recovery",
    "worker",
    "service",
    "listening",
    "sometimes",
    "difficult",
    "helped",
    "trust",
    "meeting",
    "week",
    "conversation",
    "afterwards",
    "honestly",
    "community",
    "relationship",
    "organisation",
    "café",
    "naïve",
    "Zoë",
    "über",
    "señora",
    "façade",
    "rôle",
    "déjà",
    "vu",
    "😀",
    "共同",
    "well",
    "so",
    "like",
    "yeah",
    "um",
    "not",
    "what",
    "about",
    "with",
    "there",
    "when",
];

const CODES: &[&str] = &[
    "Peer support",
    "Mutual aid and reciprocity",
    "Trust",
    "Stigma",
    "Lived experience as expertise",
    "Boundaries",
    "Recovery narratives",
    "Organisational barriers",
    "Emotional labour",
    "Belonging",
    "Hope",
    "Power",
];

fn synth(words: usize, turns: usize, rng: &mut Rng) -> (String, Vec<Turn>) {
    let mut text = String::new();
    let mut out = Vec::new();
    let per_turn = words / turns;
    let mut chars = 0usize;
    let push = |text: &mut String, chars: &mut usize, s: &str| {
        text.push_str(s);
        *chars += s.chars().count();
    };
    push(
        &mut text,
        &mut chars,
        "Interview 7, recorded at the community centre.\n\n",
    );
    for t in 0..turns {
        let start = chars;
        let speaker = if t % 2 == 0 {
            "Interviewer".to_owned()
        } else {
            format!("P{:02}", 1 + t % 7)
        };
        let secs = t * 37;
        let ts = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        push(&mut text, &mut chars, &format!("{speaker} ({ts}): "));
        let body_start = chars;
        let n = per_turn / 2 + rng.below(per_turn);
        let paragraphs = 1 + rng.below(3);
        let mut sentence_len = 0;
        for i in 0..n {
            let w = WORDS[rng.below(WORDS.len())];
            if sentence_len == 0 {
                let mut c = w.chars();
                let cap: String = c
                    .next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default();
                push(&mut text, &mut chars, &cap);
            } else {
                push(&mut text, &mut chars, w);
            }
            sentence_len += 1;
            if sentence_len > 6 + rng.below(14) || i + 1 == n {
                push(&mut text, &mut chars, ".");
                sentence_len = 0;
            } else if rng.below(12) == 0 {
                push(&mut text, &mut chars, ",");
            }
            if i + 1 < n {
                let para_break = paragraphs > 1
                    && i > 0
                    && i % (n / paragraphs).max(1) == 0
                    && sentence_len == 0;
                push(&mut text, &mut chars, if para_break { "\n" } else { " " });
            }
        }
        out.push(Turn {
            start,
            body_start,
            end: chars,
            speaker,
            timestamp: Some(ts),
        });
        push(&mut text, &mut chars, "\n\n");
    }
    (text, out)
}

fn highlights(n: usize, char_len: usize, rng: &mut Rng) -> Vec<Highlight> {
    (0..n)
        .map(|i| {
            let len = 20 + rng.below(600);
            let start = rng.below(char_len.saturating_sub(len));
            let code = rng.below(CODES.len());
            Highlight {
                coding: CodingId(i as i64),
                code: CodeId(code as i64),
                start,
                end: start + len,
                color: Color::palette(code),
                label: CODES[code].to_owned(),
            }
        })
        .collect()
}

struct Driver {
    ctx: egui::Context,
    time: f64,
    size: egui::Vec2,
}

impl Driver {
    fn frame(&mut self, view: &mut TranscriptView, events: Vec<Event>) -> f64 {
        self.time += 1.0 / 60.0;
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, self.size)),
            time: Some(self.time),
            predicted_dt: 1.0 / 60.0,
            events,
            ..Default::default()
        };
        let t0 = Instant::now();
        let mut out = self.ctx.run_ui(input, |ui| {
            view.ui(ui);
        });
        let prims = self
            .ctx
            .tessellate(std::mem::take(&mut out.shapes), out.pixels_per_point);
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        std::hint::black_box(prims);
        out.textures_delta.clear();
        ms
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn main() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (text, turns) = synth(100_000, 1_500, &mut rng);
    let char_len = text.chars().count();
    let words = text.split_whitespace().count();
    let text: Arc<str> = Arc::from(text);
    let hls = highlights(2_000, char_len, &mut rng);

    // Cold: a fresh context (font atlas built in this frame), document opened, first frame.
    let mut d = Driver {
        ctx: egui::Context::default(),
        time: 0.0,
        size: vec2(1200.0, 900.0),
    };
    let t0 = Instant::now();
    let mut view = TranscriptView::new();
    view.set_document(DocId(1), text.clone(), turns.clone());
    view.set_highlights(hls.clone());
    d.frame(&mut view, Vec::new());
    let cold_first_frame_ms = t0.elapsed().as_secs_f64() * 1000.0;

    // Warm: the app is running; the user opens the document.
    let mut d = Driver {
        ctx: egui::Context::default(),
        time: 0.0,
        size: vec2(1200.0, 900.0),
    };
    let mut view = TranscriptView::new();
    d.frame(&mut view, Vec::new());
    d.frame(&mut view, Vec::new());
    let t0 = Instant::now();
    view.set_document(DocId(1), text.clone(), turns.clone());
    view.set_highlights(hls.clone());
    d.frame(&mut view, Vec::new());
    let first_frame_ms = t0.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..3 {
        d.frame(&mut view, Vec::new());
    }

    // Scrolling: a wheel step every frame, over text never laid out before.
    let centre = Pos2::new(600.0, 450.0);
    let scroll_start = view.scroll_offset();
    let mut scroll = Vec::new();
    for _ in 0..100 {
        let events = vec![
            Event::PointerMoved(centre),
            Event::MouseWheel {
                unit: MouseWheelUnit::Point,
                delta: vec2(0.0, -240.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: egui::Modifiers::NONE,
            },
        ];
        scroll.push(d.frame(&mut view, events));
    }
    let scrolled_px = view.scroll_offset() - scroll_start;
    let scroll_frame_max_ms = scroll.iter().copied().fold(0.0, f64::max);
    let scroll_frame_ms = median(scroll);
    for _ in 0..10 {
        d.frame(&mut view, Vec::new());
    }

    // New highlights: one more coding, until drawn.
    let mut more = hls.clone();
    let mut extra = highlights(1, char_len, &mut rng);
    extra[0].coding = CodingId(1_000_000);
    more.extend(extra);
    let t0 = Instant::now();
    view.set_highlights(more);
    d.frame(&mut view, Vec::new());
    let highlight_update_ms = t0.elapsed().as_secs_f64() * 1000.0;

    // Resizing: the width changes every frame. From 1200 px down to 600 px, so the body
    // column (capped at about 90 characters) narrows and every visible block is laid out again.
    let mut resize = Vec::new();
    for i in 0..31 {
        d.size = vec2(1200.0 - 20.0 * i as f32, 900.0);
        let ms = d.frame(&mut view, Vec::new());
        if i > 0 {
            resize.push(ms);
        }
    }
    let resize_frame_max_ms = resize.iter().copied().fold(0.0, f64::max);
    let resize_frame_ms = median(resize);

    println!(
        "{{\"words\":{words},\"chars\":{char_len},\"turns\":{},\"highlights\":{},\
\"first_frame_ms\":{},\"cold_first_frame_ms\":{},\"scroll_frame_ms\":{},\"scroll_frame_max_ms\":{},\
\"scrolled_px\":{},\"highlight_update_ms\":{},\"resize_frame_ms\":{},\"resize_frame_max_ms\":{}}}",
        turns.len(),
        hls.len(),
        round2(first_frame_ms),
        round2(cold_first_frame_ms),
        round2(scroll_frame_ms),
        round2(scroll_frame_max_ms),
        scrolled_px.round(),
        round2(highlight_update_ms),
        round2(resize_frame_ms),
        round2(resize_frame_max_ms),
    );
}
