//! A bounded crash test: `kill -9` at random moments during imports and during a loop of
//! `code apply` processes. The project always opens and passes `PRAGMA integrity_check`, and
//! no acknowledged coding is lost. At least 20 kills, kept small so it runs in seconds.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn weft(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_weft"));
    c.args(args)
        .env("WEFT_CODER", "Tester")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small deterministic generator (no dependency needed).
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn kill_after(mut child: Child, ms: u64) -> bool {
    std::thread::sleep(Duration::from_millis(ms));
    let finished = matches!(child.try_wait(), Ok(Some(st)) if st.success());
    let _ = child.kill(); // SIGKILL on unix
    let _ = child.wait();
    finished
}

fn intact(project: &Path) -> weft::session::Session {
    weft::store::backup::check_file(project).unwrap_or_else(|e| panic!("damaged: {e}"));
    weft::session::Session::open(project).unwrap()
}

#[test]
fn kill_dash_nine_never_loses_an_acknowledged_coding() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.weft");
    let p = s(&project);
    assert!(weft(&["new", p]).status().unwrap().success());
    let text: String = (0..20_000)
        .map(|i| ["we ", "trust ", "each ", "other\n"][i % 4])
        .collect();
    let mut files = Vec::new();
    for i in 0..6 {
        let f = dir.path().join(format!("t{i}.txt"));
        std::fs::write(&f, format!("P{i:02}: {text}")).unwrap();
        files.push(f);
    }
    assert!(
        weft(&["code", "add", p, "Trust"])
            .status()
            .unwrap()
            .success()
    );
    let mut rng = Rng(7);
    let mut kills = 0;

    // Imports killed at random moments: each is all or nothing.
    for round in 0..10 {
        let mut args = vec!["import", p];
        args.extend(files.iter().map(|f| s(f)));
        let child = weft(&args).spawn().unwrap();
        let done = kill_after(child, 5 + rng.below(60));
        kills += 1;
        let session = intact(&project);
        let n = session.read().documents().unwrap().len();
        assert_eq!(
            n % files.len(),
            0,
            "round {round}: a half import ({n} documents)"
        );
        if done {
            assert!(n > 0);
        }
    }

    // A loop of `code apply` processes, one killed at random moments now and then.
    let doc = intact(&project)
        .read()
        .documents()
        .unwrap()
        .first()
        .map(|d| d.name.clone());
    let doc = match doc {
        Some(d) => d,
        None => {
            let mut args = vec!["import", p];
            args.push(s(&files[0]));
            assert!(weft(&args).status().unwrap().success());
            intact(&project).read().documents().unwrap()[0].name.clone()
        }
    };
    let mut acknowledged = Vec::new();
    for i in 0..24usize {
        let (start, end) = (i * 7, i * 7 + 5);
        let (a, b) = (start.to_string(), end.to_string());
        let args = [
            "code", "apply", p, "--doc", &doc, "--code", "Trust", "--start", &a, "--end", &b,
        ];
        if i % 2 == 0 {
            let child = weft(&args).spawn().unwrap();
            if kill_after(child, rng.below(40)) {
                acknowledged.push((start, end));
            }
            kills += 1;
        } else if weft(&args).status().unwrap().success() {
            acknowledged.push((start, end));
        }
    }
    let session = intact(&project);
    let d = session.read().require_document(&doc).unwrap();
    let have: Vec<(usize, usize)> = session
        .read()
        .codings(&weft::model::CodingFilter {
            doc: Some(d),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|c| (c.start, c.end))
        .collect();
    for a in &acknowledged {
        assert!(have.contains(a), "acknowledged coding {a:?} was lost");
    }
    assert!(kills >= 20, "{kills} kills");
}
