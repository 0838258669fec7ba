//! Simulated terminals on the wire (`posdoc terminal-sim`): each signs on,
//! checks and MACs every message, and behaves as CUP terminals do when an
//! answer does not come: the reversal is written to the terminal's ledger
//! and sent before anything else, until the host acknowledges it.
//!
//! A terminal's ledger (what it believes was approved) is kept in memory
//! and, with a ledger directory, appended to `DIR/<TID>.jsonl` as it goes,
//! so a restarted simulator resumes its STAN, batch and pending reversal.
//! `posdoc reconcile` compares these ledgers with the gateway's journal.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use posdoc_iso8583::Message;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;

use crate::crypto::{Key, check_value, decrypt_key, tdes_encrypt_block};
use crate::profile::Profile;
use crate::protocol::{
    self, Kind, Totals, bytes, field60, field61, parse_field60, request, seal, set, set_bytes, text,
};
use crate::rng::Rng;

/// Transactions in a batch before the terminal settles it.
pub const BATCH_LIMIT: usize = 500;

/// What the terminals do.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub gateway: SocketAddr,
    /// TLS toward the gateway: the trusted configuration and the name to check.
    pub tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
    /// How long a terminal waits for an answer before reversing.
    pub timeout: Duration,
    /// Transactions per terminal (`None`: until stopped).
    pub transactions: Option<u64>,
    /// Pause between a terminal's transactions.
    pub pause: Duration,
    /// Start a transaction every `interval` (a fixed offered load, for
    /// latency measurements); a late terminal starts the next at once.
    pub interval: Option<Duration>,
    /// Sales only (for throughput runs), or the full mix.
    pub sales_only: bool,
    /// Settle each terminal's batch at the end.
    pub settle: bool,
    /// Where ledgers are written (`None`: memory only).
    pub ledger_dir: Option<PathBuf>,
    /// Card prefixes to draw PANs from (BINs).
    pub bins: Vec<String>,
    pub seed: u64,
    /// Where the terminals' own log goes, as contract records: what only
    /// the terminal sees (it could not connect, the TLS handshake failed,
    /// no answer came, an answer failed its MAC check).
    pub log: Option<TerminalLog>,
}

/// Receives the terminals' own records (one contract record per call).
#[derive(Clone)]
pub struct TerminalLog(pub Arc<dyn Fn(serde_json::Value) + Send + Sync>);

impl std::fmt::Debug for TerminalLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TerminalLog")
    }
}

fn now_ts() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    posdoc_record::Ts(ms).to_string()
}

impl SimConfig {
    pub fn new(gateway: SocketAddr) -> SimConfig {
        SimConfig {
            gateway,
            tls: None,
            timeout: Duration::from_secs(5),
            transactions: Some(20),
            pause: Duration::ZERO,
            interval: None,
            sales_only: false,
            settle: true,
            ledger_dir: None,
            bins: vec![
                "622848".into(),
                "621700".into(),
                "622202".into(),
                "625807".into(),
            ],
            seed: 1,
            log: None,
        }
    }
}

/// One ledger line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LedgerEvent {
    /// Signed on; the host's batch.
    SignedOn { batch: u32 },
    /// About to send (the STAN is used from here on).
    Sent {
        kind: Kind,
        batch: u32,
        stan: u32,
        amount: u64,
        orig: Option<(u32, u32)>,
    },
    /// The host answered.
    Answered {
        batch: u32,
        stan: u32,
        rc: String,
        rrn: Option<String>,
    },
    /// No (valid) answer: a reversal is owed before anything else.
    ReversalPending {
        kind: Kind,
        batch: u32,
        stan: u32,
        amount: u64,
        reason: String,
    },
    /// The host acknowledged the reversal.
    Reversed { batch: u32, stan: u32 },
    /// The batch was settled; the host's verdict.
    Settled {
        batch: u32,
        terminal: Totals,
        host: Totals,
        balanced: bool,
    },
}

/// A transaction as the terminal sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LedgerTxn {
    pub kind: Kind,
    pub amount: u64,
    pub rc: Option<String>,
    pub rrn: Option<String>,
    pub orig: Option<(u32, u32)>,
    pub reversed: bool,
}

impl LedgerTxn {
    /// Approved and not reversed, voided or consumed.
    pub fn approved(&self) -> bool {
        self.rc.as_deref() == Some("00") && !self.reversed
    }
}

