//! Deterministic generator of synthetic POS fleets in the posdoc record
//! format v1, with injected faults and the ground truth to score a diagnosis
//! against.
//!
//! [`generate`] builds a fleet (merchants with opening hours and traffic
//! rhythms, sites, terminals of several vendors and models on ethernet,
//! Wi-Fi or cellular), plans faults ([`SimConfig::faults`]), simulates every
//! terminal through the window and writes two JSON Lines streams:
//!
//! - **records**: inventory (`merchant`, `site`, `terminal`) first, then the
//!   observations in time order — `telemetry` heartbeats (each vendor reports
//!   its own subset of fields), `txn`, `error`, and the people's records
//!   (`maintenance`, `check`, `complaint`, `resolution`);
//! - **truth**: one `truth` record per injected fault (cause, scope,
//!   terminals, start, end) and one `truth_event` per failed event — every
//!   `error` record and every `txn` that timed out or was not approved,
//!   including ordinary card declines and failures with no injected fault
//!   behind them — with the failed record's `ts`, `terminal_id` and `code`
//!   (`"timeout"` for a timed-out transaction).
//!
//! Faults act through physics, never through labels: a weak signal lowers
//! `rssi_dbm`, which raises loss, which makes exchanges time out; a worn
//! battery drains until the radio shuts off; an expired certificate makes
//! TLS fail while the network is fine. The same seed gives the same bytes.
//!
//! ```
//! let cfg = posdoc_sim::SimConfig { terminals: 20, hours: 1.0, faults: 3, ..Default::default() };
//! let (mut records, mut truth) = (Vec::new(), Vec::new());
//! let stats = posdoc_sim::generate(&cfg, &mut records, &mut truth).unwrap();
//! assert_eq!(stats.records as usize, records.iter().filter(|&&b| b == b'\n').count());
//! ```
//!
//! Module map: `world` (static tables and the inventory), `fault` (causes,
//! the fault plan: effects, outages, versions, people's records), `sim`
//! (terminal state machines and the output arena), `text` (vendor codes and
//! log lines), `fmt` (allocation-free JSON and time writing), `rng`.

mod fault;
mod fmt;
mod rng;
mod sim;
mod text;
mod world;

use std::collections::BTreeMap;
use std::io::{self, Write};

pub use fault::{Cause, FaultSpec, Kind as FaultKind};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Seed; the same configuration gives byte-identical output.
    pub seed: u64,
    /// Number of terminals in the fleet.
    pub terminals: usize,
    /// Length of the simulated window, hours.
    pub hours: f64,
    /// Start of the window, unix seconds (UTC; merchants keep China time).
    pub start_unix: i64,
    /// Number of injected faults (windows overlap, so most run at once).
    pub faults: usize,
    /// Include fleet faults (site power and LAN, carrier, acquirer host,
    /// firmware rollout, host incompatibility) among `faults`.
    pub fleet_faults: bool,
    /// Deliver some records up to 55 s late (the contract allows 60 s).
    pub out_of_order: bool,
    /// How hard the evidence is, 0 (strong, clean) to 1 (weak, noisy,
    /// often missing). `None` draws it from the seed.
    pub difficulty: Option<f64>,
    /// Stop after this many records (inventory included). Truth stays
    /// consistent with what was written.
    pub max_records: Option<u64>,
    /// Faults a scenario asks for, placed before the `faults` drawn ones.
    pub asked: Vec<FaultSpec>,
}

/// 2026-11-03T03:00:00Z, 11:00 in the merchants' local time.
pub const DEFAULT_START_UNIX: i64 = 1_793_674_800;

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            terminals: 300,
            hours: 6.0,
            start_unix: DEFAULT_START_UNIX,
            faults: 20,
            fleet_faults: true,
            out_of_order: true,
            difficulty: None,
            max_records: None,
            asked: Vec::new(),
        }
    }
}

/// Roughly how many records one terminal writes per hour of trading day.
pub const RECORDS_PER_TERMINAL_HOUR: f64 = 70.0;

