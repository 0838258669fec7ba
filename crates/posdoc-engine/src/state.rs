//! Per-terminal and per-site state: small, flat and bounded (a few hundred
//! bytes a terminal), so memory grows with the fleet, not with the records.

use posdoc_record::{CheckResult, Ts};

/// A fixed-capacity ring of the most recent items, oldest first when iterated.
#[derive(Debug, Clone)]
pub(crate) struct Ring<T, const N: usize> {
    items: [Option<T>; N],
    next: usize,
}

impl<T, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Ring {
            items: std::array::from_fn(|_| None),
            next: 0,
        }
    }
}

impl<T, const N: usize> Ring<T, N> {
    pub fn push(&mut self, item: T) {
        self.items[self.next] = Some(item);
        self.next = (self.next + 1) % N;
    }
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        let (a, b) = self.items.split_at(self.next);
        b.iter().chain(a.iter()).flatten()
    }
}

/// The measurements a heartbeat may carry, each with its own baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetricId {
    Latency,
    Loss,
    Rssi,
    Supply,
    Battery,
    Storage,
    Memory,
    Cpu,
    Temp,
    ClockSkew,
}

pub(crate) const METRICS: usize = 10;

/// A measurement's baseline (an exponentially weighted mean and variance that
/// learns slowly from outliers, so a fault does not become the new normal)
/// and its latest samples.
#[derive(Debug, Clone, Default)]
pub(crate) struct Metric {
    pub mean: f32,
    pub var: f32,
    pub n: u32,
    pub recent: Ring<(Ts, f32), 6>,
}

impl Metric {
    pub fn observe(&mut self, ts: Ts, x: f64, scale: f32) {
        if !x.is_finite() {
            return;
        }
        let x = x as f32;
        self.recent.push((ts, x));
        if self.n == 0 {
            self.mean = x;
            self.var = 0.0;
            self.n = 1;
            return;
        }
        let d = x - self.mean;
        let sd = self.var.sqrt().max(scale);
        let alpha = if self.n < 8 {
            1.0 / (self.n as f32 + 1.0)
        } else if d.abs() > 4.0 * sd {
            0.005
        } else {
            0.05
        };
        self.mean += alpha * d;
        self.var = (1.0 - alpha) * (self.var + alpha * d * d);
        self.n = self.n.saturating_add(1);
    }

    /// The baseline as it stood, and the samples inside `[from, to]`.
    pub fn window(&self, from: Ts, to: Ts) -> impl Iterator<Item = f32> + '_ {
        self.recent
            .iter()
            .filter(move |(t, _)| *t >= from && *t <= to)
            .map(|(_, v)| *v)
    }

    pub fn sd(&self, scale: f32) -> f32 {
        self.var.sqrt().max(scale)
    }
}

/// A decaying event count: counts fade with a half-life, so "recent" needs no window.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Decay {
    pub value: f32,
    pub at: Ts,
    /// The field was ever reported: its absence is then evidence.
    pub seen: bool,
}

pub(crate) const DECAY_HALF_LIFE_S: f32 = 900.0;

