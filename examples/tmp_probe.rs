#![allow(clippy::print_stdout, clippy::unwrap_used)]
use std::time::Instant;
#[path = "common/corpus.rs"]
mod corpus;
fn main() {
    let path = corpus::big_project();
    let c = rusqlite::Connection::open(&path).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM search_vocab WHERE term = 'trust'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        println!("count {} in {:?}", n, t.elapsed());
        let t = Instant::now();
        let n: i64 = c.query_row("SELECT count(*) FROM search_vocab WHERE term = 'giving' AND doc IN (SELECT rowid FROM search_fts WHERE search_fts MATCH '\"giving back\"')", [], |r| r.get(0)).unwrap();
        println!("restricted {} in {:?}", n, t.elapsed());
        let t = Instant::now();
        let n: i64 = c
            .query_row(
                "SELECT cnt FROM search_terms WHERE term = 'trust'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        println!("cnt {} in {:?}", n, t.elapsed());
    }
}
