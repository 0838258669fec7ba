//! The gateway: a TCP (optionally TLS) server for terminals speaking CUP
//! frames. Each connection reads whole frames and answers them in order;
//! every answer is journalled before it is written. Failures on the wire
//! become evidence records (docs/GATEWAY.md, "Evidence").
//!
//! Transaction state lives in memory (the open batches, rebuilt from the
//! journal at start) behind one lock; each decision that changes it queues
//! its journal job while holding the lock, so the journal applies changes in
//! the order they were decided.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use posdoc_iso8583::Message;
use posdoc_record::MaskedPan;
use posdoc_record::Ts;
use serde_json::{Map, Value as Json, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

use crate::crypto::{Key, check_value, decrypt_key, encrypt_key, random_key};
use crate::issuer::{Answer, Issuer, Rule};
use crate::journal::{
    ExchangeRow, Journal, Op, Recovered, SettlementRow, State, TerminalRow, TxnKey, TxnRow,
};
use crate::profile::{Profile, Profiles};
use crate::protocol::{
    self, Kind, Totals, field60, hex, parse_field60, parse_field61, response_to, seal, set,
    set_bytes, text, unhex,
};

/// Gateway settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The journal database.
    pub journal: PathBuf,
    pub profiles: Profiles,
    pub issuer_rules: Vec<Rule>,
    /// How long the gateway waits for the issuer before answering 98.
    pub issuer_timeout: Duration,
    /// TLS on the terminal port.
    pub tls: Option<Arc<ServerConfig>>,
    /// A frame's bytes must all arrive within this once it has started.
    pub frame_timeout: Duration,
    /// A connection idle this long is closed.
    pub idle_timeout: Duration,
    /// Field 32, the acquiring institution.
    pub acquirer: String,
    /// Whether approved transactions become evidence records too (the
    /// engine learns what healthy traffic looks like from them).
    pub evidence_approvals: bool,
}

impl Config {
    /// Defaults around a journal path and a set of profiles.
    pub fn new(journal: PathBuf, profiles: Profiles) -> Config {
        Config {
            journal,
            profiles,
            issuer_rules: Vec::new(),
            issuer_timeout: Duration::from_secs(3),
            tls: None,
            frame_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(300),
            acquirer: "48020000".into(),
            evidence_approvals: true,
        }
    }
}

/// Where evidence records go (one contract record as JSON per call).
pub type EvidenceSink = Arc<dyn Fn(Json) + Send + Sync>;

/// Counters, readable while the gateway runs.
#[derive(Debug, Default)]
pub struct Stats {
    pub connections: AtomicU64,
    pub frames: AtomicU64,
    pub approved: AtomicU64,
    pub declined: AtomicU64,
    pub mac_errors: AtomicU64,
    pub format_errors: AtomicU64,
    pub truncated: AtomicU64,
    pub silent_connections: AtomicU64,
    pub tls_failures: AtomicU64,
    pub duplicates: AtomicU64,
    pub reversals: AtomicU64,
    pub issuer_timeouts: AtomicU64,
    pub unknown_terminals: AtomicU64,
    pub journal_failures: AtomicU64,
}

