//! posdoc's diagnosis engine: a pure library. Records go in
//! ([`Engine::push`]), [`Diagnosis`]es come out — the causes of each failed
//! event ranked by probability, the evidence in words a person reads, and
//! the next checks ranked by expected information per minute.
//!
//! The model is the "codebook" of classic fault management, kept
//! explainable: a prior over causes from what the code means on that vendor
//! and model (or from the response code), multiplied by likelihood ratios of
//! what is observed — error stage, log text, telemetry *as a change against
//! the terminal's own baseline*, inventory facts, recent history, people's
//! checks — with expected symptoms that are absent counting against a cause.
//! The numbers live in the knowledge base ([`posdoc_kb`]); this crate decides
//! when a signal is seen. Confirmed resolutions update the priors (counts).
//!
//! It is causal: records are applied in time order through a reorder buffer
//! of [`REORDER_ALLOWANCE_S`], and an event is diagnosed from the records up
//! to its own time plus that allowance, never later ones.
//!
//! The engine does no I/O: a test drives it with plain values.

mod diagnose;
mod fleet;
mod learn;
pub mod report;
mod signals;
mod state;
mod troubleshoot;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

// Ids are the fleet's own, not an attacker's: a fast hash beats SipHash's
// flooding resistance on the per-record lookup.
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use posdoc_kb::{Kb, Text};
use posdoc_record::{Cause, Record, Target, Ts};

use crate::state::keep_latest;

pub use diagnose::{CauseScore, Diagnosis, EvidenceItem, NextCheck, TracedFactor};
pub use fleet::{Incident, IncidentChange, ScopeKind, Source};
pub use posdoc_record::REORDER_ALLOWANCE_S;
pub use signals::SIGNAL_IDS;
pub use troubleshoot::{Answer, CONFIDENT_P, Session, Step, rank_checks};

use state::{Group, GroupEvent, SiteState, TerminalState};

/// Card BINs whose recent outcomes are tracked; past this, new BINs are not
/// (a bound on memory however many cards a fleet sees).
pub const BINS_TRACKED_MAX: usize = 20_000;

/// Tunables, with the contract's values as defaults.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How late a record may arrive and still be applied in order, seconds.
    pub reorder_allowance_s: i64,
    /// How many causes each diagnosis lists (the contract asks for ≥ 3).
    pub causes_listed: usize,
    /// How many evidence items and next checks each diagnosis carries.
    pub evidence_listed: usize,
    pub checks_listed: usize,
    /// A terminal whose diagnoses carry every factor (`Diagnosis::trace`),
    /// to see why the engine said what it said.
    pub trace_terminal: Option<String>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            reorder_allowance_s: REORDER_ALLOWANCE_S,
            causes_listed: 5,
            evidence_listed: 6,
            checks_listed: 3,
            trace_terminal: None,
        }
    }
}

/// Who answers for cards of `bin`: the issuer where the knowledge base
/// knows it, else the BIN.
pub(crate) fn card_issuer(kb: &Kb, bin: u32) -> fleet::CardIssuer<'_> {
    match kb.issuer_of_bin(bin) {
        Some((i, def)) => fleet::CardIssuer::Known(i, &def.id),
        None => fleet::CardIssuer::Bin(bin),
    }
}

/// An incident ready to be written: the contract's `incident` record.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentReport {
    pub incident_id: String,
    pub opened_at: Ts,
    pub closed_at: Option<Ts>,
    /// The shared attribute, as `(field, value)` pairs: `[("site_id", "S1")]`,
    /// `[("carrier", "cmcc"), ("city", "guangzhou")]`.
    pub scope: Vec<(&'static str, String)>,
    pub cause: Cause,
    pub p: f64,
    pub terminals: Vec<String>,
    /// The broader incident this one was folded into, if it was.
    pub merged_into: Option<String>,
}

/// What a refusal code says about what failed (see [`Engine::refusal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    CardsOwn,
    /// Shared by a kind of failure; `setup_explains` when the code is one a
    /// terminal's own set-up gives too (03, 58, 40, 97): alone on one
    /// terminal, not its merchant's account.
    /// `reason`: for the account's refusals, what the code says it was
    /// refused for ([`account_reason`]).
    Shared {
        kind: fleet::Failure,
        setup_explains: bool,
        reason: u8,
    },
    Other,
}

/// The causes a merchant's account is refused for.
pub(crate) const ACCOUNT_CAUSES: [Cause; 4] = [
    Cause::BusinessMerchant,
    Cause::BusinessTxnType,
    Cause::BusinessLimit,
    Cause::BusinessRisk,
];

/// Which of [`ACCOUNT_CAUSES`] a refusal's `prior` weighs most, plus one
/// (0 for none): 59 and 34 both say a risk hold, 40 and 58 a type of
/// payment not allowed, 61 and 65 a limit.
fn account_reason(prior: &[f64]) -> u8 {
    ACCOUNT_CAUSES
        .iter()
        .enumerate()
        .max_by(|a, b| prior[a.1.index()].total_cmp(&prior[b.1.index()]))
        .map_or(0, |(i, _)| i as u8 + 1)
}

/// A refused payment as a merchant's refusals tell purchases apart: by its
/// amount, type and card (a cashier retrying one customer's card is one).
fn refused_purchase(t: &posdoc_record::Txn, setup_explains: bool, reason: u8) -> fleet::Purchase {
    fleet::Purchase {
        key: fleet::purchase_key(t.amount, &t.txn_type, t.pan.as_ref().map(|p| p.as_str())),
        setup_explains,
        reason,
    }
}

/// Response codes whose prior puts at least this on `card.decline` are the
/// card's own business, not a shared fault.
pub(crate) const CARD_DECLINE_PRIOR_MIN: f64 = 0.5;
/// A refusal code a card's bank gives at all (an invalid card number, a
/// restricted card, beside funds and expiry): one BIN's cards refused with
/// it at many merchants are the cards', whatever else it may mean alone.
const BIN_REFUSAL_PRIOR_MIN: f64 = 0.2;
/// How long a host answering "cut-off in progress" (90) is at its day-end
/// cut-over — scheduled, announced, over in minutes, the payments to be
/// sent again — rather than down: its refusals open no incident until it
/// has been cutting over this long (a host stuck there is an outage).
const CUT_OVER_GRACE_S: f64 = 1200.0;
/// A pause this long in a host's 90s ends its cut-over.
const CUT_OVER_GAP_S: f64 = 600.0;
/// Across a merchant's terminals a lower card share will do, for a code a
/// merchant's set-up gives as often (57: a card type it may not take).
pub(crate) const MERCHANT_CARD_REFUSAL_PRIOR_MIN: f64 = 0.3;
/// How far back the fleet's account refusals are kept, seconds, for
/// telling a version's refusals from its merchants'.
const VERSION_REFUSALS_S: i64 = 900;
/// Distinct merchants one refusal code must reach among one version's
/// terminals (and no more than so many terminals outside it) before it is
/// the version's: merchants do not share their set-up, but their terminals
/// share an app.
const VERSION_REFUSED_MERCHANTS_MIN: usize = 3;
const VERSION_REFUSED_OUTSIDE_MAX: usize = 1;
const VERSION_CODE_HOLD_S: f64 = 3600.0;
/// An address a host's terminals named in their link errors, and which
/// terminals (a few).
type AddressSeen = (Box<str>, Vec<u32>);

/// The log patterns one vendor's code came with: how many lines with words
/// were seen, and how many said each pattern (by its bit).
#[derive(Debug, Clone)]
struct CodeWords {
    lines: u16,
    said: [u16; 64],
}

impl Default for CodeWords {
    fn default() -> Self {
        CodeWords {
            lines: 0,
            said: [0; 64],
        }
    }
}

/// Lines a code's words are counted over before the counts halve (older
/// lines fade, a vendor's release may reword them).
const CODE_WORDS_LINES_MAX: u16 = 512;
/// Lines with words a code needs before what they say speaks for a line
/// without any.
const CODE_WORDS_LINES_MIN: u16 = 3;

