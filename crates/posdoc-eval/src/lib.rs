//! Scoring diagnoses against ground truth: top-1 and top-3 accuracy over
//! fault events, accuracy averaged over causes, a per-cause table and the
//! most frequent confusions. Pure: truth and predictions in, a [`Report`] out.
//!
//! Truth is the contract's `truth` (a fault: cause, terminals, start, end)
//! and `truth_event` (the true cause of one failed event) records. A
//! prediction is matched to its truth event by terminal, time and, when the
//! truth names one, code.

mod baseline;

pub use baseline::{Checklist, random_predictions};

use std::collections::{BTreeMap, HashMap};

use posdoc_record::{Cause, Ts};
use serde::Deserialize;

/// A truth record as read from a truth file.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TruthRecord {
    Truth {
        #[serde(default)]
        fault_id: Option<serde_json::Value>,
        cause: String,
        #[serde(default)]
        terminals: Vec<String>,
        start: String,
        #[serde(default)]
        end: Option<String>,
    },
    TruthEvent {
        ts: String,
        terminal_id: String,
        cause: String,
        #[serde(default)]
        code: Option<String>,
    },
}

/// A fault as the truth describes it.
#[derive(Debug, Clone)]
pub struct Fault {
    /// The truth's `fault_id`, as text (it may be a string or a number).
    pub id: Option<String>,
    pub cause: Cause,
    pub terminals: Vec<String>,
    pub start: Ts,
    pub end: Option<Ts>,
    /// When the scored records begin, if that is after `start`: a fault
    /// already under way is timed from there.
    pub observed_from: Option<Ts>,
}

#[derive(Debug, Clone)]
pub struct TruthEvent {
    pub ts: Ts,
    pub terminal_id: String,
    pub cause: Cause,
    pub code: Option<String>,
}

/// Ground truth, parsed.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    pub faults: Vec<Fault>,
    pub events: Vec<TruthEvent>,
    /// Lines that were not truth records, with the reason (line number, message).
    pub skipped: Vec<(u64, String)>,
}

impl Truth {
    /// Reads truth records from JSON Lines; other kinds are ignored, bad truth lines reported.
    pub fn parse(text: &str) -> Truth {
        let mut t = Truth::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || !(line.contains("\"truth\"") || line.contains("\"truth_event\""))
            {
                continue;
            }
            let n = i as u64 + 1;
            match serde_json::from_str::<TruthRecord>(line) {
                Ok(r) => {
                    if let Err(e) = t.add(r) {
                        t.skipped.push((n, e));
                    }
                }
                Err(e) => {
                    if line.contains("\"kind\":\"truth") || line.contains("\"kind\": \"truth") {
                        t.skipped.push((n, format!("invalid truth record: {e}")));
                    }
                }
            }
        }
        t
    }

    fn add(&mut self, r: TruthRecord) -> Result<(), String> {
        let cause = |c: &str| Cause::parse(c).ok_or_else(|| format!("unknown cause `{c}`"));
        let time = |s: &str| Ts::parse(s).map_err(|e| e.to_string());
        match r {
            TruthRecord::Truth {
                fault_id,
                cause: c,
                terminals,
                start,
                end,
            } => self.faults.push(Fault {
                id: fault_id.map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                }),
                cause: cause(&c)?,
                terminals,
                start: time(&start)?,
                end: end.as_deref().map(time).transpose()?,
                observed_from: None,
            }),
            TruthRecord::TruthEvent {
                ts,
                terminal_id,
                cause: c,
                code,
            } => self.events.push(TruthEvent {
                ts: time(&ts)?,
                terminal_id,
                cause: cause(&c)?,
                code,
            }),
        }
        Ok(())
    }

    /// Whether an event belongs to an injected fault (rather than to the
    /// background of ordinary declines). Without `truth` records every event counts.
    pub fn is_fault_event(&self, e: &TruthEvent) -> bool {
        if self.faults.is_empty() {
            return true;
        }
        self.faults.iter().any(|f| {
            f.cause == e.cause
                && (f.terminals.is_empty() || f.terminals.contains(&e.terminal_id))
                && e.ts >= f.start.plus_secs(-120)
                && f.end.is_none_or(|end| e.ts <= end.plus_secs(600))
        })
    }
}