/// A terminal's ledger, replayable from its events.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    pub tid: String,
    pub batch: u32,
    pub stan: u32,
    pub txns: BTreeMap<(u32, u32), LedgerTxn>,
    pub pending_reversal: Option<(Kind, u32, u32, u64)>,
    pub settlements: Vec<(u32, Totals, Totals, bool)>,
}

impl Ledger {
    /// Applies one event.
    pub fn apply(&mut self, e: &LedgerEvent) {
        match e {
            LedgerEvent::SignedOn { batch } => self.batch = *batch,
            LedgerEvent::Sent {
                kind,
                batch,
                stan,
                amount,
                orig,
            } => {
                self.stan = self.stan.max(*stan);
                self.txns.insert(
                    (*batch, *stan),
                    LedgerTxn {
                        kind: *kind,
                        amount: *amount,
                        rc: None,
                        rrn: None,
                        orig: *orig,
                        reversed: false,
                    },
                );
            }
            LedgerEvent::Answered {
                batch,
                stan,
                rc,
                rrn,
            } => {
                let consumed = if let Some(t) = self.txns.get_mut(&(*batch, *stan)) {
                    t.rc = Some(rc.clone());
                    t.rrn = rrn.clone();
                    (rc == "00" && matches!(t.kind, Kind::Void | Kind::Completion))
                        .then_some(t.orig)
                        .flatten()
                } else {
                    None
                };
                // A void cancels its sale; a completion consumes its pre-authorisation.
                if let Some(o) = consumed
                    && let Some(t) = self.txns.get_mut(&o)
                {
                    t.reversed = true;
                }
            }
            LedgerEvent::ReversalPending {
                kind,
                batch,
                stan,
                amount,
                ..
            } => {
                self.pending_reversal = Some((*kind, *batch, *stan, *amount));
            }
            LedgerEvent::Reversed { batch, stan } => {
                self.pending_reversal = None;
                if let Some(t) = self.txns.get_mut(&(*batch, *stan)) {
                    t.reversed = true;
                    t.rc = None;
                }
            }
            LedgerEvent::Settled {
                batch,
                terminal,
                host,
                balanced,
            } => {
                self.settlements.push((*batch, *terminal, *host, *balanced));
                self.batch = batch + 1;
            }
        }
    }

    /// Transactions sent in a batch.
    pub fn batch_count(&self, batch: u32) -> usize {
        self.txns.range((batch, 0)..(batch + 1, 0)).count()
    }

    /// Totals of a batch: approved sales and completions, approved refunds.
    pub fn totals(&self, batch: u32) -> Totals {
        let mut t = Totals::default();
        for ((b, _), x) in &self.txns {
            if *b == batch && x.approved() {
                t.add(x.kind, x.amount);
            }
        }
        t
    }

    /// Reads a ledger file (a missing file is an empty ledger). A torn last
    /// line (the simulator was killed mid-write) is ignored; any other bad
    /// line is an error naming it.
    pub fn load(path: &Path, tid: &str) -> anyhow::Result<Ledger> {
        let mut l = Ledger {
            tid: tid.to_string(),
            batch: 1,
            ..Ledger::default()
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(l),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            match serde_json::from_str::<LedgerEvent>(line) {
                Ok(e) => l.apply(&e),
                Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => {}
                Err(e) => anyhow::bail!("{}:{}: {e}", path.display(), i + 1),
            }
        }
        Ok(l)
    }
}

/// Results of a run, merged over terminals.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Report {
    pub terminals: usize,
    pub sent: u64,
    pub approved: u64,
    pub approved_sales: u64,
    pub declined: u64,
    pub timeouts: u64,
    pub reversals: u64,
    pub reconnects: u64,
    pub settled_balanced: u64,
    pub settled_unbalanced: u64,
    /// Response codes seen.
    pub codes: BTreeMap<String, u64>,
    /// Round-trip latencies of answered requests, microseconds.
    #[serde(skip)]
    pub latencies_us: Vec<u32>,
    pub elapsed_s: f64,
}