impl CodeWords {
    fn said(&mut self, hits: u64) {
        if self.lines >= CODE_WORDS_LINES_MAX {
            self.lines /= 2;
            for c in &mut self.said {
                *c /= 2;
            }
        }
        self.lines += 1;
        for (bit, c) in self.said.iter_mut().enumerate() {
            if hits & (1 << bit) != 0 {
                *c += 1;
            }
        }
    }

    /// The patterns most of its lines said, once enough were seen.
    fn usual(&self) -> u64 {
        if self.lines < CODE_WORDS_LINES_MIN {
            return 0;
        }
        self.said
            .iter()
            .enumerate()
            .filter(|&(_, &c)| 2 * u32::from(c) > u32::from(self.lines))
            .fold(0, |bits, (bit, _)| bits | 1 << bit)
    }
}

/// Addresses kept per host, and terminals kept per address: enough to
/// tell the address most terminals try from one only one tries.
const HOST_ADDRESSES_MAX: usize = 32;
const ADDRESS_TERMINALS_MAX: usize = 4;
/// How many other terminals of a host must have named an address, more
/// than named any other, for it to be the host's usual one.
const ADDRESS_USUAL_MIN: usize = 3;
/// How far back a refusal code's spread over banks' cards is looked at,
/// seconds.
pub(crate) const REFUSED_MANY_CARDS_S: i64 = 1800;
/// How far back a merchant's refusals by one code are looked at, seconds
/// (as far as its group's ring of payments reaches).
const MERCHANT_REFUSED_S: i64 = 7200;
/// Certificates expiring within the same this many seconds (from the hour)
/// are filed as one batch.
const CERT_BATCH_S: i64 = 600;
/// How sure a diagnosis must be of an event's cause for the fleet to count
/// it as a sign of a shared one: a person's doing (the cashier's slip, the
/// customer's card; for a shop's cashiers' incident, and against a
/// release's devices), a shop's router or mains, a release's defect.
const SIGN_CAUSE_P_MIN: f64 = 0.5;
/// Distinct BINs one refusal code must reach across a merchant's terminals
/// before it is the merchant's...
const MERCHANT_REFUSED_BINS_MIN: u32 = 3;
/// ...at a share of its answered card payments that the code's share of the
/// whole fleet's reaches by chance less often than this.
const MERCHANT_REFUSED_CHANCE_MAX: f64 = 1e-3;
/// A refusal code's fleet share starts as this many refusals in this many
/// payments (5 %, an ordinary decline's), and is never taken below the
/// floor: a code never seen yet is rare, not impossible.
const REFUSAL_SHARE_PRIOR_K: f64 = 5.0;
const REFUSAL_SHARE_PRIOR_N: f64 = 100.0;
const REFUSAL_SHARE_MIN: f64 = 0.002;

/// Response codes whose prior puts at least this on the merchant-account
/// causes, or on the software-and-message causes, are refusals terminals
/// share by their merchant or by their version.
const SHARED_REFUSAL_PRIOR_MIN: f64 = 0.5;
/// A refusal code whose prior gives a terminal's own set-up this much is
/// one a misconfigured terminal gets on its own.
const SETUP_PRIOR_MIN: f64 = 0.1;

/// How close an error line must be to a failed payment (of its STAN, if it
/// has one) to be that payment's failure logged, seconds.
const ECHO_WINDOW_S: f64 = 30.0;
/// The same, for an error line naming the payment's STAN: it may be logged
/// once the host's answer timed out, a minute or more later.
const ECHO_STAN_WINDOW_S: f64 = 300.0;

/// How far back a card BIN's failures elsewhere are looked at, seconds.
const ISSUER_WINDOW_S: i64 = 900;

/// A record waiting in the reorder buffer; ordered by time, then arrival.
/// The record itself waits in a slot of [`Engine::slots`], so the heap
/// moves 24 bytes per sift rather than a whole record.
#[derive(Debug)]
struct Queued {
    ts: Ts,
    seq: u64,
    slot: u32,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.ts, self.seq) == (other.ts, other.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.ts, self.seq).cmp(&(other.ts, other.seq))
    }
}

/// A failed event waiting for its allowance to pass before it is diagnosed.
#[derive(Debug)]
pub(crate) enum Pending {
    /// An error, with the log patterns it matched when it was applied.
    Error(posdoc_record::ErrorEvent, u64),
    Txn(posdoc_record::Txn),
}

impl Pending {
    fn ts(&self) -> Ts {
        match self {
            Pending::Error(e, _) => e.ts,
            Pending::Txn(t) => t.ts,
        }
    }

    /// Whether it is a failure of the link, as the terminal's state counts
    /// one (`TerminalState::last_link_failure`).
    fn lost_link(&self) -> bool {
        match self {
            Pending::Error(e, _) => signals::error_lost_link(e),
            Pending::Txn(t) => signals::txn_lost_link(t),
        }
    }
}

/// Counts of what the engine has seen, for reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub records: u64,
    pub diagnoses: u64,
    pub resolutions_learned: u64,
    /// Records older than the reorder allowance when they arrived: applied
    /// late (they still update state) rather than dropped.
    pub late_records: u64,
}

/// The bits of the log patterns the engine itself looks for in pattern hits
/// (0 where the knowledge base has no such pattern).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PatternBits {
    /// Power words: an error a power cut raised.
    pub power: u64,
    /// A battery's words, and a part's (a sensor, the main board) failing.
    pub battery: u64,
    pub board: u64,
    /// The screen's and the keypad's faults.
    pub display: u64,
    pub keypad: u64,
    /// A cashier's timeout, cancel or mistake.
    pub cashier: u64,
    /// A message damaged or unreadable (or an answer that would not
    /// parse); and a wait or a connection that failed (a timeout's words
    /// may name the message too).
    pub corrupt: u64,
    pub link: u64,
    /// An app crashed, hung or was reset by its watchdog.
    pub crash: u64,
}

impl PatternBits {
    fn of(kb: &Kb) -> PatternBits {
        let bit = |id: &str| {
            kb.patterns
                .iter()
                .take(posdoc_kb::PATTERNS_MAX)
                .position(|p| p.id == id)
                .map_or(0, |i| 1u64 << i)
        };
        PatternBits {
            power: bit("power_text"),
            battery: bit("battery_text"),
            board: bit("board_text"),
            display: bit("display_text"),
            keypad: bit("keypad_text"),
            cashier: bit("operator_text") | bit("input_text"),
            corrupt: bit("corrupt_text") | bit("parse_text"),
            link: bit("timeout") | bit("connect_fail"),
            crash: bit("crash_text") | bit("hang_text") | bit("watchdog_text"),
        }
    }
}

/// The streaming diagnosis engine.
/// Merchants whose registered MCC is kept at most (a bound on memory for a
/// stream that never ends).
const MERCHANTS_TRACKED_MAX: usize = 1_000_000;