/// One prediction: the ranked causes for an event.
#[derive(Debug, Clone)]
pub struct Prediction {
    pub ts: Ts,
    pub terminal_id: String,
    pub code: String,
    pub ranked: Vec<Cause>,
}

impl Prediction {
    /// A prediction from a full posterior indexed by [`Cause::index`]:
    /// causes ranked most likely first, ties in the contract's order.
    pub fn from_posterior(
        ts: Ts,
        terminal_id: String,
        code: String,
        posterior: &[f64],
    ) -> Prediction {
        let mut order: Vec<usize> = (0..Cause::COUNT.min(posterior.len())).collect();
        order.sort_by(|&a, &b| posterior[b].total_cmp(&posterior[a]));
        Prediction {
            ts,
            terminal_id,
            code,
            ranked: order.into_iter().map(|i| Cause::ALL[i]).collect(),
        }
    }
}

/// Scores of one predictor.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub events: usize,
    pub matched: usize,
    pub top1: f64,
    pub top3: f64,
    /// Top-1 accuracy averaged over the causes present.
    pub macro_top1: f64,
    /// cause → (events, top-1 hits, top-3 hits)
    pub per_cause: BTreeMap<String, (usize, usize, usize)>,
    /// (true, predicted) → count, most frequent first.
    pub confusions: Vec<(String, String, usize)>,
}

/// Scores predictions against the events that `select` keeps.
pub fn score(truth: &Truth, preds: &[Prediction], select: &dyn Fn(&TruthEvent) -> bool) -> Report {
    let mut index: HashMap<(&str, i64), Vec<usize>> = HashMap::new();
    for (i, p) in preds.iter().enumerate() {
        index
            .entry((p.terminal_id.as_str(), p.ts.millis()))
            .or_default()
            .push(i);
    }
    let mut used = vec![false; preds.len()];
    let mut r = Report::default();
    let mut confusions: HashMap<(Cause, Cause), usize> = HashMap::new();
    let mut per: BTreeMap<Cause, (usize, usize, usize)> = BTreeMap::new();
    for e in truth.events.iter().filter(|e| select(e)) {
        r.events += 1;
        let entry = per.entry(e.cause).or_default();
        entry.0 += 1;
        let cands = index.get(&(e.terminal_id.as_str(), e.ts.millis()));
        let hit = cands.and_then(|c| {
            c.iter()
                .copied()
                .find(|&i| {
                    !used[i]
                        && e.code
                            .as_deref()
                            .is_none_or(|code| preds[i].code.eq_ignore_ascii_case(code))
                })
                .or_else(|| c.iter().copied().find(|&i| !used[i]))
        });
        let Some(i) = hit else { continue };
        used[i] = true;
        r.matched += 1;
        let p = &preds[i];
        if p.ranked.first() == Some(&e.cause) {
            entry.1 += 1;
        } else if let Some(&top) = p.ranked.first() {
            *confusions.entry((e.cause, top)).or_default() += 1;
        }
        if p.ranked.iter().take(3).any(|&c| c == e.cause) {
            entry.2 += 1;
        }
    }
    let hits1: usize = per.values().map(|v| v.1).sum();
    let hits3: usize = per.values().map(|v| v.2).sum();
    r.top1 = ratio(hits1, r.events);
    r.top3 = ratio(hits3, r.events);
    r.macro_top1 = if per.is_empty() {
        0.0
    } else {
        per.values().map(|v| ratio(v.1, v.0)).sum::<f64>() / per.len() as f64
    };
    r.per_cause = per
        .into_iter()
        .map(|(c, v)| (c.id().to_string(), v))
        .collect();
    let mut conf: Vec<_> = confusions
        .into_iter()
        .map(|((t, p), n)| (t.id().to_string(), p.id().to_string(), n))
        .collect();
    // Ties in a fixed order: the report must not change from run to run.
    conf.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    r.confusions = conf;
    r
}

