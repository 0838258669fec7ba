//! The durable journal: every exchange (request and response, card data
//! scrubbed), every transaction's state, every terminal's keys and batch,
//! and every settlement, in SQLite (WAL, `synchronous=FULL`).
//!
//! One writer thread owns the connection and commits whatever has queued
//! up as one transaction (group commit): under load a commit carries
//! hundreds of exchanges for one fsync, and a handler sends its response
//! only after its commit returned. Jobs are applied in the order they were
//! sent, which the gateway relies on (an original's insert is queued before
//! any reversal that read its state).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use crate::protocol::{Kind, Totals};

/// Schema migrations, applied in order; `user_version` counts those applied.
const MIGRATIONS: &[&str] = &["
CREATE TABLE terminals(
    tid TEXT PRIMARY KEY,
    mid TEXT NOT NULL,
    batch INTEGER NOT NULL,
    -- working keys encrypted under the terminal master key, as on the wire
    pik_enc TEXT,
    mak_enc TEXT,
    signed_on TEXT
) WITHOUT ROWID;
CREATE TABLE txns(
    tid TEXT NOT NULL,
    batch INTEGER NOT NULL,
    stan INTEGER NOT NULL,
    kind TEXT NOT NULL,
    amount INTEGER NOT NULL,
    pan TEXT,
    rrn TEXT,
    auth TEXT,
    rc TEXT,
    state TEXT NOT NULL,
    orig_batch INTEGER,
    orig_stan INTEGER,
    ts TEXT NOT NULL,
    PRIMARY KEY(tid, batch, stan)
) WITHOUT ROWID;
CREATE INDEX txns_rrn ON txns(rrn);
CREATE TABLE exchanges(
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    tid TEXT,
    kind TEXT,
    mti TEXT NOT NULL,
    batch INTEGER,
    stan INTEGER,
    amount INTEGER,
    pan TEXT,
    rc TEXT,
    rrn TEXT,
    latency_us INTEGER,
    request TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE TABLE settlements(
    tid TEXT NOT NULL,
    batch INTEGER NOT NULL,
    ts TEXT NOT NULL,
    terminal_totals TEXT NOT NULL,
    host_totals TEXT NOT NULL,
    balanced INTEGER NOT NULL,
    PRIMARY KEY(tid, batch)
) WITHOUT ROWID;
"];

/// Transaction states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Sent to the issuer, not decided yet (memory only).
    Pending,
    Approved,
    Declined,
    Reversed,
    Voided,
    /// A pre-authorisation consumed by its completion.
    Completed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Approved => "approved",
            State::Declined => "declined",
            State::Reversed => "reversed",
            State::Voided => "voided",
            State::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "pending" => State::Pending,
            "approved" => State::Approved,
            "declined" => State::Declined,
            "reversed" => State::Reversed,
            "voided" => State::Voided,
            "completed" => State::Completed,
            _ => return None,
        })
    }
}

/// A transaction's key: terminal, batch, STAN.
pub type TxnKey = (String, u32, u32);

/// A transaction row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnRow {
    pub key: TxnKey,
    pub kind: Kind,
    pub amount: u64,
    /// Masked.
    pub pan: Option<String>,
    pub rrn: Option<String>,
    pub auth: Option<String>,
    pub rc: Option<String>,
    pub state: State,
    pub orig: Option<(u32, u32)>,
    pub ts: String,
}

/// One request/response pair as journalled (card data already scrubbed).
#[derive(Debug, Clone, Default)]
pub struct ExchangeRow {
    pub ts: String,
    pub tid: Option<String>,
    pub kind: Option<Kind>,
    pub mti: String,
    pub batch: Option<u32>,
    pub stan: Option<u32>,
    pub amount: Option<u64>,
    pub pan: Option<String>,
    pub rc: Option<String>,
    pub rrn: Option<String>,
    pub latency_us: u64,
    /// Scrubbed request fields as JSON.
    pub request: String,
    /// Scrubbed response fields as JSON.
    pub response: String,
}

/// A terminal's persistent state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalRow {
    pub tid: String,
    pub mid: String,
    pub batch: u32,
    pub pik_enc: Option<String>,
    pub mak_enc: Option<String>,
    pub signed_on: Option<String>,
}

/// A settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRow {
    pub tid: String,
    pub batch: u32,
    pub ts: String,
    pub terminal: Totals,
    pub host: Totals,
    pub balanced: bool,
}

