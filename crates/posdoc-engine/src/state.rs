//! Per-terminal and per-site state: small, flat and bounded (a few hundred
//! bytes a terminal), so memory grows with the fleet, not with the records.

use posdoc_record::{CheckResult, Ts};

/// Keeps in `slot` the later of its time and `ts`: the latest sign of a
/// kind, whatever order records arrive in.
pub(crate) fn keep_latest(slot: &mut Option<Ts>, ts: Ts) {
    *slot = Some(slot.map_or(ts, |t| t.max(ts)));
}

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
    /// Adds `item`, and hands back the oldest one it pushed out, if full.
    pub fn push(&mut self, item: T) -> Option<T> {
        let out = self.items[self.next].replace(item);
        self.next = (self.next + 1) % N;
        out
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
    /// Round-trip time of the transactions the host answered, as the
    /// terminal measured it: processing on the terminal included.
    TxnLatency,
}

pub(crate) const METRICS: usize = 11;

/// One heartbeat sample, compact: seconds since [`SAMPLE_EPOCH`] and the value.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sample {
    pub t: u32,
    pub v: f32,
}

/// Samples keep their time as seconds since 2000-01-01 (fits a `u32` to 2136).
const SAMPLE_EPOCH_MS: i64 = 946_684_800_000;

fn sample_secs(ts: Ts) -> u32 {
    ((ts.0 - SAMPLE_EPOCH_MS).max(0) / 1000).min(u32::MAX as i64) as u32
}

/// Samples a metric keeps: about ten minutes of one-a-minute heartbeats.
pub(crate) const SAMPLES_KEPT: usize = 12;

/// A measurement's baseline and its latest samples. The baseline is an
/// exponentially weighted mean and variance that learns slowly, and more
/// slowly still from outliers, so a fault that lasts an hour does not become
/// the new normal; a window of recent samples is compared against it (as in
/// BARO: a shift of the middle, or a widening of the spread).
#[derive(Debug, Clone, Default)]
pub(crate) struct Metric {
    pub mean: f32,
    pub var: f32,
    pub n: u32,
    samples: [Sample; SAMPLES_KEPT],
    next: u8,
    len: u8,
}

/// How far one outlier moves a baseline's middle towards it: a lasting
/// change is adopted over hours of one-a-minute heartbeats.
pub(crate) const OUTLIER_ADOPTION: f32 = 0.004;
/// The same for a payment's round trip: payments come several times as
/// often as heartbeats, and at the heartbeats' rate a till slowed by its CPU
/// would have its slowness adopted as its pace within two hours of the fault.
pub(crate) const TXN_LATENCY_OUTLIER_ADOPTION: f32 = OUTLIER_ADOPTION / 4.0;

/// Samples needed before the baseline is trusted over fixed limits.
pub(crate) const BASELINE_SAMPLES_MIN: u32 = 8;

/// What the recent window looks like against the baseline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WindowStats {
    pub n: u32,
    pub min: f32,
    pub max: f32,
    pub mean: f32,
    /// The sample farthest from the baseline mean.
    pub worst: f32,
}

impl Metric {
    pub fn observe(&mut self, ts: Ts, x: f64, scale: f32) {
        self.observe_adopting(ts, x, scale, OUTLIER_ADOPTION);
    }

    /// [`Metric::observe`], an outlier moving the middle by `adoption` of
    /// its distance from it.
    pub fn observe_adopting(&mut self, ts: Ts, x: f64, scale: f32, adoption: f32) {
        if !x.is_finite() {
            return;
        }
        let x = x as f32;
        self.samples[self.next as usize] = Sample {
            t: sample_secs(ts),
            v: x,
        };
        self.next = ((self.next as usize + 1) % SAMPLES_KEPT) as u8;
        self.len = (self.len + 1).min(SAMPLES_KEPT as u8);
        if self.n == 0 {
            self.mean = x;
            self.var = 0.0;
            self.n = 1;
            return;
        }
        let d = x - self.mean;
        let sd = self.var.sqrt().max(scale);
        self.n = self.n.saturating_add(1);
        if self.n > BASELINE_SAMPLES_MIN && d.abs() > 3.0 * sd {
            // An outlier moves the middle only a little (a lasting change is
            // adopted over hours) and leaves the spread alone, so that a fault
            // does not widen what counts as normal.
            self.mean += adoption * d;
            return;
        }
        let alpha = if self.n <= BASELINE_SAMPLES_MIN {
            1.0 / self.n as f32
        } else {
            0.02
        };
        self.mean += alpha * d;
        self.var = (1.0 - alpha) * (self.var + alpha * d * d);
        if self.n == BASELINE_SAMPLES_MIN {
            self.settle(scale);
        }
    }

