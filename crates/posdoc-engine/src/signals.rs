//! When a signal is seen. Applying records to state, and reading state at an
//! event's time into [`Obs`]ervations whose weights come from the knowledge
//! base's `evidence.toml`.

use posdoc_record::{ErrorEvent, Maintenance, Telemetry, Terminal, Ts, Txn};

use crate::fleet::Failure;
use crate::state::*;
use posdoc_kb::Kb;

/// How far back "now" reaches for telemetry and history, seconds.
pub(crate) const RECENT_S: i64 = 600;
/// A processor's load lasting: readings at this level at least, over this
/// many seconds before an event (see `cpu_high`).
const CPU_LASTED_PCT: f32 = 70.0;
const CPU_LASTED_S: i64 = 1800;
/// A load at this level, lasting, is saturation whatever the terminal's usual.
const CPU_SATURATED_PCT: f32 = 90.0;
/// Clean heartbeats after a terminal's last power sign that say its power
/// is back.
const POWER_BACK_BEATS: u8 = 5;
/// How far back transaction history counts, seconds.
pub(crate) const HISTORY_S: i64 = 900;
/// How far back an intermittent pattern (fail, approve, fail) is looked for, seconds.
pub(crate) const INTERMITTENT_S: i64 = 1800;
/// How long a software change or repair stays suspicious, seconds.
pub(crate) const CHANGE_SUSPECT_S: i64 = 48 * 3600;

/// What a signal looked like at the event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    /// Fired, with a value and the baseline it departs from, for the text.
    Yes {
        value: String,
        baseline: String,
        strength: f64,
        /// The value as a Chinese reader reads it, where it differs
        /// (durations: `33 分钟` rather than `33 min`).
        value_zh: Option<String>,
    },
    /// The data to see it was there and it was not.
    Absent,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Obs {
    pub id: &'static str,
    pub seen: Seen,
}

pub(crate) fn yes(id: &'static str, value: String, baseline: String) -> Obs {
    Obs {
        id,
        seen: Seen::Yes {
            value,
            baseline,
            strength: 1.0,
            value_zh: None,
        },
    }
}

/// A signal seen at `strength` (its likelihood ratios raised to that
/// power): a weaker or a surer form of it.
pub(crate) fn yes_at(id: &'static str, value: String, strength: f64) -> Obs {
    Obs {
        id,
        seen: Seen::Yes {
            value,
            baseline: String::new(),
            strength,
            value_zh: None,
        },
    }
}

/// A timer seen running out `secs` seconds in (`timeout_early`,
/// `timer_short_lately`): full strength within [`TIMER_SET_TOO_SHORT_S`],
/// sooner than any timer a terminal ships with, else
/// [`SHORT_TIMER_STRENGTH`].
pub(crate) fn short_timer(id: &'static str, secs: u8) -> Obs {
    Obs {
        id,
        seen: Seen::Yes {
            value: format!("{secs} s"),
            baseline: String::new(),
            strength: if secs <= TIMER_SET_TOO_SHORT_S {
                1.0
            } else {
                SHORT_TIMER_STRENGTH
            },
            value_zh: Some(format!("{secs}秒")),
        },
    }
}

/// A signal whose value is a duration, written for each language.
pub(crate) fn yes_dur(id: &'static str, secs: f64) -> Obs {
    Obs {
        id,
        seen: Seen::Yes {
            value: fmt_dur(secs),
            baseline: String::new(),
            strength: 1.0,
            value_zh: Some(fmt_dur_zh(secs)),
        },
    }
}

pub(crate) fn absent(id: &'static str) -> Obs {
    Obs {
        id,
        seen: Seen::Absent,
    }
}

pub(crate) fn apply_inventory(s: &mut TerminalState, t: &Terminal, site: Option<u32>) {
    s.vendor = t.vendor.as_str().into();
    s.model = t.model.as_str().into();
    if site.is_some() {
        s.site = site;
    }
    s.merchant = t
        .merchant_id
        .as_deref()
        .map(Into::into)
        .or(s.merchant.take());
    s.net = match t.network.as_deref() {
        Some("ethernet" | "lan" | "wired") => Net::Ethernet,
        Some("wifi" | "wi-fi" | "wlan") => Net::Wifi,
        Some("cellular" | "4g" | "5g" | "3g" | "gprs" | "lte") => Net::Cellular,
        _ => s.net,
    };
    s.carrier = t.carrier.as_deref().map(Into::into).or(s.carrier.take());
    s.cert_not_after = t.cert_not_after.or(s.cert_not_after);
    note_versions(
        s,
        t.ts.unwrap_or_default(),
        t.firmware.as_deref(),
        t.app_version.as_deref(),
        false,
    );
}

/// Files the versions given; true when either differs from what was known
/// (the terminal's version scopes must follow). With `is_change`, a version
/// replacing a known other one is a change the terminal went through.
fn note_versions(
    s: &mut TerminalState,
    ts: Ts,
    fw: Option<&str>,
    app: Option<&str>,
    is_change: bool,
) -> bool {
    let (mut changed, mut moved) = (false, false);
    for (known, new) in [(&mut s.firmware, fw), (&mut s.app_version, app)] {
        let Some(new) = new else { continue };
        if known.as_deref() != Some(new) {
            changed |= known.is_some();
            moved = true;
            *known = Some(new.into());
        }
    }
    if changed && is_change {
        s.last_version_change = Some(ts);
    }
    moved
}

/// Keeps a worded reading and when it was last given: every heartbeat
/// repeats it, so the words are stored again only when they change.
fn note_reading(slot: &mut Option<(Ts, Box<str>)>, ts: Ts, words: &str) {
    match slot {
        Some((at, was)) if **was == *words => *at = ts,
        _ => *slot = Some((ts, words.into())),
    }
}

pub(crate) fn apply_telemetry(s: &mut TerminalState, t: &Telemetry) {
    let ts = t.ts;
    if t.online != Some(false)
        && t.latency_ms.is_some_and(|l| l < LINK_OK_LATENCY_MS)
        && t.packet_loss.is_none_or(|l| l < LINK_OK_LOSS)
    {
        keep_latest(&mut s.last_link_ok, ts);
    }
    let m = [
        (MetricId::Latency, t.latency_ms, 20.0),
        (MetricId::Loss, t.packet_loss, 0.01),
        (MetricId::Rssi, t.rssi_dbm, RSSI_NOISE_DB),
        (MetricId::Supply, t.supply_v, 0.05),
        (MetricId::Battery, t.battery_pct, 3.0),
        (MetricId::Storage, t.storage_used_pct, 2.0),
        (MetricId::Memory, t.memory_used_pct, 3.0),
        (MetricId::Cpu, t.cpu_pct, 5.0),
        (MetricId::Temp, t.temp_c, 2.0),
        (MetricId::ClockSkew, t.clock_skew_s, 1.0),
    ];
    for (id, v, scale) in m {
        if let Some(v) = v {
            s.metric_mut(id).observe(ts, v, scale);
        }
    }
    match t.online {
        Some(false) => {
            s.offline_at = Some(ts);
            note_link_failure(s, ts);
            note_link_down(s, ts);
        }
        Some(true) => s.online_at = Some(ts),
        None => {}
    }
    if let Some(n) = t.power_events {
        s.power_events.add(ts, n);
        if n > 0 {
            s.last_power_evidence = Some(ts);
        }
    }
    if let Some(r) = &t.reboot {
        let r = Reboot::parse(r);
        s.reboots.push((ts, r));
        if r == Reboot::PowerLoss {
            s.last_power_evidence = Some(ts);
        }
        if r == Reboot::Update {
            s.last_version_change = Some(ts);
        }
    }
    if let Some(v) = t.supply_v
        && supply_off_nominal(v, s.metric(MetricId::Supply))
    {
        s.last_power_evidence = Some(ts);
        s.last_supply_off = Some(ts);
    }
    // Power back is told by readings at this terminal's usual, not merely
    // short of "off": a supply sagging a few percent for an hour reads
    // like that, reading after reading.
    if s.last_power_evidence == Some(ts) {
        s.beats_since_power = 0;
    } else if let Some(v) = t.supply_v {
        if supply_steady(v, s.metric(MetricId::Supply)) && t.power_events.unwrap_or(0) == 0 {
            s.beats_since_power = s.beats_since_power.saturating_add(1);
        } else {
            s.beats_since_power = 0;
        }
    }
    if let Some(k) = &t.key_check {
        if k == "ok" {
            s.key_ok_seen = true;
        } else if s.key_check.as_ref().is_some_and(|(_, was)| &**was == "ok") {
            s.keys_lost_at = Some(ts);
        }
        note_reading(&mut s.key_check, ts, k);
    }
    if let Some(p) = &t.printer {
        note_reading(&mut s.printer, ts, p);
    }
    if let Some(n) = t.keypad_errors {
        s.keypad_errors.add(ts, n);
    }
    if let Some(n) = t.card_reader_errors {
        s.reader_errors.add(ts, n);
    }
    if let Some(n) = t.app_crashes {
        s.app_crashes.add(ts, n);
    }
    note_versions(s, ts, t.firmware.as_deref(), t.app_version.as_deref(), true);
}

