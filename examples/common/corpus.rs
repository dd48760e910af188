//! The bench_core-sized corpus the benchmarks share (1,000 transcripts, 10 million words,
//! 200,000 codings), built once and cached in the temp folder, and peak memory. Included by
//! the benchmarks with `#[path = "common/corpus.rs"] mod corpus;`.
#![allow(dead_code, clippy::unwrap_used)] // each benchmark uses some of it

use weft::model::{Origin, Turn};
use weft::store::{NewDocument, Store};

pub const WORDS: &[&str] = &[
    "peer",
    "support",
    "worker",
    "I",
    "you",
    "we",
    "they",
    "it",
    "was",
    "and",
    "but",
    "so",
    "like",
    "really",
    "know",
    "think",
    "felt",
    "because",
    "when",
    "the",
    "a",
    "to",
    "of",
    "in",
    "that",
    "with",
    "someone",
    "been",
    "there",
    "mutual",
    "trust",
    "listened",
    "recovery",
    "hope",
    "ward",
    "boundaries",
    "lived",
    "experience",
    "giving",
    "back",
    "helped",
    "café",
    "Zoë",
    "équipe",
    "relationship",
    "power",
    "equal",
    "honest",
    "difficult",
    "friendship",
    "professional",
];

pub fn transcript(words: usize) -> (String, Vec<Turn>) {
    let mut text = String::new();
    let mut turns = Vec::new();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut chars = 0usize;
    let mut written = 0;
    let mut speaker_p = false;
    while written < words {
        let n = if speaker_p {
            40 + next(90)
        } else {
            8 + next(20)
        };
        let label = if speaker_p { "P01: " } else { "Interviewer: " };
        let start = chars;
        text.push_str(label);
        chars += label.chars().count();
        let body_start = chars;
        for i in 0..n {
            if i > 0 {
                text.push(' ');
                chars += 1;
            }
            let w = WORDS[next(WORDS.len())];
            text.push_str(w);
            chars += w.chars().count();
        }
        text.push('.');
        chars += 1;
        let end = chars;
        text.push_str("\n\n");
        chars += 2;
        turns.push(Turn {
            start,
            body_start,
            end,
            speaker: if speaker_p { "P01" } else { "Interviewer" }.into(),
            timestamp: None,
        });
        written += n;
        speaker_p = !speaker_p;
    }
    (text, turns)
}

/// The bench_core-sized project, built once and cached where `bench_ui` caches it.
pub fn big_project() -> std::path::PathBuf {
    const DOCS: usize = 1000;
    const WORDS_PER_DOC: usize = 10_000;
    const CODINGS: usize = 200_000;
    let cached = std::env::temp_dir().join("weft-bench-ui-big-v1.weft");
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
            let mut docs = Vec::new();
            for i in 0..DOCS {
                // The same speech in every document is fine for timing; the names differ.
                let (text, turns) = transcript(WORDS_PER_DOC);
                let char_len = text.chars().count();
                let id = db.add_document(&NewDocument {
                    name: format!("P{:04}", i + 1),
                    text,
                    origin: Origin {
                        file_name: format!("p{:04}.txt", i + 1),
                        format: "txt".into(),
                        encoding: "UTF-8".into(),
                        sha256: String::new(),
                    },
                    turns,
                    guid: None,
                })?;
                docs.push((id, char_len));
            }
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
            let mut seed = 42u64;
            let mut next = move |n: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % n as u64) as usize
            };
            for i in 0..CODINGS {
                let (doc, char_len) = docs[i % docs.len()];
                let len = 40 + next(400);
                let start = next(char_len.saturating_sub(len + 1).max(1));
                let code = codes[next(codes.len())];
                db.apply_code(doc, code, coder, start, (start + len).min(char_len), "")?;
            }
            Ok(())
        })
        .unwrap();
    store.checkpoint().unwrap();
    drop(store);
    std::fs::rename(&building, &cached).unwrap();
    cached
}

/// Peak resident memory so far, in MB (Linux; 0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