    /// Sets the baseline its first samples make from those of them near
    /// their median: a fault under way while the records begin (a shop's
    /// router crawling twenty minutes in) would otherwise be averaged into
    /// the terminal's usual, and its slowness read as its pace thereafter.
    fn settle(&mut self, scale: f32) {
        let (v, k) = self.sorted_samples();
        if k < 3 {
            return;
        }
        let v = &v[..k];
        let median = v[(k - 1) / 2];
        let mut dev = [0.0f32; SAMPLES_KEPT];
        for (d, x) in dev.iter_mut().zip(v.iter()) {
            *d = (x - median).abs();
        }
        let dev = &mut dev[..k];
        dev.sort_unstable_by(f32::total_cmp);
        // Five robust standard deviations (1.4826 MAD), and never under
        // the metric's own scale: a spread so tight would call every
        // ordinary wobble an outlier and never widen.
        let band = (5.0 * 1.4826 * dev[(k - 1) / 2]).max(scale);
        let (mut n, mut sum) = (0u32, 0.0f32);
        for &x in v.iter().filter(|x| (*x - median).abs() <= band) {
            n += 1;
            sum += x;
        }
        let mean = sum / n as f32;
        let var = v
            .iter()
            .filter(|x| (*x - median).abs() <= band)
            .map(|x| (x - mean) * (x - mean))
            .sum::<f32>()
            / n as f32;
        self.mean = mean;
        self.var = var;
    }

    /// The samples inside `[from, to]`, with their times, in no order.
    fn samples_in(&self, from: Ts, to: Ts) -> impl Iterator<Item = &Sample> + '_ {
        let (from, to) = (sample_secs(from), sample_secs(to));
        self.samples[..self.len as usize]
            .iter()
            .filter(move |s| s.t >= from && s.t <= to)
    }

    /// The samples inside `[from, to]`.
    pub fn window(&self, from: Ts, to: Ts) -> impl Iterator<Item = f32> + '_ {
        self.samples_in(from, to).map(|s| s.v)
    }

    /// The latest sample inside `[from, to]`, if any.
    pub fn latest(&self, from: Ts, to: Ts) -> Option<f32> {
        self.samples_in(from, to).max_by_key(|s| s.t).map(|s| s.v)
    }

    /// Statistics of the samples inside `[from, to]`, if any.
    pub fn window_stats(&self, from: Ts, to: Ts) -> Option<WindowStats> {
        let mut st: Option<WindowStats> = None;
        let mut sum = 0.0f32;
        for v in self.window(from, to) {
            sum += v;
            let w = st.get_or_insert(WindowStats {
                n: 0,
                min: v,
                max: v,
                mean: 0.0,
                worst: v,
            });
            w.n += 1;
            w.min = w.min.min(v);
            w.max = w.max.max(v);
            if (v - self.mean).abs() > (w.worst - self.mean).abs() {
                w.worst = v;
            }
        }
        st.map(|mut w| {
            w.mean = sum / w.n as f32;
            w
        })
    }

    pub fn sd(&self, scale: f32) -> f32 {
        self.var.sqrt().max(scale)
    }

    /// The median of its samples while too few to be trusted, from three
    /// on: a fault's outliers among them do not move it.
    pub fn early_median(&self) -> Option<f32> {
        if self.trusted() || self.len < 3 {
            return None;
        }
        let (v, k) = self.sorted_samples();
        Some(v[(k - 1) / 2])
    }

    /// The values of its kept samples, smallest first, and how many.
    fn sorted_samples(&self) -> ([f32; SAMPLES_KEPT], usize) {
        let k = self.len as usize;
        let mut v = [0.0f32; SAMPLES_KEPT];
        for (d, s) in v.iter_mut().zip(&self.samples[..k]) {
            *d = s.v;
        }
        v[..k].sort_unstable_by(f32::total_cmp);
        (v, k)
    }

    pub fn trusted(&self) -> bool {
        self.n >= BASELINE_SAMPLES_MIN
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
    /// How it was paid: bits of [`TxnLite::CARD`], [`TxnLite::CHIP`] and
    /// [`TxnLite::QR`] (one byte, not three: sixteen of these are kept per
    /// terminal).
    pub paid_by: u8,
    pub code: Option<Box<str>>,
    pub stan: Option<Box<str>>,
    /// The card's BIN (first six digits) as a number, 0 when unknown.
    pub bin: u32,
    /// Timed out sooner than any host answers, after so many seconds (0:
    /// it did not; see [`crate::signals::gave_up_early`]).
    pub gave_up_early: u8,
    /// It said how long it waited (`latency_ms`): a timeout that waited its
    /// full minute says its timer is not short.
    pub latency_known: bool,
}