/// An incident as the engine finally reported it, for scoring.
#[derive(Debug, Clone)]
pub struct IncidentOut {
    pub opened_at: Ts,
    pub closed_at: Option<Ts>,
    pub terminals: Vec<String>,
    pub cause: Cause,
}

/// How well incidents found the faults shared by several terminals.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IncidentScore {
    /// Truth faults spanning two or more terminals, and those an incident found.
    pub faults: usize,
    pub detected: usize,
    pub recall: f64,
    /// Incidents reported, and those that are one of those faults.
    pub incidents: usize,
    pub true_incidents: usize,
    pub precision: f64,
    /// The most incidents that are each a different fault (each fault
    /// counted for one incident only), and their share of those reported:
    /// precision when a fault's second incident, a cascade or a flap, is
    /// a false alarm too.
    pub distinct_incidents: usize,
    pub precision_one_per_fault: f64,
    /// Of the found faults, those whose first incident named the right cause.
    pub cause_right: usize,
    /// Seconds from a fault's first failed event to its first incident, median.
    pub median_delay_s: Option<f64>,
    /// The same per found fault, shortest first (to pool runs).
    pub delays_s: Vec<f64>,
    /// Seconds from a fault's start (or the records' start, if later) to
    /// its first incident: median, and per found fault, shortest first.
    pub median_delay_from_start_s: Option<f64>,
    pub delays_from_start_s: Vec<f64>,
    /// Per cause of the shared faults: how many, how many found, and the
    /// median seconds to incident from the first failure and from the start.
    pub per_cause: BTreeMap<&'static str, CauseIncidents>,
    /// Incidents per found fault (1.0 = no fragmentation).
    pub incidents_per_fault: f64,
    /// Every shared fault's timeline, in the truth's order: where a slow or
    /// missed detection lost its time.
    pub per_fault: Vec<FaultTimeline>,
}

/// One shared fault from its start to its first incident.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FaultTimeline {
    pub fault_id: Option<String>,
    pub cause: &'static str,
    pub terminals: usize,
    /// The fault's start, or the records' start if later.
    pub start: Ts,
    /// Its first failed event, and the first failed event of a second
    /// terminal (the earliest any scope but a shop could have fired).
    pub first_failure: Option<Ts>,
    pub second_terminal_failure: Option<Ts>,
    /// Its first incident's opening and cause, if any found it, and how
    /// many incidents did.
    pub incident_opened_at: Option<Ts>,
    pub incident_cause: Option<&'static str>,
    pub incidents: usize,
}

/// One cause's shared faults, as incidents found them.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CauseIncidents {
    pub faults: usize,
    pub detected: usize,
    /// Incidents the found faults got (one each is the ideal).
    pub incidents: usize,
    pub median_delay_s: Option<f64>,
    pub median_delay_from_start_s: Option<f64>,
}

/// An incident is a fault's if at least half its terminals are the fault's
/// and it opened while the fault lasted (with the truth window's slack).
fn incident_is(f: &Fault, i: &IncidentOut) -> bool {
    if i.terminals.is_empty() {
        return false;
    }
    let shared = i
        .terminals
        .iter()
        .filter(|t| f.terminals.contains(t))
        .count();
    2 * shared >= i.terminals.len()
        && i.opened_at >= f.start.plus_secs(-120)
        && f.end.is_none_or(|end| i.opened_at <= end.plus_secs(600))
}

/// The largest number of incidents that can each be given a different
/// fault they are (a maximum bipartite matching, by augmenting paths: a
/// run has tens of faults and hundreds of incidents at most).
/// `is[i]`: the faults incident `i` is.
fn one_per_fault(faults: usize, is: &[Vec<usize>]) -> usize {
    // A fault's incident so far; an incident takes a fault that is free or
    // whose incident can move to another.
    fn take(
        i: usize,
        is: &[Vec<usize>],
        held_by: &mut [Option<usize>],
        tried: &mut [bool],
    ) -> bool {
        for &f in &is[i] {
            if tried[f] {
                continue;
            }
            tried[f] = true;
            if held_by[f].is_none_or(|other| take(other, is, held_by, tried)) {
                held_by[f] = Some(i);
                return true;
            }
        }
        false
    }
    let mut held_by = vec![None; faults];
    (0..is.len())
        .filter(|&i| take(i, is, &mut held_by, &mut vec![false; faults]))
        .count()
}

