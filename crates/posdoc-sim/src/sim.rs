//! The terminal simulation: each terminal is a small state machine driven by
//! heartbeats, customers and its planned conditions; every record it writes
//! is derived from that state, and every failed event gets its truth event.
//!
//! Records go into an arena ([`Out`]) with a sort key (delivery time, then
//! creation order); the arena is sorted and written slice by slice, so the
//! output is in time order (or out of order by at most the allowance when
//! asked) without a per-record allocation.

use std::io::{self, Write};

use crate::fault::{
    BattSeg, Cause, Eff, IssuerOut, LOCAL_OFFSET_S, Off, Reboot, TermPlan, is_open, local_hour,
    supply_nominal,
};
use crate::fmt::{Code, Json, push_json_str, push_padded, push_ts, push_u64};
use crate::rng::{Rng, unit};
use crate::text::{Class, DetailCtx, vendor_code, write_detail};
use crate::world::{BINS, MERCHANT_TYPES, Net, RHYTHMS, Rhythm, TermInfo, VENDORS, Vendor, World};

/// Host channel addresses as terminals have them configured.
const HOST_ADDR: [([u8; 4], u16); 3] = [
    ([10, 18, 1, 20], 5000),
    ([172, 16, 8, 33], 8583),
    ([10, 77, 4, 2], 6001),
];

/// Records may be delivered this much late at most when out-of-order delivery is on.
pub const REORDER_MAX_S: i64 = 55;

// ---- output arena -----------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Ent {
    key: u64,
    start: u32,
    len: u16,
    cause: u8,
}

/// Counters kept while writing.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub records: u64,
    pub bytes: u64,
    pub truth_events: u64,
    pub per_cause: [u64; 27],
    pub max_records: Option<u64>,
}

/// The arena of records and truth lines of the current slice.
#[derive(Debug)]
pub struct Out {
    buf: Vec<u8>,
    spare: Vec<u8>,
    ents: Vec<Ent>,
    seq: u32,
    base: i64,
    ooo_p: f64,
    rng: Rng,
    last_key: u64,
}

impl Out {
    pub fn new(base: i64, out_of_order_p: f64, seed: u64) -> Out {
        Out {
            buf: Vec::with_capacity(1 << 20),
            spare: Vec::with_capacity(1 << 16),
            ents: Vec::with_capacity(8192),
            seq: 0,
            base: base - 4 * 86_400,
            ooo_p: out_of_order_p,
            rng: Rng::stream(seed, 0x0DE1_1FE2),
            last_key: 0,
        }
    }

    /// Starts a record: `{"kind":"...","ts":"...","terminal_id":"..."`.
    #[inline]
    fn head(&mut self, kind: &str, t: i64, tid: &str) -> usize {
        let start = self.buf.len();
        let b = &mut self.buf;
        b.extend_from_slice(b"{\"kind\":\"");
        b.extend_from_slice(kind.as_bytes());
        b.extend_from_slice(b"\",\"ts\":\"");
        push_ts(b, t);
        b.extend_from_slice(b"\",\"terminal_id\":\"");
        b.extend_from_slice(tid.as_bytes());
        b.push(b'"');
        start
    }

    fn key(&mut self, t: i64, truth: bool) -> u64 {
        let rel = (t - self.base).clamp(0, u32::MAX as i64) as u64;
        let k = rel << 32 | ((self.seq as u64 & 0x7FFF_FFFF) << 1) | truth as u64;
        self.seq = self.seq.wrapping_add(1);
        k
    }

    /// Ends a record started with [`Out::head`] (or raw bytes from `start`).
    #[inline]
    fn end(&mut self, start: usize, t: i64) {
        self.buf.extend_from_slice(b"}\n");
        let delivery = if self.ooo_p > 0.0 && self.rng.chance(self.ooo_p) {
            t + self.rng.int(1, REORDER_MAX_S)
        } else {
            t
        };
        let key = self.key(delivery, false);
        self.last_key = key;
        self.ents.push(Ent {
            key,
            start: start as u32,
            len: (self.buf.len() - start) as u16,
            cause: 0,
        });
    }

    /// The truth event of the record just ended.
    fn truth(&mut self, t: i64, tid: &str, cause: Cause, code: &str, stan: Option<u32>) {
        let start = self.buf.len();
        let b = &mut self.buf;
        b.extend_from_slice(b"{\"kind\":\"truth_event\",\"ts\":\"");
        push_ts(b, t);
        b.extend_from_slice(b"\",\"terminal_id\":\"");
        b.extend_from_slice(tid.as_bytes());
        b.push(b'"');
        b.js("cause", cause.id());
        b.js("code", code);
        if let Some(s) = stan {
            b.extend_from_slice(b",\"stan\":\"");
            push_padded(b, s as u64, 6);
            b.push(b'"');
        }
        b.extend_from_slice(b"}\n");
        self.ents.push(Ent {
            key: self.last_key | 1,
            start: start as u32,
            len: (self.buf.len() - start) as u16,
            cause: cause as u8,
        });
    }

    /// A pre-rendered line (no newline).
    pub fn raw(&mut self, t: i64, line: &[u8]) {
        let start = self.buf.len();
        self.buf.extend_from_slice(line);
        self.buf.push(b'\n');
        let key = self.key(t, false);
        self.ents.push(Ent {
            key,
            start: start as u32,
            len: (self.buf.len() - start) as u16,
            cause: 0,
        });
    }

    /// Writes every entry delivered before `upto`, keeps the rest for the
    /// next slice. Returns `true` once `max_records` records were written.
    pub fn flush(
        &mut self,
        upto: i64,
        rec: &mut impl Write,
        truth: &mut impl Write,
        c: &mut Counts,
    ) -> io::Result<bool> {
        self.ents.sort_unstable_by_key(|e| e.key);
        let lim = ((upto - self.base).clamp(0, u32::MAX as i64) as u64) << 32;
        let mut keep = self.ents.len();
        for (i, e) in self.ents.iter().enumerate() {
            if e.key >= lim {
                keep = i;
                break;
            }
            let bytes = &self.buf[e.start as usize..e.start as usize + e.len as usize];
            if e.key & 1 == 0 {
                if c.max_records.is_some_and(|m| c.records >= m) {
                    return Ok(true);
                }
                rec.write_all(bytes)?;
                c.records += 1;
                c.bytes += bytes.len() as u64;
            } else {
                truth.write_all(bytes)?;
                c.truth_events += 1;
                c.per_cause[e.cause as usize] += 1;
            }
        }
        self.spare.clear();
        for e in &mut self.ents[keep..] {
            let s = self.spare.len();
            self.spare
                .extend_from_slice(&self.buf[e.start as usize..e.start as usize + e.len as usize]);
            e.start = s as u32;
        }
        std::mem::swap(&mut self.buf, &mut self.spare);
        self.ents.drain(..keep);
        Ok(c.max_records.is_some_and(|m| c.records >= m))
    }
}

// ---- shared context ----------------------------------------------------------

/// Read-only data shared by all terminals.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub w: &'a World,
    pub issuers: &'a [IssuerOut],
    /// Probability an error record carries a detail line.
    pub detail_p: f64,
    bin_cum: Vec<f64>,
    rhythm: [[f64; 24]; 3],
}

impl<'a> Ctx<'a> {
    pub fn new(w: &'a World, issuers: &'a [IssuerOut], d: f64) -> Ctx<'a> {
        let mut acc = 0.0;
        let bin_cum = BINS
            .iter()
            .map(|b| {
                acc += b.weight;
                acc
            })
            .collect();
        let mut rhythm = RHYTHMS;
        for r in &mut rhythm {
            let max = r.iter().copied().fold(0.0, f64::max);
            for x in r.iter_mut() {
                *x /= max;
            }
        }
        Ctx {
            w,
            issuers,
            detail_p: 0.92 - 0.35 * d,
            bin_cum,
            rhythm,
        }
    }

    fn pick_bin(&self, rng: &mut Rng) -> u8 {
        let x = rng.f64() * self.bin_cum[self.bin_cum.len() - 1];
        self.bin_cum
            .partition_point(|&c| c <= x)
            .min(BINS.len() - 1) as u8
    }
}

// ---- payments ------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Purchase,
    Refund,
    Void,
    Preauth,
    Completion,
    Balance,
}

