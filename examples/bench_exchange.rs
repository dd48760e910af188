//! Exchange benchmark (release build): exports the bench_core-sized corpus (1,000
//! transcripts, 10 million words, 200,000 codings; the same `.weft` that `bench_ui` builds
//! once and caches in the temp folder) as a REFI-QDA `.qdpx`, and prints one JSON line:
//! `export_s` (seconds), `peak_rss_mb` (VmHWM from `/proc/self/status`), the largest source and
//! the file written. (An `import_s` field belongs beside `export_s` once the QDPX import lands.)
//!
//! `cargo run --release --example bench_exchange`
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark prints and may panic

use std::time::Instant;

use weft::export::qdpx::{Offsets, QdpxOptions, write_qdpx};
use weft::model::ProjectRead;
use weft::store::Store;

#[path = "common/corpus.rs"]
mod corpus;
use corpus::{big_project, peak_rss_mb};

fn main() {
    let project = big_project();
    let store = Store::open_reader(&project).unwrap();
    let db = store.db();
    let docs = ProjectRead::documents(&db).unwrap();
    let largest = docs
        .iter()
        .map(|d| db.document_text(d.id).unwrap().len())
        .max()
        .unwrap_or(0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench.qdpx");
    let rss_before = peak_rss_mb();
    let t = Instant::now();
    let summary = weft::export::write_export_with(&out, Some(&project), |file| {
        write_qdpx(
            &db,
            file,
            &QdpxOptions {
                offsets: Offsets::Codepoints,
            },
            &mut |_, _| true,
        )
    })
    .unwrap();
    let export_s = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&out).unwrap().len();
    println!(
        "{{\"documents\": {}, \"codings\": {}, \"export_s\": {:.2}, \"peak_rss_mb\": {:.0}, \"rss_before_export_mb\": {:.0}, \"largest_source_mb\": {:.2}, \"qdpx_mb\": {:.1}}}",
        summary.sources,
        summary.codings,
        export_s,
        peak_rss_mb(),
        rss_before,
        largest as f64 / 1e6,
        size as f64 / 1e6
    );
}