impl Report {
    fn merge(&mut self, o: Report) {
        self.terminals += o.terminals;
        self.sent += o.sent;
        self.approved += o.approved;
        self.approved_sales += o.approved_sales;
        self.declined += o.declined;
        self.timeouts += o.timeouts;
        self.reversals += o.reversals;
        self.reconnects += o.reconnects;
        self.settled_balanced += o.settled_balanced;
        self.settled_unbalanced += o.settled_unbalanced;
        for (k, v) in o.codes {
            *self.codes.entry(k).or_default() += v;
        }
        self.latencies_us.extend(o.latencies_us);
    }

    /// The latency at quantile `q` in milliseconds.
    pub fn latency_ms(&mut self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        self.latencies_us.sort_unstable();
        let i = ((self.latencies_us.len() - 1) as f64 * q).round() as usize;
        f64::from(self.latencies_us[i.min(self.latencies_us.len() - 1)]) / 1000.0
    }
}

/// Runs `profiles` as terminals until each has done its transactions or
/// `stop` is set; then each clears its pending reversal and settles.
pub async fn run(
    cfg: SimConfig,
    profiles: Vec<Profile>,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Report> {
    if let Some(dir) = &cfg.ledger_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let started = Instant::now();
    let cfg = Arc::new(cfg);
    let counter = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, p) in profiles.into_iter().enumerate() {
        let cfg = cfg.clone();
        let stop = stop.clone();
        let counter = counter.clone();
        tasks.spawn(async move {
            let mut t = Terminal::new(
                &cfg,
                p,
                cfg.seed.wrapping_mul(1_000_003).wrapping_add(i as u64),
            )?;
            t.run(&cfg, &stop, &counter).await?;
            Ok::<Report, anyhow::Error>(t.report)
        });
    }
    let mut report = Report::default();
    while let Some(r) = tasks.join_next().await {
        report.merge(r.context("a terminal task failed")??);
    }
    report.elapsed_s = started.elapsed().as_secs_f64();
    Ok(report)
}

/// An original transaction a void, refund or completion refers to: batch, STAN, RRN.
type Original = (u32, u32, Option<String>);

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

struct Terminal {
    p: Profile,
    ledger: Ledger,
    file: Option<std::fs::File>,
    conn: Option<Box<dyn Io>>,
    pik: Option<Key>,
    mak: Option<Key>,
    rng: Rng,
    report: Report,
    buf: Vec<u8>,
}

/// Why an exchange did not produce a usable answer.
enum Failed {
    /// No answer in time, or the connection broke after sending.
    NoAnswer(String),
    /// Could not send at all (nothing reached the host).
    NotSent(String),
}

impl Terminal {
    fn new(cfg: &SimConfig, p: Profile, seed: u64) -> anyhow::Result<Terminal> {
        let (ledger, file) = match &cfg.ledger_dir {
            Some(dir) => {
                let path = dir.join(format!("{}.jsonl", p.tid));
                let ledger = Ledger::load(&path, &p.tid)?;
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .with_context(|| format!("opening {}", path.display()))?;
                (ledger, Some(file))
            }
            None => (
                Ledger {
                    tid: p.tid.clone(),
                    batch: 1,
                    ..Ledger::default()
                },
                None,
            ),
        };
        Ok(Terminal {
            p,
            ledger,
            file,
            conn: None,
            pik: None,
            mak: None,
            rng: Rng::new(seed),
            report: Report {
                terminals: 1,
                ..Report::default()
            },
            buf: Vec::with_capacity(512),
        })
    }