impl Ty {
    fn as_str(self) -> &'static str {
        match self {
            Ty::Purchase => "purchase",
            Ty::Refund => "refund",
            Ty::Void => "void",
            Ty::Preauth => "preauth",
            Ty::Completion => "completion",
            Ty::Balance => "balance",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ch {
    Ic,
    Swipe,
    Nfc,
    Qr,
}

impl Ch {
    fn as_str(self) -> &'static str {
        match self {
            Ch::Ic => "card_ic",
            Ch::Swipe => "card_swipe",
            Ch::Nfc => "nfc",
            Ch::Qr => "qr",
        }
    }
    fn card(self) -> bool {
        self != Ch::Qr
    }
}

/// One payment attempt as the cashier keys it.
#[derive(Clone, Copy, Debug)]
pub struct Pay {
    ty: Ty,
    ch: Ch,
    amount: u32,
    bin: u8,
    last4: u16,
    tries: u8,
    pin: bool,
    unusual: bool,
}

/// Something that happens to a terminal at a moment.
#[derive(Clone, Copy, Debug)]
pub enum Ev {
    Hb,
    Txn,
    Retry(Pay),
    Boot(u32),
    Complaint(Class, Code, bool),
}

/// A failure as the terminal met it.
#[derive(Clone, Copy, Debug)]
struct Fail {
    class: Class,
    cause: Cause,
    rc: Option<&'static str>,
}

#[derive(Clone, Copy, Debug)]
enum Outcome {
    /// Failed before (or without) a host exchange: only an error record.
    Local(Fail),
    /// Sent and timed out.
    Timeout(Fail, u32),
    /// Answered with a non-approval.
    Declined(Fail, u32),
    /// Approved, maybe with a failure after the answer (receipt, journal).
    Approved(u32, Option<Fail>),
    /// The answer arrived garbled: the terminal reports, the host approved.
    Garbled(Fail, u32),
}

/// Network conditions at a terminal at one moment.
#[derive(Clone, Copy, Debug)]
struct NetSt {
    down: Option<(Class, Cause)>,
    rssi: f64,
    loss: f64,
    lat: f64,
    lc: [(Cause, f64); 4],
    nlc: usize,
}

impl NetSt {
    fn add(&mut self, c: Cause, l: f64) {
        if l <= 0.0 {
            return;
        }
        self.loss += l;
        for i in 0..self.nlc {
            if self.lc[i].0 == c {
                self.lc[i].1 += l;
                return;
            }
        }
        if self.nlc < self.lc.len() {
            self.lc[self.nlc] = (c, l);
            self.nlc += 1;
        }
    }
    fn loss_cause(&self, rng: &mut Rng, default: Cause) -> Cause {
        if self.nlc == 0 {
            return default;
        }
        let mut x = rng.f64() * self.lc[..self.nlc].iter().map(|c| c.1).sum::<f64>();
        for &(c, l) in &self.lc[..self.nlc] {
            if x < l {
                return c;
            }
            x -= l;
        }
        self.lc[self.nlc - 1].0
    }
}

// ---- terminal ------------------------------------------------------------------

/// One simulated terminal.
#[derive(Debug)]
pub struct Term {
    i: usize,
    rng: Rng,
    hb: i64,
    phase: i64,
    rate: f64,
    rssi0: f64,
    lat0: f64,
    loss0: f64,
    supply0: f64,
    batt: f64,
    batt_base: f64,
    sto: f64,
    sto_base: f64,
    sto_fault: bool,
    mem0: f64,
    cpu0: f64,
    temp0: f64,
    skew0: f64,
    stan: u32,
    fw: u16,
    app: u16,
    ver_changed: bool,
    c_kpd: u32,
    c_crd: u32,
    c_crash: u32,
    c_pev: u32,
    reboot: Option<Reboot>,
    dyn_off_end: i64,
    dyn_off_why: Reboot,
    rssi_w: f64,
    last_hb: i64,
    off_cur: usize,
    boot_cur: usize,
    dip_cur: usize,
    crash_cur: usize,
    ver_cur: usize,
    memr_cur: usize,
    plan: TermPlan,
    pending: Vec<(i64, Ev)>,
    fails: u32,
    last_fail: i64,
    last_complaint: i64,
    n_complaints: u32,
    reversal: Option<(u32, Ch)>,
    log_p: f64,
    /// Issuer outages (truth `fault_id`s) that failed one of this
    /// terminal's payments: an issuer's fault has no fixed terminals, its
    /// truth lists the ones it reached.
    pub issuer_hits: Vec<u32>,
}

impl Term {
    pub fn new(i: usize, plan: TermPlan, w: &World, seed: u64, s0: i64, d: f64) -> Term {
        let info = &w.terms[i];
        let v = &VENDORS[info.vendor];
        let m = &w.merchants[info.merchant as usize];
        let ty = &MERCHANT_TYPES[m.mtype];
        let mut rng = Rng::stream(seed, 0x7E_0000 + i as u64);
        let hb = v.hb_s as i64;
        let rssi0 = match info.net {
            Net::Cellular if plan.poor_rssi => rng.range(-99.0, -94.0),
            Net::Cellular => (-78.0 + 8.0 * rng.normal()).clamp(-97.0, -55.0),
            Net::Wifi if plan.poor_rssi => rng.range(-77.0, -72.0),
            Net::Wifi => (-58.0 + 7.0 * rng.normal()).clamp(-74.0, -35.0),
            Net::Ethernet => 0.0,
        };
        let lat0 = match info.net {
            Net::Ethernet => rng.lognormal(35.0, 0.3),
            Net::Wifi => rng.lognormal(55.0, 0.35),
            Net::Cellular => rng.lognormal(150.0, 0.35),
        };
        let loss0 = if plan.poor_rssi {
            rng.range(0.005, 0.03)
        } else {
            0.0
        };
        let sto = rng.range(15.0, 85.0);
        let outdoor = if ty.outdoor { 6.0 } else { 0.0 };
        Term {
            i,
            hb,
            phase: s0 - rng.int(0, hb - 1),
            rate: plan.rate,
            rssi0,
            lat0,
            loss0,
            supply0: if info.portable() {
                0.0
            } else {
                supply_nominal(w, i)
            },
            batt: rng.range(45.0, 100.0),
            batt_base: rng.range(55.0, 100.0),
            sto,
            sto_base: sto,
            sto_fault: false,
            mem0: rng.range(30.0, 68.0),
            cpu0: rng.range(4.0, 30.0),
            temp0: rng.range(31.0, 45.0) + outdoor,
            skew0: rng.range(-2.0, 2.0),
            stan: rng.int(1, 900_000) as u32,
            fw: info.fw,
            app: info.app,
            ver_changed: false,
            c_kpd: 0,
            c_crd: 0,
            c_crash: 0,
            c_pev: 0,
            reboot: None,
            dyn_off_end: 0,
            dyn_off_why: Reboot::Crash,
            rssi_w: 0.0,
            last_hb: s0,
            off_cur: 0,
            boot_cur: 0,
            dip_cur: 0,
            crash_cur: 0,
            ver_cur: 0,
            memr_cur: 0,
            plan,
            pending: Vec::new(),
            fails: 0,
            last_fail: i64::MIN / 2,
            last_complaint: i64::MIN / 2,
            n_complaints: 0,
            reversal: None,
            log_p: (v.log_p * (1.0 - 0.2 * d)).clamp(0.3, 1.0),
            issuer_hits: Vec::new(),
            rng,
        }
    }

    /// Simulates `[a, b)`.
    pub fn run(
        &mut self,
        a: i64,
        b: i64,
        cx: &Ctx<'_>,
        out: &mut Out,
        evs: &mut Vec<(i64, u32, Ev)>,
    ) {
        evs.clear();
        let mut seq = 0u32;
        let mut k = 0;
        while k < self.pending.len() {
            if self.pending[k].0 < b {
                let (t, e) = self.pending.swap_remove(k);
                evs.push((t, seq, e));
                seq += 1;
            } else {
                k += 1;
            }
        }
        // heartbeats
        let k0 = (a - self.phase).div_euclid(self.hb) - 1;
        let mut kk = k0;
        loop {
            let base = self.phase + kk * self.hb;
            if base >= b {
                break;
            }
            let t = base + (crate::rng::mix(self.i as u64, kk as u64) % 3) as i64;
            if t >= a && t < b {
                evs.push((t, seq, Ev::Hb));
                seq += 1;
            }
            kk += 1;
        }
        // customers
        let info = &cx.w.terms[self.i];
        let m = &cx.w.merchants[info.merchant as usize];
        let mid_t = (a + b) / 2;
        let hour = local_hour(mid_t);
        if is_open(m.mtype, hour) {
            let r = match MERCHANT_TYPES[m.mtype].rhythm {
                Rhythm::Meals => 0,
                Rhythm::Retail => 1,
                Rhythm::AllDay => 2,
            };
            let lam = self.rate * cx.rhythm[r][hour as usize] * (b - a) as f64 / 3600.0;
            for _ in 0..self.rng.poisson(lam) {
                let t = a + self.rng.below((b - a) as u64) as i64;
                evs.push((t, seq, Ev::Txn));
                seq += 1;
            }
        }
        // boots at the end of planned off intervals
        while self.boot_cur < self.plan.offs.len() && self.plan.offs[self.boot_cur].end < b {
            let end = self.plan.offs[self.boot_cur].end;
            if end >= a {
                evs.push((end, seq, Ev::Boot(self.boot_cur as u32)));
                seq += 1;
            }
            self.boot_cur += 1;
        }
        evs.sort_unstable_by_key(|e| (e.0, e.1));
        let mut idx = 0;
        while idx < evs.len() {
            let (t, _, ev) = evs[idx];
            idx += 1;
            self.handle(t, ev, cx, out);
            // events scheduled by that one inside this slice join the queue in order
            let mut k = 0;
            while k < self.pending.len() {
                if self.pending[k].0 < b {
                    let (tn, e) = self.pending.swap_remove(k);
                    let pos = idx + evs[idx..].partition_point(|x| x.0 <= tn);
                    evs.insert(pos, (tn, seq, e));
                    seq += 1;
                } else {
                    k += 1;
                }
            }
        }
    }

