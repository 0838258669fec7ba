//! `posdoc gateway`, `posdoc terminal-sim`, `posdoc proxy`, `posdoc
//! reconcile` and `posdoc bench-gateway`: the acquiring gateway
//! (`posdoc-gateway`) and its simulation tools from the command line.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use posdoc_gateway::issuer::Rule;
use posdoc_gateway::profile::{Profiles, demo_profile};
use posdoc_gateway::proxy::{Faults, Proxy};
use posdoc_gateway::server::{Config, EvidenceSink, Gateway};
use posdoc_gateway::terminal::{SimConfig, TerminalLog, run};
use posdoc_gateway::{reconcile, tls};
use posdoc_kb::Lang;
use tokio_rustls::rustls::pki_types::ServerName;

use crate::output::pick;
use crate::serve::runtime;

/// Gateway settings shared by `posdoc gateway` and `posdoc serve --gateway`.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct GatewayOpts {
    /// The journal database (default: posdoc-gateway/journal.db, or
    /// gateway.db in the service's data directory).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// Terminal profiles (TOML [[terminal]]: tid, mid, tmk, mac).
    #[arg(long, value_name = "FILE")]
    terminals: Option<PathBuf>,
    /// Also serve the first N terminals of the demo fleet (TIDs 10000001...).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    demo_terminals: u32,
    /// Issuer behaviour per card range: PREFIX:approve | PREFIX:decline=CODE |
    /// PREFIX:delay=MS | PREFIX:down (`*` for every card). Repeatable.
    #[arg(long = "issuer", value_name = "RULE")]
    issuer: Vec<Rule>,
    /// How long to wait for the issuer before answering 98.
    #[arg(long, default_value_t = 3000, value_name = "MS")]
    issuer_timeout_ms: u64,
    /// TLS certificate chain (PEM) for the terminal port.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Generate a CA and a certificate for localhost into DIR (ca.pem,
    /// cert.pem, key.pem) and serve TLS with it.
    #[arg(long, value_name = "DIR", conflicts_with = "tls_cert")]
    tls_generate: Option<PathBuf>,
    /// With --tls-generate: make the certificate an expired one.
    #[arg(long, requires = "tls_generate")]
    tls_expired: bool,
}

