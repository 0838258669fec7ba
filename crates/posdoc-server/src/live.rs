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
use crate::store::{self, DiagnosisRow, IncidentRow, Readers, Write, Writer};

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
                seq: HashMap::new(),
                alerted: HashMap::new(),
                shown: HashMap::new(),
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
    /// Incident ids already stored (to tell an update from an opening).
    seq: HashMap<u32, i64>,
    /// When each incident last alerted: chat robots take about 20
    /// messages a minute, so terminals joining alert at most every
    /// [`UPDATE_ALERT_EVERY`].
    alerted: HashMap<u32, std::time::Instant>,
    /// Each incident's cause and probability (in percent) as last stored.
    shown: HashMap<u32, (posdoc_record::Cause, i64)>,
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
            let mut records = Vec::new();
            self.readers.with(|c| {
                store::read_records(c, from, to, &mut |_, body| match parse_line(body) {
                    Ok(Some(r)) => records.push(r),
                    Ok(None) => {}
                    Err(_) => {
                        self.progress.unreadable.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })?;
            let mut diagnoses = Vec::new();
            for r in records {
                if let Record::Terminal(t) = &r
                    && let Some(m) = &t.merchant_id
                    && let Ok(mut d) = self.directory.write()
                {
                    d.insert(t.terminal_id.clone(), m.clone());
                }
                self.engine.push(r, &mut |d| diagnoses.push(d));
            }
            self.progress.done_id.store(to, Ordering::Relaxed);
            self.emit(diagnoses)?;
            from = to + 1;
        }
        Ok(())
    }

    /// The engine's index of incident `id` (`INC-0007` is the seventh).
    fn index_of(&self, id: &str) -> Option<u32> {
        let i = id
            .strip_prefix("INC-")?
            .parse::<u32>()
            .ok()?
            .checked_sub(1)?;
        (self.engine.incidents().get(i as usize)?.id == id).then_some(i)
    }

    /// The stream went quiet: diagnose what is held.
    fn quiet(&mut self) {
        let mut diagnoses = Vec::new();
        self.engine.finish(&mut |d| diagnoses.push(d));
        if let Err(e) = self.emit(diagnoses) {
            tracing::error!("engine: storing diagnoses failed: {e:#}");
        }
    }

    fn emit(&mut self, diagnoses: Vec<posdoc_engine::Diagnosis>) -> anyhow::Result<()> {
        let mut changes = self.engine.take_incident_changes();
        // An incident's cause is its members' diagnoses' vote: a diagnosis
        // can change it without a terminal joining, and that is news too.
        for d in &diagnoses {
            let Some(i) = d.incident_id.as_deref().and_then(|id| self.index_of(id)) else {
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
        let mut irows = Vec::with_capacity(changes.len());
        for c in changes {
            let i = c.incident();
            let r = self.engine.incident_report(i);
            self.shown
                .insert(i, (r.cause, (r.p * 100.0).round() as i64));
            let zh = incident_json(&r, kb, Lang::Zh);
            let en = incident_json(&r, kb, Lang::En);
            let known = self.seq.contains_key(&i);
            let (event, kind) = match c {
                IncidentChange::Closed(_) => ("closed", AlertKind::Closed),
                IncidentChange::Opened(_) if !known => ("opened", AlertKind::Opened),
                _ => ("joined", AlertKind::Updated),
            };
            self.seq.insert(i, i64::from(i) + 1);
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