/// The nearest common adapter rating to a reading.
fn nominal_supply(v: f32) -> f32 {
    posdoc_kb::nearest_adapter_rating(f64::from(v)) as f32
}

/// Whether a supply reading is at this terminal's usual (tighter than not
/// off: the band a healthy adapter keeps).
fn supply_steady(v: f64, m: &Metric) -> bool {
    let v = v as f32;
    if m.trusted() {
        return (v - m.mean).abs() <= (0.02 * m.mean).max(2.0 * m.sd(0.03));
    }
    let nominal = nominal_supply(v);
    (v - nominal).abs() <= 0.03 * nominal
}

/// Whether a supply reading is off: against the terminal's own baseline once
/// it has one, else against the nearest common adapter rating.
pub(crate) fn supply_off_nominal(v: f64, m: &Metric) -> bool {
    let v = v as f32;
    if m.trusted() {
        let dev = (v - m.mean).abs();
        return dev > (0.05 * m.mean).max(4.0 * m.sd(0.03));
    }
    let nominal = nominal_supply(v);
    (v - nominal).abs() > 0.08 * nominal
}

/// Whether the terminal's certificate (as its inventory gives it) had
/// expired by `ts`.
pub(crate) fn cert_expired(s: &TerminalState, ts: Ts) -> bool {
    s.cert_not_after.is_some_and(|na| na < ts)
}

/// Whether a refused handshake or MAC at `ts` is this terminal's own: its
/// certificate expired, its clock far off or just reset by a power loss
/// (a flat clock battery sends it back years, and every certificate is
/// "not yet valid"), its keys reported out of sync. Such refusals say
/// nothing of its version or its host.
pub(crate) fn own_protocol_fault(s: &TerminalState, stage: Option<&str>, ts: Ts) -> bool {
    match stage {
        Some("tls") => {
            cert_expired(s, ts)
                || s.metric(MetricId::ClockSkew)
                    .window(ts.plus_secs(-3 * RECENT_S), ts)
                    .any(|k| k.abs() > 300.0)
                || s.reboots.iter().any(|(t, r)| {
                    *r == Reboot::PowerLoss && *t <= ts && *t >= ts.plus_secs(-6 * RECENT_S)
                })
        }
        Some("mac") => s
            .key_check
            .as_ref()
            .is_some_and(|(t, k)| k.as_ref() != "ok" && *t <= ts && *t >= ts.plus_secs(-6 * 3600)),
        _ => false,
    }
}

/// Whether a heartbeat's supply voltage is off the adapter's nominal range
/// (or this terminal's own usual reading).
pub(crate) fn supply_reading_off(s: &TerminalState, t: &Telemetry) -> bool {
    t.supply_v
        .is_some_and(|v| supply_off_nominal(v, s.metric(MetricId::Supply)))
}

/// The trouble a heartbeat shows of its own, as the fleet view sorts it:
/// power lost or off, or packets lost, is the link's (a shop's mains or
/// router); a crash or a watchdog's reboot with power fine is the
/// terminal's own app or parts (its version's, not its shop's). (A
/// management system's "offline" is not the terminal's word but the lack of
/// it: silence, which the fleet view weighs apart.)
pub(crate) fn heartbeat_trouble(s: &TerminalState, t: &Telemetry) -> Option<Failure> {
    let reboot = t.reboot.as_deref().map(Reboot::parse);
    if t.power_events.is_some_and(|n| n > 0)
        || reboot == Some(Reboot::PowerLoss)
        || supply_or_link_off(s, t)
    {
        Some(Failure::Link)
    } else if matches!(reboot, Some(Reboot::Crash | Reboot::Watchdog)) {
        Some(Failure::Device)
    } else {
        None
    }
}

/// How long after its app crashed (seconds) a terminal reported offline is
/// restarting: a crash's reboot takes a minute or two.
pub(crate) const CRASH_RESTART_S: i64 = 300;
/// How long after its app's crash was logged (seconds) a terminal reported
/// offline went down with that app: the crash that takes it off the air
/// comes seconds before the management system notices.
pub(crate) const CRASH_LINE_RESTART_S: i64 = 60;

/// Whether a terminal reported offline at `ts` is restarting after its
/// app crashed (a crash or watchdog reboot within [`CRASH_RESTART_S`], a
/// line in words of a crash, a hang or a watchdog, `crash` bits of its log
/// patterns, within [`CRASH_LINE_RESTART_S`]): off the air for its
/// software, not for its shop's mains or router. A release that crashes
/// its terminals every few minutes darkens two of a shop's at once now and
/// then; that is no sign of the shop's. (An app's error of another kind,
/// its storage full, takes nothing off the air.)
pub(crate) fn restarting_after_crash(s: &TerminalState, ts: Ts, crash: u64) -> bool {
    let within = |at: Ts, secs: i64| at >= ts.plus_secs(-secs) && at <= ts;
    s.reboots.iter().any(|&(at, r)| {
        matches!(r, Reboot::Crash | Reboot::Watchdog) && within(at, CRASH_RESTART_S)
    }) || s
        .errors
        .iter()
        .any(|e| e.log_hits & crash != 0 && within(e.ts, CRASH_LINE_RESTART_S))
}

/// How long unheard (seconds) a terminal reporting a power-loss reboot, and
/// nothing else wrong, was switched off rather than cut off: a night.
pub(crate) const SWITCHED_ON_AFTER_S: f64 = 2.0 * 3600.0;

/// Whether a heartbeat reporting a power-loss reboot, and nothing else
/// wrong (no power event, its supply and link fine), is a terminal's first
/// word after [`SWITCHED_ON_AFTER_S`] unheard (`unheard_s`; `None`: never
/// heard): switched on at opening, no sign of its mains.
pub(crate) fn switched_on(s: &TerminalState, t: &Telemetry, unheard_s: Option<f64>) -> bool {
    t.reboot.as_deref().map(Reboot::parse) == Some(Reboot::PowerLoss)
        && unheard_s.is_none_or(|u| u >= SWITCHED_ON_AFTER_S)
        && t.power_events.is_none_or(|n| n == 0)
        && !supply_or_link_off(s, t)
}

/// Whether a heartbeat counts a power event that a terminal with no
/// battery rode out: still online, not rebooted, its supply reading and
/// its link fine. A sag, the mains' sign; no failure of its own.
pub(crate) fn rode_out_sag(s: &TerminalState, t: &Telemetry) -> bool {
    t.power_events.is_some_and(|n| n > 0)
        && t.online != Some(false)
        && t.reboot.is_none()
        && t.battery_pct.is_none()
        && s.metric(MetricId::Battery).n == 0
        && !supply_or_link_off(s, t)
}

/// Whether a heartbeat's supply reading is off, or its link loses or
/// crawls: its trouble beside any power event it counts.
fn supply_or_link_off(s: &TerminalState, t: &Telemetry) -> bool {
    supply_reading_off(s, t)
        || t.packet_loss.is_some_and(|l| l >= HEARTBEAT_LOSS_TROUBLE)
        || heartbeat_crawling(s, t)
}

/// Whether a heartbeat's round trip is many times the terminal's own
/// usual and past what any payment link works at: a router or a carrier
/// going bad slows every packet well before it drops them, so a shop's
/// terminals crawl together minutes before their payments time out.
fn heartbeat_crawling(s: &TerminalState, t: &Telemetry) -> bool {
    let Some(ms) = t.latency_ms else {
        return false;
    };
    let usual = s.metric(MetricId::Latency);
    if usual.trusted() {
        return ms as f32 >= LINK_BAD_LATENCY_MS.max(HEARTBEAT_CRAWL_TIMES * usual.mean);
    }
    // Its first heartbeats: their median is its pace, and only a crawl
    // twice as slow as a bad link's counts (a shop's router failing while
    // the records begin must not wait forty minutes for a baseline).
    usual.early_median().is_some_and(|median| {
        ms as f32 >= (2.0 * LINK_BAD_LATENCY_MS).max(HEARTBEAT_CRAWL_TIMES * median)
    })
}