impl TxnLite {
    /// By card (chip, contactless or swiped).
    pub const CARD: u8 = 1;
    /// By chip or contactless: a message carrying the card's chip data
    /// (field 55), which the terminal's software builds.
    pub const CHIP: u8 = 2;
    pub const QR: u8 = 4;

    pub fn card(&self) -> bool {
        self.paid_by & Self::CARD != 0
    }
    pub fn chip(&self) -> bool {
        self.paid_by & Self::CHIP != 0
    }
    pub fn qr(&self) -> bool {
        self.paid_by & Self::QR != 0
    }
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

/// Failures per ten minutes over the last six hours: whether a terminal was
/// in trouble before an incident opened, hours after.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TroubleBins {
    counts: [u8; TroubleBins::BINS],
    /// The latest bin counted (seconds since the epoch / [`Self::BIN_S`]).
    latest: i64,
}

impl Default for TroubleBins {
    fn default() -> Self {
        TroubleBins {
            counts: [0; Self::BINS],
            latest: i64::MIN,
        }
    }
}

impl TroubleBins {
    const BIN_S: i64 = 600;
    const BINS: usize = 36;

    fn bin(ts: Ts) -> i64 {
        ts.millis().div_euclid(Self::BIN_S * 1000)
    }

    pub fn add(&mut self, ts: Ts) {
        let b = Self::bin(ts);
        if self.latest != i64::MIN && b <= self.latest - Self::BINS as i64 {
            return;
        }
        if self.latest == i64::MIN || b > self.latest {
            // Clear the bins the clock moved past (all of them at most).
            let oldest = b - Self::BINS as i64 + 1;
            for k in self.latest.saturating_add(1).max(oldest)..=b {
                self.counts[k.rem_euclid(Self::BINS as i64) as usize] = 0;
            }
            self.latest = b;
        }
        let c = &mut self.counts[b.rem_euclid(Self::BINS as i64) as usize];
        *c = c.saturating_add(1);
    }

