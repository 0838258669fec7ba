//! The engine, live: one thread owns it and feeds it every stored record in
//! the order the store committed them. At start it replays the whole store
//! (the derived tables are rebuilt, so they always agree with the records);
//! after that it follows the writer's commits. What it derives goes back to
//! the store, out on the live channel and to the webhooks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, mpsc};
use std::time::Duration;

use posdoc_engine::report::{diagnosis_json, incident_json};
use posdoc_engine::{Engine, IncidentChange};
use posdoc_kb::{Kb, Lang};
use posdoc_record::{Record, parse_line};
use serde_json::Value;
use tokio::sync::broadcast;

use crate::alerts::{Alert, AlertKind, Alerter};
use crate::store::{
    self, DiagnosisRow, IncidentRow, MinuteDelta, Readers, TerminalStatus, Write, Writer,
};

/// Something the engine derived, for the live channel.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Incident {
        zh: Arc<Value>,
        en: Arc<Value>,
    },
    Diagnosis {
        terminal_id: String,
        zh: Arc<Value>,
        en: Arc<Value>,
    },
}

/// Which merchant each terminal belongs to, as the inventory says: what
/// a merchant token may see is decided against it.
pub type Directory = Arc<RwLock<HashMap<String, String>>>;

/// Shared view of the live engine's progress.
#[derive(Debug, Default)]
pub struct Progress {
    /// The engine has replayed the store and follows live commits.
    pub ready: AtomicBool,
    /// The last record id the engine has taken.
    pub done_id: AtomicI64,
    /// The last record id committed.
    pub committed_id: AtomicI64,
    pub diagnoses: AtomicU64,
    pub incident_changes: AtomicU64,
    pub unreadable: AtomicU64,
}

/// Handle to the engine thread.
#[derive(Debug, Clone)]
pub struct Live {
    pub events: broadcast::Sender<LiveEvent>,
    pub directory: Directory,
    pub progress: Arc<Progress>,
}

/// How long a quiet stream waits before the engine diagnoses what it holds.
const QUIET: Duration = Duration::from_secs(2);
/// How often terminals' latest state and the per-minute counts are stored.
const STATUS_EVERY: Duration = Duration::from_secs(2);
/// The least time between two "terminals joined" alerts of one incident.
const UPDATE_ALERT_EVERY: Duration = Duration::from_secs(300);
/// Records read from the store per query.
const CHUNK: i64 = 20_000;

/// Starts the engine thread; it replays the store first.
/// `commits` carries the last record id of each commit (the store writer
/// sends it); `progress` is shared with whoever reports on the engine.
pub fn start(
    kb: Arc<Kb>,
    readers: Arc<Readers>,
    writer: Writer,
    alerter: Alerter,
    dashboard_url: Option<String>,
    commits: mpsc::Receiver<i64>,
    progress: Arc<Progress>,
) -> Live {
    let rx = commits;
    let (events, _) = broadcast::channel(4096);
    let live = Live {
        events: events.clone(),
        directory: Arc::default(),
        progress,
    };
    let directory = Arc::clone(&live.directory);
    let progress = Arc::clone(&live.progress);
    std::thread::Builder::new()
        .name("posdoc-engine".into())
        .spawn(move || {
            let mut t = EngineThread {
                engine: Engine::new(Arc::clone(&kb)),
                kb,
                readers,
                writer,
                alerter,
                dashboard_url,
                events,
                directory,
                progress,
                announced: std::collections::HashSet::new(),
                alerted: HashMap::new(),
                shown: HashMap::new(),
                status: HashMap::new(),
                minutes: HashMap::new(),
                merchant_of: HashMap::new(),
                flushed: std::time::Instant::now(),
                replaying: true,
            };
            if let Err(e) = t.replay() {
                tracing::error!("engine replay failed: {e:#}");
            }
            t.replaying = false;
            t.progress.ready.store(true, Ordering::Release);
            t.follow(rx);
        })
        .expect("spawning the engine thread");
    live
}

struct EngineThread {
    engine: Engine,
    kb: Arc<Kb>,
    readers: Arc<Readers>,
    writer: Writer,
    alerter: Alerter,
    dashboard_url: Option<String>,
    events: broadcast::Sender<LiveEvent>,
    directory: Directory,
    progress: Arc<Progress>,
    /// Incidents already announced (to tell an update from an opening).
    announced: std::collections::HashSet<u32>,
    /// When each incident last alerted: chat robots take about 20
    /// messages a minute, so terminals joining alert at most every
    /// [`UPDATE_ALERT_EVERY`].
    alerted: HashMap<u32, std::time::Instant>,
    /// Each incident's cause and probability (in percent) as last stored.
    shown: HashMap<u32, (posdoc_record::Cause, i64)>,
    /// Terminals' latest state and per-minute counts since the last flush.
    status: HashMap<String, TerminalStatus>,
    minutes: HashMap<String, HashMap<i64, MinuteDelta>>,
    /// Each terminal's merchant, from the inventory.
    merchant_of: HashMap<String, String>,
    flushed: std::time::Instant,
    replaying: bool,
}