#[derive(Debug)]
pub struct Engine {
    kb: Arc<Kb>,
    /// Some log patterns' bits in pattern hits, looked up once.
    bits: PatternBits,
    cfg: EngineConfig,
    terminal_index: HashMap<Box<str>, u32>,
    /// Terminal ids by engine index (the inverse of `terminal_index`).
    terminal_names: Vec<Box<str>>,
    terminals: Vec<TerminalState>,
    site_index: HashMap<Box<str>, u32>,
    sites: Vec<SiteState>,
    host_index: HashMap<Box<str>, u32>,
    hosts: Vec<Group>,
    merchant_index: HashMap<Box<str>, u32>,
    merchants: Vec<Group>,
    /// Per merchant group, the sites its terminals stand in.
    merchant_sites: Vec<Vec<u32>>,
    /// The whole fleet's answered card payments, and those refused by
    /// response code: how common each refusal is on an ordinary day.
    card_answered: u64,
    card_refused: HashMap<[u8; 2], u64>,
    /// The fleet's refusals for an account's reasons over the last
    /// [`VERSION_REFUSALS_S`]: (when, terminal, code), oldest first.
    account_refusals: std::collections::VecDeque<(Ts, u32, [u8; 2])>,
    /// (app version, code) found to be a version's refusal, and when last:
    /// its terminals refused with that code stay the version's for
    /// [`VERSION_CODE_HOLD_S`], however few refuse in a quiet hour.
    version_codes: HashMap<(Box<str>, [u8; 2]), Ts>,
    /// Per host, the addresses its terminals' link errors named, and which
    /// terminals named each (a few each): an address only one terminal
    /// tries, where the others try another, is that terminal's parameters.
    host_addresses: HashMap<u32, Vec<AddressSeen>>,
    /// Per (vendor, code), the log patterns its lines said across the
    /// fleet: a line left out says what its code's other lines say.
    code_words: HashMap<Box<str>, HashMap<Box<str>, CodeWords>>,
    /// `carrier@city` to its group of recent outcomes.
    carrier_index: HashMap<Box<str>, u32>,
    carriers: Vec<Group>,
    /// Card BIN (as a number) to its group of recent outcomes.
    bins: HashMap<u32, Group>,
    /// Each merchant's registered MCC, from its inventory record: a
    /// payment carrying another was sent under the wrong category.
    merchant_mcc: HashMap<Box<str>, Box<str>>,
    /// Per host (index): its current run of "cut-off in progress"
    /// answers, first and latest.
    host_cut_over: HashMap<u32, (Ts, Ts)>,
    learned: learn::Learned,
    fleet: fleet::Fleet,
    queue: BinaryHeap<Reverse<Queued>>,
    /// Records in the reorder buffer, by slot; `free_slots` are reusable.
    slots: Vec<Option<Record>>,
    free_slots: Vec<u32>,
    pending: std::collections::VecDeque<Pending>,
    /// Room for a diagnosis's factors, kept from one to the next: a fresh
    /// one each time was the largest allocation a diagnosis made.
    factor_room: Vec<diagnose::Factor>,
    seq: u64,
    max_ts: Option<Ts>,
    applied_to: Option<Ts>,
    counters: Counters,
}

impl Engine {
    pub fn new(kb: Arc<Kb>) -> Engine {
        Engine::with_config(kb, EngineConfig::default())
    }

    pub fn with_config(kb: Arc<Kb>, cfg: EngineConfig) -> Engine {
        let bits = PatternBits::of(&kb);
        Engine {
            bits,
            learned: learn::Learned::default(),
            fleet: fleet::Fleet::default(),
            kb,
            cfg,
            terminal_index: HashMap::default(),
            terminal_names: Vec::new(),
            terminals: Vec::new(),
            site_index: HashMap::default(),
            sites: Vec::new(),
            host_index: HashMap::default(),
            hosts: Vec::new(),
            merchant_index: HashMap::default(),
            merchants: Vec::new(),
            merchant_sites: Vec::new(),
            card_answered: 0,
            card_refused: HashMap::default(),
            account_refusals: std::collections::VecDeque::new(),
            version_codes: HashMap::default(),
            code_words: HashMap::default(),
            host_addresses: HashMap::default(),
            carrier_index: HashMap::default(),
            carriers: Vec::new(),
            bins: HashMap::default(),
            merchant_mcc: HashMap::default(),
            host_cut_over: HashMap::default(),
            queue: BinaryHeap::new(),
            slots: Vec::new(),
            free_slots: Vec::new(),
            pending: std::collections::VecDeque::new(),
            factor_room: Vec::new(),
            seq: 0,
            max_ts: None,
            applied_to: None,
            counters: Counters::default(),
        }
    }