impl SimConfig {
    /// A configuration sized to write about `n` records (exactly `n`, cut
    /// at the end): the fleet is scaled to the window, faults to the fleet.
    pub fn for_records(n: u64, seed: u64) -> SimConfig {
        let base = SimConfig::default();
        let per_term = RECORDS_PER_TERMINAL_HOUR * base.hours;
        let terminals = ((n as f64 * 1.15 / per_term).ceil() as usize).clamp(10, 900_000);
        SimConfig {
            seed,
            terminals,
            faults: (terminals / 60).clamp(5, 200),
            max_records: Some(n),
            ..base
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Records written to the records stream (inventory included).
    pub records: u64,
    /// Inventory records among them.
    pub inventory: u64,
    /// Bytes written to the records stream.
    pub bytes: u64,
    /// Injected faults (`truth` records).
    pub faults: usize,
    /// `truth_event` records written.
    pub truth_events: u64,
    /// Truth events per cause id.
    pub per_cause: BTreeMap<&'static str, u64>,
    /// Injected faults per cause id.
    pub faults_per_cause: BTreeMap<&'static str, usize>,
    /// The difficulty used (from the config or the seed).
    pub difficulty: f64,
}

/// Slice of simulated time processed (and sorted) at once, seconds.
const SLICE_S: i64 = 300;

/// Generates the fleet, writing records to `records` and the ground truth
/// to `truth`. Wrap files in a `BufWriter`; nothing here buffers for you
/// beyond a slice of simulated time.
pub fn generate(
    cfg: &SimConfig,
    records: &mut impl Write,
    truth: &mut impl Write,
) -> io::Result<Stats> {
    let seed = cfg.seed;
    let d = cfg
        .difficulty
        .unwrap_or_else(|| rng::unit(seed, 0xD1FF))
        .clamp(0.0, 1.0);
    let s0 = cfg.start_unix;
    let hours = if cfg.hours.is_finite() {
        cfg.hours.clamp(0.05, 24.0 * 60.0)
    } else {
        6.0
    };
    let e0 = s0 + (hours * 3600.0) as i64;
    let mut rng = rng::Rng::stream(seed, 1);
    let mut w = world::build(cfg.terminals.clamp(1, 999_999), s0, e0, d, &mut rng);
    let pcfg = fault::PlanCfg {
        seed,
        start: s0,
        end: e0,
        faults: cfg.faults,
        fleet: cfg.fleet_faults,
        difficulty: d,
        asked: &cfg.asked,
    };
    let plan = fault::plan(&mut w, &pcfg, &mut rng);
    let mut stats = Stats {
        faults: plan.faults.len(),
        difficulty: d,
        ..Stats::default()
    };
    let mut line = Vec::with_capacity(4096);
    // An issuer's outage reaches whichever terminals its cards visit: its
    // truth line waits for the run, to list them.
    let reached_later = |f: &fault::Fault| matches!(f.scope, fault::Scope::Issuer(_));
    for f in plan.faults.iter().filter(|f| !reached_later(f)) {
        line.clear();
        fault::truth_line(&mut line, f, &w);
        truth.write_all(&line)?;
        *stats.faults_per_cause.entry(f.cause.id()).or_default() += 1;
    }
    let mut counts = sim::Counts {
        max_records: cfg.max_records,
        ..sim::Counts::default()
    };
    // inventory, as exported at the start of the window
    line.clear();
    sim::inventory(&w, s0, &mut line);
    for l in line.split_inclusive(|&b| b == b'\n') {
        if counts.max_records.is_some_and(|m| counts.records >= m) {
            break;
        }
        records.write_all(l)?;
        counts.records += 1;
        counts.bytes += l.len() as u64;
        stats.inventory += 1;
    }
    let fault::Plan {
        terms: tplans,
        issuers,
        specials,
        faults,
    } = plan;
    let cx = sim::Ctx::new(&w, &issuers, d);
    let mut terms: Vec<sim::Term> = tplans
        .into_iter()
        .enumerate()
        .map(|(i, tp)| sim::Term::new(i, tp, &w, seed, s0, d))
        .collect();
    let ooo_p = if cfg.out_of_order {
        0.02 + 0.06 * d
    } else {
        0.0
    };
    let mut out = sim::Out::new(s0, ooo_p, seed);
    let mut evs = Vec::with_capacity(256);
    let mut sp = 0;
    let mut t = s0;
    let mut stopped = counts.max_records.is_some_and(|m| counts.records >= m);
    while t < e0 && !stopped {
        let b = (t + SLICE_S).min(e0);
        for term in &mut terms {
            term.run(t, b, &cx, &mut out, &mut evs);
        }
        while sp < specials.len() && specials[sp].0 < b {
            out.raw(specials[sp].0, &specials[sp].1);
            sp += 1;
        }
        stopped = out.flush(b, records, truth, &mut counts)?;
        t = b;
    }
    if !stopped {
        out.flush(i64::MAX / 2, records, truth, &mut counts)?;
    }
    for mut f in faults.into_iter().filter(reached_later) {
        f.terms = (0..terms.len() as u32)
            .filter(|&i| terms[i as usize].issuer_hits.contains(&f.id))
            .collect();
        line.clear();
        fault::truth_line(&mut line, &f, &w);
        truth.write_all(&line)?;
    }
    records.flush()?;
    truth.flush()?;
    stats.records = counts.records;
    stats.bytes = counts.bytes;
    stats.truth_events = counts.truth_events;
    for c in Cause::ALL {
        let n = counts.per_cause[c.index()];
        if n > 0 {
            stats.per_cause.insert(c.id(), n);
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests;
