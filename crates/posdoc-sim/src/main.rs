//! `posdoc-sim`: writes a synthetic fleet's records and ground truth.
//!
//! ```text
//! posdoc-sim --seed 7 --terminals 300 --hours 6 --faults 20 --out runs/s7
//! posdoc-sim --records-only 1000000 --out bench      # records.jsonl only, exactly N records
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use posdoc_sim::{SimConfig, generate};

/// Generate a synthetic POS fleet (records.jsonl) with injected faults and
/// its ground truth (truth.jsonl).
#[derive(Debug, Parser)]
#[command(name = "posdoc-sim", version)]
struct Args {
    /// Seed; the same arguments give byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Terminals in the fleet.
    #[arg(long, default_value_t = 300)]
    terminals: usize,
    /// Length of the window in hours.
    #[arg(long, default_value_t = 6.0)]
    hours: f64,
    /// Injected faults.
    #[arg(long, default_value_t = 20)]
    faults: usize,
    /// Start of the window (unix seconds, UTC).
    #[arg(long, default_value_t = posdoc_sim::DEFAULT_START_UNIX)]
    start: i64,
    /// Only terminal- and merchant-level faults (no site, carrier, host or rollout faults).
    #[arg(long)]
    no_fleet_faults: bool,
    /// Keep every record in time order (by default some arrive up to 55 s late).
    #[arg(long)]
    in_order: bool,
    /// Evidence difficulty 0..1 (default: drawn from the seed).
    #[arg(long)]
    difficulty: Option<f64>,
    /// Write exactly N records to DIR/records.jsonl, fleet sized to match,
    /// no truth file (for throughput benchmarks of a consumer).
    #[arg(long, value_name = "N")]
    records_only: Option<u64>,
    /// Output directory (created if missing); `-` writes records to stdout.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Print no summary.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("posdoc-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(a: &Args) -> std::io::Result<()> {
    let mut cfg = match a.records_only {
        Some(n) => SimConfig::for_records(n, a.seed),
        None => SimConfig {
            seed: a.seed,
            terminals: a.terminals,
            hours: a.hours,
            faults: a.faults,
            ..SimConfig::default()
        },
    };
    cfg.start_unix = a.start;
    cfg.fleet_faults = !a.no_fleet_faults;
    cfg.out_of_order = !a.in_order;
    cfg.difficulty = a.difficulty;
    let started = Instant::now();
    let to_stdout = a.out.as_os_str() == "-";
    if !to_stdout {
        std::fs::create_dir_all(&a.out)?;
    }
    let mut rec: Box<dyn Write> = if to_stdout {
        Box::new(BufWriter::with_capacity(1 << 20, std::io::stdout().lock()))
    } else {
        Box::new(BufWriter::with_capacity(
            1 << 20,
            File::create(a.out.join("records.jsonl"))?,
        ))
    };
    let mut truth: Box<dyn Write> = if a.records_only.is_some() || to_stdout {
        Box::new(std::io::sink())
    } else {
        Box::new(BufWriter::with_capacity(
            1 << 20,
            File::create(a.out.join("truth.jsonl"))?,
        ))
    };
    let stats = generate(&cfg, &mut rec, &mut truth)?;
    drop(rec);
    drop(truth);
    let secs = started.elapsed().as_secs_f64();
    if !a.quiet {
        eprintln!(
            "posdoc-sim: seed {} · {} terminals · {:.1} h · difficulty {:.2}\n  {} records ({:.1} MB), {} faults, {} truth events in {:.2} s ({:.0} records/s)",
            cfg.seed,
            cfg.terminals,
            cfg.hours,
            stats.difficulty,
            stats.records,
            stats.bytes as f64 / 1e6,
            stats.faults,
            stats.truth_events,
            secs,
            stats.records as f64 / secs.max(1e-9)
        );
        if a.records_only.is_none() {
            let per: Vec<String> = stats
                .per_cause
                .iter()
                .map(|(c, n)| format!("{c}={n}"))
                .collect();
            eprintln!("  truth events by cause: {}", per.join(" "));
        }
    }
    Ok(())
}
