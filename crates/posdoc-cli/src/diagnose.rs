//! `posdoc diagnose`: the contract's batch diagnosis.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use posdoc_engine::{Diagnosis, Engine, EngineConfig, IncidentReport};
use posdoc_kb::{Kb, Lang};
use posdoc_record::{Cause, Reader};

use crate::Format;
use crate::output::{pick, write_incident, write_jsonl};

/// The demo fleet diagnosed when no input is given: the seed's two cases.
const DEMO: &str = include_str!("../../../cases/demo.jsonl");

/// Bad lines printed one by one before only counting.
const BAD_LINES_SHOWN_MAX: u64 = 20;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Record file (JSON Lines, format v1), or - for standard input. Without it, a built-in demo fleet.
    #[arg(long, short)]
    input: Option<PathBuf>,
    /// Where to write (default: standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// No progress bar even on a terminal.
    #[arg(long)]
    no_progress: bool,
    /// Print every factor the engine weighed for this terminal's events to
    /// standard error (ln likelihood of the five leading causes).
    #[arg(long, value_name = "TERMINAL_ID")]
    trace: Option<String>,
}

pub(crate) fn run(kb: Arc<Kb>, args: &Args, lang: Lang) -> anyhow::Result<ExitCode> {
    let (input, size): (Box<dyn BufRead>, Option<u64>) = match args.input.as_deref() {
        None => {
            eprintln!(
                "{}",
                pick(
                    lang,
                    "（未给 --input：诊断内置的演示数据——种子文档的两个案例）",
                    "(no --input: diagnosing the built-in demo fleet, the seed's two cases)"
                )
            );
            (Box::new(DEMO.as_bytes()), None)
        }
        Some(p) if p.as_os_str() == "-" => (Box::new(BufReader::new(io::stdin())), None),
        Some(p) => {
            let f = File::open(p).with_context(|| format!("opening {}", p.display()))?;
            let size = f.metadata().ok().map(|m| m.len());
            (Box::new(BufReader::with_capacity(1 << 16, f)), size)
        }
    };
    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let progress = (!args.no_progress && io::stderr().is_terminal())
        .then(|| size.filter(|&s| s > 8 << 20))
        .flatten()
        .map(|s| {
            let bar = indicatif::ProgressBar::new(s);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("static template"),
            );
            bar
        });

    let mut engine = Engine::with_config(
        Arc::clone(&kb),
        EngineConfig {
            trace_terminal: args.trace.clone(),
            ..EngineConfig::default()
        },
    );
    let mut report = TextReport::default();
    let mut bad = 0u64;
    let counting = CountingReader::new(input);
    let read_bytes = counting.counter();
    // Diagnoses wait here for the write: incidents opened by the same record
    // are written beside them, in the order the engine produced them.
    let mut ready: Vec<Diagnosis> = Vec::new();
    let mut sink = Sink {
        out: &mut out,
        report: &mut report,
        format: args.format,
        kb: &kb,
        lang,
    };
    for (n, item) in Reader::new(BufReader::with_capacity(1 << 16, counting)).enumerate() {
        match item {
            Ok((_, record)) => {
                engine.push(record, &mut |d| ready.push(d));
                sink.drain(&mut engine, &mut ready)
                    .context("writing diagnoses")?;
            }
            Err(e) => {
                bad += 1;
                if bad <= BAD_LINES_SHOWN_MAX {
                    eprintln!("posdoc: skipped {e}");
                }
            }
        }
        if n % 65_536 == 0
            && let Some(bar) = &progress
        {
            bar.set_position(read_bytes.get());
        }
    }
    engine.end(&mut |d| ready.push(d));
    sink.drain(&mut engine, &mut ready)
        .context("writing diagnoses")?;
    // Incidents still open when the records end, as they stand now.
    let open: Vec<u32> = (0u32..)
        .zip(engine.incidents())
        .filter(|(_, inc)| inc.closed_at.is_none())
        .map(|(i, _)| i)
        .collect();
    for i in open {
        sink.incident(&engine.incident_report(i))
            .context("writing incidents")?;
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if args.format == Format::Text {
        report.write(&mut out, &kb, lang)?;
    }
    out.flush().context("writing diagnoses")?;
    let c = engine.counters();
    eprintln!(
        "{}",
        pick(
            lang,
            &format!(
                "posdoc：读取 {} 条记录，{} 个终端，输出 {} 条诊断；跳过坏行 {} 行",
                c.records,
                engine.terminal_count(),
                c.diagnoses,
                bad
            ),
            &format!(
                "posdoc: {} records, {} terminals, {} diagnoses, {} bad line(s) skipped",
                c.records,
                engine.terminal_count(),
                c.diagnoses,
                bad
            )
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Where diagnoses and incidents go: JSON lines, or the text report.
struct Sink<'a> {
    out: &'a mut dyn Write,
    report: &'a mut TextReport,
    format: Format,
    kb: &'a Kb,
    lang: Lang,
}

impl Sink<'_> {
    fn drain(&mut self, engine: &mut Engine, ready: &mut Vec<Diagnosis>) -> io::Result<()> {
        for d in ready.drain(..) {
            if !d.trace.is_empty() {
                eprint!("{}", trace_table(&d));
            }
            match self.format {
                Format::Jsonl => write_jsonl(self.out, &d, self.kb, self.lang)?,
                Format::Text => self.report.add(d),
            }
        }
        for change in engine.take_incident_changes() {
            self.incident(&engine.incident_report(change.incident()))?;
        }
        Ok(())
    }

    fn incident(&mut self, r: &IncidentReport) -> io::Result<()> {
        match self.format {
            Format::Jsonl => write_incident(self.out, r, self.kb, self.lang),
            Format::Text => {
                self.report.incident(r.clone());
                Ok(())
            }
        }
    }
}

/// Counts bytes read, for the progress bar.
struct CountingReader<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R> CountingReader<R> {
    fn new(inner: R) -> Self {
        CountingReader {
            inner,
            count: Default::default(),
        }
    }
    fn counter(&self) -> std::rc::Rc<std::cell::Cell<u64>> {
        std::rc::Rc::clone(&self.count)
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// The readable report: per terminal, per cause, with evidence.
#[derive(Default)]
struct TextReport {
    by_terminal: BTreeMap<String, Vec<Diagnosis>>,
    /// The latest state of each incident, by id.
    incidents: BTreeMap<String, IncidentReport>,
}

impl TextReport {
    fn incident(&mut self, r: IncidentReport) {
        self.incidents.insert(r.incident_id.clone(), r);
    }

    fn add(&mut self, d: Diagnosis) {
        self.by_terminal
            .entry(d.terminal_id.clone())
            .or_default()
            .push(d);
    }

    fn write(&self, w: &mut dyn Write, kb: &Kb, lang: Lang) -> io::Result<()> {
        let total: usize = self.by_terminal.values().map(Vec::len).sum();
        let mut fleet: BTreeMap<Cause, usize> = BTreeMap::new();
        for d in self.by_terminal.values().flatten() {
            *fleet.entry(d.top()).or_default() += 1;
        }
        let mut fleet: Vec<_> = fleet.into_iter().collect();
        fleet.sort_by_key(|x| std::cmp::Reverse(x.1));
        writeln!(
            w,
            "{}",
            pick(
                lang,
                &format!(
                    "== 诊断报告：{} 个终端，{total} 个失败事件 ==",
                    self.by_terminal.len()
                ),
                &format!(
                    "== Diagnosis report: {} terminal(s), {total} failed event(s) ==",
                    self.by_terminal.len()
                )
            )
        )?;
        writeln!(w, "{}", pick(lang, "按原因：", "By cause:"))?;
        for (c, n) in &fleet {
            writeln!(
                w,
                "  {:>5}  {:<24} {}",
                n,
                c.id(),
                kb.cause(*c).title.get(lang)
            )?;
        }
        // Faults several terminals share, before the terminals one by one.
        let shown: Vec<&IncidentReport> = self
            .incidents
            .values()
            .filter(|r| r.merged_into.is_none())
            .collect();
        if !shown.is_empty() {
            writeln!(w)?;
            writeln!(
                w,
                "{}",
                pick(
                    lang,
                    "故障事件（多台终端共同的故障）：",
                    "Incidents (faults shared by several terminals):"
                )
            )?;
            for r in shown {
                let scope: Vec<String> = r.scope.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let until = match r.closed_at {
                    Some(c) => c.to_string(),
                    None => pick(lang, "仍未结束", "still open").to_string(),
                };
                writeln!(
                    w,
                    "  {}  {}  {} ({})  p={:.2}  {} {}  {} … {}",
                    r.incident_id,
                    scope.join(" "),
                    kb.cause(r.cause).title.get(lang),
                    r.cause.id(),
                    r.p,
                    r.terminals.len(),
                    pick(lang, "台终端", "terminal(s)"),
                    r.opened_at,
                    until
                )?;
                writeln!(w, "      {}", r.terminals.join(" "))?;
            }
        }
        for (tid, ds) in &self.by_terminal {
            let first = &ds[0];
            writeln!(w)?;
            writeln!(
                w,
                "{} {tid}  ({} {}{})  — {}",
                pick(lang, "终端", "Terminal"),
                first.vendor,
                first.model,
                first
                    .site_id
                    .as_deref()
                    .map(|s| format!(", {} {s}", pick(lang, "门店", "site")))
                    .unwrap_or_default(),
                pick(
                    lang,
                    &format!("{} 个失败事件", ds.len()),
                    &format!("{} failed event(s)", ds.len())
                )
            )?;
            let mut groups: BTreeMap<Cause, Vec<&Diagnosis>> = BTreeMap::new();
            for d in ds {
                groups.entry(d.top()).or_default().push(d);
            }
            let mut groups: Vec<_> = groups.into_iter().collect();
            groups.sort_by_key(|g| std::cmp::Reverse(g.1.len()));
            for (cause, items) in groups {
                let best = items
                    .iter()
                    .max_by(|a, b| a.causes[0].p.total_cmp(&b.causes[0].p))
                    .expect("non-empty");
                let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
                for d in &items {
                    *codes.entry(d.code.as_str()).or_default() += 1;
                }
                let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c}×{n}")).collect();
                writeln!(
                    w,
                    "  ▶ {} ({})  p={:.2}  [{}]  {} … {}",
                    kb.cause(cause).title.get(lang),
                    cause.id(),
                    best.causes[0].p,
                    codes.join(" "),
                    items[0].ts_raw,
                    items[items.len() - 1].ts_raw
                )?;
                let others: Vec<String> = best.causes[1..]
                    .iter()
                    .take(2)
                    .map(|c| format!("{} {:.2}", c.cause.id(), c.p))
                    .collect();
                writeln!(
                    w,
                    "      {}: {}",
                    pick(lang, "其次", "then"),
                    others.join(", ")
                )?;
                for e in best.evidence.iter().take(5) {
                    writeln!(w, "      · {}", e.text.get(lang))?;
                }
                if let Some(c) = best.next_checks.first() {
                    writeln!(
                        w,
                        "      {} {} ({}, {} min)",
                        pick(lang, "下一步检查：", "next check:"),
                        c.question.get(lang),
                        c.who.title().get(lang),
                        c.cost_min
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// The factors of a traced diagnosis as a table: a row per factor, a column
/// per leading cause, natural-log units (positive counts for the cause).
fn trace_table(d: &Diagnosis) -> String {
    use std::fmt::Write as _;
    let leading: Vec<Cause> = d.causes.iter().take(5).map(|c| c.cause).collect();
    let mut out = format!("trace {} {} {}\n{:<32}", d.ts, d.terminal_id, d.code, "");
    for c in &leading {
        let _ = write!(out, "{:>24}", c.id());
    }
    out.push('\n');
    for f in &d.trace {
        let label = match &f.value {
            Some(v) => format!("{}={v}", f.signal),
            None => f.signal.clone(),
        };
        if f.signal != "prior" && leading.iter().all(|c| f.ln[c.index()].abs() < 0.005) {
            continue;
        }
        let _ = write!(out, "{:<32}", label.chars().take(31).collect::<String>());
        for c in &leading {
            let _ = write!(out, "{:>24.2}", f.ln[c.index()]);
        }
        out.push('\n');
    }
    out
}
