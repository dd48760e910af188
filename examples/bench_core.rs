//! Core benchmark (release build): a synthetic corpus of 1,000 transcripts and 10 million
//! words, imported, coded with 200,000 codings over 40 codes, then reopened, counted and
//! exported. Prints one JSON line with the measured figures.
//!
//! `cargo run --release --example bench_core [-- --docs N --words-per-doc N --codings N]`
//! (`-- --docs 2 --words-per-doc 5000000 --codings 1000` checks memory on 32 MB files).
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark prints and may panic

use std::time::Instant;

use weft::analysis::{ScopeFilter, frequencies};
use weft::export;
use weft::store::Store;

const WORDS: &[&str] = &[
    "peer",
    "support",
    "worker",
    "I",
    "you",
    "we",
    "they",
    "it",
    "was",
    "is",
    "and",
    "but",
    "so",
    "like",
    "really",
    "know",
    "think",
    "felt",
    "feel",
    "because",
    "when",
    "the",
    "a",
    "to",
    "of",
    "in",
    "that",
    "with",
    "for",
    "on",
    "be",
    "have",
    "not",
    "just",
    "about",
    "someone",
    "been",
    "there",
    "mutual",
    "trust",
    "listen",
    "listened",
    "recovery",
    "hope",
    "ward",
    "team",
    "staff",
    "boundaries",
    "lived",
    "experience",
    "giving",
    "back",
    "helped",
    "help",
    "shared",
    "same",
    "café",
    "naïve",
    "rôle",
    "Zoë",
    "équipe",
    "understood",
    "relationship",
    "power",
    "equal",
    "month",
    "year",
    "week",
    "day",
    "nurse",
    "doctor",
    "service",
    "group",
    "story",
    "told",
    "honest",
    "difficult",
    "easy",
    "friend",
    "friendship",
    "professional",
    "supervision",
    "pay",
    "voice",
    "choice",
    "respect",
    "learned",
    "learning",
    "two-way",
    "both",
    "each",
    "other",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn transcript(rng: &mut Rng, words: usize, participant: usize) -> String {
    let mut out = String::with_capacity(words * 7);
    out.push_str(&format!("Interview with P{participant:04}, synthetic\n\n"));
    let mut written = 0;
    let mut interviewer = true;
    while written < words {
        let turn = if interviewer {
            8 + rng.below(20)
        } else {
            30 + rng.below(120)
        };
        out.push_str(if interviewer { "Interviewer: " } else { "" });
        if !interviewer {
            out.push_str(&format!("P{participant:04}: "));
        }
        for i in 0..turn {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(WORDS[rng.below(WORDS.len())]);
            if rng.below(12) == 0 {
                out.push('.');
            }
        }
        out.push_str(".\n\n");
        written += turn;
        interviewer = !interviewer;
    }
    out
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let docs = arg("--docs", 1000);
    let words_per_doc = arg("--words-per-doc", 10_000);
    let codings_total = arg("--codings", 200_000);
    let dir = tempfile::tempdir().unwrap();

    // The corpus, written one file at a time.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut files = Vec::with_capacity(docs);
    let mut total_bytes = 0usize;
    let mut largest = 0usize;
    for i in 0..docs {
        let text = transcript(&mut rng, words_per_doc, i + 1);
        total_bytes += text.len();
        largest = largest.max(text.len());
        let path = dir.path().join(format!("t{i:04}.txt"));
        std::fs::write(&path, text).unwrap();
        files.push(path);
    }
    let rss_before_import = peak_rss_mb();

    // Import.
    let project = dir.path().join("bench.weft");
    let mut session = weft::session::Session::create(&project).unwrap();
    let t = Instant::now();
    let report = session
        .import_files(&files, None, &mut |_, _| true)
        .unwrap();
    let mut store = session.into_store();
    let import_s = t.elapsed().as_secs_f64();
    assert_eq!(report.imported.len(), docs, "{:?}", report.failed.first());
    let peak_import_mb = peak_rss_mb();

    // 40 codes (4 themes with 9 sub-codes each) and the codings, untracked.
    let doc_meta = store.db().documents().unwrap();
    store
        .untracked(|db| {
            let mut codes = Vec::new();
            for theme in ["Role", "Relationship", "Mutuality", "Reciprocity"] {
                let (t, _) = db.ensure_code_path(theme, None, "")?;
                codes.push(t);
                for k in 0..9 {
                    codes.push(
                        db.ensure_code_path(&format!("{theme}/Sub {k}"), None, "")?
                            .0,
                    );
                }
            }
            let coder = db.default_coder_or_add()?;
            let mut rng = Rng(42);
            for i in 0..codings_total {
                let d = &doc_meta[i % doc_meta.len()];
                let len = 40 + rng.below(400);
                let start = rng.below(d.char_len.saturating_sub(len + 1).max(1));
                let code = codes[rng.below(codes.len())];
                db.apply_code(d.id, code, coder, start, (start + len).min(d.char_len), "")?;
            }
            Ok(())
        })
        .unwrap();
    store.checkpoint().unwrap();
    drop(store);

    // Open.
    let t = Instant::now();
    let store = Store::open(&project).unwrap();
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;

    // Frequencies (all codes, aggregate included): first and a second run.
    let t = Instant::now();
    let report = frequencies(store.db(), &ScopeFilter::default()).unwrap();
    let freq_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let _ = frequencies(store.db(), &ScopeFilter::default()).unwrap();
    let freq_warm_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(report.totals.segments, codings_total);

    // Coded segments, all rows, to a CSV file.
    let t = Instant::now();
    let rows = export::coded_segments(store.db(), None, &ScopeFilter::default()).unwrap();
    let csv = export::segments::to_csv(&rows).unwrap();
    export::write_atomic(&dir.path().join("segments.csv"), &csv).unwrap();
    let segments_s = t.elapsed().as_secs_f64();
    assert_eq!(rows.len(), codings_total);

    let mb = total_bytes as f64 / 1e6;
    println!(
        "{{\"bench\":\"core\",\"docs\":{docs},\"words\":{},\"corpus_mb\":{mb:.1},\"codings\":{codings_total},\
         \"import_s\":{import_s:.2},\"import_mb_per_s\":{:.1},\"open_ms\":{open_ms:.1},\
         \"frequencies_ms\":{freq_ms:.1},\"frequencies_warm_ms\":{freq_warm_ms:.1},\
         \"segments_export_s\":{segments_s:.2},\"peak_rss_import_mb\":{peak_import_mb:.0},\
         \"rss_before_import_mb\":{rss_before_import:.0},\"largest_file_mb\":{:.2},\
         \"memory_limit_mb\":{:.0}}}",
        docs * words_per_doc,
        mb / import_s,
        largest as f64 / 1e6,
        2.0 * largest as f64 / 1e6 + 100.0
    );
}
