//! Causes and the fault plan.
//!
//! A fault is never a label on a record: planning turns each injected fault
//! into *physics* on the terminals it touches — an [`Eff`] (a condition with
//! a strength and a duty cycle that the terminal simulation consults at every
//! heartbeat and transaction), power-off intervals ([`Off`]), supply dips,
//! version changes, paper-out intervals, battery trajectories — plus the
//! people's records a real incident leaves behind (maintenance visits,
//! checks, resolutions). What a consumer sees is only what those conditions
//! make the simulated terminals report.

use crate::fmt::{Json, push_json_str, push_ts};
use crate::rng::{Rng, mix};
use crate::world::{BINS, CARRIERS, CITIES, HOSTS, MERCHANT_TYPES, Net, RHYTHMS, VENDORS, World};

/// The contract's root causes (`FORMAT.md`), in contract order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    HwKeypad,
    HwDisplay,
    HwCardReader,
    HwPrinter,
    HwBoard,
    PowerSupply,
    PowerBattery,
    NetSignal,
    NetLan,
    NetCarrier,
    SwBug,
    SwIncompatible,
    SwConfig,
    TxCorruption,
    SecKeys,
    SecCertificate,
    ResStorage,
    ResMemory,
    ResCpu,
    OperatorError,
    BizTxnType,
    BizLimit,
    BizRisk,
    BizMerchant,
    UpAcquirer,
    UpIssuer,
    CardDecline,
}

/// Every cause of the contract, in contract order.
pub const FAULT_CAUSES: [Cause; 27] = [
    Cause::HwKeypad,
    Cause::HwDisplay,
    Cause::HwCardReader,
    Cause::HwPrinter,
    Cause::HwBoard,
    Cause::PowerSupply,
    Cause::PowerBattery,
    Cause::NetSignal,
    Cause::NetLan,
    Cause::NetCarrier,
    Cause::SwBug,
    Cause::SwIncompatible,
    Cause::SwConfig,
    Cause::TxCorruption,
    Cause::SecKeys,
    Cause::SecCertificate,
    Cause::ResStorage,
    Cause::ResMemory,
    Cause::ResCpu,
    Cause::OperatorError,
    Cause::BizTxnType,
    Cause::BizLimit,
    Cause::BizRisk,
    Cause::BizMerchant,
    Cause::UpAcquirer,
    Cause::UpIssuer,
    Cause::CardDecline,
];

impl Cause {
    /// Every cause, in contract order (`Cause::ALL[c.index()] == c`).
    pub const ALL: [Cause; 27] = FAULT_CAUSES;

    /// The contract id, e.g. `network.lan`.
    pub const fn id(self) -> &'static str {
        match self {
            Cause::HwKeypad => "hardware.keypad",
            Cause::HwDisplay => "hardware.display",
            Cause::HwCardReader => "hardware.card_reader",
            Cause::HwPrinter => "hardware.printer",
            Cause::HwBoard => "hardware.board",
            Cause::PowerSupply => "power.supply",
            Cause::PowerBattery => "power.battery",
            Cause::NetSignal => "network.signal",
            Cause::NetLan => "network.lan",
            Cause::NetCarrier => "network.carrier",
            Cause::SwBug => "software.bug",
            Cause::SwIncompatible => "software.incompatible",
            Cause::SwConfig => "software.config",
            Cause::TxCorruption => "transmission.corruption",
            Cause::SecKeys => "security.keys",
            Cause::SecCertificate => "security.certificate",
            Cause::ResStorage => "resource.storage",
            Cause::ResMemory => "resource.memory",
            Cause::ResCpu => "resource.cpu",
            Cause::OperatorError => "operator.error",
            Cause::BizTxnType => "business.txn_type",
            Cause::BizLimit => "business.limit",
            Cause::BizRisk => "business.risk",
            Cause::BizMerchant => "business.merchant",
            Cause::UpAcquirer => "upstream.acquirer",
            Cause::UpIssuer => "upstream.issuer",
            Cause::CardDecline => "card.decline",
        }
    }

    /// Position in [`Cause::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Parses a contract id (exactly, no refinements).
    pub fn parse(id: &str) -> Option<Cause> {
        Cause::ALL.iter().copied().find(|c| c.id() == id)
    }
}

/// Why a terminal was off; reported as `reboot` once it is back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reboot {
    PowerLoss,
    Watchdog,
    Crash,
    User,
    Update,
}

impl Reboot {
    pub fn as_str(self) -> &'static str {
        match self {
            Reboot::PowerLoss => "power_loss",
            Reboot::Watchdog => "watchdog",
            Reboot::Crash => "crash",
            Reboot::User => "user",
            Reboot::Update => "update",
        }
    }
}

/// An interval during which a terminal is off (or rebooting).
#[derive(Clone, Copy, Debug)]
pub struct Off {
    pub start: i64,
    pub end: i64,
    pub why: Reboot,
    /// The fault behind it, if any (for boot-time self-test errors).
    pub cause: Option<Cause>,
}

/// One condition acting on one terminal. `a` and `b` are cause-specific
/// parameters (documented where planned).
#[derive(Clone, Copy, Debug)]
pub struct Eff {
    pub cause: Cause,
    pub mode: u8,
    pub start: i64,
    pub end: i64,
    /// Strength, 0..1: how hard the fault bites.
    pub s: f64,
    /// Visibility, 0..1: how often the mechanism shows in logs and telemetry.
    pub vis: f64,
    /// Share of minutes during which an intermittent fault is active.
    pub duty: f64,
    pub key: u64,
    /// The fault (truth `fault_id`) behind it.
    pub fault: u32,
    pub a: f64,
    pub b: f64,
}

impl Eff {
    /// Whether the condition acts at `t` (inside its interval and, for an
    /// intermittent one, in an active minute).
    #[inline]
    pub fn on(&self, t: i64) -> bool {
        t >= self.start
            && t < self.end
            && (self.duty >= 1.0 || crate::rng::unit(self.key, (t / 60) as u64) < self.duty)
    }
    #[inline]
    pub fn within(&self, t: i64) -> bool {
        t >= self.start && t < self.end
    }
}

/// A degraded-battery trajectory segment: from `t`, level `level` falling by
/// `drain` percent per hour.
#[derive(Clone, Copy, Debug)]
pub struct BattSeg {
    pub t: i64,
    pub level: f64,
    pub drain: f64,
}

/// Everything planned for one terminal.
#[derive(Debug, Default)]
pub struct TermPlan {
    pub effs: Vec<Eff>,
    /// Sorted, non-overlapping after [`Plan`] is built.
    pub offs: Vec<Off>,
    /// Supply dips that did not reboot the terminal (counted as power events).
    pub dips: Vec<i64>,
    /// App crashes that restarted only the app (counted as `app_crashes`).
    pub crashes: Vec<i64>,
    /// (time, firmware, app) after an update.
    pub vers: Vec<(i64, u16, u16)>,
    /// Paper-out intervals.
    pub paper: Vec<(i64, i64)>,
    /// Short natural packet-loss blips: (start, end, loss).
    pub blips: Vec<(i64, i64, f64)>,
    /// Degraded battery trajectory (empty = healthy battery).
    pub batt: Vec<BattSeg>,
    /// Memory-leak sawtooth: (restart time, level right after it); the level
    /// climbs back to the next restart.
    pub mem_resets: Vec<(i64, f64)>,
    /// Peak transaction rate, per hour.
    pub rate: f64,
    /// Naturally poor but stable signal.
    pub poor_rssi: bool,
}

/// An issuer outage (answers 91 for its cards).
#[derive(Clone, Copy, Debug)]
pub struct IssuerOut {
    pub issuer: &'static str,
    pub eff: Eff,
}

/// The shared attribute of a fault, written as the truth record's `scope`.
#[derive(Clone, Debug)]
pub enum Scope {
    Terminal(u32),
    Site(u32),
    Merchant(u32),
    Host(u8),
    CarrierCity(u8, usize),
    Firmware(u16),
    HostFirmware(u8, u16),
    Issuer(&'static str),
}

/// One injected fault, as the truth file describes it.
#[derive(Clone, Debug)]
pub struct Fault {
    pub id: u32,
    pub cause: Cause,
    pub scope: Scope,
    pub terms: Vec<u32>,
    pub start: i64,
    pub end: i64,
    pub strength: f64,
    pub mechanism: &'static str,
}

/// The whole plan.
#[derive(Debug, Default)]
pub struct Plan {
    pub faults: Vec<Fault>,
    pub terms: Vec<TermPlan>,
    pub issuers: Vec<IssuerOut>,
    /// Pre-rendered people's records (maintenance, check, resolution), sorted.
    pub specials: Vec<(i64, Vec<u8>)>,
}

/// What the planner needs to know of the run.
#[derive(Debug, Clone, Copy)]
pub struct PlanCfg<'a> {
    pub seed: u64,
    pub start: i64,
    pub end: i64,
    pub faults: usize,
    pub fleet: bool,
    pub difficulty: f64,
    /// Faults placed first, as asked; `faults` more are drawn after them.
    pub asked: &'a [FaultSpec],
}

/// Local time (China, UTC+8) offset.
pub const LOCAL_OFFSET_S: i64 = 8 * 3600;

