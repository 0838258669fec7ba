//! `posdoc bench`: how fast `diagnose` runs on one core, and how much state
//! it keeps per terminal. The input is read into memory first so that the
//! disk is not what is measured; parsing alone is timed beside the whole run
//! so the two read as a ratio.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use posdoc_engine::{Diagnosis, Engine};
use posdoc_kb::{Kb, Lang};
use posdoc_record::Reader;

use crate::output::write_jsonl;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Record file (JSON Lines, format v1) to diagnose.
    #[arg(long, short)]
    input: PathBuf,
    /// Runs of each phase; the best is reported (the first warms caches).
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

struct Run {
    secs: f64,
    records: u64,
    diagnoses: u64,
    terminals: usize,
    state_bytes_max: usize,
    state_bytes_mean: f64,
}

/// Parses every line; nothing else.
fn parse_only(data: &[u8]) -> Run {
    let start = Instant::now();
    let mut records = 0u64;
    for item in Reader::new(data) {
        records += u64::from(item.is_ok());
    }
    Run {
        secs: start.elapsed().as_secs_f64(),
        records,
        diagnoses: 0,
        terminals: 0,
        state_bytes_max: 0,
        state_bytes_mean: 0.0,
    }
}

/// What `posdoc diagnose` does: parse, diagnose, write the JSON lines (to a
/// sink, so only the formatting is counted, not the disk).
fn full(data: &[u8], kb: &Arc<Kb>, lang: Lang) -> anyhow::Result<Run> {
    let start = Instant::now();
    let mut engine = Engine::new(Arc::clone(kb));
    let mut out = BufWriter::with_capacity(1 << 16, std::io::sink());
    let mut write_err = None;
    let mut emit = |d: Diagnosis| {
        if let Err(e) = write_jsonl(&mut out, &d, kb, lang) {
            write_err = Some(e);
        }
    };
    for (_, record) in Reader::new(data).flatten() {
        engine.push(record, &mut emit);
    }
    engine.end(&mut emit);
    if let Some(e) = write_err {
        return Err(e).context("formatting diagnoses");
    }
    out.flush()?;
    let secs = start.elapsed().as_secs_f64();
    let sizes = engine.state_bytes();
    Ok(Run {
        secs,
        records: engine.counters().records,
        diagnoses: engine.counters().diagnoses,
        terminals: engine.terminal_count(),
        state_bytes_max: sizes.iter().copied().max().unwrap_or(0),
        state_bytes_mean: sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64,
    })
}

fn best(runs: impl Iterator<Item = anyhow::Result<Run>>) -> anyhow::Result<Run> {
    let mut best: Option<Run> = None;
    for r in runs {
        let r = r?;
        if best.as_ref().is_none_or(|b| r.secs < b.secs) {
            best = Some(r);
        }
    }
    best.context("no run")
}

/// Peak resident memory of this process, from /proc (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

pub(crate) fn run(kb: Arc<Kb>, args: &Args, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let data =
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let runs = args.runs.max(1);
    let parse = best((0..runs).map(|_| Ok(parse_only(&data))))?;
    let whole = best((0..runs).map(|_| full(&data, &kb, lang)))?;
    let mb = data.len() as f64 / 1e6;
    let parse_rps = parse.records as f64 / parse.secs;
    let whole_rps = whole.records as f64 / whole.secs;
    let rss = peak_rss_kib();
    if args.json {
        let j = serde_json::json!({
            "input_bytes": data.len(),
            "records": whole.records,
            "terminals": whole.terminals,
            "diagnoses": whole.diagnoses,
            "parse_records_per_s": parse_rps.round(),
            "diagnose_records_per_s": whole_rps.round(),
            "diagnose_mb_per_s": (mb / whole.secs * 10.0).round() / 10.0,
            "state_bytes_per_terminal_max": whole.state_bytes_max,
            "state_bytes_per_terminal_mean": whole.state_bytes_mean.round(),
            "peak_rss_kib": rss,
            "threads": 1,
        });
        writeln!(out, "{j}")?;
    } else {
        writeln!(
            out,
            "input: {} ({:.1} MB, {} records, {} terminals, {} diagnoses)",
            args.input.display(),
            mb,
            whole.records,
            whole.terminals,
            whole.diagnoses
        )?;
        writeln!(
            out,
            "parse only:      {:>10.0} records/s  ({:.2} s, best of {runs})",
            parse_rps, parse.secs
        )?;
        writeln!(
            out,
            "diagnose (1 core): {:>8.0} records/s  ({:.2} s, {:.0} MB/s; parse is {:.0}% of it)",
            whole_rps,
            whole.secs,
            mb / whole.secs,
            100.0 * parse.secs / whole.secs
        )?;
        writeln!(
            out,
            "state per terminal: max {} B, mean {:.0} B; peak RSS {} (includes the input held in memory)",
            whole.state_bytes_max,
            whole.state_bytes_mean,
            rss.map_or("unknown".into(), |k| format!("{:.1} MB", k as f64 / 1024.0))
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
