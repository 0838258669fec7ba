//! `posdoc serve`: the live service. One binary, no outside services: an
//! embedded SQLite store, the engine running on what arrives, the HTTP API
//! (docs/API.md), a live push channel, webhook alerts, and the dashboard.
//!
//! Invariants: a record is acknowledged only once its transaction is
//! durable; the engine sees records in commit order, exactly once per
//! start; what the engine derives is rebuilt from the records at each
//! start, so it never disagrees with them; card data is masked before
//! anything is stored or logged.

pub mod alerts;
pub mod api;
mod assets;
pub mod auth;
pub mod demo;
pub mod feed;
pub mod live;
pub mod metrics;
pub mod store;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use anyhow::Context;
use posdoc_kb::Kb;
use serde::Deserialize;

use crate::alerts::{Alerter, RetryPolicy, WebhookConfig};

/// The service's settings: defaults, then a TOML file, then `POSDOC_*`
/// environment variables, then command-line flags.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (`POSDOC_LISTEN`).
    pub listen: String,
    /// Data directory holding the store (`POSDOC_DATA`).
    pub data: PathBuf,
    /// The dashboard's public address, for links in alerts
    /// (`POSDOC_PUBLIC_URL`).
    pub public_url: Option<String>,
    /// Incident webhooks.
    pub webhooks: Vec<WebhookConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data: PathBuf::from("posdoc-data"),
            public_url: None,
            webhooks: Vec::new(),
        }
    }
}

impl Config {
    /// Reads the file (if given) over the defaults, then the environment.
    /// `POSDOC_WEBHOOKS` adds webhooks: `format=url` pairs separated by
    /// spaces, e.g. `dingtalk=https://oapi.dingtalk.com/robot/send?access_token=...`.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut c = match file {
            Some(f) => {
                let text = std::fs::read_to_string(f)
                    .with_context(|| format!("reading the configuration {}", f.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("in the configuration {}", f.display()))?
            }
            None => Config::default(),
        };
        if let Ok(v) = std::env::var("POSDOC_LISTEN") {
            c.listen = v;
        }
        if let Ok(v) = std::env::var("POSDOC_DATA") {
            c.data = v.into();
        }
        if let Ok(v) = std::env::var("POSDOC_PUBLIC_URL") {
            c.public_url = Some(v);
        }
        if let Ok(v) = std::env::var("POSDOC_WEBHOOKS") {
            for item in v.split_whitespace() {
                let (format, url) = item.split_once('=').with_context(|| {
                    format!(
                        "POSDOC_WEBHOOKS: `{item}` is not format=url (generic, dingtalk or wecom)"
                    )
                })?;
                let format = serde_json::from_value(serde_json::Value::String(format.into()))
                    .with_context(|| {
                        format!("POSDOC_WEBHOOKS: `{format}` is not generic, dingtalk or wecom")
                    })?;
                c.webhooks.push(WebhookConfig {
                    url: url.to_string(),
                    format,
                    lang: None,
                });
            }
        }
        for w in &c.webhooks {
            w.check()?;
        }
        Ok(c)
    }
}

/// A running service.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    pub state: Arc<api::AppState>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops taking connections and waits for the server task.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.handle.await;
    }

    /// Serves until the task ends.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.handle.await??;
        Ok(())
    }
}

/// Opens the store, starts the engine (which replays the store first) and
/// starts listening. Must run inside a tokio runtime.
pub async fn start(cfg: &Config, kb: Arc<Kb>) -> anyhow::Result<Running> {
    let path = store::db_path(&cfg.data);
    let conn = store::open(&path)?;
    store::clear_derived(&conn)?;
    let readers = Arc::new(store::Readers::new(path.clone()));
    let progress = Arc::new(live::Progress::default());
    let (commits_tx, commits_rx) = mpsc::channel();
    let p = Arc::clone(&progress);
    let writer = store::start_writer(
        conn,
        Box::new(move |_, last| {
            p.committed_id
                .fetch_max(last, std::sync::atomic::Ordering::Relaxed);
            let _ = commits_tx.send(last);
        }),
    );
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("listening on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let public = cfg
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}/"));
    let alerter = Alerter::start(cfg.webhooks.clone(), RetryPolicy::default());
    let alert_stats = alerter.stats();
    let live = live::start(
        Arc::clone(&kb),
        Arc::clone(&readers),
        writer.clone(),
        alerter,
        Some(public),
        commits_rx,
        progress,
    );
    let state = Arc::new(api::AppState {
        store: store::Store {
            path,
            readers,
            writer,
        },
        live,
        kb,
        metrics: Arc::default(),
        sessions: Mutex::default(),
        alerts: alert_stats,
    });
    let (shutdown, rx) = tokio::sync::oneshot::channel::<()>();
    let app = api::router(Arc::clone(&state));
    let handle = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    tracing::info!("posdoc serve listening on http://{addr}/");
    Ok(Running {
        addr,
        state,
        shutdown,
        handle,
    })
}
