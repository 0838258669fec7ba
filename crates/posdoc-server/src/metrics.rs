//! Prometheus metrics at `/metrics`, in the text exposition format. A few
//! atomic counters; no registry crate is needed for so few.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::alerts::AlertStats;
use crate::live::Progress;

#[derive(Debug, Default)]
pub struct Metrics {
    pub records_accepted: AtomicU64,
    pub records_rejected: AtomicU64,
    pub ingest_batches: AtomicU64,
    /// Counters of parts running beside the service (the acquiring
    /// gateway), read at each scrape.
    pub extra: std::sync::Mutex<Vec<ExtraCounters>>,
}

/// A source of extra counters: `(name, help, value)` rows, names without
/// the `posdoc_` prefix or `_total` suffix (both are added).
#[derive(Clone)]
pub struct ExtraCounters(pub std::sync::Arc<dyn Fn() -> Vec<(String, String, u64)> + Send + Sync>);

impl std::fmt::Debug for ExtraCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExtraCounters")
    }
}

impl Metrics {
    pub fn render(&self, p: &Progress, a: &AlertStats) -> String {
        let get = |x: &AtomicU64| x.load(Ordering::Relaxed);
        let counters = [
            (
                "posdoc_records_accepted_total",
                "Records stored from ingestion.",
                get(&self.records_accepted),
            ),
            (
                "posdoc_records_rejected_total",
                "Records rejected at ingestion.",
                get(&self.records_rejected),
            ),
            (
                "posdoc_ingest_batches_total",
                "Ingestion requests answered.",
                get(&self.ingest_batches),
            ),
            (
                "posdoc_diagnoses_total",
                "Diagnoses made.",
                get(&p.diagnoses),
            ),
            (
                "posdoc_incident_changes_total",
                "Incident openings, updates and closings.",
                get(&p.incident_changes),
            ),
            (
                "posdoc_stored_records_unreadable_total",
                "Stored records the engine could not read.",
                get(&p.unreadable),
            ),
            (
                "posdoc_alerts_sent_total",
                "Webhook alerts delivered.",
                get(&a.sent),
            ),
            (
                "posdoc_alerts_failed_total",
                "Webhook alerts given up after retries.",
                get(&a.failed),
            ),
            (
                "posdoc_alerts_retried_total",
                "Webhook delivery retries.",
                get(&a.retried),
            ),
            (
                "posdoc_alerts_dropped_total",
                "Webhook alerts dropped because the queue was full.",
                get(&a.dropped),
            ),
        ];
        let lag =
            (p.committed_id.load(Ordering::Relaxed) - p.done_id.load(Ordering::Relaxed)).max(0);
        let gauges = [
            (
                "posdoc_engine_lag_records",
                "Records committed but not yet seen by the engine.",
                lag as u64,
            ),
            (
                "posdoc_ready",
                "Whether the engine has replayed the store.",
                u64::from(p.ready.load(Ordering::Relaxed)),
            ),
        ];
        let mut s = String::new();
        for (kind, rows) in [("counter", &counters[..]), ("gauge", &gauges[..])] {
            for (name, help, v) in rows {
                let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
            }
        }
        let extra = match self.extra.lock() {
            Ok(e) => e.clone(),
            Err(p) => p.into_inner().clone(),
        };
        for source in extra {
            for (name, help, v) in (source.0)() {
                let name = format!("posdoc_{name}_total");
                let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
            }
        }
        s
    }
}
