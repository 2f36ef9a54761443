//! `cargo xtask fuzz`: run the cargo-fuzz targets in `fuzz/`, or replay their committed
//! corpora.
//!
//! * `cargo xtask fuzz TARGET [--secs N]` fuzzes one target for N seconds (default 20).
//! * `cargo xtask fuzz --all [--secs N]` fuzzes every target (`cargo fuzz list`) in turn.
//! * `cargo xtask fuzz --replay [TARGET]` builds the targets and runs every committed seed
//!   in `fuzz/corpus/<target>/` once (`-runs=0`): what CI runs.
//! * Anything after `--` goes to libFuzzer as is (`-- -jobs=2`, `-- -seed=1`).
//!
//! cargo-fuzz and the nightly toolchain are installed when missing. New inputs go to the
//! scratch corpus `fuzz/target/corpus/<target>/` (git-ignored); the committed seeds are read
//! only. On a crash or oracle failure the artifact path is printed and the command fails,
//! after the remaining targets of `--all` have run. Each target ends with one summary line:
//! executions, coverage (`cov`, `ft`) and the outcome.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{Result, root};

/// Seconds per target when `--secs` is not given.
const DEFAULT_SECS: u64 = 20;
/// Longest a single input may run before libFuzzer reports it as a timeout.
const INPUT_TIMEOUT_SECS: u64 = 10;

const USAGE: &str = "\
usage: cargo xtask fuzz [TARGET] [--secs N] [--all] [--replay] [-- LIBFUZZER_ARGS...]
  TARGET     one of `cargo +nightly fuzz list` (run from fuzz/)
  --secs N   seconds per target (default 20)
  --all      every target in turn
  --replay   run the committed corpora once (-runs=0); all targets unless TARGET is given";

#[derive(Debug, Default)]
struct Options {
    target: Option<String>,
    secs: Option<u64>,
    all: bool,
    replay: bool,
    libfuzzer: Vec<String>,
}

/// What one target run reported.
#[derive(Debug, Default)]
struct Outcome {
    runs: Option<u64>,
    cov: Option<u64>,
    ft: Option<u64>,
    artifacts: Vec<String>,
    failed: bool,
}

/// Entry point: `args` are the words after `fuzz`.
pub(crate) fn run(args: &[String]) -> Result {
    let Some(opts) = parse(args)? else {
        eprintln!("{USAGE}");
        return Ok(());
    };
    ensure_cargo_fuzz()?;
    ensure_nightly()?;
    let known = list_targets()?;
    let targets = match (&opts.target, opts.all || opts.replay) {
        (Some(t), _) if !known.contains(t) => {
            return Err(format!(
                "unknown fuzz target `{t}`; known: {}",
                known.join(", ")
            ));
        }
        (Some(t), _) => vec![t.clone()],
        (None, true) => known,
        (None, false) => return Err(format!("name a target, or pass --all\n{USAGE}")),
    };
    // One build for all targets; each `fuzz run` below then finds it up to date.
    crate::run(nightly_fuzz().args(["build"]))?;

    let mut results = Vec::new();
    for target in &targets {
        let outcome = if opts.replay {
            replay(target, &opts.libfuzzer)?
        } else {
            fuzz(target, opts.secs.unwrap_or(DEFAULT_SECS), &opts.libfuzzer)?
        };
        results.push((target.as_str(), outcome));
    }

    eprintln!(
        "\nxtask fuzz: summary ({})",
        if opts.replay {
            "corpus replay"
        } else {
            "fuzzing"
        }
    );
    for (target, o) in &results {
        let num = |v: Option<u64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
        let verdict = if o.failed { "FAILED" } else { "ok" };
        eprintln!(
            "  {target:<20} runs: {:<10} cov: {:<6} ft: {:<7} {verdict}",
            num(o.runs),
            num(o.cov),
            num(o.ft)
        );
        for a in &o.artifacts {
            eprintln!("  {:<20} input: {a}", "");
        }
    }
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, o)| o.failed)
        .map(|(t, _)| *t)
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    eprintln!(
        "\nreproduce from fuzz/ with `cargo +nightly fuzz run TARGET INPUT`; keep the input \
         under fuzz/regressions/TARGET/ until it is fixed"
    );
    Err(format!("fuzz target(s) failed: {}", failed.join(", ")))
}

/// The options, or `None` when help was asked for.
fn parse(args: &[String]) -> Result<Option<Options>> {
    let mut opts = Options::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "--all" => opts.all = true,
            "--replay" => opts.replay = true,
            "--secs" => {
                let n = words.next().ok_or("--secs needs a number")?;
                let n = n
                    .parse()
                    .map_err(|_| format!("--secs: `{n}` is not a number"))?;
                opts.secs = Some(n);
            }
            "--" => opts.libfuzzer.extend(words.by_ref().cloned()),
            "-h" | "--help" | "help" => return Ok(None),
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`\n{USAGE}")),
            name if opts.target.is_none() => opts.target = Some(name.to_owned()),
            name => {
                return Err(format!(
                    "one target at a time (`{name}`), or --all\n{USAGE}"
                ));
            }
        }
    }
    if opts.all && opts.target.is_some() {
        return Err(format!("--all runs every target; do not name one\n{USAGE}"));
    }
    if opts.replay && opts.secs.is_some() {
        return Err("--replay runs each seed once; --secs does not apply".to_owned());
    }
    Ok(Some(opts))
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// `cargo +nightly fuzz …` from `fuzz/`, through rustup's `cargo` proxy (the `+toolchain`
/// syntax needs it), with the caller's toolchain pin and target dir removed so the fuzz
/// crate uses nightly and its own `fuzz/target`.
fn nightly_fuzz() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args(["+nightly", "fuzz"])
        .current_dir(fuzz_dir())
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO");
    cmd
}

fn ensure_cargo_fuzz() -> Result {
    let works = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        return Ok(());
    }
    eprintln!("xtask fuzz: cargo-fuzz not found, installing it");
    crate::run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))
}

fn ensure_nightly() -> Result {
    let out = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .map_err(|e| format!("rustup not found (fuzzing needs the nightly toolchain): {e}"))?;
    let listed = String::from_utf8_lossy(&out.stdout);
    if listed.lines().any(|l| l.starts_with("nightly")) {
        return Ok(());
    }
    eprintln!("xtask fuzz: no nightly toolchain, installing it");
    crate::run(Command::new("rustup").args([
        "toolchain",
        "install",
        "nightly",
        "--profile",
        "minimal",
    ]))
}

fn list_targets() -> Result<Vec<String>> {
    let out = nightly_fuzz()
        .arg("list")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run `cargo +nightly fuzz list`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo +nightly fuzz list` failed with {}",
            out.status
        ));
    }
    let targets: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if targets.is_empty() {
        return Err("`cargo +nightly fuzz list` found no targets".to_owned());
    }
    Ok(targets)
}