    /// Failures counted in the bins within `[from, to]` (whole bins), as
    /// far as six hours back from the latest.
    pub fn count(&self, from: Ts, to: Ts) -> u32 {
        if self.latest == i64::MIN {
            return 0;
        }
        let lo = Self::bin(from).max(self.latest - Self::BINS as i64 + 1);
        let hi = Self::bin(to).min(self.latest);
        (lo..=hi)
            .map(|k| u32::from(self.counts[k.rem_euclid(Self::BINS as i64) as usize]))
            .sum()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TerminalState {
    pub vendor: Box<str>,
    pub model: Box<str>,
    pub site: Option<u32>,
    pub merchant: Option<Box<str>>,
    pub net: Net,
    pub carrier: Option<Box<str>>,
    /// The merchant's group of terminals, an index into the engine's merchants.
    pub merchant_group: Option<u32>,
    /// The mobile carrier in this terminal's city, an index into the
    /// engine's carrier groups (cellular terminals only).
    pub carrier_group: Option<u32>,
    /// The acquirer host channel, an index into the engine's hosts.
    pub host: Option<u32>,
    pub cert_not_after: Option<Ts>,
    pub firmware: Option<Box<str>>,
    pub app_version: Option<Box<str>>,
    pub metrics: [Metric; METRICS],
    pub offline_at: Option<Ts>,
    pub online_at: Option<Ts>,
    pub power_events: Decay,
    pub last_power_evidence: Option<Ts>,
    /// Heartbeats since the last power sign that showed none (saturating).
    pub beats_since_power: u8,
    /// Its latest supply reading off its usual: its mains, not its battery.
    pub last_supply_off: Option<Ts>,
    pub reboots: Ring<(Ts, Reboot), 4>,
    pub key_check: Option<(Ts, Box<str>)>,
    pub key_ok_seen: bool,
    /// When its key check last went from `ok` to anything else: keys
    /// vanishing at an abnormal reset are the security module's doing (a
    /// tamper response, a failing board), not keys out of step.
    pub keys_lost_at: Option<Ts>,
    pub printer: Option<(Ts, Box<str>)>,
    pub keypad_errors: Decay,
    pub reader_errors: Decay,
    pub app_crashes: Decay,
    pub last_version_change: Option<Ts>,
    /// The latest maintenance that changed the terminal, and what it changed.
    pub last_maintenance: Option<(Ts, Change)>,
    /// Log-amount baseline of approved payments.
    pub amount_log_mean: f32,
    pub amount_n: u32,
    pub txns: Ring<TxnLite, 16>,
    pub errors: Ring<ErrLite, 8>,
    /// The log patterns of lines pushed out of `errors`, and the newest
    /// such line's time: a chatty terminal's "key missing" every minute
    /// must not bury the "tamper triggered, keys erased" that began it.
    pub older_log_hits: u64,
    pub older_logs_at: Ts,
    pub checks: Ring<CheckLite, 6>,
    /// The latest confirmed root cause of this terminal (or its site) and when.
    pub resolved: Option<(Ts, posdoc_record::Cause)>,
    /// When this terminal last had a failed event (for site-level views).
    pub last_failure: Option<Ts>,
    /// ...and its last failure of the link itself (a timeout, a connection
    /// or sending error, a heartbeat saying offline).
    pub last_link_failure: Option<Ts>,
    /// Its failures of its own (errors, payments without an answer) per
    /// ten minutes over the last six hours.
    pub trouble: TroubleBins,
    pub last_success: Option<Ts>,
    /// Its latest heartbeat that crossed the link quickly and whole: the
    /// shop's router carried it, whether or not anyone was paying.
    pub last_link_ok: Option<Ts>,
    /// Its latest payment sent under a merchant id other than its own (the
    /// inventory's), and that id: its parameters name another merchant.
    pub foreign_mid: Option<(Ts, Box<str>)>,
    /// Its latest payment the host answered, approved or not.
    pub last_answered: Option<Ts>,
    /// The first link failure since its link last worked (a payment
    /// through, or a heartbeat across it quickly and whole): when its
    /// present loss of link began.
    pub link_down_since: Option<Ts>,
    /// The latest complaint naming this terminal: when, and the knowledge
    /// base's patterns its text matched (the text itself is not kept).
    pub complaint: Option<(Ts, u64)>,
}

impl TerminalState {
    /// When its mains last failed it for certain: a supply reading off its
    /// usual, or a reboot after losing power on a terminal with no battery
    /// (not a power event counted while it stayed up: a sag it rode out;
    /// nor a handheld's reboot, which its battery running flat gives).
    pub fn mains_failed_at(&self) -> Option<Ts> {
        let on_battery = self.metric(MetricId::Battery).n > 0;
        let reboot = self
            .reboots
            .iter()
            .filter(|(_, r)| *r == Reboot::PowerLoss && !on_battery)
            .map(|(t, _)| *t)
            .max();
        self.last_supply_off.max(reboot)
    }

    /// The latest moment its link worked: a payment the host answered, or
    /// a heartbeat across it quickly and whole.
    pub fn link_worked_at(&self) -> Option<Ts> {
        self.last_answered.max(self.last_link_ok)
    }

    pub fn new() -> Self {
        TerminalState {
            vendor: "generic".into(),
            model: "".into(),
            site: None,
            merchant: None,
            net: Net::Unknown,
            carrier: None,
            host: None,
            merchant_group: None,
            carrier_group: None,
            cert_not_after: None,
            firmware: None,
            app_version: None,
            metrics: Default::default(),
            offline_at: None,
            online_at: None,
            power_events: Decay::default(),
            last_power_evidence: None,
            beats_since_power: 0,
            last_supply_off: None,
            reboots: Ring::default(),
            key_check: None,
            key_ok_seen: false,
            keys_lost_at: None,
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
            older_log_hits: 0,
            older_logs_at: Ts::default(),
            checks: Ring::default(),
            resolved: None,
            last_failure: None,
            last_link_failure: None,
            trouble: TroubleBins::default(),
            last_success: None,
            last_link_ok: None,
            last_answered: None,
            foreign_mid: None,
            link_down_since: None,
            complaint: None,
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
            + self.printer.as_ref().map_or(0, |(_, p)| p.len());
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

    /// A confirmed fix: what came before it is history, not the present.
    pub fn note_resolution(&mut self, ts: Ts, cause: posdoc_record::Cause) {
        self.resolved = Some((ts, cause));
        for d in [
            &mut self.power_events,
            &mut self.keypad_errors,
            &mut self.reader_errors,
            &mut self.app_crashes,
        ] {
            d.value = 0.0;
            d.at = d.at.max(ts);
        }
    }

    /// When the terminal's present began: its latest confirmed fix, if that
    /// is before `ts`.
    pub fn fixed_before(&self, ts: Ts) -> Option<Ts> {
        self.resolved.map(|(r, _)| r).filter(|&r| r <= ts)
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
    pub city: Option<Box<str>>,
    pub terminals: Vec<u32>,
    pub checks: Ring<CheckLite, 6>,
}

/// What a maintenance visit changed, as far as its action and notes say:
/// a MAC failing after new parameters is the parameters, after a key load
/// the keys, after a repair either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Parameters,
    Keys,
    /// A repair or a part replaced.
    Repair,
}

/// How a transaction ended, as a group (acquirer host, card BIN) sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Outcome {
    #[default]
    Approved,
    /// No answer, or an answer that says the host or issuer could not act
    /// (91, 96, 98 and the like).
    Unreachable,
    /// Any other refusal.
    Declined,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GroupEvent {
    pub ts: Ts,
    pub terminal: u32,
    pub outcome: Outcome,
    /// The card's BIN as a number, 0 when unknown.
    pub bin: u32,
    /// The response code's first two bytes (zeros when none): which
    /// refusal it was, in the padding the struct has anyway.
    pub code: [u8; 2],
}

impl GroupEvent {
    /// A response code as [`GroupEvent::code`] keeps it.
    pub fn code_of(code: Option<&str>) -> [u8; 2] {
        let b = code.unwrap_or("").as_bytes();
        [
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        ]
    }
}

/// Card payments a group's terminals had answered, and those refused with
/// one code, in a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CodeView {
    pub answered: u32,
    pub refused: u32,
    /// Distinct BINs and terminals among the refused (up to 8 each).
    pub bins: u32,
    pub terminals: u32,
}

/// Events a group keeps: enough to see several terminals' recent outcomes.
pub(crate) const GROUP_EVENTS_KEPT: usize = 48;

/// The recent outcomes of a group of terminals sharing something (an
/// acquirer host, a card issuer's BIN): a fixed ring, so memory is bounded
/// by the number of groups.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    events: [GroupEvent; GROUP_EVENTS_KEPT],
    next: u8,
    len: u8,
}

impl Default for Group {
    fn default() -> Self {
        Group {
            events: [GroupEvent::default(); GROUP_EVENTS_KEPT],
            next: 0,
            len: 0,
        }
    }
}

/// What the other members of a group did in a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PeerView {
    /// Other terminals with an approval / an unreachable-type failure.
    pub approving: u32,
    pub unreachable: u32,
    /// Events of other terminals, by outcome.
    pub approved_events: u32,
    pub unreachable_events: u32,
    /// Other terminals with a refusal, and those refusals.
    pub declining: u32,
    pub declined_events: u32,
    /// Distinct card BINs among the other terminals' unreachable-type
    /// failures (up to 8): one bank's cards, or everyone's.
    pub unreachable_bins: u32,
}

impl PeerView {
    /// Two of them or more left unanswered, at least as often as they were
    /// approved: the group itself (its host, its carrier) is not getting
    /// through.
    pub fn mostly_unreachable(&self) -> bool {
        self.unreachable >= 2 && self.unreachable_events >= self.approved_events
    }