/// How many times its usual round trip a heartbeat's must be to crawl.
const HEARTBEAT_CRAWL_TIMES: f32 = 5.0;

/// A cellular reading at or below this is a poor signal, dBm.
pub(crate) const CELL_POOR_DBM: f32 = -100.0;

/// How far apart two readings of one radio may be and still say the same,
/// dB: a signal wanders a few dB minute to minute.
const RSSI_NOISE_DB: f32 = 3.0;

/// A Wi-Fi reading at or below this is a terminal barely hearing its
/// access point, dBm: too weak to hold a link, and its own place's doing
/// (an access point gone dark gives no reading at all).
pub(crate) const WIFI_LOST_DBM: f32 = -85.0;

/// Whether a radio reading of `dbm` on a terminal on `net` is too weak to
/// hold its link: to its shop and carrier, its own air.
pub(crate) fn radio_weak(net: Net, dbm: f32) -> bool {
    match net {
        Net::Wifi => dbm <= WIFI_LOST_DBM,
        _ => dbm <= CELL_POOR_DBM,
    }
}

/// A heartbeat's round trip and loss under which its link is working.
const LINK_OK_LATENCY_MS: f64 = 500.0;
const LINK_OK_LOSS: f64 = 0.05;

/// A heartbeat's round trip and loss that are bad whatever the terminal's
/// usual: no payment link works well at either.
const LINK_BAD_LATENCY_MS: f32 = 1500.0;
const LINK_BAD_LOSS: f32 = 0.2;

/// Packet loss in one heartbeat that counts as trouble for the fleet view.
const HEARTBEAT_LOSS_TROUBLE: f64 = 0.35;

/// Whether a window of supply readings shows an unstable supply: one sample
/// far off, the middle sagged or risen, or the spread wider than an adapter's.
fn supply_window_off(w: &WindowStats, m: &Metric) -> bool {
    if supply_off_nominal(w.worst as f64, m) {
        return true;
    }
    let reference = if m.trusted() {
        m.mean
    } else {
        nominal_supply(w.mean)
    };
    let shifted =
        w.n >= 3 && (w.mean - reference).abs() > (0.035 * reference).max(3.0 * m.sd(0.03));
    let spread = w.n >= 3 && (w.max - w.min) > (0.06 * reference).max(6.0 * m.sd(0.03));
    shifted || spread
}

pub(crate) fn is_card(channel: Option<&str>) -> bool {
    matches!(channel, Some("card_ic" | "card_swipe" | "nfc" | "card"))
}

pub(crate) fn apply_txn(s: &mut TerminalState, t: &Txn) {
    let ok = t.approved();
    if let (Some(sent), Some(own)) = (t.merchant_id.as_deref(), s.merchant.as_deref())
        && !sent.is_empty()
        && sent != own
        && s.foreign_mid.as_ref().is_none_or(|(at, _)| t.ts >= *at)
    {
        s.foreign_mid = Some((t.ts, sent.into()));
    }
    if t.response_code.is_some() && !t.timed_out {
        s.last_answered = Some(s.last_answered.map_or(t.ts, |x| x.max(t.ts)));
    }
    if let Some(ms) = t
        .latency_ms
        .filter(|_| t.response_code.is_some() && !t.timed_out)
    {
        s.metric_mut(MetricId::TxnLatency).observe_adopting(
            t.ts,
            ms,
            100.0,
            TXN_LATENCY_OUTLIER_ADOPTION,
        );
    }
    let card = is_card(t.channel.as_deref());
    let qr = t.channel.as_deref() == Some("qr");
    if ok {
        s.last_success = Some(s.last_success.map_or(t.ts, |x| x.max(t.ts)));
        if t.amount > 0 {
            let x = (t.amount as f32).ln();
            s.amount_n = s.amount_n.saturating_add(1);
            let a = (1.0 / s.amount_n as f32).max(0.02);
            s.amount_log_mean += a * (x - s.amount_log_mean);
        }
    } else if t.failed() {
        s.last_failure = Some(s.last_failure.map_or(t.ts, |x| x.max(t.ts)));
        if txn_lost_link(t) {
            note_link_failure(s, t.ts);
            note_link_down(s, t.ts);
        }
        if outcome(t) == Outcome::Unreachable {
            s.trouble.add(t.ts);
        }
    }
    s.txns.push(TxnLite {
        ts: t.ts,
        ok,
        timed_out: t.timed_out,
        paid_by: if card { TxnLite::CARD } else { 0 }
            | if matches!(t.channel.as_deref(), Some("card_ic" | "nfc")) {
                TxnLite::CHIP
            } else {
                0
            }
            | if qr { TxnLite::QR } else { 0 },
        code: t.response_code.as_deref().map(Into::into),
        stan: t.stan.as_deref().map(Into::into),
        bin: txn_bin(t),
        gave_up_early: gave_up_early(s, t),
        latency_known: t.latency_ms.is_some(),
    });
}

/// Whether a payment timed out sooner than a host takes to answer: after a
/// few seconds at most, and no more than a few of this terminal's usual
/// answered round trips. A link that drops leaves the terminal waiting out
/// its timer; a timer that runs out first was set too short (a parameter),
/// or the app does not wait for the answer at all.
/// How soon, in whole seconds rounded up (1 at least), or 0 if it did not.
pub(crate) fn gave_up_early(s: &TerminalState, t: &Txn) -> u8 {
    let Some(ms) = t.latency_ms.filter(|_| t.timed_out) else {
        return 0;
    };
    let usual = s.metric(MetricId::TxnLatency);
    let within_usual = !usual.trusted() || ms <= EARLY_TIMEOUT_USUAL_TIMES * f64::from(usual.mean);
    if ms < EARLY_TIMEOUT_MAX_MS && within_usual {
        (ms / 1000.0).ceil().clamp(1.0, 8.0) as u8
    } else {
        0
    }
}

/// How soon this terminal's payments lately timed out, in seconds, when at
/// least [`SHORT_TIMER_LATELY_MIN`] of them within [`SHORT_TIMER_LATELY_S`]
/// before `ts` gave up sooner than a host answers (the most common such
/// time, the shortest on a tie), else 0. A timer is a setting: a payment
/// that timed out without saying after how long ran out on the same one.
pub(crate) fn timer_short_lately(s: &TerminalState, ts: Ts) -> u8 {
    let from = ts.plus_secs(-SHORT_TIMER_LATELY_S);
    let mut counts = [0u8; 9];
    for t in s.txns.iter().filter(|t| t.ts >= from && t.ts < ts) {
        if t.gave_up_early > 0 {
            let i = usize::from(t.gave_up_early.min(8));
            counts[i] = counts[i].saturating_add(1);
        }
    }
    let total: u32 = counts.iter().map(|&c| u32::from(c)).sum();
    if total < SHORT_TIMER_LATELY_MIN {
        return 0;
    }
    (1..=8u8)
        .max_by_key(|&i| (counts[usize::from(i)], std::cmp::Reverse(i)))
        .unwrap_or(0)
}

/// Early timeouts lately that tell a terminal's timer is short...
const SHORT_TIMER_LATELY_MIN: u32 = 2;
/// ...within this many seconds before the payment.
const SHORT_TIMER_LATELY_S: i64 = 7200;

/// Timed out within this many seconds: sooner than any timer a terminal
/// is shipped with; only one set by hand (a parameter) runs out this soon.
/// Between it and [`EARLY_TIMEOUT_MAX_MS`], a short timer of some vendor's
/// may be the usual one, and the link gone.
pub(crate) const TIMER_SET_TOO_SHORT_S: u8 = 3;
/// The strength of `timeout_early` past [`TIMER_SET_TOO_SHORT_S`].
pub(crate) const SHORT_TIMER_STRENGTH: f64 = 0.7;

/// A timeout after less than this is sooner than a host answers, ms...
const EARLY_TIMEOUT_MAX_MS: f64 = 8000.0;
/// ...and within this many of the terminal's usual answered round trips.
const EARLY_TIMEOUT_USUAL_TIMES: f64 = 3.0;

