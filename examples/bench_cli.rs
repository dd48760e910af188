//! Command-line benchmark (release build): `weft code apply --from` with 100,000 codings in
//! one process, against one `weft code apply` process per coding and against the library
//! call. Prints one JSON line.
//!
//! `cargo build --release && cargo run --release --example bench_cli [-- --codings N]`
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark prints and may panic

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use weft::actions::Action;
use weft::model::{Bundle, BundleCode, BundleDocument, CodingRow, NewDocument};
use weft::session::Session;

fn weft_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/release/examples/bench_cli -> target/release/weft
    let bin = exe.parent().unwrap().parent().unwrap().join("weft");
    assert!(
        bin.exists(),
        "build the binary first: cargo build --release ({})",
        bin.display()
    );
    bin
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let codings: usize = args
        .iter()
        .position(|a| a == "--codings")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let docs = 100;
    let words_per_doc = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("bench.weft");
    let text: String = (0..words_per_doc)
        .map(|i| ["peer", "support", "we", "trust", "giving", "back"][i % 6])
        .collect::<Vec<_>>()
        .join(" ");
    let char_len = text.chars().count();
    let mut session = Session::create(&project).unwrap();
    session
        .apply_untracked(&Action::AddContent {
            label: "setup".into(),
            bundle: Box::new(Bundle {
                documents: (0..docs)
                    .map(|i| BundleDocument {
                        doc: NewDocument {
                            name: format!("d{i:03}"),
                            text: text.clone(),
                            ..NewDocument::default()
                        },
                        ..BundleDocument::default()
                    })
                    .collect(),
                codes: (0..40)
                    .map(|i| BundleCode {
                        path: format!("Theme {}/Code {i}", i / 10),
                        ..BundleCode::default()
                    })
                    .collect(),
                ..Bundle::default()
            }),
        })
        .unwrap();
    let row = |i: usize| {
        let start = (i * 7919) % (char_len - 300);
        (
            format!("d{:03}", i % docs),
            format!("Theme {}/Code {}", (i % 40) / 10, i % 40),
            start,
            start + 20 + i % 250,
        )
    };
    let mut csv = String::from("doc,code,start,end,coder,memo\n");
    for i in 0..codings {
        let (d, c, s, e) = row(i);
        csv.push_str(&format!("{d},{c},{s},{e},,\n"));
    }
    let csv_path = dir.path().join("codings.csv");
    std::fs::write(&csv_path, csv).unwrap();
    drop(session);

    let bin = weft_binary();
    let t = Instant::now();
    let out = Command::new(&bin)
        .args(["code", "apply"])
        .arg(&project)
        .arg("--from")
        .arg(&csv_path)
        .output()
        .unwrap();
    let from_s = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // One process per coding (what scripts paid before --from), over a small sample.
    let sample = 20;
    let t = Instant::now();
    for i in 0..sample {
        let (d, c, s, e) = row(codings + i);
        let out = Command::new(&bin)
            .args(["code", "apply"])
            .arg(&project)
            .args([
                "--doc",
                &d,
                "--code",
                &c,
                "--start",
                &s.to_string(),
                "--end",
                &e.to_string(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let per_process_ms = t.elapsed().as_secs_f64() * 1000.0 / sample as f64;

    // The library call for one coding (one action, one transaction).
    let mut session = Session::open(&project).unwrap();
    let t = Instant::now();
    for i in 0..sample {
        let (doc, code, start, end) = row(codings + sample + i);
        session
            .apply(&Action::ApplyCodings(vec![CodingRow {
                line: 0,
                doc,
                code,
                start,
                end,
                coder: String::new(),
                memo: String::new(),
            }]))
            .unwrap();
    }
    let per_call_ms = t.elapsed().as_secs_f64() * 1000.0 / sample as f64;
    drop(session);
    println!(
        "{{\"bench\":\"cli\",\"codings\":{codings},\"apply_from_s\":{from_s:.2},\"apply_from_target_s\":5,\"one_per_process_ms\":{per_process_ms:.1},\"one_library_call_ms\":{per_call_ms:.2},\"process_over_call\":{:.0}}}",
        per_process_ms / per_call_ms
    );
}
