//! `posdoc eval`: posdoc's diagnosis scored against ground truth, always
//! beside the two baselines computed on the same data.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use posdoc_engine::Engine;
use posdoc_eval::{
    Checklist, IncidentOut, IncidentScore, Prediction, Report, Truth, random_predictions, score,
    score_incidents,
};
use posdoc_kb::{Kb, Lang};
use posdoc_record::{Reader, Ts};
use serde_json::json;

use crate::output::pick;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Record file (JSON Lines), or a directory of them (each scored with its own engine).
    #[arg(
        long,
        required_unless_present = "scenarios",
        conflicts_with = "scenarios"
    )]
    records: Option<PathBuf>,
    /// A scenario file (TOML), or a directory of them: each is simulated and scored.
    #[arg(long)]
    scenarios: Option<PathBuf>,
    /// Seed for the scenarios (default: each scenario's own).
    #[arg(long, requires = "scenarios")]
    seed: Option<u64>,
    /// Truth file (`truth` / `truth_event` records). Default: the truth records inside the record files.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Everything scored, across files.
#[derive(Default)]
pub(crate) struct Scored {
    pub truth: Truth,
    pub posdoc: Vec<Prediction>,
    pub checklist: Vec<Prediction>,
    pub incidents: Vec<IncidentOut>,
}

/// Runs the engine and the checklist over one record file; terminal ids get `prefix`.
pub(crate) fn run_file(
    kb: &Arc<Kb>,
    records: &Path,
    truth_text: Option<&str>,
    prefix: &str,
    into: &mut Scored,
) -> anyhow::Result<()> {
    let f =
        std::fs::File::open(records).with_context(|| format!("opening {}", records.display()))?;
    let text = match truth_text {
        Some(t) => t.to_string(),
        None => std::fs::read_to_string(records)
            .with_context(|| format!("reading {}", records.display()))?,
    };
    run_stream(
        kb,
        BufReader::with_capacity(1 << 16, f),
        &text,
        prefix,
        into,
    );
    Ok(())
}

/// Runs the engine and the checklist over a record stream scored against
/// `truth_text`; terminal ids get `prefix`.
pub(crate) fn run_stream(
    kb: &Arc<Kb>,
    records: impl std::io::BufRead,
    truth_text: &str,
    prefix: &str,
    into: &mut Scored,
) {
    let mut engine = Engine::new(Arc::clone(kb));
    let mut checklist = Checklist::default();
    let mut preds = Vec::new();
    let mut keep = |d: posdoc_engine::Diagnosis| {
        preds.push(Prediction::from_posterior(
            d.ts,
            format!("{prefix}{}", d.terminal_id),
            d.code,
            &d.posterior,
        ));
    };
    let mut records_from: Option<Ts> = None;
    for (_, r) in Reader::new(records).flatten() {
        if let Some(ts) = r.ts() {
            records_from = Some(records_from.map_or(ts, |f| f.min(ts)));
        }
        checklist.push(&r);
        engine.push(r, &mut keep);
    }
    engine.end(&mut keep);
    into.posdoc.extend(preds);
    // Incidents as they finally stood; those folded into a broader one are
    // that one.
    for i in 0..engine.incidents().len() as u32 {
        let r = engine.incident_report(i);
        if r.merged_into.is_some() {
            continue;
        }
        into.incidents.push(IncidentOut {
            opened_at: r.opened_at,
            closed_at: r.closed_at,
            terminals: r.terminals.iter().map(|t| format!("{prefix}{t}")).collect(),
            cause: r.cause,
        });
    }
    into.checklist
        .extend(checklist.predictions.into_iter().map(|mut p| {
            p.terminal_id = format!("{prefix}{}", p.terminal_id);
            p
        }));
    let mut t = Truth::parse(truth_text);
    for e in &mut t.events {
        e.terminal_id = format!("{prefix}{}", e.terminal_id);
    }
    for f in &mut t.faults {
        f.terminals
            .iter_mut()
            .for_each(|x| *x = format!("{prefix}{x}"));
        f.observed_from = records_from;
    }
    into.truth.faults.extend(t.faults);
    into.truth.events.extend(t.events);
    into.truth.skipped.extend(t.skipped);
}

