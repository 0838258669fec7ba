//! `posdoc simulate`: a scenario file (TOML) in, a fleet's records and its
//! ground truth out. The physics is `posdoc-sim`'s; a scenario says how big
//! the fleet is, for how long, and which faults to inject when.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use posdoc_kb::Lang;
use posdoc_sim::{FaultKind, FaultSpec, SimConfig, Stats};
use serde::Deserialize;

use crate::output::pick;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Scenario file (TOML; see `scenarios/README.md`).
    #[arg(long)]
    scenario: PathBuf,
    /// Seed (default: the scenario's own).
    #[arg(long)]
    seed: Option<u64>,
    /// Directory to write `records.jsonl` and `truth.jsonl` into.
    #[arg(long)]
    out: PathBuf,
}

/// A scenario as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Scenario {
    pub name: String,
    pub description: Option<Described>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_terminals")]
    pub terminals: usize,
    #[serde(default = "default_hours")]
    pub hours: f64,
    /// 0 (strong, clean evidence) to 1 (weak, noisy, often missing); drawn
    /// from the seed when absent.
    pub difficulty: Option<f64>,
    #[serde(default = "yes")]
    pub out_of_order: bool,
    /// Faults drawn at random besides the listed ones.
    #[serde(default)]
    pub background_faults: usize,
    /// Whether the drawn ones may be fleet faults.
    #[serde(default)]
    pub background_fleet_faults: bool,
    #[serde(default, rename = "fault")]
    pub faults: Vec<ScenarioFault>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Described {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioFault {
    /// `site_power`, `site_lan`, `carrier`, `acquirer`, `fw_rollout`,
    /// `host_incompat`, or a cause id.
    pub kind: String,
    pub start_min: Option<f64>,
    pub duration_min: Option<f64>,
    pub strength: Option<f64>,
    #[serde(default = "one")]
    pub count: usize,
    /// For a terminal's fault: put it in the site of the listed fault with
    /// this number (1 = the first `[[fault]]`), which must be an earlier
    /// `site_power` or `site_lan`.
    pub at_site_of: Option<usize>,
}

fn default_seed() -> u64 {
    1
}
fn default_terminals() -> usize {
    120
}
fn default_hours() -> f64 {
    4.0
}
fn yes() -> bool {
    true
}
fn one() -> usize {
    1
}

/// Faults one scenario may list, at most: a typo of `count` must not hang.
const SCENARIO_FAULTS_MAX: usize = 500;

impl Scenario {
    pub(crate) fn load(path: &Path) -> anyhow::Result<Scenario> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let s: Scenario = toml::from_str(&text)
            .with_context(|| format!("{}: invalid scenario", path.display()))?;
        s.check().with_context(|| format!("{}", path.display()))?;
        Ok(s)
    }

    fn check(&self) -> anyhow::Result<()> {
        if !(1..=100_000).contains(&self.terminals) {
            bail!("terminals = {}: expected 1 to 100000", self.terminals);
        }
        if !(self.hours > 0.0 && self.hours <= 24.0 * 30.0) {
            bail!(
                "hours = {}: expected more than 0 and at most 720",
                self.hours
            );
        }
        if let Some(d) = self.difficulty
            && !(0.0..=1.0).contains(&d)
        {
            bail!("difficulty = {d}: expected 0 to 1");
        }
        let mut n = self.background_faults;
        for (i, f) in self.faults.iter().enumerate() {
            if FaultKind::parse(&f.kind).is_none() {
                bail!(
                    "fault {}: unknown kind `{}` (expected site_power, site_lan, carrier, acquirer, fw_rollout, host_incompat, or a cause id such as network.lan)",
                    i + 1,
                    f.kind
                );
            }
            if let Some(s) = f.strength
                && !(0.0..=1.0).contains(&s)
            {
                bail!("fault {}: strength = {s}: expected 0 to 1", i + 1);
            }
            if let Some(d) = f.duration_min
                && (d.is_nan() || d <= 0.0)
            {
                bail!("fault {}: duration_min = {d}: expected more than 0", i + 1);
            }
            if let Some(k) = f.at_site_of {
                let site_fault = k >= 1
                    && k <= i
                    && matches!(self.faults[k - 1].kind.as_str(), "site_power" | "site_lan")
                    && self.faults[k - 1].count == 1;
                if !site_fault {
                    bail!(
                        "fault {}: at_site_of = {k}: expected the number of an earlier fault of kind site_power or site_lan (with count = 1)",
                        i + 1
                    );
                }
                if !matches!(FaultKind::parse(&f.kind), Some(FaultKind::Term(_))) {
                    bail!(
                        "fault {}: at_site_of only places a terminal's fault (kind = a cause id)",
                        i + 1
                    );
                }
            }
            n += f.count;
        }
        if n > SCENARIO_FAULTS_MAX {
            bail!("{n} faults: at most {SCENARIO_FAULTS_MAX}");
        }
        Ok(())
    }

    /// The simulator's configuration for this scenario (`seed` overrides
    /// the scenario's own).
    pub(crate) fn config(&self, seed: Option<u64>) -> SimConfig {
        // Where each listed fault's first copy lands among the expanded ones.
        let mut first = Vec::with_capacity(self.faults.len());
        let mut asked: Vec<FaultSpec> = Vec::new();
        for f in &self.faults {
            first.push(asked.len());
            let spec = FaultSpec {
                kind: FaultKind::parse(&f.kind).expect("checked when loaded"),
                start_min: f.start_min,
                duration_min: f.duration_min,
                strength: f.strength,
                at_site_of: f.at_site_of.map(|k| first[k - 1]),
            };
            asked.extend(std::iter::repeat_n(spec, f.count));
        }
        SimConfig {
            seed: seed.unwrap_or(self.seed),
            terminals: self.terminals,
            hours: self.hours,
            faults: self.background_faults,
            fleet_faults: self.background_fleet_faults,
            out_of_order: self.out_of_order,
            difficulty: self.difficulty,
            asked,
            ..SimConfig::default()
        }
    }
}

pub(crate) fn run(a: &Args, lang: Lang) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&a.scenario)?;
    let cfg = scenario.config(a.seed);
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let create = |name: &str| -> anyhow::Result<BufWriter<File>> {
        let p = a.out.join(name);
        let f = File::create(&p).with_context(|| format!("creating {}", p.display()))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    };
    let (mut records, mut truth) = (create("records.jsonl")?, create("truth.jsonl")?);
    let started = std::time::Instant::now();
    let stats: Stats =
        posdoc_sim::generate(&cfg, &mut records, &mut truth).context("writing the fleet")?;
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let described = scenario
        .description
        .as_ref()
        .map(|d| pick(lang, &d.zh, &d.en).to_string())
        .unwrap_or_default();
    let (name, seed, out) = (&scenario.name, cfg.seed, a.out.display());
    let (records, faults, events) = (stats.records, stats.faults, stats.truth_events);
    let rate = stats.records as f64 / secs;
    eprintln!(
        "{}",
        pick(
            lang,
            &format!(
                "场景 {name}（种子 {seed}）：{records} 条记录，{faults} 个故障，{events} 个失败事件的真值，写入 {out}（{rate:.0} 条/秒）\n{described}"
            ),
            &format!(
                "scenario {name} (seed {seed}): {records} records, {faults} faults, truth for {events} failed events, written to {out} ({rate:.0} records/s)\n{described}"
            )
        )
    );
    Ok(ExitCode::SUCCESS)
}