#[inline]
pub fn local_hour(t: i64) -> u32 {
    ((t + LOCAL_OFFSET_S).rem_euclid(86_400) / 3600) as u32
}

/// Whether a merchant type trades at a local hour.
#[inline]
pub fn is_open(mtype: usize, hour: u32) -> bool {
    let ty = &MERCHANT_TYPES[mtype];
    hour >= ty.open && hour < ty.close
}

const MIN: i64 = 60;
const HOUR: i64 = 3600;

/// A kind of fault to inject: one of a terminal's (or a merchant's, or an
/// issuer's) causes, or a fault several terminals share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Term(Cause),
    SitePower,
    SiteLan,
    Carrier,
    Acquirer,
    FwRollout,
    HostIncompat,
}

impl Kind {
    /// `site_power`, `site_lan`, `carrier`, `acquirer`, `fw_rollout`,
    /// `host_incompat`, or a contract cause id (`hardware.keypad`, ...).
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "site_power" => Kind::SitePower,
            "site_lan" => Kind::SiteLan,
            "carrier" => Kind::Carrier,
            "acquirer" => Kind::Acquirer,
            "fw_rollout" => Kind::FwRollout,
            "host_incompat" => Kind::HostIncompat,
            other => Kind::Term(Cause::parse(other)?),
        })
    }
}

/// One fault a scenario asks for; what it leaves open is drawn from the seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaultSpec {
    pub kind: Kind,
    /// Minutes after the window opens (negative: already going on).
    pub start_min: Option<f64>,
    pub duration_min: Option<f64>,
    /// 0 (barely there) to 1 (blatant).
    pub strength: Option<f64>,
    /// For a terminal's fault: put it on a terminal of the site that the
    /// asked fault with this index (in `SimConfig::asked`) hit — a weak
    /// signal inside the shop whose power fails.
    pub at_site_of: Option<usize>,
}

/// Terminal-level (and merchant / issuer scoped) fault causes.
const TERM_KINDS: [Cause; 24] = [
    Cause::HwKeypad,
    Cause::HwDisplay,
    Cause::HwCardReader,
    Cause::HwPrinter,
    Cause::HwBoard,
    Cause::PowerSupply,
    Cause::PowerBattery,
    Cause::NetSignal,
    Cause::NetLan,
    Cause::SwBug,
    Cause::SwIncompatible,
    Cause::SwConfig,
    Cause::TxCorruption,
    Cause::SecKeys,
    Cause::SecCertificate,
    Cause::ResStorage,
    Cause::ResMemory,
    Cause::ResCpu,
    Cause::OperatorError,
    Cause::BizTxnType,
    Cause::BizLimit,
    Cause::BizRisk,
    Cause::BizMerchant,
    Cause::UpIssuer,
];

const FLEET_KINDS: [Kind; 6] = [
    Kind::SitePower,
    Kind::SiteLan,
    Kind::Carrier,
    Kind::Acquirer,
    Kind::FwRollout,
    Kind::HostIncompat,
];

struct Planner<'w> {
    w: &'w mut World,
    p: Plan,
    rng: Rng,
    seed: u64,
    s0: i64,
    e0: i64,
    d: f64,
    used: Vec<bool>,
    /// The scenario's fault being placed, if any: its start, duration and
    /// strength override the draws.
    asked: Option<FaultSpec>,
    /// The site that fault must go in, if it asked for one.
    asked_site: Option<u32>,
    /// The site the fault just placed hit, if it hit a site.
    placed_site: Option<u32>,
}

/// Builds the plan: natural noise for every terminal, then the injected
/// faults. May change the inventory (`w`) where a fault predates the window
/// (a version already installed, a certificate already expired).
pub fn plan(w: &mut World, cfg: &PlanCfg, rng: &mut Rng) -> Plan {
    let n = w.terms.len();
    let mut pl = Planner {
        p: Plan {
            terms: (0..n).map(|_| TermPlan::default()).collect(),
            ..Plan::default()
        },
        rng: Rng::new(rng.next_u64()),
        seed: cfg.seed,
        s0: cfg.start,
        e0: cfg.end.max(cfg.start + 600),
        d: cfg.difficulty.clamp(0.0, 1.0),
        used: vec![false; n],
        asked: None,
        asked_site: None,
        placed_site: None,
        w,
    };
    for ti in 0..n {
        pl.natural(ti);
    }
    let n_fleet = if cfg.fleet && cfg.faults > 0 {
        ((cfg.faults as f64 * 0.22).round() as usize).clamp(1, cfg.faults)
    } else {
        0
    };
    let n_term = cfg.faults - n_fleet;
    let mut kinds = Vec::with_capacity(cfg.faults);
    // Rotations make consecutive seeds cover every kind; the order is then shuffled.
    let off_f = (cfg.seed as usize).wrapping_mul(n_fleet.max(1)) % FLEET_KINDS.len();
    for i in 0..n_fleet {
        kinds.push(FLEET_KINDS[(off_f + i) % FLEET_KINDS.len()]);
    }
    let off_t = (cfg.seed as usize).wrapping_mul(n_term.max(1)) % TERM_KINDS.len();
    for i in 0..n_term {
        kinds.push(Kind::Term(TERM_KINDS[(off_t + i) % TERM_KINDS.len()]));
    }
    pl.rng.shuffle(&mut kinds);
    // Fleet faults first: they pick whole sites, and terminal faults then avoid them.
    kinds.sort_by_key(|k| matches!(k, Kind::Term(_)));
    // Asked-for faults first, fleet ones before terminal ones (they claim
    // whole sites).
    let mut order: Vec<usize> = (0..cfg.asked.len()).collect();
    order.sort_by_key(|&i| matches!(cfg.asked[i].kind, Kind::Term(_)));
    let mut sites: Vec<Option<u32>> = vec![None; cfg.asked.len()];
    for i in order {
        let spec = cfg.asked[i];
        pl.asked = Some(spec);
        pl.asked_site = spec
            .at_site_of
            .and_then(|k| sites.get(k).copied().flatten());
        pl.placed_site = None;
        pl.place(spec.kind);
        sites[i] = pl.placed_site;
    }
    pl.asked = None;
    pl.asked_site = None;
    for k in kinds {
        pl.place(k);
    }
    for tp in &mut pl.p.terms {
        finish_offs(&mut tp.offs);
        tp.dips.sort_unstable();
        tp.crashes.sort_unstable();
        tp.vers.sort_by_key(|v| v.0);
        tp.paper.sort_unstable();
        tp.blips.sort_by_key(|b| b.0);
        tp.mem_resets.sort_by_key(|m| m.0);
    }
    pl.p.specials.sort_by_key(|s| s.0);
    pl.p.faults.sort_by_key(|f| f.id);
    pl.p
}

/// Sorts and merges overlapping off intervals (the later-ending reason wins).
fn finish_offs(offs: &mut Vec<Off>) {
    offs.sort_by_key(|o| o.start);
    let mut out: Vec<Off> = Vec::with_capacity(offs.len());
    for o in offs.drain(..) {
        if o.end <= o.start {
            continue;
        }
        if let Some(last) = out.last_mut()
            && o.start <= last.end
        {
            if o.end > last.end {
                last.end = o.end;
                last.why = o.why;
                last.cause = o.cause.or(last.cause);
            }
            continue;
        }
        out.push(o);
    }
    *offs = out;
}

