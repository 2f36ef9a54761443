//! `cargo xtask bench`: runs every benchmark and writes `benches/RESULTS.md`.
//!
//! Runs `cargo bench -p pkce-benches` (core.rs, flow.rs, seal.rs, seal_allocations.rs,
//! seal_interleaved.rs, dpop.rs, versus.rs, versus_allocations.rs), echoing and keeping its standard output, then reads the criterion
//! results written during this run, `target/criterion/<group>/<function>/new/`: `benchmark.json` for the group and
//! function names, `estimates.json` for the median. Functions named `ours`, `floor` and
//! `oauth2-rs` fill the table's columns; a `reference` function stands in where oauth2-rs has no
//! such operation. The `alloc | group | ours | oauth2-rs` lines of versus_allocations.rs fill
//! the allocation columns; the allocation lists core.rs, flow.rs, dpop.rs and
//! seal_allocations.rs print are copied below.
//! The JSON is criterion's own and small, so it is read by hand: no dependencies. Last, the
//! axum login app's `logins` bench (no criterion) adds its `webapp | …` lines.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use crate::{Result, cargo, root};

/// One criterion group's medians, in nanoseconds, by function name.
#[derive(Debug, Default)]
struct Group {
    functions: BTreeMap<String, f64>,
    /// When its first result was written: groups are listed in the order they ran.
    first: Option<SystemTime>,
    /// Functions whose samples spread widely (see [`spread`]), with the spread.
    noisy: Vec<(String, f64)>,
}

/// Above this spread a result is flagged: the median sample is that much slower than the
/// fastest tenth, which on a shared machine means another process took the CPU.
const NOISY: f64 = 1.10;

/// The function names that fill the table's columns.
const COLUMNS: [&str; 4] = ["ours", "floor", "oauth2-rs", "reference"];

pub(crate) fn run() -> Result {
    let load = load_average();
    let started = SystemTime::now();
    let stdout = bench_output(&["-p", "pkce-benches"])?;
    // Cargo resolves a relative CARGO_TARGET_DIR against the directory it runs in: the root.
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), PathBuf::from);
    let groups = read_criterion(&root().join(target).join("criterion"), started)?;
    if groups.is_empty() {
        return Err("criterion wrote no results under target/criterion".into());
    }
    let allocations = allocation_lines(&stdout);
    let mut report = render(&groups, &allocations, &other_allocations(&stdout), &load);
    report.push_str(&webapp_section()?);
    let path = root().join("benches/RESULTS.md");
    fs::write(&path, report).map_err(|e| format!("could not write {}: {e}", path.display()))?;
    eprintln!("\nxtask bench: wrote {}", path.display());
    Ok(())
}

/// The axum login app's load test (`examples/axum-login/benches/logins.rs`, no criterion):
/// its `webapp | …` lines as a section of the report.
fn webapp_section() -> Result<String> {
    let stdout = bench_output(&["-p", "pkce-axum-login", "--bench", "logins"])?;
    let mut section = String::from(
        "\n## The axum login app\n\nLogins per second through `examples/axum-login` (the app as a \
         process, the testkit approving at once, concurrent scripted browsers on loopback) and \
         the latency of `/callback` (open the seal, validate, exchange the code, store the \
         session):\n\n```text\n",
    );
    for line in stdout.lines().filter(|l| l.starts_with("webapp |")) {
        section.push_str(line);
        section.push('\n');
    }
    section.push_str("```\n");
    Ok(section)
}

/// Runs `cargo bench ARGS`, echoing its standard output as it comes and returning it.
fn bench_output(args: &[&str]) -> Result<String> {
    let mut cmd = cargo();
    cmd.arg("bench").args(args).stdout(Stdio::piped());
    let shown = format!("cargo bench {}", args.join(" "));
    eprintln!("\n$ {shown}");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start cargo bench: {e}"))?;
    let mut kept = String::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.map_err(|e| format!("reading cargo bench output: {e}"))?;
            println!("{line}");
            kept.push_str(&line);
            kept.push('\n');
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("`{shown}` failed with {status}"));
    }
    Ok(kept)
}

