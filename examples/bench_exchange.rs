//! Exchange benchmark (release build): exports the bench_core-sized corpus (1,000
//! transcripts, 10 million words, 200,000 codings; the same `.weft` that `bench_ui` builds
//! once and caches in the temp folder) as a REFI-QDA `.qdpx`, and prints one JSON line:
//! `export_s` (seconds), `peak_rss_mb` (VmHWM from `/proc/self/status`), the largest source and
//! the file written; then imports that file into a new project (`import_s`, and the peak
//! memory of the whole run).
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
    let export_peak = peak_rss_mb();
    let size = std::fs::metadata(&out).unwrap().len();
    if let Some(keep) = std::env::var_os("KEEP_QDPX") {
        std::fs::copy(&out, keep).unwrap();
    }
    drop(store);

    // Import that QDPX into a new project (parse, then one action).
    let t = Instant::now();
    let imported = weft::import::qdpx::read(&out, &mut |_, _| true).unwrap();
    let read_s = t.elapsed().as_secs_f64();
    let read_peak = peak_rss_mb();
    let target = dir.path().join("back.weft");
    let (session, _) = weft::session::Session::create_from_bundle(
        &target,
        "Import project",
        imported.bundle,
        &|| false,
    )
    .unwrap();
    let import_s = t.elapsed().as_secs_f64();
    let back = weft::model::ProjectRead::coding_spans(&session.read())
        .unwrap()
        .len();
    assert_eq!(back, summary.codings, "every coding came back");
    println!(
        "{{\"bench\": \"exchange\", \"documents\": {}, \"codings\": {}, \"export_s\": {:.2}, \"export_peak_rss_mb\": {:.0}, \"import_s\": {:.2}, \"import_read_s\": {:.2}, \"import_read_peak_rss_mb\": {:.0}, \"peak_rss_mb\": {:.0}, \"rss_before_export_mb\": {:.0}, \"largest_source_mb\": {:.2}, \"qdpx_mb\": {:.1}}}",
        summary.sources,
        summary.codings,
        export_s,
        export_peak,
        import_s,
        read_s,
        read_peak,
        peak_rss_mb(),
        rss_before,
        largest as f64 / 1e6,
        size as f64 / 1e6
    );
}