impl Planner<'_> {
    fn place(&mut self, k: Kind) {
        match k {
            Kind::Term(c) => self.term_fault(c),
            Kind::SitePower => self.site_power(),
            Kind::SiteLan => self.site_lan(),
            Kind::Carrier => self.carrier(),
            Kind::Acquirer => self.acquirer(),
            Kind::FwRollout => self.fw_rollout(),
            Kind::HostIncompat => self.host_incompat(),
        }
    }

    fn w_len(&self) -> i64 {
        self.e0 - self.s0
    }

    /// Natural, fault-free behaviour: closing hours, user reboots, blips,
    /// paper running out, a technician's daily check.
    fn natural(&mut self, ti: usize) {
        let (s0, e0) = (self.s0, self.e0);
        let t = &self.w.terms[ti];
        let m = &self.w.merchants[t.merchant as usize];
        let ty = &MERCHANT_TYPES[m.mtype];
        let has_printer = t.model().printer;
        let wireless = t.wireless();
        let rng = &mut self.rng;
        let tp = &mut self.p.terms[ti];
        // closing hours
        let first_day = (s0 + LOCAL_OFFSET_S).div_euclid(86_400) - 1;
        let last_day = (e0 + LOCAL_OFFSET_S).div_euclid(86_400) + 1;
        for day in first_day..=last_day {
            let midnight = day * 86_400 - LOCAL_OFFSET_S;
            if m.power_off_at_close {
                let off_s = midnight + ty.close as i64 * HOUR + rng.int(0, 25 * MIN);
                let on_s = midnight + 86_400 + ty.open as i64 * HOUR - rng.int(5 * MIN, 40 * MIN);
                if on_s > s0 - HOUR && off_s < e0 + HOUR {
                    tp.offs.push(Off {
                        start: off_s,
                        end: on_s,
                        why: Reboot::User,
                        cause: None,
                    });
                }
            }
            // a technician's daily check at opening, now and then
            let open_t = midnight + ty.open as i64 * HOUR + rng.int(10 * MIN, 90 * MIN);
            if open_t >= s0 && open_t < e0 && rng.chance(0.12) {
                let tid = t.tid.clone();
                let notes = *rng.pick(&[
                    "电源、键盘、屏幕正常",
                    "外观完好,通讯正常",
                    "daily check ok",
                    "已擦拭读卡器",
                ]);
                self.p
                    .specials
                    .push((open_t, maint_line(open_t, &tid, "daily_check", notes)));
            }
        }
        let w_h = (e0 - s0) as f64 / HOUR as f64;
        // occasional user reboots
        for _ in 0..rng.poisson(0.015 * w_h) {
            let at = s0 + rng.int(0, e0 - s0);
            tp.offs.push(Off {
                start: at,
                end: at + rng.int(35, 110),
                why: Reboot::User,
                cause: None,
            });
        }
        // single packet-loss blips
        for _ in 0..rng.poisson(w_h / if wireless { 3.0 } else { 6.0 }) {
            let at = s0 + rng.int(0, e0 - s0);
            tp.blips
                .push((at, at + rng.int(15, 100), rng.range(0.04, 0.25)));
        }
        // paper runs out every few days of trading
        if has_printer {
            for _ in 0..rng.poisson(w_h / 150.0) {
                let at = s0 + rng.int(0, e0 - s0);
                tp.paper.push((at, at + rng.int(MIN, 8 * MIN)));
            }
        }
        // now and then an app restarts on its own
        for _ in 0..rng.poisson(0.004 * w_h) {
            tp.crashes.push(s0 + rng.int(0, e0 - s0));
        }
        tp.poor_rssi = wireless && rng.chance(0.05 + 0.05 * self.d);
        tp.rate = rng.lognormal(20.0, 0.6).min(80.0);
    }

    // ---- helpers ---------------------------------------------------------

    fn strength(&mut self) -> f64 {
        let s = self.rng.range(0.3, 1.0) - 0.3 * self.d * self.rng.f64();
        match self.asked.and_then(|a| a.strength) {
            Some(asked) => asked.clamp(0.05, 1.0),
            None => s.clamp(0.15, 1.0),
        }
    }

    fn visibility(&mut self) -> f64 {
        (self.rng.range(0.4, 0.95) - 0.35 * self.d).clamp(0.1, 0.95)
    }

    /// A fault interval overlapping the window by at least 20 minutes; some
    /// faults are already going on when the window opens.
    fn timing(&mut self) -> (i64, i64) {
        let w = self.w_len();
        let min_in = (30 * MIN).min(w / 3);
        let lo = (15 * MIN).max(w / 12) as f64;
        let dur = self.rng.log_range(lo, (w as f64 * 1.3).max(lo + 1.0)) as i64;
        let start = self.s0 + self.rng.int(-w / 4, (w - min_in).max(1));
        let mut end = start + dur;
        if end < self.s0 + min_in {
            end = self.s0 + min_in + self.rng.int(0, w / 5);
        }
        let asked = self.asked;
        let start = asked
            .and_then(|a| a.start_min)
            .map_or(start, |m| self.s0 + (m * 60.0) as i64);
        let end = match asked.and_then(|a| a.duration_min) {
            Some(d) => start + (d * 60.0).max(60.0) as i64,
            None if asked.is_some_and(|a| a.start_min.is_some()) => start + dur,
            None => end,
        };
        (start, end)
    }

    /// When a fault that picks its own start begins: as asked, or drawn.
    fn start_or(&self, drawn: i64) -> i64 {
        self.asked
            .and_then(|a| a.start_min)
            .map_or(drawn, |m| self.s0 + (m * 60.0) as i64)
    }

    fn add_fault(
        &mut self,
        cause: Cause,
        scope: Scope,
        terms: Vec<u32>,
        (start, end): (i64, i64),
        s: f64,
        mech: &'static str,
    ) -> u32 {
        let id = self.p.faults.len() as u32 + 1;
        self.p.faults.push(Fault {
            id,
            cause,
            scope,
            terms,
            start,
            end,
            strength: s,
            mechanism: mech,
        });
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn eff(
        &self,
        cause: Cause,
        mode: u8,
        start: i64,
        end: i64,
        s: f64,
        vis: f64,
        duty: f64,
        fault: u32,
        a: f64,
        b: f64,
    ) -> Eff {
        Eff {
            cause,
            mode,
            start,
            end,
            s,
            vis,
            duty,
            key: mix(self.seed ^ 0xFA17, fault as u64 * 1_000_003 + cause as u64),
            fault,
            a,
            b,
        }
    }

    fn open_at(&self, ti: usize, t: i64) -> bool {
        let m = self.w.terms[ti].merchant as usize;
        is_open(self.w.merchants[m].mtype, local_hour(t))
    }

    /// A terminal for a fault: matching `pred`, unused, and trading at `t`
    /// when possible.
    fn pick_term(&mut self, t: i64, pred: &dyn Fn(&World, usize) -> bool) -> Option<usize> {
        // A scenario's fault asked to sit in another fault's site: any
        // fitting terminal there, used or not.
        if let Some(site) = self.asked_site {
            let cands: Vec<usize> = self.w.sites[site as usize]
                .terms
                .iter()
                .map(|&t| t as usize)
                .filter(|&i| pred(self.w, i))
                .collect();
            if !cands.is_empty() {
                let ti = cands[self.rng.index(cands.len())];
                self.used[ti] = true;
                return Some(ti);
            }
        }
        let n = self.w.terms.len();
        let mut cands: Vec<usize> = (0..n)
            .filter(|&i| !self.used[i] && pred(self.w, i) && self.open_at(i, t))
            .collect();
        if cands.is_empty() {
            cands = (0..n)
                .filter(|&i| !self.used[i] && pred(self.w, i))
                .collect();
        }
        if cands.is_empty() {
            cands = (0..n).filter(|&i| pred(self.w, i)).collect();
        }
        if cands.is_empty() {
            return None;
        }
        // busier terminals are where people notice faults
        let hour = local_hour(t) as usize;
        let wts: Vec<f64> = cands
            .iter()
            .map(|&i| {
                let m = &self.w.merchants[self.w.terms[i].merchant as usize];
                let r = MERCHANT_TYPES[m.mtype].rhythm as usize;
                let peak = RHYTHMS[r].iter().copied().fold(0.0, f64::max);
                (self.p.terms[i].rate * RHYTHMS[r][hour] / peak).powi(2)
            })
            .collect();
        let ti = cands[self.rng.weighted(&wts)];
        self.used[ti] = true;
        Some(ti)
    }

    fn in_window(&self, t: i64) -> bool {
        t >= self.s0 && t < self.e0
    }

    fn special(&mut self, t: i64, line: Vec<u8>) {
        if self.in_window(t) {
            self.p.specials.push((t, line));
        }
    }

    /// A technician's visit closing a terminal fault: an optional check, an
    /// optional maintenance action and, now and then, a resolution.
    #[allow(clippy::too_many_arguments)]
    fn visit(
        &mut self,
        ti: usize,
        end: i64,
        cause: Cause,
        check: Option<(&str, &str)>,
        action: Option<(&str, &str)>,
        notes: &str,
        p_res: f64,
    ) {
        if !self.in_window(end) {
            return;
        }
        let tid = self.w.terms[ti].tid.clone();
        if let Some((name, result)) = check
            && self.rng.chance(0.6)
        {
            let t = end - self.rng.int(4 * MIN, 15 * MIN);
            self.special(t, check_line(t, "terminal_id", &tid, name, result));
        }
        if let Some((act, n)) = action
            && self.rng.chance(0.7)
        {
            let t = end - self.rng.int(0, 3 * MIN);
            self.special(t, maint_line(t, &tid, act, n));
        }
        if self.rng.chance(p_res * (1.0 - 0.4 * self.d)) {
            let t = end + self.rng.int(2 * MIN, 20 * MIN);
            self.special(t, resolution_line(t, "terminal_id", &tid, cause, notes));
        }
    }

    fn site_visit(
        &mut self,
        site: usize,
        end: i64,
        cause: Cause,
        check: (&str, &str),
        notes: &str,
    ) {
        if !self.in_window(end) {
            return;
        }
        let sid = self.w.sites[site].id.clone();
        if self.rng.chance(0.65) {
            let t = end + self.rng.int(0, 4 * MIN);
            self.special(t, check_line(t, "site_id", &sid, check.0, check.1));
        }
        if self.rng.chance(0.6 * (1.0 - 0.4 * self.d)) {
            let t = end + self.rng.int(5 * MIN, 25 * MIN);
            self.special(t, resolution_line(t, "site_id", &sid, cause, notes));
        }
    }

    /// Version change on a terminal at `t` (inventory if before the window),
    /// with the update reboot and, sometimes, the maintenance record.
    fn change_version(&mut self, ti: usize, t: i64, fw: u16, app: u16, notes: &str) {
        if t < self.s0 {
            let term = &mut self.w.terms[ti];
            term.fw = fw;
            term.app = app;
            return;
        }
        let dur = self.rng.int(70, 240);
        let tp = &mut self.p.terms[ti];
        tp.vers.push((t + dur, fw, app));
        tp.offs.push(Off {
            start: t,
            end: t + dur,
            why: Reboot::Update,
            cause: None,
        });
        if self.rng.chance(0.4) {
            let tid = self.w.terms[ti].tid.clone();
            let line = maint_line(t, &tid, "firmware_update", notes);
            self.special(t, line);
        }
    }

    /// Current (fw, app) of a terminal at the end of its planned changes.
    fn versions_of(&self, ti: usize) -> (u16, u16) {
        let t = &self.w.terms[ti];
        match self.p.terms[ti].vers.last() {
            Some(&(_, f, a)) => (f, a),
            None => (t.fw, t.app),
        }
    }

    fn push_eff(&mut self, ti: usize, e: Eff) {
        self.p.terms[ti].effs.push(e);
    }

    // ---- terminal-level faults ----------------------------------------------

    fn term_fault(&mut self, cause: Cause) {
        let (start, end) = self.timing();
        let mid = (start.max(self.s0) + end.min(self.e0)) / 2;
        let s = self.strength();
        let vis = self.visibility();
        match cause {
            Cause::BizTxnType | Cause::BizLimit | Cause::BizRisk | Cause::BizMerchant => {
                return self.merchant_fault(cause, start, end, mid, s, vis);
            }
            Cause::UpIssuer => return self.issuer_fault(start, end, s, vis),
            _ => {}
        }
        let pred: &dyn Fn(&World, usize) -> bool = match cause {
            Cause::HwPrinter => &|w: &World, i: usize| w.terms[i].model().printer,
            Cause::PowerSupply => &|w: &World, i: usize| !w.terms[i].portable(),
            Cause::PowerBattery => &|w: &World, i: usize| w.terms[i].portable(),
            Cause::NetSignal => &|w: &World, i: usize| w.terms[i].wireless(),
            Cause::NetLan => &|w: &World, i: usize| w.terms[i].net != Net::Cellular,
            Cause::ResMemory | Cause::ResCpu => {
                &|w: &World, i: usize| w.terms[i].model().android || i.is_multiple_of(3)
            }
            _ => &|_: &World, _: usize| true,
        };
        let Some(ti) = self.pick_term(mid, pred) else {
            return;
        };
        self.term_fault_on(cause, ti, start, end, s, vis);
    }

    fn term_fault_on(
        &mut self,
        cause: Cause,
        ti: usize,
        start: i64,
        end: i64,
        s: f64,
        vis: f64,
    ) -> u32 {
        let scope = Scope::Terminal(ti as u32);
        let terms = vec![ti as u32];
        let r = self.rng.f64();
        match cause {
            Cause::HwKeypad => {
                let mode = u8::from(r < 0.4);
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    if mode == 0 {
                        "stuck key"
                    } else {
                        "worn keypad, intermittent"
                    },
                );
                let duty = if mode == 0 {
                    1.0
                } else {
                    self.rng.range(0.4, 0.9)
                };
                let e = self.eff(
                    cause,
                    mode,
                    start,
                    end,
                    s,
                    vis,
                    duty,
                    f,
                    0.25 + 0.65 * s,
                    0.0,
                );
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(("keypad_test", "fail")),
                    Some(("part_replaced", "更换键盘膜 / keypad membrane replaced")),
                    "键盘故障 / keypad fault",
                    0.5,
                );
                f
            }
            Cause::HwDisplay => {
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    "LCD / touch panel fault",
                );
                let duty = self.rng.range(0.5, 1.0);
                let e = self.eff(cause, 0, start, end, s, vis, duty, f, 0.2 + 0.45 * s, 0.0);
                self.push_eff(ti, e);
                // the cashier power-cycles it hoping it helps
                for _ in 0..self.rng.poisson(1.2) {
                    let at = self.rng.int(
                        start.max(self.s0),
                        end.min(self.e0).max(start.max(self.s0) + 1),
                    );
                    let d = self.rng.int(40, 120);
                    self.p.terms[ti].offs.push(Off {
                        start: at,
                        end: at + d,
                        why: Reboot::User,
                        cause: None,
                    });
                }
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(("screen_test", "fail")),
                    Some(("part_replaced", "更换显示屏 / display replaced")),
                    "屏幕故障 / screen fault",
                    0.5,
                );
                f
            }
            Cause::HwCardReader => {
                let mode = self.rng.weighted(&[0.5, 0.15, 0.15, 0.2]) as u8;
                let mech = [
                    "IC contact worn",
                    "magstripe head dirty",
                    "NFC antenna fault",
                    "card reader module fault",
                ][mode as usize];
                let f = self.add_fault(cause, scope, terms, (start, end), s, mech);
                let e = self.eff(cause, mode, start, end, s, vis, 1.0, f, 0.5 + 0.45 * s, 0.0);
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(("test_card", "fail")),
                    Some((
                        "repair",
                        "清洁/更换读卡器 / card reader cleaned or replaced",
                    )),
                    "读卡器故障 / card reader fault",
                    0.5,
                );
                f
            }
            Cause::HwPrinter => {
                let mode = u8::from(r < 0.35);
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    if mode == 0 {
                        "printer mechanism fault"
                    } else {
                        "out of paper, no stock"
                    },
                );
                if mode == 1 {
                    self.p.terms[ti].paper.push((start, end));
                }
                let e = self.eff(cause, mode, start, end, s, vis, 1.0, f, 0.4 + 0.55 * s, 0.0);
                self.push_eff(ti, e);
                if mode == 0 {
                    self.visit(
                        ti,
                        end,
                        cause,
                        Some(("print_test", "fail")),
                        Some(("part_replaced", "更换打印机芯 / printer replaced")),
                        "打印机故障 / printer fault",
                        0.5,
                    );
                }
                f
            }
            Cause::HwBoard => {
                let f = self.add_fault(cause, scope, terms, (start, end), s, "main board degraded");
                // often after a past power fault: an earlier cut and a few dips
                if self.rng.chance(0.5) {
                    let at = start - self.rng.int(10 * MIN, 90 * MIN);
                    let d = self.rng.int(2 * MIN, 25 * MIN);
                    let tp = &mut self.p.terms[ti];
                    tp.offs.push(Off {
                        start: at,
                        end: at + d,
                        why: Reboot::PowerLoss,
                        cause: None,
                    });
                    for _ in 0..3 {
                        tp.dips.push(at - self.rng.int(0, 5 * MIN));
                    }
                }
                self.board_effect(ti, f, start, end, s, vis);
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(("self_test", "fail")),
                    Some(("part_replaced", "更换主板 / main board replaced")),
                    "主板损坏 / main board damaged",
                    0.5,
                );
                f
            }
            Cause::PowerSupply => {
                let mode = u8::from(r < 0.45);
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    if mode == 0 {
                        "adapter output low"
                    } else {
                        "unstable mains"
                    },
                );
                // a: supply drop fraction; b: modem-reset probability per exchange
                let drop = if mode == 0 {
                    0.06 + 0.14 * s
                } else {
                    0.03 + 0.07 * s
                };
                let e = self.eff(
                    cause,
                    mode,
                    start,
                    end,
                    s,
                    vis,
                    1.0,
                    f,
                    drop,
                    0.1 + 0.35 * s,
                );
                self.push_eff(ti, e);
                let (a, b) = (start.max(self.s0 - HOUR), end.min(self.e0 + HOUR));
                let hours = (b - a).max(0) as f64 / HOUR as f64;
                let n_dips = self
                    .rng
                    .poisson(hours * (2.0 + 14.0 * s) * if mode == 1 { 1.5 } else { 0.7 });
                for _ in 0..n_dips {
                    let at = self.rng.int(a, b.max(a + 1));
                    if self.rng.chance(0.25 + 0.2 * s) {
                        let d = self.rng.int(20, 100);
                        self.p.terms[ti].offs.push(Off {
                            start: at,
                            end: at + d,
                            why: Reboot::PowerLoss,
                            cause: Some(cause),
                        });
                    } else {
                        self.p.terms[ti].dips.push(at);
                    }
                }
                let v = format!("{:.1}", self.supply_nominal(ti) * (1.0 - drop * 1.2));
                let chk = if mode == 0 {
                    ("adapter_voltage", v.as_str())
                } else {
                    ("mains_stable", "fail")
                };
                let chk = (chk.0.to_string(), chk.1.to_string());
                self.visit(
                    ti,
                    end,
                    cause,
                    Some((&chk.0, &chk.1)),
                    Some(("part_replaced", "更换电源适配器 / power adapter replaced")),
                    "电源故障 / power supply fault",
                    0.55,
                );
                f
            }
            Cause::PowerBattery => {
                let f = self.add_fault(cause, scope, terms, (start, end), s, "battery worn");
                let e = self.eff(cause, 0, start, end, s, vis, 1.0, f, 0.0, 0.0);
                self.push_eff(ti, e);
                self.battery_plan(ti, start, end, s);
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(("battery_health", "fail")),
                    Some(("part_replaced", "更换电池 / battery replaced")),
                    "电池老化 / battery worn",
                    0.5,
                );
                f
            }
            Cause::NetSignal => {
                let mode = u8::from(r < 0.45);
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    if mode == 0 {
                        "weak signal"
                    } else {
                        "unstable signal"
                    },
                );
                // a: rssi drop in dB
                let cell = self.w.terms[ti].net == Net::Cellular;
                let drop = if cell {
                    18.0 + 28.0 * s
                } else {
                    15.0 + 22.0 * s
                };
                let duty = if mode == 0 {
                    1.0
                } else {
                    self.rng.range(0.5, 0.9)
                };
                let e = self.eff(cause, mode, start, end, s, vis, duty, f, drop, 0.0);
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(("signal_strength", "weak")),
                    None,
                    "信号弱,已移位/加装天线 / weak signal, moved terminal",
                    0.4,
                );
                f
            }
            Cause::NetLan => {
                let mode = self.rng.weighted(&[0.4, 0.6]) as u8;
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    if mode == 0 {
                        "cable / port flapping"
                    } else {
                        "degraded local link"
                    },
                );
                let duty = if mode == 0 {
                    self.rng.range(0.2, 0.4 + 0.5 * s)
                } else {
                    1.0
                };
                let e = self.eff(
                    cause,
                    mode,
                    start,
                    end,
                    s,
                    vis,
                    duty,
                    f,
                    0.08 + 0.45 * s,
                    200.0 + 1800.0 * s,
                );
                self.push_eff(ti, e);
                let chk = if self.w.terms[ti].net == Net::Ethernet {
                    ("cable_seated", "fail")
                } else {
                    ("wifi_ap", "fail")
                };
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(chk),
                    None,
                    "网线/交换机端口故障 / cable or port fault",
                    0.5,
                );
                f
            }
            Cause::SwBug => {
                let (fw, app) = self.versions_of(ti);
                let base = self.w.versions.name(app).to_string();
                let new_app = self.w.versions.bump(&base, &mut self.rng);
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    "defect in new app version",
                );
                self.change_version(ti, start, fw, new_app, "应用升级 / app update");
                let start_eff = if start >= self.s0 { start + 240 } else { start };
                self.sw_bug_effect(ti, f, start_eff, end, s, vis);
                if self.in_window(end) {
                    self.change_version(ti, end, fw, app, "版本回退 / rollback");
                }
                self.visit(
                    ti,
                    end + 300,
                    cause,
                    None,
                    None,
                    "新版本缺陷,已回退 / defect in new version, rolled back",
                    0.45,
                );
                f
            }
            Cause::SwIncompatible => {
                let mode = u8::from(r < 0.4);
                let (fw, app) = self.versions_of(ti);
                let f;
                if mode == 0 {
                    // the app moved to a message format the host does not accept
                    let base = self.w.versions.name(app).to_string();
                    let new_app = self.w.versions.bump(&base, &mut self.rng);
                    f = self.add_fault(
                        cause,
                        scope,
                        terms,
                        (start, end),
                        s,
                        "app message format not accepted by host",
                    );
                    self.change_version(ti, start, fw, new_app, "应用升级 / app update");
                } else {
                    // firmware restored to an old image without the TLS the host requires
                    let v = &VENDORS[self.w.terms[ti].vendor];
                    let old = self.w.versions.id(v.fw[0]);
                    let old = if old == fw {
                        self.w.versions.id(&format!("{}-r", v.fw[0]))
                    } else {
                        old
                    };
                    f = self.add_fault(
                        cause,
                        scope,
                        terms,
                        (start, end),
                        s,
                        "old firmware, TLS version not accepted",
                    );
                    self.change_version(ti, start, old, app, "固件恢复出厂 / firmware restored");
                }
                let start_eff = if start >= self.s0 { start + 240 } else { start };
                let e = self.eff(
                    cause,
                    mode,
                    start_eff,
                    end,
                    s,
                    vis,
                    1.0,
                    f,
                    0.6 + 0.4 * s,
                    0.0,
                );
                self.push_eff(ti, e);
                if self.in_window(end) {
                    self.change_version(ti, end, fw, app, "版本更新 / version fixed");
                }
                self.visit(
                    ti,
                    end + 300,
                    cause,
                    None,
                    None,
                    "版本与主机不兼容 / version not accepted by host",
                    0.45,
                );
                f
            }
            Cause::SwConfig => {
                let mode = self.rng.weighted(&[0.45, 0.35, 0.2]) as u8;
                let mech =
                    ["wrong host address", "wrong TID/MID", "wrong key index"][mode as usize];
                let f = self.add_fault(cause, scope, terms, (start, end), s, mech);
                let e = self.eff(
                    cause,
                    mode,
                    start,
                    end,
                    s,
                    vis,
                    1.0,
                    f,
                    0.75 + 0.25 * s,
                    0.0,
                );
                self.push_eff(ti, e);
                if self.rng.chance(0.75) {
                    let tid = self.w.terms[ti].tid.clone();
                    let (act, notes) = *self.rng.pick(&[
                        ("parameter_update", "远程参数下载 / parameters downloaded"),
                        (
                            "repair",
                            "维修后重新设置参数 / parameters re-entered after repair",
                        ),
                        ("monthly_inspection", "巡检,更新终端参数"),
                    ]);
                    let t = start - self.rng.int(30, 300);
                    self.special(t, maint_line(t, &tid, act, notes));
                }
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(("parameters", "fail")),
                    Some(("parameter_update", "重新下载参数 / parameters corrected")),
                    "终端参数错误 / wrong terminal parameters",
                    0.5,
                );
                f
            }
            Cause::TxCorruption => {
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    "messages corrupted in transit",
                );
                let duty = self.rng.range(0.3, 0.85);
                let e = self.eff(cause, 0, start, end, s, vis, duty, f, 0.12 + 0.45 * s, 0.0);
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    None,
                    None,
                    "线路干扰导致报文损坏 / line noise corrupting messages",
                    0.35,
                );
                f
            }
            Cause::SecKeys => {
                let mode = u8::from(r < 0.35);
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    if mode == 0 {
                        "working keys out of sync"
                    } else {
                        "keys missing"
                    },
                );
                if mode == 1 && self.rng.chance(0.5) {
                    // tamper response after a power cut erased the keys
                    self.p.terms[ti].offs.push(Off {
                        start: start - 90,
                        end: start,
                        why: Reboot::PowerLoss,
                        cause: None,
                    });
                }
                let e = self.eff(cause, mode, start, end, s, vis, 1.0, f, 0.7 + 0.3 * s, 0.0);
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    Some(("key_download", "ok")),
                    None,
                    "密钥不同步,已重新签到下载 / keys re-downloaded",
                    0.5,
                );
                f
            }
            Cause::SecCertificate => {
                let mode = u8::from(r < 0.4);
                let f;
                if mode == 0 {
                    f = self.add_fault(
                        cause,
                        scope,
                        terms,
                        (start, end),
                        s,
                        "TLS certificate expired",
                    );
                    self.w.terms[ti].cert_not_after = Some(start);
                } else {
                    f = self.add_fault(
                        cause,
                        scope,
                        terms,
                        (start, end),
                        s,
                        "clock reset, certificate not yet valid",
                    );
                    self.p.terms[ti].offs.push(Off {
                        start: start - 120,
                        end: start,
                        why: Reboot::PowerLoss,
                        cause: None,
                    });
                }
                // a: clock skew in seconds (mode 1)
                let skew = -(self.rng.int(200, 1500) * 86_400) as f64;
                let e = self.eff(cause, mode, start, end, s, vis, 1.0, f, skew, 0.0);
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    None,
                    Some((
                        "firmware_update",
                        "更新证书/校准时钟 / certificate renewed, clock set",
                    )),
                    "证书过期或时钟错误 / certificate or clock",
                    0.5,
                );
                f
            }
            Cause::ResStorage => {
                let f = self.add_fault(cause, scope, terms, (start, end), s, "storage full");
                // a: storage level at start; b: growth per transaction (points)
                let level = self.rng.range(95.5, 98.5);
                let e = self.eff(cause, 0, start, end, s, vis, 1.0, f, level, 0.05 + 0.15 * s);
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    None,
                    Some(("repair", "结算并清理流水 / settled and cleared journal")),
                    "存储空间满 / storage full",
                    0.45,
                );
                f
            }
            Cause::ResMemory => {
                let f = self.add_fault(cause, scope, terms, (start, end), s, "memory leak");
                // a: leak rate in points per hour
                let rate = 8.0 + 40.0 * s;
                let mut level = self.rng.range(75.0, 90.0);
                // b: level at the start
                let e = self.eff(cause, 0, start, end, s, vis, 1.0, f, rate, level);
                self.push_eff(ti, e);
                let mut t = start;
                let stop = end.min(self.e0 + HOUR);
                while t < stop {
                    let to_full =
                        ((99.0 - level) / rate * HOUR as f64) as i64 + self.rng.int(0, 10 * MIN);
                    t += to_full.max(5 * MIN);
                    if t >= stop {
                        break;
                    }
                    let after = self.rng.range(50.0, 68.0);
                    self.p.terms[ti].mem_resets.push((t, after));
                    if self.rng.chance(0.35) {
                        let d = self.rng.int(30, 90);
                        self.p.terms[ti].offs.push(Off {
                            start: t,
                            end: t + d,
                            why: Reboot::Crash,
                            cause: Some(cause),
                        });
                    } else {
                        self.p.terms[ti].crashes.push(t);
                    }
                    level = self.p.terms[ti].mem_resets.last().map_or(60.0, |m| m.1);
                }
                self.visit(
                    ti,
                    end,
                    cause,
                    None,
                    Some(("firmware_update", "升级修复内存泄漏 / fixed memory leak")),
                    "内存耗尽 / memory exhausted",
                    0.45,
                );
                f
            }
            Cause::ResCpu => {
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    "CPU overloaded by background task",
                );
                let duty = self.rng.range(0.5, 1.0);
                // a: median extra processing time (ms)
                let e = self.eff(
                    cause,
                    0,
                    start,
                    end,
                    s,
                    vis,
                    duty,
                    f,
                    5000.0 + 30_000.0 * s,
                    0.0,
                );
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    None,
                    Some(("repair", "清理后台程序 / background task removed")),
                    "CPU过载 / CPU overloaded",
                    0.4,
                );
                f
            }
            Cause::OperatorError => {
                let f = self.add_fault(
                    cause,
                    scope,
                    terms,
                    (start, end),
                    s,
                    "new cashier, wrong procedure",
                );
                let e = self.eff(cause, 0, start, end, s, vis, 1.0, f, 0.08 + 0.25 * s, 0.0);
                self.push_eff(ti, e);
                self.visit(
                    ti,
                    end,
                    cause,
                    None,
                    None,
                    "收银员操作不当,已培训 / cashier trained",
                    0.35,
                );
                f
            }
            _ => 0,
        }
    }

    fn supply_nominal(&self, ti: usize) -> f64 {
        supply_nominal(self.w, ti)
    }

    fn board_effect(&mut self, ti: usize, f: u32, start: i64, end: i64, s: f64, vis: f64) {
        let mode = u8::from(self.rng.chance(0.3));
        // a: temperature offset (mode 0) ; mode 1 = erratic sensor
        let e = self.eff(
            Cause::HwBoard,
            mode,
            start,
            end,
            s,
            vis,
            1.0,
            f,
            12.0 + 28.0 * s,
            0.0,
        );
        self.push_eff(ti, e);
        let (a, b) = (start.max(self.s0 - HOUR), end.min(self.e0 + HOUR));
        let hours = (b - a).max(0) as f64 / HOUR as f64;
        for _ in 0..self.rng.poisson(hours * (0.6 + 3.5 * s)) {
            let at = self.rng.int(a, b.max(a + 1));
            let d = self.rng.int(40, 150);
            let why = if self.rng.chance(0.75) {
                Reboot::Watchdog
            } else {
                Reboot::Crash
            };
            self.p.terms[ti].offs.push(Off {
                start: at,
                end: at + d,
                why,
                cause: Some(Cause::HwBoard),
            });
        }
    }

    fn sw_bug_effect(&mut self, ti: usize, f: u32, start: i64, end: i64, s: f64, vis: f64) {
        // a: crash probability per transaction
        let e = self.eff(
            Cause::SwBug,
            0,
            start,
            end,
            s,
            vis,
            1.0,
            f,
            0.1 + 0.35 * s,
            0.0,
        );
        self.push_eff(ti, e);
        let (a, b) = (start.max(self.s0 - HOUR), end.min(self.e0 + HOUR));
        let hours = (b - a).max(0) as f64 / HOUR as f64;
        for _ in 0..self.rng.poisson(hours * (1.0 + 5.0 * s)) {
            let at = self.rng.int(a, b.max(a + 1));
            if self.rng.chance(0.3) {
                let d = self.rng.int(30, 90);
                self.p.terms[ti].offs.push(Off {
                    start: at,
                    end: at + d,
                    why: Reboot::Crash,
                    cause: Some(Cause::SwBug),
                });
            } else {
                self.p.terms[ti].crashes.push(at);
            }
        }
    }

    fn battery_plan(&mut self, ti: usize, start: i64, end: i64, s: f64) {
        let drain = 25.0 + 70.0 * s;
        let mut t = start;
        let mut level = self.rng.range(12.0, 45.0);
        let stop = end.min(self.e0 + HOUR);
        while t < stop {
            self.p.terms[ti].batt.push(BattSeg { t, level, drain });
            let empty = t + ((level - 1.0) / drain * HOUR as f64) as i64;
            if empty >= stop {
                break;
            }
            // shut down, put on the charger for a while, back with a little charge
            let charge = self.rng.int(6 * MIN, 40 * MIN);
            self.p.terms[ti].offs.push(Off {
                start: empty,
                end: empty + charge,
                why: Reboot::PowerLoss,
                cause: Some(Cause::PowerBattery),
            });
            t = empty + charge;
            level = self.rng.range(10.0, 40.0);
        }
        if end < self.e0 + HOUR {
            self.p.terms[ti].batt.push(BattSeg {
                t: end,
                level: 95.0,
                drain: 3.0,
            });
        }
    }

    fn merchant_fault(&mut self, cause: Cause, start: i64, end: i64, mid: i64, s: f64, vis: f64) {
        let Some(ti) = self.pick_term(mid, &|_, _| true) else {
            return;
        };
        let mi = self.w.terms[ti].merchant as usize;
        let terms: Vec<u32> = self.w.merchants[mi].terms.clone();
        for &t in &terms {
            self.used[t as usize] = true;
        }
        let (mode, mech, a, b) = match cause {
            // a: share of refund/preauth attempts; b: decline probability
            Cause::BizTxnType => (
                0,
                "refund / preauth not enabled for merchant",
                0.06 + 0.12 * s,
                0.85 + 0.15 * s,
            ),
            // a: single-transaction limit (fen)
            Cause::BizLimit => {
                let ty = &MERCHANT_TYPES[self.w.merchants[mi].mtype];
                // between the 50th and 85th percentile of the merchant's tickets
                let limit = (ty.median * (ty.sigma * self.rng.range(0.0, 1.0)).exp()).max(3_000.0);
                (
                    u8::from(self.rng.chance(0.3)),
                    "merchant amount limit set too low",
                    limit,
                    0.0,
                )
            }
            // a: share of unusual transactions; b: blanket decline probability
            Cause::BizRisk => (
                0,
                "merchant under risk control",
                0.05 + 0.2 * s,
                0.03 + 0.25 * s,
            ),
            _ => {
                let mode = u8::from(self.rng.chance(0.2));
                (
                    mode,
                    if mode == 0 {
                        "merchant frozen"
                    } else {
                        "merchant QR channel misregistered"
                    },
                    0.0,
                    0.0,
                )
            }
        };
        let f = self.add_fault(
            cause,
            Scope::Merchant(mi as u32),
            terms.clone(),
            (start, end),
            s,
            mech,
        );
        for &t in &terms {
            let e = self.eff(cause, mode, start, end, s, vis, 1.0, f, a, b);
            self.push_eff(t as usize, e);
        }
        if self.in_window(end) && self.rng.chance(0.4 * (1.0 - 0.4 * self.d)) {
            let t = end + self.rng.int(5 * MIN, 30 * MIN);
            let tid = self.w.terms[terms[0] as usize].tid.clone();
            let notes = match cause {
                Cause::BizTxnType => "已开通退货/预授权权限 / refund and preauth enabled",
                Cause::BizLimit => "已调整商户限额 / merchant limit raised",
                Cause::BizRisk => "风控解除 / risk block lifted",
                _ => "商户状态已恢复 / merchant status restored",
            };
            self.special(t, resolution_line(t, "terminal_id", &tid, cause, notes));
        }
    }

    fn issuer_fault(&mut self, start: i64, end: i64, s: f64, vis: f64) {
        let end = start + (end - start).min(self.rng.int(20 * MIN, 80 * MIN));
        let end = end.max(self.s0 + 15 * MIN);
        let b = &BINS[self
            .rng
            .weighted(&BINS.iter().map(|b| b.weight).collect::<Vec<_>>())];
        let f = self.add_fault(
            Cause::UpIssuer,
            Scope::Issuer(b.issuer),
            Vec::new(),
            (start, end),
            s,
            "issuer system unavailable",
        );
        let duty = self.rng.range(0.4, 1.0);
        // a: probability a request for its cards fails
        let eff = self.eff(
            Cause::UpIssuer,
            0,
            start,
            end,
            s,
            vis,
            duty,
            f,
            0.3 + 0.6 * s,
            0.0,
        );
        self.p.issuers.push(IssuerOut {
            issuer: b.issuer,
            eff,
        });
    }

    // ---- fleet faults -------------------------------------------------------

    fn site_power(&mut self) {
        let w = self.w_len();
        let drawn = self.s0 + self.rng.int(-5 * MIN, (w - 50 * MIN).max(MIN));
        let start = self.start_or(drawn);
        let t_mid = start.max(self.s0) + 30 * MIN;
        let n_sites = self.w.sites.len();
        // The mains reach a terminal through its adapter or the router; a
        // handheld on its battery and its own radio pays on.
        let on_mains = |w: &World, t: u32| {
            let term = &w.terms[t as usize];
            !term.portable() || term.net != Net::Cellular
        };
        let mut cands: Vec<usize> = (0..n_sites)
            .filter(|&si| {
                let st = &self.w.sites[si];
                st.terms.iter().filter(|&&t| on_mains(self.w, t)).count() >= 2
                    && st.terms.iter().all(|&t| !self.used[t as usize])
                    && self.open_at(st.terms[0] as usize, t_mid)
            })
            .collect();
        if cands.is_empty() {
            cands = (0..n_sites)
                .filter(|&si| {
                    self.w.sites[si]
                        .terms
                        .iter()
                        .any(|&t| !self.w.terms[t as usize].portable())
                })
                .collect();
        }
        if cands.is_empty() {
            return;
        }
        let si = cands[self.rng.index(cands.len())];
        self.placed_site = Some(si as u32);
        for &t in &self.w.sites[si].terms {
            self.used[t as usize] = true;
        }
        let terms: Vec<u32> = (self.w.sites[si].terms.iter().copied())
            .filter(|&t| on_mains(self.w, t))
            .collect();
        let s = self.strength();
        let vis = self.visibility();
        let flicker = self.rng.int(8 * MIN, 30 * MIN);
        let t_out = start + flicker;
        let t_back = t_out + self.rng.int(6 * MIN, 25 * MIN + (45.0 * s) as i64 * MIN);
        let end = t_back + 5 * MIN;
        let f = self.add_fault(
            Cause::PowerSupply,
            Scope::Site(si as u32),
            terms.clone(),
            (start, end),
            s,
            "site power outage",
        );
        for &t in &terms {
            let ti = t as usize;
            let portable = self.w.terms[ti].portable();
            // mode 2: site outage; a = outage start, b = outage end
            let e = self.eff(
                Cause::PowerSupply,
                2,
                start,
                end,
                s,
                vis,
                1.0,
                f,
                t_out as f64,
                t_back as f64,
            );
            self.push_eff(ti, e);
            if portable {
                continue;
            }
            let boot = self.rng.int(25, 100);
            self.p.terms[ti].offs.push(Off {
                start: t_out + self.rng.int(0, 4),
                end: t_back + boot,
                why: Reboot::PowerLoss,
                cause: Some(Cause::PowerSupply),
            });
            for _ in 0..self.rng.poisson(2.0 + 6.0 * s) {
                let at = self.rng.int(start, t_out);
                if self.rng.chance(0.2) {
                    let d = self.rng.int(20, 80);
                    self.p.terms[ti].offs.push(Off {
                        start: at,
                        end: at + d,
                        why: Reboot::PowerLoss,
                        cause: Some(Cause::PowerSupply),
                    });
                } else {
                    self.p.terms[ti].dips.push(at);
                }
            }
        }
        self.site_visit(
            si,
            t_back,
            Cause::PowerSupply,
            ("mains_power", "ok"),
            "市电中断,已恢复 / mains outage, restored",
        );
        // one terminal is left with a damaged board
        let mains: Vec<usize> = terms
            .iter()
            .map(|&t| t as usize)
            .filter(|&t| !self.w.terms[t].portable())
            .collect();
        if !mains.is_empty() && self.rng.chance(0.85) {
            let ti = mains[self.rng.index(mains.len())];
            let b_end = t_back + self.rng.int(HOUR, 8 * HOUR);
            let s2 = self.strength();
            let vis2 = self.visibility();
            let f2 = self.add_fault(
                Cause::HwBoard,
                Scope::Terminal(ti as u32),
                vec![ti as u32],
                (t_back, b_end),
                s2,
                "board damaged by power surge",
            );
            self.board_effect(ti, f2, t_back + 60, b_end, s2, vis2);
            self.visit(
                ti,
                b_end,
                Cause::HwBoard,
                Some(("self_test", "fail")),
                Some(("part_replaced", "更换主板 / main board replaced")),
                "来电浪涌损坏主板 / board damaged by surge",
                0.5,
            );
        }
        // confounder: a weak-signal terminal inside the same site
        let wl: Vec<usize> = terms
            .iter()
            .map(|&t| t as usize)
            .filter(|&t| self.w.terms[t].wireless())
            .collect();
        if !wl.is_empty() && self.rng.chance(0.5) {
            let ti = wl[self.rng.index(wl.len())];
            if self.rng.chance(0.5) {
                self.p.terms[ti].poor_rssi = true;
            } else {
                let (ws, we) = (
                    start - self.rng.int(0, HOUR),
                    end + self.rng.int(0, 2 * HOUR),
                );
                let s3 = self.strength();
                let v3 = self.visibility();
                self.term_fault_on(Cause::NetSignal, ti, ws, we, s3, v3);
            }
        }
    }

    fn site_lan(&mut self) {
        let (start, end) = self.timing();
        let t_mid = (start.max(self.s0) + end.min(self.e0)) / 2;
        let n_sites = self.w.sites.len();
        let score = |w: &World, si: usize| {
            let st = &w.sites[si];
            let wired = st
                .terms
                .iter()
                .filter(|&&t| w.terms[t as usize].net != Net::Cellular)
                .count();
            let cell = st.terms.len() - wired;
            (wired >= 1, wired >= 2 || (wired >= 1 && cell >= 1))
        };
        let mut cands: Vec<usize> = (0..n_sites)
            .filter(|&si| {
                let (ok, best) = score(self.w, si);
                ok && best
                    && self.w.sites[si]
                        .terms
                        .iter()
                        .all(|&t| !self.used[t as usize])
                    && self.open_at(self.w.sites[si].terms[0] as usize, t_mid)
            })
            .collect();
        if cands.is_empty() {
            cands = (0..n_sites)
                .filter(|&si| {
                    score(self.w, si).0
                        && self.w.sites[si]
                            .terms
                            .iter()
                            .all(|&t| !self.used[t as usize])
                })
                .collect();
        }
        if cands.is_empty() {
            cands = (0..n_sites).filter(|&si| score(self.w, si).0).collect();
        }
        if cands.is_empty() {
            return;
        }
        let si = cands[self.rng.index(cands.len())];
        self.placed_site = Some(si as u32);
        let all: Vec<u32> = self.w.sites[si].terms.clone();
        let terms: Vec<u32> = all
            .iter()
            .copied()
            .filter(|&t| self.w.terms[t as usize].net != Net::Cellular)
            .collect();
        for &t in &all {
            self.used[t as usize] = true;
        }
        let s = self.strength();
        let vis = self.visibility();
        let mode = self.rng.weighted(&[0.4, 0.35, 0.25]) as u8;
        let mech = ["router down", "router degraded", "router flapping"][mode as usize];
        let f = self.add_fault(
            Cause::NetLan,
            Scope::Site(si as u32),
            terms.clone(),
            (start, end),
            s,
            mech,
        );
        let duty = match mode {
            0 => 1.0,
            1 => 1.0,
            _ => self.rng.range(0.3, 0.7),
        };
        // mode 0/2: link down while on; mode 1: a = loss, b = extra latency ms
        let m = if mode == 1 { 1 } else { 0 };
        for &t in &terms {
            let e = self.eff(
                Cause::NetLan,
                m,
                start,
                end,
                s,
                vis,
                duty,
                f,
                0.15 + 0.5 * s,
                300.0 + 2500.0 * s,
            );
            self.push_eff(t as usize, e);
        }
        self.site_visit(
            si,
            end,
            Cause::NetLan,
            ("router_restarted", "ok"),
            "路由器重启后恢复 / recovered after router restart",
        );
    }

    fn carrier(&mut self) {
        let (start, end) = self.timing();
        // the (carrier, city) with the most cellular terminals, among a few random draws
        let mut best: Option<(u8, usize, Vec<u32>)> = None;
        for _ in 0..8 {
            let c = self.rng.weighted(crate::world::CARRIER_W) as u8;
            let city = self.rng.index(CITIES.len());
            let terms: Vec<u32> = (0..self.w.terms.len())
                .filter(|&i| {
                    let t = &self.w.terms[i];
                    t.net == Net::Cellular && t.carrier == c && t.city == city
                })
                .map(|i| i as u32)
                .collect();
            if best.as_ref().is_none_or(|b| terms.len() > b.2.len()) {
                best = Some((c, city, terms));
            }
        }
        let Some((c, city, terms)) = best else { return };
        if terms.is_empty() {
            return;
        }
        let s = self.strength();
        let vis = self.visibility();
        let mode = u8::from(self.rng.chance(0.55));
        let f = self.add_fault(
            Cause::NetCarrier,
            Scope::CarrierCity(c, city),
            terms.clone(),
            (start, end),
            s,
            if mode == 0 {
                "carrier data outage"
            } else {
                "carrier core congested"
            },
        );
        let duty = if mode == 0 {
            self.rng.range(0.5, 1.0)
        } else {
            1.0
        };
        for &t in &terms {
            // mode 0: no data; mode 1: a = loss, b = extra latency ms
            let e = self.eff(
                Cause::NetCarrier,
                mode,
                start,
                end,
                s,
                vis,
                duty,
                f,
                0.2 + 0.5 * s,
                800.0 + 5000.0 * s,
            );
            self.push_eff(t as usize, e);
        }
        let _ = CARRIERS;
    }

    fn acquirer(&mut self) {
        let (start0, _) = self.timing();
        // host outages are noticed and handled within the hour
        let start = start0.max(self.s0 - 10 * MIN);
        let end = start + self.rng.int(15 * MIN, 60 * MIN);
        let h = self.rng.weighted(crate::world::HOST_W) as u8;
        let terms: Vec<u32> = (0..self.w.terms.len())
            .filter(|&i| self.w.terms[i].host == h)
            .map(|i| i as u32)
            .collect();
        let s = self.strength();
        let vis = self.visibility();
        let mode = u8::from(self.rng.chance(0.55));
        let f = self.add_fault(
            Cause::UpAcquirer,
            Scope::Host(h),
            terms.clone(),
            (start, end),
            s,
            if mode == 0 {
                "host channel down"
            } else {
                "host overloaded"
            },
        );
        let duty = self.rng.range(0.5, 1.0);
        for &t in &terms {
            // mode 0: down (a = failure probability); mode 1: overloaded (a = reject probability, b = extra ms)
            let e = self.eff(
                Cause::UpAcquirer,
                mode,
                start,
                end,
                s,
                vis,
                duty,
                f,
                0.5 + 0.5 * s,
                8_000.0 + 50_000.0 * s,
            );
            self.push_eff(t as usize, e);
        }
        let _ = HOSTS;
    }

    fn fw_rollout(&mut self) {
        let (start, end) = self.timing();
        let mut counts = vec![0usize; VENDORS.len()];
        for t in &self.w.terms {
            counts[t.vendor] += 1;
        }
        let mut vi = self.rng.weighted(
            &counts
                .iter()
                .map(|&c| if c >= 3 { c as f64 } else { 0.0 })
                .collect::<Vec<_>>(),
        );
        if counts[vi] == 0 {
            vi = (0..counts.len()).max_by_key(|&i| counts[i]).unwrap_or(0);
        }
        let v = &VENDORS[vi];
        let latest = v.fw[v.fw.len() - 1];
        let new_fw = self.w.versions.bump(latest, &mut self.rng);
        let mut cands: Vec<usize> = (0..self.w.terms.len())
            .filter(|&i| self.w.terms[i].vendor == vi && !self.used[i])
            .collect();
        self.rng.shuffle(&mut cands);
        let k = ((cands.len() as f64 * self.rng.range(0.3, 0.7)).round() as usize)
            .clamp(cands.len().min(2), 40);
        cands.truncate(k);
        if cands.is_empty() {
            return;
        }
        let s = self.strength();
        let vis = self.visibility();
        let terms: Vec<u32> = cands.iter().map(|&i| i as u32).collect();
        let f = self.add_fault(
            Cause::SwBug,
            Scope::Firmware(new_fw),
            terms,
            (start, end),
            s,
            "defect in firmware rollout",
        );
        for &ti in &cands {
            self.used[ti] = true;
            let at = start + self.rng.int(0, 70 * MIN);
            let (_, app) = self.versions_of(ti);
            self.change_version(ti, at, new_fw, app, "固件推送升级 / firmware rollout");
            let eff_start = if at >= self.s0 { at + 240 } else { at };
            self.sw_bug_effect(ti, f, eff_start, end, s, vis);
        }
    }

    fn host_incompat(&mut self) {
        let (start, end) = self.timing();
        // the terminals of one host running one old firmware (not the newest of its vendor)
        let mut groups: Vec<((u8, u16), Vec<u32>)> = Vec::new();
        for i in 0..self.w.terms.len() {
            let t = &self.w.terms[i];
            let v = &VENDORS[t.vendor];
            if self.used[i] || v.fw.len() < 2 || self.w.versions.name(t.fw) == v.fw[v.fw.len() - 1]
            {
                continue;
            }
            match groups.iter_mut().find(|g| g.0 == (t.host, t.fw)) {
                Some(g) => g.1.push(i as u32),
                None => groups.push(((t.host, t.fw), vec![i as u32])),
            }
        }
        groups.retain(|g| g.1.len() >= 2);
        if groups.is_empty() {
            return;
        }
        let k = self.rng.index(groups.len());
        let ((h, fw), mut terms) = groups.swap_remove(k);
        terms.truncate(40);
        let s = self.strength();
        let vis = self.visibility();
        let mode = u8::from(self.rng.chance(0.5));
        let f = self.add_fault(
            Cause::SwIncompatible,
            Scope::HostFirmware(h, fw),
            terms.clone(),
            (start, end),
            s,
            if mode == 0 {
                "host upgraded message spec; old firmware rejected"
            } else {
                "host dropped old TLS; old firmware rejected"
            },
        );
        for &t in &terms {
            self.used[t as usize] = true;
            let e = self.eff(
                Cause::SwIncompatible,
                mode,
                start,
                end,
                s,
                vis,
                1.0,
                f,
                0.7 + 0.3 * s,
                0.0,
            );
            self.push_eff(t as usize, e);
        }
    }
}