/// The card's BIN as a number (0 when the PAN is absent or too short).
pub(crate) fn txn_bin(t: &Txn) -> u32 {
    t.pan
        .as_ref()
        .and_then(|p| p.bin())
        .and_then(|b| b.parse().ok())
        .unwrap_or(0)
}

/// How a transaction ended, for the groups it belongs to.
pub(crate) fn outcome(t: &Txn) -> Outcome {
    if t.approved() {
        return Outcome::Approved;
    }
    match t.response_code.as_deref() {
        None => Outcome::Unreachable,
        _ if t.timed_out => Outcome::Unreachable,
        // Issuer or switch inoperative, system malfunction, cannot route,
        // timed out upstream: the host or the issuer could not act.
        Some("91" | "96" | "98" | "68" | "92" | "90" | "06" | "22") => Outcome::Unreachable,
        Some(_) => Outcome::Declined,
    }
}

/// Whether a failed payment lost its link: no answer came back.
pub(crate) fn txn_lost_link(t: &Txn) -> bool {
    t.timed_out || t.response_code.is_none()
}

/// Whether an error is the link's: raised connecting, sending, receiving,
/// booting, or unsaid (see [`Failure::of_stage`]).
pub(crate) fn error_lost_link(e: &ErrorEvent) -> bool {
    Failure::of_stage(e.stage.as_deref()) == Failure::Link
}

/// A failure of the link itself (no answer, no connection, dark): what a
/// shop's router or power takes from all its terminals at once.
fn note_link_failure(s: &mut TerminalState, ts: Ts) {
    keep_latest(&mut s.last_link_failure, ts);
}

/// Whether an error is the link itself failing: raised connecting,
/// sending or receiving (not booting, not unsaid).
pub(crate) fn error_on_the_wire(e: &ErrorEvent) -> bool {
    matches!(e.stage.as_deref(), Some("connect" | "send" | "receive"))
}

/// The link itself failed at `ts` (an offline report, a payment
/// unanswered, an error on the wire): a loss of link begins unless one is
/// going on.
fn note_link_down(s: &mut TerminalState, ts: Ts) {
    let worked = s.link_worked_at();
    let new_loss = s
        .link_down_since
        .is_none_or(|d| worked.is_some_and(|w| w >= d));
    if new_loss && worked.is_none_or(|w| ts > w) {
        s.link_down_since = Some(ts);
    }
}

/// What [`apply_error`] found in an error's words.
pub(crate) struct ErrorWords {
    /// The knowledge base's patterns its words (or its unknown code) hit.
    pub log_hits: u64,
    /// A radio reading its words gave ([`worded_rssi_lowered`]), taken in
    /// as a heartbeat's is: whether it is too weak to hold a link
    /// ([`radio_weak`]), for its shop.
    pub radio_weak: Option<bool>,
}

/// Applies an error record; returns the knowledge base's log patterns its
/// detail line and (for a code no table knows) its code matched, and the
/// radio reading its words gave, if any. The line is lowercased once for
/// both.
pub(crate) fn apply_error(s: &mut TerminalState, e: &ErrorEvent, kb: &Kb) -> ErrorWords {
    s.last_failure = Some(s.last_failure.map_or(e.ts, |x| x.max(e.ts)));
    s.trouble.add(e.ts);
    if error_lost_link(e) {
        note_link_failure(s, e.ts);
    }
    if error_on_the_wire(e) {
        note_link_down(s, e.ts);
    }
    let lower = e.detail.as_deref().map(str::to_lowercase);
    let log_hits =
        lower.as_deref().map_or(0, |d| kb.pattern_hits(d)) | unknown_code_hits(kb, s, &e.code);
    let radio_weak = lower.as_deref().and_then(worded_rssi_lowered).map(|dbm| {
        s.metric_mut(MetricId::Rssi)
            .observe(e.ts, f64::from(dbm), RSSI_NOISE_DB);
        radio_weak(s.net, dbm)
    });
    if let Some(old) = s.errors.push(ErrLite {
        ts: e.ts,
        code: e.code.as_str().into(),
        stage: e.stage.as_deref().map(Into::into),
        log_hits,
        stan: e.stan.as_deref().map(Into::into),
    }) && old.log_hits != 0
    {
        // Patterns an hour apart are no one story: start afresh.
        if old.ts.secs_since(s.older_logs_at) > crate::diagnose::RECENT_LOGS_S as f64 {
            s.older_log_hits = 0;
        }
        s.older_log_hits |= old.log_hits;
        s.older_logs_at = s.older_logs_at.max(old.ts);
    }
    ErrorWords {
        log_hits,
        radio_weak,
    }
}

/// A code the tables do not know is still a message: "密码键盘异常" or
/// "NO CONNECTION" on the screen says as much as a log line would.
pub(crate) fn unknown_code_hits(kb: &Kb, s: &TerminalState, code: &str) -> u64 {
    if kb.lookup_code(&s.vendor, Some(&s.model), code).is_some() || kb.response_code(code).is_some()
    {
        return 0;
    }
    kb.pattern_hits(&code.to_lowercase())
}

/// Applies a maintenance record; true when it moved the terminal to another
/// firmware or app version (its scopes must follow).
pub(crate) fn apply_maintenance(s: &mut TerminalState, m: &Maintenance) -> bool {
    let mut moved = false;
    if m.action == "firmware_update" {
        s.last_version_change = Some(m.ts);
        // A management system may announce the new version only in the
        // update's notes: a heartbeat that reports no versions would leave
        // the terminal filed under the old release.
        let (fw, app) = versions_in_notes(m.notes.as_deref().unwrap_or(""));
        moved = note_versions(s, m.ts, fw, app, true);
    }
    // Only work that changes the terminal is a suspect afterwards; a routine
    // check must not hide the parameter download before it. The notes count:
    // an inspection that "updated the terminal parameters" changed them.
    let said = |words: &[&str]| {
        let notes = m.notes.as_deref().unwrap_or("").to_lowercase();
        words
            .iter()
            .any(|w| m.action.contains(w) || notes.contains(w))
    };
    // A management system's push is a parameter change unless what it
    // pushed was a version: then it was the channel, not the change.
    let pushed = m.action != "firmware_update" && said(&["tms"]);
    let change = if said(&PARAMETER_WORDS) || pushed {
        Some(Change::Parameters)
    } else if said(&KEY_WORDS) {
        Some(Change::Keys)
    } else if matches!(m.action.as_str(), "repair" | "part_replaced") {
        Some(Change::Repair)
    } else {
        None
    };
    if let Some(change) = change {
        s.last_maintenance = Some((m.ts, change));
    }
    moved
}

/// The radio's signal in a log line, in dBm: the modem's own words when a
/// link would not come up ("CSQ=3", "+CSQ: 16,99", "rssi=-102",
/// "WiFi信号弱(-86dBm)", "信号强度4") tell the air at that very moment, as
/// good as a heartbeat's reading and often the only one a vendor gives.
/// A CSQ is the 3GPP scale, 0 to 31, each step 2 dB up from -113 dBm (99:
/// not known); "信号强度" with no sign is read on that scale too. A bare
/// "signal 11" is a process killed, not a reading. `lower`: the line
/// lowercased (as [`apply_error`] has it for the knowledge base's words).
fn worded_rssi_lowered(lower: &str) -> Option<f32> {
    /// The integer right after `at` in `b`, past spaces, '=', ':' and a
    /// '+CSQ:'-style prefix already consumed; with its sign.
    fn number_after(b: &[u8], mut at: usize) -> Option<i32> {
        while at < b.len() && matches!(b[at], b' ' | b'=' | b':' | b'(' | b'[') {
            at += 1;
        }
        // A full-width colon (U+FF1A) as in "信号强度：-92".
        if b.get(at..at + 3) == Some("：".as_bytes()) {
            at += 3;
            while at < b.len() && b[at] == b' ' {
                at += 1;
            }
        }
        let negative = b.get(at) == Some(&b'-');
        let from = at + usize::from(negative);
        let mut end = from;
        while end < b.len() && b[end].is_ascii_digit() && end - from < 4 {
            end += 1;
        }
        if end == from || (end < b.len() && b[end].is_ascii_digit()) {
            return None;
        }
        let v: i32 = std::str::from_utf8(&b[from..end]).ok()?.parse().ok()?;
        Some(if negative { -v } else { v })
    }
    fn csq(n: i32) -> Option<f32> {
        (0..=31).contains(&n).then(|| -113.0 + 2.0 * n as f32)
    }
    fn dbm(v: i32) -> Option<f32> {
        (-130..=-20).contains(&v).then_some(v as f32)
    }
    let b = lower.as_bytes();
    let word_at = |word: &str| {
        lower.match_indices(word).map(|(i, _)| i).find(|&i| {
            // A word of its own: "csq" in "csq=3", not in "xcsq".
            i == 0 || !b[i - 1].is_ascii_alphabetic()
        })
    };
    if let Some(i) = word_at("csq")
        && let Some(n) = number_after(b, i + 3)
    {
        return csq(n);
    }
    if let Some(i) = word_at("rssi")
        && let Some(v) = number_after(b, i + 4)
        && v < 0
    {
        return dbm(v);
    }
    if let Some(i) = lower.find("信号强度")
        && let Some(v) = number_after(b, i + "信号强度".len())
    {
        return if v < 0 { dbm(v) } else { csq(v) };
    }
    // "-86dBm", "-106 dBm": the number just before the unit.
    for (i, _) in lower.match_indices("dbm") {
        let mut j = i;
        while j > 0 && b[j - 1] == b' ' {
            j -= 1;
        }
        let end = j;
        while j > 0 && b[j - 1].is_ascii_digit() && end - j < 3 {
            j -= 1;
        }
        if j < end && j > 0 && b[j - 1] == b'-' {
            let v: i32 = std::str::from_utf8(&b[j..end]).ok()?.parse().ok()?;
            return dbm(-v);
        }
    }
    None
}

