//! The case library: every `cases/*.jsonl` is a realistic record file (format
//! v1) with its ground truth inline (`truth` and `truth_event` records). Each
//! file is read with the record reader and run through the engine the way
//! `posdoc eval` does it; every failed event must get a diagnosis, and the
//! top-1 cause (its first two dotted parts) must be the true one for at least
//! 90 % of a case's events and of its main fault's events.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use posdoc_engine::Engine;
use posdoc_eval::{Truth, TruthEvent};
use posdoc_kb::Kb;
use posdoc_record::{Cause, Reader, Record, Ts};

/// A diagnosis matches its truth event within this many seconds.
const MATCH_S: f64 = 2.0;
/// Share of events whose top-1 cause must be right, per case and per main fault.
const MIN_TOP1: f64 = 0.9;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cases")
}

fn case_files() -> Vec<PathBuf> {
    let dir = cases_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files in {}", dir.display());
    files
}

fn name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// A failed event as the contract defines it: an `error`, or a `txn` that
/// timed out, got no response code, or got one other than an approval.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Failed {
    ts: Ts,
    terminal_id: String,
    code: String,
}

fn failed_event(r: &Record) -> Option<Failed> {
    match r {
        Record::Error(e) => Some(Failed {
            ts: e.ts,
            terminal_id: e.terminal_id.to_string(),
            code: e.code.to_string(),
        }),
        Record::Txn(t) => {
            let code = match t.response_code.as_deref() {
                _ if t.timed_out => "timeout",
                None => "timeout",
                _ if t.approved() => return None,
                Some(c) => c,
            };
            Some(Failed {
                ts: t.ts,
                terminal_id: t.terminal_id.to_string(),
                code: code.to_string(),
            })
        }
        _ => None,
    }
}

struct Diag {
    ts: Ts,
    terminal_id: String,
    code: String,
    /// Causes with their probabilities, most likely first.
    ranked: Vec<(Cause, f64)>,
}

struct Case {
    name: String,
    /// Lines the reader refused, with the reason.
    bad_lines: Vec<String>,
    failed: Vec<Failed>,
    truth: Truth,
    diagnoses: Vec<Diag>,
}

fn run_case(kb: &Arc<Kb>, path: &Path) -> Case {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut engine = Engine::new(Arc::clone(kb));
    let mut diagnoses = Vec::new();
    let mut keep = |d: posdoc_engine::Diagnosis| {
        let mut ranked: Vec<(Cause, f64)> = Cause::ALL
            .iter()
            .map(|&c| (c, d.posterior[c.index()]))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        diagnoses.push(Diag {
            ts: d.ts,
            terminal_id: d.terminal_id.to_string(),
            code: d.code.to_string(),
            ranked,
        });
    };
    let mut bad_lines = Vec::new();
    let mut failed = Vec::new();
    for item in Reader::new(BufReader::new(text.as_bytes())) {
        match item {
            Ok((_, r)) => {
                failed.extend(failed_event(&r));
                engine.push(r, &mut keep);
            }
            Err(e) => bad_lines.push(e.to_string()),
        }
    }
    engine.finish(&mut keep);
    Case {
        name: name(path),
        bad_lines,
        failed,
        truth: Truth::parse(&text),
        diagnoses,
    }
}

fn load_cases() -> Vec<Case> {
    let kb = Arc::new(Kb::load(None).expect("the built-in knowledge base loads"));
    case_files().iter().map(|p| run_case(&kb, p)).collect()
}

fn truth_key(e: &TruthEvent) -> Failed {
    Failed {
        ts: e.ts,
        terminal_id: e.terminal_id.clone(),
        code: e.code.clone().unwrap_or_default(),
    }
}

/// The diagnosis of a truth event: same terminal and code, nearest in time within [`MATCH_S`].
fn matching<'a>(case: &'a Case, e: &TruthEvent) -> Option<&'a Diag> {
    case.diagnoses
        .iter()
        .filter(|d| {
            d.terminal_id == e.terminal_id
                && e.code.as_deref().is_none_or(|c| c == d.code)
                && d.ts.secs_since(e.ts).abs() <= MATCH_S
        })
        .min_by(|a, b| {
            a.ts.secs_since(e.ts)
                .abs()
                .total_cmp(&b.ts.secs_since(e.ts).abs())
        })
}