    pub fn kb(&self) -> &Kb {
        &self.kb
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Confirmed cases (resolutions) learned from so far.
    pub fn cases_learned(&self) -> u32 {
        self.learned.cases()
    }

    pub fn terminal_count(&self) -> usize {
        self.terminals.len()
    }

    /// Takes one record; diagnoses that became final are passed to `out`.
    pub fn push(&mut self, record: Record, out: &mut dyn FnMut(Diagnosis)) {
        self.counters.records += 1;
        let Some(ts) = record.ts().filter(|_| !is_inventory(&record)) else {
            // Inventory describes the fleet, not a moment: apply at once.
            self.apply(record);
            return;
        };
        if let Some(applied) = self.applied_to
            && ts < applied
        {
            self.counters.late_records += 1;
        }
        keep_latest(&mut self.max_ts, ts);
        self.seq += 1;
        let slot = match self.free_slots.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(record);
                i
            }
            None => {
                self.slots.push(Some(record));
                (self.slots.len() - 1) as u32
            }
        };
        self.queue.push(Reverse(Queued {
            ts,
            seq: self.seq,
            slot,
        }));
        let watermark = self
            .max_ts
            .expect("set above")
            .plus_secs(-self.cfg.reorder_allowance_s);
        self.release(Some(watermark), out);
    }

    /// Applies everything still buffered and diagnoses every pending event.
    /// The engine takes records after it as before: a live service calls
    /// it when the stream goes quiet, so that the last failures before a
    /// lull are not left waiting for records that are not coming.
    pub fn finish(&mut self, out: &mut dyn FnMut(Diagnosis)) {
        self.release(None, out);
    }

    /// As [`Engine::finish`], for records that ended for good (a file read
    /// to its end): incidents closed lately, held back in case their fault
    /// resumed, are announced closed now.
    pub fn end(&mut self, out: &mut dyn FnMut(Diagnosis)) {
        self.finish(out);
        self.fleet.announce_closed(None);
    }

    fn release(&mut self, watermark: Option<Ts>, out: &mut dyn FnMut(Diagnosis)) {
        while let Some(Reverse(head)) = self.queue.peek() {
            if watermark.is_some_and(|w| head.ts > w) {
                break;
            }
            let Reverse(q) = self.queue.pop().expect("peeked");
            self.applied_to = Some(self.applied_to.map_or(q.ts, |a| a.max(q.ts)));
            // Diagnose what became final before applying a later record.
            self.flush_pending(Some(q.ts), out);
            let record = self.slots[q.slot as usize]
                .take()
                .expect("queued slot holds its record");
            self.free_slots.push(q.slot);
            self.apply(record);
        }
        self.flush_pending(watermark.map(|_| self.applied_to.unwrap_or_default()), out);
    }

    /// Diagnoses pending events whose allowance has passed: the state now
    /// holds every record up to their time plus the allowance, and no later one.
    fn flush_pending(&mut self, upto: Option<Ts>, out: &mut dyn FnMut(Diagnosis)) {
        while let Some(front) = self.pending.front() {
            if let Some(upto) = upto
                && front.ts().plus_secs(self.cfg.reorder_allowance_s) >= upto
            {
                break;
            }
            let p = self.pending.pop_front().expect("front");
            let mut room = std::mem::take(&mut self.factor_room);
            let diagnosis = self.diagnose_pending(&p, &mut room);
            self.factor_room = room;
            if let Some(d) = diagnosis {
                self.counters.diagnoses += 1;
                if let Some(&t) = self.terminal_index.get(d.terminal_id.as_str()) {
                    if let Some(i) = d.incident_index {
                        self.fleet.vote(i, t, &d.posterior);
                    }
                    let sure = d.causes[0].p >= SIGN_CAUSE_P_MIN;
                    if sure && fleet::SHARED_DEVICE_CAUSES.contains(&d.causes[0].cause) {
                        self.fleet.observe_device(t, d.ts, d.causes[0].cause);
                    }
                    match d.causes[0].cause {
                        Cause::OperatorError if sure => {
                            self.fleet.observe_operator(t, d.ts);
                            self.fleet.observe_human(t, d.ts);
                        }
                        Cause::CardDecline if sure => self.fleet.observe_human(t, d.ts),
                        Cause::NetworkLan | Cause::PowerSupply if sure => {
                            self.fleet.observe_site_link(t, d.ts)
                        }
                        // A crash the diagnosis splits between the code and
                        // the memory it ran out of is a release's defect
                        // either way (a leak is a defect too).
                        Cause::SoftwareBug | Cause::ResourceMemory
                            if d.posterior[Cause::SoftwareBug.index()]
                                + d.posterior[Cause::ResourceMemory.index()]
                                >= SIGN_CAUSE_P_MIN =>
                        {
                            self.fleet.observe_release_bug(t, d.ts)
                        }
                        Cause::SoftwareIncompatible if sure => {
                            self.fleet.observe_release_refused(t, d.ts)
                        }
                        Cause::SoftwareConfig if sure => {
                            self.fleet.observe_merchant_config(t, d.ts)
                        }
                        _ => {}
                    }
                }
                out(d);
            }
        }
    }

    /// Whether cards of `bin` lately went unanswered on other terminals more
    /// often than not. With the host answering other banks' cards, a card's
    /// failure is then its issuer's, not the terminals' shared fault (a
    /// shop's incident would follow every customer of a down bank).
    fn bin_failing_elsewhere(&self, terminal: u32, bin: u32, ts: Ts) -> bool {
        let from = ts.plus_secs(-ISSUER_WINDOW_S);
        self.bins.get(&bin).is_some_and(|g| {
            let v = g.peers(terminal, from, ts);
            v.unreachable >= 1 && v.unreachable_events > v.approved_events
        })
    }

    /// Whether the terminal's host answers other banks' cards than those of
    /// `bank` (a [`fleet::CardIssuer::key`]): a partial acquirer outage also
    /// fails every bank now and then, but then the host's failure share is
    /// high for all of them.
    fn host_fine(&self, terminal: u32, bank: u32, ts: Ts) -> bool {
        let from = ts.plus_secs(-ISSUER_WINDOW_S);
        self.terminals[terminal as usize].host.is_some_and(|h| {
            let v = self.hosts[h as usize].peers_where(terminal, from, ts, |e| {
                e.bin == 0 || card_issuer(&self.kb, e.bin).key() != bank
            });
            v.approving >= 2 && v.unreachable_events * 5 < v.approved_events
        })
    }

    /// What a refusal code says about what failed, from one look at its
    /// prior: the card's own business (funds, PIN, expiry), something the
    /// terminals share by more than their link — the merchant's account
    /// (frozen, type not allowed, a limit, a risk hold) or their software's
    /// messages (a format error, a MAC the host cannot check) — or neither.
    /// A refused refund, pre-authorisation or void is weighed with what its
    /// type says, as its diagnosis is: "not permitted" on a refund is the
    /// merchant's refunds far more often than the customer's card.
    pub(crate) fn refusal(&self, code: Option<&str>, txn_type: Option<&str>) -> Refusal {
        let Some(d) = code.and_then(|c| self.kb.response_code(c)) else {
            return Refusal::Other;
        };
        let mut prior = d.prior;
        if let Some(t) = txn_type.filter(|t| !t.is_empty() && *t != "purchase") {
            let id = if matches!(t, "void" | "reversal") {
                "void_refused"
            } else {
                "special_txn_type"
            };
            if let Some(def) = self.kb.signals.get(id) {
                for (x, lr) in prior.iter_mut().zip(def.lr.iter()) {
                    *x *= lr;
                }
                posdoc_kb::normalize(&mut prior);
            }
        }
        let mass = |causes: &[Cause]| causes.iter().map(|c| prior[c.index()]).sum::<f64>();
        let shared = |kind| Refusal::Shared {
            kind,
            setup_explains: prior[Cause::SoftwareConfig.index()] >= SETUP_PRIOR_MIN,
            reason: account_reason(&prior),
        };
        if mass(&ACCOUNT_CAUSES) >= SHARED_REFUSAL_PRIOR_MIN {
            shared(fleet::Failure::Account)
        } else if mass(&[
            Cause::SoftwareIncompatible,
            Cause::SoftwareConfig,
            Cause::SoftwareBug,
            Cause::TransmissionCorruption,
        ]) >= SHARED_REFUSAL_PRIOR_MIN
        {
            shared(fleet::Failure::Protocol)
        } else if prior[Cause::SecurityKeys.index()] >= SHARED_REFUSAL_PRIOR_MIN {
            shared(fleet::Failure::Keys)
        } else if prior[Cause::CardDecline.index()] >= CARD_DECLINE_PRIOR_MIN {
            Refusal::CardsOwn
        } else {
            Refusal::Other
        }
    }

    /// What an error shown without a stage is a failure of, from what its
    /// code (in the terminal's vendor's table) and its words say: the
    /// terminal's own parts or app when those are most of it (an app that
    /// stopped answering is its version's business, not its shop's
    /// router's), else its link, as an unsaid stage always was.
    fn unstaged_failure(&self, terminal: u32, code: &str, hits: u64) -> fleet::Failure {
        let s = &self.terminals[terminal as usize];
        let mut p = match self.kb.lookup_code(&s.vendor, Some(&s.model), code) {
            Some(l) => l.prior(None, 1.0),
            None => self
                .kb
                .code_priors
                .get("unknown")
                .map(|u| u.prior)
                .unwrap_or_else(|| self.kb.base_prior()),
        };
        for (n, pat) in self
            .kb
            .patterns
            .iter()
            .enumerate()
            .take(posdoc_kb::PATTERNS_MAX)
        {
            if hits & (1 << n) != 0 {
                for (x, lr) in p.iter_mut().zip(pat.lr.iter()) {
                    *x *= lr;
                }
            }
        }
        let own = [
            Cause::HardwareKeypad,
            Cause::HardwareDisplay,
            Cause::HardwareCardReader,
            Cause::HardwarePrinter,
            Cause::HardwareBoard,
            Cause::PowerBattery,
            Cause::SoftwareBug,
            Cause::ResourceStorage,
            Cause::ResourceMemory,
            Cause::ResourceCpu,
            Cause::OperatorError,
        ]
        .iter()
        .map(|c| p[c.index()])
        .sum::<f64>();
        if own > 0.5 * p.iter().sum::<f64>() {
            fleet::Failure::Device
        } else {
            fleet::Failure::Link
        }
    }

    /// The share of the fleet's answered card payments refused with `code`,
    /// with a little prior weight so a young fleet does not call every
    /// refusal rare.
    fn card_refusal_share(&self, code: [u8; 2]) -> f64 {
        let k = self.card_refused.get(&code).copied().unwrap_or(0) as f64;
        ((k + REFUSAL_SHARE_PRIOR_K) / (self.card_answered as f64 + REFUSAL_SHARE_PRIOR_N))
            .max(REFUSAL_SHARE_MIN)
    }

    /// Whether merchant group `m`'s card payments in `[from, to]` were
    /// refused with `code` on many banks' cards across its terminals, more
    /// often than the code's share of the fleet's refusals explains: its
    /// set-up (a card type it may not take), not its customers'. Only for a
    /// code a card's own refusal gives at all.
    ///
    /// Looked at over [`MERCHANT_REFUSED_S`] up to `to`: a card type the
    /// merchant may not take is refused whenever such a card comes, a few
    /// an hour. On one terminal it takes more banks' cards and a stricter
    /// chance (a small merchant has one counter).
    pub(crate) fn merchant_refusing(&self, m: u32, code: &str, to: Ts) -> Option<state::CodeView> {
        let cards_own = self.kb.response_code(code)?.prior[Cause::CardDecline.index()];
        if cards_own < MERCHANT_CARD_REFUSAL_PRIOR_MIN {
            return None;
        }
        let code = GroupEvent::code_of(Some(code));
        let v =
            self.merchants[m as usize].refused_with(code, to.plus_secs(-MERCHANT_REFUSED_S), to);
        let (bins_min, chance_max) = if v.terminals >= 2 {
            (MERCHANT_REFUSED_BINS_MIN, MERCHANT_REFUSED_CHANCE_MAX)
        } else {
            (
                MERCHANT_REFUSED_BINS_MIN + 1,
                MERCHANT_REFUSED_CHANCE_MAX / 10.0,
            )
        };
        (v.bins >= bins_min
            && fleet::binomial_tail(v.answered, v.refused, self.card_refusal_share(code))
                < chance_max)
            .then_some(v)
    }

    /// Takes in terminal `i`'s refusal with `code` at `ts` for an account's
    /// reasons, and says whether it is its app version's instead: the same
    /// code on the version's terminals at three merchants or more lately,
    /// and (but for one stray) on no other terminal — a host that stopped
    /// taking one payment type from one app, not three merchants' set-ups
    /// gone wrong at once. If so, the version's other refused terminals are
    /// told so too, returned as (terminal, when).
    fn version_refusing(&mut self, i: u32, code: &str, ts: Ts) -> Option<Vec<(u32, Ts)>> {
        let code = GroupEvent::code_of(Some(code));
        let from = ts.plus_secs(-VERSION_REFUSALS_S);
        while self.account_refusals.front().is_some_and(|r| r.0 < from) {
            self.account_refusals.pop_front();
        }
        self.account_refusals.push_back((ts, i, code));
        let version = self.terminals[i as usize].app_version.clone()?;
        let key = (version.clone(), code);
        if self
            .version_codes
            .get(&key)
            .is_some_and(|at| ts.secs_since(*at) <= VERSION_CODE_HOLD_S)
        {
            self.version_codes.insert(key, ts);
            return Some(Vec::new());
        }
        let (mut mine, mut outside) = (Vec::new(), 0usize);
        for &(at, t, c) in &self.account_refusals {
            if c != code || at < from || at > ts {
                continue;
            }
            if self.terminals[t as usize].app_version.as_deref() == Some(&*version) {
                mine.push((t, at));
            } else {
                outside += 1;
            }
        }
        let mut merchants: Vec<u32> = mine
            .iter()
            .filter_map(|&(t, _)| self.terminals[t as usize].merchant_group)
            .collect();
        merchants.sort_unstable();
        merchants.dedup();
        if merchants.len() < VERSION_REFUSED_MERCHANTS_MIN || outside > VERSION_REFUSED_OUTSIDE_MAX
        {
            return None;
        }
        self.version_codes.insert(key, ts);
        Some(mine)
    }

    /// Notes that terminal `i` on host `h` named `addr` in a link error.
    fn note_address(&mut self, h: u32, addr: &str, i: u32) {
        let seen = self.host_addresses.entry(h).or_default();
        if let Some((_, ts)) = seen.iter_mut().find(|(a, _)| &**a == addr) {
            if ts.len() < ADDRESS_TERMINALS_MAX && !ts.contains(&i) {
                ts.push(i);
            }
        } else if seen.len() < HOST_ADDRESSES_MAX {
            seen.push((addr.into(), vec![i]));
        } else if let Some(once) = seen.iter_mut().rev().find(|(_, ts)| ts.len() == 1) {
            // Full: an address one terminal named makes room (the newest
            // such; a terminal whose parameters point somewhere new names
            // a new address each time its parameters change), so the
            // host's own, named by many, is never crowded out.
            *once = (addr.into(), vec![i]);
        }
    }

    /// The patterns most of `vendor`'s lines with `code` said (0 if too few
    /// were seen).
    pub(crate) fn code_words_usual(&self, vendor: &str, code: &str) -> u64 {
        self.code_words
            .get(vendor)
            .and_then(|codes| codes.get(code))
            .map_or(0, CodeWords::usual)
    }

    /// Whether `addr`, named by terminal `i` on host `h`, is the address
    /// most of the host's other terminals named, three of them at least,
    /// of two merchants at least: the terminal's parameters point where
    /// its host is, so its link, not its host address, failed it.
    pub(crate) fn usual_address(&self, h: u32, addr: &str, i: u32) -> bool {
        let Some(seen) = self.host_addresses.get(&h) else {
            return false;
        };
        let others = |ts: &[u32]| ts.iter().filter(|&&t| t != i).count();
        let Some((_, named)) = seen.iter().find(|(a, _)| &**a == addr) else {
            return false;
        };
        let n = others(named);
        // Named by terminals of two merchants at least: parameters pushed
        // to one merchant's terminals all name the same wrong address.
        let merchants = || {
            let mut m: Vec<u32> = named
                .iter()
                .filter(|&&t| t != i)
                .filter_map(|&t| self.terminals[t as usize].merchant_group)
                .collect();
            m.sort_unstable();
            m.dedup();
            m.len()
        };
        n >= ADDRESS_USUAL_MIN
            && seen.iter().all(|(a, ts)| &**a == addr || others(ts) < n)
            && merchants() >= 2
    }

    /// Whether `addr`, named by terminal `i` on host `h`, is one no other
    /// terminal of the host named while two others named another: the
    /// other address, if so.
    pub(crate) fn unfamiliar_address(&self, h: u32, addr: &str, i: u32) -> Option<&str> {
        let seen = self.host_addresses.get(&h)?;
        let others = |ts: &[u32]| ts.iter().filter(|&&t| t != i).count();
        if seen.iter().any(|(a, ts)| &**a == addr && others(ts) > 0) {
            return None;
        }
        seen.iter()
            .filter(|(a, ts)| &**a != addr && others(ts) >= 2)
            .max_by_key(|(_, ts)| others(ts))
            .map(|(a, _)| &**a)
    }

    /// Tells the fleet of terminal `i`'s update if the record at `ts` just
    /// changed its firmware or app version (a release that hangs the
    /// terminals it was just installed on is judged on their going offline).
    fn tell_fleet_of_update(&mut self, i: u32, ts: Ts) {
        if self.terminals[i as usize].last_version_change == Some(ts) {
            self.fleet.note_update(i, ts);
        }
    }

    /// Files terminal `i` under its scopes from what its inventory and
    /// heartbeats said.
    fn set_scopes(&mut self, i: u32) {
        let s = &self.terminals[i as usize];
        let vendor = s.vendor.clone();
        let mut scopes: Vec<(ScopeKind, String)> = Vec::with_capacity(6);
        if let Some(site) = s.site {
            scopes.push((ScopeKind::Site, self.sites[site as usize].id.to_string()));
        }
        if let Some(m) = s.merchant.as_deref() {
            scopes.push((ScopeKind::Merchant, m.to_string()));
        }
        if !s.model.is_empty() {
            scopes.push((ScopeKind::Model, format!("{vendor}/{}", s.model)));
        }
        if let Some(v) = s.app_version.as_deref() {
            // An app version is keyed by itself: one version string on
            // several vendors' terminals is one app (an acquirer's payment
            // app runs on many), where a firmware is its vendor's.
            scopes.push((ScopeKind::AppVersion, v.to_string()));
        }
        if let Some(v) = s.firmware.as_deref() {
            scopes.push((ScopeKind::Firmware, format!("{vendor}/{v}")));
        }
        if let Some(at) = s.cert_not_after {
            // A batch's certificates expire within seconds of each other,
            // not at one instant: its scope is the ten minutes they fall in.
            let bucket = CERT_BATCH_S * 1000;
            scopes.push((
                ScopeKind::Certificate,
                Ts(at.0.div_euclid(bucket) * bucket).to_string(),
            ));
        }
        // Group names by index: a scan, but only when inventory or a
        // version changes, never per transaction.
        let name_of = |index: &HashMap<Box<str>, u32>, i: u32| {
            index
                .iter()
                .find(|(_, v)| **v == i)
                .map(|(k, _)| k.to_string())
                .unwrap_or_default()
        };
        if let Some(h) = s.host {
            scopes.push((ScopeKind::Host, name_of(&self.host_index, h)));
        }
        if let Some(c) = s.carrier_group {
            scopes.push((ScopeKind::Carrier, name_of(&self.carrier_index, c)));
        }
        for (kind, key) in scopes {
            self.fleet.set_scope(i, kind, &key);
        }
    }

    /// Incidents opened, joined or closed since the last call, one change
    /// per incident (the one that says most: closed, else opened, else
    /// joined), in the order they first changed. Whoever writes them out
    /// writes each incident's state as it is now.
    pub fn take_incident_changes(&mut self) -> Vec<IncidentChange> {
        let mut out: Vec<IncidentChange> = Vec::new();
        for c in std::mem::take(&mut self.fleet.changes) {
            let rank = |c: &IncidentChange| match c {
                IncidentChange::Joined(_) => 0,
                IncidentChange::Opened(_) => 1,
                IncidentChange::Closed(_) => 2,
            };
            match out.iter_mut().find(|o| o.incident() == c.incident()) {
                Some(o) if rank(&c) > rank(o) => *o = c,
                Some(_) => {}
                None => out.push(c),
            }
        }
        out
    }

    /// Every incident so far, closed or open.
    pub fn incidents(&self) -> &[Incident] {
        &self.fleet.incidents
    }

    /// An incident as the contract writes it: scope fields, member ids, and
    /// its cause (from its members' diagnoses, or, before any, from what
    /// its kind of scope can share).
    pub fn incident_report(&self, i: u32) -> IncidentReport {
        let inc = &self.fleet.incidents[i as usize];
        let (cause, p) = inc.cause().unwrap_or_else(|| {
            let mut v = self.kb.base_prior();
            if let Some(d) = self.kb.signals.get(inc.signal()) {
                for (x, lr) in v.iter_mut().zip(d.lr.iter()) {
                    *x *= lr;
                }
            }
            // Most members showing their power failing: a shop's power,
            // not its router, before anyone is diagnosed. Weighed as one
            // power event (the knowledge base's weight), once.
            let (signed, members) = self.fleet.power_signs(inc);
            if members > 0
                && 2 * signed > members
                && let Some(d) = self.kb.signals.get("power_events")
            {
                for (x, lr) in v.iter_mut().zip(d.lr.iter()) {
                    *x *= lr;
                }
            }
            posdoc_kb::normalize(&mut v);
            posdoc_kb::top_cause(&v)
        });
        let split = |key: &str| -> (String, String) {
            match key.split_once('/') {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => (String::new(), key.to_string()),
            }
        };
        let scope: Vec<(&'static str, String)> = match inc.kind {
            ScopeKind::Carrier => {
                let (c, city) = inc.key.split_once('@').unwrap_or((&inc.key, ""));
                let mut v = vec![("carrier", c.to_string())];
                if !city.is_empty() {
                    v.push(("city", city.to_string()));
                }
                v
            }
            ScopeKind::Model | ScopeKind::Firmware => {
                let (vendor, value) = split(&inc.key);
                vec![("vendor", vendor), (inc.kind.id(), value)]
            }
            ScopeKind::Issuer if !inc.key.bytes().all(|b| b.is_ascii_digit()) => {
                vec![("issuer", inc.key.clone())]
            }
            k => vec![(k.id(), inc.key.clone())],
        };
        IncidentReport {
            incident_id: inc.id.clone(),
            opened_at: inc.opened_at,
            closed_at: inc.closed_at,
            scope,
            cause,
            p,
            terminals: inc
                .terminals
                .iter()
                .map(|&t| self.terminal_id(t).to_string())
                .collect(),
            merged_into: inc
                .merged_into
                .map(|m| self.fleet.incidents[m as usize].id.clone()),
        }
    }

    /// A terminal's id from its engine index.
    pub fn terminal_id(&self, i: u32) -> &str {
        self.terminal_names.get(i as usize).map_or("", |n| &**n)
    }

    fn terminal_idx(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.terminal_index.get(id) {
            return i;
        }
        let i = self.terminals.len() as u32;
        self.terminals.push(TerminalState::new());
        self.terminal_index.insert(id.into(), i);
        self.terminal_names.push(id.into());
        i
    }

    fn site_idx(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.site_index.get(id) {
            return i;
        }
        let i = self.sites.len() as u32;
        self.sites.push(SiteState {
            id: id.into(),
            ..SiteState::default()
        });
        self.site_index.insert(id.into(), i);
        i
    }

    fn apply(&mut self, record: Record) {
        match record {
            Record::Terminal(t) => {
                let i = self.terminal_idx(&t.terminal_id);
                let site = t.site_id.as_deref().map(|s| self.site_idx(s));
                if let Some(s) = site
                    && !self.sites[s as usize].terminals.contains(&i)
                {
                    if let Some(old) = self.terminals[i as usize].site {
                        self.sites[old as usize].terminals.retain(|&x| x != i);
                    }
                    self.sites[s as usize].terminals.push(i);
                }
                if let Some(h) = t.host.as_deref() {
                    self.terminals[i as usize].host =
                        Some(group_idx(&mut self.host_index, &mut self.hosts, h));
                }
                if let Some(m) = t.merchant_id.as_deref() {
                    let m = group_idx(&mut self.merchant_index, &mut self.merchants, m);
                    self.terminals[i as usize].merchant_group = Some(m);
                    if let Some(site) = site {
                        self.merchant_sites.resize(self.merchants.len(), Vec::new());
                        let sites = &mut self.merchant_sites[m as usize];
                        if !sites.contains(&site) {
                            sites.push(site);
                        }
                    }
                }
                signals::apply_inventory(&mut self.terminals[i as usize], &t, site);
                self.fleet.set_on_router(
                    i,
                    matches!(
                        self.terminals[i as usize].net,
                        state::Net::Wifi | state::Net::Ethernet
                    ),
                );
                if let Some(c) = t.carrier.as_deref()
                    && self.terminals[i as usize].net == state::Net::Cellular
                {
                    // A carrier fails city by city: its base stations and
                    // backhaul are regional.
                    let city = self.terminals[i as usize]
                        .site
                        .and_then(|s| self.sites[s as usize].city.as_deref())
                        .unwrap_or("");
                    let key = format!("{}@{city}", c.to_ascii_lowercase());
                    self.terminals[i as usize].carrier_group =
                        Some(group_idx(&mut self.carrier_index, &mut self.carriers, &key));
                }
                self.set_scopes(i);
            }
            Record::Telemetry(t) => {
                let i = self.terminal_idx(&t.terminal_id);
                // "Offline" is a management system saying it heard nothing
                // from the terminal: its silence, said out loud.
                let offline = t.online == Some(false);
                let unheard_s = self.fleet.last_heard(i).map(|h| t.ts.secs_since(h));
                if !offline {
                    self.fleet.heard(i, t.ts, true);
                }
                // Its first word after hours unheard (or ever), telling of
                // power lost and nothing else wrong: switched off for the
                // night and on at opening, no sign of its mains (two of a
                // shop's tills switched on together are its morning).
                let switched_on = signals::switched_on(&self.terminals[i as usize], &t, unheard_s);
                // A terminal that lost power or drops packets is failing
                // even with no payment to fail: a shop's power cut or
                // router shows here first.
                let trouble = signals::heartbeat_trouble(&self.terminals[i as usize], &t)
                    .filter(|_| !switched_on);
                let sag = signals::rode_out_sag(&self.terminals[i as usize], &t);
                // A heartbeat across its link whole: its shop's router and
                // mains were up (a neighbour gone dark meanwhile went on its
                // own).
                if !offline && trouble.is_none() {
                    self.fleet.link_ok(i, t.ts);
                }
                // A sign of its mains failing: in a shop, two terminals
                // showing one at once is the shop's power. A terminal with a
                // battery rides out a cut, so its losing power is its
                // battery's doing.
                let state = &self.terminals[i as usize];
                let on_battery =
                    t.battery_pct.is_some() || state.metric(state::MetricId::Battery).n > 0;
                let lost_power = t.reboot.as_deref() == Some("power_loss") && !switched_on;
                let mains = signals::supply_reading_off(state, &t)
                    || t.power_events.is_some_and(|n| n > 0)
                    || (lost_power && !on_battery);
                if mains || lost_power {
                    self.fleet.note_power(i, t.ts);
                }
                if let Some(rssi) = t.rssi_dbm {
                    let weak =
                        state.net != state::Net::Wifi && rssi <= f64::from(signals::CELL_POOR_DBM);
                    self.fleet.radio_read(i, t.ts, weak);
                }
                signals::apply_telemetry(&mut self.terminals[i as usize], &t);
                self.tell_fleet_of_update(i, t.ts);
                if t.firmware.is_some() || t.app_version.is_some() {
                    self.set_scopes(i);
                }
                if let Some(failure) = trouble {
                    if failure == fleet::Failure::Link && !mains {
                        self.fleet.note_dark(i, t.ts);
                    }
                    let source = if sag {
                        Source::Sag
                    } else if mains {
                        Source::Mains
                    } else {
                        Source::Heartbeat
                    };
                    self.fleet.observe(i, t.ts, Some(failure), source);
                } else if offline
                    && !signals::restarting_after_crash(
                        &self.terminals[i as usize],
                        t.ts,
                        self.bits.crash,
                    )
                {
                    // To its shop and carrier, as silence: beside a
                    // neighbour failing out loud, never alone (a shop
                    // switching its terminals off at closing time is
                    // reported offline one by one). Restarting after its
                    // app crashed, it is its crash's, already counted.
                    self.fleet.observe_offline(i, t.ts);
                } else {
                    self.fleet.tick(t.ts);
                }
            }
            Record::Txn(t) => {
                let i = self.terminal_idx(&t.terminal_id);
                self.fleet.heard(i, t.ts, false);
                // Whether the terminal's link worked until now: a payment
                // that then times out is its card's, not its link's.
                let link_was_fine = {
                    let s = &self.terminals[i as usize];
                    s.last_success
                        .is_some_and(|ok| s.last_link_failure.is_none_or(|f| ok > f))
                };
                signals::apply_txn(&mut self.terminals[i as usize], &t);
                let bin = signals::txn_bin(&t);
                let outcome = signals::outcome(&t);
                // The host answered: its link worked.
                if outcome != state::Outcome::Unreachable {
                    self.fleet.link_ok(i, t.ts);
                }
                let event = GroupEvent {
                    ts: t.ts,
                    terminal: i,
                    outcome,
                    bin,
                    code: GroupEvent::code_of(t.response_code.as_deref()),
                };
                if let Some(h) = self.terminals[i as usize].host {
                    self.hosts[h as usize].push(event);
                }
                if let Some(m) = self.terminals[i as usize].merchant_group {
                    self.merchants[m as usize].push(event);
                }
                if bin != 0 && outcome != state::Outcome::Unreachable {
                    self.card_answered += 1;
                    if outcome == state::Outcome::Declined {
                        *self.card_refused.entry(event.code).or_default() += 1;
                    }
                    // Its BIN's tally of its bank's refusals, for a batch
                    // of cards refused for one reason.
                    let by_bank = outcome == state::Outcome::Declined
                        && t.response_code
                            .as_deref()
                            .and_then(|c| self.kb.response_code(c))
                            .is_some_and(|d| {
                                d.prior[Cause::CardDecline.index()] >= BIN_REFUSAL_PRIOR_MIN
                            });
                    let mcc = t.mcc.as_deref().and_then(|m| m.parse().ok()).unwrap_or(0);
                    self.fleet.observe_card_answer(
                        i,
                        bin,
                        by_bank.then_some(event.code),
                        mcc,
                        t.ts,
                    );
                }
                if let Some(c) = self.terminals[i as usize].carrier_group {
                    self.carriers[c as usize].push(event);
                }
                // A host at its day-end cut-over: diagnosed, but no failure
                // of the fleet's yet.
                if t.response_code.as_deref() == Some("90")
                    && let Some(h) = self.terminals[i as usize].host
                    && self.cutting_over(h, t.ts)
                {
                    self.pending.push_back(Pending::Txn(t));
                    return;
                }
                // The card's bank, and for an unanswered card whether the
                // host answers other banks': each looked up once.
                let card = (bin != 0).then(|| card_issuer(&self.kb, bin));
                let bank = card.map_or(0, |c| c.key());
                let unreachable = outcome == state::Outcome::Unreachable;
                let host_fine = unreachable && card.is_some() && self.host_fine(i, bank, t.ts);
                if let Some(card) = card
                    && (self.bins.len() < BINS_TRACKED_MAX || self.bins.contains_key(&bin))
                {
                    self.bins.entry(bin).or_default().push(event);
                    // A decline is an answer: the bank is up.
                    let answered = t.response_code.is_some() && !t.timed_out;
                    let failed = unreachable && (answered || link_was_fine);
                    self.fleet
                        .observe_card(i, card, t.ts, failed, failed && host_fine);
                }
                // An answer is the host speaking: its own malfunction, or
                // any other (a timeout may be any link on the way); how
                // long a card's took (a QR payment's waits for its payer to
                // confirm on the phone).
                if t.response_code.is_some() && !t.timed_out {
                    self.fleet.host_answered(
                        i,
                        t.ts,
                        bank,
                        outcome == state::Outcome::Unreachable,
                        t.latency_ms
                            .filter(|_| signals::is_card(t.channel.as_deref())),
                    );
                }
                let paid = Source::Payment(bank);
                match outcome {
                    state::Outcome::Approved => self.fleet.observe(i, t.ts, None, paid),
                    // The issuer's failure, not the terminals'.
                    state::Outcome::Unreachable
                        if host_fine && self.bin_failing_elsewhere(i, bin, t.ts) => {}
                    state::Outcome::Unreachable => {
                        self.fleet
                            .observe(i, t.ts, Some(fleet::Failure::Link), paid)
                    }
                    // One code on many banks' cards across the merchant's
                    // terminals: its account's set-up, whatever the code
                    // usually means (see `Engine::merchant_refusing`).
                    state::Outcome::Declined
                        if bin != 0
                            && let Some(m) = self.terminals[i as usize].merchant_group
                            && let Some(code) = t.response_code.as_deref()
                            && self.merchant_refusing(m, code, t.ts).is_some() =>
                    {
                        let code = GroupEvent::code_of(Some(code));
                        for (other, at) in self.merchants[m as usize].refused_terminals(
                            code,
                            t.ts.plus_secs(-MERCHANT_REFUSED_S),
                            t.ts,
                        ) {
                            self.fleet.note_refused(other, at, fleet::Failure::Account);
                        }
                        let answered = t.response_code.as_deref();
                        let reason = match self.refusal(answered, Some(t.txn_type.as_str())) {
                            Refusal::Shared { reason, .. } => reason,
                            _ => 0,
                        };
                        let purchase = refused_purchase(&t, false, reason);
                        self.fleet
                            .observe_refusal(i, t.ts, fleet::Failure::Account, purchase)
                    }
                    state::Outcome::Declined => {
                        match self.refusal(t.response_code.as_deref(), Some(t.txn_type.as_str())) {
                            Refusal::CardsOwn => {}
                            Refusal::Shared {
                                mut kind,
                                setup_explains,
                                reason,
                            } => {
                                if kind == fleet::Failure::Account
                                    && let Some(code) = t.response_code.as_deref()
                                    && let Some(others) = self.version_refusing(i, code, t.ts)
                                {
                                    // The version's messages refused, not
                                    // the merchants' accounts.
                                    kind = fleet::Failure::Protocol;
                                    for (other, at) in others {
                                        self.fleet.note_refused(other, at, kind);
                                    }
                                }
                                let purchase = refused_purchase(&t, setup_explains, reason);
                                self.fleet.observe_refusal(i, t.ts, kind, purchase)
                            }
                            Refusal::Other => {
                                self.fleet
                                    .observe(i, t.ts, Some(fleet::Failure::Protocol), paid)
                            }
                        }
                    }
                }
                if t.failed() {
                    self.pending.push_back(Pending::Txn(t));
                }
            }
            Record::Error(e) => {
                let i = self.terminal_idx(&e.terminal_id);
                self.fleet.heard(i, e.ts, false);
                let words = signals::apply_error(&mut self.terminals[i as usize], &e, &self.kb);
                let hits = words.log_hits;
                // A modem telling its signal as its link failed: a reading
                // like a heartbeat's, to its shop too.
                if let Some(weak) = words.radio_weak {
                    self.fleet.radio_worded(i, e.ts, weak);
                }
                if e.detail.as_deref().is_some_and(|d| !d.trim().is_empty()) {
                    // Looked up by reference: the keys are allocated once,
                    // when a vendor's code is first seen with words.
                    let vendor = &self.terminals[i as usize].vendor;
                    let codes = match self.code_words.get_mut(vendor) {
                        Some(codes) => codes,
                        None => self.code_words.entry(vendor.clone()).or_default(),
                    };
                    match codes.get_mut(e.code.as_str()) {
                        Some(words) => words.said(hits),
                        None => codes.entry(e.code.as_str().into()).or_default().said(hits),
                    }
                }
                if matches!(
                    e.stage.as_deref(),
                    None | Some("connect" | "send" | "receive")
                ) && let Some(addr) = e.detail.as_deref().and_then(signals::address_in)
                    && let Some(h) = self.terminals[i as usize].host
                {
                    self.note_address(h, addr, i);
                }
                let power = e.stage.as_deref() == Some("power_on") || hits & self.bits.power != 0;
                if power {
                    self.fleet.note_power(i, e.ts);
                }
                // A line logging a payment that failed just now is that
                // failure again, already counted.
                // Its STAN names the payment, however long the wait for
                // the host's answer (a minute's timeout) made it come after.
                let echo = self.terminals[i as usize].txns.iter().rev().any(|t| {
                    let apart = t.ts.secs_since(e.ts).abs();
                    !t.ok
                        && match e.stan.as_deref() {
                            Some(stan) => {
                                t.stan.as_deref() == Some(stan) && apart <= ECHO_STAN_WINDOW_S
                            }
                            None => apart <= ECHO_WINDOW_S,
                        }
                });
                // A terminal showing the host's refusal fails as the refusal
                // does (its account's, its messages'), not as its link.
                let failure = match self.refusal(Some(&e.code), None) {
                    _ if echo => None,
                    Refusal::CardsOwn => None,
                    Refusal::Shared { kind, .. } => Some(kind),
                    // A MAC refused: keys out of step.
                    Refusal::Other if e.stage.as_deref() == Some("mac") => {
                        Some(fleet::Failure::Keys)
                    }
                    // Its own certificate expired: its batch's business.
                    Refusal::Other
                        if e.stage.as_deref() == Some("tls")
                            && signals::cert_expired(&self.terminals[i as usize], e.ts) =>
                    {
                        Some(fleet::Failure::Expired)
                    }
                    Refusal::Other
                        if signals::own_protocol_fault(
                            &self.terminals[i as usize],
                            e.stage.as_deref(),
                            e.ts,
                        ) =>
                    {
                        None
                    }
                    // An answer that came but could not be read: the
                    // message's format (a version's or the line's), not a
                    // link gone — judged as its messages refused.
                    Refusal::Other
                        if matches!(e.stage.as_deref(), None | Some("receive"))
                            && hits & self.bits.corrupt != 0
                            && hits & self.bits.link == 0 =>
                    {
                        Some(fleet::Failure::Protocol)
                    }
                    Refusal::Other if e.stage.is_none() => {
                        Some(self.unstaged_failure(i, &e.code, hits))
                    }
                    Refusal::Other => Some(fleet::Failure::of_stage(e.stage.as_deref())),
                };
                match failure {
                    // A handshake or a MAC the host refused: the terminal's
                    // messages refused, as a format error is.
                    Some(kind @ (fleet::Failure::Protocol | fleet::Failure::Keys)) => self
                        .fleet
                        .observe_refusal(i, e.ts, kind, fleet::Purchase::default()),
                    Some(failure) => {
                        let source = if power { Source::Mains } else { Source::Other };
                        self.fleet.observe(i, e.ts, Some(failure), source)
                    }
                    None => {}
                }
                self.pending.push_back(Pending::Error(e, hits));
            }
            Record::Maintenance(m) => {
                let i = self.terminal_idx(&m.terminal_id);
                if signals::apply_maintenance(&mut self.terminals[i as usize], &m) {
                    self.set_scopes(i);
                }
                self.tell_fleet_of_update(i, m.ts);
            }
            Record::Check(c) => {
                let lite = state::CheckLite {
                    ts: c.ts,
                    name: c.name.as_str().into(),
                    result: c.result,
                };
                match c.target {
                    Target::Terminal(t) => {
                        let i = self.terminal_idx(&t);
                        self.terminals[i as usize].checks.push(lite);
                    }
                    Target::Site(s) => {
                        let i = self.site_idx(&s);
                        self.sites[i as usize].checks.push(lite);
                    }
                    Target::Incident(_) => {}
                }
            }
            Record::Resolution(r) => {
                let Some(cause) = Cause::parse(&r.cause) else {
                    return;
                };
                let members: Vec<u32> = match &r.target {
                    Target::Terminal(t) => self
                        .terminal_index
                        .get(t.as_str())
                        .copied()
                        .into_iter()
                        .collect(),
                    Target::Site(s) => self
                        .site_index
                        .get(s.as_str())
                        .map(|&i| self.sites[i as usize].terminals.clone())
                        .unwrap_or_default(),
                    Target::Incident(_) => Vec::new(),
                };
                for i in members {
                    let t = &mut self.terminals[i as usize];
                    self.learned.learn(t, cause, r.ts);
                    t.note_resolution(r.ts, cause);
                }
                self.learned.learn_base(cause);
                self.counters.resolutions_learned += 1;
            }
            Record::Complaint(c) => {
                // Only a complaint that names its terminal: a merchant-wide
                // one is for the fleet view to place.
                if let Some(t) = c.terminal_id.as_deref() {
                    let hits = self.kb.pattern_hits(&c.text.to_lowercase());
                    let i = self.terminal_idx(t);
                    let s = &mut self.terminals[i as usize];
                    if hits != 0 && s.complaint.is_none_or(|(at, _)| at <= c.ts) {
                        s.complaint = Some((c.ts, hits));
                    }
                }
            }
            Record::Merchant(_) | Record::Site(_) | Record::Other { .. } => {
                if let Record::Merchant(m) = &record
                    && self.merchant_mcc.len() < MERCHANTS_TRACKED_MAX
                {
                    self.merchant_mcc
                        .insert(m.merchant_id.as_str().into(), m.mcc.as_str().into());
                }
                if let Record::Site(s) = record {
                    let i = self.site_idx(&s.site_id);
                    if let Some(city) = s.city {
                        self.sites[i as usize].city = Some(city.into());
                    }
                }
            }
        }
    }

    /// Whether host `h`, answering "cut-off in progress" at `ts`, is still
    /// within its day-end cut-over (see [`CUT_OVER_GRACE_S`]).
    fn cutting_over(&mut self, h: u32, ts: Ts) -> bool {
        let run = self.host_cut_over.entry(h).or_insert((ts, ts));
        if ts.secs_since(run.1) > CUT_OVER_GAP_S {
            *run = (ts, ts);
        }
        run.1 = run.1.max(ts);
        ts.secs_since(run.0) <= CUT_OVER_GRACE_S
    }

    /// Bytes of state held for each terminal (inline, heap and its index
    /// entry), for the memory budget: it must not grow with the records.
    pub fn state_bytes(&self) -> Vec<usize> {
        self.terminal_index
            .iter()
            .map(|(id, &i)| {
                self.terminals[i as usize].bytes()
                    + id.len()
                    + std::mem::size_of::<(Box<str>, u32)>()
            })
            .collect()
    }
}