/// [`worded_rssi_lowered`] of a line as it comes.
#[cfg(test)]
fn worded_rssi(line: &str) -> Option<f32> {
    worded_rssi_lowered(&line.to_lowercase())
}

/// The first IPv4 address (with its port, if given) in a log line:
/// "connect 10.12.93.66:5000 errno=113" gives "10.12.93.66:5000".
pub(crate) fn address_in(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
        {
            // Four dot-separated runs of one to three digits, then an
            // optional port.
            let mut j = i;
            let mut parts = 0;
            loop {
                let from = j;
                while j < b.len() && b[j].is_ascii_digit() && j - from < 4 {
                    j += 1;
                }
                let len = j - from;
                if !(1..=3).contains(&len) {
                    break;
                }
                parts += 1;
                if parts == 4 || j >= b.len() || b[j] != b'.' {
                    break;
                }
                j += 1;
            }
            if parts == 4 && !(j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.')) {
                if j + 1 < b.len() && b[j] == b':' && b[j + 1].is_ascii_digit() {
                    j += 1;
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                }
                return line.get(i..j);
            }
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    None
}

/// The firmware and app versions an update's notes say the terminal moved
/// to: "应用 NL4.4.0 -> NL4.5.0", "OTA firmware -> T3-12.02", "app 5.2.0 →
/// 5.3.0". The words before the arrow say which of the two it is; a part
/// that names neither is left alone.
pub(crate) fn versions_in_notes(notes: &str) -> (Option<&str>, Option<&str>) {
    const APP: [&str; 4] = ["app", "应用", "application", "apk"];
    const FIRMWARE: [&str; 4] = ["firmware", "固件", "fw", "系统"];
    let (mut fw, mut app) = (None, None);
    for part in notes.split([';', '；', ',', '，', '\n']) {
        let Some((at, arrow)) = ["->", "→", "=>"]
            .iter()
            .filter_map(|a| part.find(a).map(|i| (i, a.len())))
            .min()
        else {
            continue;
        };
        let version = part[at + arrow..]
            .split(|c: char| c.is_whitespace() || matches!(c, '(' | '（' | ')' | '）'))
            .find(|w| !w.is_empty())
            .map(|w| w.trim_end_matches(['.', '。']));
        let Some(version) = version.filter(|v| !v.is_empty()) else {
            continue;
        };
        let words = part[..at].to_lowercase();
        if APP.iter().any(|w| words.contains(w)) {
            app = Some(version);
        } else if FIRMWARE.iter().any(|w| words.contains(w)) {
            fw = Some(version);
        }
    }
    (fw, app)
}

/// Words of a maintenance action or note that say the terminal's
/// parameters or configuration were changed (an app reinstall; a TMS push
/// too, unless it delivered a version).
const PARAMETER_WORDS: [&str; 8] = [
    "param",
    "config",
    "setting",
    "reinstall",
    "参数",
    "配置",
    "设置",
    "重装",
];
/// Words that say its keys were loaded: a MAC that fails after a key load
/// is the keys, after a parameter push the parameters. "keypad" is not here.
const KEY_WORDS: [&str; 8] = [
    "key_load",
    "key load",
    "key inject",
    "key re-inject",
    "keys",
    "密钥",
    "灌密",
    "签到",
];

pub(crate) fn fmt_dur_zh(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 90.0 {
        format!("{secs:.0}秒")
    } else if secs < 5400.0 {
        format!("{:.0}分钟", secs / 60.0)
    } else {
        format!("{:.1}小时", secs / 3600.0)
    }
}

pub(crate) fn fmt_dur(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 90.0 {
        format!("{secs:.0} s")
    } else if secs < 5400.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

/// Telemetry, inventory and history signals of terminal `s` at `ts`, seen
/// through the records up to `horizon` (the event's time plus the allowance).
/// Keys reported gone this soon after an abnormal reset were lost at it,
/// seconds (a heartbeat or two).
const KEYS_LOST_AT_RESET_S: i64 = 600;

pub(crate) fn terminal_signals(s: &TerminalState, ts: Ts, horizon: Ts, out: &mut Vec<Obs>) {
    // After a confirmed fix, the samples before it describe the old fault.
    let fixed = s.fixed_before(ts);
    let from = ts.plus_secs(-RECENT_S).max(fixed.unwrap_or_default());
    let worst = |id: MetricId, max: bool| -> Option<f32> {
        let it = s.metric(id).window(from, horizon);
        if max {
            it.reduce(f32::max)
        } else {
            it.reduce(f32::min)
        }
    };

    // Power back: heartbeats since its last sign, so many and all clean
    // (the shop's supply mended, this terminal's errors go on): what came
    // before describes the old fault, as a confirmed fix's samples do.
    // Only after its mains were seen off (a supply reading): a terminal
    // losing power from its battery recovers with each charge, and its
    // errors go on being the battery's.
    let power_back = s
        .last_power_evidence
        .filter(|_| s.beats_since_power >= POWER_BACK_BEATS)
        .filter(|&last| {
            s.last_supply_off
                .is_some_and(|off| off >= last.plus_secs(-2 * RECENT_S))
        });
    let power_from = power_back.map_or(from, |last| from.max(last.plus_secs(1)));
    // Power: a sample far off, the window's middle shifted, or its spread
    // widened — each against this terminal's own baseline.
    let supply = s.metric(MetricId::Supply);
    if let Some(w) = supply.window_stats(power_from, horizon) {
        if supply_window_off(&w, supply) {
            out.push(yes(
                "supply_voltage_excursion",
                format!("{:.2} V", w.worst),
                format!("{:.2} V", supply.mean),
            ));
        } else {
            out.push(absent("supply_voltage_excursion"));
        }
    }
    if s.power_events.seen && power_back.is_none() {
        let n = s.power_events.at_time(horizon);
        if n >= 0.5 {
            out.push(yes(
                "power_events",
                format!("{:.0}", n.ceil()),
                String::new(),
            ));
        } else {
            out.push(absent("power_events"));
        }
    }
    let reboots_from = ts.plus_secs(-2 * RECENT_S).max(fixed.unwrap_or_default());
    let power_reboots_from =
        power_back.map_or(reboots_from, |last| reboots_from.max(last.plus_secs(1)));
    let reboots_recent = || {
        s.reboots
            .iter()
            .filter(move |(t, _)| *t >= reboots_from && *t <= horizon)
    };
    if let Some((_, r)) =
        reboots_recent().find(|(t, r)| *r == Reboot::PowerLoss && *t >= power_reboots_from)
    {
        out.push(yes("reboot_power_loss", r.id().into(), String::new()));
    }
    // An app crash is the software's failure; a watchdog reset is the
    // system giving up on a hung processor, as often the board as the code.
    if let Some((_, r)) = reboots_recent().find(|(_, r)| *r == Reboot::Crash) {
        out.push(yes("reboot_crash", r.id().into(), String::new()));
    }
    if let Some((_, r)) = reboots_recent().find(|(_, r)| *r == Reboot::Watchdog) {
        out.push(yes("reboot_watchdog", r.id().into(), String::new()));
    }
    // What the terminal runs on, as its readings tell: a handheld reports
    // its battery and no supply, a countertop its supply and no battery.
    // Only what runs on a battery loses power to a worn one.
    let (battery_n, supply_n) = (s.metric(MetricId::Battery).n, supply.n);
    if battery_n >= POWER_SOURCE_READINGS_MIN && supply_n == 0 {
        out.push(yes("runs_on_battery", String::new(), String::new()));
    } else if supply_n >= POWER_SOURCE_READINGS_MIN && battery_n == 0 {
        out.push(yes("runs_on_mains", String::new(), String::new()));
    }
    if let Some(b) = worst(MetricId::Battery, false) {
        // Empty, or draining fast: a worn battery falls from its usual level
        // in minutes rather than hours.
        let battery = s.metric(MetricId::Battery);
        let drained = battery.trusted() && b < 35.0 && battery.mean - b >= 30.0;
        if b < 15.0 || drained {
            out.push(yes(
                "battery_low",
                format!("{b:.0}%"),
                format!("{:.0}%", battery.mean),
            ));
        } else {
            out.push(absent("battery_low"));
        }
    }
    // A power fault that has ended but left errors behind: damaged parts.
    let power_now = out.iter().any(|o| {
        matches!(o.seen, Seen::Yes { .. })
            && matches!(
                o.id,
                "supply_voltage_excursion" | "power_events" | "reboot_power_loss"
            )
    });
    // Over: quiet for a while, or a confirmed fix came after it.
    let power_over = |last: Ts| {
        last < ts.plus_secs(-2 * RECENT_S)
            || fixed.is_some_and(|f| last <= f)
            || power_back.is_some()
    };
    if let Some(last) = s.last_power_evidence
        && !power_now
        && power_over(last)
        && last > ts.plus_secs(-24 * 3600)
    {
        out.push(yes_dur("past_power_fault", ts.secs_since(last)));
    }

    // Network. A terminal gone dark sends no readings: the link's latency
    // and loss from before are stale, while a signal sinking as it went
    // says a lot.
    let offline_now = s.offline_at.is_some_and(|off| {
        off >= from && off <= horizon && s.online_at.is_none_or(|on| on < off || on > horizon)
    });
    let rssi = s.metric(MetricId::Rssi);
    if let Some(w) = rssi.window_stats(from, horizon) {
        // Wi-Fi and cellular live on different scales: -80 dBm is a poor
        // Wi-Fi link and a fair 4G one.
        let (poor, fair) = match s.net {
            Net::Wifi => (-80.0, -72.0),
            _ => (CELL_POOR_DBM, -90.0),
        };
        let r = w.min;
        let drop = if rssi.trusted() { rssi.mean - r } else { 0.0 };
        let mean_drop = if rssi.trusted() {
            rssi.mean - w.mean
        } else {
            0.0
        };
        let weak = r <= poor
            || (r <= fair && drop >= 12.0)
            || (w.mean <= fair + 5.0 && mean_drop >= 10.0)
            || (r <= poor + 5.0 && !rssi.trusted())
            || (offline_now && r <= fair + 5.0 && drop >= 5.0);
        // Weak as it always is: a terminal that paid on this signal until
        // now did not start failing for it. Far below even a poor link, it
        // still counts in full.
        let as_usual = rssi.trusted()
            && drop < CHRONIC_RSSI_DROP_DB
            && mean_drop < CHRONIC_RSSI_DROP_DB / 2.0
            && r > poor - CHRONIC_RSSI_DROP_DB;
        if weak {
            out.push(yes(
                if as_usual {
                    "signal_weak_as_usual"
                } else {
                    "signal_weak"
                },
                format!("{r:.0} dBm"),
                format!("{:.0} dBm", rssi.mean),
            ));
        } else {
            // Steady until it went dark: the radio did not fade out.
            out.push(absent("signal_weak"));
        }
    }
    // Answered transactions that take far longer than this terminal's own
    // usual: the terminal (or the host) is slow, whatever the link does.
    let txn_lat = s.metric(MetricId::TxnLatency);
    let mut slow_txn_ms = None;
    if txn_lat.trusted()
        && let Some(w) = txn_lat.window_stats(from, horizon)
        && w.n >= 2
    {
        let base = txn_lat.mean;
        if w.mean >= (3.0 * base).max(base + 2500.0) {
            slow_txn_ms = Some(w.mean);
            out.push(yes(
                "slow_processing",
                format!("{:.1} s", w.mean / 1000.0),
                format!("{:.1} s", base / 1000.0),
            ));
        } else {
            out.push(absent("slow_processing"));
        }
    }
    let lat = s.metric(MetricId::Latency);
    let loss = s.metric(MetricId::Loss);
    let lat_w = worst(MetricId::Latency, true);
    let loss_w = worst(MetricId::Loss, true);
    // Far worse than its usual, or bad outright: a link that has lost a
    // fifth of its packets since the records began is no healthy one for
    // having always been so.
    let lat_bad = lat_w.map(|l| {
        let base = if lat.n >= 8 { lat.mean } else { 200.0 };
        (l > (3.0 * base).max(base + 400.0) && l > 800.0) || l >= LINK_BAD_LATENCY_MS
    });
    let loss_bad = loss_w.map(|l| {
        let base = if loss.n >= 8 { loss.mean } else { 0.0 };
        l > (base + 0.08).max(0.1) || l >= LINK_BAD_LOSS
    });
    match (lat_bad, loss_bad) {
        (None, None) => {}
        (a, b) if a == Some(true) || b == Some(true) => {
            let mut v = Vec::new();
            if let Some(l) = lat_w.filter(|_| a == Some(true)) {
                v.push(format!("{l:.0} ms"));
            }
            if let Some(l) = loss_w.filter(|_| b == Some(true)) {
                v.push(format!("{:.0}% loss", l * 100.0));
            }
            out.push(yes(
                "network_degraded",
                v.join(", "),
                format!("{:.0} ms, {:.0}% loss", lat.mean, loss.mean * 100.0),
            ));
        }
        _ if offline_now => {}
        _ => out.push(absent("network_degraded")),
    }
    // Slow payments on a slow link: a payment is a few round trips, so one
    // that takes many times the link's worst round trip lost its time
    // inside the terminal (or the host), not on the wire.
    if let (Some(txn_ms), Some(link_ms)) = (slow_txn_ms, lat_w.filter(|&l| l > 0.0)) {
        let rounds = f64::from(txn_ms) / f64::from(link_ms);
        if rounds >= SLOW_BEYOND_LINK_ROUNDS {
            out.push(yes(
                "slow_beyond_link",
                format!("{:.1} s", txn_ms / 1000.0),
                format!("{link_ms:.0} ms"),
            ));
        } else {
            out.push(absent("slow_beyond_link"));
        }
    }
    if offline_now {
        out.push(yes("offline", String::new(), String::new()));
    }
    match s.net {
        Net::Ethernet => out.push(yes("net_ethernet", String::new(), String::new())),
        Net::Wifi => out.push(yes("net_wifi", String::new(), String::new())),
        Net::Cellular => out.push(yes(
            "net_cellular",
            s.carrier.as_deref().unwrap_or("?").to_string(),
            String::new(),
        )),
        Net::Unknown => {}
    }

    // Resources.
    let level = |id: MetricId, sig: &'static str, limit: f32, out: &mut Vec<Obs>| {
        if let Some(v) = worst(id, true) {
            if v >= limit {
                out.push(yes(
                    sig,
                    format!("{v:.0}%"),
                    format!("{:.0}%", s.metric(id).mean),
                ));
            } else {
                out.push(absent(sig));
            }
        }
    };
    level(MetricId::Storage, "storage_full", 95.0, out);
    level(MetricId::Memory, "memory_high", 92.0, out);
    if let Some(v) = worst(MetricId::Cpu, true) {
        let m = s.metric(MetricId::Cpu);
        let base = if m.n >= 8 { m.mean } else { 30.0 };
        // Past 80 %, a load that has lasted (two readings past 70 % in
        // the half hour) is as telling as a spike past 90 %: one reading
        // between is a busy moment.
        let lasted = |pct: f32| {
            m.window(
                ts.plus_secs(-CPU_LASTED_S).max(fixed.unwrap_or_default()),
                horizon,
            )
            .filter(|&x| x >= pct)
            .count()
                >= 2
        };
        // A processor pinned past 90 % for the half hour is saturated
        // whatever its usual: one saturated since before the records began
        // has taught its baseline nothing else.
        let saturated = || v >= CPU_SATURATED_PCT && lasted(CPU_SATURATED_PCT);
        if (v >= base + 15.0 && (v >= 90.0 || (v >= 80.0 && lasted(CPU_LASTED_PCT)))) || saturated()
        {
            out.push(yes("cpu_high", format!("{v:.0}%"), format!("{base:.0}%")));
        } else {
            out.push(absent("cpu_high"));
        }
    }
    let temp = s.metric(MetricId::Temp);
    if let Some(w) = temp.window_stats(from, horizon) {
        let base = if temp.n >= 8 { temp.mean } else { 40.0 };
        // A sensor that reads -40 °C in a shop, or exactly 0 where it
        // usually reads 35, is a failing sensor or bus, not the weather.
        let erratic = w.min <= -20.0 || (w.min.abs() < 0.5 && base >= 15.0);
        if erratic {
            out.push(yes(
                "temp_sensor_erratic",
                format!("{:.0} °C", w.min),
                format!("{base:.0} °C"),
            ));
        }
        let v = w.max;
        if v >= 65.0 || (v >= base + 15.0 && v >= 50.0) {
            out.push(yes(
                "temp_high",
                format!("{v:.0} °C"),
                format!("{base:.0} °C"),
            ));
        } else if !erratic {
            out.push(absent("temp_high"));
        }
    }

    // Security.
    match &s.key_check {
        Some((t, k)) if k.as_ref() != "ok" && *t <= horizon && *t >= ts.plus_secs(-6 * 3600) => {
            out.push(yes("key_mismatch", k.to_string(), String::new()));
            // Lost at an abnormal reset (the beat that reported the reset
            // or the one after): the security module wiped them. Not a
            // power cut: shops switch off every night.
            if let Some(lost) = s.keys_lost_at.filter(|&l| l <= horizon)
                && s.reboots.iter().any(|(at, r)| {
                    matches!(r, Reboot::Watchdog | Reboot::Crash)
                        && *at <= lost
                        && *at >= lost.plus_secs(-KEYS_LOST_AT_RESET_S)
                })
            {
                out.push(yes("keys_lost_at_reset", String::new(), String::new()));
            }
        }
        Some((_, k)) if k.as_ref() == "ok" => out.push(absent("key_mismatch")),
        _ => {}
    }
    match s.cert_not_after {
        Some(na) if na < ts => out.push(yes(
            "cert_expired",
            na.to_string()[..10].to_string(),
            String::new(),
        )),
        Some(_) => out.push(absent("cert_expired")),
        None => {}
    }
    let skew = s
        .metric(MetricId::ClockSkew)
        .window(from.plus_secs(-3 * RECENT_S), horizon)
        .map(f32::abs)
        .reduce(f32::max);
    match skew {
        Some(k) if k > 300.0 => out.push(yes_dur("clock_skewed", k as f64)),
        Some(_) => out.push(absent("clock_skewed")),
        None => {}
    }

    // Peripherals and software.
    match &s.printer {
        Some((t, p))
            if p.as_ref() != "ok" && *t >= ts.plus_secs(-3 * RECENT_S) && *t <= horizon =>
        {
            out.push(yes("printer_fault", p.to_string(), String::new()))
        }
        Some((_, p)) if p.as_ref() == "ok" => out.push(absent("printer_fault")),
        _ => {}
    }
    let counter = |d: &Decay, sig: &'static str, out: &mut Vec<Obs>| {
        if d.seen {
            let n = d.at_time(horizon);
            if n >= 0.5 && d.at >= ts.plus_secs(-3 * RECENT_S) {
                out.push(yes(sig, format!("{:.0}", n.ceil()), String::new()));
            } else {
                out.push(absent(sig));
            }
        }
    };
    counter(&s.keypad_errors, "keypad_errors", out);
    counter(&s.reader_errors, "card_reader_errors", out);
    counter(&s.app_crashes, "app_crashes", out);
    if let Some(t) = s.last_version_change
        && t <= horizon
        && t >= ts.plus_secs(-CHANGE_SUSPECT_S)
    {
        out.push(yes_dur("recent_update", ts.secs_since(t)));
    } else if s.firmware.is_some() || s.app_version.is_some() {
        // The versions are known and have not moved: a new defect or a
        // new incompatibility mostly arrives with a new version.
        out.push(absent("recent_update"));
    }
    // Its payments lately sent under another merchant's id: the terminal's
    // parameters (a push, a reinstall) name the wrong merchant — not its
    // own merchant frozen, whose payments carry its own id.
    if let Some((t, sent)) = &s.foreign_mid
        && *t <= horizon
        && *t >= ts.plus_secs(-2 * RECENT_S)
    {
        out.push(yes(
            "mid_not_its_own",
            sent.to_string(),
            s.merchant.as_deref().unwrap_or_default().to_string(),
        ));
    }
    if let Some((t, change)) = &s.last_maintenance
        && *t <= horizon
        && *t >= ts.plus_secs(-CHANGE_SUSPECT_S)
    {
        let signal = match change {
            Change::Parameters => "recent_parameter_change",
            Change::Keys => "recent_key_load",
            Change::Repair => "recent_maintenance",
        };
        out.push(yes_dur(signal, ts.secs_since(*t)));
    }
}

