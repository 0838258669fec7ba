//! A host's answers over the last half hour, for the slow test of a host
//! that is degraded rather than down.
//!
//! An overloaded acquirer answers most payments and fails a few in a
//! hundred with its own malfunction (`96` and the like), and answers many
//! more late (seconds where it took one): never most of its terminals at
//! once, never one in ten over a few minutes, so neither the outage test
//! nor the burst test sees it. What gives it away is the count of such
//! bad answers — a malfunction, or an answer far slower than the host's
//! usual — over ten to thirty minutes against the host's own rate before
//! (or the other hosts' meanwhile: an overload that came by degrees has
//! taught the host's past its first hour), spread over many shops and many
//! banks. Only *answers* count: a timeout
//! may be any link on the way (a carrier, a shop's router), an answer is
//! the host speaking.

use std::collections::VecDeque;

use posdoc_record::Ts;

use super::Rate;

/// Minutes of answers kept per host: the longest window and a spare, so a
/// payment logged a little out of order still finds its minute.
const MINUTES: usize = 32;
/// The windows the test is run over, seconds, shortest first: a host badly
/// degraded shows in ten minutes, a mildly one in thirty.
pub(super) const WINDOWS_S: [i64; 3] = [600, 1200, 1800];
/// The malfunction rate assumed before any is known, and with the weight of
/// how many answers: a host with no past is judged against a usual one.
const PRIOR_RATE: f64 = 0.003;
const PRIOR_N: f64 = 300.0;
/// The rate assumed at least, however clean the past.
const BASE_MIN: f64 = 0.002;
/// An answer slower than this, and than [`SLOW_FACTOR`] times the host's
/// usual, is a bad one, once the usual is known from so many answers.
const SLOW_MIN_MS: f64 = 5000.0;
const SLOW_FACTOR: f64 = 3.0;
const USUAL_KNOWN_N: usize = 31;
/// How far one answer moves the host's usual latency once known, as a
/// share of it: down if faster, up if slower.
///
/// The usual is a low quantile (a sixth of answers are faster), not a mean.
/// Answers have a heavy tail (one in a hundred takes ten seconds), and a
/// host slowing by degrees must not teach its usual the slowness before the
/// test has seen it: a mean over its first hundred answers, a third of them
/// a ramp's, had doubled, and a quiet host's hundred answers take an hour.
/// This one moves up a fifth of a per cent an answer at most.
const USUAL_STEP_DOWN: f64 = 0.01;
const USUAL_STEP_UP: f64 = 0.002;
/// The rank among the first [`USUAL_KNOWN_N`] answers the usual starts
/// from: the same sixth.
const USUAL_RANK: usize = USUAL_KNOWN_N / 6;

/// Malfunctions in a window needed at all, on distinct terminals in
/// distinct shops (besides the shop with the most).
pub(super) const ERRORS_MIN: u32 = 5;
pub(super) const TERMINALS_MIN: usize = 4;
pub(super) const SITES_MIN: u32 = 3;
/// Malfunctions in the last five minutes needed to go on firing.
pub(super) const LATELY_MIN: u32 = 2;
/// The binomial chance below which the count is no chance. Strict: every
/// host is tested at every malfunction, all day.
const CHANCE_MAX: f64 = 1e-5;

/// A host's answered payments per minute and its malfunction answers.
#[derive(Debug)]
pub(super) struct HostAnswers {
    /// Per minute slot: (minute since the epoch, answered, malfunctions).
    minutes: [(i64, u32, u32); MINUTES],
    /// The malfunction answers of the last [`MINUTES`]: (when, terminal,
    /// card issuer key or 0).
    errors: VecDeque<(Ts, u32, u32)>,
    /// The latest minute answered.
    latest: i64,
    /// Its usual answer latency (ms, a moving low quantile), once known; until
    /// then the first answers' latencies, whose sixth it starts from.
    pub(super) usual_ms: Option<f64>,
    first_ms: Vec<f32>,
    /// Its malfunction rate over answers older than the window, as they
    /// leave it.
    pub(super) past: Rate,
    /// Held while the host has an incident open: a degraded host's hours
    /// of bad answers are not its new normal, so neither its usual latency
    /// nor its past rate learns from them until it recovers.
    pub(super) held: bool,
}

impl Default for HostAnswers {
    fn default() -> Self {
        HostAnswers {
            minutes: [(i64::MIN, 0, 0); MINUTES],
            errors: VecDeque::new(),
            latest: i64::MIN,
            usual_ms: None,
            first_ms: Vec::new(),
            past: Rate::default(),
            held: false,
        }
    }
}

fn minute(ts: Ts) -> i64 {
    ts.millis().div_euclid(60_000)
}

