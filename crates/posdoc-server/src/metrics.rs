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
}

impl Metrics {
    pub fn render(&self, p: &Progress, a: &AlertStats) -> String {
        let mut s = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        let get = |x: &AtomicU64| x.load(Ordering::Relaxed);
        counter(
            "posdoc_records_accepted_total",
            "Records stored from ingestion.",
            get(&self.records_accepted),
        );
        counter(
            "posdoc_records_rejected_total",
            "Records rejected at ingestion.",
            get(&self.records_rejected),
        );
        counter(
            "posdoc_ingest_batches_total",
            "Ingestion requests answered.",
            get(&self.ingest_batches),
        );
        counter(
            "posdoc_diagnoses_total",
            "Diagnoses made.",
            get(&p.diagnoses),
        );
        counter(
            "posdoc_incident_changes_total",
            "Incident openings, updates and closings.",
            get(&p.incident_changes),
        );
        counter(
            "posdoc_stored_records_unreadable_total",
            "Stored records the engine could not read.",
            get(&p.unreadable),
        );
        counter(
            "posdoc_alerts_sent_total",
            "Webhook alerts delivered.",
            get(&a.sent),
        );
        counter(
            "posdoc_alerts_failed_total",
            "Webhook alerts given up after retries.",
            get(&a.failed),
        );
        counter(
            "posdoc_alerts_retried_total",
            "Webhook delivery retries.",
            get(&a.retried),
        );
        counter(
            "posdoc_alerts_dropped_total",
            "Webhook alerts dropped because the queue was full.",
            get(&a.dropped),
        );
        let committed = p.committed_id.load(Ordering::Relaxed);
        let done = p.done_id.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "# HELP posdoc_engine_lag_records Records committed but not yet seen by the engine.\n# TYPE posdoc_engine_lag_records gauge\nposdoc_engine_lag_records {}",
            (committed - done).max(0)
        );
        let _ = writeln!(
            s,
            "# HELP posdoc_ready Whether the engine has replayed the store.\n# TYPE posdoc_ready gauge\nposdoc_ready {}",
            u8::from(p.ready.load(Ordering::Relaxed))
        );
        s
    }
}