    fn handle(&mut self, t: i64, ev: Ev, cx: &Ctx<'_>, out: &mut Out) {
        match ev {
            Ev::Hb => self.heartbeat(t, cx, out),
            Ev::Txn => {
                if self.powered(t) {
                    let p = self.new_pay(t, cx);
                    self.txn(t, p, cx, out);
                }
            }
            Ev::Retry(p) => {
                if self.powered(t) {
                    self.txn(t, p, cx, out);
                }
            }
            Ev::Boot(k) => {
                let off = self.plan.offs[k as usize];
                self.boot(t, off, cx, out);
            }
            Ev::Complaint(class, code, customer) => {
                self.complaint(t, class, code, customer, cx, out)
            }
        }
    }

    #[inline]
    fn info<'w>(&self, cx: &Ctx<'w>) -> &'w TermInfo {
        &cx.w.terms[self.i]
    }

    #[inline]
    fn vendor(&self, cx: &Ctx<'_>) -> &'static Vendor {
        &VENDORS[cx.w.terms[self.i].vendor]
    }

    fn powered(&mut self, t: i64) -> bool {
        let offs = &self.plan.offs;
        while self.off_cur < offs.len() && offs[self.off_cur].end <= t {
            self.off_cur += 1;
        }
        if self.off_cur < offs.len() && offs[self.off_cur].start <= t {
            return false;
        }
        if self.dyn_off_end > t {
            return false;
        }
        if self.dyn_off_end != 0 {
            self.reboot = Some(self.dyn_off_why);
            self.dyn_off_end = 0;
        }
        true
    }

    fn apply_versions(&mut self, t: i64) {
        while self.ver_cur < self.plan.vers.len() && self.plan.vers[self.ver_cur].0 <= t {
            let (_, fw, app) = self.plan.vers[self.ver_cur];
            self.fw = fw;
            self.app = app;
            self.ver_changed = true;
            self.ver_cur += 1;
        }
    }

    fn eff(&self, cause: Cause, t: i64) -> Option<Eff> {
        self.plan
            .effs
            .iter()
            .find(|e| e.cause == cause && e.within(t))
            .copied()
    }

    fn vis_of(&self, cause: Cause, t: i64) -> f64 {
        self.eff(cause, t).map_or(0.5, |e| e.vis)
    }

    // ---- physical readings ----

    fn batt_at(&self, t: i64) -> Option<f64> {
        let segs = &self.plan.batt;
        let k = segs.partition_point(|s| s.t <= t);
        if k == 0 {
            return None;
        }
        let BattSeg {
            t: t0,
            level,
            drain,
        } = segs[k - 1];
        Some((level - drain * (t - t0) as f64 / 3600.0).max(0.0))
    }

    fn mem_at(&mut self, t: i64) -> f64 {
        let noise = self.rng.range(-2.0, 2.0);
        if let Some(e) = self.eff(Cause::ResMemory, t) {
            let resets = &self.plan.mem_resets;
            while self.memr_cur < resets.len() && resets[self.memr_cur].0 <= t {
                self.memr_cur += 1;
            }
            let (from, lvl) = if self.memr_cur > 0 && resets[self.memr_cur - 1].0 >= e.start {
                resets[self.memr_cur - 1]
            } else {
                (e.start, e.b)
            };
            // climbs to the next restart (or at the leak rate after the last one)
            let level = match resets.get(self.memr_cur) {
                Some(&(next, _)) if next > from => {
                    lvl + (99.0 - lvl) * (t - from) as f64 / (next - from) as f64
                }
                _ => lvl + e.a * (t - from) as f64 / 3600.0,
            };
            return (level + noise).clamp(0.0, 99.6);
        }
        (self.mem0 + noise).clamp(5.0, 95.0)
    }

    fn cpu_at(&mut self, t: i64) -> f64 {
        if let Some(e) = self.eff(Cause::ResCpu, t)
            && e.on(t)
        {
            return self.rng.range(84.0, 100.0);
        }
        (self.cpu0 + self.rng.lognormal(1.0, 0.8) * 4.0).min(80.0)
    }

    fn supply_at(&mut self, t: i64) -> f64 {
        let mut v = self.supply0 * (1.0 + 0.004 * self.rng.normal());
        for e in &self.plan.effs {
            if e.cause != Cause::PowerSupply || !e.within(t) {
                continue;
            }
            match e.mode {
                0 => v *= 1.0 - e.a * self.rng.range(0.8, 1.1),
                1 => v *= 1.0 - e.a * self.rng.range(0.0, 1.6),
                _ => {
                    if t < e.a as i64 {
                        v *= 1.0 - self.rng.range(0.0, 0.12);
                    }
                }
            }
        }
        // a dip in the last minute still shows
        let dips = &self.plan.dips;
        let k = dips.partition_point(|&d| d <= t);
        if k > 0 && t - dips[k - 1] < 60 {
            v *= self.rng.range(0.75, 0.9);
        }
        v
    }

    fn paper_out(&self, t: i64) -> bool {
        self.plan.paper.iter().any(|&(a, b)| a <= t && t < b)
    }

    fn net(&mut self, t: i64, cx: &Ctx<'_>) -> NetSt {
        let info = &cx.w.terms[self.i];
        let wireless = info.net != Net::Ethernet;
        let base_cause = if wireless {
            Cause::NetSignal
        } else {
            Cause::NetLan
        };
        let mut st = NetSt {
            down: None,
            rssi: self.rssi0 + self.rssi_w,
            loss: 0.0,
            lat: self.lat0,
            lc: [(Cause::NetLan, 0.0); 4],
            nlc: 0,
        };
        st.add(base_cause, self.loss0);
        for &(a, b, l) in &self.plan.blips {
            if a <= t && t < b {
                st.add(base_cause, l);
            }
        }
        for e in &self.plan.effs {
            if !e.within(t) {
                continue;
            }
            match e.cause {
                Cause::NetSignal if wireless && e.on(t) => {
                    let f = if e.mode == 1 {
                        0.4 + 0.6 * unit(e.key, (t / 20) as u64)
                    } else {
                        1.0
                    };
                    st.rssi -= e.a * f;
                }
                Cause::NetLan if info.net != Net::Cellular && e.on(t) => {
                    if e.mode == 0 {
                        st.down.get_or_insert((Class::Connect, Cause::NetLan));
                    } else {
                        st.add(
                            Cause::NetLan,
                            e.a * (0.6 + 0.8 * unit(e.key, (t / 30) as u64)),
                        );
                        st.lat += e.b * unit(e.key ^ 1, (t / 30) as u64);
                    }
                }
                Cause::NetCarrier if info.net == Net::Cellular && e.on(t) => {
                    if e.mode == 0 {
                        st.down.get_or_insert((Class::Connect, Cause::NetCarrier));
                    } else {
                        st.add(
                            Cause::NetCarrier,
                            e.a * (0.6 + 0.8 * unit(e.key, (t / 30) as u64)),
                        );
                        st.lat += e.b * unit(e.key ^ 1, (t / 30) as u64);
                    }
                }
                // the site's router has no power either
                Cause::PowerSupply
                    if e.mode == 2
                        && info.net == Net::Wifi
                        && t >= e.a as i64
                        && t < e.b as i64 + 120 =>
                {
                    st.down.get_or_insert((Class::Connect, Cause::PowerSupply));
                }
                _ => {}
            }
        }
        if let Some(b) = self.batt_at(t)
            && b < 6.0
            && self.eff(Cause::PowerBattery, t).is_some()
        {
            st.down
                .get_or_insert((Class::LowBattery, Cause::PowerBattery));
        }
        match info.net {
            Net::Cellular => {
                if st.rssi < -112.0 {
                    st.down.get_or_insert((Class::Connect, Cause::NetSignal));
                }
                let l = ((-97.0 - st.rssi) / 14.0).clamp(0.0, 1.0);
                st.add(Cause::NetSignal, l * l * 0.75);
                st.lat += (-st.rssi - 88.0).max(0.0) * 30.0;
            }
            Net::Wifi => {
                if st.rssi < -88.0 {
                    st.down.get_or_insert((Class::Connect, Cause::NetSignal));
                }
                let l = ((-75.0 - st.rssi) / 12.0).clamp(0.0, 1.0);
                st.add(Cause::NetSignal, l * l * 0.75);
                st.lat += (-st.rssi - 70.0).max(0.0) * 20.0;
            }
            Net::Ethernet => {}
        }
        st.loss = st.loss.min(0.97);
        st
    }

    // ---- heartbeats ----

    fn heartbeat(&mut self, t: i64, cx: &Ctx<'_>, out: &mut Out) {
        let v = self.vendor(cx);
        let info = self.info(cx);
        if !self.powered(t) {
            if v.offline_marker {
                let s = out.head("telemetry", t, &info.tid);
                out.buf.jb("online", false);
                out.end(s, t);
            }
            return;
        }
        self.apply_versions(t);
        let dips = &self.plan.dips;
        while self.dip_cur < dips.len() && dips[self.dip_cur] <= t {
            self.c_pev += 1;
            self.dip_cur += 1;
        }
        let crashes = &self.plan.crashes;
        while self.crash_cur < crashes.len() && crashes[self.crash_cur] <= t {
            self.c_crash += 1;
            self.crash_cur += 1;
        }
        if self.eff(Cause::ResStorage, t).is_none() && self.sto_fault {
            self.sto_fault = false;
            self.sto = self.sto_base;
        }
        self.rssi_w = 0.8 * self.rssi_w + 1.6 * self.rng.normal();
        let net = self.net(t, cx);
        if net.down.is_some() || self.rng.chance(net.loss * net.loss * 0.7) {
            if v.offline_marker {
                let s = out.head("telemetry", t, &info.tid);
                out.buf.jb("online", false);
                out.end(s, t);
            }
            return;
        }
        let f = v.fields;
        let sparse = v.sparse_counters;
        use crate::world::*;
        let s = out.head("telemetry", t, &info.tid);
        if f & F_ONLINE != 0 {
            out.buf.jb("online", true);
        }
        if f & F_RSSI != 0 && info.wireless() {
            out.buf.ji("rssi_dbm", net.rssi.round() as i64);
        }
        if f & F_LAT != 0 {
            let mut lat = net.lat * self.rng.lognormal(1.0, 0.2);
            if let Some(e) = self.eff(Cause::ResCpu, t)
                && e.on(t)
            {
                lat += e.a * 0.05 * self.rng.f64();
            }
            out.buf.ji("latency_ms", lat.round() as i64);
        }
        if f & F_LOSS != 0 {
            let measured = if net.loss < 1e-4 {
                0
            } else {
                (0..20).filter(|_| self.rng.chance(net.loss)).count()
            };
            out.buf.jf("packet_loss", measured as f64 / 20.0, 2);
        }
        if f & F_SUPPLY != 0 && self.supply0 > 0.0 {
            let v = self.supply_at(t);
            out.buf.jf("supply_v", v, 2);
        }
        if f & F_BATT != 0 && info.portable() {
            let b = match self.batt_at(t) {
                Some(b) => b,
                None => {
                    let outage = self.plan.effs.iter().any(|e| {
                        e.cause == Cause::PowerSupply
                            && e.mode == 2
                            && t >= e.a as i64
                            && t < e.b as i64
                    });
                    if outage {
                        self.batt -= (t - self.last_hb) as f64 / 3600.0 * 14.0;
                    } else {
                        self.batt += (self.batt_base - self.batt) * 0.03 + 0.4 * self.rng.normal();
                    }
                    self.batt = self.batt.clamp(3.0, 100.0);
                    self.batt
                }
            };
            out.buf.ji("battery_pct", b.round() as i64);
        }
        if f & F_PEV != 0 && (!sparse || self.c_pev > 0) {
            out.buf.ji("power_events", self.c_pev as i64);
        }
        if f & F_REBOOT != 0
            && let Some(r) = self.reboot
        {
            out.buf.js("reboot", r.as_str());
        }
        if f & F_STO != 0 {
            let sto = self.storage_at(t);
            out.buf
                .ji("storage_used_pct", sto.floor().min(100.0) as i64);
        }
        if f & F_MEM != 0 {
            let m = self.mem_at(t);
            out.buf.ji("memory_used_pct", m.round() as i64);
        }
        if f & F_CPU != 0 {
            let c = self.cpu_at(t);
            out.buf.ji("cpu_pct", c.round() as i64);
        }
        if f & F_TEMP != 0 {
            let temp = self.temp_at(t);
            out.buf.ji("temp_c", temp);
        }
        if f & F_KEY != 0 {
            let k = match self.eff(Cause::SecKeys, t) {
                Some(e) if e.mode == 1 => "missing",
                Some(e) if unit(e.key, 7) < e.vis + 0.1 => "mismatch",
                _ => "ok",
            };
            out.buf.js("key_check", k);
        }
        if f & F_SKEW != 0 {
            let mut skew = self.skew0 + self.rng.range(-0.6, 0.6);
            if let Some(e) = self.eff(Cause::SecCertificate, t)
                && e.mode == 1
            {
                skew += e.a;
            }
            out.buf.ji("clock_skew_s", skew.round() as i64);
        }
        if f & F_PRN != 0 && info.model().printer {
            let p = if self.paper_out(t) {
                "paper_out"
            } else if let Some(e) = self.eff(Cause::HwPrinter, t)
                && e.mode == 0
                && unit(e.key, 11) < e.vis + 0.2
            {
                "fault"
            } else {
                "ok"
            };
            out.buf.js("printer", p);
        }
        if f & F_KPD != 0 && (!sparse || self.c_kpd > 0) {
            out.buf.ji("keypad_errors", self.c_kpd as i64);
        }
        if f & F_CRD != 0 && (!sparse || self.c_crd > 0) {
            out.buf.ji("card_reader_errors", self.c_crd as i64);
        }
        if f & F_CRASH != 0 && (!sparse || self.c_crash > 0) {
            out.buf.ji("app_crashes", self.c_crash as i64);
        }
        if f & F_VER != 0 && self.ver_changed {
            out.buf.js("firmware", cx.w.versions.name(self.fw));
            out.buf.js("app_version", cx.w.versions.name(self.app));
        }
        out.end(s, t);
        self.c_pev = 0;
        self.c_kpd = 0;
        self.c_crd = 0;
        self.c_crash = 0;
        self.reboot = None;
        self.ver_changed = false;
        self.last_hb = t;
    }

    fn storage_at(&mut self, t: i64) -> f64 {
        if let Some(e) = self.eff(Cause::ResStorage, t) {
            if !self.sto_fault {
                self.sto_fault = true;
                self.sto = self.sto.max(e.a);
            }
        } else if self.sto_fault {
            self.sto_fault = false;
            self.sto = self.sto_base;
        }
        self.sto
    }

    fn temp_at(&mut self, t: i64) -> i64 {
        let mut temp = self.temp0 + self.rng.range(-1.0, 1.0);
        if let Some(e) = self.eff(Cause::HwBoard, t) {
            if e.mode == 1 && self.rng.chance(0.3 + 0.4 * e.vis) {
                return *self.rng.pick(&[-40i64, 0, 127, 125, 99]);
            }
            temp += e.a * (0.5 + 0.5 * e.vis) * self.rng.range(0.8, 1.1);
        }
        temp.round() as i64
    }

    // ---- boot ----

    fn boot(&mut self, t: i64, off: Off, cx: &Ctx<'_>, out: &mut Out) {
        self.reboot = Some(off.why);
        if off.why == Reboot::PowerLoss && off.cause != Some(Cause::PowerBattery) {
            self.c_pev += 1;
        }
        if off.why == Reboot::Update {
            self.apply_versions(t + 1);
        }
        // a damaged board fails its self test; a bad supply can too
        let board = self.eff(Cause::HwBoard, t).map(|e| (e.s, e.vis));
        let fail = if let Some((s, _)) = board
            && self.rng.chance(0.3 + 0.5 * s)
        {
            Some(Cause::HwBoard)
        } else if off.cause == Some(Cause::PowerSupply) && self.rng.chance(0.2) {
            Some(Cause::PowerSupply)
        } else if off.cause == Some(Cause::PowerBattery) && self.rng.chance(0.35) {
            Some(Cause::PowerBattery)
        } else {
            None
        };
        if let Some(cause) = fail {
            let class = if cause == Cause::PowerBattery {
                Class::LowBattery
            } else {
                Class::PowerOn
            };
            let at = t + self.rng.int(3, 25);
            if self.rng.chance(0.9) {
                self.error(at, class, cause, None, None, 0, cx, out);
            }
        }
    }

    // ---- payments ----

    fn new_pay(&mut self, t: i64, cx: &Ctx<'_>) -> Pay {
        let info = &cx.w.terms[self.i];
        let m = &cx.w.merchants[info.merchant as usize];
        let ty = &MERCHANT_TYPES[m.mtype];
        let mut card_share = ty.card_share;
        let mut refund_extra = 0.0;
        let mut unusual_p = 0.0;
        for e in &self.plan.effs {
            if !e.within(t) {
                continue;
            }
            match e.cause {
                // customers are sent to QR once the cashier knows the reader is bad
                Cause::HwCardReader => card_share *= 1.0 - 0.25 * e.s,
                Cause::BizTxnType => refund_extra = e.a,
                Cause::BizRisk => unusual_p = e.a,
                _ => {}
            }
        }
        let r = &mut self.rng;
        let unusual = unusual_p > 0.0 && r.chance(unusual_p);
        let ch = if unusual {
            if r.chance(0.6) { Ch::Swipe } else { Ch::Ic }
        } else if r.chance(card_share) {
            match r.weighted(&[0.55, 0.35, 0.10]) {
                0 => Ch::Ic,
                1 => Ch::Nfc,
                _ => Ch::Swipe,
            }
        } else {
            Ch::Qr
        };
        let x = r.f64();
        let mut tty = if x < ty.preauth {
            Ty::Preauth
        } else if x < ty.preauth * 1.6 {
            Ty::Completion
        } else {
            let y = r.f64();
            if y < 0.025 {
                Ty::Void
            } else if y < 0.037 + refund_extra {
                Ty::Refund
            } else if y < 0.045 + refund_extra && ch.card() {
                Ty::Balance
            } else {
                Ty::Purchase
            }
        };
        if refund_extra > 0.0 && tty == Ty::Purchase && r.chance(refund_extra * 0.5) {
            tty = Ty::Preauth;
        }
        let mut amount = if unusual {
            (r.int(20, 500) * 10_000) as f64
        } else {
            r.lognormal(ty.median, ty.sigma)
        };
        if !unusual && r.chance(0.45) {
            amount = (amount / 100.0).round() * 100.0;
        }
        let amount = if tty == Ty::Balance {
            0
        } else {
            amount.clamp(100.0, 2.0e9) as u32
        };
        let bin = cx.pick_bin(r);
        let credit = BINS[bin as usize].credit;
        let pin = match ch {
            Ch::Qr => false,
            Ch::Nfc => amount > 100_000,
            _ => r.chance(if credit { 0.3 } else { 0.85 }),
        };
        Pay {
            ty: tty,
            ch,
            amount,
            bin,
            last4: r.below(10_000) as u16,
            tries: 0,
            pin,
            unusual,
        }
    }

    /// Runs one payment through the terminal, the network and the host.
    fn attempt(&mut self, t: i64, p: &Pay, cx: &Ctx<'_>) -> Outcome {
        let info = &cx.w.terms[self.i];
        let v = &VENDORS[info.vendor];
        let m = &cx.w.merchants[info.merchant as usize];
        macro_rules! local {
            ($class:expr, $cause:expr) => {
                return Outcome::Local(Fail {
                    class: $class,
                    cause: $cause,
                    rc: None,
                })
            };
        }
        // 1. the device and the app
        if let Some(b) = self.batt_at(t)
            && b < 15.0
            && self.eff(Cause::PowerBattery, t).is_some()
            && self.rng.chance((15.0 - b) / 12.0)
        {
            local!(Class::LowBattery, Cause::PowerBattery);
        }
        let mut sto_block = false;
        for k in 0..self.plan.effs.len() {
            let e = self.plan.effs[k];
            if !e.within(t) {
                continue;
            }
            match e.cause {
                Cause::SwBug if self.rng.chance(e.a) => {
                    self.c_crash += 1;
                    if self.rng.chance(0.25) {
                        self.dyn_off_end = t + self.rng.int(30, 75);
                        self.dyn_off_why = Reboot::Crash;
                    }
                    let c = if self.rng.chance(0.5) {
                        Class::Crash
                    } else {
                        Class::App
                    };
                    local!(c, Cause::SwBug);
                }
                Cause::ResMemory => {
                    let mem = self.mem_at(t);
                    if mem > 85.0
                        && self
                            .rng
                            .chance(((mem - 85.0) / 14.0).powf(1.5) * (0.4 + 0.6 * e.s))
                    {
                        self.c_crash += 1;
                        if self.rng.chance(0.3) {
                            self.dyn_off_end = t + self.rng.int(30, 75);
                            self.dyn_off_why = Reboot::Crash;
                        }
                        let c = if self.rng.chance(0.6) {
                            Class::Memory
                        } else {
                            Class::Crash
                        };
                        local!(c, Cause::ResMemory);
                    }
                }
                Cause::ResStorage => {
                    let sto = self.storage_at(t);
                    if sto >= 99.0 && self.rng.chance(0.9) {
                        sto_block = true;
                    }
                }
                Cause::HwDisplay if e.on(t) && self.rng.chance(e.a) => {
                    let c = *self.rng.pick(&[
                        Class::Display,
                        Class::Display,
                        Class::InputRetry,
                        Class::Operator,
                    ]);
                    local!(c, Cause::HwDisplay);
                }
                Cause::HwBoard if self.rng.chance(0.08 + 0.2 * e.s) => {
                    // a failing bus takes the modem or the card module down with it
                    let c = *self.rng.pick(&[
                        Class::App,
                        Class::App,
                        Class::Crash,
                        Class::Connect,
                        Class::CardRead,
                    ]);
                    local!(c, Cause::HwBoard);
                }
                Cause::ResCpu if e.on(t) && self.rng.chance(0.1 + 0.2 * e.s) => {
                    local!(Class::App, Cause::ResCpu);
                }
                Cause::OperatorError
                    if self.rng.chance(e.a) && !matches!(p.ty, Ty::Void | Ty::Refund) =>
                {
                    let c = if self.rng.chance(0.6) {
                        Class::InputRetry
                    } else {
                        Class::Operator
                    };
                    local!(c, Cause::OperatorError);
                }
                // a stuck key also garbles the amount on keypad terminals
                Cause::HwKeypad
                    if !info.model().android && e.on(t) && self.rng.chance(e.a * 0.5) =>
                {
                    self.c_kpd += 1;
                    local!(Class::InputRetry, Cause::HwKeypad);
                }
                _ => {}
            }
        }
        if sto_block {
            local!(Class::Storage, Cause::ResStorage);
        }
        // ordinary mistakes and cancels
        if self.rng.chance(0.0025) {
            let c = if self.rng.chance(0.7) {
                Class::InputRetry
            } else {
                Class::Operator
            };
            local!(c, Cause::OperatorError);
        }
        // 2. the card
        if p.ch.card() {
            if let Some(e) = self.eff(Cause::HwCardReader, t) {
                let hit = match e.mode {
                    0 => p.ch == Ch::Ic,
                    1 => p.ch == Ch::Swipe,
                    2 => p.ch == Ch::Nfc,
                    _ => true,
                };
                let a = e.a;
                if hit && self.rng.chance(a) {
                    self.c_crd += 1;
                    local!(Class::CardRead, Cause::HwCardReader);
                }
            }
            if p.pin
                && let Some(e) = self.eff(Cause::HwKeypad, t)
                && e.on(t)
                && self.rng.chance(e.a)
            {
                self.c_kpd += 1;
                let c = if self.rng.chance(0.7) {
                    Class::Pin
                } else {
                    Class::InputRetry
                };
                local!(c, Cause::HwKeypad);
            }
        }
        self.stan = if self.stan >= 999_999 {
            1
        } else {
            self.stan + 1
        };
        // 3. building the message
        if let Some(e) = self.eff(Cause::SecKeys, t)
            && e.mode == 1
            && (p.ch.card() || self.rng.chance(0.5))
        {
            local!(Class::Mac, Cause::SecKeys);
        }
        // 4. connecting
        let net = self.net(t, cx);
        if let Some((class, cause)) = net.down {
            local!(class, cause);
        }
        for k in 0..self.plan.effs.len() {
            let e = self.plan.effs[k];
            if !e.within(t) {
                continue;
            }
            match e.cause {
                Cause::SwConfig if e.mode == 0 && self.rng.chance(e.a) => {
                    let c = if self.rng.chance(0.6) {
                        Class::Refused
                    } else {
                        Class::Connect
                    };
                    local!(c, Cause::SwConfig);
                }
                Cause::UpAcquirer if e.mode == 0 && e.on(t) && self.rng.chance(e.a) => {
                    if self.rng.chance(0.4) {
                        let c = if self.rng.chance(0.5) {
                            Class::Refused
                        } else {
                            Class::Connect
                        };
                        local!(c, Cause::UpAcquirer);
                    }
                    return Outcome::Timeout(
                        Fail {
                            class: Class::Timeout,
                            cause: Cause::UpAcquirer,
                            rc: None,
                        },
                        v.timeout_ms,
                    );
                }
                Cause::PowerSupply if e.mode < 2 && self.rng.chance(e.b) => {
                    // the supply sags under transmit load and the modem resets
                    let c = if self.rng.chance(0.6) {
                        Class::Connect
                    } else {
                        Class::Send
                    };
                    local!(c, Cause::PowerSupply);
                }
                Cause::PowerSupply
                    if e.mode == 2 && t < e.a as i64 && self.rng.chance(0.1 + 0.25 * e.s) =>
                {
                    let c = if self.rng.chance(0.6) {
                        Class::Connect
                    } else {
                        Class::Send
                    };
                    local!(c, Cause::PowerSupply);
                }
                _ => {}
            }
        }
        let p_cf = (net.loss.powf(1.3) * 1.2).min(0.98);
        if p_cf > 0.0 && self.rng.chance(p_cf) {
            let c = net.loss_cause(&mut self.rng, Cause::NetSignal);
            let cl = if self.rng.chance(0.8) {
                Class::Connect
            } else {
                Class::Send
            };
            local!(cl, c);
        }
        // 5. TLS
        let cert_bad = info.cert_not_after.is_some_and(|na| t >= na);
        if let Some(e) = self.eff(Cause::SecCertificate, t)
            && (e.mode == 1 || cert_bad)
        {
            local!(Class::Tls, Cause::SecCertificate);
        }
        if let Some(e) = self.eff(Cause::SwIncompatible, t)
            && e.mode == 1
            && self.rng.chance(e.a)
        {
            local!(Class::Tls, Cause::SwIncompatible);
        }
        // 6. the exchange
        let rtt = net.lat * self.rng.lognormal(1.0, 0.25);
        let net_ms = 2.5 * rtt;
        let mut ms = net_ms
            + self.rng.lognormal(320.0, 0.35)
            + if p.ch.card() {
                self.rng.lognormal(260.0, 0.5)
            } else {
                self.rng.lognormal(180.0, 0.4)
            };
        let mut extra = (0.0, Cause::NetLan);
        let p_to = (net.loss.powf(1.2) * 0.9).min(0.95);
        if p_to > 0.0 && self.rng.chance(p_to) {
            let c = net.loss_cause(&mut self.rng, Cause::NetSignal);
            return Outcome::Timeout(
                Fail {
                    class: Class::Timeout,
                    cause: c,
                    rc: None,
                },
                v.timeout_ms,
            );
        }
        for k in 0..self.plan.effs.len() {
            let e = self.plan.effs[k];
            if !e.within(t) || !e.on(t) {
                continue;
            }
            let x = match e.cause {
                Cause::ResCpu => self.rng.lognormal(e.a, 0.7),
                Cause::UpAcquirer if e.mode == 1 => self.rng.lognormal(e.b * 0.3, 0.9),
                _ => 0.0,
            };
            ms += x;
            if x > extra.0 {
                extra = (x, e.cause);
            }
        }
        let issuer_out = if p.ch.card() {
            let iss = BINS[p.bin as usize].issuer;
            cx.issuers
                .iter()
                .find(|o| o.issuer == iss && o.eff.on(t))
                .map(|o| o.eff)
        } else {
            None
        };
        if let Some(e) = issuer_out
            && self.rng.chance(e.a * 0.25)
        {
            // the issuer does not answer and the host waits past the terminal's timer
            let x = v.timeout_ms as f64 * self.rng.range(0.9, 1.5);
            ms += x;
            if x > extra.0 {
                extra = (x, Cause::UpIssuer);
            }
        }
        let timeout = v.timeout_ms as f64;
        if ms > timeout {
            let cause = if extra.0 > net_ms {
                extra.1
            } else {
                net.loss_cause(&mut self.rng, Cause::NetSignal)
            };
            return Outcome::Timeout(
                Fail {
                    class: Class::Timeout,
                    cause,
                    rc: None,
                },
                v.timeout_ms,
            );
        }
        let lat = ms as u32;
        macro_rules! decline {
            ($rc:expr, $cause:expr) => {
                return Outcome::Declined(
                    Fail {
                        class: Class::Reject,
                        cause: $cause,
                        rc: Some($rc),
                    },
                    lat,
                )
            };
        }
        // 7. what the host says
        for k in 0..self.plan.effs.len() {
            let e = self.plan.effs[k];
            if !e.within(t) {
                continue;
            }
            match e.cause {
                Cause::TxCorruption if e.on(t) && self.rng.chance(e.a) => {
                    if self.rng.chance(0.55) {
                        let rc = *self.rng.pick(&["30", "30", "A0", "96"]);
                        decline!(rc, Cause::TxCorruption);
                    }
                    let c = if self.rng.chance(0.7) {
                        Class::Corrupt
                    } else {
                        Class::Mac
                    };
                    return Outcome::Garbled(
                        Fail {
                            class: c,
                            cause: Cause::TxCorruption,
                            rc: None,
                        },
                        lat,
                    );
                }
                Cause::SwConfig if e.mode == 1 && self.rng.chance(e.a) => {
                    let rc = *self.rng.pick(&["03", "03", "97", "58"]);
                    decline!(rc, Cause::SwConfig);
                }
                Cause::SwConfig if e.mode == 2 && self.rng.chance(e.a) => {
                    decline!("A0", Cause::SwConfig)
                }
                Cause::SwIncompatible if e.mode == 0 && self.rng.chance(e.a) => {
                    let rc = if self.rng.chance(0.7) { "30" } else { "12" };
                    decline!(rc, Cause::SwIncompatible);
                }
                Cause::SecKeys
                    if e.mode == 0
                        && (p.ch.card() || self.rng.chance(0.5))
                        && self.rng.chance(e.a) =>
                {
                    let rc = if p.pin && self.rng.chance(0.3) {
                        "99"
                    } else {
                        "A0"
                    };
                    decline!(rc, Cause::SecKeys);
                }
                Cause::UpAcquirer if e.mode == 1 && e.on(t) && self.rng.chance(e.a * 0.5) => {
                    let rc = if self.rng.chance(0.65) { "96" } else { "91" };
                    decline!(rc, Cause::UpAcquirer);
                }
                Cause::BizMerchant if e.mode == 0 || p.ch == Ch::Qr => {
                    let rc = if self.rng.chance(0.7) { "03" } else { "58" };
                    decline!(rc, Cause::BizMerchant);
                }
                Cause::BizTxnType
                    if matches!(p.ty, Ty::Refund | Ty::Preauth | Ty::Completion)
                        && self.rng.chance(e.b) =>
                {
                    let rc = *self.rng.pick(&["57", "58", "40", "58"]);
                    decline!(rc, Cause::BizTxnType);
                }
                Cause::BizLimit
                    if p.amount as f64 > e.a && p.ty != Ty::Refund && self.rng.chance(0.95) =>
                {
                    let rc = if e.mode == 0 {
                        if self.rng.chance(0.8) { "61" } else { "65" }
                    } else {
                        "65"
                    };
                    decline!(rc, Cause::BizLimit);
                }
                Cause::BizRisk if (p.unusual && self.rng.chance(0.85)) || self.rng.chance(e.b) => {
                    let rc = if self.rng.chance(0.7) { "59" } else { "34" };
                    decline!(rc, Cause::BizRisk);
                }
                Cause::OperatorError
                    if matches!(p.ty, Ty::Void | Ty::Refund) && self.rng.chance(e.a * 2.0) =>
                {
                    let rc = if p.ty == Ty::Void || self.rng.chance(0.5) {
                        "25"
                    } else {
                        "64"
                    };
                    decline!(rc, Cause::OperatorError);
                }
                _ => {}
            }
        }
        if let Some(e) = issuer_out
            && self.rng.chance(e.a)
        {
            decline!("91", Cause::UpIssuer);
        }
        // the ordinary background of the host and the issuers
        let x = self.rng.f64();
        if x < 0.0002 {
            decline!("96", Cause::UpAcquirer);
        } else if x < 0.0006 && p.ch.card() {
            decline!("91", Cause::UpIssuer);
        } else if x < 0.0009 {
            decline!("59", Cause::BizRisk);
        } else if x < 0.0011 {
            decline!("65", Cause::BizLimit);
        }
        if p.ty == Ty::Refund && self.rng.chance(0.04) {
            decline!("57", Cause::BizTxnType);
        }
        if p.ty == Ty::Void && self.rng.chance(0.03) {
            decline!("25", Cause::OperatorError);
        }
        if p.ch.card() {
            if p.ty != Ty::Refund && p.ty != Ty::Void && self.rng.chance(m.decline) {
                let rc = match self
                    .rng
                    .weighted(&[0.42, 0.25, 0.1, 0.06, 0.05, 0.05, 0.02, 0.02, 0.01])
                {
                    0 => "51",
                    1 if p.pin => "55",
                    1 => "51",
                    2 => "05",
                    3 => "54",
                    4 => "14",
                    5 => "61",
                    6 if p.pin => "75",
                    6 => "05",
                    7 => "62",
                    _ => "41",
                };
                let rc = if p.ty == Ty::Balance && rc == "51" {
                    "05"
                } else {
                    rc
                };
                decline!(rc, Cause::CardDecline);
            }
        } else if p.ty == Ty::Purchase && self.rng.chance(0.006) {
            decline!("51", Cause::CardDecline);
        }
        // 8. after the approval: journal and receipt
        let mut post = None;
        if let Some(e) = self.eff(Cause::ResStorage, t) {
            let (b, s) = (e.b, e.s);
            self.sto = (self.storage_at(t) + b).min(100.0);
            if self.sto >= 96.0 && self.rng.chance((self.sto - 96.0) / 4.0 * (0.5 + 0.5 * s)) {
                post = Some(Fail {
                    class: Class::Storage,
                    cause: Cause::ResStorage,
                    rc: None,
                });
            }
        } else {
            self.sto = (self.sto + 0.0004).min(99.0);
        }
        if post.is_none() && p.ty != Ty::Balance && info.model().printer {
            if self.paper_out(t) && self.rng.chance(0.95) {
                post = Some(Fail {
                    class: Class::PaperOut,
                    cause: Cause::HwPrinter,
                    rc: None,
                });
            } else if let Some(e) = self.eff(Cause::HwPrinter, t)
                && e.mode == 0
                && self.rng.chance(e.a)
            {
                post = Some(Fail {
                    class: Class::Print,
                    cause: Cause::HwPrinter,
                    rc: None,
                });
            }
        }
        Outcome::Approved(lat, post)
    }

    fn txn(&mut self, t: i64, p: Pay, cx: &Ctx<'_>, out: &mut Out) {
        let outcome = self.attempt(t, &p, cx);
        if let Outcome::Timeout(f, _) | Outcome::Declined(f, _) = &outcome
            && f.cause == Cause::UpIssuer
            && p.ch.card()
        {
            let iss = BINS[p.bin as usize].issuer;
            if let Some(o) = cx.issuers.iter().find(|o| o.issuer == iss && o.eff.on(t))
                && !self.issuer_hits.contains(&o.eff.fault)
            {
                self.issuer_hits.push(o.eff.fault);
            }
        }
        let info = self.info(cx);
        let v = self.vendor(cx);
        let stan = self.stan;
        match outcome {
            Outcome::Local(f) => {
                let comm = matches!(
                    f.class,
                    Class::Connect | Class::Refused | Class::Tls | Class::Send | Class::Mac
                );
                let lp = if comm { self.log_p } else { 0.93 };
                let stan_opt = if comm || f.class == Class::Mac {
                    Some(stan)
                } else {
                    None
                };
                if self.rng.chance(lp) {
                    let at = t + self.rng.int(0, if comm { 12 } else { 3 });
                    self.error(at, f.class, f.cause, stan_opt, None, 0, cx, out);
                }
                self.after_fail(t, p, f, None, cx);
            }
            Outcome::Timeout(f, ms) => {
                self.txn_record(t, &p, stan, None, true, ms, cx, out);
                out.truth(t, &info.tid, f.cause, "timeout", Some(stan));
                if self.rng.chance(self.log_p) {
                    let at = t + (ms as i64 + 999) / 1000 + self.rng.int(0, 2);
                    self.error(at, Class::Timeout, f.cause, Some(stan), None, ms, cx, out);
                }
                if self.rng.chance(0.7) {
                    self.reversal = Some((p.amount, p.ch));
                }
                self.after_fail(t, p, f, None, cx);
            }
            Outcome::Declined(f, ms) => {
                self.send_reversal(t, cx, out);
                let rc = f.rc.unwrap_or("96");
                self.txn_record(t, &p, stan, Some(rc), false, ms, cx, out);
                out.truth(t, &info.tid, f.cause, rc, Some(stan));
                if self.rng.chance(v.decline_log_p) {
                    let at = t + (ms as i64) / 1000 + self.rng.int(0, 1);
                    self.error(
                        at,
                        Class::Reject,
                        f.cause,
                        Some(stan),
                        Some(rc),
                        ms,
                        cx,
                        out,
                    );
                }
                if f.cause != Cause::CardDecline || rc == "55" {
                    self.after_fail(t, p, f, Some(rc), cx);
                } else if self.rng.chance(0.12) && p.tries < 2 {
                    // the customer tries another card
                    let mut q = self.new_pay(t, cx);
                    q.tries = p.tries + 1;
                    q.amount = p.amount;
                    let at = t + self.rng.int(20, 90);
                    self.pending.push((at, Ev::Retry(q)));
                }
            }
            Outcome::Garbled(f, ms) => {
                self.send_reversal(t, cx, out);
                let at = t + (ms as i64) / 1000;
                if self.rng.chance(self.log_p.max(0.8)) {
                    self.error(at, f.class, f.cause, Some(stan), None, ms, cx, out);
                }
                self.reversal = Some((p.amount, p.ch));
                self.after_fail(t, p, f, None, cx);
            }
            Outcome::Approved(ms, post) => {
                self.send_reversal(t, cx, out);
                self.txn_record(t, &p, stan, Some("00"), false, ms, cx, out);
                if let Some(f) = post
                    && self.rng.chance(0.9)
                {
                    let at = t + (ms as i64) / 1000 + self.rng.int(1, 4);
                    self.error(at, f.class, f.cause, Some(stan), None, 0, cx, out);
                    self.note_fail(t, f, None);
                }
            }
        }
    }

    /// A pending reversal goes out before the next exchange that reaches the host.
    fn send_reversal(&mut self, t: i64, cx: &Ctx<'_>, out: &mut Out) {
        let Some((amount, ch)) = self.reversal.take() else {
            return;
        };
        self.stan = if self.stan >= 999_999 {
            1
        } else {
            self.stan + 1
        };
        let p = Pay {
            ty: Ty::Purchase,
            ch,
            amount,
            bin: 0,
            last4: 0,
            tries: 0,
            pin: false,
            unusual: false,
        };
        let lat = self.rng.lognormal(700.0, 0.3) as u32;
        let stan = self.stan;
        let info = self.info(cx);
        let s = out.head("txn", t, &info.tid);
        self.txn_fields(
            t,
            &p,
            "reversal",
            stan,
            Some("00"),
            false,
            lat,
            false,
            cx,
            out,
        );
        out.end(s, t);
        self.stan = if self.stan >= 999_999 {
            1
        } else {
            self.stan + 1
        };
    }

    #[allow(clippy::too_many_arguments)]
    fn txn_record(
        &mut self,
        t: i64,
        p: &Pay,
        stan: u32,
        rc: Option<&str>,
        timed_out: bool,
        ms: u32,
        cx: &Ctx<'_>,
        out: &mut Out,
    ) {
        let info = self.info(cx);
        let s = out.head("txn", t, &info.tid);
        self.txn_fields(t, p, p.ty.as_str(), stan, rc, timed_out, ms, true, cx, out);
        out.end(s, t);
    }

    #[allow(clippy::too_many_arguments)]
    fn txn_fields(
        &mut self,
        t: i64,
        p: &Pay,
        ty: &str,
        stan: u32,
        rc: Option<&str>,
        timed_out: bool,
        ms: u32,
        with_pan: bool,
        cx: &Ctx<'_>,
        out: &mut Out,
    ) {
        let info = self.info(cx);
        let v = self.vendor(cx);
        let m = &cx.w.merchants[info.merchant as usize];
        let mt = &MERCHANT_TYPES[m.mtype];
        let b = &mut out.buf;
        b.js("merchant_id", &m.mid);
        b.js("type", ty);
        b.ji("amount", p.amount as i64);
        b.js("currency", if v.numeric_currency { "156" } else { "CNY" });
        b.js("channel", p.ch.as_str());
        b.extend_from_slice(b",\"stan\":\"");
        push_padded(b, stan as u64, 6);
        b.push(b'"');
        if rc.is_some() {
            // retrieval reference: local day of year, hour, host node, STAN
            let local = t + LOCAL_OFFSET_S;
            b.extend_from_slice(b",\"rrn\":\"");
            push_padded(b, crate::fmt::day_of_year(local) as u64, 3);
            push_padded(b, (local.rem_euclid(86_400) / 3600) as u64, 2);
            b.push(b'1');
            push_padded(b, stan as u64, 6);
            b.push(b'"');
        }
        b.js("mcc", mt.mcc);
        if let Some(rc) = rc {
            b.js("response_code", rc);
        }
        if timed_out {
            b.jb("timed_out", true);
        }
        b.ji("latency_ms", ms as i64);
        if rc == Some("00") && matches!(p.ty, Ty::Purchase | Ty::Completion) && ty != "reversal" {
            let rate = if p.ch == Ch::Qr {
                m.qr_rate
            } else {
                m.card_rate
            };
            b.ji("fee", (p.amount as f64 * rate).round() as i64);
        }
        if with_pan && p.ch.card() {
            let bin = &BINS[p.bin as usize];
            b.extend_from_slice(b",\"pan\":\"");
            b.extend_from_slice(bin.bin.as_bytes());
            b.extend_from_slice(b"******");
            push_padded(b, p.last4 as u64, 4);
            b.push(b'"');
        }
    }

    /// An `error` record and its truth event.
    #[allow(clippy::too_many_arguments)]
    fn error(
        &mut self,
        t: i64,
        class: Class,
        cause: Cause,
        stan: Option<u32>,
        rc: Option<&str>,
        ms: u32,
        cx: &Ctx<'_>,
        out: &mut Out,
    ) {
        let info = self.info(cx);
        let v = self.vendor(cx);
        let code = vendor_code(v.slug, class, rc.unwrap_or(""), &mut self.rng);
        let s = out.head("error", t, &info.tid);
        out.buf.js("code", code.as_str());
        if let Some(stage) = class.stage()
            && self.rng.chance(0.9)
        {
            out.buf.js("stage", stage);
        }
        if let Some(st) = stan {
            out.buf.extend_from_slice(b",\"stan\":\"");
            push_padded(&mut out.buf, st as u64, 6);
            out.buf.push(b'"');
        }
        if self.rng.chance(cx.detail_p * (0.7 + 0.3 * v.log_p)) {
            let mech = self.vis_of(cause, t);
            let en = self.rng.chance(v.en);
            let (ip, port) = self.host_addr(t, cx);
            let ctx = DetailCtx {
                ms: if ms > 0 { ms } else { v.timeout_ms },
                stan: stan.unwrap_or(self.stan),
                rc: rc.unwrap_or(""),
                rssi: (self.rssi0 + self.rssi_w
                    - self.eff(Cause::NetSignal, t).map_or(0.0, |e| e.a))
                .round() as i32,
                volts: if self.supply0 > 0.0 {
                    self.supply_at(t)
                } else {
                    3.6
                },
                batt: self.batt_at(t).unwrap_or(self.batt).round() as i32,
                temp: self.temp_at(t) as i32,
                cpu: self.cpu_at(t).round() as i32,
                mem: self.mem_at(t).round() as i32,
                storage: self.sto.floor() as i32,
                ver: if self.rng.chance(0.5) {
                    cx.w.versions.name(self.app)
                } else {
                    cx.w.versions.name(self.fw)
                },
                ip,
                port,
            };
            out.buf.extend_from_slice(b",\"detail\":\"");
            let start = out.buf.len();
            write_detail(&mut out.buf, class, cause, en, mech, &ctx, &mut self.rng);
            // templates carry no quotes or backslashes, but keep the line valid JSON regardless
            if out.buf[start..]
                .iter()
                .any(|&c| c == b'"' || c == b'\\' || c < 0x20)
            {
                let raw = out.buf.split_off(start);
                push_json_str(&mut out.buf, &String::from_utf8_lossy(&raw));
            }
            out.buf.push(b'"');
        }
        out.end(s, t);
        out.truth(t, &info.tid, cause, code.as_str(), stan);
        self.note_fail(
            t,
            Fail {
                class,
                cause,
                rc: None,
            },
            Some(code),
        );
    }

    fn host_addr(&self, t: i64, cx: &Ctx<'_>) -> ([u8; 4], u16) {
        let info = self.info(cx);
        if let Some(e) = self.eff(Cause::SwConfig, t)
            && e.mode == 0
        {
            let k = e.key;
            return (
                [10, (k >> 8) as u8, (k >> 16) as u8, (k >> 24) as u8 | 1],
                5000 + (k % 3000) as u16,
            );
        }
        HOST_ADDR[info.host as usize % HOST_ADDR.len()]
    }

    fn note_fail(&mut self, t: i64, f: Fail, code: Option<Code>) {
        if matches!(f.cause, Cause::CardDecline | Cause::OperatorError) {
            return;
        }
        if t - self.last_fail > 1800 {
            self.fails = 0;
        }
        self.fails += 1;
        self.last_fail = t;
        if self.fails >= 3
            && t - self.last_complaint > 3 * 3600
            && self.n_complaints < 3
            && self.rng.chance(0.12)
        {
            self.last_complaint = t;
            self.n_complaints += 1;
            let at = t + self.rng.int(120, 1800);
            let code = code.unwrap_or_else(|| Code::new(f.rc.unwrap_or("")));
            self.pending.push((at, Ev::Complaint(f.class, code, false)));
        }
        if f.class == Class::Timeout && self.rng.chance(0.02) {
            let at = t + self.rng.int(600, 3600);
            self.pending
                .push((at, Ev::Complaint(f.class, Code::new(""), true)));
        }
    }

    fn after_fail(&mut self, t: i64, p: Pay, f: Fail, rc: Option<&str>, _cx: &Ctx<'_>) {
        if p.tries >= 2 {
            return;
        }
        let (prob, lo, hi) = match f.class {
            Class::CardRead => (0.75, 10, 45),
            Class::Pin | Class::InputRetry => (0.6, 10, 40),
            Class::App | Class::Crash | Class::Memory | Class::Display | Class::Storage => {
                (0.5, 40, 120)
            }
            Class::Operator => (0.5, 15, 60),
            Class::Reject => match rc {
                Some("55") => (0.5, 10, 40),
                _ => (0.25, 15, 60),
            },
            Class::LowBattery | Class::PowerOn => (0.2, 60, 300),
            _ => (0.6, 15, 75),
        };
        if !self.rng.chance(prob) {
            return;
        }
        let mut q = p;
        q.tries += 1;
        if f.class == Class::CardRead {
            q.ch = match self.rng.weighted(&[0.35, 0.25, 0.2, 0.2]) {
                0 => p.ch,
                1 => Ch::Qr,
                2 => Ch::Swipe,
                _ => Ch::Nfc,
            };
            q.pin = q.pin && q.ch != Ch::Qr;
        }
        let at = t + self.rng.int(lo, hi);
        self.pending.push((at, Ev::Retry(q)));
    }

    fn complaint(
        &mut self,
        t: i64,
        class: Class,
        code: Code,
        customer: bool,
        cx: &Ctx<'_>,
        out: &mut Out,
    ) {
        let info = self.info(cx);
        let m = &cx.w.merchants[info.merchant as usize];
        let start = out.buf.len();
        let b = &mut out.buf;
        b.extend_from_slice(b"{\"kind\":\"complaint\",\"ts\":\"");
        push_ts(b, t);
        b.extend_from_slice(b"\",\"complaint_id\":\"C-");
        b.extend_from_slice(info.tid.as_bytes());
        b.push(b'-');
        push_u64(b, self.n_complaints as u64 + customer as u64 * 10);
        b.push(b'"');
        b.js("from", if customer { "customer" } else { "merchant" });
        b.js("merchant_id", &m.mid);
        if !customer || self.rng.chance(0.3) {
            b.js("terminal_id", &info.tid);
        }
        let (pre, post): (&str, &str) = if customer {
            *self.rng.pick(&[
                ("付款失败但是钱被扣了", ""),
                ("charged but the payment failed", ""),
                ("刷卡显示超时,银行卡却扣款了", ""),
            ])
        } else {
            let code_ok = !code.as_str().is_empty();
            match class {
                Class::Connect
                | Class::Refused
                | Class::Tls
                | Class::Send
                | Class::Timeout
                | Class::Corrupt
                    if code_ok =>
                {
                    *self.rng.pick(&[
                        ("刷卡一直显示", "，顾客只能扫码"),
                        ("POS老是提示", ",交易失败"),
                        ("card payments keep failing with ", ""),
                    ])
                }
                Class::Connect
                | Class::Refused
                | Class::Tls
                | Class::Send
                | Class::Timeout
                | Class::Corrupt => *self
                    .rng
                    .pick(&[("刷卡总是超时,连不上", ""), ("POS机联网失败,只能扫码", "")]),
                Class::Mac | Class::Reject => *self.rng.pick(&[
                    ("刷卡提示", ",好几个客人都付不了"),
                    ("交易总是失败 ", ""),
                    ("payments declined with ", " all day"),
                ]),
                Class::CardRead => *self.rng.pick(&[
                    ("插卡读不出来,提示", ""),
                    ("刷卡没反应,只能扫码", ""),
                    ("card reader not working ", ""),
                ]),
                Class::Pin | Class::InputRetry => *self
                    .rng
                    .pick(&[("按键不灵,输不了密码", ""), ("顾客输密码总出错", "")]),
                Class::Print | Class::PaperOut => *self
                    .rng
                    .pick(&[("打印不出小票 ", ""), ("no receipts printing", "")]),
                Class::Display => *self
                    .rng
                    .pick(&[("屏幕花了看不清金额", ""), ("screen is garbled", "")]),
                Class::PowerOn | Class::LowBattery => *self
                    .rng
                    .pick(&[("机器总是自己关机", ""), ("POS开不了机,充电也不行", "")]),
                _ => *self.rng.pick(&[
                    ("机器经常死机重启 ", ""),
                    ("收款时应用闪退,提示", ""),
                    ("the terminal keeps freezing", ""),
                ]),
            }
        };
        b.extend_from_slice(b",\"text\":\"");
        push_json_str(b, pre);
        if !customer && (pre.ends_with("提示") || pre.ends_with("显示") || pre.ends_with(' ')) {
            push_json_str(b, code.as_str());
        }
        push_json_str(b, post);
        b.push(b'"');
        out.end(start, t);
    }
}

