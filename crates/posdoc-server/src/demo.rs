//! `posdoc demo`: the service on a temporary store, with a simulated fleet
//! streaming in over the HTTP API in accelerated time. The seed's two cases
//! are among its faults: a shop whose power fails (one terminal's board
//! does not survive it) and a restaurant whose router fails.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use posdoc_kb::Kb;
use posdoc_sim::{FaultKind, FaultSpec, SimConfig};

use crate::{Config, Running, auth, store};

/// How the demo runs.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub listen: String,
    /// Simulated seconds per wall-clock second.
    pub speed: f64,
    pub terminals: usize,
    pub hours: f64,
    pub seed: u64,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            listen: "127.0.0.1:8080".into(),
            speed: 30.0,
            terminals: 120,
            hours: 4.0,
            seed: 12,
        }
    }
}

/// The demo fleet's records, in the order they are sent, with their times
/// (none for inventory).
pub fn fleet(d: &DemoConfig, start_unix: i64) -> anyhow::Result<Vec<(Option<i64>, String)>> {
    let spec = |kind, start_min: f64, duration_min: Option<f64>| FaultSpec {
        kind,
        start_min: Some(start_min),
        duration_min,
        strength: Some(0.8),
        at_site_of: None,
    };
    let cfg = SimConfig {
        seed: d.seed,
        terminals: d.terminals,
        hours: d.hours,
        start_unix,
        faults: 6,
        fleet_faults: true,
        difficulty: Some(0.3),
        asked: vec![
            spec(FaultKind::SitePower, 6.0, None),
            spec(FaultKind::SiteLan, 10.0, Some(50.0)),
        ],
        ..SimConfig::default()
    };
    let mut records = Vec::new();
    posdoc_sim::generate(&cfg, &mut records, &mut std::io::sink())
        .context("simulating the demo fleet")?;
    let text = String::from_utf8(records).context("the simulator wrote non-UTF-8")?;
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let ts = posdoc_record::parse_line(l)
                .ok()
                .flatten()
                .filter(|r| {
                    !matches!(
                        r,
                        posdoc_record::Record::Terminal(_)
                            | posdoc_record::Record::Site(_)
                            | posdoc_record::Record::Merchant(_)
                    )
                })
                .and_then(|r| r.ts())
                .map(|t| t.0.div_euclid(1000));
            (ts, l.to_string())
        })
        .collect())
}

/// A running demo: the service and the token to open it with.
#[derive(Debug)]
pub struct Demo {
    pub running: Running,
    pub token: String,
    pub data: std::path::PathBuf,
    pub streamer: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Starts the service on a fresh temporary store and the streaming fleet.
pub async fn start(d: DemoConfig, kb: Arc<Kb>) -> anyhow::Result<Demo> {
    let data = std::env::temp_dir().join(format!(
        "posdoc-demo-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|t| t.as_millis())
            .unwrap_or_default()
    ));
    let cfg = Config {
        listen: d.listen.clone(),
        data: data.clone(),
        ..Config::default()
    };
    let (token, ingest) = {
        let conn = store::open(&store::db_path(&data))?;
        let (_, admin) = auth::create(&conn, auth::Role::Admin, None, Some("demo"))?;
        let (_, ingest) = auth::create(&conn, auth::Role::Ingest, None, Some("demo fleet"))?;
        (admin, ingest)
    };
    let running = crate::start(&cfg, kb).await?;
    let url = format!("http://{}/api/v1/records", running.addr);
    // The fleet's day starts at the latest 11:00 China time (03:00 UTC):
    // shops are busy then, so the faults show within the first minutes.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|t| t.as_secs() as i64)
        .unwrap_or_default();
    let start_unix = (now - 3 * 3600).div_euclid(86_400) * 86_400 + 3 * 3600;
    let records = fleet(&d, start_unix)?;
    let speed = d.speed.max(0.1);
    let streamer = tokio::spawn(async move {
        let client = reqwest::Client::new();
        let began = Instant::now();
        let mut next = 0usize;
        while next < records.len() {
            let clock = start_unix + (began.elapsed().as_secs_f64() * speed) as i64;
            let mut batch = String::new();
            while next < records.len() && records[next].0.is_none_or(|t| t <= clock) {
                batch.push_str(&records[next].1);
                batch.push('\n');
                next += 1;
            }
            if !batch.is_empty() {
                let r = client
                    .post(&url)
                    .bearer_auth(&ingest)
                    .header("content-type", "application/x-ndjson")
                    .body(batch)
                    .send()
                    .await
                    .context("posting the demo fleet's records")?;
                if !r.status().is_success() {
                    anyhow::bail!("the service refused the demo records: {}", r.status());
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    });
    Ok(Demo {
        running,
        token,
        data,
        streamer,
    })
}
