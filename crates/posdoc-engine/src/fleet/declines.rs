//! One BIN's cards refused by their bank for one reason far more often than
//! the rest of the fleet's cards are: a batch of cards expired or reissued
//! with the wrong date, or a card product the bank stopped.
//!
//! Each refusal is the customer's card's own business (`54` expired, `14`
//! invalid card) and each terminal sees one or two at most, so neither a
//! shop's nor a merchant's tally ever moves, and an issuer's outage test
//! counts payments gone unanswered, not refused. What gives it away is the
//! BIN's share of that code among its answered payments over the last hour
//! against the same code's share among every other BIN's, all along: a
//! binomial test, strict because every BIN and every code is tested again
//! and again.

use std::collections::VecDeque;

use posdoc_record::Ts;

use super::{FxHashMap, Rate, binomial_tail};

/// How long a BIN's refusals are remembered for their terminals, seconds
/// (its rates decay over [`super::RATE_TAU_S`], an hour too).
const WINDOW_S: i64 = 3600;
/// Refusals of the code within [`WINDOW_S`], on this many terminals...
const REFUSALS_MIN: usize = 5;
const TERMINALS_MIN: usize = 3;
/// ...of this many merchants: one merchant's customers are its own trade.
const MERCHANTS_MIN: usize = 2;
/// The BIN's share of the code among its answered payments lately, at least,
/// and at least this many times the rest of the fleet's share.
const SHARE_MIN: f64 = 0.15;
const FACTOR_MIN: f64 = 5.0;
/// The chance of that many refusals at the rest of the fleet's share.
const CHANCE_MAX: f64 = 1e-6;
/// The rest of the fleet's share is drawn towards this one, with the weight
/// of this many payments: a young stream does not call every code rare.
const PRIOR_SHARE: f64 = 0.05;
const PRIOR_N: f64 = 100.0;
/// No share is taken for rarer than this.
const SHARE_FLOOR: f64 = 0.002;
/// The slow test, over every reason at once and all along: a batch refused
/// a few times an hour for two or three reasons (an invalid card, a
/// restricted one) never makes an hour's test, but over hours its BIN's
/// share of refusals stands far above every other BIN's.
const ALL_REFUSALS_MIN: u64 = 8;
const ALL_TERMINALS_MIN: usize = 4;
const ALL_SHARE_MIN: f64 = 0.3;
const ALL_CHANCE_MAX: f64 = 1e-9;
/// What [`BinTally::fired`] holds when the slow test fired: every reason.
const ANY_CODE: [u8; 2] = [0, 0];
/// BINs tracked at most: a stream of made-up card numbers must not grow
/// the tally without bound.
const BINS_MAX: usize = 20_000;

/// One refusal code of one BIN.
#[derive(Debug)]
struct CodeTally {
    code: [u8; 2],
    /// Its refusals lately (only `n` is used).
    lately: Rate,
    total: u64,
    /// The latest refusals, within [`WINDOW_S`].
    recent: VecDeque<Refused>,
}

#[derive(Debug, Default)]
struct BinTally {
    /// Its answered card payments lately (only `n` is used).
    answered: Rate,
    answered_total: u64,
    codes: Vec<CodeTally>,
    /// Its refusals all along, and the terminals of the latest (up to
    /// [`ALL_KEPT`]): (when, terminal).
    refused_total: u64,
    refused_recent: VecDeque<Refused>,
    /// The code its incident opened on ([`ANY_CODE`]: every code), while
    /// one is open.
    fired: Option<[u8; 2]>,
}

/// One refusal: when, on which terminal, at a merchant of which trade
/// (its MCC, 0 if unsaid).
#[derive(Debug, Clone, Copy)]
struct Refused {
    ts: Ts,
    terminal: u32,
    mcc: u16,
}

/// Refusals of a BIN kept for the slow test's terminals.
const ALL_KEPT: usize = 32;

/// Per BIN, its answered payments and its refusals per code.
#[derive(Debug, Default)]
pub(super) struct BinDeclines {
    bins: FxHashMap<u32, BinTally>,
    answered_total: u64,
    refused_total: FxHashMap<[u8; 2], u64>,
    refused_all: u64,
}

/// What a refusal of a BIN's card says.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Judged {
    /// Nothing out of the ordinary, or not a refusal.
    Ordinary,
    /// Its code fails the BIN's cards far past chance: these terminals
    /// (with when) refused them.
    Batch(Vec<(u32, Ts)>),
    /// The code its incident opened on, again.
    Again,
}