impl HostAnswers {
    /// The host answered a payment at `ts` from `terminal` (with a card of
    /// issuer key `card`, 0 if none), after `latency_ms` if known: a
    /// malfunction if `malfunction`. Returns whether the answer was a bad
    /// one (a malfunction, or far slower than the host's usual).
    pub(super) fn answer(
        &mut self,
        ts: Ts,
        terminal: u32,
        card: u32,
        malfunction: bool,
        latency_ms: Option<f64>,
    ) -> bool {
        let slow = latency_ms
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            .is_some_and(|ms| self.timed(ms));
        let bad = malfunction || slow;
        self.record(ts, terminal, card, bad);
        bad
    }

    /// Takes in an answer's latency; returns whether it was slow.
    fn timed(&mut self, ms: f64) -> bool {
        let Some(usual) = self.usual_ms else {
            self.first_ms.push(ms as f32);
            if self.first_ms.len() >= USUAL_KNOWN_N {
                self.first_ms.sort_unstable_by(f32::total_cmp);
                self.usual_ms = Some(f64::from(self.first_ms[USUAL_RANK]));
                self.first_ms = Vec::new();
            }
            return false;
        };
        let slow = ms > SLOW_MIN_MS.max(SLOW_FACTOR * usual);
        // Held, a degraded host's slowness is not its new usual.
        if ms <= usual {
            self.usual_ms = Some(usual * (1.0 - USUAL_STEP_DOWN));
        } else if !self.held {
            self.usual_ms = Some(usual * (1.0 + USUAL_STEP_UP));
        }
        slow
    }

    fn record(&mut self, ts: Ts, terminal: u32, card: u32, malfunction: bool) {
        let m = minute(ts);
        if self.latest != i64::MIN && m <= self.latest - MINUTES as i64 {
            // Older than the ring: the past's.
            if !self.held {
                self.past.add(ts, malfunction);
            }
            return;
        }
        self.latest = self.latest.max(m);
        let i = m.rem_euclid(MINUTES as i64) as usize;
        let leaving = self.minutes[i];
        if leaving.0 != m {
            // The minute this slot held leaves the window for the past
            // (unless held: a degraded hour is not the host's usual).
            if leaving.0 != i64::MIN && !self.held {
                let at = Ts(leaving.0 * 60_000);
                self.past
                    .add_many(at, f64::from(leaving.1), f64::from(leaving.2));
            }
            self.minutes[i] = (m, 0, 0);
        }
        let slot = &mut self.minutes[i];
        slot.1 += 1;
        if malfunction {
            slot.2 += 1;
            self.errors.push_back((ts, terminal, card));
        }
        let keep_from = Ts((self.latest - MINUTES as i64 + 1) * 60_000);
        while self.errors.front().is_some_and(|e| e.0 < keep_from) {
            self.errors.pop_front();
        }
    }

    /// Answers in `[from, to]` by whole minutes.
    pub(super) fn answered(&self, from: Ts, to: Ts) -> u32 {
        let (a, b) = (minute(from), minute(to));
        self.minutes
            .iter()
            .filter(|s| s.0 >= a && s.0 <= b)
            .map(|s| s.1)
            .sum()
    }

    /// The malfunction answers in `[from, to]`.
    pub(super) fn errors(&self, from: Ts, to: Ts) -> impl Iterator<Item = &(Ts, u32, u32)> {
        self.errors.iter().filter(move |e| e.0 >= from && e.0 <= to)
    }

    /// The malfunction rate before the window, drawn towards a usual one.
    pub(super) fn base(&self) -> f64 {
        ((self.past.k + PRIOR_N * PRIOR_RATE) / (self.past.n + PRIOR_N)).max(BASE_MIN)
    }

    /// Whether `errors` malfunctions among `answered` answers are past
    /// chance at the host's rate before.
    pub(super) fn past_chance(&self, answered: u32, errors: u32) -> bool {
        past_chance_at(self.base(), answered, errors)
    }
}

/// The bad-answer rate of the other hosts, `answered` answers and `bad` of
/// them bad, drawn towards a usual one: what a host is judged against when
/// its own past may be a slow ramp into its fault (an overloaded host
/// slowing by degrees over an hour teaches its past its slowness).
pub(super) fn others_rate(answered: u32, bad: u32) -> f64 {
    ((f64::from(bad) + PRIOR_N * PRIOR_RATE) / (f64::from(answered) + PRIOR_N)).max(BASE_MIN)
}

