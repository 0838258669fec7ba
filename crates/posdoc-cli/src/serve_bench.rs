//! `posdoc bench-serve`: the service's figures, measured end to end on a
//! generated fleet. It starts `posdoc serve` as a child process on a fresh
//! store (so the memory read is the server's alone), streams the fleet in
//! over HTTP in batches from several clients, then times the dashboard's
//! queries.

use std::io::Write;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Records to ingest.
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
    /// Terminals in the fleet.
    #[arg(long, default_value_t = 10_000)]
    terminals: usize,
    /// Records per request.
    #[arg(long, default_value_t = 20_000)]
    batch: usize,
    /// Concurrent clients posting.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Queries timed per endpoint after ingestion.
    #[arg(long, default_value_t = 300)]
    queries: usize,
    /// Store directory (default: a fresh temporary one, removed after).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Skip ingestion: measure queries on the store already in --data.
    #[arg(long, requires = "data")]
    queries_only: bool,
}

/// The path of a query's `i`-th run.
type PathOf<'a> = Box<dyn Fn(usize) -> String + 'a>;

/// The server's peak resident memory (VmHWM), bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Splits the simulator's output into batches of whole lines.
struct Batcher {
    buf: Vec<u8>,
    lines: usize,
    batch: usize,
    tx: tokio::sync::mpsc::Sender<Vec<u8>>,
}