impl Stats {
    /// A plain snapshot, by name.
    pub fn snapshot(&self) -> Vec<(&'static str, u64)> {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        vec![
            ("connections", l(&self.connections)),
            ("frames", l(&self.frames)),
            ("approved", l(&self.approved)),
            ("declined", l(&self.declined)),
            ("mac_errors", l(&self.mac_errors)),
            ("format_errors", l(&self.format_errors)),
            ("truncated", l(&self.truncated)),
            ("silent_connections", l(&self.silent_connections)),
            ("tls_failures", l(&self.tls_failures)),
            ("duplicates", l(&self.duplicates)),
            ("reversals", l(&self.reversals)),
            ("issuer_timeouts", l(&self.issuer_timeouts)),
            ("unknown_terminals", l(&self.unknown_terminals)),
            ("journal_failures", l(&self.journal_failures)),
        ]
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// A terminal's live state.
#[derive(Debug, Clone)]
struct Term {
    mid: String,
    batch: u32,
    pik: Option<Key>,
    mak: Option<Key>,
}

/// A transaction in an open batch.
#[derive(Debug, Clone)]
struct Entry {
    kind: Kind,
    amount: u64,
    state: State,
    rrn: Option<String>,
    auth: Option<String>,
    pan: Option<String>,
    orig: Option<(u32, u32)>,
    ts: String,
    /// A reversal arrived while this was still with the issuer: it ends
    /// reversed whatever the issuer says.
    reversed_early: bool,
}

impl Entry {
    fn row(&self, key: &TxnKey, rc: Option<String>) -> TxnRow {
        TxnRow {
            key: key.clone(),
            kind: self.kind,
            amount: self.amount,
            pan: self.pan.clone(),
            rrn: self.rrn.clone(),
            auth: self.auth.clone(),
            rc,
            state: self.state,
            orig: self.orig,
            ts: self.ts.clone(),
        }
    }
}

#[derive(Debug, Default)]
struct Ledger {
    terms: HashMap<String, Term>,
    txns: HashMap<TxnKey, Entry>,
}

/// The running gateway's shared state.
pub struct Gateway {
    cfg: Config,
    journal: Journal,
    issuer: Issuer,
    ledger: Mutex<Ledger>,
    rrn: AtomicU64,
    stats: Stats,
    sink: Option<EvidenceSink>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("journal", &self.cfg.journal)
            .field("terminals", &self.cfg.profiles.len())
            .finish()
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Beijing local time as (`hhmmss`, `MMDD`) for fields 12 and 13.
fn local_time(ms: i64) -> (String, String) {
    let text = Ts(ms + 8 * 3_600_000).to_string(); // 2026-12-02T12:34:56Z
    let time: String = text
        .get(11..19)
        .unwrap_or("00:00:00")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let date: String = text
        .get(5..10)
        .unwrap_or("01-01")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (time, date)
}

/// Why a frame got no answer.
#[derive(Debug)]
enum Unanswered {
    /// The frame cannot be understood (the terminal's side or the wire).
    Malformed(String),
    /// The gateway could not answer (journal, encoding): its own fault.
    Host(String),
}

/// Why a connection was closed.
#[derive(Debug)]
enum Close {
    /// The peer closed between frames.
    Done,
    Fatal(String),
}

impl Gateway {
    /// Opens the journal, recovers the state it holds, and returns the
    /// gateway ready to serve.
    pub fn start(cfg: Config, sink: Option<EvidenceSink>) -> anyhow::Result<Arc<Gateway>> {
        let (journal, recovered) = Journal::start(&cfg.journal)?;
        let issuer = Issuer::new(cfg.issuer_rules.clone(), cfg.issuer_timeout);
        let gw = Gateway {
            issuer,
            journal,
            ledger: Mutex::new(Ledger::default()),
            rrn: AtomicU64::new(0),
            stats: Stats::default(),
            sink,
            cfg,
        };
        gw.recover(recovered);
        Ok(Arc::new(gw))
    }

    fn recover(&self, r: Recovered) {
        let mut ledger = self.lock();
        for t in r.terminals {
            let tmk = self.cfg.profiles.get(&t.tid).map(|p| p.tmk);
            let key = |enc: &Option<String>| {
                let enc = unhex::<16>(enc.as_deref()?).ok()?;
                Some(decrypt_key(&tmk?, &enc))
            };
            let term = Term {
                pik: key(&t.pik_enc),
                mak: key(&t.mak_enc),
                mid: t.mid,
                batch: t.batch,
            };
            ledger.terms.insert(t.tid, term);
        }
        for t in r.open_txns {
            ledger.txns.insert(
                t.key.clone(),
                Entry {
                    kind: t.kind,
                    amount: t.amount,
                    state: t.state,
                    rrn: t.rrn,
                    auth: t.auth,
                    pan: t.pan,
                    orig: t.orig,
                    ts: t.ts,
                    reversed_early: false,
                },
            );
        }
        // Counted before logging: the lock must not be taken inside the
        // log macro's arguments (twice in one statement deadlocks).
        let (terms, txns) = (ledger.terms.len(), ledger.txns.len());
        drop(ledger);
        self.rrn.store(r.max_rrn, Ordering::Relaxed);
        tracing::info!(
            "journal {}: {terms} terminals, {txns} open transactions recovered",
            self.cfg.journal.display(),
        );
    }