/// Every `<group>/<function>/new/` directory written since `since`.
fn read_criterion(dir: &Path, since: SystemTime) -> Result<BTreeMap<String, Group>> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for group_dir in subdirs(dir)? {
        for function_dir in subdirs(&group_dir)? {
            let new = function_dir.join("new");
            let estimates = new.join("estimates.json");
            let Ok(written) = fs::metadata(&estimates).and_then(|m| m.modified()) else {
                continue;
            };
            if written < since {
                continue; // a result from an earlier run, or a bench since renamed
            }
            let meta = read(&new.join("benchmark.json"))?;
            let group_id = json_string(&meta, "group_id")
                .ok_or_else(|| format!("no group_id in {}", new.display()))?;
            let function = json_string(&meta, "function_id").unwrap_or_default();
            let median = median(&read(&estimates)?)
                .ok_or_else(|| format!("no median in {}", estimates.display()))?;
            let group = groups.entry(group_id).or_default();
            let sample = read(&new.join("sample.json")).ok();
            if let Some(spread) = sample.and_then(|s| spread(&s)).filter(|s| *s > NOISY) {
                group.noisy.push((function.clone(), spread));
            }
            group.functions.insert(function, median);
            group.first = Some(group.first.map_or(written, |t| t.min(written)));
        }
    }
    Ok(groups)
}

fn subdirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries =
        fs::read_dir(dir).map_err(|e| format!("could not list {}: {e}", dir.display()))?;
    Ok(entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect())
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))
}

