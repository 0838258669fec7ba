//! The embedded store: one SQLite file in WAL mode.
//!
//! One writer thread owns the only writing connection and commits whatever
//! has queued up in one transaction (group commit): an ingestion batch is
//! acknowledged only after the transaction that holds it is durable
//! (`synchronous=FULL`), and many concurrent batches share one fsync.
//! Readers take connections from a small pool; WAL lets them read while the
//! writer writes.
//!
//! What the store holds: the records as they arrived (masked), per-terminal
//! and per-minute summaries kept with them in the same transaction, and
//! what the engine derived (diagnoses, incidents). Derived rows are rebuilt
//! from the records at start (the engine is deterministic), so they can
//! never disagree with the records.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};

/// Schema migrations, applied in order; `PRAGMA user_version` says how many
/// have run.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    ts INTEGER,
    kind TEXT NOT NULL,
    terminal_id TEXT,
    body TEXT NOT NULL
);
CREATE INDEX records_terminal ON records (terminal_id, kind, id);
CREATE TABLE terminals (
    terminal_id TEXT PRIMARY KEY,
    merchant_id TEXT,
    site_id TEXT,
    vendor TEXT,
    model TEXT,
    network TEXT,
    inventory TEXT,
    last_seen INTEGER,
    online INTEGER,
    telemetry TEXT,
    last_error INTEGER
);
CREATE INDEX terminals_merchant ON terminals (merchant_id);
CREATE TABLE sites (
    site_id TEXT PRIMARY KEY,
    merchant_id TEXT,
    body TEXT NOT NULL
);
CREATE TABLE merchants (
    merchant_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE minute_stats (
    merchant_id TEXT NOT NULL,
    minute INTEGER NOT NULL,
    txns INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (merchant_id, minute)
) WITHOUT ROWID;
CREATE TABLE diagnoses (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    terminal_id TEXT NOT NULL,
    merchant_id TEXT,
    site_id TEXT,
    code TEXT,
    top_cause TEXT,
    incident_id TEXT,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL
);
CREATE INDEX diagnoses_terminal ON diagnoses (terminal_id, id);
CREATE INDEX diagnoses_incident ON diagnoses (incident_id, id);
CREATE INDEX diagnoses_ts ON diagnoses (ts);
CREATE TABLE incidents (
    incident_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    merged INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL
);
CREATE INDEX incidents_seq ON incidents (seq);
CREATE TABLE incident_timeline (
    incident_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    event TEXT NOT NULL,
    terminals INTEGER NOT NULL
);
CREATE INDEX incident_timeline_id ON incident_timeline (incident_id, ts);
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    merchant_id TEXT,
    label TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    token_id INTEGER,
    role TEXT,
    action TEXT NOT NULL,
    detail TEXT
);
"#,
    // Per-hour counts of diagnoses by cause and by site (fleet-wide under
    // merchant '' and per merchant), so the overview never scans diagnoses.
    r#"
CREATE TABLE cause_stats (
    merchant_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    cause TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, hour, cause)
) WITHOUT ROWID;
CREATE TABLE site_stats (
    merchant_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, hour, site_id)
) WITHOUT ROWID;
CREATE INDEX terminals_last_seen ON terminals (last_seen);
CREATE INDEX terminals_last_error ON terminals (last_error);
"#,
];

/// Page cache of the writing connection, KiB.
const WRITER_CACHE_KIB: i64 = 256 * 1024;
/// Page cache of each reading connection, KiB.
const READER_CACHE_KIB: i64 = 32 * 1024;

/// The store's file inside the data directory.
pub fn db_path(data: &Path) -> PathBuf {
    data.join("posdoc.db")
}

/// Opens (creating if needed) the database and applies pending migrations.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
    }
    let mut conn =
        Connection::open(path).with_context(|| format!("opening the store {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Acknowledged means on disk, even if the machine loses power.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The records' terminal index takes inserts all over: with SQLite's
    // default 2 MB cache, ingestion slows to a crawl past a few GB.
    conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(m)
            .with_context(|| format!("applying migration {}", i + 1))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(conn)
}

/// A read-only connection pool.
#[derive(Debug)]
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on a pooled connection.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let conn = self.idle.lock().map_err(|_| poisoned())?.pop();
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                c.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
                c
            }
        };
        let out = f(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < 8
        {
            idle.push(conn);
        }
        out
    }
}

fn poisoned() -> anyhow::Error {
    anyhow::anyhow!("store connection pool poisoned")
}

/// One record to store: its summary columns and its cleaned body.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub ts: Option<i64>,
    pub kind: String,
    pub terminal_id: Option<String>,
    pub body: String,
    pub summary: Summary,
}