fn top3(d: &Diag) -> String {
    d.ranked
        .iter()
        .take(3)
        .map(|(c, p)| format!("{c} {p:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The case files themselves: every line reads, and every failed event has
/// exactly one truth_event with its time, terminal and code.
#[test]
fn case_files_are_well_formed_and_fully_labelled() {
    let mut problems = String::new();
    for case in load_cases() {
        for b in &case.bad_lines {
            let _ = writeln!(problems, "{}: unreadable line: {b}", case.name);
        }
        for (line, e) in &case.truth.skipped {
            let _ = writeln!(problems, "{}: bad truth line {line}: {e}", case.name);
        }
        if case.truth.faults.is_empty() {
            let _ = writeln!(problems, "{}: no `truth` record for the fault", case.name);
        }
        let mut failed = case.failed.clone();
        failed.sort();
        let mut labelled: Vec<Failed> = case.truth.events.iter().map(truth_key).collect();
        labelled.sort();
        for f in &failed {
            if !labelled.contains(f) {
                let _ = writeln!(
                    problems,
                    "{}: failed event without truth_event: {} {} {}",
                    case.name, f.ts, f.terminal_id, f.code
                );
            }
        }
        for l in &labelled {
            if !failed.contains(l) {
                let _ = writeln!(
                    problems,
                    "{}: truth_event without a failed event: {} {} {}",
                    case.name, l.ts, l.terminal_id, l.code
                );
            }
        }
        if failed.len() != labelled.len() {
            let _ = writeln!(
                problems,
                "{}: {} failed events, {} truth_events",
                case.name,
                failed.len(),
                labelled.len()
            );
        }
    }
    assert!(problems.is_empty(), "case files:\n{problems}");
}

/// Each of the contract's 27 causes is the true cause of some case's fault.
#[test]
fn every_cause_has_a_case() {
    let mut seen = BTreeSet::new();
    for case in load_cases() {
        seen.extend(case.truth.faults.iter().map(|f| f.cause));
    }
    let missing: Vec<&str> = Cause::ALL
        .iter()
        .filter(|c| !seen.contains(c))
        .map(|c| c.id())
        .collect();
    assert!(missing.is_empty(), "causes without a case: {missing:?}");
    assert_eq!(seen.len(), Cause::COUNT);
}

/// The engine on every case: a diagnosis for each failed event, and the right
/// top-1 cause for at least 90 % of the case's events and of its main fault's.
#[test]
fn engine_gets_the_cases_right() {
    let mut report = String::new();
    let mut total = (0usize, 0usize);
    for case in load_cases() {
        let mut all = (0usize, 0usize);
        let mut main = (0usize, 0usize);
        let mut lines = String::new();
        for e in &case.truth.events {
            let is_main = case.truth.is_fault_event(e);
            all.0 += 1;
            main.0 += usize::from(is_main);
            let code = e.code.as_deref().unwrap_or("?");
            match matching(&case, e) {
                None => {
                    let _ = writeln!(
                        lines,
                        "    {} {} {code}: NO DIAGNOSIS (expected {})",
                        e.ts, e.terminal_id, e.cause
                    );
                }
                Some(d) if d.ranked[0].0 == e.cause => {
                    all.1 += 1;
                    main.1 += usize::from(is_main);
                }
                Some(d) => {
                    let _ = writeln!(
                        lines,
                        "    {} {} {code}: expected {}{}, got {}",
                        e.ts,
                        e.terminal_id,
                        e.cause,
                        if is_main { "" } else { " (not main fault)" },
                        top3(d)
                    );
                }
            }
        }
        total.0 += all.0;
        total.1 += all.1;
        let share = |(n, ok): (usize, usize)| if n == 0 { 1.0 } else { ok as f64 / n as f64 };
        let missing = lines.contains("NO DIAGNOSIS");
        if missing || share(all) < MIN_TOP1 || share(main) < MIN_TOP1 {
            let _ = writeln!(
                report,
                "  {}: top-1 {}/{} events, {}/{} main-fault events",
                case.name, all.1, all.0, main.1, main.0
            );
            report.push_str(&lines);
        }
    }
    assert!(
        report.is_empty(),
        "cases the engine gets wrong (top-1 {}/{} events overall):\n{report}",
        total.1,
        total.0
    );
}

/// The seed's fleet cases as the fleet view sees them: the restaurant's
/// router and the shop's power are one site incident each, with the right
/// cause, and the terminal the outage broke is diagnosed apart from it once
/// the power is back.
#[test]
fn the_demo_fleet_shows_each_seed_case_as_one_incident() {
    let kb = Arc::new(Kb::load(None).expect("the built-in knowledge base loads"));
    let text = std::fs::read_to_string(cases_dir().join("demo.jsonl")).expect("demo fleet");
    let mut engine = Engine::new(Arc::clone(&kb));
    let mut diagnoses = Vec::new();
    for (_, r) in Reader::new(BufReader::new(text.as_bytes())).flatten() {
        engine.push(r, &mut |d| diagnoses.push(d));
    }
    engine.finish(&mut |d| diagnoses.push(d));
    let incidents: Vec<_> = (0..engine.incidents().len() as u32)
        .map(|i| engine.incident_report(i))
        .filter(|r| r.merged_into.is_none())
        .collect();
    let summary: Vec<(String, Cause)> = incidents
        .iter()
        .map(|r| (format!("{:?}", r.scope), r.cause))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                r#"[("site_id", "CD-088-1")]"#.to_string(),
                Cause::NetworkLan
            ),
            (
                r#"[("site_id", "HZ-023-1")]"#.to_string(),
                Cause::PowerSupply
            ),
        ]
    );
    let power = &incidents[1];
    let closed = power.closed_at.expect("the power incident ends");
    let broken: Vec<_> = diagnoses
        .iter()
        .filter(|d| d.terminal_id == "33023001" && d.ts > closed)
        .collect();
    assert!(!broken.is_empty());
    assert!(
        broken
            .iter()
            .all(|d| d.top() == Cause::HardwareBoard && d.incident_id.is_none()),
        "{:?}",
        broken.iter().map(|d| (d.ts, d.top())).collect::<Vec<_>>()
    );
}