/// Transaction-history signals around a failed event.
pub(crate) fn history_signals(
    s: &TerminalState,
    ts: Ts,
    horizon: Ts,
    event_is_card: bool,
    event_timed_out: bool,
    network_healthy: bool,
    out: &mut Vec<Obs>,
) {
    // Approvals before the terminal was changed (a fix, a new version, new
    // parameters) say nothing of how it behaves since.
    let changed = [
        s.fixed_before(ts),
        s.last_version_change.filter(|&c| c <= ts),
        s.last_maintenance
            .as_ref()
            .map(|(c, _)| *c)
            .filter(|&c| c <= ts),
    ]
    .into_iter()
    .flatten()
    .max();
    let from = ts.plus_secs(-HISTORY_S).max(changed.unwrap_or_default());
    let (mut ok, mut fail, mut qr_ok, mut card_fail, mut card_ok) = (0u32, 0u32, 0u32, 0u32, 0u32);
    for t in s.txns.iter().filter(|t| t.ts >= from && t.ts <= horizon) {
        if t.ok {
            ok += 1;
            qr_ok += u32::from(t.qr());
            card_ok += u32::from(t.card());
        } else {
            fail += 1;
            card_fail += u32::from(t.card());
        }
    }
    if event_is_card && qr_ok >= 1 && card_fail >= 1 && card_fail > card_ok {
        out.push(yes("qr_ok_card_fail", String::new(), String::new()));
    }
    let errors = s
        .errors
        .iter()
        .filter(|e| e.ts >= from && e.ts <= horizon)
        .count() as u32;
    if ok == 0 && fail + errors >= 3 {
        out.push(yes(
            "all_failing",
            (fail + errors).to_string(),
            String::new(),
        ));
    } else if ok >= 3 && fail <= 1 && errors <= 1 {
        out.push(yes("isolated_failure", String::new(), String::new()));
    }
    // Failures with approvals between them: an intermittent fault, not a
    // setting or a key that would refuse every transaction.
    let since = ts
        .plus_secs(-INTERMITTENT_S)
        .max(changed.unwrap_or_default());
    let earlier_failure = s
        .txns
        .iter()
        .filter(|t| !t.ok && t.ts >= since && t.ts < ts.plus_secs(-1))
        .map(|t| t.ts)
        .chain(
            s.errors
                .iter()
                .filter(|e| e.ts >= since && e.ts < ts.plus_secs(-1))
                .map(|e| e.ts),
        )
        .min();
    // Card payments failing and nothing else: a setting on the cards' path
    // (a key index, a card parameter) refuses every one of them, and the
    // QR payments approved between say nothing of it coming and going.
    let (failed, cards_failed) = s
        .txns
        .iter()
        .filter(|t| !t.ok && t.ts >= since && t.ts <= ts)
        .fold((0u32, 0u32), |(n, c), t| (n + 1, c + u32::from(t.card())));
    let cards_only = failed >= 2 && cards_failed == failed;
    if let Some(first) = earlier_failure {
        let between = s
            .txns
            .iter()
            .filter(|t| t.ok && t.ts > first && t.ts < ts && (!cards_only || t.card()))
            .count();
        if between >= 2 {
            out.push(yes(
                "intermittent_failures",
                between.to_string(),
                String::new(),
            ));
        }
    }
    if event_timed_out && network_healthy {
        out.push(yes(
            "timeouts_on_healthy_network",
            String::new(),
            String::new(),
        ));
    }
}