    fn log(&mut self, e: LedgerEvent) -> anyhow::Result<()> {
        self.ledger.apply(&e);
        if let Some(f) = &mut self.file {
            let mut line = serde_json::to_string(&e)?;
            line.push('\n');
            // One write per event: a killed simulator leaves whole lines
            // (or a torn last one, which `Ledger::load` ignores).
            f.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    /// Writes a record to the terminal's log.
    fn record(&self, cfg: &SimConfig, mut record: serde_json::Value) {
        if let (Some(log), serde_json::Value::Object(m)) = (&cfg.log, &mut record) {
            m.insert("ts".into(), now_ts().into());
            m.insert("terminal_id".into(), self.p.tid.clone().into());
            (log.0)(record);
        }
    }

    async fn connect(&mut self, cfg: &SimConfig) -> Result<(), String> {
        if self.conn.is_some() {
            return Ok(());
        }
        let result = self.open(cfg).await;
        if let Err(e) = &result {
            let tls = e.starts_with("TLS");
            self.record(
                cfg,
                serde_json::json!({
                    "kind": "error",
                    "code": if tls { "TLS" } else { "CONNECT" },
                    "stage": if tls { "tls" } else { "connect" },
                    "detail": format!("terminal: {e}"),
                }),
            );
        }
        result
    }

    async fn open(&mut self, cfg: &SimConfig) -> Result<(), String> {
        let tcp = tokio::time::timeout(cfg.timeout, TcpStream::connect(cfg.gateway))
            .await
            .map_err(|_| "connect timed out".to_string())?
            .map_err(|e| format!("connect: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let io: Box<dyn Io> = match &cfg.tls {
            None => Box::new(tcp),
            Some((config, name)) => {
                let c = TlsConnector::from(config.clone());
                let s = tokio::time::timeout(cfg.timeout, c.connect(name.clone(), tcp))
                    .await
                    .map_err(|_| "TLS handshake timed out".to_string())?
                    .map_err(|e| format!("TLS: {e}"))?;
                Box::new(s)
            }
        };
        self.conn = Some(io);
        Ok(())
    }

    /// Sends a frame and reads the answer (the raw frame into `self.buf`).
    async fn round_trip(&mut self, cfg: &SimConfig, frame: &[u8]) -> Result<Message, Failed> {
        if let Err(e) = self.connect(cfg).await {
            return Err(Failed::NotSent(e));
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(Failed::NotSent("no connection".into()));
        };
        if let Err(e) = conn.write_all(frame).await {
            self.conn = None;
            // Some bytes may have left: treat as sent.
            return Err(Failed::NoAnswer(format!("send: {e}")));
        }
        let started = Instant::now();
        let buf = &mut self.buf;
        let read = async {
            let mut len = [0u8; 2];
            conn.read_exact(&mut len).await?;
            let n = usize::from(u16::from_be_bytes(len));
            buf.clear();
            buf.extend_from_slice(&len);
            buf.resize(2 + n, 0);
            conn.read_exact(&mut buf[2..]).await?;
            Ok::<(), std::io::Error>(())
        };
        match tokio::time::timeout(cfg.timeout, read).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                self.conn = None;
                return Err(Failed::NoAnswer(format!("receive: {e}")));
            }
            Err(_) => {
                // A late answer would be read as the next one's: start afresh.
                self.conn = None;
                return Err(Failed::NoAnswer("no answer in time".into()));
            }
        }
        self.report
            .latencies_us
            .push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        match protocol::open(&self.buf) {
            Ok(m) => Ok(m),
            Err(e) => {
                self.conn = None;
                Err(Failed::NoAnswer(format!("unreadable answer: {e}")))
            }
        }
    }

    async fn sign_on(&mut self, cfg: &SimConfig) -> Result<(), String> {
        self.ledger.stan += 1;
        let mut m = request(Kind::SignOn);
        set(&mut m, 11, format!("{:06}", self.ledger.stan % 1_000_000));
        set(&mut m, 41, self.p.tid.clone());
        set(&mut m, 42, self.p.mid.clone());
        set(&mut m, 60, field60("00", self.ledger.batch, "003"));
        let frame = seal(&mut m, None).map_err(|e| e.to_string())?;
        let resp = match self.round_trip(cfg, &frame).await {
            Ok(r) => r,
            Err(Failed::NoAnswer(e) | Failed::NotSent(e)) => return Err(e),
        };
        let rc = text(&resp, 39).unwrap_or("--").to_string();
        if rc != "00" {
            return Err(format!("sign-on refused: {rc}"));
        }
        let keys = bytes(&resp, 62).ok_or("sign-on answer without keys")?;
        let (Some(pik_enc), Some(pik_cv), Some(mak_enc), Some(mak_cv)) = (
            keys.get(0..16),
            keys.get(16..20),
            keys.get(20..36),
            keys.get(36..40),
        ) else {
            return Err(format!("sign-on keys are {} bytes, not 40", keys.len()));
        };
        let dec = |enc: &[u8]| {
            let mut e = [0u8; 16];
            e.copy_from_slice(enc);
            decrypt_key(&self.p.tmk, &e)
        };
        let (pik, mak) = (dec(pik_enc), dec(mak_enc));
        if check_value(&pik) != pik_cv || check_value(&mak) != mak_cv {
            return Err("working key check values do not match (wrong master key?)".into());
        }
        self.pik = Some(pik);
        self.mak = Some(mak);
        let (_, batch, _) = parse_field60(text(&resp, 60).unwrap_or(""));
        let batch = batch.unwrap_or(self.ledger.batch);
        if batch != self.ledger.batch {
            self.log(LedgerEvent::SignedOn { batch })
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn pan(&mut self, cfg: &SimConfig) -> String {
        let bin = cfg
            .bins
            .get(self.rng.below(cfg.bins.len() as u64) as usize)
            .cloned()
            .unwrap_or_else(|| "622848".into());
        let mut pan = bin;
        while pan.len() < 18 {
            pan.push(char::from(b'0' + self.rng.below(10) as u8));
        }
        pan.push(luhn_digit(&pan));
        pan
    }

    fn pin_block(&self, pan: &str) -> [u8; 8] {
        // ISO 9564 format 0, PIN 123456, under the PIN key.
        let mut clear = [0xFFu8; 8];
        clear[0] = 0x06;
        clear[1] = 0x12;
        clear[2] = 0x34;
        clear[3] = 0x56;
        let digits: Vec<u8> = pan.bytes().map(|b| b.wrapping_sub(b'0')).collect();
        let n = digits.len();
        let part: Vec<u8> = digits
            .get(n.saturating_sub(13)..n.saturating_sub(1))
            .unwrap_or(&[])
            .to_vec();
        let mut pan_block = [0u8; 8];
        for (i, pair) in part.chunks(2).enumerate() {
            if let (Some(slot), [a, b]) = (pan_block.get_mut(2 + i), pair) {
                *slot = (a << 4) | b;
            }
        }
        for (c, p) in clear.iter_mut().zip(pan_block) {
            *c ^= p;
        }
        tdes_encrypt_block(&self.pik.unwrap_or([0; 16]), clear)
    }

    /// Builds a financial request.
    fn build(
        &mut self,
        cfg: &SimConfig,
        kind: Kind,
        stan: u32,
        amount: u64,
        orig: Option<Original>,
    ) -> Message {
        let mut m = request(kind);
        let pan = self.pan(cfg);
        set(&mut m, 2, pan.clone());
        if let Some(pc) = kind.processing_code() {
            set(&mut m, 3, pc);
        }
        set(&mut m, 4, format!("{amount:012}"));
        set(&mut m, 11, format!("{:06}", stan % 1_000_000));
        set(&mut m, 14, "3012");
        let ic = self.rng.chance(0.7);
        set(&mut m, 22, if ic { "051" } else { "021" });
        if ic {
            set(&mut m, 23, "001");
        }
        set(
            &mut m,
            25,
            if kind == Kind::Completion { "06" } else { "00" },
        );
        set(&mut m, 26, "12");
        set(&mut m, 35, format!("{pan}D30122011234500000"));
        set(&mut m, 41, self.p.tid.clone());
        set(&mut m, 42, self.p.mid.clone());
        set(&mut m, 49, "156");
        if matches!(kind, Kind::Sale | Kind::PreAuth | Kind::Balance) {
            set_bytes(&mut m, 52, self.pin_block(&pan));
            set(&mut m, 53, "2600000000000000");
        }
        if ic {
            let mut icc = vec![0x9F, 0x26, 0x08];
            icc.extend((0..8).map(|_| self.rng.below(256) as u8));
            icc.extend_from_slice(&[0x9F, 0x27, 0x01, 0x80, 0x95, 0x05, 0, 0, 0, 0, 0]);
            icc.extend_from_slice(&[0x9F, 0x36, 0x02, 0x00, (stan % 256) as u8]);
            set_bytes(&mut m, 55, icc);
        }
        set(
            &mut m,
            60,
            field60(kind.type_code(), self.ledger.batch, "000"),
        );
        if let Some((ob, os, rrn)) = orig {
            set(&mut m, 61, field61(ob, os, None));
            if let Some(rrn) = rrn {
                set(&mut m, 37, rrn);
            }
        }
        m
    }

    fn key(&self) -> Option<(crate::crypto::MacAlgorithm, Key)> {
        self.mak.map(|k| (self.p.mac, k))
    }

    /// Sends the owed reversal until the host acknowledges it.
    async fn clear_reversal(&mut self, cfg: &SimConfig, stop: &AtomicBool) -> anyhow::Result<bool> {
        let mut tries = 0u32;
        while let Some((kind, batch, stan, amount)) = self.ledger.pending_reversal {
            if self.mak.is_none()
                && let Err(e) = self.sign_on(cfg).await
            {
                tracing::debug!("{}: sign-on before reversal: {e}", self.p.tid);
                self.backoff(&mut tries, stop).await;
                if stop.load(Ordering::Relaxed) && tries > 50 {
                    return Ok(false);
                }
                continue;
            }
            let mut m = request(Kind::Reversal);
            if let Some(pc) = kind.processing_code() {
                set(&mut m, 3, pc);
            }
            set(&mut m, 4, format!("{amount:012}"));
            set(&mut m, 11, format!("{:06}", stan % 1_000_000));
            set(&mut m, 25, "00");
            set(&mut m, 39, "98");
            set(&mut m, 41, self.p.tid.clone());
            set(&mut m, 42, self.p.mid.clone());
            set(&mut m, 49, "156");
            set(&mut m, 60, field60(kind.type_code(), batch, "000"));
            let key = self.key();
            let frame = seal(&mut m, key.as_ref().map(|(a, k)| (*a, k)))?;
            match self.round_trip(cfg, &frame).await {
                Ok(resp) => {
                    let rc = text(&resp, 39).unwrap_or("--").to_string();
                    *self.report.codes.entry(format!("0410:{rc}")).or_default() += 1;
                    if rc == "00" || rc == "25" {
                        self.report.reversals += 1;
                        self.log(LedgerEvent::Reversed { batch, stan })?;
                    } else {
                        if matches!(rc.as_str(), "A0" | "77") {
                            self.mak = None;
                        }
                        self.backoff(&mut tries, stop).await;
                    }
                }
                Err(Failed::NoAnswer(_) | Failed::NotSent(_)) => {
                    self.report.reconnects += 1;
                    self.backoff(&mut tries, stop).await;
                }
            }
            if stop.load(Ordering::Relaxed) && tries > 50 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn backoff(&mut self, tries: &mut u32, _stop: &AtomicBool) {
        *tries += 1;
        let ms = (20u64 << (*tries).min(5)).min(500) + self.rng.below(20);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn choose(&mut self, cfg: &SimConfig) -> (Kind, u64, Option<Original>) {
        let amount = 100 + self.rng.below(50_000);
        if cfg.sales_only {
            return (Kind::Sale, amount, None);
        }
        let batch = self.ledger.batch;
        let r = self.rng.unit();
        let pick = |ledger: &Ledger, kinds: &[Kind]| {
            ledger
                .txns
                .iter()
                .rev()
                .find(|((b, _), t)| *b == batch && kinds.contains(&t.kind) && t.approved())
                .map(|((b, s), t)| (*b, *s, t.amount, t.rrn.clone()))
        };
        if r < 0.06
            && let Some((b, s, a, rrn)) = pick(&self.ledger, &[Kind::Sale])
        {
            return (Kind::Void, a, Some((b, s, rrn)));
        }
        if r < 0.10
            && let Some((b, s, a, rrn)) = pick(&self.ledger, &[Kind::Sale])
        {
            return (Kind::Refund, a / 2 + 1, Some((b, s, rrn)));
        }
        if r < 0.13 {
            return (Kind::Balance, 0, None);
        }
        if r < 0.17 {
            return (Kind::PreAuth, amount, None);
        }
        if r < 0.21
            && let Some((b, s, a, rrn)) = pick(&self.ledger, &[Kind::PreAuth])
        {
            return (Kind::Completion, a, Some((b, s, rrn)));
        }
        (Kind::Sale, amount, None)
    }

    async fn run(
        &mut self,
        cfg: &SimConfig,
        stop: &AtomicBool,
        counter: &AtomicU64,
    ) -> anyhow::Result<()> {
        let mut done = 0u64;
        let mut tries = 0u32;
        // Terminals start spread over one interval, not in lockstep.
        let mut next = cfg.interval.map(|iv| {
            tokio::time::Instant::now()
                + Duration::from_micros(self.rng.below(iv.as_micros().max(1) as u64))
        });
        loop {
            if let (Some(at), Some(iv)) = (next.as_mut(), cfg.interval) {
                tokio::time::sleep_until(*at).await;
                *at = (*at + iv).max(tokio::time::Instant::now());
            }
            if stop.load(Ordering::Relaxed) || cfg.transactions.is_some_and(|n| done >= n) {
                break;
            }
            // A reversal owed goes first, always.
            if !self.clear_reversal(cfg, stop).await? {
                break;
            }
            if self.mak.is_none() {
                if let Err(e) = self.sign_on(cfg).await {
                    tracing::debug!("{}: sign-on: {e}", self.p.tid);
                    self.report.reconnects += 1;
                    self.backoff(&mut tries, stop).await;
                    continue;
                }
                tries = 0;
            }
            // A full batch is settled before going on, as terminals must:
            // field 48 counts only to 999.
            if cfg.settle && self.ledger.batch_count(self.ledger.batch) >= BATCH_LIMIT {
                self.settle(cfg).await?;
            }
            let (kind, amount, orig) = self.choose(cfg);
            let stan = self.ledger.stan + 1;
            let batch = self.ledger.batch;
            let mut m = self.build(cfg, kind, stan, amount, orig.clone());
            let key = self.key();
            let frame = seal(&mut m, key.as_ref().map(|(a, k)| (*a, k)))?;
            self.log(LedgerEvent::Sent {
                kind,
                batch,
                stan,
                amount,
                orig: orig.as_ref().map(|(b, s, _)| (*b, *s)),
            })?;
            self.report.sent += 1;
            done += 1;
            counter.fetch_add(1, Ordering::Relaxed);
            let reversible = kind != Kind::Balance;
            match self.round_trip(cfg, &frame).await {
                Ok(resp) => {
                    let rc = text(&resp, 39).unwrap_or("--").to_string();
                    *self.report.codes.entry(rc.clone()).or_default() += 1;
                    let mac_ok = match (rc.as_str(), key) {
                        // Refusals of the keys or the terminal come without a MAC.
                        ("A0" | "97" | "77", _) => true,
                        (_, Some((alg, k))) => protocol::verify(&self.buf, &resp, alg, &k),
                        (_, None) => false,
                    };
                    let echoes = text(&resp, 11) == text(&m, 11) && text(&resp, 41) == text(&m, 41);
                    if !mac_ok || !echoes {
                        // An answer that cannot be trusted is no answer.
                        self.record(
                            cfg,
                            serde_json::json!({
                                "kind": "error",
                                "code": "MAC",
                                "stage": "mac",
                                "stan": format!("{:06}", stan % 1_000_000),
                                "detail": format!(
                                    "terminal: the answer ({rc}) {}",
                                    if mac_ok { "does not match the request" } else { "failed its MAC check" }
                                ),
                            }),
                        );
                        self.report.timeouts += 1;
                        if reversible {
                            self.owe_reversal(kind, batch, stan, amount, "bad answer")?;
                        }
                        self.conn = None;
                        continue;
                    }
                    if matches!(rc.as_str(), "A0" | "77") {
                        // Keys or batch out of step: sign on again before the next.
                        self.mak = None;
                    }
                    let rrn = text(&resp, 37).map(str::to_string);
                    self.log(LedgerEvent::Answered {
                        batch,
                        stan,
                        rc: rc.clone(),
                        rrn,
                    })?;
                    if rc == "00" {
                        self.report.approved += 1;
                        if kind == Kind::Sale {
                            self.report.approved_sales += 1;
                        }
                    } else {
                        self.report.declined += 1;
                    }
                    if !cfg.pause.is_zero() {
                        tokio::time::sleep(cfg.pause).await;
                    }
                }
                Err(Failed::NoAnswer(why)) => {
                    self.record(
                        cfg,
                        serde_json::json!({
                            "kind": "txn",
                            "type": kind.txn_type(),
                            "amount": amount,
                            "currency": "156",
                            "merchant_id": self.p.mid,
                            "stan": format!("{:06}", stan % 1_000_000),
                            "timed_out": true,
                            "latency_ms": cfg.timeout.as_millis() as f64,
                        }),
                    );
                    self.report.timeouts += 1;
                    if reversible {
                        self.owe_reversal(kind, batch, stan, amount, &why)?;
                    }
                }
                Err(Failed::NotSent(why)) => {
                    // Nothing left the terminal; the STAN is spent, nothing is owed.
                    tracing::debug!("{}: not sent: {why}", self.p.tid);
                    self.report.reconnects += 1;
                    self.log(LedgerEvent::Answered {
                        batch,
                        stan,
                        rc: "NS".into(),
                        rrn: None,
                    })?;
                    self.backoff(&mut tries, stop).await;
                }
            }
        }
        // Before settling: nothing may be owed.
        let cleared = self.clear_reversal(cfg, stop).await?;
        if cfg.settle && cleared {
            self.settle(cfg).await?;
        }
        Ok(())
    }

    fn owe_reversal(
        &mut self,
        kind: Kind,
        batch: u32,
        stan: u32,
        amount: u64,
        why: &str,
    ) -> anyhow::Result<()> {
        self.log(LedgerEvent::ReversalPending {
            kind,
            batch,
            stan,
            amount,
            reason: why.to_string(),
        })
    }

    async fn settle(&mut self, cfg: &SimConfig) -> anyhow::Result<()> {
        for attempt in 0..20u32 {
            if self.mak.is_none() && self.sign_on(cfg).await.is_err() {
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt + 1))).await;
                continue;
            }
            let batch = self.ledger.batch;
            let totals = self.ledger.totals(batch);
            self.ledger.stan += 1;
            let mut m = request(Kind::Settlement);
            set(&mut m, 11, format!("{:06}", self.ledger.stan % 1_000_000));
            set(&mut m, 41, self.p.tid.clone());
            set(&mut m, 42, self.p.mid.clone());
            set(&mut m, 48, totals.to_field48('0'));
            set(&mut m, 49, "156");
            set(&mut m, 60, field60("00", batch, "201"));
            let key = self.key();
            let frame = seal(&mut m, key.as_ref().map(|(a, k)| (*a, k)))?;
            match self.round_trip(cfg, &frame).await {
                Ok(resp) if text(&resp, 39) == Some("00") => {
                    let (host, result) = text(&resp, 48)
                        .and_then(Totals::from_field48)
                        .unwrap_or_default();
                    let balanced = result == '1';
                    if balanced {
                        self.report.settled_balanced += 1;
                    } else {
                        self.report.settled_unbalanced += 1;
                    }
                    self.log(LedgerEvent::Settled {
                        batch,
                        terminal: totals,
                        host,
                        balanced,
                    })?;
                    return Ok(());
                }
                Ok(resp) => {
                    if matches!(text(&resp, 39), Some("A0" | "77")) {
                        self.mak = None;
                    }
                }
                Err(_) => {}
            }
            tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt + 1))).await;
        }
        anyhow::bail!("{}: settlement never went through", self.p.tid)
    }
}