impl Decay {
    pub fn add(&mut self, ts: Ts, count: u32) {
        self.value = self.at_time(ts) + count as f32;
        self.at = self.at.max(ts);
        self.seen = true;
    }
    pub fn at_time(&self, ts: Ts) -> f32 {
        let dt = ts.secs_since(self.at).max(0.0) as f32;
        self.value * (0.5f32).powf(dt / DECAY_HALF_LIFE_S)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Net {
    Unknown,
    Ethernet,
    Wifi,
    Cellular,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reboot {
    PowerLoss,
    Watchdog,
    Crash,
    User,
    Update,
    Other,
}

impl Reboot {
    pub fn parse(s: &str) -> Reboot {
        match s {
            "power_loss" | "power" | "brownout" => Reboot::PowerLoss,
            "watchdog" => Reboot::Watchdog,
            "crash" | "panic" => Reboot::Crash,
            "user" | "manual" => Reboot::User,
            "update" | "upgrade" => Reboot::Update,
            _ => Reboot::Other,
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Reboot::PowerLoss => "power_loss",
            Reboot::Watchdog => "watchdog",
            Reboot::Crash => "crash",
            Reboot::User => "user",
            Reboot::Update => "update",
            Reboot::Other => "other",
        }
    }
}

/// A transaction, as much of it as diagnosis needs.
#[derive(Debug, Clone)]
pub(crate) struct TxnLite {
    pub ts: Ts,
    pub ok: bool,
    pub timed_out: bool,
    pub card: bool,
    pub qr: bool,
    pub code: Option<Box<str>>,
    pub stan: Option<Box<str>>,
}

#[derive(Debug, Clone)]
pub(crate) struct ErrLite {
    pub ts: Ts,
    pub code: Box<str>,
    pub stage: Option<Box<str>>,
    /// The knowledge base's log patterns its detail line matched (bit set):
    /// the line itself is not kept, so state does not grow with chatty logs.
    pub log_hits: u64,
    pub stan: Option<Box<str>>,
}

#[derive(Debug, Clone)]
pub(crate) struct CheckLite {
    pub ts: Ts,
    pub name: Box<str>,
    pub result: CheckResult,
}

#[derive(Debug, Clone)]
pub(crate) struct TerminalState {
    pub vendor: Box<str>,
    pub model: Box<str>,
    pub site: Option<u32>,
    pub merchant: Option<Box<str>>,
    pub net: Net,
    pub carrier: Option<Box<str>>,
    pub cert_not_after: Option<Ts>,
    pub firmware: Option<Box<str>>,
    pub app_version: Option<Box<str>>,
    pub metrics: [Metric; METRICS],
    pub offline_at: Option<Ts>,
    pub online_at: Option<Ts>,
    pub power_events: Decay,
    pub last_power_evidence: Option<Ts>,
    pub reboots: Ring<(Ts, Reboot), 4>,
    pub key_check: Option<(Ts, Box<str>)>,
    pub key_ok_seen: bool,
    pub printer: Option<(Ts, Box<str>)>,
    pub keypad_errors: Decay,
    pub reader_errors: Decay,
    pub app_crashes: Decay,
    pub last_version_change: Option<Ts>,
    pub last_maintenance: Option<(Ts, Box<str>)>,
    /// Log-amount baseline of approved payments.
    pub amount_log_mean: f32,
    pub amount_n: u32,
    pub txns: Ring<TxnLite, 16>,
    pub errors: Ring<ErrLite, 8>,
    pub checks: Ring<CheckLite, 6>,
    /// When this terminal last had a failed event (for site-level views).
    pub last_failure: Option<Ts>,
    pub last_success: Option<Ts>,
}

impl TerminalState {
    pub fn new() -> Self {
        TerminalState {
            vendor: "generic".into(),
            model: "".into(),
            site: None,
            merchant: None,
            net: Net::Unknown,
            carrier: None,
            cert_not_after: None,
            firmware: None,
            app_version: None,
            metrics: Default::default(),
            offline_at: None,
            online_at: None,
            power_events: Decay::default(),
            last_power_evidence: None,
            reboots: Ring::default(),
            key_check: None,
            key_ok_seen: false,
            printer: None,
            keypad_errors: Decay::default(),
            reader_errors: Decay::default(),
            app_crashes: Decay::default(),
            last_version_change: None,
            last_maintenance: None,
            amount_log_mean: 0.0,
            amount_n: 0,
            txns: Ring::default(),
            errors: Ring::default(),
            checks: Ring::default(),
            last_failure: None,
            last_success: None,
        }
    }

    /// Bytes held for this terminal: the struct itself and every string it owns.
    pub fn bytes(&self) -> usize {
        fn opt(s: &Option<Box<str>>) -> usize {
            s.as_deref().map_or(0, str::len)
        }
        let strings = self.vendor.len()
            + self.model.len()
            + opt(&self.merchant)
            + opt(&self.carrier)
            + opt(&self.firmware)
            + opt(&self.app_version)
            + self.key_check.as_ref().map_or(0, |(_, k)| k.len())
            + self.printer.as_ref().map_or(0, |(_, p)| p.len())
            + self.last_maintenance.as_ref().map_or(0, |(_, a)| a.len());
        let txns: usize = self.txns.iter().map(|t| opt(&t.code) + opt(&t.stan)).sum();
        let errors: usize = self
            .errors
            .iter()
            .map(|e| e.code.len() + opt(&e.stage) + opt(&e.stan))
            .sum();
        let checks: usize = self
            .checks
            .iter()
            .map(|c| {
                c.name.len()
                    + match &c.result {
                        CheckResult::Value(v) => v.capacity(),
                        _ => 0,
                    }
            })
            .sum();
        std::mem::size_of::<Self>() + strings + txns + errors + checks
    }

    pub fn metric(&self, m: MetricId) -> &Metric {
        &self.metrics[m as usize]
    }

    pub fn metric_mut(&mut self, m: MetricId) -> &mut Metric {
        &mut self.metrics[m as usize]
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SiteState {
    pub id: Box<str>,
    pub terminals: Vec<u32>,
    pub checks: Ring<CheckLite, 6>,
}