/// Problems between the engine and a knowledge base: signals the engine
/// reports that the knowledge base does not weigh, and the reverse, and the
/// pseudo-codes the engine needs.
pub fn kb_problems(kb: &Kb) -> Vec<String> {
    let mut out = Vec::new();
    // The fleet view's shared-device signals are listed beside their causes.
    let reported = || SIGNAL_IDS.iter().chain(fleet::SHARED_DEVICE_SIGNALS.iter());
    for id in reported() {
        if !kb.signals.contains_key(*id) {
            out.push(format!(
                "evidence.toml: signal `{id}` (reported by the engine) has no weights"
            ));
        }
    }
    for id in kb.signals.keys() {
        if !reported().any(|r| *r == id.as_str()) {
            out.push(format!(
                "evidence.toml: signal `{id}` is never reported by the engine"
            ));
        }
    }
    if kb.patterns.len() > posdoc_kb::PATTERNS_MAX {
        out.push(format!(
            "evidence.toml: {} log patterns, more than the {} the engine can remember per error",
            kb.patterns.len(),
            posdoc_kb::PATTERNS_MAX
        ));
    }
    for code in ["timeout", "unknown"] {
        if !kb.code_priors.contains_key(code) {
            out.push(format!(
                "evidence.toml: `[[code_prior]]` for `{code}` is missing"
            ));
        }
    }
    out
}

/// The index of a named group, created on first sight.
fn group_idx(index: &mut HashMap<Box<str>, u32>, groups: &mut Vec<Group>, name: &str) -> u32 {
    if let Some(&i) = index.get(name) {
        return i;
    }
    let i = groups.len() as u32;
    groups.push(Group::default());
    index.insert(name.into(), i);
    i
}

fn is_inventory(r: &Record) -> bool {
    matches!(
        r,
        Record::Merchant(_) | Record::Site(_) | Record::Terminal(_)
    )
}

/// "no sign of …" around a signal's text, for absent expected symptoms.
pub(crate) fn absent_text(t: &Text) -> Text {
    Text {
        zh: format!("未见：{}", t.zh),
        en: format!("no sign of: {}", t.en),
    }
}

#[cfg(test)]
mod tests;