impl BinDeclines {
    /// Takes in an answered card payment of `bin` on `terminal`, refused by
    /// the card's bank with `refused` (its own reasons only: funds, expiry,
    /// an invalid card) or approved; `merchant_of` names a terminal's
    /// merchant scope.
    pub(super) fn observe(
        &mut self,
        terminal: u32,
        bin: u32,
        refused: Option<[u8; 2]>,
        mcc: u16,
        ts: Ts,
        merchant_of: impl Fn(u32) -> u32,
    ) -> Judged {
        if self.bins.len() >= BINS_MAX && !self.bins.contains_key(&bin) {
            return Judged::Ordinary;
        }
        self.answered_total += 1;
        let tally = self.bins.entry(bin).or_default();
        tally.answered.add(ts, false);
        tally.answered_total += 1;
        let Some(code) = refused else {
            return Judged::Ordinary;
        };
        self.refused_all += 1;
        tally.refused_total += 1;
        let r = Refused { ts, terminal, mcc };
        tally.refused_recent.push_back(r);
        if tally.refused_recent.len() > ALL_KEPT {
            tally.refused_recent.pop_front();
        }
        let fleet_refused = self.refused_total.entry(code).or_default();
        *fleet_refused += 1;
        let fleet_refused = *fleet_refused;
        let c = match tally.codes.iter().position(|c| c.code == code) {
            Some(c) => c,
            None => {
                tally.codes.push(CodeTally {
                    code,
                    lately: Rate::default(),
                    total: 0,
                    recent: VecDeque::new(),
                });
                tally.codes.len() - 1
            }
        };
        let ct = &mut tally.codes[c];
        ct.lately.add(ts, false);
        ct.total += 1;
        ct.recent.push_back(r);
        while ct
            .recent
            .front()
            .is_some_and(|r| ts.secs_since(r.ts) > WINDOW_S as f64)
        {
            ct.recent.pop_front();
        }
        if tally.fired.is_some_and(|f| f == code || f == ANY_CODE) {
            return Judged::Again;
        }
        // The slow test: every reason, all along.
        let all_rest_k = (self.refused_all - tally.refused_total) as f64;
        let all_base = ((all_rest_k + PRIOR_SHARE * PRIOR_N)
            / (rest_n_of(self.answered_total, tally.answered_total) + PRIOR_N))
            .max(SHARE_FLOOR);
        let (all_n, all_k) = (tally.answered_total, tally.refused_total);
        if all_k >= ALL_REFUSALS_MIN
            && all_k as f64 >= ALL_SHARE_MIN * all_n as f64
            && all_k as f64 >= FACTOR_MIN * all_base * all_n as f64
            && spread(&tally.refused_recent, &merchant_of, ALL_TERMINALS_MIN)
            && binomial_tail(
                all_n.min(u64::from(u32::MAX)) as u32,
                all_k.min(u64::from(u32::MAX)) as u32,
                all_base,
            ) < ALL_CHANCE_MAX
        {
            tally.fired = Some(ANY_CODE);
            return Judged::Batch(
                tally
                    .refused_recent
                    .iter()
                    .map(|r| (r.terminal, r.ts))
                    .collect(),
            );
        }
        let ct = &tally.codes[c];
        if ct.recent.len() < REFUSALS_MIN || !spread(&ct.recent, &merchant_of, TERMINALS_MIN) {
            return Judged::Ordinary;
        }
        // The rest of the fleet: every other BIN's payments, all along.
        let rest_k = (fleet_refused - ct.total) as f64;
        let rest_n = rest_n_of(self.answered_total, tally.answered_total);
        let base = ((rest_k + PRIOR_SHARE * PRIOR_N) / (rest_n + PRIOR_N)).max(SHARE_FLOOR);
        let (n, _) = tally.answered.as_of(ts);
        let (k, _) = ct.lately.as_of(ts);
        let (n_int, k_int) = (n.round() as u32, k.round() as u32);
        if k >= SHARE_MIN * n
            && k >= FACTOR_MIN * base * n
            && binomial_tail(n_int.max(k_int), k_int, base) < CHANCE_MAX
        {
            let who = ct.recent.iter().map(|r| (r.terminal, r.ts)).collect();
            tally.fired = Some(code);
            Judged::Batch(who)
        } else {
            Judged::Ordinary
        }
    }