impl GatewayOpts {
    pub(crate) fn config(&self, default_journal: PathBuf) -> anyhow::Result<Config> {
        let mut profiles = Profiles::demo(self.demo_terminals);
        if let Some(f) = &self.terminals {
            profiles.merge(Profiles::load(f)?);
        }
        let mut cfg = Config::new(self.journal.clone().unwrap_or(default_journal), profiles);
        cfg.issuer_rules = self.issuer.clone();
        cfg.issuer_timeout = Duration::from_millis(self.issuer_timeout_ms);
        cfg.tls = match (&self.tls_cert, &self.tls_key, &self.tls_generate) {
            (Some(c), Some(k), _) => Some(tls::server_config_from_files(c, k)?),
            (_, _, Some(dir)) => {
                let g = tls::generate(&["localhost", "127.0.0.1"], self.tls_expired)?;
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                for (name, pem) in [
                    ("ca.pem", &g.ca_cert_pem),
                    ("cert.pem", &g.cert_pem),
                    ("key.pem", &g.key_pem),
                ] {
                    let path = dir.join(name);
                    std::fs::write(&path, pem)
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                Some(tls::server_config(
                    g.cert_pem.as_bytes(),
                    g.key_pem.as_bytes(),
                )?)
            }
            _ => None,
        };
        Ok(cfg)
    }
}

#[derive(clap::Args, Debug)]
pub(crate) struct GatewayArgs {
    /// Address for terminals to connect to.
    #[arg(long, default_value = "127.0.0.1:5800", value_name = "ADDR")]
    listen: String,
    #[command(flatten)]
    opts: GatewayOpts,
    /// Write evidence records (contract JSON Lines) here; `-` for stdout.
    #[arg(long, value_name = "FILE")]
    evidence: Option<PathBuf>,
    /// Seconds between status lines (0: none).
    #[arg(long, default_value_t = 5)]
    status_every: u64,
}

#[derive(clap::Args, Debug)]
pub(crate) struct TerminalSimArgs {
    /// The gateway (or a proxy in front of it).
    #[arg(long, default_value = "127.0.0.1:5800", value_name = "ADDR")]
    gateway: SocketAddr,
    /// How many terminals (demo fleet TIDs from --first).
    #[arg(long, default_value_t = 20)]
    terminals: u32,
    /// The first demo terminal's index (0 = TID 10000001).
    #[arg(long, default_value_t = 0)]
    first: u32,
    /// Transactions per terminal (0: until --seconds or Ctrl-C).
    #[arg(long, default_value_t = 50)]
    transactions: u64,
    /// Stop after this many seconds.
    #[arg(long)]
    seconds: Option<f64>,
    /// Pause between a terminal's transactions.
    #[arg(long, default_value_t = 200, value_name = "MS")]
    pause_ms: u64,
    /// How long a terminal waits for an answer before reversing.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    timeout_ms: u64,
    /// Sales only (the default is the full mix).
    #[arg(long)]
    sales_only: bool,
    /// Do not settle at the end.
    #[arg(long)]
    no_settle: bool,
    /// Keep the terminals' ledgers here (resumed on the next run).
    #[arg(long, value_name = "DIR")]
    ledger: Option<PathBuf>,
    /// Connect with TLS, trusting this CA (PEM).
    #[arg(long, value_name = "FILE")]
    tls_ca: Option<PathBuf>,
    /// The name the gateway's certificate must carry.
    #[arg(long, default_value = "localhost")]
    tls_name: String,
    /// Card ranges to draw cards from (default: four UnionPay BINs).
    #[arg(long = "bin", value_name = "PREFIX")]
    bins: Vec<String>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Append the terminals' own log (contract records: connect and TLS
    /// failures, unanswered transactions, answers failing their MAC) to FILE.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Post the terminals' own log to a posdoc service (its base URL), as a
    /// terminal management system uploads terminal logs.
    #[arg(long, value_name = "URL", requires = "token", conflicts_with = "log")]
    post: Option<String>,
    /// The service token for --post (role ingest or admin).
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
}

#[derive(clap::Args, Debug)]
pub(crate) struct ProxyArgs {
    /// Address terminals connect to.
    #[arg(long, default_value = "127.0.0.1:5801", value_name = "ADDR")]
    listen: String,
    /// The gateway.
    #[arg(long, default_value = "127.0.0.1:5800", value_name = "ADDR")]
    upstream: SocketAddr,
    /// Faults, e.g. `wrong-mac=1` or `latency=50,jitter=20,drop=0.01,corrupt=0.01`
    /// (latency, jitter, drop, drop-response, reset, corrupt, truncate,
    /// wrong-mac, refuse, silent, expired-cert with --tls-front).
    #[arg(long, default_value = "none")]
    faults: Faults,
    /// A file holding a fault spec, re-read every second: change faults
    /// while the proxy runs.
    #[arg(long, value_name = "FILE")]
    control: Option<PathBuf>,
    /// End the terminals' TLS at the proxy: generate a CA and two
    /// certificates for localhost it signed, one valid and one expired,
    /// write the CA to DIR/ca.pem (for terminal-sim --tls-ca), and show the
    /// expired one as the `expired-cert` fault says.
    #[arg(long, value_name = "DIR")]
    tls_front: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(clap::Args, Debug)]
pub(crate) struct ReconcileArgs {
    /// The gateway's journal.
    #[arg(long, value_name = "FILE")]
    journal: PathBuf,
    /// The terminals' ledgers (terminal-sim --ledger).
    #[arg(long, value_name = "DIR")]
    ledger: PathBuf,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
pub(crate) struct BenchArgs {
    /// Concurrent terminals.
    #[arg(long, default_value_t = 200)]
    terminals: u32,
    /// Seconds of load.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Offered load in sales per second, spread over the terminals (0: each
    /// terminal sends its next sale as soon as the last is answered).
    #[arg(long, default_value_t = 11_000.0)]
    rate: f64,
    /// Where the journal goes (a temporary directory by default).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .try_init();
}

/// Records (the gateway's evidence, the terminals' own log) written as JSON
/// Lines by a thread, so that whoever writes them never waits; the thread
/// ends, everything written, once every copy of the sink is dropped.
fn jsonl_sink(path: &Path) -> anyhow::Result<(EvidenceSink, std::thread::JoinHandle<()>)> {
    let mut out: Box<dyn std::io::Write + Send> = if path == Path::new("-") {
        Box::new(std::io::stdout())
    } else {
        Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?,
        )
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<serde_json::Value>(100_000);
    let writer = std::thread::spawn(move || {
        while let Ok(v) = rx.recv() {
            let mut lines = v.to_string();
            lines.push('\n');
            while let Ok(v) = rx.try_recv() {
                lines.push_str(&v.to_string());
                lines.push('\n');
            }
            if out
                .write_all(lines.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return;
            }
        }
    });
    let sink: EvidenceSink = Arc::new(move |v| {
        let _ = tx.try_send(v);
    });
    Ok((sink, writer))
}

pub(crate) fn gateway(a: &GatewayArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    init_logging();
    let cfg = a.opts.config(PathBuf::from("posdoc-gateway/journal.db"))?;
    let sink = a
        .evidence
        .as_deref()
        .map(jsonl_sink)
        .transpose()?
        .map(|(sink, _writer)| sink);
    let journal = cfg.journal.clone();
    let terminals = cfg.profiles.len();
    let tls = cfg.tls.is_some();
    runtime()?.block_on(async move {
        let gw = Gateway::start(cfg, sink)?;
        let listener = tokio::net::TcpListener::bind(&a.listen)
            .await
            .with_context(|| format!("listening on {}", a.listen))?;
        let addr = listener.local_addr()?;
        println!(
            "{}",
            pick(
                lang,
                &format!(
                    "posdoc gateway 已启动：{addr}{}，{terminals} 台终端，日志库 {}",
                    if tls { "（TLS）" } else { "" },
                    journal.display()
                ),
                &format!(
                    "posdoc gateway listening on {addr}{}, {terminals} terminals, journal {}",
                    if tls { " (TLS)" } else { "" },
                    journal.display()
                ),
            )
        );
        let server = tokio::spawn(gw.clone().serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        }));
        if a.status_every > 0 {
            let gw = gw.clone();
            let every = a.status_every;
            tokio::spawn(async move {
                let mut last = 0u64;
                loop {
                    tokio::time::sleep(Duration::from_secs(every)).await;
                    let s: std::collections::BTreeMap<_, _> =
                        gw.stats().snapshot().into_iter().collect();
                    let approved = s.get("approved").copied().unwrap_or(0);
                    let rate = (approved - last) as f64 / every as f64;
                    last = approved;
                    let line = s
                        .iter()
                        .filter(|(_, v)| **v > 0)
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    println!(
                        "{}",
                        pick(
                            lang,
                            &format!("批准 {rate:.0}/秒  {line}"),
                            &format!("approved {rate:.0}/s  {line}")
                        )
                    );
                }
            });
        }
        server.await??;
        Ok(ExitCode::SUCCESS)
    })
}