impl Write for Batcher {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        for &b in data {
            self.buf.push(b);
            if b == b'\n' {
                self.lines += 1;
                if self.lines == self.batch {
                    let full = std::mem::take(&mut self.buf);
                    self.lines = 0;
                    self.tx
                        .blocking_send(full)
                        .map_err(|_| std::io::Error::other("the posting clients stopped"))?;
                }
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn run(a: &Args) -> anyhow::Result<ExitCode> {
    let temp = a.data.is_none();
    let data = a.data.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("posdoc-bench-serve-{}", std::process::id()))
    });
    if temp {
        let _ = std::fs::remove_dir_all(&data);
    }
    let exe = std::env::current_exe()?;
    let token = |role: &str| -> anyhow::Result<String> {
        let out = std::process::Command::new(&exe)
            .args(["token", "create", "--role", role, "--data"])
            .arg(&data)
            .output()?;
        if !out.status.success() {
            bail!("token create: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8(out.stdout)?
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string())
    };
    let ingest = token("ingest")?;
    let ops = token("ops")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = std::process::Command::new(&exe)
        .args(["serve", "--data"])
        .arg(&data)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting posdoc serve")?;
    let pid = server.id();
    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async {
        let http = reqwest::Client::new();
        let began = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{base}/readyz")).send().await
                && r.status().is_success()
            {
                break;
            }
            if began.elapsed() > Duration::from_secs(600) {
                bail!("the server did not become ready");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut out = std::io::stdout().lock();
        writeln!(out, "posdoc bench-serve: store {}, ready in {:.1} s", data.display(), began.elapsed().as_secs_f64())?;
        if !a.queries_only {
            let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(a.clients * 2);
            let rx = Arc::new(tokio::sync::Mutex::new(rx));
            let hours = a.records as f64 / (a.terminals as f64 * posdoc_sim::RECORDS_PER_TERMINAL_HOUR);
            let cfg = posdoc_sim::SimConfig {
                seed: 42,
                terminals: a.terminals,
                hours: hours.clamp(0.5, 24.0 * 30.0),
                faults: (a.terminals / 60).clamp(5, 200),
                max_records: Some(a.records),
                ..posdoc_sim::SimConfig::default()
            };
            let batch = a.batch.max(1);
            let generator = tokio::task::spawn_blocking(move || {
                let mut w = Batcher { buf: Vec::new(), lines: 0, batch, tx };
                posdoc_sim::generate(&cfg, &mut w, &mut std::io::sink())?;
                if !w.buf.is_empty() {
                    let rest = std::mem::take(&mut w.buf);
                    w.tx.blocking_send(rest).map_err(|_| std::io::Error::other("clients stopped"))?;
                }
                Ok::<_, std::io::Error>(())
            });
            let started = Instant::now();
            let mut clients = Vec::new();
            for _ in 0..a.clients.max(1) {
                let rx = Arc::clone(&rx);
                let http = http.clone();
                let url = format!("{base}/api/v1/records");
                let ingest = ingest.clone();
                clients.push(tokio::spawn(async move {
                    let mut n = 0u64;
                    let mut worst = 0f64;
                    loop {
                        let Some(body) = rx.lock().await.recv().await else { break };
                        let t = Instant::now();
                        let r = http
                            .post(&url)
                            .bearer_auth(&ingest)
                            .header("content-type", "application/x-ndjson")
                            .body(body)
                            .send()
                            .await?;
                        if !r.status().is_success() {
                            bail!("ingestion refused: {}", r.status());
                        }
                        let v: serde_json::Value = r.json().await?;
                        n += v["accepted"].as_u64().unwrap_or(0);
                        worst = worst.max(t.elapsed().as_secs_f64());
                    }
                    Ok::<_, anyhow::Error>((n, worst))
                }));
            }
            generator.await??;
            let mut total = 0;
            let mut worst = 0f64;
            for c in clients {
                let (n, w) = c.await??;
                total += n;
                worst = worst.max(w);
            }
            let secs = started.elapsed().as_secs_f64();
            writeln!(
                out,
                "ingestion: {total} records acknowledged (durable) in {secs:.1} s = {:.0} records/s over HTTP, {} clients, batches of {}; slowest batch {:.0} ms",
                total as f64 / secs,
                a.clients,
                a.batch,
                worst * 1000.0
            )?;
            // The engine keeps up, or catches up: how long until it has.
            let t = Instant::now();
            loop {
                let v: serde_json::Value = http.get(format!("{base}/readyz")).send().await?.json().await?;
                if v["records_committed"] == v["records_diagnosed"] {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            writeln!(out, "engine caught up {:.1} s after the last acknowledgement", t.elapsed().as_secs_f64())?;
        }
        // Dashboard queries.
        let terms: serde_json::Value = http
            .get(format!("{base}/api/v1/terminals?limit=1000"))
            .bearer_auth(&ops)
            .send()
            .await?
            .json()
            .await?;
        let ids: Vec<String> = terms["terminals"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["terminal_id"].as_str().map(String::from))
            .collect();
        let incs: serde_json::Value = http
            .get(format!("{base}/api/v1/incidents?limit=50"))
            .bearer_auth(&ops)
            .send()
            .await?
            .json()
            .await?;
        let inc_ids: Vec<String> = incs["incidents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["incident_id"].as_str().map(String::from))
            .collect();
        if ids.is_empty() {
            bail!("no terminals stored");
        }
        let pick = |v: &[String], i: usize| v[(i * 7919) % v.len()].clone();
        let endpoints: Vec<(&str, PathOf)> = vec![
            ("overview", Box::new(|_| "/api/v1/overview".to_string())),
            ("incidents?state=open", Box::new(|_| "/api/v1/incidents?state=open".to_string())),
            ("terminals (list)", Box::new(|_| "/api/v1/terminals?limit=100".to_string())),
            ("terminals/{id}", Box::new(|i| format!("/api/v1/terminals/{}", pick(&ids, i)))),
            ("terminals/{id}/timeline", Box::new(|i| format!("/api/v1/terminals/{}/timeline?limit=200", pick(&ids, i)))),
            ("diagnoses?terminal_id", Box::new(|i| format!("/api/v1/diagnoses?terminal_id={}&limit=50", pick(&ids, i)))),
            ("incidents/{id}", Box::new(|i| if inc_ids.is_empty() { "/api/v1/incidents".into() } else { format!("/api/v1/incidents/{}", pick(&inc_ids, i)) })),
            ("explain/E1", Box::new(|_| "/api/v1/explain/E1?vendor=pax".to_string())),
        ];
        writeln!(out, "queries ({} each, one at a time):", a.queries)?;
        for (name, path) in &endpoints {
            let mut lat = Vec::with_capacity(a.queries);
            for i in 0..a.queries {
                let t = Instant::now();
                let r = http.get(format!("{base}{}", path(i))).bearer_auth(&ops).send().await?;
                let ok = r.status().is_success();
                let _ = r.bytes().await?;
                if !ok {
                    bail!("{name}: query failed");
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat.sort_by(f64::total_cmp);
            writeln!(
                out,
                "  {name:<26} p50 {:>6.1} ms   p99 {:>6.1} ms   max {:>6.1} ms",
                percentile(&lat, 0.5),
                percentile(&lat, 0.99),
                lat.last().copied().unwrap_or(f64::NAN)
            )?;
        }
        if let Some(rss) = peak_rss(pid) {
            writeln!(out, "server peak memory (VmHWM): {:.0} MiB", rss as f64 / (1 << 20) as f64)?;
        }
        let size: u64 = std::fs::read_dir(&data)?
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum();
        writeln!(out, "store on disk: {:.0} MiB", size as f64 / (1 << 20) as f64)?;
        Ok(())
    });
    let _ = server.kill();
    let _ = server.wait();
    if temp {
        let _ = std::fs::remove_dir_all(&data);
    }
    result.map(|_| ExitCode::SUCCESS)
}