    fn lock(&self) -> MutexGuard<'_, Ledger> {
        match self.ledger.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The issuer simulator (its rules can change while running).
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// Serves terminals on `listener` until `shutdown` resolves.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let tls = self.cfg.tls.clone().map(TlsAcceptor::from);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => return Ok(()),
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // Out of descriptors and the like: back off, keep serving.
                            tracing::warn!("accept failed: {e}");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    bump(&self.stats.connections);
                    let gw = self.clone();
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        match tls {
                            None => gw.connection(stream, peer).await,
                            Some(acceptor) => {
                                let handshake = tokio::time::timeout(
                                    gw.cfg.frame_timeout,
                                    acceptor.accept(stream),
                                );
                                match handshake.await {
                                    Ok(Ok(s)) => gw.connection(s, peer).await,
                                    Ok(Err(e)) => gw.tls_failed(peer, &e.to_string()),
                                    Err(_) => gw.tls_failed(peer, "handshake timed out"),
                                }
                            }
                        }
                    });
                }
            }
        }
    }

    fn tls_failed(&self, peer: SocketAddr, why: &str) {
        bump(&self.stats.tls_failures);
        tracing::info!("{peer}: TLS handshake failed: {why}");
        // The terminal is not known before the handshake; a terminal
        // reports its own side (docs/GATEWAY.md). Nothing to attribute here.
    }

    async fn connection<S: AsyncRead + AsyncWrite + Unpin>(&self, mut s: S, peer: SocketAddr) {
        let mut conn_tid: Option<String> = None;
        let mut frame = Vec::with_capacity(512);
        let mut messages = 0u64;
        let close = loop {
            match self.read_frame(&mut s, &mut frame).await {
                Ok(()) => {}
                Err(Close::Done) => {
                    if messages == 0 {
                        bump(&self.stats.silent_connections);
                        tracing::info!("{peer}: connection closed without a message");
                    }
                    break Close::Done;
                }
                Err(Close::Fatal(why)) => {
                    bump(&self.stats.truncated);
                    let tid = self.terminal_of(&conn_tid, &frame);
                    self.wire_error(tid.as_deref(), "TRUNC", "send", &why, &frame);
                    break Close::Fatal(why);
                }
            }
            messages += 1;
            bump(&self.stats.frames);
            match self.exchange(&frame, &mut conn_tid).await {
                Ok(response) => {
                    if let Err(e) = s.write_all(&response).await {
                        break Close::Fatal(format!("writing the response: {e}"));
                    }
                }
                Err(Unanswered::Malformed(why)) => {
                    bump(&self.stats.format_errors);
                    let tid = self.terminal_of(&conn_tid, &frame);
                    self.wire_error(tid.as_deref(), "FORMAT", "send", &why, &frame);
                    break Close::Fatal(why);
                }
                Err(Unanswered::Host(why)) => {
                    // Our fault, not the terminal's: it sees a host that
                    // does not answer, and so does its diagnosis.
                    tracing::error!("{peer}: {why}");
                    self.wire_error(conn_tid.as_deref(), "96", "receive", &why, &frame);
                    break Close::Fatal(why);
                }
            }
        };
        if let Close::Fatal(why) = close {
            tracing::info!(
                "{peer} ({}): connection closed: {why}",
                conn_tid.as_deref().unwrap_or("unknown terminal")
            );
        }
        let _ = s.shutdown().await;
    }

    /// Reads one frame into `frame` (prefix included).
    async fn read_frame<S: AsyncRead + Unpin>(
        &self,
        s: &mut S,
        frame: &mut Vec<u8>,
    ) -> Result<(), Close> {
        frame.clear();
        let mut first = [0u8; 1];
        match tokio::time::timeout(self.cfg.idle_timeout, s.read(&mut first)).await {
            Err(_) => return Err(Close::Done),
            Ok(Err(_)) | Ok(Ok(0)) => return Err(Close::Done),
            Ok(Ok(_)) => frame.push(first[0]),
        }
        let rest = async {
            let mut second = [0u8; 1];
            s.read_exact(&mut second).await?;
            frame.push(second[0]);
            let len = usize::from(u16::from_be_bytes([first[0], second[0]]));
            frame.resize(2 + len, 0);
            let mut got = 2;
            while got < frame.len() {
                let n = s.read(&mut frame[got..]).await?;
                if n == 0 {
                    frame.truncate(got);
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("the frame was cut: {} of {} bytes came", got - 2, len),
                    ));
                }
                got += n;
            }
            Ok::<(), std::io::Error>(())
        };
        match tokio::time::timeout(self.cfg.frame_timeout, rest).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Close::Fatal(e.to_string())),
            Err(_) => Err(Close::Fatal(format!(
                "the frame stalled: {} bytes in {:?}",
                frame.len(),
                self.cfg.frame_timeout
            ))),
        }
    }

    /// Whose damaged frame this is: the connection's terminal, else the
    /// first known TID in its bytes.
    fn terminal_of(&self, conn_tid: &Option<String>, frame: &[u8]) -> Option<String> {
        conn_tid
            .clone()
            .or_else(|| self.cfg.profiles.find_tid_in(frame))
    }

    /// An evidence record for a failure on the wire.
    fn wire_error(&self, tid: Option<&str>, code: &str, stage: &str, why: &str, frame: &[u8]) {
        let Some(tid) = tid else {
            tracing::info!("wire error from an unknown terminal: {why}");
            return;
        };
        let detail = format!(
            "gateway: {} from terminal {tid}: {why} ({} bytes)",
            match code {
                "TRUNC" => "truncated frame",
                "96" => "no answer (system malfunction) to a message",
                _ => "malformed message",
            },
            frame.len()
        );
        self.emit(json!({
            "kind": "error",
            "ts": Ts(now_ms()).to_string(),
            "terminal_id": tid,
            "code": code,
            "stage": stage,
            "detail": detail,
        }));
    }

    fn emit(&self, record: Json) {
        if let Some(sink) = &self.sink {
            sink(record);
        }
    }

    /// Handles one frame: decode, decide, journal, and the response bytes.
    /// `Err` closes the connection (the frame could not be understood).
    async fn exchange(
        &self,
        frame: &[u8],
        conn_tid: &mut Option<String>,
    ) -> Result<Vec<u8>, Unanswered> {
        let started = Instant::now();
        let req = protocol::open(frame).map_err(|e| Unanswered::Malformed(e.to_string()))?;
        let tid = text(&req, 41).unwrap_or("").to_string();
        if !tid.is_empty() {
            *conn_tid = Some(tid.clone());
        }
        let (type_code, batch, _) = parse_field60(text(&req, 60).unwrap_or(""));
        let kind = Kind::classify(&req.mti, text(&req, 3), &type_code);
        let ts_ms = now_ms();
        let mut ctx = Ctx {
            req: &req,
            frame,
            tid,
            kind,
            batch,
            ts_ms,
            ops: Vec::new(),
            queued: Vec::new(),
        };
        let (mut resp, mac_key) = self.decide(&mut ctx).await;
        let key = mac_key.as_ref().map(|(a, k)| (*a, k));
        let bytes = seal(&mut resp, key)
            .map_err(|e| Unanswered::Host(format!("encoding the response: {e}")))?;
        let rc = text(&resp, 39).map(str::to_string);
        let latency_us = started.elapsed().as_micros() as u64;
        let pan = text(&req, 2).map(|p| MaskedPan::mask(p).as_str().to_string());
        let amount = text(&req, 4).and_then(|a| a.parse().ok());
        let stan = text(&req, 11).and_then(|s| s.parse().ok());
        ctx.ops.push(Op::Exchange(ExchangeRow {
            ts: Ts(ts_ms).to_string(),
            tid: (!ctx.tid.is_empty()).then(|| ctx.tid.clone()),
            kind: ctx.kind,
            mti: req.mti.clone(),
            batch: ctx.batch,
            stan,
            amount,
            pan: pan.clone(),
            rc: rc.clone(),
            rrn: text(&resp, 37).map(str::to_string),
            latency_us,
            request: scrubbed(&req),
            response: scrubbed(&resp),
        }));
        self.queue(&mut ctx);
        for job in std::mem::take(&mut ctx.queued) {
            let done = job
                .await
                .unwrap_or_else(|_| Err("the journal writer has stopped".into()));
            if let Err(e) = done {
                bump(&self.stats.journal_failures);
                // Not recorded: the terminal must not see an approval.
                return Err(Unanswered::Host(format!("journal unavailable: {e}")));
            }
        }
        self.evidence(&ctx, &resp, rc.as_deref(), amount, pan, latency_us);
        Ok(bytes)
    }

    fn evidence(
        &self,
        ctx: &Ctx<'_>,
        resp: &Message,
        rc: Option<&str>,
        amount: Option<u64>,
        pan: Option<String>,
        latency_us: u64,
    ) {
        let Some(kind) = ctx.kind else { return };
        if self.sink.is_none() {
            return;
        }
        if matches!(kind, Kind::SignOn | Kind::Settlement) || ctx.tid.is_empty() {
            if rc != Some("00") && !ctx.tid.is_empty() {
                self.emit(json!({
                    "kind": "error",
                    "ts": Ts(ctx.ts_ms).to_string(),
                    "terminal_id": ctx.tid,
                    "code": rc.unwrap_or("--"),
                    "stage": "connect",
                    "detail": format!("gateway: {} answered {}", kind.mti(), rc.unwrap_or("nothing")),
                }));
            }
            return;
        }
        let approved = rc == Some("00");
        if approved && !self.cfg.evidence_approvals {
            return;
        }
        let channel = match text(ctx.req, 22).and_then(|m| m.get(..2)) {
            Some("05") => Some("card_ic"),
            Some("07") => Some("nfc"),
            Some("02" | "90") => Some("card_swipe"),
            _ => None,
        };
        let mut r = json!({
            "kind": "txn",
            "ts": Ts(ctx.ts_ms).to_string(),
            "terminal_id": ctx.tid,
            "type": kind.txn_type(),
            "amount": amount.unwrap_or(0),
            "currency": text(ctx.req, 49).unwrap_or("156"),
            "latency_ms": latency_us as f64 / 1000.0,
        });
        if let Json::Object(m) = &mut r {
            let mut put = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    m.insert(k.into(), Json::String(v));
                }
            };
            put("merchant_id", text(ctx.req, 42).map(str::to_string));
            put("stan", text(ctx.req, 11).map(str::to_string));
            put("rrn", text(resp, 37).map(str::to_string));
            put("response_code", rc.map(str::to_string));
            put("channel", channel.map(str::to_string));
            put("pan", pan);
        }
        self.emit(r);
    }

    /// The response (without MAC) and the key to MAC it with.
    async fn decide(
        &self,
        ctx: &mut Ctx<'_>,
    ) -> (Message, Option<(crate::crypto::MacAlgorithm, Key)>) {
        let mut resp = response_to(ctx.req);
        for n in [3, 4, 11, 25, 41, 42, 49, 60] {
            if let Some(v) = ctx.req.fields.get(&n) {
                resp.fields.insert(n, v.clone());
            }
        }
        let (time, date) = local_time(ctx.ts_ms);
        set(&mut resp, 12, time);
        set(&mut resp, 13, date.clone());
        set(&mut resp, 32, self.cfg.acquirer.clone());

        let Some(profile) = self.cfg.profiles.get(&ctx.tid) else {
            bump(&self.stats.unknown_terminals);
            set(&mut resp, 39, "97");
            return (resp, None);
        };
        let Some(kind) = ctx.kind else {
            set(&mut resp, 39, "40");
            return (resp, None);
        };
        if kind == Kind::SignOn {
            return (self.sign_on(ctx, profile, resp), None);
        }
        let (mak, term_batch) = {
            let ledger = self.lock();
            match ledger.terms.get(&ctx.tid) {
                Some(t) => (t.mak, t.batch),
                None => (None, 0),
            }
        };
        let Some(mak) = mak else {
            // Never signed on: no keys to check or answer with.
            set(&mut resp, 39, "77");
            return (resp, None);
        };
        if !protocol::verify(ctx.frame, ctx.req, profile.mac, &mak) {
            bump(&self.stats.mac_errors);
            set(&mut resp, 39, "A0");
            // Answered without a MAC: the keys are what is in doubt.
            return (resp, None);
        }
        let key = Some((profile.mac, mak));
        if kind != Kind::Reversal && ctx.batch != Some(term_batch) {
            // The terminal's batch is not the host's: it must sign on again.
            set(&mut resp, 39, "77");
            return (resp, key);
        }
        match kind {
            Kind::Settlement => self.settle(ctx, profile, &mut resp, term_batch),
            Kind::Reversal => self.reverse(ctx, &mut resp),
            _ => self.financial(ctx, kind, &mut resp, &date).await,
        }
        (resp, key)
    }

    /// Hands the ops decided so far to the journal. Called with the ledger
    /// lock held wherever a decision changed the ledger: the journal then
    /// applies changes in the order they were decided (a reversal's state
    /// change can never land before the insert of the sale it reverses).
    fn queue(&self, ctx: &mut Ctx<'_>) {
        if !ctx.ops.is_empty() {
            let ops = std::mem::take(&mut ctx.ops);
            ctx.queued.push(self.journal.submit(ops));
        }
    }

    fn sign_on(&self, ctx: &mut Ctx<'_>, profile: &Profile, mut resp: Message) -> Message {
        let (Ok(pik), Ok(mak)) = (random_key(), random_key()) else {
            set(&mut resp, 39, "96");
            return resp;
        };
        let pik_enc = encrypt_key(&profile.tmk, &pik);
        let mak_enc = encrypt_key(&profile.tmk, &mak);
        let mut f62 = Vec::with_capacity(40);
        f62.extend_from_slice(&pik_enc);
        f62.extend_from_slice(&check_value(&pik));
        f62.extend_from_slice(&mak_enc);
        f62.extend_from_slice(&check_value(&mak));
        let mut ledger = self.lock();
        let batch = ledger.terms.get(&ctx.tid).map(|t| t.batch).unwrap_or(1);
        let mid = text(ctx.req, 42).unwrap_or(&profile.mid).to_string();
        ledger.terms.insert(
            ctx.tid.clone(),
            Term {
                mid: mid.clone(),
                batch,
                pik: Some(pik),
                mak: Some(mak),
            },
        );
        ctx.ops.push(Op::Terminal(TerminalRow {
            tid: ctx.tid.clone(),
            mid,
            batch,
            pik_enc: Some(hex(&pik_enc)),
            mak_enc: Some(hex(&mak_enc)),
            signed_on: Some(Ts(ctx.ts_ms).to_string()),
        }));
        self.queue(ctx);
        drop(ledger);
        set(&mut resp, 39, "00");
        set(&mut resp, 60, field60("00", batch, "003"));
        set_bytes(&mut resp, 62, f62);
        resp
    }

    fn settle(&self, ctx: &mut Ctx<'_>, profile: &Profile, resp: &mut Message, batch: u32) {
        let Some((terminal, _)) = text(ctx.req, 48).and_then(Totals::from_field48) else {
            set(resp, 39, "30");
            return;
        };
        let mut ledger = self.lock();
        let mut host = Totals::default();
        for ((tid, b, _), e) in &ledger.txns {
            if *tid == ctx.tid && *b == batch && e.state == State::Approved {
                host.add(e.kind, e.amount);
            }
        }
        let balanced = host.on_wire() == terminal.on_wire();
        let next = batch + 1;
        // The batch leaves memory, except what is still with the issuer:
        // its answer must find its entry to be journalled (it is not in
        // these totals; the terminal's will say so).
        ledger.txns.retain(|(tid, b, _), e| {
            !(*tid == ctx.tid && *b == batch) || e.state == State::Pending
        });
        let term = ledger.terms.get_mut(&ctx.tid);
        let (mid, pik, mak) = match term {
            Some(t) => {
                t.batch = next;
                (t.mid.clone(), t.pik, t.mak)
            }
            None => (profile.mid.clone(), None, None),
        };
        ctx.ops.push(Op::Settlement(SettlementRow {
            tid: ctx.tid.clone(),
            batch,
            ts: Ts(ctx.ts_ms).to_string(),
            terminal,
            host,
            balanced,
        }));
        ctx.ops.push(Op::Terminal(TerminalRow {
            tid: ctx.tid.clone(),
            mid,
            batch: next,
            pik_enc: pik.map(|k| hex(&encrypt_key(&profile.tmk, &k))),
            mak_enc: mak.map(|k| hex(&encrypt_key(&profile.tmk, &k))),
            signed_on: None,
        }));
        self.queue(ctx);
        drop(ledger);
        set(resp, 39, "00");
        set(resp, 48, host.to_field48(if balanced { '1' } else { '2' }));
        set(resp, 60, field60("00", batch, "201"));
    }

    fn reverse(&self, ctx: &mut Ctx<'_>, resp: &mut Message) {
        bump(&self.stats.reversals);
        let (type_code, _, _) = parse_field60(text(ctx.req, 60).unwrap_or(""));
        let (Some(batch), Some(stan), Some(orig_kind)) = (
            ctx.batch,
            text(ctx.req, 11).and_then(|s| s.parse::<u32>().ok()),
            Kind::from_type_code(&type_code),
        ) else {
            set(resp, 39, "30");
            return;
        };
        let amount: u64 = text(ctx.req, 4).and_then(|a| a.parse().ok()).unwrap_or(0);
        let key: TxnKey = (ctx.tid.clone(), batch, stan);
        let mut ledger = self.lock();
        let open_batch = ledger.terms.get(&ctx.tid).map(|t| t.batch);
        let rc = match ledger.txns.get_mut(&key) {
            Some(e) if e.kind != orig_kind || e.amount != amount => "25",
            Some(e) => {
                match e.state {
                    State::Pending => e.reversed_early = true,
                    State::Approved => {
                        e.state = State::Reversed;
                        ctx.ops.push(Op::State(key.clone(), State::Reversed));
                        let undo = match e.kind {
                            Kind::Void | Kind::Completion => e.orig,
                            _ => None,
                        };
                        // Undoing a void or a completion restores what it consumed.
                        if let Some((ob, os)) = undo {
                            let okey = (ctx.tid.clone(), ob, os);
                            if let Some(o) = ledger.txns.get_mut(&okey) {
                                o.state = State::Approved;
                                ctx.ops.push(Op::State(okey, State::Approved));
                            }
                        }
                    }
                    // Already reversed, or never approved: nothing to undo.
                    _ => {}
                }
                "00"
            }
            // Not in the open batch: the batch is settled, and its rows
            // (and totals) are final. A tombstone would replace the row.
            None if open_batch.is_some_and(|open| batch < open) => "25",
            None => {
                // The original never reached the journal: nothing to undo.
                // The tombstone makes a late original a duplicate.
                let entry = Entry {
                    kind: orig_kind,
                    amount,
                    state: State::Reversed,
                    rrn: None,
                    auth: None,
                    pan: text(ctx.req, 2).map(|p| MaskedPan::mask(p).as_str().to_string()),
                    orig: None,
                    ts: Ts(ctx.ts_ms).to_string(),
                    reversed_early: false,
                };
                ctx.ops.push(Op::Txn(entry.row(&key, None)));
                ledger.txns.insert(key, entry);
                "00"
            }
        };
        self.queue(ctx);
        drop(ledger);
        set(resp, 39, rc);
    }

    async fn financial(&self, ctx: &mut Ctx<'_>, kind: Kind, resp: &mut Message, date: &str) {
        let (Some(batch), Some(stan)) = (
            ctx.batch,
            text(ctx.req, 11).and_then(|s| s.parse::<u32>().ok()),
        ) else {
            set(resp, 39, "30");
            return;
        };
        let amount: u64 = text(ctx.req, 4).and_then(|a| a.parse().ok()).unwrap_or(0);
        let pan_full = text(ctx.req, 2).unwrap_or("").to_string();
        let pan = (!pan_full.is_empty()).then(|| MaskedPan::mask(&pan_full).as_str().to_string());
        let key: TxnKey = (ctx.tid.clone(), batch, stan);
        let orig = text(ctx.req, 61).and_then(parse_field61);
        // Reserve the key and check the original, under one lock.
        let precheck = {
            let mut ledger = self.lock();
            if ledger.txns.contains_key(&key) {
                Err("94")
            } else {
                let orig_ok = match kind {
                    Kind::Void => self.orig_ok(
                        &ledger,
                        &ctx.tid,
                        orig,
                        amount,
                        &[Kind::Sale, Kind::Completion],
                        100,
                    ),
                    Kind::Completion => {
                        self.orig_ok(&ledger, &ctx.tid, orig, amount, &[Kind::PreAuth], 115)
                    }
                    Kind::Refund => self
                        .orig_ok(
                            &ledger,
                            &ctx.tid,
                            orig,
                            amount,
                            &[Kind::Sale, Kind::Completion],
                            100,
                        )
                        .or_else(|rc| if rc == "25" { Ok(()) } else { Err(rc) }),
                    _ => Ok(()),
                };
                // A void or completion still with the issuer has claimed
                // the same original: it is not there to consume twice.
                let claimed = matches!(kind, Kind::Void | Kind::Completion)
                    && ledger.txns.iter().any(|((tid, _, _), e)| {
                        *tid == ctx.tid
                            && e.state == State::Pending
                            && e.orig == orig
                            && matches!(e.kind, Kind::Void | Kind::Completion)
                    });
                let orig_ok = orig_ok.and(if claimed { Err("12") } else { Ok(()) });
                if orig_ok.is_ok() {
                    ledger.txns.insert(
                        key.clone(),
                        Entry {
                            kind,
                            amount,
                            state: State::Pending,
                            rrn: None,
                            auth: None,
                            pan: pan.clone(),
                            orig,
                            ts: Ts(ctx.ts_ms).to_string(),
                            reversed_early: false,
                        },
                    );
                }
                orig_ok
            }
        };
        if let Err(rc) = precheck {
            if rc == "94" {
                bump(&self.stats.duplicates);
            }
            set(resp, 39, rc);
            return;
        }
        // A refund whose original is in a closed batch: look it up in the journal.
        let answer = if kind == Kind::Refund && !self.refund_original_known(ctx, orig, amount).await
        {
            Answer::Code("25".into())
        } else {
            self.issuer.authorise(&pan_full).await
        };
        let rc = match &answer {
            Answer::Code(c) => c.clone(),
            Answer::NoAnswer => {
                bump(&self.stats.issuer_timeouts);
                "98".to_string()
            }
        };
        let approved = rc == "00";
        if approved {
            bump(&self.stats.approved);
            // RRNs count on from the journal's highest; the authorisation
            // code is derived from it (any six digits would do).
            let rrn = (self.rrn.fetch_add(1, Ordering::Relaxed) + 1) % 1_000_000_000_000;
            set(resp, 37, format!("{rrn:012}"));
            set(resp, 38, format!("{:06}", (rrn * 7919) % 1_000_000));
            set(resp, 15, date.to_string());
            if kind == Kind::Balance {
                set(resp, 54, format!("1002156C{:012}", 123_456));
            }
        } else {
            bump(&self.stats.declined);
        }
        set(resp, 39, rc.clone());
        if let Some(p) = text(ctx.req, 2) {
            set(resp, 2, p.to_string());
        }
        // Decide under the lock; queue the journal job under it too.
        let mut ledger = self.lock();
        let Some(e) = ledger.txns.get_mut(&key) else {
            return;
        };
        e.state = match (approved, e.reversed_early) {
            (_, true) => State::Reversed,
            (true, false) => State::Approved,
            (false, false) => State::Declined,
        };
        e.rrn = text(resp, 37).map(str::to_string);
        e.auth = text(resp, 38).map(str::to_string);
        let row = e.row(&key, Some(rc));
        let consumed = (approved && !e.reversed_early)
            .then_some(())
            .and(match kind {
                Kind::Void => orig.map(|o| (o, State::Voided)),
                Kind::Completion => orig.map(|o| (o, State::Completed)),
                _ => None,
            });
        ctx.ops.push(Op::Txn(row));
        if let Some(((ob, os), state)) = consumed {
            let okey = (ctx.tid.clone(), ob, os);
            if let Some(o) = ledger.txns.get_mut(&okey) {
                o.state = state;
                ctx.ops.push(Op::State(okey, state));
            }
        }
        // Decided after its batch was settled: journalled, no longer open.
        if ledger.terms.get(&ctx.tid).is_some_and(|t| t.batch > key.1) {
            ledger.txns.remove(&key);
        }
        self.queue(ctx);
    }

    /// Checks a void's or completion's original in the open batch:
    /// `25` not found, `12` not in a state to be consumed, `13` amount
    /// over `pct` % of the original's.
    #[allow(clippy::too_many_arguments)]
    fn orig_ok(
        &self,
        ledger: &Ledger,
        tid: &str,
        orig: Option<(u32, u32)>,
        amount: u64,
        kinds: &[Kind],
        pct: u64,
    ) -> Result<(), &'static str> {
        let Some((b, s)) = orig else { return Err("25") };
        let Some(o) = ledger.txns.get(&(tid.to_string(), b, s)) else {
            return Err("25");
        };
        if !kinds.contains(&o.kind) {
            return Err("25");
        }
        if o.state != State::Approved {
            return Err("12");
        }
        if amount * 100 > o.amount * pct {
            return Err("13");
        }
        Ok(())
    }

    async fn refund_original_known(
        &self,
        ctx: &Ctx<'_>,
        orig: Option<(u32, u32)>,
        amount: u64,
    ) -> bool {
        let Some((b, s)) = orig else { return false };
        let key = (ctx.tid.clone(), b, s);
        {
            let ledger = self.lock();
            if let Some(o) = ledger.txns.get(&key) {
                return o.state == State::Approved && amount <= o.amount;
            }
        }
        let path = self.cfg.journal.clone();
        let found = tokio::task::spawn_blocking(move || {
            crate::journal::Reader::open(&path).and_then(|r| r.txn(&key))
        })
        .await;
        matches!(found, Ok(Ok(Some(o))) if matches!(o.state, State::Approved | State::Completed) && amount <= o.amount)
    }
}