/// Round trips of the link's worst latency a payment may take before its
/// slowness is the terminal's (or the host's) rather than the link's: a
/// payment is a connection, perhaps a handshake, and an exchange.
const SLOW_BEYOND_LINK_ROUNDS: f64 = 6.0;

/// How far (dB) below its own usual a weak signal must sink to count as
/// the signal failing rather than the terminal's usual poor reception.
const CHRONIC_RSSI_DROP_DB: f32 = 8.0;

/// Readings of one power source, and none of the other, that say what a
/// terminal runs on.
const POWER_SOURCE_READINGS_MIN: u32 = 3;

/// Every signal id this module can report; `evidence.toml` must weigh each
/// (the knowledge-base check and a test hold the two to each other). The
/// fleet view's shared-device signals are listed beside their causes
/// instead (`fleet::SHARED_DEVICE_SIGNALS`); `kb_problems` checks both.
pub const SIGNAL_IDS: &[&str] = &[
    "supply_voltage_excursion",
    "power_events",
    "reboot_power_loss",
    "battery_low",
    "power_lost_with_charge_left",
    "runs_on_battery",
    "runs_on_mains",
    "signal_weak",
    "signal_weak_as_usual",
    "network_degraded",
    "offline",
    "storage_full",
    "memory_high",
    "cpu_high",
    "slow_processing",
    "slow_beyond_link",
    "temp_high",
    "temp_sensor_erratic",
    "key_mismatch",
    "keys_lost_at_reset",
    "mac_refused_keys_ok",
    "mac_and_format_refused",
    "cert_expired",
    "clock_skewed",
    "printer_fault",
    "keypad_errors",
    "card_reader_errors",
    "app_crashes",
    "reboot_crash",
    "reboot_watchdog",
    "recent_update",
    "recent_maintenance",
    "recent_parameter_change",
    "mid_not_its_own",
    "recent_key_load",
    "past_power_fault",
    "qr_ok_card_fail",
    "all_failing",
    "isolated_failure",
    "timeouts_on_healthy_network",
    "intermittent_failures",
    "timeout_early",
    "timer_short_lately",
    "many_subsystems",
    "large_amount",
    "special_txn_type",
    "purchase_unsupported",
    "void_refused",
    "mcc_mismatch",
    "site_peers_failing",
    "site_radio_peers_failing",
    "site_peers_ok",
    "wifi_link_alone",
    "site_cellular_ok",
    "site_peers_power",
    "link_lost_with_mains",
    "carrier_peers_ok",
    "carrier_peers_unreachable",
    "incident_site",
    "incident_site_operator",
    "incident_site_cellular",
    "incident_site_radio_member",
    "incident_merchant",
    "incident_model",
    "incident_app_version",
    "incident_firmware",
    "incident_certificate",
    "incident_carrier",
    "incident_host",
    "incident_host_keys",
    "incident_merchant_keys",
    "incident_merchant_links",
    "incident_reads_merchant",
    "incident_reads_txn_type",
    "incident_reads_limit",
    "incident_reads_risk",
    "incident_reads_carrier",
    "incident_reads_acquirer",
    "incident_reads_power",
    "incident_reads_config",
    "incident_reads_incompatible",
    "incident_issuer",
    "incident_card_declines",
    "failing_before_incident",
    "release_fails_on_one_host",
    "release_fails_across_hosts",
    "host_certificate_refused",
    "host_failing_many_bins",
    "host_peers_ok",
    "merchant_peers_ok",
    "merchant_shops_failing_links",
    "merchant_peers_refused",
    "host_peers_unreachable",
    "bin_failing_elsewhere",
    "other_cards_ok_here",
    "pin_refused_often",
    "refused_many_cards_here",
    "refused_many_cards_at_merchant",
    "refused_on_chip_only",
    "unfamiliar_host_address",
    "failure_beside_screen_fault",
    "failure_beside_keypad_fault",
    "repeated_errors",
    "net_ethernet",
    "net_wifi",
    "net_cellular",
    "linked_response_code",
];