/// Scores incidents against the truth faults that span two or more terminals.
pub fn score_incidents(truth: &Truth, incidents: &[IncidentOut]) -> IncidentScore {
    let shared: Vec<&Fault> = truth
        .faults
        .iter()
        .filter(|f| f.terminals.len() >= 2)
        .collect();
    let mut r = IncidentScore {
        faults: shared.len(),
        incidents: incidents.len(),
        ..IncidentScore::default()
    };
    let mut delays = Vec::new();
    let mut from_start = Vec::new();
    let mut matched_incidents = 0usize;
    // Per cause: its faults, their incidents, and the delays to them.
    #[derive(Default)]
    struct Found {
        faults: usize,
        incidents: usize,
        from_first: Vec<f64>,
        from_start: Vec<f64>,
    }
    let mut by_cause: BTreeMap<&'static str, Found> = BTreeMap::new();
    for f in &shared {
        let entry = by_cause.entry(f.cause.id()).or_default();
        entry.faults += 1;
        let mut mine: Vec<&IncidentOut> = incidents.iter().filter(|i| incident_is(f, i)).collect();
        mine.sort_by_key(|i| i.opened_at);
        // Each member's first failure the fault caused that the data shows:
        // a fault that began before the records did is timed from there.
        let mut firsts: BTreeMap<&str, Ts> = BTreeMap::new();
        for e in truth.events.iter().filter(|e| {
            e.cause == f.cause
                && f.terminals.contains(&e.terminal_id)
                && e.ts >= f.start.plus_secs(-120)
        }) {
            let t = firsts.entry(&e.terminal_id).or_insert(e.ts);
            *t = (*t).min(e.ts);
        }
        let mut firsts: Vec<Ts> = firsts.into_values().collect();
        firsts.sort_unstable();
        let start = f.observed_from.map_or(f.start, |o| o.max(f.start));
        r.per_fault.push(FaultTimeline {
            fault_id: f.id.clone(),
            cause: f.cause.id(),
            terminals: f.terminals.len(),
            start,
            first_failure: firsts.first().copied(),
            second_terminal_failure: firsts.get(1).copied(),
            incident_opened_at: mine.first().map(|i| i.opened_at),
            incident_cause: mine.first().map(|i| i.cause.id()),
            incidents: mine.len(),
        });
        if mine.is_empty() {
            continue;
        }
        r.detected += 1;
        matched_incidents += mine.len();
        entry.incidents += mine.len();
        if mine[0].cause == f.cause {
            r.cause_right += 1;
        }
        let first = firsts.first().copied().unwrap_or(f.start);
        let (d, s) = (
            mine[0].opened_at.secs_since(first).max(0.0),
            mine[0].opened_at.secs_since(start).max(0.0),
        );
        delays.push(d);
        from_start.push(s);
        entry.from_first.push(d);
        entry.from_start.push(s);
    }
    for (cause, mut f) in by_cause {
        r.per_cause.insert(
            cause,
            CauseIncidents {
                faults: f.faults,
                detected: f.from_first.len(),
                incidents: f.incidents,
                median_delay_s: median(&mut f.from_first),
                median_delay_from_start_s: median(&mut f.from_start),
            },
        );
    }
    // Each incident's faults, once: whether it is real, and the most
    // incidents that are each a different fault.
    let is: Vec<Vec<usize>> = incidents
        .iter()
        .map(|i| {
            (0..shared.len())
                .filter(|&f| incident_is(shared[f], i))
                .collect()
        })
        .collect();
    r.true_incidents = is.iter().filter(|faults| !faults.is_empty()).count();
    r.distinct_incidents = one_per_fault(shared.len(), &is);
    r.recall = ratio(r.detected, r.faults);
    r.precision = ratio(r.true_incidents, r.incidents);
    r.precision_one_per_fault = ratio(r.distinct_incidents, r.incidents);
    r.incidents_per_fault = ratio(matched_incidents, r.detected);
    r.median_delay_s = median(&mut delays);
    r.delays_s = delays;
    r.median_delay_from_start_s = median(&mut from_start);
    r.delays_from_start_s = from_start;
    r
}