/// Writes the inventory: merchants, sites, terminals (as of `t`).
pub fn inventory(w: &World, t: i64, out: &mut Vec<u8>) -> u64 {
    let mut n = 0;
    let head = |b: &mut Vec<u8>, kind: &str| {
        b.extend_from_slice(b"{\"kind\":\"");
        b.extend_from_slice(kind.as_bytes());
        b.extend_from_slice(b"\",\"ts\":\"");
        push_ts(b, t);
        b.push(b'"');
    };
    for m in &w.merchants {
        let ty = &MERCHANT_TYPES[m.mtype];
        head(out, "merchant");
        out.js("merchant_id", &m.mid);
        out.js("name", &m.name);
        out.js("mcc", ty.mcc);
        out.js("city", crate::world::CITIES[m.city].slug);
        out.js("settlement", if m.direct { "direct" } else { "indirect" });
        out.jf("card_rate", m.card_rate, 4);
        out.jf("qr_rate", m.qr_rate, 4);
        out.extend_from_slice(b"}\n");
        n += 1;
    }
    for s in &w.sites {
        let m = &w.merchants[s.merchant as usize];
        head(out, "site");
        out.js("site_id", &s.id);
        out.js("merchant_id", &m.mid);
        out.js("name", &s.name);
        out.js("city", crate::world::CITIES[m.city].slug);
        out.jf("lat", s.lat, 4);
        out.jf("lon", s.lon, 4);
        out.extend_from_slice(b"}\n");
        n += 1;
    }
    for term in &w.terms {
        let v = &VENDORS[term.vendor];
        head(out, "terminal");
        out.js("terminal_id", &term.tid);
        out.js("serial", &term.serial);
        out.js("vendor", v.slug);
        out.js("model", term.model().name);
        out.js("firmware", w.versions.name(term.fw));
        out.js("app_version", w.versions.name(term.app));
        out.js("merchant_id", &w.merchants[term.merchant as usize].mid);
        out.js("site_id", &w.sites[term.site as usize].id);
        out.js("network", term.net.as_str());
        if term.net == Net::Cellular {
            out.js("carrier", crate::world::CARRIERS[term.carrier as usize]);
        }
        out.js("host", crate::world::HOSTS[term.host as usize]);
        if let Some(c) = term.cert_not_after {
            out.jts("cert_not_after", c);
        }
        out.jts("installed", term.installed);
        out.extend_from_slice(b"}\n");
        n += 1;
    }
    n
}
