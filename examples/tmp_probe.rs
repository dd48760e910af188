#![allow(clippy::print_stdout, clippy::unwrap_used)]
use weft::store::Store;
fn main() {
    let path = std::env::temp_dir().join("weft-bench-questions-v1.weft");
    let store = Store::open(&path).unwrap();
    let db = store.db();
    let code = db.require_code("Relationship").unwrap();
    for _ in 0..2 {
        let t = std::time::Instant::now();
        let r = weft::analysis::similar::similar(
            db,
            code,
            weft::analysis::similar::SimilarUnit::Sentence,
            20,
            "en",
        )
        .unwrap();
        println!(
            "total {:?} {} terms {}",
            t.elapsed(),
            r.passages.len(),
            r.terms.len()
        );
    }
}