/// Nominal adapter voltage of a mains-powered model.
pub fn supply_nominal(w: &World, ti: usize) -> f64 {
    let t = &w.terms[ti];
    let m = t.model();
    if m.android {
        5.1
    } else if m.name.len().is_multiple_of(2) {
        9.0
    } else {
        12.0
    }
}

fn line_head(kind: &str, t: i64) -> Vec<u8> {
    let mut b = Vec::with_capacity(160);
    b.extend_from_slice(b"{\"kind\":\"");
    b.extend_from_slice(kind.as_bytes());
    b.extend_from_slice(b"\",\"ts\":\"");
    push_ts(&mut b, t);
    b.push(b'"');
    b
}

/// A `maintenance` record.
pub fn maint_line(t: i64, tid: &str, action: &str, notes: &str) -> Vec<u8> {
    let mut b = line_head("maintenance", t);
    b.js("terminal_id", tid);
    b.js("action", action);
    b.js("notes", notes);
    b.push(b'}');
    b
}

/// A `check` record on a terminal or a site.
pub fn check_line(t: i64, target_key: &str, target: &str, name: &str, result: &str) -> Vec<u8> {
    let mut b = line_head("check", t);
    b.js(target_key, target);
    b.js("name", name);
    b.js("result", result);
    b.push(b'}');
    b
}