/// Simulates every scenario (`*.toml`) of a directory, or one scenario
/// file, and scores posdoc on them; terminal ids get the scenario's name.
pub(crate) fn collect_scenarios(
    kb: &Arc<Kb>,
    path: &Path,
    seed: Option<u64>,
) -> anyhow::Result<Scored> {
    let files = if path.is_dir() {
        files_in(path, "toml")?
    } else {
        vec![path.to_path_buf()]
    };
    let mut scored = Scored::default();
    for f in files {
        let scenario = crate::simulate::Scenario::load(&f)?;
        let cfg = scenario.config(seed);
        let (mut records, mut truth) = (Vec::new(), Vec::new());
        posdoc_sim::generate(&cfg, &mut records, &mut truth)
            .with_context(|| format!("simulating {}", f.display()))?;
        let truth = String::from_utf8_lossy(&truth).into_owned();
        let prefix = format!("{}:", scenario.name);
        run_stream(kb, records.as_slice(), &truth, &prefix, &mut scored);
    }
    Ok(scored)
}

/// The files of a directory ending in `.ext`, in name order; at least one.
fn files_in(dir: &Path, ext: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no *.{ext} files in {}", dir.display());
    }
    Ok(files)
}

pub(crate) fn collect(
    kb: &Arc<Kb>,
    records: &Path,
    truth: Option<&Path>,
) -> anyhow::Result<Scored> {
    let mut scored = Scored::default();
    let truth_text = truth
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())))
        .transpose()?;
    if records.is_dir() {
        for f in files_in(records, "jsonl")? {
            let prefix = format!("{}:", f.file_stem().unwrap_or_default().to_string_lossy());
            run_file(kb, &f, truth_text.as_deref(), &prefix, &mut scored)?;
        }
    } else {
        run_file(kb, records, truth_text.as_deref(), "", &mut scored)?;
    }
    if scored.truth.events.is_empty() {
        bail!("no truth_event records found (give --truth FILE)");
    }
    Ok(scored)
}

pub(crate) struct Reports {
    pub posdoc: Report,
    pub checklist: Report,
    pub random: Report,
    pub incidents: IncidentScore,
}

pub(crate) fn reports(s: &Scored) -> Reports {
    let sel = |e: &posdoc_eval::TruthEvent| s.truth.is_fault_event(e);
    Reports {
        posdoc: score(&s.truth, &s.posdoc, &sel),
        checklist: score(&s.truth, &s.checklist, &sel),
        random: score(&s.truth, &random_predictions(&s.posdoc, 7), &sel),
        incidents: score_incidents(&s.truth, &s.incidents),
    }
}