    /// Two of them or more approved, and a quarter as many unanswered at
    /// most: the group itself works.
    pub fn mostly_approving(&self) -> bool {
        self.approving >= 2 && self.unreachable_events * 4 <= self.approved_events
    }
}

impl Group {
    pub fn push(&mut self, e: GroupEvent) {
        self.events[self.next as usize] = e;
        self.next = ((self.next as usize + 1) % GROUP_EVENTS_KEPT) as u8;
        self.len = (self.len + 1).min(GROUP_EVENTS_KEPT as u8);
    }

    /// Other terminals' outcomes inside `[from, to]`.
    pub fn peers(&self, me: u32, from: Ts, to: Ts) -> PeerView {
        self.peers_where(me, from, to, |_| true)
    }

    /// As [`Group::peers`], over the events `keep` keeps.
    pub fn peers_where(
        &self,
        me: u32,
        from: Ts,
        to: Ts,
        keep: impl Fn(&GroupEvent) -> bool,
    ) -> PeerView {
        let mut v = PeerView::default();
        let mut seen_ok: [u32; 8] = [u32::MAX; 8];
        let mut seen_bad: [u32; 8] = [u32::MAX; 8];
        let mut seen_declined: [u32; 8] = [u32::MAX; 8];
        let mut seen_bins: [u32; 8] = [u32::MAX; 8];
        let note = |seen: &mut [u32; 8], t: u32| -> bool {
            if seen.contains(&t) {
                return false;
            }
            if let Some(slot) = seen.iter_mut().find(|x| **x == u32::MAX) {
                *slot = t;
                return true;
            }
            false
        };
        for e in &self.events[..self.len as usize] {
            if e.terminal == me || e.ts < from || e.ts > to || !keep(e) {
                continue;
            }
            match e.outcome {
                Outcome::Approved => {
                    v.approved_events += 1;
                    v.approving += u32::from(note(&mut seen_ok, e.terminal));
                }
                Outcome::Unreachable => {
                    v.unreachable_events += 1;
                    v.unreachable += u32::from(note(&mut seen_bad, e.terminal));
                    if e.bin != 0 {
                        v.unreachable_bins += u32::from(note(&mut seen_bins, e.bin));
                    }
                }
                Outcome::Declined => {
                    v.declined_events += 1;
                    v.declining += u32::from(note(&mut seen_declined, e.terminal));
                }
            }
        }
        v
    }