    /// The BIN's incident closed: its code may fire again.
    pub(super) fn closed(&mut self, bin: u32) {
        if let Some(t) = self.bins.get_mut(&bin) {
            t.fired = None;
        }
    }
}

/// Every other BIN's answered payments.
fn rest_n_of(fleet: u64, bin: u64) -> f64 {
    fleet.saturating_sub(bin) as f64
}

/// Whether `refusals` came from `terminals_min` terminals or more, of
/// [`MERCHANTS_MIN`] merchants or more (a terminal of no known merchant
/// counts as a merchant of its own), of more than one trade where their
/// MCCs are said: refused only at merchants of one trade is that trade's
/// rule (a kind of card it may not take), not the cards.
fn spread(
    refusals: &VecDeque<Refused>,
    merchant_of: &impl Fn(u32) -> u32,
    terminals_min: usize,
) -> bool {
    let mut mccs = refusals.iter().map(|r| r.mcc).filter(|&m| m != 0);
    if let Some(first) = mccs.next()
        && refusals.iter().filter(|r| r.mcc != 0).count() >= 2
        && mccs.all(|m| m == first)
    {
        return false;
    }
    let mut terminals: Vec<u32> = refusals.iter().map(|r| r.terminal).collect();
    terminals.sort_unstable();
    terminals.dedup();
    if terminals.len() < terminals_min {
        return false;
    }
    let mut merchants: Vec<u32> = terminals
        .iter()
        .map(|&t| merchant_of(t))
        .filter(|&m| m != super::NONE)
        .collect();
    merchants.sort_unstable();
    merchants.dedup();
    let unknown = terminals
        .iter()
        .filter(|&&t| merchant_of(t) == super::NONE)
        .count();
    merchants.len() + unknown >= MERCHANTS_MIN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Ts {
        Ts::from_secs(1_800_000_000).plus_secs(s)
    }

    /// A fleet of 40 terminals in 20 merchants paying with ten BINs in turn,
    /// each refused `51` one time in fifty (every fiftieth round); from `batch_from` on, BIN 622848's
    /// cards are refused `54` one time in two.
    fn run(batch_from: Option<i64>) -> Vec<(i64, Judged)> {
        let mut d = BinDeclines::default();
        let mut fired = Vec::new();
        for i in 0..4000i64 {
            let ts = i * 5;
            // Each BIN's cards come to every terminal in turn.
            let terminal = ((i / 20 * 13 + i) % 40) as u32;
            let bin = 622840 + (i % 10) as u32;
            let refused = if bin == 622848 && batch_from.is_some_and(|b| ts >= b) && i % 20 < 10 {
                Some(*b"54")
            } else if (i / 10) % 50 == 3 {
                Some(*b"51")
            } else {
                None
            };
            let j = d.observe(
                terminal,
                bin,
                refused,
                5000 + (terminal % 7) as u16,
                at(ts),
                |t| t / 2,
            );
            if j != Judged::Ordinary {
                fired.push((ts, j));
            }
        }
        fired
    }

    #[test]
    fn ordinary_refusals_spread_over_bins_fire_nothing() {
        assert!(run(None).is_empty());
    }

    #[test]
    fn one_bins_batch_of_one_code_fires_once_then_is_again() {
        let fired = run(Some(10_000));
        let (first, j) = fired.first().expect("the batch is found");
        assert!(
            *first >= 10_000 && *first < 10_000 + 1800,
            "found at {first}"
        );
        match j {
            Judged::Batch(who) => assert!(who.len() >= REFUSALS_MIN, "{who:?}"),
            other => panic!("{other:?}"),
        }
        assert!(
            fired[1..].iter().all(|(_, j)| *j == Judged::Again),
            "one batch, then its code again"
        );
    }

    #[test]
    fn one_merchants_refusals_are_its_own_trade() {
        let mut d = BinDeclines::default();
        let mut any = false;
        for i in 0..2000i64 {
            let refused = (i % 2 == 0).then_some(*b"54");
            // Every terminal in merchant 0.
            let j = d.observe((i % 4) as u32, 622848, refused, 5411, at(i * 5), |_| 0);
            any |= j != Judged::Ordinary;
        }
        assert!(!any);
    }
}