/// What an inventory record changes in the tables kept beside the
/// records (in their transaction: a terminal's merchant decides access).
#[derive(Debug, Clone)]
pub enum Summary {
    Terminal {
        merchant_id: Option<String>,
        site_id: Option<String>,
        vendor: String,
        model: String,
        network: Option<String>,
    },
    Site {
        site_id: String,
        merchant_id: Option<String>,
    },
    Merchant {
        merchant_id: String,
    },
    None,
}

/// A terminal's latest state, as the engine thread last saw it.
#[derive(Debug, Clone, Default)]
pub struct TerminalStatus {
    pub terminal_id: String,
    pub last_seen: i64,
    pub online: Option<bool>,
    /// Its latest telemetry record (JSON), if one came since the last flush.
    pub telemetry: Option<String>,
    pub last_error: Option<i64>,
}

/// Counts to add to one minute of one merchant's (or, under `""`, the
/// fleet's) statistics.
#[derive(Debug, Clone, Default)]
pub struct MinuteDelta {
    pub merchant_id: String,
    pub minute: i64,
    pub txns: i64,
    pub failed: i64,
    pub errors: i64,
}

/// A diagnosis row, rendered in both languages.
#[derive(Debug, Clone)]
pub struct DiagnosisRow {
    pub ts: i64,
    pub terminal_id: String,
    pub site_id: Option<String>,
    pub code: String,
    pub top_cause: String,
    pub incident_id: Option<String>,
    pub body_zh: String,
    pub body_en: String,
}

/// An incident's latest state, in both languages, and what changed.
#[derive(Debug, Clone)]
pub struct IncidentRow {
    pub incident_id: String,
    pub seq: i64,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub merged: bool,
    pub updated_at: i64,
    pub body_zh: String,
    pub body_en: String,
    pub event: &'static str,
    pub terminals: i64,
}

/// An audit entry.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub token_id: Option<i64>,
    pub role: Option<String>,
    pub action: String,
    pub detail: String,
}