/// Starts a gateway inside `posdoc serve`, its evidence fed to the service.
pub(crate) async fn start_in_service(
    listen: &str,
    opts: &GatewayOpts,
    data: &Path,
    feeder: posdoc_server::feed::Feeder,
    metrics: &posdoc_server::metrics::Metrics,
) -> anyhow::Result<SocketAddr> {
    let cfg = opts.config(data.join("gateway.db"))?;
    let evidence = feeder.clone();
    let sink: EvidenceSink = Arc::new(move |v| evidence.push(v));
    let gw = Gateway::start(cfg, Some(sink))?;
    // The gateway's counters on the service's /metrics.
    let watched = gw.clone();
    let source = posdoc_server::metrics::ExtraCounters(Arc::new(move || {
        let mut rows: Vec<(String, String, u64)> = watched
            .stats()
            .snapshot()
            .into_iter()
            .map(|(name, v)| {
                (
                    format!("gateway_{name}"),
                    format!("Acquiring gateway: {}.", name.replace('_', " ")),
                    v,
                )
            })
            .collect();
        rows.push((
            "gateway_evidence_dropped".into(),
            "Acquiring gateway: evidence records dropped (queue full).".into(),
            feeder.dropped(),
        ));
        rows
    }));
    if let Ok(mut extra) = metrics.extra.lock() {
        extra.push(source);
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    tokio::spawn(gw.serve(listener, std::future::pending()));
    Ok(addr)
}

pub(crate) fn terminal_sim(a: &TerminalSimArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    init_logging();
    let mut cfg = SimConfig::new(a.gateway);
    cfg.transactions = (a.transactions > 0).then_some(a.transactions);
    cfg.pause = Duration::from_millis(a.pause_ms);
    cfg.timeout = Duration::from_millis(a.timeout_ms);
    cfg.sales_only = a.sales_only;
    cfg.settle = !a.no_settle;
    cfg.ledger_dir = a.ledger.clone();
    cfg.seed = a.seed;
    if !a.bins.is_empty() {
        cfg.bins = a.bins.clone();
    }
    if let Some(ca) = &a.tls_ca {
        let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
        let name = ServerName::try_from(a.tls_name.clone())
            .map_err(|e| anyhow::anyhow!("--tls-name {}: {e}", a.tls_name))?;
        cfg.tls = Some((tls::client_config(&pem)?, name));
    }
    let profiles: Vec<_> = (a.first..a.first + a.terminals).map(demo_profile).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let mut log_writer = None;
    if let Some(path) = &a.log {
        let (sink, writer) = jsonl_sink(path)?;
        cfg.log = Some(TerminalLog(sink));
        log_writer = Some(writer);
    }
    runtime()?.block_on(async move {
        let poster = match (&a.post, &a.token) {
            (Some(url), Some(token)) => {
                let (sink, task) = poster(url, token);
                cfg.log = Some(TerminalLog(sink));
                Some(task)
            }
            _ => None,
        };
        let s = stop.clone();
        let seconds = a.seconds;
        tokio::spawn(async move {
            match seconds {
                Some(secs) => {
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs_f64(secs)) => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                }
                None => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
            s.store(true, Ordering::Relaxed);
        });
        let mut report = run(cfg, profiles, stop).await?;
        if let Some((tx, task)) = poster {
            // Dropping the last sender ends the poster after its last batch.
            drop(tx);
            task.await??;
        }
        if let Some(w) = log_writer {
            // `run` dropped the last sink: the writer finishes and ends.
            let _ = tokio::task::spawn_blocking(move || w.join()).await;
        }
        let p50 = report.latency_ms(0.5);
        let p99 = report.latency_ms(0.99);
        if a.json {
            let mut v = serde_json::to_value(&report)?;
            v["latency_p50_ms"] = p50.into();
            v["latency_p99_ms"] = p99.into();
            println!("{v}");
        } else {
            let codes = report
                .codes
                .iter()
                .map(|(k, v)| format!("{k}×{v}"))
                .collect::<Vec<_>>()
                .join(" ");
            println!(
                "{}",
                pick(
                    lang,
                    &format!(
                        "{} 台终端，{:.1} 秒：发出 {}，批准 {}，拒绝 {}，超时 {}，冲正 {}，结算平 {} / 不平 {}；延迟 p50 {p50:.2} ms，p99 {p99:.2} ms\n应答码：{codes}",
                        report.terminals, report.elapsed_s, report.sent, report.approved, report.declined,
                        report.timeouts, report.reversals, report.settled_balanced, report.settled_unbalanced
                    ),
                    &format!(
                        "{} terminals, {:.1} s: sent {}, approved {}, declined {}, timed out {}, reversed {}, settled balanced {} / unbalanced {}; latency p50 {p50:.2} ms, p99 {p99:.2} ms\nresponse codes: {codes}",
                        report.terminals, report.elapsed_s, report.sent, report.approved, report.declined,
                        report.timeouts, report.reversals, report.settled_balanced, report.settled_unbalanced
                    ),
                )
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

type Poster = (
    tokio::sync::mpsc::UnboundedSender<serde_json::Value>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
);

/// A sink posting records to a service in batches, and its task.
fn poster(url: &str, token: &str) -> (Arc<dyn Fn(serde_json::Value) + Send + Sync>, Poster) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    let endpoint = format!("{}/api/v1/records", url.trim_end_matches('/'));
    let token = token.to_string();
    let task = tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut batch = Vec::new();
        while rx.recv_many(&mut batch, 1000).await > 0 {
            let body: String = batch.drain(..).map(|v| v.to_string() + "\n").collect();
            let r = client
                .post(&endpoint)
                .bearer_auth(&token)
                .body(body)
                .send()
                .await
                .with_context(|| format!("posting the terminals' log to {endpoint}"))?;
            anyhow::ensure!(
                r.status().is_success(),
                "{endpoint} answered {}",
                r.status()
            );
        }
        Ok(())
    });
    let keep = tx.clone();
    let sink: Arc<dyn Fn(serde_json::Value) + Send + Sync> = Arc::new(move |v| {
        let _ = tx.send(v);
    });
    (sink, (keep, task))
}

pub(crate) fn proxy(a: &ProxyArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    init_logging();
    runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&a.listen)
            .await
            .with_context(|| format!("listening on {}", a.listen))?;
        let addr = listener.local_addr()?;
        let mut p = Proxy::new(a.upstream, a.faults.clone(), a.seed);
        if let Some(dir) = &a.tls_front {
            let (valid, expired) = tls::generate_pair(&["localhost", "127.0.0.1"])?;
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let ca = dir.join("ca.pem");
            std::fs::write(&ca, &valid.ca_cert_pem)
                .with_context(|| format!("writing {}", ca.display()))?;
            p = p.with_tls(posdoc_gateway::proxy::TlsFront::new(&valid, &expired)?);
        }
        println!(
            "{}",
            pick(
                lang,
                &format!("posdoc proxy：{addr} → {}，故障：{}", a.upstream, a.faults),
                &format!(
                    "posdoc proxy: {addr} → {}, faults: {}",
                    a.upstream, a.faults
                ),
            )
        );
        if let Some(control) = a.control.clone() {
            let p = p.clone();
            tokio::spawn(async move {
                let mut last = String::new();
                loop {
                    if let Ok(text) = std::fs::read_to_string(&control) {
                        let text = text.trim().to_string();
                        if text != last {
                            match text.parse::<Faults>() {
                                Ok(f) => {
                                    println!("faults: {f}");
                                    p.set_faults(f);
                                }
                                Err(e) => eprintln!("{}: {e}", control.display()),
                            }
                            last = text;
                        }
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            });
        }
        p.serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        Ok(ExitCode::SUCCESS)
    })
}

pub(crate) fn reconcile(a: &ReconcileArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let ledgers = reconcile::load_ledgers(&a.ledger)?;
    let r = reconcile::reconcile(&a.journal, &ledgers)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
    } else {
        writeln!(
            out,
            "{}",
            pick(
                lang,
                &format!(
                    "{} 台终端：{} 笔一致（金额 {}.{:02} 元），{} 个批次已结算，差错 {} 处{}",
                    r.terminals,
                    r.matched,
                    r.matched_amount / 100,
                    r.matched_amount % 100,
                    r.batches_settled,
                    r.discrepancies.len(),
                    if r.even() { "：账平" } else { "" }
                ),
                &format!(
                    "{} terminals: {} transactions agree (amount {}.{:02} CNY), {} batches settled, {} discrepancies{}",
                    r.terminals,
                    r.matched,
                    r.matched_amount / 100,
                    r.matched_amount % 100,
                    r.batches_settled,
                    r.discrepancies.len(),
                    if r.even() { ": even" } else { "" }
                ),
            )
        )?;
        for d in &r.discrepancies {
            writeln!(
                out,
                "  {} batch {} stan {}: {}: {}",
                d.terminal_id,
                d.batch,
                d.stan.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
                d.what,
                d.detail
            )?;
        }
    }
    Ok(if r.even() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Starts `posdoc gateway` as a child process (so the load generator and
/// the gateway are separate processes, as in production) and drives it
/// with simulated terminals doing sales as fast as answers come.
pub(crate) fn bench(a: &BenchArgs) -> anyhow::Result<ExitCode> {
    let tmp = a.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("posdoc-bench-gateway-{}", std::process::id()))
    });
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let exe = std::env::current_exe()?;
    let mut child = std::process::Command::new(exe)
        .args([
            "gateway",
            "--listen",
            &addr.to_string(),
            "--status-every",
            "0",
        ])
        .arg("--journal")
        .arg(tmp.join("journal.db"))
        .env("RUST_LOG", "warn")
        .args(["--demo-terminals", &a.terminals.to_string()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("starting the gateway")?;
    let journal = tmp.join("journal.db");
    let result = (|| {
        let started = Instant::now();
        while std::net::TcpStream::connect(addr).is_err() {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(20),
                "the gateway did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut cfg = SimConfig::new(addr);
        cfg.transactions = None;
        cfg.sales_only = true;
        cfg.settle = false;
        cfg.timeout = Duration::from_secs(10);
        if a.rate > 0.0 {
            cfg.interval = Some(Duration::from_secs_f64(f64::from(a.terminals) / a.rate));
        }
        let profiles: Vec<_> = (0..a.terminals).map(demo_profile).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let secs = a.seconds;
        runtime()?.block_on(async move {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs_f64(secs)).await;
                s.store(true, Ordering::Relaxed);
            });
            let mut r = run(cfg, profiles, stop).await?;
            let (p50, p90, p99, max) = (
                r.latency_ms(0.5),
                r.latency_ms(0.9),
                r.latency_ms(0.99),
                r.latency_ms(1.0),
            );
            let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            let journal_size = size(&journal) + size(&journal.with_extension("db-wal"));
            println!(
                "{} terminals, offered {}, {:.1} s: {} approved sales = {:.0} sales/s durable; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; timeouts {}; journal {:.1} MB",
                r.terminals,
                if a.rate > 0.0 { format!("{:.0} sales/s", a.rate) } else { "as fast as answered".into() },
                r.elapsed_s,
                r.approved_sales,
                r.approved_sales as f64 / r.elapsed_s,
                p50,
                p90,
                p99,
                max,
                r.timeouts,
                journal_size as f64 / 1e6
            );
            Ok::<(), anyhow::Error>(())
        })
    })();
    let _ = child.kill();
    let _ = child.wait();
    if a.dir.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result.map(|()| ExitCode::SUCCESS)
}