    /// Its card payments answered inside `[from, to]`, and those refused
    /// with `code`.
    pub fn refused_with(&self, code: [u8; 2], from: Ts, to: Ts) -> CodeView {
        let mut v = CodeView::default();
        let (mut bins, mut terminals) = ([u32::MAX; 8], [u32::MAX; 8]);
        let note = |seen: &mut [u32; 8], x: u32| -> u32 {
            if seen.contains(&x) {
                return 0;
            }
            seen.iter_mut().find(|s| **s == u32::MAX).map_or(0, |slot| {
                *slot = x;
                1
            })
        };
        for e in &self.events[..self.len as usize] {
            if e.ts < from || e.ts > to || e.bin == 0 || e.outcome == Outcome::Unreachable {
                continue;
            }
            v.answered += 1;
            if e.outcome == Outcome::Declined && e.code == code {
                v.refused += 1;
                v.bins += note(&mut bins, e.bin);
                v.terminals += note(&mut terminals, e.terminal);
            }
        }
        v
    }

    /// The terminals refused with `code` inside `[from, to]`, each with its
    /// latest such refusal.
    pub fn refused_terminals(&self, code: [u8; 2], from: Ts, to: Ts) -> Vec<(u32, Ts)> {
        let mut v: Vec<(u32, Ts)> = Vec::new();
        for e in &self.events[..self.len as usize] {
            if e.ts < from || e.ts > to || e.outcome != Outcome::Declined || e.code != code {
                continue;
            }
            match v.iter_mut().find(|(t, _)| *t == e.terminal) {
                Some((_, at)) => *at = (*at).max(e.ts),
                None => v.push((e.terminal, e.ts)),
            }
        }
        v
    }