/// One change to apply.
#[derive(Debug, Clone)]
pub enum Op {
    Exchange(ExchangeRow),
    Terminal(TerminalRow),
    /// Insert or replace a transaction.
    Txn(TxnRow),
    /// Change a transaction's state.
    State(TxnKey, State),
    Settlement(SettlementRow),
}

struct Job {
    ops: Vec<Op>,
    done: Option<oneshot::Sender<Result<(), String>>>,
}

/// Handle to the writer thread (cheap to clone).
#[derive(Debug, Clone)]
pub struct Journal {
    tx: mpsc::Sender<Job>,
    path: PathBuf,
    /// Keeps the checkpointer running while any handle lives.
    _alive: std::sync::Arc<()>,
}

/// What the journal holds at start: the gateway's state to recover.
#[derive(Debug, Default)]
pub struct Recovered {
    pub terminals: Vec<TerminalRow>,
    /// Transactions of each terminal's open batch.
    pub open_txns: Vec<TxnRow>,
    /// The highest RRN issued so far.
    pub max_rrn: u64,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("ops", &self.ops.len()).finish()
    }
}

/// Opens (creating and migrating) the journal database.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "busy_timeout", 5000)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let applied = usize::try_from(version).unwrap_or(0);
    anyhow::ensure!(
        applied <= MIGRATIONS.len(),
        "{} was written by a newer posdoc (schema {applied}, this one knows {})",
        path.display(),
        MIGRATIONS.len()
    );
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))
        .with_context(|| format!("migrating {} to schema {}", path.display(), i + 1))?;
    }
    Ok(conn)
}

impl Journal {
    /// Opens the journal at `path` and starts its writer thread.
    pub fn start(path: &Path) -> anyhow::Result<(Journal, Recovered)> {
        let conn = open(path)?;
        let recovered = recover(&conn)?;
        // Checkpoints run beside the writer, not inside its commits: an
        // automatic checkpoint copies megabytes and fsyncs the database,
        // which would stall every exchange waiting on that commit.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        // A WAL restarted after a checkpoint is cut back to this size.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || writer(conn, rx))
            .context("starting the journal writer")?;
        let checkpoints = open(path)?;
        let alive = std::sync::Arc::new(());
        let watch = std::sync::Arc::downgrade(&alive);
        std::thread::Builder::new()
            .name("journal-checkpoint".into())
            .spawn(move || checkpointer(checkpoints, watch))
            .context("starting the journal checkpointer")?;
        Ok((
            Journal {
                tx,
                path: path.to_path_buf(),
                _alive: alive,
            },
            recovered,
        ))
    }

    /// Where the journal lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues `ops` as one unit and returns a receiver that resolves once
    /// they are durable. Queue order is commit order.
    pub fn submit(&self, ops: Vec<Op>) -> oneshot::Receiver<Result<(), String>> {
        let (done, rx) = oneshot::channel();
        let job = Job {
            ops,
            done: Some(done),
        };
        if let Err(mpsc::SendError(job)) = self.tx.send(job)
            && let Some(done) = job.done
        {
            let _ = done.send(Err("the journal writer has stopped".into()));
        }
        rx
    }

    /// Queues and waits until durable.
    pub async fn commit(&self, ops: Vec<Op>) -> Result<(), String> {
        match self.submit(ops).await {
            Ok(r) => r,
            Err(_) => Err("the journal writer has stopped".into()),
        }
    }
}

/// Copies the WAL into the database continually, beside the writer, so
/// that little is left to copy when the writer completes a checkpoint (see
/// [`writer`]); stops when the last [`Journal`] handle is dropped.
fn checkpointer(conn: Connection, alive: std::sync::Weak<()>) {
    loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
        if alive.upgrade().is_none() {
            return;
        }
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!("journal checkpoint failed: {e}");
        }
    }
}

/// How often the writer completes a checkpoint itself.
const WRITER_CHECKPOINT: std::time::Duration = std::time::Duration::from_millis(500);