/// Fuzzes `target` for `secs` seconds from its scratch corpus and its committed seeds.
fn fuzz(target: &str, secs: u64, extra: &[String]) -> Result<Outcome> {
    let scratch = fuzz_dir().join("target").join("corpus").join(target);
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let seeds = seeds(target)?;
    let mut cmd = nightly_fuzz();
    // libFuzzer writes new inputs to the first corpus directory only.
    cmd.arg("run")
        .arg(target)
        .arg(&scratch)
        .arg(&seeds)
        .arg("--");
    cmd.arg(format!("-max_total_time={secs}"));
    cmd.arg(format!("-timeout={INPUT_TIMEOUT_SECS}"));
    let dict = fuzz_dir().join("dicts").join(format!("{target}.dict"));
    if dict.is_file() {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    cmd.args(extra);
    watch(target, &mut cmd)
}

/// Runs every committed seed of `target` once.
fn replay(target: &str, extra: &[String]) -> Result<Outcome> {
    let seeds = seeds(target)?;
    let mut cmd = nightly_fuzz();
    cmd.arg("run").arg(target).arg(&seeds).arg("--");
    cmd.args([
        "-runs=0".to_owned(),
        format!("-timeout={INPUT_TIMEOUT_SECS}"),
    ]);
    cmd.args(extra);
    watch(target, &mut cmd)
}

fn seeds(target: &str) -> Result<PathBuf> {
    let dir = fuzz_dir().join("corpus").join(target);
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!("no seed corpus at {}", dir.display()))
    }
}

/// Runs the command, echoing its stderr while reading libFuzzer's statistics from it.
fn watch(target: &str, cmd: &mut Command) -> Result<Outcome> {
    let shown = format!("{cmd:?}").replace('"', "");
    eprintln!("\n$ {shown}");
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    let before = artifacts(target);
    let mut outcome = Outcome::default();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("{line}");
            read_stats(&line, &mut outcome);
        }
    }
    let status = child.wait().map_err(|e| format!("`{shown}`: {e}"))?;
    // In fork mode (`-fork=N -ignore_crashes=1`) the inputs are written by child processes
    // and the exit status may be 0: new files in the artifact folder count as failures too.
    for file in artifacts(target) {
        if !before.contains(&file) && !outcome.artifacts.contains(&file) {
            outcome.artifacts.push(file);
        }
    }
    outcome.failed = !status.success() || !outcome.artifacts.is_empty();
    if outcome.failed {
        eprintln!("\nxtask fuzz: {target} failed with {status}");
        for a in &outcome.artifacts {
            eprintln!("xtask fuzz: failing input saved at {a}");
        }
    }
    Ok(outcome)
}

/// The files in `fuzz/artifacts/<target>/`, as `read_stats` names them.
fn artifacts(target: &str) -> Vec<String> {
    let dir = fuzz_dir().join("artifacts").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| Some(e.ok()?.path().display().to_string()))
        .collect()
}

/// Picks the executions, coverage and artifact paths out of one line of libFuzzer output.
fn read_stats(line: &str, o: &mut Outcome) {
    // `#1234	NEW    cov: 56 ft: 78 corp: …` and the last `Done 1234 runs in 20 second(s)`.
    if let Some(rest) = line.strip_prefix('#') {
        // Fork mode (`-fork=N`) writes `#1234: cov: …`.
        let n = rest.split_whitespace().next();
        let n = n.and_then(|n| n.trim_end_matches(':').parse().ok());
        if n.is_some() {
            o.runs = n;
        }
    }
    if let Some(rest) = line.strip_prefix("Done ") {
        o.runs = rest
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .or(o.runs);
    }
    let mut words = line.split_whitespace();
    while let Some(w) = words.next() {
        let slot = match w {
            "cov:" => &mut o.cov,
            "ft:" => &mut o.ft,
            _ => continue,
        };
        if let Some(n) = words.next().and_then(|n| n.parse().ok()) {
            *slot = Some(n);
        }
    }
    // libFuzzer's `Test unit written to /…/crash-…` (also timeouts and OOMs), and
    // cargo-fuzz's `Failing input:` block, which names `artifacts/…` (fork mode too).
    let path = match line.split_once("Test unit written to ") {
        Some((_, path)) => path.trim(),
        None => line.trim(),
    };
    if path.contains("artifacts/") && !path.contains(' ') {
        let path = Path::new(path);
        let full = if path.is_absolute() {
            path.to_path_buf()
        } else {
            fuzz_dir().join(path)
        };
        let full = full.display().to_string();
        if !o.artifacts.contains(&full) {
            o.artifacts.push(full);
        }
    }
}
