//! Records from inside the process — the acquiring gateway's evidence when
//! it runs within `posdoc serve` — stored and diagnosed like records
//! posted over HTTP.
//!
//! Pushing never blocks the caller (a payment host must not wait on its
//! diagnosis): records queue in a bounded channel and a task stores them
//! in batches; when the queue is full the newest are dropped and counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::api::{AppState, row_of};
use crate::store::{AuditRow, Write};

/// Records queued before pushes start being dropped.
const QUEUE: usize = 100_000;
/// Records per stored batch, at most.
const BATCH: usize = 5_000;

/// The pushing side.
#[derive(Debug, Clone)]
pub struct Feeder {
    tx: mpsc::Sender<Value>,
    dropped: Arc<AtomicU64>,
    rejected: Arc<AtomicU64>,
}

impl Feeder {
    /// Starts the storing task; `source` names the feeder in the audit log.
    /// Must run inside a tokio runtime.
    pub fn start(state: Arc<AppState>, source: &str) -> Feeder {
        let (tx, mut rx) = mpsc::channel::<Value>(QUEUE);
        let feeder = Feeder {
            tx,
            dropped: Arc::default(),
            rejected: Arc::default(),
        };
        let rejected = feeder.rejected.clone();
        let source = source.to_string();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                if rx.recv_many(&mut batch, BATCH).await == 0 {
                    return;
                }
                // Let a burst gather into one commit.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let room = BATCH.saturating_sub(batch.len());
                if room > 0 {
                    while let Ok(v) = rx.try_recv() {
                        batch.push(v);
                        if batch.len() >= BATCH {
                            break;
                        }
                    }
                }
                let mut rows = Vec::with_capacity(batch.len());
                for v in batch.drain(..) {
                    match row_of(&v.to_string()) {
                        Ok(Some(row)) => rows.push(row),
                        Ok(None) => {}
                        Err(e) => {
                            rejected.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!("{source}: a record was refused: {e}");
                        }
                    }
                }
                if rows.is_empty() {
                    continue;
                }
                let n = rows.len();
                let (done, wait) = tokio::sync::oneshot::channel();
                let sent = state.store.writer.send(Write::Records {
                    rows,
                    audit: Some(AuditRow {
                        token_id: None,
                        role: Some(source.clone()),
                        action: "records.ingest".into(),
                        detail: format!("{n} accepted from {source}"),
                    }),
                    done,
                });
                if sent.is_err() {
                    return;
                }
                match wait.await {
                    Ok(Ok(_)) => {
                        state
                            .metrics
                            .records_accepted
                            .fetch_add(n as u64, Ordering::Relaxed);
                    }
                    Ok(Err(e)) => tracing::error!("{source}: storing {n} records failed: {e:#}"),
                    Err(_) => return,
                }
            }
        });
        feeder
    }

    /// Queues a record; never waits.
    pub fn push(&self, record: Value) {
        if self.tx.try_send(record).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records dropped because the queue was full (or the service stopped).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Records the store refused as malformed.
    pub fn rejected(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }
}