/// Commits queued jobs as groups. Every [`WRITER_CHECKPOINT`] it also runs
/// a checkpoint between two groups: only the writer can finish one while
/// writes go on (a checkpoint beside a busy writer never catches up, and
/// the WAL would grow without bound); the background checkpointer has
/// already copied nearly everything, so this one is short.
fn writer(mut conn: Connection, rx: mpsc::Receiver<Job>) {
    conn.set_prepared_statement_cache_capacity(32);
    let mut last_checkpoint = std::time::Instant::now();
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < 4096 {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let result = apply(&mut conn, &jobs).map_err(|e| format!("{e:#}"));
        if let Err(e) = &result {
            tracing::error!("journal commit failed: {e}");
        }
        for job in &mut jobs {
            if let Some(done) = job.done.take() {
                let _ = done.send(result.clone());
            }
        }
        if last_checkpoint.elapsed() >= WRITER_CHECKPOINT {
            last_checkpoint = std::time::Instant::now();
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!("journal checkpoint failed: {e}");
            }
        }
    }
}

fn apply(conn: &mut Connection, jobs: &[Job]) -> anyhow::Result<()> {
    let tx = conn.transaction()?;
    for op in jobs.iter().flat_map(|j| &j.ops) {
        match op {
            Op::Exchange(e) => {
                tx.prepare_cached(
                    "INSERT INTO exchanges(ts, tid, kind, mti, batch, stan, amount, pan, rc, rrn, latency_us, request, response)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )?
                .execute(params![
                    e.ts,
                    e.tid,
                    e.kind.map(Kind::txn_type),
                    e.mti,
                    e.batch,
                    e.stan,
                    e.amount.map(|a| a as i64),
                    e.pan,
                    e.rc,
                    e.rrn,
                    e.latency_us as i64,
                    e.request,
                    e.response
                ])?;
            }
            Op::Terminal(t) => {
                tx.prepare_cached(
                    "INSERT INTO terminals(tid, mid, batch, pik_enc, mak_enc, signed_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT(tid) DO UPDATE SET mid = excluded.mid, batch = excluded.batch,
                       pik_enc = excluded.pik_enc, mak_enc = excluded.mak_enc, signed_on = excluded.signed_on",
                )?
                .execute(params![t.tid, t.mid, t.batch, t.pik_enc, t.mak_enc, t.signed_on])?;
            }
            Op::Txn(t) => {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO txns(tid, batch, stan, kind, amount, pan, rrn, auth, rc, state, orig_batch, orig_stan, ts)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )?
                .execute(params![
                    t.key.0,
                    t.key.1,
                    t.key.2,
                    t.kind.txn_type(),
                    t.amount as i64,
                    t.pan,
                    t.rrn,
                    t.auth,
                    t.rc,
                    t.state.as_str(),
                    t.orig.map(|o| o.0),
                    t.orig.map(|o| o.1),
                    t.ts
                ])?;
            }
            Op::State(key, state) => {
                tx.prepare_cached(
                    "UPDATE txns SET state = ?4 WHERE tid = ?1 AND batch = ?2 AND stan = ?3",
                )?
                .execute(params![key.0, key.1, key.2, state.as_str()])?;
            }
            Op::Settlement(s) => {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO settlements(tid, batch, ts, terminal_totals, host_totals, balanced)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    s.tid,
                    s.batch,
                    s.ts,
                    serde_json::to_string(&s.terminal)?,
                    serde_json::to_string(&s.host)?,
                    s.balanced
                ])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

fn kind_from(text: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|k| k.txn_type() == text)
}

fn txn_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<TxnRow>> {
    let kind: String = r.get(3)?;
    let state: String = r.get(9)?;
    let (Some(kind), Some(state)) = (kind_from(&kind), State::parse(&state)) else {
        return Ok(None);
    };
    let orig_batch: Option<u32> = r.get(10)?;
    let orig_stan: Option<u32> = r.get(11)?;
    Ok(Some(TxnRow {
        key: (r.get(0)?, r.get(1)?, r.get(2)?),
        kind,
        amount: r.get::<_, i64>(4)?.max(0) as u64,
        pan: r.get(5)?,
        rrn: r.get(6)?,
        auth: r.get(7)?,
        rc: r.get(8)?,
        state,
        orig: orig_batch.zip(orig_stan),
        ts: r.get(12)?,
    }))
}

const TXN_COLUMNS: &str = "t.tid, t.batch, t.stan, t.kind, t.amount, t.pan, t.rrn, t.auth, t.rc, t.state, t.orig_batch, t.orig_stan, t.ts";

fn recover(conn: &Connection) -> anyhow::Result<Recovered> {
    let mut out = Recovered::default();
    let mut stmt =
        conn.prepare("SELECT tid, mid, batch, pik_enc, mak_enc, signed_on FROM terminals")?;
    out.terminals = stmt
        .query_map([], |r| {
            Ok(TerminalRow {
                tid: r.get(0)?,
                mid: r.get(1)?,
                batch: r.get(2)?,
                pik_enc: r.get(3)?,
                mak_enc: r.get(4)?,
                signed_on: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {TXN_COLUMNS} FROM txns t JOIN terminals m ON m.tid = t.tid AND t.batch >= m.batch"
    ))?;
    out.open_txns = stmt
        .query_map([], txn_from_row)?
        .filter_map(|r| r.transpose())
        .collect::<Result<_, _>>()?;
    out.max_rrn = conn
        .query_row("SELECT MAX(CAST(rrn AS INTEGER)) FROM txns", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0)
        .max(0) as u64;
    Ok(out)
}

/// Read-only queries over a journal (for `posdoc reconcile` and slow paths).
#[derive(Debug)]
pub struct Reader {
    conn: Connection,
}

impl Reader {
    /// Opens the journal read-only. Works while a gateway writes to it.
    pub fn open(path: &Path) -> anyhow::Result<Reader> {
        anyhow::ensure!(path.exists(), "no journal at {}", path.display());
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("opening {}", path.display()))?;
        conn.pragma_update(None, "busy_timeout", 5000)?;
        Ok(Reader { conn })
    }

    /// A transaction by its retrieval reference number.
    pub fn txn_by_rrn(&self, rrn: &str) -> anyhow::Result<Option<TxnRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {TXN_COLUMNS} FROM txns t WHERE t.rrn = ?1"),
                [rrn],
                txn_from_row,
            )
            .optional()?
            .flatten())
    }

    /// A transaction by its key.
    pub fn txn(&self, key: &TxnKey) -> anyhow::Result<Option<TxnRow>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {TXN_COLUMNS} FROM txns t WHERE t.tid = ?1 AND t.batch = ?2 AND t.stan = ?3"
                ),
                params![key.0, key.1, key.2],
                txn_from_row,
            )
            .optional()?
            .flatten())
    }

    /// Every transaction, in key order.
    pub fn txns(&self) -> anyhow::Result<Vec<TxnRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {TXN_COLUMNS} FROM txns t ORDER BY t.tid, t.batch, t.stan"
        ))?;
        let rows = stmt
            .query_map([], txn_from_row)?
            .filter_map(|r| r.transpose())
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Every settlement.
    pub fn settlements(&self) -> anyhow::Result<Vec<SettlementRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT tid, batch, ts, terminal_totals, host_totals, balanced FROM settlements ORDER BY tid, batch",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(tid, batch, ts, t, h, balanced)| {
                Ok(SettlementRow {
                    tid,
                    batch,
                    ts,
                    terminal: serde_json::from_str(&t)?,
                    host: serde_json::from_str(&h)?,
                    balanced,
                })
            })
            .collect()
    }

    /// Exchange counts per response code.
    pub fn exchange_codes(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT COALESCE(rc, '-'), COUNT(*) FROM exchanges GROUP BY 1")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .map(|(c, n)| (c, n.max(0) as u64))
            .collect())
    }

    /// What must never be stored but is: an unmasked card number (field 2
    /// or the `pan` column), or a track, PIN block, ICC or key field.
    pub fn leaks(&self) -> anyhow::Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, request, response, pan FROM exchanges")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut leaks = Vec::new();
        for (id, req, resp, pan) in rows {
            if pan.as_deref().is_some_and(|p| !p.contains('*')) {
                leaks.push(format!("exchange {id}: the pan column is not masked"));
            }
            for (what, text) in [("request", &req), ("response", &resp)] {
                let Ok(serde_json::Value::Object(m)) = serde_json::from_str(text) else {
                    leaks.push(format!("exchange {id}: the {what} is not a JSON object"));
                    continue;
                };
                if m.get("2")
                    .and_then(|v| v.as_str())
                    .is_some_and(|p| !p.contains('*'))
                {
                    leaks.push(format!(
                        "exchange {id}: the {what} holds an unmasked field 2"
                    ));
                }
                for field in ["35", "36", "52", "55", "62"] {
                    if m.contains_key(field) {
                        leaks.push(format!("exchange {id}: the {what} holds field {field}"));
                    }
                }
            }
        }
        Ok(leaks)
    }
}
