//! `posdoc reconcile`: the gateway's journal against the terminals'
//! ledgers and the settlement totals. Money moves in three kinds of
//! transaction (sales, completions: debits; refunds: credits); each must be
//! approved on both sides or on neither, and each settled batch's totals
//! must agree three ways (terminal, host at settlement, journal now).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;

use crate::journal::{Reader, State};
use crate::protocol::{Kind, Totals};
use crate::terminal::Ledger;

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Discrepancy {
    pub terminal_id: String,
    pub batch: u32,
    pub stan: Option<u32>,
    /// `lost` (the terminal was approved, the journal does not count it),
    /// `unreversed` (the journal counts what the terminal does not),
    /// `amount`, `settlement`.
    pub what: String,
    pub detail: String,
}

/// The outcome.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Reconciliation {
    pub terminals: usize,
    pub matched: u64,
    pub matched_amount: u64,
    pub batches_settled: u64,
    pub journal_only_terminals: usize,
    pub discrepancies: Vec<Discrepancy>,
}

impl Reconciliation {
    /// Whether everything agrees.
    pub fn even(&self) -> bool {
        self.discrepancies.is_empty()
    }
}

fn moves_money(kind: Kind) -> bool {
    matches!(kind, Kind::Sale | Kind::Completion | Kind::Refund)
}

/// Reads every `*.jsonl` ledger in `dir`.
pub fn load_ledgers(dir: &Path) -> anyhow::Result<Vec<Ledger>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    for p in paths {
        let tid = p
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        out.push(Ledger::load(&p, &tid)?);
    }
    Ok(out)
}

/// Compares the journal at `journal` with `ledgers`.
pub fn reconcile(journal: &Path, ledgers: &[Ledger]) -> anyhow::Result<Reconciliation> {
    let reader = Reader::open(journal)?;
    let mut host: BTreeMap<(String, u32, u32), (Kind, u64)> = BTreeMap::new();
    let mut host_totals: BTreeMap<(String, u32), Totals> = BTreeMap::new();
    let mut host_terminals = BTreeSet::new();
    for t in reader.txns()? {
        host_terminals.insert(t.key.0.clone());
        if moves_money(t.kind) && t.state == State::Approved {
            host_totals
                .entry((t.key.0.clone(), t.key.1))
                .or_default()
                .add(t.kind, t.amount);
            host.insert(t.key.clone(), (t.kind, t.amount));
        }
    }
    let settlements: BTreeMap<(String, u32), _> = reader
        .settlements()?
        .into_iter()
        .map(|s| ((s.tid.clone(), s.batch), s))
        .collect();

    let mut r = Reconciliation {
        terminals: ledgers.len(),
        ..Reconciliation::default()
    };
    let mut seen = BTreeSet::new();
    for l in ledgers {
        seen.insert(l.tid.clone());
        let d = |batch: u32, stan: Option<u32>, what: &str, detail: String| Discrepancy {
            terminal_id: l.tid.clone(),
            batch,
            stan,
            what: what.into(),
            detail,
        };
        if let Some((kind, batch, stan, amount)) = l.pending_reversal {
            r.discrepancies.push(d(
                batch,
                Some(stan),
                "pending",
                format!("a reversal of {kind} {amount} is still owed"),
            ));
        }
        for ((batch, stan), t) in &l.txns {
            if !moves_money(t.kind) {
                continue;
            }
            let key = (l.tid.clone(), *batch, *stan);
            match (t.approved(), host.get(&key)) {
                (true, Some((_, amount))) if *amount == t.amount => {
                    r.matched += 1;
                    r.matched_amount += t.amount;
                }
                (true, Some((_, amount))) => r.discrepancies.push(d(
                    *batch,
                    Some(*stan),
                    "amount",
                    format!("terminal {} but journal {amount}", t.amount),
                )),
                (true, None) => r.discrepancies.push(d(
                    *batch,
                    Some(*stan),
                    "lost",
                    format!(
                        "{} {} approved at the terminal, not counted by the host",
                        t.kind, t.amount
                    ),
                )),
                (false, Some((kind, amount))) => r.discrepancies.push(d(
                    *batch,
                    Some(*stan),
                    "unreversed",
                    format!("{kind} {amount} counted by the host, not by the terminal"),
                )),
                (false, None) => {}
            }
        }
        // The host may count what the terminal never even sent (a replay).
        for ((tid, batch, stan), (kind, amount)) in host.range((l.tid.clone(), 0, 0)..) {
            if *tid != l.tid {
                break;
            }
            if !l.txns.contains_key(&(*batch, *stan)) {
                r.discrepancies.push(d(
                    *batch,
                    Some(*stan),
                    "unreversed",
                    format!("{kind} {amount} counted by the host, unknown to the terminal"),
                ));
            }
        }
        for (batch, terminal, at_host, balanced) in &l.settlements {
            r.batches_settled += 1;
            let now = host_totals
                .get(&(l.tid.clone(), *batch))
                .copied()
                .unwrap_or_default();
            let journalled = settlements.get(&(l.tid.clone(), *batch));
            let mut problems = Vec::new();
            if !balanced {
                problems.push("the host answered not balanced".to_string());
            }
            if terminal.on_wire() != at_host.on_wire() {
                problems.push(format!("terminal {terminal:?} vs host {at_host:?}"));
            }
            if at_host.on_wire() != now.on_wire() {
                problems.push(format!(
                    "settled {at_host:?} but the journal now counts {now:?}"
                ));
            }
            match journalled {
                None => problems.push("no settlement in the journal".into()),
                Some(s) if s.host.on_wire() != at_host.on_wire() => {
                    problems.push(format!("journal settlement {:?} vs {at_host:?}", s.host))
                }
                Some(_) => {}
            }
            if !problems.is_empty() {
                r.discrepancies
                    .push(d(*batch, None, "settlement", problems.join("; ")));
            }
        }
    }
    r.journal_only_terminals = host_terminals.difference(&seen).count();
    Ok(r)
}
