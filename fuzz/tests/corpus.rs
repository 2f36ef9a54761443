//! Replays every committed seed in `fuzz/corpus/<target>/` through the target's body and
//! oracle, with a stable toolchain and no libFuzzer:
//! `cargo test --manifest-path fuzz/Cargo.toml`.
//!
//! Inputs that still break an oracle (open findings) live in `fuzz/regressions/<target>/`;
//! they are replayed by the ignored `regressions` test (`-- --ignored`) until fixed, then
//! moved into the corpus.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Runs every file under `dir/<target>/`; returns how many ran and the failures.
fn replay(dir: &str) -> (usize, Vec<String>) {
    let mut ran = 0;
    let mut failures = Vec::new();
    for (name, target) in pkce_fuzz::TARGETS {
        let folder = root().join(dir).join(name);
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        files.sort();
        for file in files.iter().filter(|f| f.is_file()) {
            let data = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            ran += 1;
            if panic::catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
                failures.push(file.display().to_string());
            }
        }
    }
    (ran, failures)
}

#[test]
fn corpus() {
    for (name, _) in pkce_fuzz::TARGETS {
        let folder = root().join("corpus").join(name);
        let seeds = fs::read_dir(&folder).map_or(0, Iterator::count);
        assert!(seeds > 0, "no seeds in {}", folder.display());
    }
    let (ran, failures) = replay("corpus");
    eprintln!("replayed {ran} corpus inputs");
    assert!(
        failures.is_empty(),
        "oracle failures:\n{}",
        failures.join("\n")
    );
}

#[test]
#[ignore = "open findings: the inputs in fuzz/regressions/ still fail until crates/ are fixed"]
fn regressions() {
    let (ran, failures) = replay("regressions");
    eprintln!("replayed {ran} regression inputs");
    assert!(
        failures.is_empty(),
        "still failing:\n{}",
        failures.join("\n")
    );
}