#[cfg(test)]
mod worded_rssi_tests {
    use super::worded_rssi;

    #[test]
    fn a_modems_words_give_its_signal_in_dbm() {
        assert_eq!(worded_rssi("[N06] 无线拨号失败 CSQ=0"), Some(-113.0));
        assert_eq!(
            worded_rssi("[COMM] modem csq=1, connect 172.21.9.7:9001 failed"),
            Some(-111.0)
        );
        assert_eq!(worded_rssi("CSQ 3 CONN FAIL"), Some(-107.0));
        assert_eq!(
            worded_rssi("modem registered (csq 27) but data attach rejected"),
            Some(-59.0)
        );
        assert_eq!(
            worded_rssi("modem: +CGATT: 0, +CSQ: 16,99 [code=ERR-1001]"),
            Some(-81.0)
        );
        assert_eq!(worded_rssi("无线拨号失败|ret=E11|rssi=-74"), Some(-74.0));
        assert_eq!(
            worded_rssi("radio link lost during connect, rssi -106dBm"),
            Some(-106.0)
        );
        assert_eq!(worded_rssi("WiFi信号弱(-86dBm)，连接断开"), Some(-86.0));
        assert_eq!(worded_rssi("信号强度-92dBm,发送失败"), Some(-92.0));
        assert_eq!(worded_rssi("信号强度：-101"), Some(-101.0));
        assert_eq!(worded_rssi("PDP激活失败 信号强度4"), Some(-105.0));
    }

    #[test]
    fn other_numbers_are_no_reading() {
        // A process killed by a signal, an unknown CSQ, a positive RSSI,
        // numbers too long, and words with no number.
        assert_eq!(worded_rssi("Process com.ylpay.pos died, signal 11"), None);
        assert_eq!(
            worded_rssi("data call setup failed cause=0x21 CSQ=99"),
            None
        );
        assert_eq!(worded_rssi("rssi=74"), None);
        assert_eq!(worded_rssi("csq=12345"), None);
        assert_eq!(worded_rssi("no signal, no service"), None);
        assert_eq!(worded_rssi("amount -12345dBm"), None);
        assert_eq!(worded_rssi(""), None);
    }

    proptest::proptest! {
        /// Any line: no panic, and a reading is one a radio can give.
        #[test]
        fn whatever_the_line_a_reading_is_a_radios(line in "\\PC{0,60}|(csq|rssi|dbm|信号强度|[-=: 0-9]){0,12}") {
            if let Some(v) = worded_rssi(&line) {
                proptest::prop_assert!((-130.0..=-20.0).contains(&v));
            }
        }
    }
}

#[cfg(test)]
mod address_tests {
    use super::address_in;

    #[test]
    fn addresses_are_found_in_log_lines_and_nothing_else_is() {
        assert_eq!(
            address_in("connect to host failed; connect 10.12.93.66:5000 errno=113"),
            Some("10.12.93.66:5000")
        );
        assert_eq!(
            address_in("Connect failed 10.22.7.50:8583 (111)"),
            Some("10.22.7.50:8583")
        );
        assert_eq!(address_in("ping 203.0.113.7 timeout"), Some("203.0.113.7"));
        // Versions, amounts, dates and over-long runs are not addresses.
        assert_eq!(address_in("app 5.1.2 -> 5.1.3, vbat=3.40V"), None);
        assert_eq!(address_in("build 1.2.3.4.5 ready"), None);
        assert_eq!(address_in("id 1234.5.6.7 x"), None);
        assert_eq!(address_in("连接主机失败: 端口 5000"), None);
        assert_eq!(address_in(""), None);
    }

    proptest::proptest! {
        /// Any line: no panic, and what comes back is four runs of one to
        /// three digits, with a port or not, found in the line.
        #[test]
        fn whatever_the_line_an_address_found_is_one(line in "\\PC{0,60}|[0-9.: a-z]{0,40}") {
            if let Some(a) = address_in(&line) {
                proptest::prop_assert!(line.contains(a));
                let host = a.split(':').next().unwrap_or("");
                let parts: Vec<&str> = host.split('.').collect();
                proptest::prop_assert_eq!(parts.len(), 4);
                for p in parts {
                    proptest::prop_assert!((1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
                }
            }
        }
    }
}