    /// This terminal's own outcomes inside `[from, to]`: (approved, unreachable).
    pub fn own(&self, me: u32, from: Ts, to: Ts) -> (u32, u32) {
        let mut ok = 0;
        let mut bad = 0;
        for e in &self.events[..self.len as usize] {
            if e.terminal != me || e.ts < from || e.ts > to {
                continue;
            }
            match e.outcome {
                Outcome::Approved => ok += 1,
                Outcome::Unreachable => bad += 1,
                Outcome::Declined => {}
            }
        }
        (ok, bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_baseline_begun_during_a_fault_is_its_healthy_samples() {
        let t0 = Ts::from_secs(1_800_000_000);
        let mut m = Metric::default();
        // Five healthy round trips, then a router crawling.
        for (i, x) in [44.0, 38.0, 49.0, 43.0, 41.0, 4169.0, 4389.0]
            .into_iter()
            .enumerate()
        {
            m.observe(t0.plus_secs(300 * i as i64), x, 20.0);
            if i >= 2 {
                // Its early median is the healthy pace, crawl or not.
                assert!(m.early_median().is_some_and(|x| x < 50.0), "{m:?}");
            }
        }
        assert!(!m.trusted());
        m.observe(t0.plus_secs(2100), 4123.0, 20.0);
        // Trusted now, and its usual is the healthy pace, not the mean of
        // all eight (over 1,500 ms).
        assert!(m.trusted());
        assert_eq!(m.early_median(), None);
        assert!((38.0..=49.0).contains(&m.mean), "{m:?}");
        assert!(m.sd(20.0) < 100.0, "{m:?}");
        // Healthy first samples: the ordinary running mean and spread.
        let mut h = Metric::default();
        let xs = [11.9, 12.1, 12.0, 11.8, 12.2, 12.0, 11.9, 12.1];
        for (i, x) in xs.into_iter().enumerate() {
            h.observe(t0.plus_secs(300 * i as i64), x, 0.05);
        }
        let mean = xs.iter().sum::<f64>() / 8.0;
        assert!((f64::from(h.mean) - mean).abs() < 1e-4, "{h:?}");
        assert!(h.var > 0.0);
    }

    #[test]
    fn trouble_bins_count_six_hours_back_and_forget_older() {
        let t0 = Ts::from_secs(1_800_000_000 / 600 * 600);
        let mut b = TroubleBins::default();
        for m in [0i64, 5, 12, 61, 62] {
            b.add(t0.plus_secs(m * 60));
        }
        assert_eq!(b.count(t0, t0.plus_secs(15 * 60)), 3);
        assert_eq!(b.count(t0.plus_secs(60 * 60), t0.plus_secs(70 * 60)), 2);
        // Out of order, within the six hours: counted.
        b.add(t0.plus_secs(30 * 60));
        assert_eq!(b.count(t0, t0.plus_secs(40 * 60)), 4);
        // Seven hours on, the first hour is gone, and its bins are not
        // mistaken for new ones.
        b.add(t0.plus_secs(7 * 3600));
        assert_eq!(b.count(t0, t0.plus_secs(7 * 3600)), 1);
        assert_eq!(
            b.count(t0.plus_secs(6 * 3600 + 600), t0.plus_secs(6 * 3600 + 1200)),
            0
        );
    }
}