/// Sorts `v` and returns its median (the upper one of an even count).
fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    (!v.is_empty()).then(|| v[v.len() / 2])
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Ts {
        Ts::parse(s).unwrap()
    }

    #[test]
    fn incidents_are_timed_from_the_first_failure_and_from_the_start() {
        let mut truth = Truth::parse(concat!(
            r#"{"kind":"truth","fault_id":1,"cause":"power.supply","scope":{"site_id":"S"},"terminals":["T1","T2"],"start":"2026-11-03T12:00:00Z","end":"2026-11-03T13:00:00Z"}"#,
            "\n",
            r#"{"kind":"truth_event","ts":"2026-11-03T12:05:00Z","terminal_id":"T1","cause":"power.supply","code":"E1"}"#,
            "\n",
            r#"{"kind":"truth_event","ts":"2026-11-03T12:05:30Z","terminal_id":"T1","cause":"power.supply","code":"E1"}"#,
            "\n",
            r#"{"kind":"truth_event","ts":"2026-11-03T12:05:40Z","terminal_id":"T2","cause":"power.supply","code":"E1"}"#,
            "\n",
        ));
        let incident = |at: &str, terminals: &[&str]| IncidentOut {
            opened_at: ts(at),
            closed_at: None,
            terminals: terminals.iter().map(|t| t.to_string()).collect(),
            cause: Cause::PowerSupply,
        };
        let found = [
            incident("2026-11-03T12:06:00Z", &["T1", "T2"]),
            incident("2026-11-03T12:30:00Z", &["T8", "T9"]),
        ];
        let r = score_incidents(&truth, &found);
        assert_eq!(
            (r.faults, r.detected, r.incidents, r.true_incidents),
            (1, 1, 2, 1)
        );
        assert_eq!(r.distinct_incidents, 1);
        // The fault's second incident is real, and a second one for it.
        let twice = [
            found[0].clone(),
            incident("2026-11-03T12:20:00Z", &["T1", "T2"]),
        ];
        let r2 = score_incidents(&truth, &twice);
        assert_eq!((r2.true_incidents, r2.distinct_incidents), (2, 1));
        assert_eq!((r2.precision, r2.precision_one_per_fault), (1.0, 0.5));
        assert_eq!(r.median_delay_s, Some(60.0));
        assert_eq!(r.median_delay_from_start_s, Some(360.0));
        let power = &r.per_cause["power.supply"];
        assert_eq!((power.faults, power.detected, power.incidents), (1, 1, 1));
        assert_eq!(power.median_delay_from_start_s, Some(360.0));
        // The timeline: a second terminal's first failure, not the first
        // terminal's second.
        let t = &r.per_fault[0];
        assert_eq!(t.fault_id.as_deref(), Some("1"));
        assert_eq!(t.first_failure, Some(ts("2026-11-03T12:05:00Z")));
        assert_eq!(t.second_terminal_failure, Some(ts("2026-11-03T12:05:40Z")));
        assert_eq!(t.incident_opened_at, Some(ts("2026-11-03T12:06:00Z")));
        assert_eq!((t.incident_cause, t.incidents), (Some("power.supply"), 1));
        let json = serde_json::to_value(&r.per_fault).unwrap();
        assert_eq!(json[0]["first_failure"], "2026-11-03T12:05:00Z");
        // Records that begin after the fault did: timed from their start.
        truth.faults[0].observed_from = Some(ts("2026-11-03T12:03:00Z"));
        let r = score_incidents(&truth, &found);
        assert_eq!(r.median_delay_from_start_s, Some(180.0));
        assert_eq!(r.delays_from_start_s, vec![180.0]);
    }

    #[test]
    fn scores_top1_top3_macro_and_confusions() {
        let truth = Truth::parse(concat!(
            r#"{"kind":"truth","fault_id":1,"cause":"network.lan","scope":{"site_id":"S"},"terminals":["T1"],"start":"2026-11-03T12:00:00Z","end":"2026-11-03T13:00:00Z"}"#,
            "\n",
            r#"{"kind":"truth_event","ts":"2026-11-03T12:01:00Z","terminal_id":"T1","cause":"network.lan","code":"E1"}"#,
            "\n",
            r#"{"kind":"truth_event","ts":"2026-11-03T12:02:00Z","terminal_id":"T1","cause":"network.lan","code":"timeout"}"#,
            "\n",
            r#"{"kind":"truth_event","ts":"2026-11-03T12:03:00Z","terminal_id":"T2","cause":"card.decline","code":"51"}"#,
            "\n",
            r#"{"kind":"txn","ts":"2026-11-03T12:03:00Z"}"#,
            "\n",
        ));
        assert_eq!(truth.faults.len(), 1);
        assert_eq!(truth.events.len(), 3);
        let p = |t: &str, id: &str, code: &str, r: &[Cause]| Prediction {
            ts: ts(t),
            terminal_id: id.into(),
            code: code.into(),
            ranked: r.to_vec(),
        };
        let preds = vec![
            p(
                "2026-11-03T12:01:00Z",
                "T1",
                "E1",
                &[Cause::NetworkLan, Cause::PowerSupply],
            ),
            p(
                "2026-11-03T12:02:00Z",
                "T1",
                "timeout",
                &[
                    Cause::NetworkSignal,
                    Cause::UpstreamAcquirer,
                    Cause::NetworkLan,
                ],
            ),
            p("2026-11-03T12:03:00Z", "T2", "51", &[Cause::CardDecline]),
        ];
        let all = score(&truth, &preds, &|_| true);
        assert_eq!((all.events, all.matched), (3, 3));
        assert!((all.top1 - 2.0 / 3.0).abs() < 1e-9);
        assert!((all.top3 - 1.0).abs() < 1e-9);
        assert!((all.macro_top1 - 0.75).abs() < 1e-9);
        assert_eq!(
            all.confusions,
            vec![("network.lan".into(), "network.signal".into(), 1)]
        );
        let faults = score(&truth, &preds, &|e| truth.is_fault_event(e));
        assert_eq!(faults.events, 2);
    }

    /// Equal confusions of one true cause come in the order of what they
    /// were read as, whatever order the tally kept them in.
    #[test]
    fn tied_confusions_are_listed_in_a_fixed_order() {
        let mut lines = String::new();
        let mut preds = Vec::new();
        let read_as = [
            Cause::PowerSupply,
            Cause::NetworkSignal,
            Cause::HardwareBoard,
            Cause::NetworkCarrier,
        ];
        for (i, &c) in read_as.iter().enumerate() {
            let t = format!("2026-11-03T12:0{i}:00Z");
            lines.push_str(&format!(
                r#"{{"kind":"truth_event","ts":"{t}","terminal_id":"T1","cause":"network.lan","code":"E1"}}"#
            ));
            lines.push('\n');
            preds.push(Prediction {
                ts: ts(&t),
                terminal_id: "T1".into(),
                code: "E1".into(),
                ranked: vec![c],
            });
        }
        let truth = Truth::parse(&lines);
        let read: Vec<String> = score(&truth, &preds, &|_| true)
            .confusions
            .into_iter()
            .map(|(_, p, _)| p)
            .collect();
        assert_eq!(
            read,
            [
                "hardware.board",
                "network.carrier",
                "network.signal",
                "power.supply"
            ]
        );
    }

    #[test]
    fn unmatched_truth_counts_as_a_miss() {
        let truth = Truth::parse(
            r#"{"kind":"truth_event","ts":"2026-11-03T12:01:00Z","terminal_id":"T1","cause":"network.lan"}"#,
        );
        let r = score(&truth, &[], &|_| true);
        assert_eq!((r.events, r.matched, r.top1), (1, 0, 0.0));
    }
}