/// The string value of `"key":"..."` in criterion's compact JSON (escapes `\"` and `\\`).
fn json_string(json: &str, key: &str) -> Option<String> {
    let start = json.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let mut out = String::new();
    let mut chars = json[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

/// `"median":{..."point_estimate":<number>...}`, in nanoseconds.
fn median(json: &str) -> Option<f64> {
    let rest = &json[json.find("\"median\"")?..];
    let rest = &rest[rest.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

/// The median per-iteration time of criterion's samples over their fastest tenth's.
fn spread(sample: &str) -> Option<f64> {
    let (iters, times) = (numbers(sample, "iters")?, numbers(sample, "times")?);
    let mut per: Vec<f64> = iters.iter().zip(&times).map(|(i, t)| t / i).collect();
    per.sort_by(f64::total_cmp);
    Some(per.get(per.len() / 2)? / per.get(per.len() / 10)?)
}

/// The numbers of `"key":[n,n,...]`.
fn numbers(json: &str, key: &str) -> Option<Vec<f64>> {
    let start = json.find(&format!("\"{key}\":["))? + key.len() + 4;
    let end = start + json[start..].find(']')?;
    json[start..end]
        .split(',')
        .map(|n| n.trim().parse().ok())
        .collect()
}

/// `alloc | group | ours | oauth2-rs` lines, by group.
fn allocation_lines(stdout: &str) -> BTreeMap<String, (String, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.strip_prefix("alloc | ")?.split(" | ");
            let group = fields.next()?.trim().to_owned();
            let ours = fields.next()?.trim().to_owned();
            let theirs = fields.next()?.trim().to_owned();
            Some((group, (ours, theirs)))
        })
        .collect()
}

/// The allocation lists core.rs and flow.rs print: a heading and its indented lines.
fn other_allocations(stdout: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in stdout.lines() {
        if line.starts_with("allocations per operation (pkce-") {
            inside = true;
        } else if !line.starts_with("  ") {
            inside = false;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The report: the machine, the table, the noise check and the other allocation lists.
fn render(
    groups: &BTreeMap<String, Group>,
    allocations: &BTreeMap<String, (String, String)>,
    others: &str,
    load: &str,
) -> String {
    let mut ordered: Vec<(&String, &Group)> = groups.iter().collect();
    // The comparisons with oauth2-rs first, then the rest, each in the order they ran.
    let compared = |g: &Group| {
        ["oauth2-rs", "reference"]
            .iter()
            .any(|f| g.functions.contains_key(*f))
    };
    ordered.sort_by_key(|(_, g)| (!compared(g), g.first));
    let mut md = String::from(
        "# Benchmark results\n\nWritten by `cargo xtask bench` (do not edit by hand). Medians of \
         criterion's samples; `floor` is the work the operation cannot avoid, on the stack \
         (see the bench files). `n/a`: oauth2-rs has no such operation; the time after `ref.` \
         is what its users write instead. Allocations are per operation, counted with \
         allocation-counter after one warm-up call, in a separate binary: the `vs oauth2-rs` \
         timings run on the system allocator, while core.rs and flow.rs time under \
         allocation-counter's counting allocator (a few ns per allocation).\n\n",
    );
    let _ = writeln!(md, "{}\n", machine(load));
    md.push_str("| operation | ours | floor | oauth2-rs | ours/floor | oauth2/ours | allocations ours | allocations oauth2 |\n");
    md.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    let (mut noisy, mut extra) = (Vec::new(), String::new());
    for (name, g) in ordered {
        noisy.extend(g.noisy.iter().map(|(f, s)| format!("{name}/{f} ({s:.2})")));
        // Functions outside the table's columns (transports.rs's clients, say) are listed
        // after it; a group with nothing but those gets no table row.
        for (f, t) in g
            .functions
            .iter()
            .filter(|(f, _)| !COLUMNS.contains(&f.as_str()))
        {
            let _ = writeln!(
                extra,
                "| {} | {f} | {} |",
                name.replace('|', "\\|"),
                time(*t)
            );
        }
        if !g.functions.keys().any(|f| COLUMNS.contains(&f.as_str())) {
            continue;
        }
        let f = |k: &str| g.functions.get(k).copied();
        let (ours, floor, theirs) = (f("ours"), f("floor"), f("oauth2-rs"));
        let theirs_cell = match (theirs, f("reference")) {
            (Some(t), _) => time(t),
            (None, Some(r)) => format!("n/a (ref. {})", time(r)),
            (None, None) => "—".into(),
        };
        let (alloc_ours, alloc_theirs) = allocations
            .get(name.as_str())
            .map_or(("—", "—"), |(o, t)| (o.as_str(), t.as_str()));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {theirs_cell} | {} | {} | {alloc_ours} | {alloc_theirs} |",
            name.replace('|', "\\|"),
            ours.map_or_else(|| "—".into(), time),
            floor.map_or_else(|| "—".into(), time),
            ratio(ours, floor),
            ratio(theirs, ours),
        );
    }
    if !extra.is_empty() {
        md.push_str("\n| group | function | median |\n|---|---|---:|\n");
        md.push_str(&extra);
    }
    if noisy.is_empty() {
        noisy.push("none".into());
    }
    let _ = writeln!(
        md,
        "\nNoise check (median sample over the fastest tenth above {NOISY:.2}, i.e. another \
         process took the CPU; re-run when the machine is idle): {}.",
        noisy.join(", ")
    );
    if !others.is_empty() {
        md.push_str("\nAllocations printed by core.rs and flow.rs:\n\n```text\n");
        md.push_str(others);
        md.push_str("```\n");
    }
    md
}

fn time(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{:.2} ms", ns / 1_000_000.0)
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "—".into(),
    }
}

/// The machine, date, load and commit, as a bullet list.
fn machine(load_at_start: &str) -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let git = |args: &[&str]| output(Command::new("git").args(args).current_dir(root()));
    let dirty = git(&["status", "--porcelain"])
        .filter(|s| !s.is_empty())
        .map_or("", |_| " (with uncommitted changes)");
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    format!(
        "- machine: {} · {cpu} · {cores} cores (nproc)\n- date: {}\n- load average at start \
         (1, 5, 15 min): {load_at_start}; at end: {}\n- commit: {commit}{}",
        output(Command::new("uname").arg("-m")).unwrap_or_else(|| "unknown".into()),
        output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])).unwrap_or_default(),
        load_average(),
        dirty,
    )
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A command's trimmed standard output, if it ran and succeeded.
fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_median_not_the_mean() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":123.25,"standard_error":0.1}}"#;
        assert_eq!(median(json), Some(123.25));
    }

    #[test]
    fn reads_escaped_names() {
        let json = r#"{"group_id":"a \"b\" c","function_id":"ours","value_str":null}"#;
        assert_eq!(json_string(json, "group_id").as_deref(), Some("a \"b\" c"));
        assert_eq!(json_string(json, "function_id").as_deref(), Some("ours"));
    }

    #[test]
    fn measures_the_spread_of_samples() {
        let json = r#"{"sampling_mode":"Linear","iters":[1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,10.0],"times":[10.0,20.0,30.0,40.0,50.0,60.0,70.0,80.0,90.0,200.0]}"#;
        assert_eq!(spread(json), Some(1.0));
    }

    #[test]
    fn reads_allocation_lines() {
        let out =
            "noise\nalloc | operation (criterion group) | ours | oauth2-rs\nalloc | g | 7 | 41\n";
        let lines = allocation_lines(out);
        assert_eq!(lines.get("g"), Some(&("7".to_owned(), "41".to_owned())));
    }
}