impl EngineThread {
    fn replay(&mut self) -> anyhow::Result<()> {
        let last = self.readers.with(store::last_record_id)?;
        self.progress
            .committed_id
            .fetch_max(last, Ordering::Relaxed);
        self.run_through(last)?;
        self.quiet();
        Ok(())
    }

    fn follow(&mut self, rx: mpsc::Receiver<i64>) {
        loop {
            match rx.recv_timeout(QUIET) {
                Ok(mut last) => {
                    while let Ok(more) = rx.try_recv() {
                        last = last.max(more);
                    }
                    if let Err(e) = self.run_through(last) {
                        tracing::error!("engine: reading the store failed: {e:#}");
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => self.quiet(),
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Feeds every record after the last one taken, up to `last`.
    fn run_through(&mut self, last: i64) -> anyhow::Result<()> {
        let mut from = self.progress.done_id.load(Ordering::Relaxed) + 1;
        while from <= last {
            let to = (from + CHUNK - 1).min(last);
            let mut diagnoses = Vec::new();
            // Each record is taken as it is read: no batch of parsed
            // records is held, so nothing large is allocated and freed.
            let readers = Arc::clone(&self.readers);
            readers.with(|c| {
                store::read_records(c, from, to, &mut |_, body| match parse_line(body) {
                    Ok(Some(r)) => {
                        if let Record::Terminal(t) = &r
                            && let Some(m) = &t.merchant_id
                        {
                            if let Ok(mut d) = self.directory.write() {
                                d.insert(t.terminal_id.clone(), m.clone());
                            }
                            self.merchant_of.insert(t.terminal_id.clone(), m.clone());
                        }
                        self.note_status(&r, body);
                        self.engine.push(r, &mut |d| diagnoses.push(d));
                    }
                    Ok(None) => {}
                    Err(_) => {
                        self.progress.unreadable.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })?;
            self.progress.done_id.store(to, Ordering::Relaxed);
            self.emit(diagnoses)?;
            if self.replaying || self.flushed.elapsed() >= STATUS_EVERY {
                self.flush_status()?;
            }
            from = to + 1;
        }
        Ok(())
    }

    /// The stream went quiet: diagnose what is held.
    fn quiet(&mut self) {
        let mut diagnoses = Vec::new();
        self.engine.finish(&mut |d| diagnoses.push(d));
        if let Err(e) = self.emit(diagnoses).and_then(|_| self.flush_status()) {
            tracing::error!("engine: storing diagnoses failed: {e:#}");
        }
    }

    /// Takes a record into the terminals' latest state and the per-minute
    /// counts (fleet-wide under `""`, and per merchant). Allocates only for
    /// a terminal, merchant or minute seen for the first time since the
    /// last flush.
    fn note_status(&mut self, r: &Record, body: &str) {
        let (terminal, ts) = match r {
            Record::Telemetry(t) => (t.terminal_id.as_str(), t.ts),
            Record::Txn(t) => (t.terminal_id.as_str(), t.ts),
            Record::Error(e) => (e.terminal_id.as_str(), e.ts),
            _ => return,
        };
        let secs = ts.0.div_euclid(1000);
        if !self.status.contains_key(terminal) {
            self.status.insert(
                terminal.to_string(),
                TerminalStatus {
                    terminal_id: terminal.to_string(),
                    ..TerminalStatus::default()
                },
            );
        }
        let st = self.status.get_mut(terminal).expect("inserted above");
        match r {
            Record::Telemetry(t) if secs >= st.last_seen => {
                st.online = t.online.or(st.online);
                let buf = st.telemetry.get_or_insert_with(String::new);
                buf.clear();
                buf.push_str(body);
            }
            Record::Error(_) => st.last_error = Some(st.last_error.unwrap_or(0).max(secs)),
            _ => {}
        }
        st.last_seen = st.last_seen.max(secs);
        let (txn, failed, error) = match r {
            Record::Txn(t) => (1, i64::from(t.failed()), 0),
            Record::Error(_) => (0, 0, 1),
            _ => return,
        };
        let merchant = match r {
            Record::Txn(t) => t.merchant_id.as_deref(),
            _ => None,
        }
        .or_else(|| self.merchant_of.get(terminal).map(String::as_str));
        let minute = secs.div_euclid(60) * 60;
        for m in std::iter::once("").chain(merchant) {
            if !self.minutes.contains_key(m) {
                self.minutes.insert(m.to_string(), HashMap::new());
            }
            let d = self
                .minutes
                .get_mut(m)
                .expect("inserted above")
                .entry(minute)
                .or_insert_with(|| MinuteDelta {
                    merchant_id: m.to_string(),
                    minute,
                    ..MinuteDelta::default()
                });
            d.txns += txn;
            d.failed += failed;
            d.errors += error;
        }
    }

    fn flush_status(&mut self) -> anyhow::Result<()> {
        self.flushed = std::time::Instant::now();
        if self.status.is_empty() && self.minutes.is_empty() {
            return Ok(());
        }
        let terminals = std::mem::take(&mut self.status).into_values().collect();
        let minutes = std::mem::take(&mut self.minutes)
            .into_values()
            .flat_map(HashMap::into_values)
            .collect();
        self.writer.send(Write::Status { terminals, minutes })
    }

    fn emit(&mut self, diagnoses: Vec<posdoc_engine::Diagnosis>) -> anyhow::Result<()> {
        let mut changes = self.engine.take_incident_changes();
        // An incident's cause is its members' diagnoses' vote: a diagnosis
        // can change it without a terminal joining, and that is news too.
        for d in &diagnoses {
            let Some(i) = d.incident_index else {
                continue;
            };
            if changes.iter().any(|c| c.incident() == i) {
                continue;
            }
            let r = self.engine.incident_report(i);
            let now = (r.cause, (r.p * 100.0).round() as i64);
            if self.shown.get(&i) != Some(&now) {
                changes.push(IncidentChange::Joined(i));
            }
        }
        if diagnoses.is_empty() && changes.is_empty() {
            return Ok(());
        }
        let kb = &*self.kb;
        let mut drows = Vec::with_capacity(diagnoses.len());
        for d in &diagnoses {
            let zh = diagnosis_json(d, kb, Lang::Zh);
            let en = diagnosis_json(d, kb, Lang::En);
            drows.push(DiagnosisRow {
                ts: d.ts.0.div_euclid(1000),
                terminal_id: d.terminal_id.clone(),
                site_id: d.site_id.clone(),
                code: d.code.clone(),
                top_cause: d.top().id().to_string(),
                incident_id: d.incident_id.clone(),
                body_zh: zh.to_string(),
                body_en: en.to_string(),
            });
            if !self.replaying {
                let _ = self.events.send(LiveEvent::Diagnosis {
                    terminal_id: d.terminal_id.clone(),
                    zh: Arc::new(zh),
                    en: Arc::new(en),
                });
            }
        }
        // An incident that opened and closed within one read is announced
        // opened, then closed: the change feed keeps only the closing.
        let changes: Vec<IncidentChange> = changes
            .into_iter()
            .flat_map(|c| match c {
                IncidentChange::Closed(i) if !self.announced.contains(&i) => {
                    vec![IncidentChange::Opened(i), c]
                }
                c => vec![c],
            })
            .collect();
        let mut irows = Vec::with_capacity(changes.len());
        for c in changes {
            let i = c.incident();
            let r = self.engine.incident_report(i);
            self.shown
                .insert(i, (r.cause, (r.p * 100.0).round() as i64));
            let zh = incident_json(&r, kb, Lang::Zh);
            let en = incident_json(&r, kb, Lang::En);
            let known = !self.announced.insert(i);
            let (event, kind) = match c {
                IncidentChange::Closed(_) => ("closed", AlertKind::Closed),
                IncidentChange::Opened(_) if !known => ("opened", AlertKind::Opened),
                _ => ("joined", AlertKind::Updated),
            };
            let at = match c {
                IncidentChange::Closed(_) => r.closed_at.unwrap_or(r.opened_at),
                IncidentChange::Opened(_) if !known => r.opened_at,
                _ => diagnoses.last().map_or(r.opened_at, |d| d.ts),
            };
            irows.push(IncidentRow {
                incident_id: r.incident_id.clone(),
                seq: i64::from(i) + 1,
                opened_at: r.opened_at.0.div_euclid(1000),
                closed_at: r.closed_at.map(|c| c.0.div_euclid(1000)),
                merged: r.merged_into.is_some(),
                updated_at: at.0.div_euclid(1000),
                body_zh: zh.to_string(),
                body_en: en.to_string(),
                event,
                terminals: r.terminals.len() as i64,
            });
            if !self.replaying {
                let due = kind != AlertKind::Updated
                    || self
                        .alerted
                        .get(&i)
                        .is_none_or(|t| t.elapsed() >= UPDATE_ALERT_EVERY);
                if r.merged_into.is_none() && due {
                    self.alerted.insert(i, std::time::Instant::now());
                    self.alerter.send(Alert {
                        kind,
                        incident: en.clone(),
                        title_zh: kb.cause(r.cause).title.get(Lang::Zh).to_string(),
                        title_en: kb.cause(r.cause).title.get(Lang::En).to_string(),
                        dashboard_url: self.dashboard_url.clone(),
                    });
                }
                let _ = self.events.send(LiveEvent::Incident {
                    zh: Arc::new(zh),
                    en: Arc::new(en),
                });
            }
        }
        self.progress
            .diagnoses
            .fetch_add(drows.len() as u64, Ordering::Relaxed);
        self.progress
            .incident_changes
            .fetch_add(irows.len() as u64, Ordering::Relaxed);
        self.writer.send(Write::Derived {
            diagnoses: drows,
            incidents: irows,
        })
    }
}