pub(crate) fn run(kb: Arc<Kb>, a: &Args, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let s = match (&a.records, &a.scenarios) {
        (_, Some(sc)) => collect_scenarios(&kb, sc, a.seed)?,
        (Some(r), None) => collect(&kb, r, a.truth.as_deref())?,
        (None, None) => bail!("give --records FILE|DIR or --scenarios FILE|DIR"),
    };
    if s.truth.events.is_empty() {
        bail!("no truth_event records found");
    }
    let r = reports(&s);
    if a.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(
                &json!({"fault_events": {"posdoc": r.posdoc, "checklist": r.checklist, "random": r.random}, "incidents": r.incidents})
            )?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}",
        pick(
            lang,
            &format!(
                "故障事件 {} 个（匹配到诊断 {} 个）",
                r.posdoc.events, r.posdoc.matched
            ),
            &format!(
                "{} fault event(s), {} matched to a diagnosis",
                r.posdoc.events, r.posdoc.matched
            )
        )
    )?;
    writeln!(
        out,
        "{:<28} {:>8} {:>10} {:>8}",
        "", "posdoc", "checklist", "random"
    )?;
    for (name, f) in [
        ("top-1", (|r: &Report| r.top1) as fn(&Report) -> f64),
        ("top-3", |r| r.top3),
        (
            if lang == Lang::Zh {
                "按原因平均 top-1"
            } else {
                "top-1 averaged over causes"
            },
            |r| r.macro_top1,
        ),
    ] {
        writeln!(
            out,
            "{:<28} {:>8.3} {:>10.3} {:>8.3}",
            name,
            f(&r.posdoc),
            f(&r.checklist),
            f(&r.random)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<26} {:>6} {:>8} {:>10}",
        pick(lang, "原因", "cause"),
        pick(lang, "事件", "events"),
        "posdoc",
        "checklist"
    )?;
    for (cause, (n, hit, _)) in &r.posdoc.per_cause {
        let cl = r.checklist.per_cause.get(cause).map(|v| v.1).unwrap_or(0);
        writeln!(
            out,
            "{:<26} {:>6} {:>8.2} {:>10.2}",
            cause,
            n,
            *hit as f64 / *n as f64,
            cl as f64 / *n as f64
        )?;
    }
    if !r.posdoc.confusions.is_empty() {
        writeln!(
            out,
            "\n{}",
            pick(
                lang,
                "最常见的误判（真实 → 判断）：",
                "Most frequent confusions (true → predicted):"
            )
        )?;
        for (t, p, n) in r.posdoc.confusions.iter().take(8) {
            writeln!(out, "  {n:>4}  {t} → {p}")?;
        }
    }
    let i = &r.incidents;
    let secs = |d: Option<f64>| d.map_or("-".to_string(), |d| format!("{d:.0} s"));
    if i.faults > 0 || i.incidents > 0 {
        let (delay, from_start) = (secs(i.median_delay_s), secs(i.median_delay_from_start_s));
        let (faults, detected, recall) = (i.faults, i.detected, i.recall);
        let (reported, real, precision) = (i.incidents, i.true_incidents, i.precision);
        let (right, per_fault) = (i.cause_right, i.incidents_per_fault);
        let (distinct, one) = (i.distinct_incidents, i.precision_one_per_fault);
        writeln!(
            out,
            "\n{}",
            pick(
                lang,
                &format!(
                    "故障事件（多台终端共同的故障）：真实 {faults} 个，发现 {detected} 个（召回率 {recall:.2}）；报出 {reported} 个，其中真实 {real} 个（精确率 {precision:.2}），各为不同故障的 {distinct} 个（每个故障只算一个事件的精确率 {one:.2}）；原因正确 {right} 个；从故障开始到报出的中位时间 {from_start}（从首次失败算 {delay}）；每个故障平均报出 {per_fault:.2} 个"
                ),
                &format!(
                    "Incidents (faults shared by several terminals): {faults} real, {detected} found (recall {recall:.2}); {reported} reported, {real} of them real (precision {precision:.2}), {distinct} of them each a different fault (precision counting one incident per fault {one:.2}); {right} with the right cause; median time from fault start to incident {from_start} (from its first failure {delay}); {per_fault:.2} incident(s) per found fault"
                )
            )
        )?;
    }
    if !i.per_cause.is_empty() {
        writeln!(
            out,
            "\n{:<26}{:>7}{:>7}{:>11}{:>20}{:>20}",
            pick(lang, "原因", "cause"),
            pick(lang, "故障", "faults"),
            pick(lang, "发现", "found"),
            pick(lang, "事件数", "incidents"),
            pick(lang, "中位：自故障开始", "median from start"),
            pick(lang, "自首次失败", "from 1st failure"),
        )?;
        for (cause, c) in &i.per_cause {
            writeln!(
                out,
                "{cause:<26}{:>7}{:>7}{:>11}{:>20}{:>20}",
                c.faults,
                c.detected,
                c.incidents,
                secs(c.median_delay_from_start_s),
                secs(c.median_delay_s)
            )?;
        }
    }
    for (line, e) in s.truth.skipped.iter().take(5) {
        eprintln!("posdoc: truth line {line}: {e}");
    }
    Ok(ExitCode::SUCCESS)
}
