//! Helpers shared by the tests that run the real `weft` binary.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses some of them

use std::path::Path;
use std::process::{Command, Output};

/// Runs `weft ARGS` as coder "Tester" and returns what it did.
pub fn weft(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .env("WEFT_CODER", "Tester")
        .output()
        .expect("the weft binary runs")
}

/// Runs `weft ARGS`, which must succeed; returns its standard output.
pub fn ok(args: &[&str]) -> String {
    let out = weft(args);
    assert!(
        out.status.success(),
        "weft {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs `weft ARGS`, which must fail; returns its standard error.
pub fn fails(args: &[&str]) -> String {
    let out = weft(args);
    assert!(!out.status.success(), "weft {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A path as the `&str` an argument list wants.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