fn luhn_digit(partial: &str) -> char {
    let sum: u32 = partial
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0'));
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_check_digit_is_valid() {
        let pan = format!("622848000000000001{}", luhn_digit("622848000000000001"));
        assert!(posdoc_record::luhn_valid(pan.as_bytes()));
        assert_eq!(luhn_digit("7992739871"), '3');
    }

    #[test]
    fn ledger_replays_and_ignores_a_torn_last_line() {
        let dir = std::env::temp_dir().join(format!("posdoc-ledger-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("10000001.jsonl");
        let events = [
            LedgerEvent::Sent {
                kind: Kind::Sale,
                batch: 1,
                stan: 1,
                amount: 500,
                orig: None,
            },
            LedgerEvent::Answered {
                batch: 1,
                stan: 1,
                rc: "00".into(),
                rrn: Some("000000000001".into()),
            },
            LedgerEvent::Sent {
                kind: Kind::Sale,
                batch: 1,
                stan: 2,
                amount: 700,
                orig: None,
            },
            LedgerEvent::ReversalPending {
                kind: Kind::Sale,
                batch: 1,
                stan: 2,
                amount: 700,
                reason: "no answer".into(),
            },
        ];
        let mut text: String = events
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect();
        text.push_str("{\"event\":\"rev");
        std::fs::write(&path, &text).unwrap();
        let l = Ledger::load(&path, "10000001").expect("loads");
        assert_eq!(l.stan, 2);
        assert_eq!(l.pending_reversal, Some((Kind::Sale, 1, 2, 700)));
        assert_eq!(l.totals(1).debit_amount, 500);
        // A bad line that is not the last is an error naming the line.
        std::fs::write(&path, format!("garbage\n{text}")).unwrap();
        let e = format!("{:#}", Ledger::load(&path, "10000001").unwrap_err());
        assert!(e.contains(":1:"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