struct Ctx<'a> {
    req: &'a Message,
    frame: &'a [u8],
    tid: String,
    kind: Option<Kind>,
    batch: Option<u32>,
    ts_ms: i64,
    ops: Vec<Op>,
    /// Jobs queued while deciding (under the ledger lock, so in decision
    /// order); the answer waits for all of them.
    queued: Vec<tokio::sync::oneshot::Receiver<Result<(), String>>>,
}

/// A message's fields as journalled: the card number masked; track data,
/// PIN block, ICC data (it holds track-equivalent data) and working keys
/// left out.
pub fn scrubbed(msg: &Message) -> String {
    let mut m = Map::new();
    m.insert("mti".into(), Json::String(msg.mti.clone()));
    for (n, v) in &msg.fields {
        let value = match (n, v) {
            (35 | 36 | 52 | 55 | 62, _) => continue,
            (2, v) => Json::String(
                MaskedPan::mask(v.as_text().unwrap_or(""))
                    .as_str()
                    .to_string(),
            ),
            (_, posdoc_iso8583::Value::Text(t)) => Json::String(t.clone()),
            (_, posdoc_iso8583::Value::Bytes(b)) => Json::String(hex(b)),
        };
        m.insert(n.to_string(), value);
    }
    Json::Object(m).to_string()
}