/// Whether `errors` bad answers among `answered` are past chance at `base`.
pub(super) fn past_chance_at(base: f64, answered: u32, errors: u32) -> bool {
    errors >= ERRORS_MIN
        && f64::from(errors) >= super::RELATIVE_FACTOR * base * f64::from(answered)
        && super::binomial_tail(answered.max(errors), errors, base) < CHANCE_MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64, sec: i64) -> Ts {
        Ts::from_secs(1_790_000_000 / 60 * 60 + min * 60 + sec)
    }

    #[test]
    fn minutes_leaving_the_window_become_the_past_rate() {
        let mut h = HostAnswers::default();
        for m in 0..100 {
            for s in 0..10 {
                h.answer(at(m, s * 5), 1, 0, s == 0 && m % 2 == 0, None);
            }
        }
        // 1000 answers, 50 malfunctions: the past holds all but the last
        // 32 minutes, at one in twenty.
        assert!((h.past.k / h.past.n - 0.05).abs() < 0.01, "{:?}", h.past);
        assert_eq!(h.answered(at(90, 0), at(99, 59)), 100);
        assert_eq!(h.errors(at(90, 0), at(99, 59)).count(), 5);
        // At its own one in twenty, five in a hundred is nothing.
        assert!(!h.past_chance(100, 5));
        assert!(h.past_chance(100, 25));
    }

    #[test]
    fn answers_far_slower_than_the_hosts_usual_are_bad_ones() {
        let mut h = HostAnswers::default();
        // A host answering in about 1.5 s for a hundred and fifty answers.
        for i in 0..150 {
            assert!(!h.answer(
                at(i / 10, (i % 10) * 5),
                1,
                0,
                false,
                Some(1400.0 + f64::from((i % 5) as u8) * 50.0)
            ));
        }
        // Twelve seconds is a bad answer; three is a slow day, not a fault.
        assert!(h.answer(at(20, 0), 2, 0, false, Some(12_000.0)));
        assert!(!h.answer(at(20, 5), 2, 0, false, Some(3_000.0)));
        // Before the usual is known, no answer is slow.
        let mut fresh = HostAnswers::default();
        assert!(!fresh.answer(at(0, 0), 1, 0, false, Some(30_000.0)));
    }

    #[test]
    fn a_held_host_learns_nothing_from_its_bad_hours() {
        // A host answering in about 0.8 s with one malfunction in two
        // hundred, then degraded for two hours: eight seconds, one answer
        // in ten a malfunction.
        let run = |held: bool| {
            let mut h = HostAnswers::default();
            for m in 0..60 {
                for s in 0..10 {
                    let bad = s == 0 && m % 20 == 0;
                    h.answer(at(m, s * 5), 1, 0, bad, Some(800.0));
                }
            }
            h.held = held;
            let mut slow = 0;
            for m in 60..180 {
                for s in 0..10 {
                    slow += u32::from(h.answer(at(m, s * 5), 1, 0, s == 0, Some(8000.0)));
                }
            }
            (slow, h.past_chance(100, 10))
        };
        // Held, every degraded answer stays a bad one and ten malfunctions
        // in a hundred stay past chance two hours on.
        assert_eq!(run(true), (1200, true));
        // Learning, the host's usual and its past rate drift to the bad
        // hours.
        let (slow, past_chance) = run(false);
        assert!(slow < 1200 && !past_chance, "{slow} {past_chance}");
    }

    #[test]
    fn a_host_without_a_past_is_judged_against_a_usual_rate() {
        let h = HostAnswers::default();
        // Twelve malfunctions in three hundred answers against 0.3 %.
        assert!(h.past_chance(300, 12));
        assert!(!h.past_chance(300, 3));
        // Too few to tell, however few the answers.
        assert!(!h.past_chance(4, 4));
    }

    #[test]
    fn an_answer_logged_late_finds_its_minute_or_the_past() {
        let mut h = HostAnswers::default();
        h.answer(at(40, 0), 1, 0, false, None);
        h.answer(at(39, 30), 2, 0, true, None);
        assert_eq!(h.answered(at(39, 0), at(40, 59)), 2);
        // Older than the ring holds: counted in the past, not lost.
        h.answer(at(0, 0), 3, 0, true, None);
        assert_eq!(h.past.k, 1.0);
    }

    #[test]
    fn a_host_slowing_by_degrees_does_not_teach_its_usual_the_slowness() {
        // A host answering in about a second, one answer in fifty taking
        // ten; then over two hundred answers it slows to five seconds.
        let mut h = HostAnswers::default();
        let mut i = 0i64;
        let mut next = |h: &mut HostAnswers, ms: f64| {
            i += 1;
            h.answer(at(i / 4, (i % 4) * 15), 1, 0, false, Some(ms))
        };
        for k in 0..60 {
            let ms = if k % 50 == 7 {
                10_000.0
            } else {
                800.0 + f64::from((k % 7) as u8) * 70.0
            };
            next(&mut h, ms);
        }
        for k in 0..200 {
            next(&mut h, 1000.0 + f64::from(k) * 20.0);
        }
        // Its usual stays near its old self (a mean had reached three
        // seconds), so six seconds is a bad answer.
        let usual = h.usual_ms.unwrap();
        assert!(usual < 1500.0, "{usual}");
        assert!(next(&mut h, 6000.0));
    }

    #[test]
    fn a_host_is_judged_against_the_other_hosts_rate_too() {
        // Twelve bad answers in eighty: past chance when the other hosts
        // give two bad in a thousand, not when they give eighty.
        assert!(past_chance_at(others_rate(1000, 2), 80, 12));
        assert!(!past_chance_at(others_rate(1000, 80), 80, 12));
    }
}