/// Work for the writer thread.
#[derive(Debug)]
pub enum Write {
    /// Records to store; answered with the ids of the stored rows (in
    /// order) once their transaction is durable.
    Records {
        rows: Vec<NewRecord>,
        audit: Option<AuditRow>,
        done: tokio::sync::oneshot::Sender<anyhow::Result<(i64, i64)>>,
    },
    /// What the engine derived.
    Derived {
        diagnoses: Vec<DiagnosisRow>,
        incidents: Vec<IncidentRow>,
    },
    /// Terminals' latest state and per-minute counts, derived by the engine
    /// thread and flushed every few seconds rather than per record: they
    /// would otherwise rewrite thousands of rows per batch.
    Status {
        terminals: Vec<TerminalStatus>,
        minutes: Vec<MinuteDelta>,
    },
    Audit(AuditRow),
    /// Answered once everything queued before it is committed.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// The sending side of the writer thread.
#[derive(Debug, Clone)]
pub struct Writer {
    tx: mpsc::Sender<Write>,
}

impl Writer {
    pub fn send(&self, w: Write) -> anyhow::Result<()> {
        self.tx
            .send(w)
            .map_err(|_| anyhow::anyhow!("the store writer has stopped"))
    }
}

/// Called after each commit with the id range of the records it held (an
/// empty range when it held none): the engine reads them from there.
pub type OnCommit = Box<dyn FnMut(i64, i64) + Send>;

/// Starts the writer thread on `conn`.
pub fn start_writer(conn: Connection, mut on_commit: OnCommit) -> Writer {
    let (tx, rx) = mpsc::channel::<Write>();
    std::thread::Builder::new()
        .name("posdoc-store-writer".into())
        .spawn(move || {
            let mut conn = conn;
            while let Ok(first) = rx.recv() {
                let mut jobs = vec![first];
                // Group commit: take whatever else is already waiting.
                while jobs.len() < 512 {
                    match rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                let result = commit(&mut conn, &jobs);
                let mut first_id = i64::MAX;
                let mut last_id = 0;
                match result {
                    Ok(ranges) => {
                        let mut ranges = ranges.into_iter();
                        for j in jobs {
                            match j {
                                Write::Records { done, .. } => {
                                    let r = ranges.next().unwrap_or((0, -1));
                                    if r.1 >= r.0 {
                                        first_id = first_id.min(r.0);
                                        last_id = last_id.max(r.1);
                                    }
                                    let _ = done.send(Ok(r));
                                }
                                Write::Flush(done) => {
                                    let _ = done.send(());
                                }
                                _ => {}
                            }
                        }
                    }
                    Err(e) => {
                        tracing::error!("store commit failed: {e:#}");
                        let msg = format!("{e:#}");
                        for j in jobs {
                            match j {
                                Write::Records { done, .. } => {
                                    let _ = done.send(Err(anyhow::anyhow!("{msg}")));
                                }
                                Write::Flush(done) => {
                                    let _ = done.send(());
                                }
                                _ => {}
                            }
                        }
                    }
                }
                if last_id >= first_id {
                    on_commit(first_id, last_id);
                }
            }
        })
        .expect("spawning the store writer thread");
    Writer { tx }
}

/// Commits every job in one transaction; returns each `Records` job's id
/// range, in order.
fn commit(conn: &mut Connection, jobs: &[Write]) -> anyhow::Result<Vec<(i64, i64)>> {
    let tx = conn.transaction()?;
    let mut ranges = Vec::new();
    {
        let mut ins = tx.prepare_cached(
            "INSERT INTO records (ts, kind, terminal_id, body) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut audit = tx.prepare_cached(
            "INSERT INTO audit (ts, token_id, role, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for j in jobs {
            match j {
                Write::Records { rows, audit: a, .. } => {
                    let mut first = 0;
                    let mut last = -1;
                    for (i, r) in rows.iter().enumerate() {
                        ins.execute(params![r.ts, r.kind, r.terminal_id, r.body])?;
                        let id = tx.last_insert_rowid();
                        if i == 0 {
                            first = id;
                        }
                        last = id;
                    }
                    summarize(&tx, rows)?;
                    if let Some(a) = a {
                        audit.execute(params![
                            crate::auth::now(),
                            a.token_id,
                            a.role,
                            a.action,
                            a.detail
                        ])?;
                    }
                    ranges.push((first, last));
                }
                Write::Derived {
                    diagnoses,
                    incidents,
                } => store_derived(&tx, diagnoses, incidents)?,
                Write::Status { terminals, minutes } => store_status(&tx, terminals, minutes)?,
                Write::Audit(a) => {
                    audit.execute(params![
                        crate::auth::now(),
                        a.token_id,
                        a.role,
                        a.action,
                        a.detail
                    ])?;
                }
                Write::Flush(_) => {}
            }
        }
    }
    tx.commit()?;
    Ok(ranges)
}

/// Keeps the inventory tables in step with the records, in their
/// transaction.
fn summarize(tx: &rusqlite::Transaction<'_>, rows: &[NewRecord]) -> anyhow::Result<()> {
    for r in rows {
        match &r.summary {
            Summary::Terminal {
                merchant_id,
                site_id,
                vendor,
                model,
                network,
            } => {
                tx.prepare_cached(
                    "INSERT INTO terminals (terminal_id, merchant_id, site_id, vendor, model, network, inventory)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (terminal_id) DO UPDATE SET merchant_id = excluded.merchant_id,
                       site_id = excluded.site_id, vendor = excluded.vendor, model = excluded.model,
                       network = excluded.network, inventory = excluded.inventory",
                )?
                .execute(params![
                    r.terminal_id,
                    merchant_id,
                    site_id,
                    vendor,
                    model,
                    network,
                    r.body
                ])?;
            }
            Summary::Site {
                site_id,
                merchant_id,
            } => {
                tx.prepare_cached(
                    "INSERT INTO sites (site_id, merchant_id, body) VALUES (?1, ?2, ?3)
                     ON CONFLICT (site_id) DO UPDATE SET merchant_id = excluded.merchant_id, body = excluded.body",
                )?
                .execute(params![site_id, merchant_id, r.body])?;
            }
            Summary::Merchant { merchant_id } => {
                tx.prepare_cached(
                    "INSERT INTO merchants (merchant_id, body) VALUES (?1, ?2)
                     ON CONFLICT (merchant_id) DO UPDATE SET body = excluded.body",
                )?
                .execute(params![merchant_id, r.body])?;
            }
            Summary::None => {}
        }
    }
    Ok(())
}

fn store_status(
    tx: &rusqlite::Transaction<'_>,
    terminals: &[TerminalStatus],
    minutes: &[MinuteDelta],
) -> anyhow::Result<()> {
    let mut upsert_t = tx.prepare_cached(
        "INSERT INTO terminals (terminal_id, last_seen, online, telemetry, last_error)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (terminal_id) DO UPDATE SET
           last_seen = max(coalesce(last_seen, 0), excluded.last_seen),
           online = coalesce(excluded.online, online),
           telemetry = coalesce(excluded.telemetry, telemetry),
           last_error = max(coalesce(last_error, 0), coalesce(excluded.last_error, 0))",
    )?;
    for t in terminals {
        upsert_t.execute(params![
            t.terminal_id,
            t.last_seen,
            t.online,
            t.telemetry,
            t.last_error
        ])?;
    }
    let mut upsert_m = tx.prepare_cached(
        "INSERT INTO minute_stats (merchant_id, minute, txns, failed, errors) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (merchant_id, minute) DO UPDATE SET txns = txns + excluded.txns,
           failed = failed + excluded.failed, errors = errors + excluded.errors",
    )?;
    for m in minutes {
        upsert_m.execute(params![m.merchant_id, m.minute, m.txns, m.failed, m.errors])?;
    }
    Ok(())
}

fn store_derived(
    tx: &rusqlite::Transaction<'_>,
    diagnoses: &[DiagnosisRow],
    incidents: &[IncidentRow],
) -> anyhow::Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO diagnoses (ts, terminal_id, merchant_id, site_id, code, top_cause, incident_id, body_zh, body_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut merchant_of =
        tx.prepare_cached("SELECT merchant_id FROM terminals WHERE terminal_id = ?1")?;
    let mut causes = tx.prepare_cached(
        "INSERT INTO cause_stats (merchant_id, hour, cause, n) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (merchant_id, hour, cause) DO UPDATE SET n = n + 1",
    )?;
    let mut sites = tx.prepare_cached(
        "INSERT INTO site_stats (merchant_id, hour, site_id, n) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (merchant_id, hour, site_id) DO UPDATE SET n = n + 1",
    )?;
    for d in diagnoses {
        let merchant: Option<String> = merchant_of
            .query_row([&d.terminal_id], |r| r.get(0))
            .optional()?
            .flatten();
        ins.execute(params![
            d.ts,
            d.terminal_id,
            merchant,
            d.site_id,
            d.code,
            d.top_cause,
            d.incident_id,
            d.body_zh,
            d.body_en
        ])?;
        let hour = d.ts.div_euclid(3600) * 3600;
        for m in ["", merchant.as_deref().unwrap_or("")] {
            causes.execute(params![m, hour, d.top_cause])?;
            if let Some(site) = &d.site_id {
                sites.execute(params![m, hour, site])?;
            }
            if merchant.is_none() {
                break;
            }
        }
    }
    let mut up = tx.prepare_cached(
        "INSERT INTO incidents (incident_id, seq, opened_at, closed_at, merged, updated_at, body_zh, body_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (incident_id) DO UPDATE SET opened_at = excluded.opened_at, closed_at = excluded.closed_at,
           merged = excluded.merged, updated_at = excluded.updated_at, body_zh = excluded.body_zh, body_en = excluded.body_en",
    )?;
    let mut tl = tx.prepare_cached(
        "INSERT INTO incident_timeline (incident_id, ts, event, terminals) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for i in incidents {
        up.execute(params![
            i.incident_id,
            i.seq,
            i.opened_at,
            i.closed_at,
            i.merged,
            i.updated_at,
            i.body_zh,
            i.body_en
        ])?;
        tl.execute(params![i.incident_id, i.updated_at, i.event, i.terminals])?;
    }
    Ok(())
}

/// Forgets everything derived from the records (diagnoses, incidents,
/// statistics, terminals' latest state), so
/// that the engine can derive it again from the records at start.
pub fn clear_derived(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch(
        "DELETE FROM diagnoses; DELETE FROM incidents; DELETE FROM incident_timeline;
         DELETE FROM cause_stats; DELETE FROM site_stats; DELETE FROM minute_stats;
         UPDATE terminals SET last_seen = NULL, online = NULL, telemetry = NULL, last_error = NULL;",
    )?;
    Ok(())
}

/// Reads stored records `from..=to` (ids) in order, in chunks, calling `f`
/// with each body.
pub fn read_records(
    conn: &Connection,
    from: i64,
    to: i64,
    f: &mut dyn FnMut(i64, &str),
) -> anyhow::Result<()> {
    let mut stmt = conn
        .prepare_cached("SELECT id, body FROM records WHERE id >= ?1 AND id <= ?2 ORDER BY id")?;
    let mut rows = stmt.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let body: rusqlite::types::ValueRef<'_> = r.get_ref(1)?;
        f(id, body.as_str()?);
    }
    Ok(())
}

/// The highest record id stored (0 when none).
pub fn last_record_id(conn: &Connection) -> anyhow::Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) FROM records", [], |r| r.get(0))?)
}

/// Shared handle on the store.
#[derive(Debug, Clone)]
pub struct Store {
    pub path: PathBuf,
    pub readers: Arc<Readers>,
    pub writer: Writer,
}