/// A `resolution` record.
pub fn resolution_line(
    t: i64,
    target_key: &str,
    target: &str,
    cause: Cause,
    notes: &str,
) -> Vec<u8> {
    let mut b = line_head("resolution", t);
    b.js(target_key, target);
    b.js("cause", cause.id());
    b.js("notes", notes);
    b.push(b'}');
    b
}

/// The truth record of a fault.
pub fn truth_line(buf: &mut Vec<u8>, f: &Fault, w: &World) {
    buf.extend_from_slice(b"{\"kind\":\"truth\",\"fault_id\":\"F");
    crate::fmt::push_padded(buf, f.id as u64, 3);
    buf.push(b'"');
    buf.js("cause", f.cause.id());
    buf.extend_from_slice(b",\"scope\":{");
    let kv = |buf: &mut Vec<u8>, k: &str, v: &str, first: bool| {
        if !first {
            buf.push(b',');
        }
        buf.push(b'"');
        buf.extend_from_slice(k.as_bytes());
        buf.extend_from_slice(b"\":\"");
        push_json_str(buf, v);
        buf.push(b'"');
    };
    match &f.scope {
        Scope::Terminal(t) => kv(buf, "terminal_id", &w.terms[*t as usize].tid, true),
        Scope::Site(s) => kv(buf, "site_id", &w.sites[*s as usize].id, true),
        Scope::Merchant(m) => kv(buf, "merchant_id", &w.merchants[*m as usize].mid, true),
        Scope::Host(h) => kv(buf, "host", HOSTS[*h as usize], true),
        Scope::CarrierCity(c, city) => {
            kv(buf, "carrier", CARRIERS[*c as usize], true);
            kv(buf, "city", CITIES[*city].slug, false);
        }
        Scope::Firmware(v) => kv(buf, "firmware", w.versions.name(*v), true),
        Scope::HostFirmware(h, v) => {
            kv(buf, "host", HOSTS[*h as usize], true);
            kv(buf, "firmware", w.versions.name(*v), false);
        }
        Scope::Issuer(i) => kv(buf, "issuer", i, true),
    }
    buf.push(b'}');
    if let Scope::Issuer(i) = &f.scope {
        buf.extend_from_slice(b",\"bins\":[");
        for (k, b) in BINS.iter().filter(|b| b.issuer == *i).enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            buf.push(b'"');
            buf.extend_from_slice(b.bin.as_bytes());
            buf.push(b'"');
        }
        buf.push(b']');
    }
    buf.extend_from_slice(b",\"terminals\":[");
    for (i, &t) in f.terms.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.push(b'"');
        push_json_str(buf, &w.terms[t as usize].tid);
        buf.push(b'"');
    }
    buf.push(b']');
    buf.jts("start", f.start);
    buf.jts("end", f.end);
    buf.jf("strength", f.strength, 2);
    buf.js("mechanism", f.mechanism);
    buf.extend_from_slice(b"}\n");
}
