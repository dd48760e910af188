//! The `weft` binary (being assembled: CLI and GUI land next).
fn main() {}
