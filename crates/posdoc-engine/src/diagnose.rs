//! Turning one failed event into a [`Diagnosis`].

use posdoc_kb::{CauseVec, CodeLookup, Kb, LrDef, Text, Who, fill_str, normalize};
use posdoc_record::{Cause, CheckResult, Ts};

use std::borrow::Cow;

use crate::signals::{self, Obs, Seen, yes, yes_at};
use crate::state::{CheckLite, MetricId, Net, Outcome, TerminalState};
use crate::{Engine, Pending, absent_text, troubleshoot};

/// A cause and its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CauseScore {
    pub cause: Cause,
    pub p: f64,
}

/// Wrong-PIN refusals (ISO 8583 `55`, `75`) on one terminal within
/// [`PIN_REFUSED_WINDOW_S`], on two cards' banks at least, that say its PIN
/// pad is failing.
const PIN_REFUSED_MIN: usize = 3;
const PIN_REFUSED_WINDOW_S: i64 = 3600;

/// Why: one observation, in words, with how much it moved the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceItem {
    /// The signal's id (`supply_voltage_excursion`, `stage:tls`, `code:E1`, ...).
    pub signal: String,
    pub value: Option<String>,
    pub text: Text,
    /// Natural log of how much more this supports the top cause than the runner-up.
    pub weight: f64,
}

/// A check worth doing next.
#[derive(Debug, Clone, PartialEq)]
pub struct NextCheck {
    pub check: String,
    pub who: Who,
    pub cost_min: f64,
    pub question: Text,
    /// Expected information (bits) per minute.
    pub gain_per_min: f64,
}

/// The diagnosis of one failed event.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub ts: Ts,
    /// The event's time exactly as it arrived.
    pub ts_raw: String,
    pub terminal_id: String,
    /// The error's code, the response code, or `timeout`.
    pub code: String,
    /// `error` or `txn`.
    pub source: &'static str,
    pub stan: Option<String>,
    pub vendor: String,
    pub model: String,
    pub site_id: Option<String>,
    /// The most likely causes, most likely first.
    pub causes: Vec<CauseScore>,
    /// The full posterior, indexed by [`Cause::index`].
    pub posterior: CauseVec,
    pub evidence: Vec<EvidenceItem>,
    pub next_checks: Vec<NextCheck>,
    pub incident_id: Option<String>,
    /// That incident's place among the engine's ([`crate::Engine::incidents`]).
    pub incident_index: Option<u32>,
    /// Every factor of the product, for a traced terminal only
    /// ([`crate::EngineConfig::trace_terminal`]); empty otherwise.
    pub trace: Vec<TracedFactor>,
}

/// One factor as the engine weighed it: ln likelihood per cause.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedFactor {
    /// `prior`, a signal id, `log:…`, `stage:…`, `check:…`.
    pub signal: String,
    pub value: Option<String>,
    /// Natural log of the factor, indexed by [`Cause::index`].
    pub ln: CauseVec,
}

impl Diagnosis {
    pub fn top(&self) -> Cause {
        self.causes[0].cause
    }
}

/// Likelihood ratios are clamped so that no single signal is a verdict.
const LR_MIN: f64 = posdoc_kb::LR_BOUNDS.0;
const LR_MAX: f64 = posdoc_kb::LR_BOUNDS.1;
/// Every cause keeps at least this prior: evidence can always overturn a code table.
const PRIOR_FLOOR: f64 = 0.003;
/// How much of an unknown code's prior is mixed into a vendor reading whose
/// stages all disagree with the error's stage.
const STAGE_MISMATCH_WIDEN: f64 = 0.6;
/// How far a code's reading is widened when no reading of it is documented
/// (the table's assumption) and the error's own log line matched words the
/// knowledge base knows.
const ASSUMED_CODE_WIDEN: f64 = 0.5;
/// The floor under a vendor code table's prior.
const VENDOR_CODE_PRIOR_FLOOR: f64 = 0.012;
/// A vendor reading whose stage matches the error's stage is this much more likely.
const STAGE_MATCH_BOOST: f64 = 4.0;
/// How far back other terminals' outcomes speak for a host or an issuer, seconds.
const GROUP_WINDOW_S: i64 = 300;
/// How long a shop's link lost with its mains stays the mains' doing: a
/// router that has not come back in two hours has a fault of its own.
const LINK_LOST_WITH_MAINS_S: f64 = 7200.0;
/// A terminal that failed so many times between an hour and a half and
/// half an hour before its incident opened was in trouble of its own (a
/// fault the incident shares shows within half an hour of its first
/// failures), seconds.
const PREDATED_FROM_S: i64 = 5400;
const PREDATED_TO_S: i64 = 1800;
const PREDATED_FAILURES_MIN: u32 = 3;
/// And failed again between then and this long before it opened, seconds.
const PREDATED_STILL_TO_S: i64 = 600;
/// What the incident then weighs (its log-likelihood ratios' share).
const PREDATED_INCIDENT_WEIGHT: f64 = 0.35;
/// What an incident weighs for an error of the terminal's own parts when it
/// fired on no such failure (its log-likelihood ratios' share).
const OFF_KIND_INCIDENT_WEIGHT: f64 = 0.1;
/// A cause the event's own evidence leaves below this gets little from an
/// incident's scope.
const INCIDENT_PLAUSIBLE_MIN: f64 = 0.01;
/// How many times better another open incident of its terminal must explain
/// an event than the one the terminal joined last ([`incident_fit`]) for
/// the event to belong to it: the joined one's scope is the fleet view's
/// own judgement, and an event's reading is often merely unsure.
const OTHER_INCIDENT_FIT_RATIO: f64 = 3.0;
/// Distinct card BINs failing on one host that make it the host's fault.
const HOST_FAILING_BINS_MIN: u32 = 3;
/// Prior mass on host-side decisions above which an event is a host's answer.
const HOST_DECIDED_MIN: f64 = 0.6;
/// Causes below this prior for a host's answer do not produce that answer.
const HOST_DECIDED_CAUSE_PRIOR_MAX: f64 = 0.02;
/// How much the terminal's own telemetry counts for those causes.
const HOST_DECIDED_TELEMETRY_WEIGHT: f64 = 0.15;
/// A confirmed, fixed cause is this much less likely to be the cause again soon.
const RESOLVED_LR: f64 = 0.3;
/// How long a confirmed fix speaks against its cause, seconds.
const RESOLVED_RELEVANT_S: i64 = 12 * 3600;
/// How long people's checks stay relevant, seconds.
const CHECK_RELEVANT_S: i64 = 4 * 3600;
/// Factors a diagnosis weighs at most, as a rule (15 to 25 on busy fleets,
/// 27 the most seen).
const FACTORS_USUAL: usize = 32;

/// One factor in the product: a likelihood per cause and how to explain it.
#[derive(Debug)]
pub(crate) struct Factor {
    /// The signal's id is `prefix` then `signal` (`no:` and a signal seen
    /// absent, `stage:` and a stage, `log:` and a pattern, `check:` and a
    /// check; most have none), kept apart so that only the few factors a
    /// reader sees have their id written out.
    prefix: &'static str,
    signal: Cow<'static, str>,
    value: Option<String>,
    text: FactorText,
    ln: CauseVec,
}

impl Factor {
    /// Whether this factor's signal has the id `id`.
    fn is(&self, id: &str) -> bool {
        // Lengths first: asked of every factor for dozens of ids per
        // diagnosis, and almost every answer is no.
        let (prefix, signal) = (self.prefix, &*self.signal);
        id.len() == prefix.len() + signal.len()
            && (prefix.is_empty() || id.starts_with(prefix))
            && id[prefix.len()..] == *signal
    }

    /// The signal's id, as the evidence shows it.
    fn id(&self) -> String {
        [self.prefix, &self.signal].concat()
    }
}

/// A factor's sentence, written only if it makes the evidence list: most
/// factors of a diagnosis never reach a reader.
#[derive(Debug)]
enum FactorText {
    Ready(Text),
    /// A knowledge-base signal seen, with its baseline (the value is the
    /// factor's own).
    Signal {
        id: &'static str,
        baseline: String,
        value_zh: Option<String>,
    },
    /// A knowledge-base signal that could have been seen and was not.
    Absent(&'static str),
}

impl FactorText {
    fn resolve(&self, kb: &Kb, value: Option<&str>) -> Text {
        match self {
            FactorText::Ready(t) => t.clone(),
            FactorText::Signal {
                id,
                baseline,
                value_zh,
            } => kb.signals.get(*id).map_or_else(Text::default, |d| {
                let value = value.unwrap_or("");
                let zh = value_zh.as_deref().unwrap_or(value);
                Text {
                    zh: fill_str(&d.text.zh, &[("value", zh), ("baseline", baseline)]),
                    en: fill_str(&d.text.en, &[("value", value), ("baseline", baseline)]),
                }
            }),
            FactorText::Absent(id) => kb.signals.get(*id).map_or_else(Text::default, |d| {
                d.text_absent.clone().unwrap_or_else(|| {
                    absent_text(&d.text.fill(&[("value", ""), ("baseline", "")]))
                })
            }),
        }
    }
}

/// Precomputed logs of a knowledge-base table, times a strength.
fn scaled(ln: &CauseVec, strength: f64) -> CauseVec {
    let mut out = *ln;
    if strength != 1.0 {
        out.iter_mut().for_each(|x| *x *= strength);
    }
    out
}

fn ln_of(lr: &CauseVec, strength: f64) -> CauseVec {
    let mut out = [0.0; Cause::COUNT];
    for (o, &x) in out.iter_mut().zip(lr.iter()) {
        *o = x.clamp(LR_MIN, LR_MAX).ln() * strength;
    }
    out
}

fn ratio(num: &CauseVec, base: &CauseVec, temper: f64) -> CauseVec {
    let mut out = [0.0; Cause::COUNT];
    for i in 0..Cause::COUNT {
        out[i] = ((num[i].max(PRIOR_FLOOR) / base[i].max(PRIOR_FLOOR)).clamp(LR_MIN, LR_MAX)).ln()
            * temper;
    }
    out
}

impl Engine {
    /// Diagnoses one event, weighing its factors in `factors` (emptied
    /// first: room kept from one diagnosis to the next).
    pub(crate) fn diagnose_pending(
        &self,
        p: &Pending,
        factors: &mut Vec<Factor>,
    ) -> Option<Diagnosis> {
        let (tid, ts) = match p {
            Pending::Error(e, _) => (e.terminal_id.as_str(), e.ts),
            Pending::Txn(t) => (t.terminal_id.as_str(), t.ts),
        };
        let idx = *self.terminal_index.get(tid)?;
        let s = &self.terminals[idx as usize];
        let kb: &Kb = &self.kb;
        let horizon = ts.plus_secs(self.cfg.reorder_allowance_s);
        let base = kb.base_prior();
        // Sized once for a diagnosis's usual count: growing it by doubling
        // moved every factor (27 floats each) several times over.
        factors.clear();
        factors.reserve(FACTORS_USUAL);

        // 1. The prior: what this code means on this terminal.
        let mut linked_log_hits = 0u64;
        // Whether the host answered this event: a payment with a response
        // code that did not time out.
        let answered = matches!(p, Pending::Txn(t) if t.response_code.is_some() && !t.timed_out);
        // The response code the host answered this event with, if it did
        // (an error's: its payment's).
        let mut answered_rc: Option<String> = None;
        // The card of the unanswered payment an error logs, if known.
        let mut unanswered_card: Option<u32> = None;
        // The payment (this event, or the one an error logs) timed out
        // sooner than a host answers.
        let early;
        // ...or, not saying how soon, on a terminal whose timeouts lately
        // ran out that soon.
        let lately_early;
        let mut vendor_code = false;
        let (code, source, stan, mut prior, prior_text, stage, detail, is_card, timed_out) = match p
        {
            Pending::Error(e, hits) => {
                let lookup = kb.lookup_code(&s.vendor, Some(&s.model), &e.code);
                vendor_code = lookup.is_some();
                // A reading nobody documented, not widened for the error's
                // own words or stage.
                let mut assumed_alone = false;
                // A response code read from a code no table knows: the
                // host's answer echoed, a guess.
                let mut echo_guessed = false;
                let (mut prior, text) = match lookup {
                    Some(l) => {
                        let mut prior = l.prior(e.stage.as_deref(), STAGE_MATCH_BOOST);
                        // A stage none of the table's readings expects says
                        // the table may be wrong for this terminal: widen it.
                        let stage_unexpected = e.stage.as_deref().is_some_and(|st| {
                            l.entry
                                .meanings
                                .iter()
                                .all(|m| m.stage.as_deref().is_some_and(|ms| ms != st))
                        });
                        // A table nobody documented, beside the terminal's
                        // own words about this error: the words say more.
                        let assumed_beside_words =
                            *hits != 0 && l.entry.meanings.iter().all(|m| !m.documented);
                        let widen = if stage_unexpected {
                            STAGE_MISMATCH_WIDEN
                        } else if assumed_beside_words {
                            ASSUMED_CODE_WIDEN
                        } else {
                            0.0
                        };
                        assumed_alone =
                            widen == 0.0 && l.entry.meanings.iter().all(|m| !m.documented);
                        widen_prior(kb, &mut prior, widen);
                        (prior, code_text(&l, &e.code, s))
                    }
                    // A code no table of the terminal's knows may be the
                    // host's answer it echoes, unless it came at a step no
                    // answer reaches: a power-on, a connection, a card read.
                    // Beside the terminal's own words it is a guess as
                    // much as an undocumented reading is: a vendor's "99"
                    // logged with "msg=cancel" is no PIN block refused.
                    None => match kb.response_code(&e.code) {
                        Some(rc)
                            if !rc.approved
                                && e.stage.as_deref().is_none_or(|st| !unanswered_step(st)) =>
                        {
                            let mut prior = rc.prior;
                            if *hits != 0 {
                                widen_prior(kb, &mut prior, ASSUMED_CODE_WIDEN);
                            }
                            echo_guessed = true;
                            (prior, rc_text(&e.code, &rc.meaning))
                        }
                        _ => match kb.embedded_response_code(&e.code) {
                            Some((rc, d)) => (d.prior, rc_text(&rc, &d.meaning)),
                            None => unknown_prior(kb),
                        },
                    },
                };
                let linked = linked_txn(s, e.stan.as_deref(), e.stage.as_deref(), e.ts, horizon);
                early = linked.map_or(0, |t| t.gave_up_early);
                // The payment it logs timed out without saying after how
                // long: its timer lately ran out soon.
                lately_early = match linked {
                    Some(t) if t.timed_out && early == 0 && !t.latency_known => {
                        signals::timer_short_lately(s, e.ts)
                    }
                    _ => 0,
                };
                // Unanswered: timed out, or no code came back.
                let linked_timeout = linked.is_some_and(|t| t.timed_out || t.code.is_none());
                let linked_rc = linked.map(|t| t.code.as_deref().unwrap_or("").to_string());
                answered_rc = linked_rc.clone().filter(|_| !linked_timeout);
                // ...nor beside the host's answer to the payment it logs:
                // a refusal's meaning is known, the numbering guessed (an
                // unknown vendor's "E2" on a payment refused A0 is its MAC).
                if assumed_alone
                    && answered_rc
                        .as_deref()
                        .and_then(|rc| kb.response_code(rc))
                        .is_some_and(|d| !d.approved)
                {
                    widen_prior(kb, &mut prior, ASSUMED_CODE_WIDEN);
                }
                // An echo is an echo of an answer: with no payment answered
                // with that code beside it, the code is the vendor's own as
                // likely (a "21" no table lists, at a shop whose power fails;
                // a "51" logged with a printer's jam after the payment was
                // approved), beside its own words or not.
                if echo_guessed && answered_rc.as_deref().map(str::trim) != Some(e.code.trim()) {
                    widen_prior(kb, &mut prior, ASSUMED_CODE_WIDEN);
                }
                // The payment it logs went unanswered: its card is this
                // error's card.
                unanswered_card = linked
                    .filter(|t| linked_timeout && t.bin != 0)
                    .map(|t| t.bin);
                if let Some(rc) = linked_rc {
                    let to = linked_timeout;
                    let (num, text) = if to {
                        pseudo_code_prior(kb, "timeout")
                    } else {
                        match kb.response_code(&rc) {
                            Some(d) if !d.approved => (d.prior, rc_text(&rc, &d.meaning)),
                            _ => (base, Text::default()),
                        }
                    };
                    if text.is_complete() {
                        factors.push(Factor {
                            prefix: "",
                            signal: "linked_response_code".into(),
                            value: Some(if to { "timeout".into() } else { rc }),
                            text: FactorText::Ready(text),
                            ln: ratio(&num, &base, 0.6),
                        });
                    }
                }
                let card = matches!(e.stage.as_deref(), Some("card_read" | "pin"));
                let to = linked_timeout;
                (
                    e.code.to_string(),
                    "error",
                    e.stan.as_deref().map(String::from),
                    prior,
                    text,
                    e.stage.as_deref().map(String::from),
                    e.detail.clone(),
                    card,
                    to,
                )
            }
            Pending::Txn(t) => {
                let (code, prior, text) = if t.timed_out || t.response_code.is_none() {
                    let (p, text) = pseudo_code_prior(kb, "timeout");
                    ("timeout".to_string(), p, text)
                } else {
                    let rc = t.response_code.as_deref().unwrap_or_default().to_string();
                    match kb.response_code(&rc) {
                        Some(d) => (rc.clone(), d.prior, rc_text(&rc, &d.meaning)),
                        None => {
                            let (p, text) = unknown_prior(kb);
                            (rc, p, text)
                        }
                    }
                };
                early = s
                    .txns
                    .iter()
                    .rev()
                    .find(|x| x.ts == t.ts && x.stan.as_deref() == t.stan.as_deref())
                    .map_or(0, |x| x.gave_up_early);
                lately_early = if t.timed_out && early == 0 && t.latency_ms.is_none() {
                    signals::timer_short_lately(s, t.ts)
                } else {
                    0
                };
                let linked = linked_error(s, t.stan.as_deref(), t.ts, horizon, answered);
                let stage = linked.and_then(|e| e.stage.as_deref().map(String::from));
                linked_log_hits = linked.map_or(0, |e| e.log_hits);
                // The host says it does not support a plain purchase: no
                // merchant is barred from the one thing every terminal
                // does, so what it cannot take is the message as this
                // terminal's software builds it.
                if t.txn_type == "purchase"
                    && t.response_code.as_deref() == Some(FUNCTION_NOT_SUPPORTED)
                {
                    factors_push_signal(
                        kb,
                        factors,
                        yes("purchase_unsupported", String::new(), String::new()),
                    );
                }
                if t.txn_type != "purchase" && !t.txn_type.is_empty() {
                    factors_push_signal(
                        kb,
                        factors,
                        // Every merchant may void its own same-day payment:
                        // a refused void is mostly the wrong one picked.
                        yes(
                            if matches!(t.txn_type.as_str(), "void" | "reversal") {
                                "void_refused"
                            } else {
                                "special_txn_type"
                            },
                            t.txn_type.to_string(),
                            String::new(),
                        ),
                    );
                }
                // Sent under another category than the merchant's own (a
                // misregistered merchant, or "code jumping") and refused.
                if let Some(carried) = t.mcc.as_deref()
                    && t.response_code.is_some()
                    && !t.timed_out
                    && let Some(merchant) = t.merchant_id.as_deref().or(s.merchant.as_deref())
                    && let Some(registered) = self.merchant_mcc.get(merchant)
                    && **registered != *carried
                {
                    factors_push_signal(
                        kb,
                        factors,
                        yes("mcc_mismatch", carried.to_string(), registered.to_string()),
                    );
                }
                if s.amount_n >= 5 && t.amount > 0 {
                    let usual = s.amount_log_mean.exp();
                    if (t.amount as f32) > usual * 8.0 && t.amount >= 100_000 {
                        factors_push_signal(
                            kb,
                            factors,
                            yes("large_amount", yuan(t.amount as f64), yuan(usual as f64)),
                        );
                    }
                }
                (
                    code,
                    "txn",
                    t.stan.as_deref().map(String::from),
                    prior,
                    text,
                    stage,
                    None,
                    signals::is_card(t.channel.as_deref()),
                    t.timed_out,
                )
            }
        };
        for (id, secs) in [
            ("timeout_early", early),
            ("timer_short_lately", lately_early),
        ] {
            if secs > 0 {
                factors_push_signal(kb, factors, signals::short_timer(id, secs));
            }
        }
        let cases = self.learned.adjust(&mut prior, &s.vendor, &code);
        // A vendor's code table is mostly assumption: keep more room for
        // evidence to overturn it than a standard response code's.
        let floor = if vendor_code {
            VENDOR_CODE_PRIOR_FLOOR
        } else {
            PRIOR_FLOOR
        };
        for p in prior.iter_mut() {
            *p = p.max(floor);
        }
        normalize(&mut prior);

        // 2. Stage and log text.
        if let Some(st) = stage.as_deref()
            && let Some(def) = kb.stages.get(st)
        {
            factors.push(Factor {
                prefix: "stage:",
                signal: st.to_string().into(),
                value: Some(st.to_string()),
                text: FactorText::Ready(def.text.clone()),
                ln: def.ln,
            });
        }
        let lower = detail.as_deref().map(str::to_lowercase);
        // An error's patterns were matched once, when it was applied.
        let hits = match p {
            Pending::Error(_, hits) => *hits,
            Pending::Txn(_) => linked_log_hits,
        };
        let code_lower = code.to_lowercase();
        for (i, pat) in kb.patterns.iter().enumerate() {
            if hits & (1 << i) == 0 {
                continue;
            }
            let hit = [lower.as_deref(), Some(code_lower.as_str())]
                .into_iter()
                .flatten()
                .find_map(|d| pat.any.iter().find(|k| d.contains(k.as_str())))
                .cloned();
            factors.push(Factor {
                prefix: "log:",
                signal: pat.id.clone().into(),
                value: hit,
                text: FactorText::Ready(pat.text.clone()),
                ln: pat.ln,
            });
        }

        // A line left out (no detail): what this vendor's code says in
        // its other lines across the fleet, at less than full weight.
        if let Pending::Error(e, _) = p
            && e.detail.as_deref().is_none_or(|d| d.trim().is_empty())
        {
            let usual = self.code_words_usual(&s.vendor, &e.code) & !hits;
            let learned: Vec<(usize, f64)> = (0..kb.patterns.len())
                .filter(|&i| usual & (1 << i) != 0)
                .map(|i| (i, CODE_WORDS_STRENGTH))
                .collect();
            let code = e.code.as_str();
            if let Some(f) = patterns_factor(kb, "code_words", &learned, |zh, en| Text {
                zh: format!("这条没有日志；该厂商的 {code} 在其他终端的日志里通常是：{zh}"),
                en: format!(
                    "no log line; this vendor's {code} usually comes with lines saying: {en}"
                ),
            }) {
                factors.push(f);
            }
        }

        // 3. Telemetry, inventory and history.
        let mut obs: Vec<Obs> = Vec::with_capacity(24);
        signals::terminal_signals(s, ts, horizon, &mut obs);
        // A MAC refused while the terminal's own key check passes: its keys
        // are loaded and whole, so the parameters pick the wrong one, or the
        // bytes were damaged on the way — not keys out of step.
        if (stage.as_deref() == Some("mac") || prior[Cause::SecurityKeys.index()] >= MAC_PRIOR_MIN)
            && let Some(o) = obs
                .iter_mut()
                .find(|o| o.id == "key_mismatch" && o.seen == Seen::Absent)
        {
            *o = yes("mac_refused_keys_ok", String::new(), String::new());
        }
        // A failure the app logged at a step past its own code (a
        // connection, a reply, a MAC, a PIN), or a payment the host refused,
        // is one the app lived through to report: its crashes at other
        // times are another story, as a release that crashes and a damaged
        // cable on one till are two.
        let refused_by_host = match p {
            Pending::Txn(t) if answered => t.response_code.as_deref(),
            Pending::Txn(_) => None,
            Pending::Error(..) => answered_rc.as_deref(),
        }
        .and_then(|rc| kb.response_code(rc))
        .is_some_and(|d| !d.approved);
        if refused_by_host
            || stage
                .as_deref()
                .is_some_and(|st| APP_SURVIVED_STAGES.contains(&st))
        {
            obs.retain(|o| {
                !(matches!(o.id, "app_crashes" | "reboot_crash")
                    && matches!(o.seen, Seen::Yes { .. }))
            });
        }
        // Power lost by a terminal living on its battery, with charge left
        // in it: a mains fault cannot cut a terminal its battery carries,
        // and a battery that stops at half charge is worn (its gauge
        // counts charge it no longer holds). The level being normal is
        // then the battery's story, not evidence against it.
        // (Not a part naming itself, as one failing its self-test at power
        // on does: that says nothing of how the power went.)
        let power_lost = (hits & (self.bits.power | self.bits.battery) != 0
            || stage.as_deref() == Some("power_on"))
            && hits & self.bits.board == 0;
        if power_lost
            && obs.iter().any(|o| o.id == "runs_on_battery")
            && let Some(level) = s
                .metric(MetricId::Battery)
                .latest(ts.plus_secs(-BATTERY_LEVEL_AGE_S), ts)
                .filter(|l| (CHARGE_LEFT_PCT..CHARGE_FULL_PCT).contains(l))
        {
            let o = yes(
                "power_lost_with_charge_left",
                format!("{level:.0}%"),
                String::new(),
            );
            match obs
                .iter_mut()
                .find(|o| o.id == "battery_low" && o.seen == Seen::Absent)
            {
                Some(normal) => *normal = o,
                None => obs.push(o),
            }
        }
        let n_terminal_obs = obs.len();
        let degraded = obs.iter().any(|o| {
            matches!(o.seen, Seen::Yes { .. })
                && matches!(o.id, "network_degraded" | "offline" | "signal_weak")
        });
        let healthy = !degraded
            && obs
                .iter()
                .any(|o| o.id == "network_degraded" && o.seen == Seen::Absent);
        signals::history_signals(s, ts, horizon, is_card, timed_out, healthy, &mut obs);
        let repeats = s
            .errors
            .iter()
            .filter(|e| e.ts >= ts.plus_secs(-900) && e.ts <= horizon && *e.code == *code)
            .count();
        if repeats >= 3 {
            obs.push(yes("repeated_errors", repeats.to_string(), String::new()));
        }
        let site_obs_from = obs.len();
        let on_the_wire = match p {
            Pending::Txn(t) => signals::txn_lost_link(t),
            // An error logging a payment the host answered (a message it
            // refused, an answer that would not parse) went over a link
            // that worked.
            Pending::Error(e, _) => signals::error_on_the_wire(e) && answered_rc.is_none(),
        };
        self.site_signals(s, idx, ts, horizon, on_the_wire, &mut obs);
        // A terminal that lost its link with its shop's mains: its own
        // supply reading fine since says nothing of the mains come back for
        // the router (it may run on its battery, or be back while the
        // router still starts up). Its readings go, and the terminal's and
        // the shop's signs keep their places among the rest.
        let [n_terminal_obs, site_obs_from] = if obs[site_obs_from..]
            .iter()
            .any(|o| o.id == "link_lost_with_mains")
        {
            drop_keeping_bounds(
                &mut obs,
                [n_terminal_obs, site_obs_from],
                mains_back_says_nothing,
            )
        } else {
            [n_terminal_obs, site_obs_from]
        };
        let site_obs = site_obs_from..obs.len();
        // A card-specific reading needs the host to have answered: a
        // timeout says nothing about which card it was.
        let event_bin = match p {
            Pending::Txn(t) => signals::txn_bin(t),
            Pending::Error(..) => unanswered_card.unwrap_or(0),
        };
        self.group_signals(s, idx, ts, horizon, (event_bin, answered), &mut obs);
        if p.lost_link()
            && let Some(m) = s.merchant_group
        {
            self.merchant_shops_signal(s, idx, m, ts, horizon, &mut obs);
        }
        // A card's own refusal (a wrong PIN, no funds) said to other
        // banks' cards on this terminal too, within half an hour: not the
        // customers — the PIN pad, the PIN key, a risk rule.
        if let Pending::Txn(t) = p
            && answered
            && let Some(rc) = t.response_code.as_deref()
            && let Some(cards_own) = self
                .kb
                .response_code(rc)
                .map(|d| d.prior[Cause::CardDecline.index()])
                .filter(|&p| p >= crate::MERCHANT_CARD_REFUSAL_PRIOR_MIN)
        {
            let from = ts.plus_secs(-crate::REFUSED_MANY_CARDS_S);
            let mut bins: Vec<u32> = s
                .txns
                .iter()
                .filter(|x| {
                    !x.ok
                        && x.bin != 0
                        && x.bin != event_bin
                        && x.ts >= from
                        && x.ts <= horizon
                        && x.code.as_deref() == Some(rc)
                })
                .map(|x| x.bin)
                .collect();
            bins.sort_unstable();
            bins.dedup();
            if bins.len() >= 2 && cards_own >= crate::CARD_DECLINE_PRIOR_MIN {
                obs.push(yes(
                    "refused_many_cards_here",
                    (bins.len() + 1).to_string(),
                    rc.to_string(),
                ));
            }
            // The same across the merchant's terminals, more often than a
            // code's share of a day's refusals explains: the merchant's
            // set-up (a card type it may not take, its limits), not its
            // customers'.
            if let Some(m) = s.merchant_group
                && let Some(v) = self.merchant_refusing(m, rc, horizon)
            {
                obs.push(yes(
                    "refused_many_cards_at_merchant",
                    v.bins.to_string(),
                    rc.to_string(),
                ));
            }
        }
        // Its messages refused as malformed, but only those carrying chip
        // data, while its QR and swiped payments go through: the software
        // that builds the chip data, not the line (damage on a line spares
        // no kind of message).
        if let Pending::Txn(t) = p {
            answered_rc = t
                .response_code
                .as_deref()
                .map(String::from)
                .filter(|_| answered);
        }
        if let Some(rc) = answered_rc.as_deref()
            && matches!(
                self.refusal(Some(rc), None),
                crate::Refusal::Shared {
                    kind: crate::fleet::Failure::Protocol,
                    ..
                }
            )
            && let Some(n) = refused_on_chip_only(s, rc, ts.plus_secs(-CHIP_ONLY_WINDOW_S), horizon)
        {
            obs.push(yes("refused_on_chip_only", n.to_string(), rc.to_string()));
        }
        // Refused both for its MACs and for its messages' format within the
        // hour: bytes damaged on the way break whichever part they hit,
        // where keys out of step break only MACs and a version only the
        // format.
        if let Some(n) = self.mac_and_format_refused(s, ts.plus_secs(-MIXED_REFUSALS_S), horizon) {
            obs.push(yes("mac_and_format_refused", n.to_string(), String::new()));
        }
        // It tries a host address none of its host's other terminals
        // try, while they try another: its parameters point elsewhere.
        // A wired or Wi-Fi terminal trying the address most of its host's
        // other terminals try: its parameters point where the host is (a
        // modem's APN set wrong fails on the right address too).
        if let Pending::Error(e, _) = p
            && let Some(addr) = e.detail.as_deref().and_then(signals::address_in)
            && let Some(h) = s.host
        {
            if let Some(usual) = self.unfamiliar_address(h, addr, idx) {
                obs.push(yes(
                    "unfamiliar_host_address",
                    addr.to_string(),
                    usual.to_string(),
                ));
            } else if matches!(s.net, Net::Ethernet | Net::Wifi) && self.usual_address(h, addr, idx)
            {
                obs.push(signals::absent("unfamiliar_host_address"));
            }
        }
        // The fleet view: a fault this terminal shares with others.
        let own_incident = self.fleet.incident_of(idx);
        // A card its bank failed to answer belongs to the bank's incident —
        // unless it went unanswered in a shop that is down anyway.
        let card_incident = match p {
            Pending::Txn(t) if event_bin != 0 && signals::outcome(t) == Outcome::Unreachable => {
                self.fleet
                    .card_incident(crate::card_issuer(kb, event_bin))
                    .filter(|_| answered || own_incident.is_none())
            }
            Pending::Error(..) => unanswered_card.and_then(|bin| {
                self.fleet
                    .card_incident(crate::card_issuer(kb, bin))
                    .filter(|_| own_incident.is_none())
            }),
            _ => None,
        };
        // A card its bank refused for the reason a batch of its BIN's cards
        // is refused for belongs to that batch's incident, whatever else is
        // wrong with the terminal.
        let decline_incident = match p {
            Pending::Txn(t) if event_bin != 0 && signals::outcome(t) == Outcome::Declined => {
                self.fleet.decline_incident(event_bin)
            }
            _ => None,
        };
        let card_or_decline = card_incident.or(decline_incident);
        let mut incident = card_or_decline
            .or(own_incident)
            .filter(|i| i.opened_at <= horizon);
        // A host that answered with a decision (an issuer decline, a limit, a
        // risk refusal) means the round trip worked: the terminal's health
        // then says little about why this event failed, whatever else is wrong.
        // An error that logs a payment the host answered: the answer's
        // meaning, not the vendor's code, says which causes give it.
        let answer_prior = match p {
            Pending::Txn(_) => answered.then_some(prior),
            Pending::Error(..) => answered_rc
                .as_deref()
                .and_then(|rc| kb.response_code(rc))
                .filter(|d| !d.approved)
                .map(|d| d.prior),
        };
        let decided = host_decided(answer_prior.as_ref().unwrap_or(&prior)) > HOST_DECIDED_MIN;
        // Any answer of the host's (a MAC refused, a format error) means the
        // round trip worked too: a terminal whose power or line fails gets
        // no answer from the host through them, so the signs of causes that
        // hardly ever give this answer weigh little. Unlike a decision, the
        // answer is about the terminal's own message, so signs against the
        // others still count (kept whole, they tell a host's malfunction
        // from a card's bank, a defect from a version).
        let host_answer = decided || answer_prior.is_some();
        let answer_prior = answer_prior.unwrap_or(prior);
        for (i, o) in obs.into_iter().enumerate() {
            let before = factors.len();
            factors_push_signal(kb, factors, o);
            // So does its shop's (its peers failing, its power): a shop
            // whose mains fail while its merchant is frozen gets the
            // merchant's refusals all the same.
            if (i < n_terminal_obs || site_obs.contains(&i)) && host_answer {
                // For causes that hardly ever produce this answer, whatever
                // the signs; for the others, as far as the signs speak
                // against them (a power cut does not make a refusal less
                // the merchant's). A sticking key still explains a
                // wrong-PIN 55.
                for f in &mut factors[before..] {
                    for (x, &p) in f.ln.iter_mut().zip(answer_prior.iter()) {
                        if p < HOST_DECIDED_CAUSE_PRIOR_MAX || (decided && *x < 0.0) {
                            *x *= HOST_DECIDED_TELEMETRY_WEIGHT;
                        }
                    }
                }
            }
        }
        // The incident weighs like the terminal's own telemetry: a host's
        // decision (an invalid merchant, a limit) is not the shop's router,
        // however many of the shop's terminals got it.
        // What the event itself already says, before any incident: it rules
        // out what an incident would bring back (a TLS handshake refused is
        // not the shop's router, however many of the shop's terminals fail
        // with it), and it picks between two faults the terminal sits in at
        // once (a modem whose link fell is its carrier's outage, not the
        // host's that went down beside it).
        let provisional = incident.is_some().then(|| {
            let mut score = [0.0; Cause::COUNT];
            for (i, x) in score.iter_mut().enumerate() {
                *x = prior[i].ln() + factors.iter().map(|f| f.ln[i]).sum::<f64>();
            }
            softmax(&score)
        });
        if card_or_decline.is_none()
            && let (Some(own), Some(provisional)) = (incident, provisional.as_ref())
        {
            let fit = |i: &crate::fleet::Incident| incident_fit(kb, i, s.net, provisional);
            // The fit another must pass to take the event.
            let mut bar = fit(own) * OTHER_INCIDENT_FIT_RATIO;
            for other in self.fleet.open_incidents_of(idx) {
                let f = fit(other);
                if f <= bar || other.opened_at > horizon {
                    continue;
                }
                // A fault of its own, not a part of this one's: a shop's
                // incident on a release's terminals is the release's.
                let apart = other
                    .terminals
                    .iter()
                    .filter(|t| !own.terminals.contains(t))
                    .count();
                if 2 * apart >= other.terminals.len() {
                    incident = Some(other);
                    bar = f;
                }
            }
        }
        let incident_id = incident.map(|i| i.id.clone());
        let incident_index = incident.map(|i| i.index);
        // What its members read the incident as, and how surely.
        let incident_read = incident.and_then(|i| i.cause());
        let incident_cause = incident_read.map(|(c, _)| c);
        if let (Some(inc), Some(provisional)) = (incident, provisional) {
            let before = factors.len();
            factors_push_signal(kb, factors, incident_obs(kb, inc, s.net));
            // Where a release's failing terminals pay tells a version one
            // host stopped accepting from a defect that fails everywhere.
            let spread = match self.fleet.release_host_spread(inc) {
                Some(crate::fleet::HostSpread::OneHost { host }) => {
                    Some(("release_fails_on_one_host", host))
                }
                Some(crate::fleet::HostSpread::Hosts(n)) => {
                    Some(("release_fails_across_hosts", n.to_string()))
                }
                None => None,
            };
            if let Some((signal, value)) = spread {
                factors_push_signal(kb, factors, yes(signal, value, String::new()));
            }
            // What the incident's members together read it as, when this
            // event reads as a cause that fault shows as on one terminal
            // (`INCIDENT_READINGS`): a merchant frozen answers "invalid
            // merchant" to one payment and "not permitted" to the next, a
            // carrier's outage leaves a modem looking out of range, and the
            // members together tell which it is better than one code does.
            let (top, _) = posdoc_kb::top_cause(&provisional);
            if let Some(read) = incident_read
                && let Some(signal) = incident_reading(top, read)
            {
                factors_push_signal(
                    kb,
                    factors,
                    yes(signal, format!("{:.0}%", 100.0 * read.1), String::new()),
                );
            }
            // A terminal in trouble of its own since well before the
            // incident opened: the incident is the likelier cause of this
            // event by less (a CPU saturated for two hours is still
            // saturated when its host falls over).
            let failed = |from: i64, to: i64| {
                s.trouble
                    .count(inc.opened_at.plus_secs(-from), inc.opened_at.plus_secs(-to))
            };
            // ...and still in it up to then: a terminal that failed in its
            // host's outage an hour before its carrier's is not.
            let predated = failed(PREDATED_FROM_S, PREDATED_TO_S) >= PREDATED_FAILURES_MIN
                && failed(PREDATED_TO_S, PREDATED_STILL_TO_S) >= 1;
            // An error of the terminal's own parts (the app, the reader,
            // the PIN pad, the printer) inside an incident that fired on
            // none of them: a host's or a shop's link going down fails no
            // app at its own stage. A shop's mains do: a sagging supply
            // fails the reader and the printer first.
            let off_kind = matches!(p, Pending::Error(..))
                && crate::fleet::Failure::of_stage(stage.as_deref())
                    == crate::fleet::Failure::Device
                && !inc.fired_on(crate::fleet::Failure::Device)
                && incident_cause != Some(Cause::PowerSupply);
            for f in &mut factors[before..] {
                for (i, x) in f.ln.iter_mut().enumerate() {
                    let implausible = provisional[i] < INCIDENT_PLAUSIBLE_MIN;
                    if (implausible && *x > 0.0)
                        || (host_answer && answer_prior[i] < HOST_DECIDED_CAUSE_PRIOR_MAX)
                    {
                        *x *= HOST_DECIDED_TELEMETRY_WEIGHT;
                    }
                    if predated {
                        *x *= PREDATED_INCIDENT_WEIGHT;
                    }
                    if off_kind {
                        *x *= OFF_KIND_INCIDENT_WEIGHT;
                    }
                }
            }
            if predated {
                factors_push_signal(
                    kb,
                    factors,
                    yes(
                        "failing_before_incident",
                        (PREDATED_TO_S / 60).to_string(),
                        String::new(),
                    ),
                );
            }
        }
        // A handshake refused by a host that another release's terminals
        // are refused at, in words of the host's certificate: the same
        // chain their old trust stores lack — unless this one's words name
        // its version, or its radio is too weak to finish any handshake.
        if stage.as_deref() == Some("tls")
            && !["log:version_text", "log:tls_version_text", "signal_weak"]
                .iter()
                .any(|&w| said(factors, w))
            && let Some(host) = self
                .fleet
                .host_certificate_refused(idx, incident_index, horizon)
        {
            factors_push_signal(
                kb,
                factors,
                yes("host_certificate_refused", host.to_string(), String::new()),
            );
        }
        if let Some((r, c)) = s.resolved
            && r <= ts
            && ts.secs_since(r) < RESOLVED_RELEVANT_S as f64
        {
            let mut lr = [1.0; Cause::COUNT];
            lr[c.index()] = RESOLVED_LR;
            let title = &kb.cause(c).title;
            factors.push(lr_factor(
                "resolved_recently",
                Some(c.id().to_string()),
                Text {
                    zh: format!(
                        "{}前已确认并修复：{}（{}）",
                        signals::fmt_dur_zh(ts.secs_since(r)),
                        title.zh,
                        c.id()
                    ),
                    en: format!(
                        "{} ({}) was confirmed and fixed {} ago",
                        title.en,
                        c.id(),
                        signals::fmt_dur(ts.secs_since(r))
                    ),
                },
                &lr,
                1.0,
            ));
        }

        // What the terminal's other recent failures were: a cashier's run of
        // mistakes, or risk refusals before a hold, colours this one.
        if let Some(f) = recent_codes_factor(kb, s, &code, ts, horizon) {
            factors.push(f);
        }
        // What the terminal's other recent log lines and the merchant's
        // complaints said: a run of errors on one terminal mostly shares one
        // cause, and a line without text borrows its neighbours' words.
        if let Some(f) = recent_logs_factor(kb, s, hits, ts, horizon) {
            factors.push(f);
        }
        if let Some(o) = device_behind_failure(&self.bits, s, hits, &prior, ts, horizon) {
            factors_push_signal(kb, factors, o);
        }
        if let Some(f) = complaint_factor(kb, s, ts, horizon) {
            factors.push(f);
        }
        let groups = subsystems_failing(s, stage.as_deref(), ts, horizon);
        if groups >= SUBSYSTEMS_SHARED_MIN {
            factors_push_signal(
                kb,
                factors,
                yes("many_subsystems", groups.to_string(), String::new()),
            );
        }

        // 4. What people checked.
        let checks = self.relevant_checks(s, ts, horizon);
        for c in &checks {
            if let Some(f) = check_factor(kb, c, s) {
                factors.push(f);
            }
        }

        // One fault explaining another's signs: the signs a second fault
        // leaves count for the cause behind it as much as for that fault.
        let ids = FactorIds::of(factors);
        for rule in EXPLAINED_SIGNS {
            let seen = |w: &&str| {
                let asked = Asked::of(w);
                ids.may_hold(asked.factor()) && asked.said_by(factors)
            };
            if rule.when.iter().any(seen)
                && (rule.incident_causes.is_empty()
                    || incident_cause.is_some_and(|c| rule.incident_causes.contains(&c)))
                && !rule.unless.iter().any(seen)
            {
                let from = rule.signs_of.index();
                for to in rule.count_for.iter().map(|c| c.index()) {
                    if rule.with_prior {
                        prior[to] = prior[to].max(prior[from]);
                    }
                    for f in factors
                        .iter_mut()
                        .filter(|f| rule.signs.iter().any(|&sign| f.is(sign)))
                    {
                        f.ln[to] = f.ln[to].max(f.ln[from]);
                    }
                }
            }
        }

        // 5. Combine.
        let mut score = [0.0; Cause::COUNT];
        for i in 0..Cause::COUNT {
            score[i] = prior[i].ln() + factors.iter().map(|f| f.ln[i]).sum::<f64>();
        }
        let posterior = softmax(&score);
        let trace = if self.cfg.trace_terminal.as_deref() == Some(tid) {
            let mut prior_ln = [0.0; Cause::COUNT];
            for (x, p) in prior_ln.iter_mut().zip(prior.iter()) {
                *x = p.ln();
            }
            std::iter::once(TracedFactor {
                signal: "prior".into(),
                value: Some(code.clone()),
                ln: prior_ln,
            })
            .chain(factors.iter().map(|f| TracedFactor {
                signal: f.id(),
                value: f.value.clone(),
                ln: f.ln,
            }))
            .collect()
        } else {
            Vec::new()
        };
        let order = leading_causes(&posterior, self.cfg.causes_listed.max(3));
        let top = order[0];
        let second = order[1];
        let causes = order
            .iter()
            .take(self.cfg.causes_listed.max(3))
            .map(|&i| CauseScore {
                cause: Cause::ALL[i],
                p: posterior[i],
            })
            .collect();

        // 6. Explain: the prior first, then what separated the top cause most.
        let mut evidence = vec![EvidenceItem {
            signal: format!("code:{code}"),
            value: Some(code.clone()),
            text: if cases > 0 {
                prior_text.fill(&[]).with_suffix(
                    &format!("（已结合 {cases} 个已确认案例）"),
                    &format!(" (updated with {cases} confirmed case(s))"),
                )
            } else {
                prior_text
            },
            weight: prior[top].ln() - prior[second].ln(),
        }];
        // Weights and places, sorted: a factor is too big to move about.
        let mut ranked: Vec<(f64, usize)> = factors
            .iter()
            .enumerate()
            .map(|(i, f)| (f.ln[top] - f.ln[second], i))
            .collect();
        ranked.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        for (w, i) in ranked
            .into_iter()
            .filter(|(w, _)| w.abs() > 0.05)
            .take(self.cfg.evidence_listed.saturating_sub(1))
        {
            let f = &factors[i];
            let text = f.text.resolve(kb, f.value.as_deref());
            evidence.push(EvidenceItem {
                signal: f.id(),
                value: f.value.clone(),
                text,
                weight: w,
            });
        }

        // The checks people already answered, by the knowledge base's id
        // (they may have named one by an alias), looked up once.
        let answered_ids: Vec<&str> = checks
            .iter()
            .filter_map(|c| kb.check(&c.name))
            .map(|d| d.id.as_str())
            .collect();
        let answered = |id: &str| answered_ids.contains(&id);
        let mut ranked_checks = troubleshoot::rank_checks(kb, &posterior, &answered);
        if ranked_checks.is_empty() {
            ranked_checks = troubleshoot::confirming_checks(kb, Cause::ALL[top], &answered);
        }
        let next_checks = ranked_checks
            .into_iter()
            .take(self.cfg.checks_listed)
            .map(|(i, gain)| {
                let c = &kb.checks[i];
                NextCheck {
                    check: c.id.clone(),
                    who: c.who,
                    cost_min: c.cost_min,
                    question: c.question.clone(),
                    gain_per_min: gain,
                }
            })
            .collect();

        Some(Diagnosis {
            ts,
            ts_raw: match p {
                Pending::Error(e, _) => e.ts_raw.to_string(),
                Pending::Txn(t) => t.ts_raw.to_string(),
            },
            terminal_id: tid.to_string(),
            code,
            source,
            stan,
            vendor: s.vendor.to_string(),
            model: s.model.to_string(),
            site_id: s.site.map(|i| self.sites[i as usize].id.to_string()),
            causes,
            posterior,
            evidence,
            next_checks,
            incident_id,
            incident_index,
            trace,
        })
    }

    /// `on_the_wire`: whether the event diagnosed is a failure of the link
    /// itself (no answer; an error connecting, sending or receiving).
    fn site_signals(
        &self,
        s: &TerminalState,
        idx: u32,
        ts: Ts,
        horizon: Ts,
        on_the_wire: bool,
        out: &mut Vec<Obs>,
    ) {
        let Some(site) = s.site else { return };
        let from = ts.plus_secs(-300);
        let peers = &self.sites[site as usize].terminals;
        let mut failing = 0;
        let mut failing_on_router = 0;
        let mut cellular_ok = false;
        let mut site_link_ok = 0;
        let mut wifi_ok = 0;
        for &p in peers.iter().filter(|&&p| p != idx) {
            let t = &self.terminals[p as usize];
            // Neighbours count as failing with the site when their link
            // fails: a handshake the host refuses is their software's.
            let failed = t
                .last_link_failure
                .is_some_and(|f| f >= from && f <= horizon);
            failing += usize::from(failed);
            failing_on_router += usize::from(failed && matches!(t.net, Net::Ethernet | Net::Wifi));
            // Paying, or heard over the link quickly and whole: a shop's
            // terminals that nobody pays on in the morning still show
            // whether its router works.
            let ok = !failed
                && (t
                    .last_success
                    .is_some_and(|x| x >= ts.plus_secs(-signals::RECENT_S) && x <= horizon)
                    || t.last_link_ok.is_some_and(|x| x >= from && x <= horizon));
            if t.net == Net::Cellular && ok {
                cellular_ok = true;
            }
            if matches!(t.net, Net::Ethernet | Net::Wifi) && ok {
                site_link_ok += 1;
                wifi_ok += usize::from(t.net == Net::Wifi);
            }
        }
        // Neighbours on the site's own router paying fine: not the router,
        // though this terminal's own cable or Wi-Fi link still may be.
        if failing == 0 && site_link_ok >= 1 && matches!(s.net, Net::Ethernet | Net::Wifi) {
            out.push(yes(
                "site_peers_ok",
                site_link_ok.to_string(),
                String::new(),
            ));
            // A Wi-Fi terminal alone failing behind a router that serves
            // its neighbours: its own radio link, the more surely when a
            // neighbour on the same Wi-Fi is fine (a wired one leaves the
            // access point itself in doubt).
            if s.net == Net::Wifi {
                out.push(yes_at(
                    "wifi_link_alone",
                    site_link_ok.to_string(),
                    if wifi_ok >= 1 { 1.0 } else { 0.6 },
                ));
            }
        }
        // One neighbour failing too is a coincidence as often as a shared
        // fault; most of the site failing is not.
        let others = peers.len().saturating_sub(1).max(1);
        let shared = failing >= 2 || failing * 2 >= others;
        if failing >= 1 {
            // A terminal on a carrier's network whose failing neighbours
            // are all on one too shares no router with them: its shop's
            // power or its carrier, as likely the one as the other.
            let radio_only = s.net == Net::Cellular && failing_on_router == 0;
            out.push(yes_at(
                if radio_only {
                    "site_radio_peers_failing"
                } else {
                    "site_peers_failing"
                },
                failing.to_string(),
                if shared { 1.0 } else { 0.35 },
            ));
        }
        if cellular_ok && failing >= 2 && matches!(s.net, Net::Ethernet | Net::Wifi) {
            out.push(yes("site_cellular_ok", String::new(), String::new()));
        }
        // Neighbours whose own power failed lately: the shop's mains, even
        // for a terminal that kept its power (a battery) but lost the
        // router with it.
        let powerless = peers
            .iter()
            .filter(|&&p| p != idx)
            .filter(|&&p| {
                // Failing too: a neighbour's brown-out that cost it
                // nothing is its adapter's, not the shop's.
                let t = &self.terminals[p as usize];
                t.last_link_failure
                    .is_some_and(|f| f >= ts.plus_secs(-900) && f <= horizon)
                    && self.fleet.power_sign_in(p, ts.plus_secs(-900), horizon)
            })
            .count();
        // A terminal on the shop's router that lost its link as the shop's
        // mains failed (a neighbour's supply read off, or a neighbour
        // rebooted for power lost: between a quarter of an hour before and
        // two minutes after its link went; its own signs alone may be its
        // board's) and has not had it back since: the router went down
        // with the mains, or is still coming back up. The power is not back
        // for its link, whatever its own readings since (or a neighbour
        // paying on its battery) say.
        let on_router = matches!(s.net, Net::Ethernet | Net::Wifi);
        let maybe_on_router = |net: Net| matches!(net, Net::Ethernet | Net::Wifi | Net::Unknown);
        // (Not while its host leaves its other terminals unanswered too:
        // that is the host.)
        let host_down = || {
            s.host.is_some_and(|h| {
                let v = self.hosts[h as usize].peers(idx, ts.plus_secs(-GROUP_WINDOW_S), horizon);
                v.mostly_unreachable()
            })
        };
        if on_the_wire
            && maybe_on_router(s.net)
            && let Some(down) = s.link_down_since
            && down <= horizon
            && s.link_worked_at().is_none_or(|w| w < down)
            && s.last_link_failure
                .is_some_and(|f| f >= ts.plus_secs(-signals::RECENT_S))
            && let Some(mains) = peers
                .iter()
                .filter(|&&p| p != idx)
                .filter_map(|&p| self.terminals[p as usize].mains_failed_at())
                .filter(|&m| m >= down.plus_secs(-900) && m <= down.plus_secs(120))
                .max()
            && ts.secs_since(mains) <= LINK_LOST_WITH_MAINS_S
            // No neighbour on the router has had its link work since this
            // one's went: a router carrying them carries this one, and a
            // terminal still cut off once the power is back lost a part of
            // its own to it (its board, its port).
            && peers.iter().filter(|&&p| p != idx).all(|&p| {
                let t = &self.terminals[p as usize];
                !maybe_on_router(t.net)
                    || t.link_worked_at()
                        .is_none_or(|w| w <= down.plus_secs(60) || w > horizon)
            })
            && !host_down()
        {
            // (The caller drops its own power readings then:
            // `mains_back_says_nothing`.)
            out.push(signals::yes_dur(
                "link_lost_with_mains",
                ts.secs_since(mains),
            ));
            return;
        }
        // Only a terminal on the shop's router loses its link with the
        // shop's mains; a cellular one does not.
        if powerless >= 1 && failing >= 1 && on_router {
            out.push(yes(
                "site_peers_power",
                powerless.to_string(),
                String::new(),
            ));
        }
    }

    /// The merchant's other shops losing their links with this terminal,
    /// while its host answers other merchants' terminals: each shop has
    /// its own router and mains, so what they share is what the
    /// merchant's terminals were sent — parameters naming a host address
    /// or port that takes no payments. A terminal held by an incident
    /// wider than its shop (a host's, a carrier's, a release's) is
    /// explained by it.
    fn merchant_shops_signal(
        &self,
        s: &TerminalState,
        idx: u32,
        m: u32,
        ts: Ts,
        horizon: Ts,
        out: &mut Vec<Obs>,
    ) {
        let (Some(own_site), Some(h)) = (s.site, s.host) else {
            return;
        };
        if self.held_beyond_its_shop(idx) {
            return;
        }
        let from = ts.plus_secs(-MERCHANT_SHOPS_WINDOW_S);
        let Some(sites) = self.merchant_sites.get(m as usize) else {
            return;
        };
        let (mut other_shops, mut failing_shops, mut failing_terminals) = (0usize, 0usize, 0usize);
        for &site in sites.iter().filter(|&&site| site != own_site) {
            other_shops += 1;
            let failing = self.sites[site as usize]
                .terminals
                .iter()
                .filter(|&&p| {
                    let t = &self.terminals[p as usize];
                    t.merchant_group == Some(m)
                        && t.last_link_failure
                            .is_some_and(|f| f >= from && f <= horizon)
                        && !self.held_beyond_its_shop(p)
                })
                .count();
            failing_shops += usize::from(failing > 0);
            failing_terminals += failing;
        }
        // Shops lose their routers now and then, and a terminal its own
        // link: one other shop of two or three failing with this one is a
        // sign, one of twenty is not, and a lone terminal elsewhere is
        // none.
        let strength = match failing_shops {
            _ if failing_terminals < 2 => return,
            1 if other_shops <= 2 => 0.6,
            n if n >= 2 && n * 3 >= other_shops => 1.0,
            _ => return,
        };
        let others = self.hosts[h as usize].peers_where(idx, from, horizon, |e| {
            self.terminals[e.terminal as usize].merchant_group != Some(m)
        });
        if !others.mostly_approving() {
            return;
        }
        out.push(yes_at(
            "merchant_shops_failing_links",
            failing_shops.to_string(),
            strength,
        ));
    }

    /// Whether terminal `t` is held by an incident wider than its shop (a
    /// host, a carrier, a release): that explains its failures. Not its
    /// merchant's of their links: the merchant's shops failing together are
    /// what that incident is.
    fn held_beyond_its_shop(&self, t: u32) -> bool {
        use crate::fleet::{Failure, ScopeKind};
        self.fleet.incident_of(t).is_some_and(|i| match i.kind {
            ScopeKind::Site => false,
            ScopeKind::Merchant => !i.fired_on(Failure::Link),
            _ => true,
        })
    }

    /// How many of terminal `s`'s payments in `[from, to]` were refused for
    /// their MACs or their format, if both happened (MAC refusals counted
    /// from errors raised at the MAC stage too).
    fn mac_and_format_refused(&self, s: &TerminalState, from: Ts, to: Ts) -> Option<usize> {
        let (mut mac, mut format) = (0usize, 0usize);
        for t in s
            .txns
            .iter()
            .filter(|t| !t.ok && t.ts >= from && t.ts <= to)
        {
            match self.refusal(t.code.as_deref(), None) {
                crate::Refusal::Shared {
                    kind: crate::fleet::Failure::Keys,
                    ..
                } => mac += 1,
                crate::Refusal::Shared {
                    kind: crate::fleet::Failure::Protocol,
                    ..
                } => format += 1,
                _ => {}
            }
        }
        if mac == 0 {
            mac = s
                .errors
                .iter()
                .filter(|e| e.ts >= from && e.ts <= to && e.stage.as_deref() == Some("mac"))
                .count();
        }
        (mac > 0 && format > 0).then_some(mac + format)
    }

    /// What the terminal's acquirer host and the card's issuer (BIN) look
    /// like from the other terminals that share them.
    fn group_signals(
        &self,
        s: &TerminalState,
        idx: u32,
        ts: Ts,
        horizon: Ts,
        // The card's BIN (0 when unknown), and whether the host answered.
        (bin, answered): (u32, bool),
        out: &mut Vec<Obs>,
    ) {
        let from = ts.plus_secs(-GROUP_WINDOW_S);
        if let Some(h) = s.host {
            let v = self.hosts[h as usize].peers(idx, from, horizon);
            if v.mostly_unreachable() {
                out.push(yes(
                    "host_peers_unreachable",
                    v.unreachable.to_string(),
                    String::new(),
                ));
            } else if v.mostly_approving()
                // A degraded host's incident was judged over all its
                // payments: its peers paying is how it looks.
                && self
                    .fleet
                    .incident_of(idx)
                    .is_none_or(|i| i.kind != crate::fleet::ScopeKind::Host)
            {
                let mut o = yes("host_peers_ok", v.approving.to_string(), String::new());
                // A host that answered this payment with its own malfunction
                // is up but may be overloaded, failing a few in a hundred:
                // its peers paying then says less than when it went silent.
                if answered && let Seen::Yes { strength, .. } = &mut o.seen {
                    *strength = HOST_PEERS_OK_ANSWERED_STRENGTH;
                }
                out.push(o);
            }
            // Failures on the host spread over many banks' cards are the
            // host's; a down bank fails its own cards only.
            if v.unreachable_bins >= HOST_FAILING_BINS_MIN {
                out.push(yes(
                    "host_failing_many_bins",
                    v.unreachable_bins.to_string(),
                    String::new(),
                ));
            }
        }
        // A carrier outage cuts its terminals across the city; one
        // terminal's weak signal cuts that terminal alone.
        if let Some(c) = s.carrier_group
            && s.net == Net::Cellular
        {
            let v = self.carriers[c as usize].peers(idx, from, horizon);
            if v.mostly_unreachable() {
                out.push(yes(
                    "carrier_peers_unreachable",
                    v.unreachable.to_string(),
                    String::new(),
                ));
            } else if v.mostly_approving() {
                out.push(yes(
                    "carrier_peers_ok",
                    v.approving.to_string(),
                    String::new(),
                ));
            }
        }
        // A frozen or misregistered merchant refuses on all its terminals;
        // one terminal's wrong parameters refuse on that terminal alone.
        if let Some(m) = s.merchant_group {
            let v =
                self.merchants[m as usize].peers(idx, ts.plus_secs(-3 * GROUP_WINDOW_S), horizon);
            if v.declining >= 1 && v.declined_events > v.approved_events {
                out.push(yes(
                    "merchant_peers_refused",
                    v.declining.to_string(),
                    String::new(),
                ));
            } else if v.approving >= 1 && v.declined_events * 4 <= v.approved_events {
                out.push(yes(
                    "merchant_peers_ok",
                    v.approving.to_string(),
                    String::new(),
                ));
            }
        }
        if bin != 0
            && let Some(g) = self.bins.get(&bin)
        {
            let v = g.peers(idx, ts.plus_secs(-3 * GROUP_WINDOW_S), horizon);
            if v.unreachable >= 1 && v.unreachable_events > v.approved_events {
                out.push(yes(
                    "bin_failing_elsewhere",
                    format!("{bin:06}"),
                    v.unreachable.to_string(),
                ));
            }
            let other_cards_ok = s.txns.iter().any(|t| {
                t.ok && t.bin != 0
                    && t.bin != bin
                    && t.ts >= ts.plus_secs(-2 * GROUP_WINDOW_S)
                    && t.ts <= horizon
            });
            let (own_ok, _) = g.own(idx, ts.plus_secs(-2 * GROUP_WINDOW_S), horizon);
            if answered && other_cards_ok && own_ok == 0 {
                out.push(yes(
                    "other_cards_ok_here",
                    format!("{bin:06}"),
                    String::new(),
                ));
            }
        }
        // One customer in fifty mistypes a PIN; three customers' cards
        // refused for a wrong PIN on one terminal within the hour is its
        // PIN pad registering keys that were not pressed (a sticky key, a
        // worn membrane).
        let from = ts.plus_secs(-PIN_REFUSED_WINDOW_S);
        let mut bins: Vec<u32> = s
            .txns
            .iter()
            .filter(|t| t.ts >= from && t.ts <= horizon)
            .filter(|t| matches!(t.code.as_deref(), Some("55" | "75")))
            .map(|t| t.bin)
            .collect();
        let refused = bins.len();
        bins.retain(|&b| b != 0);
        bins.sort_unstable();
        bins.dedup();
        if refused >= PIN_REFUSED_MIN && bins.len() >= 2 {
            out.push(yes("pin_refused_often", refused.to_string(), String::new()));
        }
    }

    fn relevant_checks(&self, s: &TerminalState, ts: Ts, horizon: Ts) -> Vec<CheckLite> {
        let from = ts.plus_secs(-CHECK_RELEVANT_S);
        let in_window = |c: &&CheckLite| c.ts >= from && c.ts <= horizon;
        let mut out: Vec<CheckLite> = s.checks.iter().filter(in_window).cloned().collect();
        if let Some(site) = s.site {
            out.extend(
                self.sites[site as usize]
                    .checks
                    .iter()
                    .filter(in_window)
                    .cloned(),
            );
        }
        out
    }
}

trait WithSuffix {
    fn with_suffix(self, zh: &str, en: &str) -> Text;
}

impl WithSuffix for Text {
    fn with_suffix(self, zh: &str, en: &str) -> Text {
        Text {
            zh: self.zh + zh,
            en: self.en + en,
        }
    }
}

/// How much of a prior sits on causes the host or issuer decides.
fn host_decided(prior: &CauseVec) -> f64 {
    Cause::ALL
        .iter()
        .filter(|&&c| {
            matches!(
                c,
                Cause::CardDecline
                    | Cause::BusinessTxnType
                    | Cause::BusinessLimit
                    | Cause::BusinessRisk
                    | Cause::BusinessMerchant
                    | Cause::OperatorError
                    | Cause::UpstreamIssuer
            )
        })
        .map(|c| prior[c.index()])
        .sum()
}

fn softmax(score: &CauseVec) -> CauseVec {
    let max = score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut out = [0.0; Cause::COUNT];
    for (o, &s) in out.iter_mut().zip(score.iter()) {
        *o = (s - max).exp();
    }
    normalize(&mut out);
    out
}

fn lr_factor(
    signal: impl Into<Cow<'static, str>>,
    value: Option<String>,
    text: Text,
    lr: &CauseVec,
    strength: f64,
) -> Factor {
    Factor {
        prefix: "",
        signal: signal.into(),
        value,
        text: FactorText::Ready(text),
        ln: ln_of(lr, strength),
    }
}

fn factors_push_signal(kb: &Kb, factors: &mut Vec<Factor>, o: Obs) {
    let Some(def): Option<&LrDef> = kb.signals.get(o.id) else {
        return;
    };
    match o.seen {
        Seen::Yes {
            value,
            baseline,
            strength,
            value_zh,
        } => {
            let value = (!value.is_empty()).then_some(value);
            factors.push(Factor {
                prefix: "",
                signal: Cow::Borrowed(o.id),
                value,
                text: FactorText::Signal {
                    id: o.id,
                    baseline,
                    value_zh,
                },
                ln: scaled(&def.ln, strength),
            });
        }
        Seen::Absent => {
            if def.lr_absent.iter().any(|&x| (x - 1.0).abs() > 1e-9) {
                factors.push(Factor {
                    prefix: "no:",
                    signal: Cow::Borrowed(o.id),
                    value: None,
                    text: FactorText::Absent(o.id),
                    ln: def.ln_absent,
                });
            }
        }
    }
}

/// Words a person's check answers with, beside ok and fail: a problem
/// found, or none.
const CHECK_PROBLEM_WORDS: &[&str] = &[
    "abnormal",
    "bad",
    "blocked",
    "broken",
    "expired",
    "error",
    "failed",
    "frozen",
    "hold",
    "invalid",
    "mismatch",
    "misregistered",
    "missing",
    "suspended",
    "wrong",
    "异常",
    "冻结",
    "过期",
    "错误",
    "失败",
    "不符",
    "无效",
];
const CHECK_FINE_WORDS: &[&str] = &["normal", "fine", "good", "pass", "passed", "valid", "正常"];

/// Whether a check's answer in words says a problem was found (`Some(true)`),
/// none (`Some(false)`), or neither.
fn check_word_fails(answer: &str) -> Option<bool> {
    let a = answer.trim().to_lowercase();
    if CHECK_PROBLEM_WORDS.iter().any(|w| a.contains(w)) {
        Some(true)
    } else if CHECK_FINE_WORDS.iter().any(|w| a == *w) {
        Some(false)
    } else {
        None
    }
}

/// P(answer | cause) of a person's check, as a factor.
fn check_factor(kb: &Kb, c: &CheckLite, s: &TerminalState) -> Option<Factor> {
    let def = kb.check(&c.name)?;
    let fail = match &c.result {
        CheckResult::Ok => false,
        CheckResult::Fail => true,
        CheckResult::Value(v) => {
            let v = v.trim();
            let number = v
                .strip_suffix("dBm")
                .or_else(|| v.strip_suffix("dbm"))
                .unwrap_or(v)
                .trim_end_matches(['V', 'v', '%'])
                .trim();
            match number.parse::<f64>() {
                Ok(x) => {
                    // The adapter rating the terminal's own supply readings
                    // tell, when they are steady enough to.
                    let supply = s.metric(MetricId::Supply);
                    let usual = supply.trusted().then_some(f64::from(supply.mean));
                    def.judge(x, usual)?
                }
                // A word for what was found: "expired", "frozen", "normal".
                Err(_) => check_word_fails(v)?,
            }
        }
    };
    let mut lik = [0.0; Cause::COUNT];
    for (l, &q) in lik.iter_mut().zip(def.p_fail.iter()) {
        *l = if fail { q } else { 1.0 - q };
    }
    let mean = lik.iter().sum::<f64>() / Cause::COUNT as f64;
    lik.iter_mut().for_each(|l| *l /= mean);
    let verdict = if fail {
        Text {
            zh: "异常".into(),
            en: "problem found".into(),
        }
    } else {
        Text {
            zh: "正常".into(),
            en: "fine".into(),
        }
    };
    Some(Factor {
        prefix: "check:",
        signal: def.id.clone().into(),
        value: Some(match &c.result {
            CheckResult::Ok => "ok".into(),
            CheckResult::Fail => "fail".into(),
            CheckResult::Value(v) => v.clone(),
        }),
        text: FactorText::Ready(Text {
            zh: format!("检查「{}」：{}", def.question.zh, verdict.zh),
            en: format!("check \"{}\": {}", def.question.en, verdict.en),
        }),
        ln: ln_of(&lik, 1.0),
    })
}

/// How well incident `inc` explains an event that the terminal's own signs
/// read as `provisional`: the incident's evidence's likelihood ratio,
/// averaged over that reading.
fn incident_fit(kb: &Kb, inc: &crate::fleet::Incident, net: Net, provisional: &CauseVec) -> f64 {
    let signal = inc.member_signal(net == Net::Cellular);
    kb.signals.get(signal).map_or(0.0, |def| {
        def.ln
            .iter()
            .zip(provisional)
            .map(|(l, p)| p * l.exp())
            .sum()
    })
}

/// The incident as evidence to a member on `net` (see
/// [`crate::fleet::Incident::member_signal`]): its scope's value, and a card
/// issuer by its name in each language where the knowledge base knows it.
fn incident_obs(kb: &Kb, inc: &crate::fleet::Incident, net: Net) -> Obs {
    let mut obs = yes(
        inc.member_signal(net == Net::Cellular),
        inc.key.clone(),
        String::new(),
    );
    if inc.kind == crate::fleet::ScopeKind::Issuer
        && let Some(def) = kb.issuers.iter().find(|d| d.id == inc.key)
        && let Seen::Yes {
            value, value_zh, ..
        } = &mut obs.seen
    {
        *value = def.name.en.clone();
        *value_zh = Some(def.name.zh.clone());
    }
    obs
}

/// The failed payment an error logs: by its STAN, else a failed one within
/// half a minute that is not plainly another attempt ([`other_stan`],
/// [`before_sending`]).
fn linked_txn<'a>(
    s: &'a TerminalState,
    stan: Option<&str>,
    stage: Option<&str>,
    ts: Ts,
    horizon: Ts,
) -> Option<&'a crate::state::TxnLite> {
    let near = |t: Ts| (t.secs_since(ts)).abs() <= 30.0 && t <= horizon;
    let another_attempt = |t: &crate::state::TxnLite| {
        let answered = t.code.is_some() && !t.timed_out;
        other_stan(stan, t.stan.as_deref()) || (answered && stage.is_some_and(before_sending))
    };
    s.txns
        .iter()
        .rev()
        .find(|t| {
            stan.is_some() && t.stan.as_deref() == stan && (t.ts.secs_since(ts)).abs() <= 300.0
        })
        .or_else(|| {
            s.txns
                .iter()
                .rev()
                .find(|t| !t.ok && near(t.ts) && !another_attempt(t))
        })
        .filter(|t| !t.ok)
}

/// The error a failed payment logged: by its STAN, else one within half a
/// minute that is not plainly another attempt (`answered`: the host
/// answered the payment).
fn linked_error<'a>(
    s: &'a TerminalState,
    stan: Option<&str>,
    ts: Ts,
    horizon: Ts,
    answered: bool,
) -> Option<&'a crate::state::ErrLite> {
    s.errors
        .iter()
        .rev()
        .find(|e| {
            stan.is_some() && e.stan.as_deref() == stan && (e.ts.secs_since(ts)).abs() <= 300.0
        })
        .or_else(|| {
            let another_attempt = |e: &crate::state::ErrLite| {
                other_stan(stan, e.stan.as_deref())
                    || (answered && e.stage.as_deref().is_some_and(before_sending))
            };
            s.errors.iter().rev().find(|e| {
                (e.ts.secs_since(ts)).abs() <= 30.0 && e.ts <= horizon && !another_attempt(e)
            })
        })
}

/// `prior` mixed with the prior of a code nobody knows, `widen` of it.
fn widen_prior(kb: &Kb, prior: &mut CauseVec, widen: f64) {
    if widen > 0.0 {
        let (wide, _) = unknown_prior(kb);
        for (p, w) in prior.iter_mut().zip(wide.iter()) {
            *p = (1.0 - widen) * *p + widen * w;
        }
    }
}

/// Whether no host answer reaches the step an error came at: before the
/// message goes out ([`before_sending`]), at the PIN pad or the printer.
fn unanswered_step(stage: &str) -> bool {
    before_sending(stage) || matches!(stage, "pin" | "print")
}

/// Whether an error at this stage stops a payment before its message goes
/// out: such an error (a card read wrong, no connection) and a payment the
/// host answered are two attempts, however close in time. Not the PIN: a PIN
/// typed on failing keys is logged at its stage and still sent, and the
/// issuer answers it wrong (55).
fn before_sending(stage: &str) -> bool {
    matches!(stage, "card_read" | "connect" | "tls" | "send" | "power_on")
}

/// Whether two records name different transactions: an error and a payment
/// that each carry a trace number, and not the same one, are two attempts
/// however close in time (a QR payment refused, then a card swiped wrong).
fn other_stan(a: Option<&str>, b: Option<&str>) -> bool {
    a.zip(b).is_some_and(|(a, b)| a != b)
}

/// The `k` likeliest causes' indices (two at least), likeliest first, the
/// lower index first among equals: the head of the causes sorted, without
/// sorting all twenty-seven for the few a diagnosis lists.
fn leading_causes(posterior: &CauseVec, k: usize) -> Vec<usize> {
    let k = k.clamp(2, Cause::COUNT);
    let mut top: Vec<usize> = Vec::with_capacity(k + 1);
    for i in 0..Cause::COUNT {
        // Before the first that is less likely: after its equals, which
        // all have lower indices.
        let at = top
            .iter()
            .position(|&j| posterior[i].total_cmp(&posterior[j]).is_gt())
            .unwrap_or(top.len());
        if at < k {
            top.insert(at, i);
            top.truncate(k);
        }
    }
    top
}

/// The ids of a diagnosis's factors, hashed to one bit each of 128: most
/// signals a rule asks about were not seen, and one bit tells so at the
/// cost of hashing the name, where [`said`] would compare it with every
/// factor. A set bit may be another id's; [`said`] then decides.
struct FactorIds(u128);

impl FactorIds {
    fn of(factors: &[Factor]) -> FactorIds {
        FactorIds(factors.iter().fold(0, |bits, f| {
            bits | FactorIds::bit(f.prefix.bytes().chain(f.signal.bytes()))
        }))
    }

    /// One bit for the id's bytes: rotated and mixed in a byte at a time,
    /// multiplied once at the end (a multiplication per byte, as FNV does,
    /// cost more than the comparisons it saves).
    fn bit(bytes: impl Iterator<Item = u8>) -> u128 {
        let mixed = bytes.fold(0_u64, |h, b| h.rotate_left(5) ^ u64::from(b));
        1 << (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57)
    }

    /// Whether a factor [`said`] looks for in `when` may be among them (the
    /// rules' loop reads `when` once and asks [`FactorIds::may_hold`]).
    #[cfg(test)]
    fn may_say(&self, when: &str) -> bool {
        self.may_hold(Asked::of(when).factor())
    }

    /// Whether a factor of this id may be among them.
    fn may_hold(&self, id: &str) -> bool {
        self.0 & FactorIds::bit(id.bytes()) != 0
    }
}

/// Whether a factor is the signal `when` names: a signal's id,
/// `recent_logs:PATTERN` (or `complaint:PATTERN`, `code_words:PATTERN`) for
/// one pattern among the terminal's recent log lines (a complaint's words,
/// the words its code usually comes with), or `check:CHECK=RESULT` for a
/// check's result.
fn said(factors: &[Factor], when: &str) -> bool {
    Asked::of(when).said_by(factors)
}

/// What a rule's `when` asks of the factors, read once.
enum Asked<'a> {
    /// `recent_logs:P`, `complaint:P` and `code_words:P`: that factor,
    /// naming pattern P among the patterns it lists.
    Listed {
        signal: &'static str,
        pattern: &'a str,
    },
    /// `check:C=R`: check C came back R (a check's factor is said whether
    /// it passed or failed).
    Checked { check: &'a str, result: &'a str },
    /// A signal's id.
    Plain(&'a str),
}

impl<'a> Asked<'a> {
    fn of(when: &'a str) -> Asked<'a> {
        let listed = ["recent_logs", "complaint", "code_words"]
            .into_iter()
            .find_map(|signal| {
                when.strip_prefix(signal)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .map(|pattern| Asked::Listed { signal, pattern })
            });
        let checked = || {
            when.starts_with("check:")
                .then(|| when.split_once('='))
                .flatten()
                .map(|(check, result)| Asked::Checked { check, result })
        };
        listed.or_else(checked).unwrap_or(Asked::Plain(when))
    }

    /// The id of the factor it asks about.
    fn factor(&self) -> &'a str {
        match *self {
            Asked::Listed { signal, .. } => signal,
            Asked::Checked { check, .. } => check,
            Asked::Plain(id) => id,
        }
    }

    fn said_by(&self, factors: &[Factor]) -> bool {
        match *self {
            Asked::Listed { signal, pattern } => factors.iter().any(|f| {
                f.is(signal)
                    && f.value
                        .as_deref()
                        .is_some_and(|v| v.split(',').any(|p| p.trim() == pattern))
            }),
            Asked::Checked { check, result } => factors
                .iter()
                .any(|f| f.is(check) && f.value.as_deref() == Some(result)),
            Asked::Plain(id) => factors.iter().any(|f| f.is(id)),
        }
    }
}

/// How old a battery reading may be to say what charge a terminal lost
/// power with: the terminal was dark in between.
const BATTERY_LEVEL_AGE_S: i64 = 3600;
/// Charge a battery that is merely empty would not still show.
const CHARGE_LEFT_PCT: f32 = 15.0;
/// A level at which a battery is being kept full by its charger: the
/// terminal then runs on the mains, whose loss it is.
const CHARGE_FULL_PCT: f32 = 90.0;

/// Signs of one cause that another explains as well, once a signal says
/// that other is behind them.
struct ExplainedSigns {
    /// The signals that say so (any of them).
    when: &'static [&'static str],
    signs_of: Cause,
    count_for: &'static [Cause],
    /// The signals whose likelihood for `signs_of` `count_for` gets too.
    signs: &'static [&'static str],
    /// Whether the code's own reading (the prior) counts too.
    with_prior: bool,
    /// When not empty, the rule holds only while the event's incident is
    /// thought to be one of these: a release refused by its host does not
    /// make a member's own full memory the release's leak.
    incident_causes: &'static [Cause],
    /// Signals that keep the rule from holding (any of them).
    unless: &'static [&'static str],
}

/// Every sign of a terminal's link gone: the stage it failed at, the
/// words of a timeout or a connection failing, offline reports, a crawling
/// link. A router down gives them all; so does whatever took the router or
/// the modem down with it.
const LINK_GONE_SIGNS: &[&str] = &[
    "offline",
    "stage:connect",
    "stage:send",
    "stage:receive",
    "log:timeout",
    "log:connect_fail",
    "network_degraded",
];

const EXPLAINED_SIGNS: [ExplainedSigns; 31] = [
    // Bytes damaged at the PIN prompt: the PIN pad's link (its cable, its
    // serial port) fails its checksums, and the prompt is where that shows
    // as much as where stuck keys do.
    ExplainedSigns {
        when: &["log:corrupt_text"],
        signs_of: Cause::HardwareKeypad,
        count_for: &[Cause::TransmissionCorruption],
        signs: &["stage:pin"],
        with_prior: false,
        incident_causes: &[],
        // A PIN's length or format the customer got wrong is theirs.
        unless: &["log:operator_text", "log:input_text"],
    },
    // Payments sent under another merchant's id, refused as from an
    // unknown or invalid merchant: the refusal, the merchant's other
    // terminals refused alike, and the merchant's (or shop's) incident of
    // such refusals are the parameters pushed to its terminals as much as
    // an account frozen — whose payments carry its own id.
    ExplainedSigns {
        when: &["mid_not_its_own"],
        signs_of: Cause::BusinessMerchant,
        count_for: &[Cause::SoftwareConfig],
        signs: &[
            "incident_merchant",
            "incident_site",
            "merchant_peers_refused",
        ],
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // A terminal on the shop's router that lost its link as the shop's
    // mains failed and never had it back: every sign of a link gone (the
    // code's reading, the stage, the timeout, the offline reports) is the
    // power's doing as much as the router's — the router shares the mains.
    ExplainedSigns {
        when: &["link_lost_with_mains"],
        signs_of: Cause::NetworkLan,
        count_for: &[Cause::PowerSupply],
        signs: LINK_GONE_SIGNS,
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // A failure whose own words tell of the terminal's power sagging
    // ("power dip, modem reset", "低压复位"): a modem reset by a low
    // supply, or by a battery running low, loses the link as a router
    // does, so the link's signs are the power's as much as the router's.
    ExplainedSigns {
        when: &["log:power_text"],
        signs_of: Cause::NetworkLan,
        count_for: &[Cause::PowerSupply, Cause::PowerBattery],
        signs: LINK_GONE_SIGNS,
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // Memory running out on many terminals of one release at once: the
    // release leaks. Its members' full memory, and the words of their
    // failed allocations, are the release's defect as much as the memory.
    ExplainedSigns {
        when: &["incident_app_version", "incident_firmware"],
        signs_of: Cause::ResourceMemory,
        count_for: &[Cause::SoftwareBug],
        signs: &["memory_high", "log:memory_text", "app_crashes"],
        with_prior: true,
        incident_causes: &[Cause::ResourceMemory, Cause::SoftwareBug],
        unless: &[],
    },
    // Keys wiped at an abnormal reset: every sign of keys missing (the code,
    // the MAC stage, the key check, the words) is the board's doing as much
    // as the keys' — what is left to tell is why they went, which the reset
    // says.
    ExplainedSigns {
        when: &["keys_lost_at_reset"],
        signs_of: Cause::SecurityKeys,
        count_for: &[Cause::HardwareBoard],
        signs: &["stage:mac", "log:mac_text", "key_mismatch"],
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // A part naming itself (a sensor, the security chip, the main board)
    // failing in a shop whose power is failing: the power says why a part
    // broke as much as that this event is the power's — a surge damages
    // boards.
    ExplainedSigns {
        when: &["log:board_text"],
        signs_of: Cause::PowerSupply,
        count_for: &[Cause::HardwareBoard],
        signs: &[
            "supply_voltage_excursion",
            "site_peers_power",
            "power_events",
            "reboot_power_loss",
            "incident_site",
            "log:power_text",
        ],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A radio module not answering its own commands reads as no signal
    // and no link: the weak reading, the dark heartbeats and the failed
    // connection are the module's doing as much as the air's.
    ExplainedSigns {
        when: &["log:modem_text"],
        signs_of: Cause::NetworkSignal,
        count_for: &[Cause::HardwareBoard],
        signs: &[
            "signal_weak",
            "offline",
            "network_degraded",
            "stage:connect",
            "log:timeout",
            "log:signal_text",
        ],
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // A MAC refused while the terminal's own key check passes: the signs
    // of a MAC failing (the MAC stage, its words) say nothing more of the
    // keys than of the key index the parameters pick, or of bytes damaged
    // on the way — counted for the keys alone, they outvote the one sign
    // that tells them apart.
    ExplainedSigns {
        when: &["mac_refused_keys_ok"],
        signs_of: Cause::SecurityKeys,
        count_for: &[Cause::SoftwareConfig, Cause::TransmissionCorruption],
        signs: &["stage:mac", "log:mac_text"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A MAC refused on a terminal whose parameters a person found wrong: a
    // key index set wrong makes the terminal MAC with another key, and the
    // host refuses every MAC as it would a key gone bad. The MAC's stage,
    // words, code and every payment failing say nothing more of the keys
    // than of that parameter; the check is what tells them apart.
    ExplainedSigns {
        when: &["check:terminal_params_check=fail"],
        signs_of: Cause::SecurityKeys,
        count_for: &[Cause::SoftwareConfig],
        signs: &["stage:mac", "log:mac_text", "all_failing"],
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // MACs refused across a host's shops at once: the host's keys moved
    // and the terminals' did not. Each terminal's own key check passes
    // then — its keys are whole, just not the host's — so that check
    // speaks for the keys as much as for a wrong key index.
    ExplainedSigns {
        when: &["incident_host_keys"],
        signs_of: Cause::SoftwareConfig,
        count_for: &[Cause::SecurityKeys],
        signs: &["mac_refused_keys_ok"],
        with_prior: false,
        incident_causes: &[],
        // Unless this terminal's parameters or versions were just changed:
        // a push that set the wrong key index leaves the keys whole too.
        unless: &["recent_parameter_change", "recent_update"],
    },
    // A PIN pad that drops keys, as its own error counter or its lines
    // say: the customer gives up and the payment is cancelled, or its PIN
    // entry runs out. The cancel and the input's words are the pad's
    // doing as much as a person's slip.
    ExplainedSigns {
        when: &[
            "keypad_errors",
            "recent_logs:keypad_text",
            "complaint:keypad_text",
        ],
        signs_of: Cause::OperatorError,
        count_for: &[Cause::HardwareKeypad],
        signs: &["log:operator_text", "log:input_text", "isolated_failure"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A screen the cashier or customer cannot read, as its own lines, a
    // complaint about it or a person who looked at it say: the payment is
    // cancelled or its input runs out, at the PIN prompt the customer
    // cannot see. The cancel is the screen's doing as much as a person's
    // slip. (A complaint quoting the screen — "the screen shows 64" —
    // blames nothing: `display_text` leaves such quotes out.)
    ExplainedSigns {
        when: &[
            "recent_logs:display_text",
            "complaint:display_text",
            "check:display_test=fail",
        ],
        signs_of: Cause::OperatorError,
        count_for: &[Cause::HardwareDisplay],
        signs: &[
            "log:operator_text",
            "log:input_text",
            "isolated_failure",
            "stage:pin",
        ],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A handshake refused by a host whose certificate other releases'
    // terminals are refused for: this release failing on that host only,
    // in its incident and now and then, is the host's chain its trust store
    // lacks as much as a version the host stopped taking; and the
    // terminal's own certificate valid and its clock right say nothing of
    // the host's certificate.
    ExplainedSigns {
        when: &["host_certificate_refused"],
        signs_of: Cause::SoftwareIncompatible,
        count_for: &[Cause::SecurityCertificate],
        signs: &[
            "incident_app_version",
            "incident_firmware",
            "release_fails_on_one_host",
            "intermittent_failures",
            "no:cert_expired",
            "no:clock_skewed",
        ],
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // A handshake refused for its protocol version fails before any
    // certificate is exchanged: the terminal's expired certificate, the
    // words for it and its batch's incident say no more of this refusal
    // than of a version the host stopped taking.
    ExplainedSigns {
        when: &["log:tls_version_text"],
        signs_of: Cause::SecurityCertificate,
        count_for: &[Cause::SoftwareIncompatible],
        signs: &["cert_expired", "log:cert_text", "incident_certificate"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A handshake failing in so many words and no more ("SSL握手失败"),
    // on a member of a release's incident: the release's TLS stack no
    // longer agreeing with its host is as likely as a certificate, unless
    // the words or the terminal say the certificate expired, is not
    // trusted or the clock is off. The TLS stage and the handshake's words
    // are then the version's as much as the certificate's; the incident
    // tells which.
    ExplainedSigns {
        when: &["incident_app_version", "incident_firmware"],
        signs_of: Cause::SecurityCertificate,
        count_for: &[Cause::SoftwareIncompatible],
        signs: &["stage:tls", "log:cert_text"],
        with_prior: false,
        incident_causes: &[Cause::SecurityCertificate, Cause::SoftwareIncompatible],
        unless: &[
            "log:cert_expired_text",
            "log:cert_untrusted_text",
            "recent_logs:cert_expired_text",
            "recent_logs:cert_untrusted_text",
            "code_words:cert_expired_text",
            "code_words:cert_untrusted_text",
            "cert_expired",
            "clock_skewed",
            "check:check_date_time=fail",
            "check:cert_expiry=fail",
            // Nor a crash: the words are then a defect's, as the crash says.
            "log:crash_text",
        ],
    },
    // A TLS record refused for its integrity (bad_record_mac) comes after
    // the handshake agreed on the certificate and the version: the TLS
    // stage and the words of certificates say no more of the certificate
    // or the version than of a defect sealing records wrong or a line
    // damaging them.
    ExplainedSigns {
        when: &["log:tls_record_mac_text"],
        signs_of: Cause::SecurityCertificate,
        count_for: &[Cause::SoftwareBug, Cause::TransmissionCorruption],
        signs: &["stage:tls", "log:cert_text"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A print failing for its voltage ("打印电压不足", "printer
    // undervoltage"): a thermal head draws the most current a terminal
    // ever does, so a sagging supply fails there first. The print stage,
    // the printer's code and its words say no more of the printer than of
    // the supply or the battery behind it.
    ExplainedSigns {
        when: &["log:power_text"],
        signs_of: Cause::HardwarePrinter,
        count_for: &[Cause::PowerSupply, Cause::PowerBattery],
        signs: &["stage:print", "log:printer_text"],
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // An error whose own words name the printer (out of paper, cover
    // open) on a terminal whose link is crawling: the paper ran out
    // whatever the network does. Its heartbeats' round trips and losses
    // say no more of the link than of the printer for that line (gen8's
    // "PAPER OUT" on dial-up links).
    ExplainedSigns {
        when: &["log:printer_text"],
        signs_of: Cause::NetworkLan,
        count_for: &[Cause::HardwarePrinter],
        signs: &["network_degraded"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // ...and one that names the card reader.
    ExplainedSigns {
        when: &["log:reader_text"],
        signs_of: Cause::NetworkLan,
        count_for: &[Cause::HardwareCardReader],
        signs: &["network_degraded"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A terminal whose processor reads busy, its app restarted by the
    // watchdog: a task starved of the processor stops answering as a hung
    // one does, so the restarts are the load's as much as a defect's
    // (gen15's plugin looping on every terminal of a chain).
    ExplainedSigns {
        when: &["cpu_high"],
        signs_of: Cause::SoftwareBug,
        count_for: &[Cause::ResourceCpu],
        signs: &["app_crashes"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A carrier down in the terminal's city: its towers gone, every one of
    // its terminals there reads no signal and says "no service". The weak
    // reading and those words are the carrier's outage as much as the
    // terminal's own air; its incident tells them apart.
    ExplainedSigns {
        when: &["incident_carrier"],
        signs_of: Cause::NetworkSignal,
        count_for: &[Cause::NetworkCarrier],
        signs: &["signal_weak", "log:signal_text"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // An error whose own words say its storage is full, on a terminal whose
    // radio is weak and whose link crawls: the storage filled whatever the
    // air does (gen15's Wi-Fi handhelds at the far end of a shop).
    ExplainedSigns {
        when: &["log:storage_text"],
        signs_of: Cause::NetworkSignal,
        count_for: &[Cause::ResourceStorage],
        signs: &["network_degraded", "signal_weak"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A terminal whose own words say its supply is low now, after its
    // shop's power fault: the power is not back for it, whatever its
    // neighbours' heartbeats say — the fault past is a fault present.
    ExplainedSigns {
        when: &["log:power_text"],
        signs_of: Cause::HardwareBoard,
        count_for: &[Cause::PowerSupply],
        signs: &["past_power_fault"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // ...and one whose own words name its battery: the mains going and
    // coming drained or damaged the battery as much as the board, and the
    // terminal says which.
    ExplainedSigns {
        when: &["log:battery_text"],
        signs_of: Cause::HardwareBoard,
        count_for: &[Cause::PowerBattery],
        signs: &["past_power_fault"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // ...and one losing its power again and again with charge left in its
    // battery: the power is not back, the battery drops it each time.
    ExplainedSigns {
        when: &["power_lost_with_charge_left"],
        signs_of: Cause::HardwareBoard,
        count_for: &[Cause::PowerBattery],
        signs: &["past_power_fault"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A payment sent under another category than the merchant's own: a
    // misregistered merchant's other payments go through, so its peers
    // paying, its payments in between and its one payment refused say no
    // more against the merchant
    // than against a payment type it may not take.
    ExplainedSigns {
        when: &["mcc_mismatch"],
        signs_of: Cause::BusinessTxnType,
        count_for: &[Cause::BusinessMerchant],
        signs: &[
            "merchant_peers_ok",
            "isolated_failure",
            "intermittent_failures",
            "incident_merchant",
        ],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // A security chip or board that logs its own failure, now or lately:
    // the MACs it computes then fail as if the keys were wrong — every one
    // of them, and its key check finds none, once a tamper switch has
    // erased the keys.
    ExplainedSigns {
        when: &["recent_logs:board_text", "log:board_text"],
        signs_of: Cause::SecurityKeys,
        count_for: &[Cause::HardwareBoard],
        signs: &["stage:mac", "log:mac_text", "all_failing", "key_mismatch"],
        with_prior: true,
        incident_causes: &[],
        unless: &[],
    },
    // Connections refused across a host's shops at once: the host's
    // service is down, not every terminal's address or port set wrong. A
    // refused connection's words (an address or port that looks wrong) are
    // the host's doing then as much as the parameters'.
    ExplainedSigns {
        when: &["incident_host"],
        signs_of: Cause::SoftwareConfig,
        count_for: &[Cause::UpstreamAcquirer],
        signs: &["log:refused_config", "log:connect_fail"],
        with_prior: false,
        incident_causes: &[Cause::UpstreamAcquirer],
        // Unless this terminal's parameters or versions were just changed:
        // its own address may be wrong while its host is down.
        unless: &["recent_parameter_change", "recent_update"],
    },
    // A receive timer set shorter than the host's answers fails only the
    // payments answered after it: those answered sooner go through in
    // between. Failing now and then is the short timer's own pattern as
    // much as a defect's.
    ExplainedSigns {
        when: &["timeout_early", "timer_short_lately"],
        signs_of: Cause::SoftwareBug,
        count_for: &[Cause::SoftwareConfig],
        signs: &["intermittent_failures"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
    // The same timer runs out while the terminal waits for the answer: at
    // the receive stage, where a link gone quiet times out too.
    ExplainedSigns {
        when: &["timeout_early", "timer_short_lately"],
        signs_of: Cause::NetworkLan,
        count_for: &[Cause::SoftwareConfig],
        signs: &["stage:receive"],
        with_prior: false,
        incident_causes: &[],
        unless: &[],
    },
];

/// How recently another shop of the merchant must have lost its link to
/// count as losing it with this terminal, seconds.
const MERCHANT_SHOPS_WINDOW_S: i64 = 300;

/// The response code for "requested function not supported" (CUP and
/// ISO 8583:1987 alike).
const FUNCTION_NOT_SUPPORTED: &str = "40";

/// A cause an incident's members together may read as, the causes one
/// terminal's failure in that fault may read as alone, and the signal such
/// a failure gets.
struct IncidentReading {
    cause: Cause,
    read_on_one_as: &'static [Cause],
    signal: &'static str,
}

const fn reading(
    cause: Cause,
    read_on_one_as: &'static [Cause],
    signal: &'static str,
) -> IncidentReading {
    IncidentReading {
        cause,
        read_on_one_as,
        signal,
    }
}

/// An account's reasons, which one code tells poorly (a frozen merchant's
/// "invalid merchant" and "not permitted" by turns); and the faults whose
/// members, one by one, read as another's that those faults look like
/// alone: a version its host refuses as a message damaged on the way, a
/// carrier's outage as a modem out of range, a host's as a card's bank, a
/// shop's mains as its router (the router goes down with them), a
/// merchant's pushed parameters as a router. On our outside sets the
/// members' reading is right in such a disagreement nine times in ten (an
/// account's, every time); not so between a release's defect and its
/// version refused, which are not here (one terminal's reading there is as
/// often the right one).
const INCIDENT_READINGS: [IncidentReading; 9] = [
    reading(
        Cause::SoftwareIncompatible,
        &[Cause::TransmissionCorruption],
        "incident_reads_incompatible",
    ),
    reading(
        Cause::BusinessMerchant,
        &crate::ACCOUNT_CAUSES,
        "incident_reads_merchant",
    ),
    reading(
        Cause::BusinessTxnType,
        &crate::ACCOUNT_CAUSES,
        "incident_reads_txn_type",
    ),
    reading(
        Cause::BusinessLimit,
        &crate::ACCOUNT_CAUSES,
        "incident_reads_limit",
    ),
    reading(
        Cause::BusinessRisk,
        &crate::ACCOUNT_CAUSES,
        "incident_reads_risk",
    ),
    reading(
        Cause::NetworkCarrier,
        &[Cause::NetworkSignal],
        "incident_reads_carrier",
    ),
    reading(
        Cause::UpstreamAcquirer,
        &[Cause::UpstreamIssuer],
        "incident_reads_acquirer",
    ),
    reading(
        Cause::PowerSupply,
        &[Cause::NetworkLan],
        "incident_reads_power",
    ),
    reading(
        Cause::SoftwareConfig,
        &[Cause::NetworkLan],
        "incident_reads_config",
    ),
];
/// The share of its members' belief an incident must give one cause for
/// their reading to weigh on a failure in it (a clear majority: a bare
/// one, early, spreads its first members' misreading to the rest).
const INCIDENT_READING_SHARE_MIN: f64 = 0.7;

/// The signal an event read on its own as `top` gets in an incident whose
/// members read as `(cause, share)`, if their reading weighs on it.
pub(crate) fn incident_reading(top: Cause, (cause, share): (Cause, f64)) -> Option<&'static str> {
    if share < INCIDENT_READING_SHARE_MIN {
        return None;
    }
    INCIDENT_READINGS
        .iter()
        .find(|r| r.cause == cause && r.read_on_one_as.contains(&top))
        .map(|r| r.signal)
}

/// A code whose prior puts this much on the keys is a MAC refused.
const MAC_PRIOR_MIN: f64 = 0.5;

/// Stages past the app's own code: a failure logged there was reported by
/// an app that was running.
const APP_SURVIVED_STAGES: [&str; 6] = ["connect", "tls", "send", "receive", "mac", "pin"];

/// How far back a terminal's payments are looked at for refusals on chip
/// payments only, seconds.
const CHIP_ONLY_WINDOW_S: i64 = 3600;

/// How many of the terminal's chip or contactless payments in `[from, to]`
/// the host refused with `rc`, if two at least were and none of its other
/// payments (QR, swiped) was, while one of those went through.
fn refused_on_chip_only(s: &TerminalState, rc: &str, from: Ts, to: Ts) -> Option<usize> {
    let (mut chip_refused, mut other_refused, mut other_ok) = (0, 0, 0);
    for t in s.txns.iter().filter(|t| t.ts >= from && t.ts <= to) {
        let refused = !t.ok && t.code.as_deref() == Some(rc);
        match (t.chip(), refused) {
            (true, true) => chip_refused += 1,
            (false, true) => other_refused += 1,
            (false, false) if t.ok => other_ok += 1,
            _ => {}
        }
    }
    (chip_refused >= 2 && other_refused == 0 && other_ok >= 1).then_some(chip_refused)
}

/// What the host's peers paying weighs (as a power of its likelihood
/// ratios) against a payment the host itself answered.
const HOST_PEERS_OK_ANSWERED_STRENGTH: f64 = 0.3;

/// What a code's usual words weigh for a line that has none (as a power of
/// their likelihood ratios).
const CODE_WORDS_STRENGTH: f64 = 0.6;

/// How far back a terminal's refusals are looked at for MACs and formats
/// refused both, seconds.
const MIXED_REFUSALS_S: i64 = 3600;

/// How far back a terminal's other failures colour an event, seconds.
const RECENT_CODES_S: i64 = 1800;
/// How much those failures' priors count against this event's own.
const RECENT_CODES_TEMPER: f64 = 0.5;

/// The mean prior of the terminal's other recent failure codes, as a factor.
fn recent_codes_factor(
    kb: &Kb,
    s: &TerminalState,
    code: &str,
    ts: Ts,
    horizon: Ts,
) -> Option<Factor> {
    let from = ts.plus_secs(-RECENT_CODES_S);
    let mut codes: Vec<&str> = s
        .txns
        .iter()
        .filter(|t| !t.ok && !t.timed_out && t.ts >= from && t.ts <= horizon)
        .filter_map(|t| t.code.as_deref())
        .filter(|c| *c != code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    if codes.is_empty() {
        return None;
    }
    let base = kb.base_prior();
    let mut mean = [0.0; Cause::COUNT];
    let mut n = 0.0;
    for c in &codes {
        if let Some(d) = kb.response_code(c).filter(|d| !d.approved) {
            for (m, p) in mean.iter_mut().zip(d.prior.iter()) {
                *m += p;
            }
            n += 1.0;
        }
    }
    if n == 0.0 {
        return None;
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let list = codes.join(", ");
    Some(Factor {
        prefix: "",
        signal: "recent_codes".into(),
        value: Some(list.clone()),
        text: FactorText::Ready(Text {
            zh: format!("这台终端近 30 分钟内还有其他失败应答：{list}"),
            en: format!("this terminal's other failures in the last 30 minutes: {list}"),
        }),
        ln: ratio(&mean, &base, RECENT_CODES_TEMPER),
    })
}

/// Distinct subsystems failing on one terminal within half an hour from
/// which a shared cause underneath (the board, the supply) is suspected.
const SUBSYSTEMS_SHARED_MIN: u32 = 3;

/// How many of the terminal's subsystems (network, card and PIN, the app,
/// booting, printing) raised errors in the last 30 minutes, this event's
/// stage included.
fn subsystems_failing(s: &TerminalState, own: Option<&str>, ts: Ts, horizon: Ts) -> u32 {
    fn group(stage: &str) -> u32 {
        match stage {
            "connect" | "tls" | "send" | "receive" | "mac" => 1,
            "card_read" | "pin" => 2,
            "app" => 4,
            "power_on" => 8,
            "print" => 16,
            _ => 0,
        }
    }
    let from = ts
        .plus_secs(-RECENT_LOGS_S)
        .max(s.fixed_before(ts).unwrap_or_default());
    let mut seen = own.map_or(0, group);
    for e in s.errors.iter() {
        if e.ts >= from && e.ts <= horizon {
            seen |= e.stage.as_deref().map_or(0, group);
        }
    }
    seen.count_ones()
}

/// How far back a terminal's other log lines colour an event, seconds.
pub(crate) const RECENT_LOGS_S: i64 = 3600;
/// How much a pattern seen in 1, 2, 3+ of those lines counts, against a
/// line of the event's own.
const RECENT_LOGS_STRENGTH: [f64; 3] = [0.3, 0.45, 0.6];
/// How long a complaint about a terminal stays relevant, seconds.
const COMPLAINT_RELEVANT_S: f64 = 24.0 * 3600.0;
/// A complaint is a person's words about a symptom, not a log line.
const COMPLAINT_STRENGTH: f64 = 0.6;

/// Drops the observations `drop` picks, and returns where `bounds` (ends of
/// runs of them: the terminal's own, the shop's) fall among those kept.
fn drop_keeping_bounds<const N: usize>(
    obs: &mut Vec<Obs>,
    bounds: [usize; N],
    drop: impl Fn(&Obs) -> bool,
) -> [usize; N] {
    let kept = bounds.map(|end| end - obs[..end].iter().filter(|o| drop(o)).count());
    obs.retain(|o| !drop(o));
    kept
}

/// A terminal reading that says nothing once its link went with its
/// shop's mains: a past power fault, no power event, its supply fine.
fn mains_back_says_nothing(o: &Obs) -> bool {
    matches!(
        (o.id, &o.seen),
        ("past_power_fault", _) | ("power_events" | "supply_voltage_excursion", Seen::Absent)
    )
}

/// Sum of the patterns' likelihoods, each with its strength, as a factor.
fn patterns_factor(
    kb: &Kb,
    signal: &'static str,
    hits: &[(usize, f64)],
    text: impl Fn(&str, &str) -> Text,
) -> Option<Factor> {
    if hits.is_empty() {
        return None;
    }
    let mut ln = [0.0; Cause::COUNT];
    for &(i, strength) in hits {
        for (x, y) in ln.iter_mut().zip(scaled(&kb.patterns[i].ln, strength)) {
            *x += y;
        }
    }
    let ids: Vec<&str> = hits
        .iter()
        .map(|&(i, _)| kb.patterns[i].id.as_str())
        .collect();
    let zh: Vec<&str> = hits
        .iter()
        .map(|&(i, _)| kb.patterns[i].text.zh.trim_start_matches("日志："))
        .collect();
    let en: Vec<&str> = hits
        .iter()
        .map(|&(i, _)| kb.patterns[i].text.en.trim_start_matches("log: "))
        .collect();
    Some(Factor {
        prefix: "",
        signal: Cow::Borrowed(signal),
        value: Some(ids.join(",")),
        text: FactorText::Ready(text(&zh.join("；"), &en.join("; "))),
        ln,
    })
}

/// Patterns in the terminal's other log lines of the last hour that
/// the event's own line does not have.
fn recent_logs_factor(kb: &Kb, s: &TerminalState, own: u64, ts: Ts, horizon: Ts) -> Option<Factor> {
    let from = ts
        .plus_secs(-RECENT_LOGS_S)
        .max(s.fixed_before(ts).unwrap_or_default());
    let mut counts = [0u8; posdoc_kb::PATTERNS_MAX];
    let older = (s.older_logs_at >= from && s.older_logs_at <= horizon)
        .then_some((s.older_logs_at, s.older_log_hits));
    let kept = s.errors.iter().map(|e| (e.ts, e.log_hits));
    for (at, hits) in kept.chain(older) {
        if at < from || at > horizon || at == ts {
            continue;
        }
        let mut bits = hits & !own;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            counts[i] = counts[i].saturating_add(1);
            bits &= bits - 1;
        }
    }
    let hits: Vec<(usize, f64)> = counts
        .iter()
        .enumerate()
        .take(kb.patterns.len())
        .filter(|(_, n)| **n > 0)
        .map(|(i, &n)| (i, RECENT_LOGS_STRENGTH[(n as usize).min(3) - 1]))
        .collect();
    patterns_factor(kb, "recent_logs", &hits, |zh, en| Text {
        zh: format!("这台终端近一小时的其他日志提到：{zh}"),
        en: format!("this terminal's other log lines in the last hour say: {en}"),
    })
}

/// How many of a terminal's other log lines in the last hour must name its
/// screen or keypad before the failures such a device causes are put down to
/// it: one line may be a knock, two are a fault that stays.
const DEVICE_FAULT_LINES_MIN: usize = 2;
/// A code's own table makes a device a plausible cause of it from this share
/// on (a wrong-PIN 55 lists the keypad at 0.07); the floors are below it.
const DEVICE_PLAUSIBLE_PRIOR: f64 = 0.04;

/// A failure a bad screen or keypad causes, on a terminal whose screen or
/// keypad keeps logging faults: a cashier who cannot read the screen or press
/// the keys times out and cancels, and a PIN typed on dead keys comes out
/// wrong. A cashier's failure is one whose words are a timeout or a cancel,
/// or whose code mostly means a cashier's mistake; otherwise the code's own
/// table must list the device. The event's own line naming the device is
/// weighed as a log pattern already.
fn device_behind_failure(
    bits: &crate::PatternBits,
    s: &TerminalState,
    own: u64,
    prior: &[f64; Cause::COUNT],
    ts: Ts,
    horizon: Ts,
) -> Option<Obs> {
    let operator = Cause::OperatorError.index();
    let cashier = own & bits.cashier != 0 || prior.iter().all(|&p| p <= prior[operator]);
    let from = ts
        .plus_secs(-RECENT_LOGS_S)
        .max(s.fixed_before(ts).unwrap_or_default());
    [
        (
            bits.display,
            Cause::HardwareDisplay,
            "failure_beside_screen_fault",
        ),
        (
            bits.keypad,
            Cause::HardwareKeypad,
            "failure_beside_keypad_fault",
        ),
    ]
    .into_iter()
    .filter_map(|(b, device, signal)| {
        if b == 0 || own & b != 0 || !(cashier || prior[device.index()] >= DEVICE_PLAUSIBLE_PRIOR) {
            return None;
        }
        let lines = s
            .errors
            .iter()
            .filter(|e| e.ts >= from && e.ts <= horizon && e.ts != ts && e.log_hits & b != 0)
            .count();
        (lines >= DEVICE_FAULT_LINES_MIN).then_some((lines, signal))
    })
    .max()
    .map(|(lines, signal)| yes(signal, lines.to_string(), String::new()))
}

/// What the latest complaint about this terminal said, if it is recent and
/// came after the latest confirmed fix.
fn complaint_factor(kb: &Kb, s: &TerminalState, ts: Ts, horizon: Ts) -> Option<Factor> {
    let (at, bits) = s.complaint?;
    if at > horizon
        || ts.secs_since(at) > COMPLAINT_RELEVANT_S
        || s.fixed_before(ts).is_some_and(|f| f >= at)
    {
        return None;
    }
    let hits: Vec<(usize, f64)> = (0..kb.patterns.len().min(posdoc_kb::PATTERNS_MAX))
        .filter(|i| bits & (1 << i) != 0)
        .map(|i| (i, COMPLAINT_STRENGTH))
        .collect();
    patterns_factor(kb, "complaint", &hits, |zh, en| Text {
        zh: format!("商户/顾客投诉这台终端：{zh}"),
        en: format!("a complaint about this terminal: {en}"),
    })
}

fn unknown_prior(kb: &Kb) -> (CauseVec, Text) {
    pseudo_code_prior(kb, "unknown")
}

/// The prior of a pseudo-code (`timeout`, `unknown`); base rates if the
/// knowledge base lacks it (`kb_problems` reports that).
fn pseudo_code_prior(kb: &Kb, code: &str) -> (CauseVec, Text) {
    match kb.code_priors.get(code) {
        Some(p) => (p.prior, p.text.clone()),
        None => (
            kb.base_prior(),
            Text {
                zh: "按各原因的基础概率估计".into(),
                en: "starting from base rates".into(),
            },
        ),
    }
}

fn rc_text(code: &str, meaning: &Text) -> Text {
    Text {
        zh: format!("应答码 {code}：{}", meaning.zh),
        en: format!("response code {code}: {}", meaning.en),
    }
}

fn code_text(l: &CodeLookup<'_>, code: &str, s: &TerminalState) -> Text {
    let model = if l.model_specific {
        format!(" {}", s.model)
    } else {
        String::new()
    };
    Text {
        zh: format!(
            "{}{model} 终端上的 {code} 可能是：{}",
            l.vendor.name.zh, l.entry.readings.zh
        ),
        en: format!(
            "{code} on {}{model} terminals can mean: {}",
            l.vendor.name.en, l.entry.readings.en
        ),
    }
}

fn yuan(fen: f64) -> String {
    format!("¥{:.2}", fen / 100.0)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn host_decisions_are_the_card_business_operator_and_issuer_causes() {
        for c in Cause::ALL {
            let mut prior = [0.0; Cause::COUNT];
            prior[c.index()] = 1.0;
            let by_id = matches!(
                c.id().split('.').next(),
                Some("card" | "business" | "operator")
            ) || *c == Cause::UpstreamIssuer;
            assert_eq!(host_decided(&prior), f64::from(u8::from(by_id)), "{c:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(prefix: &'static str, signal: &'static str, value: Option<&str>) -> Factor {
        Factor {
            prefix,
            signal: Cow::Borrowed(signal),
            value: value.map(str::to_string),
            text: FactorText::Ready(Text {
                zh: String::new(),
                en: String::new(),
            }),
            ln: [0.0; Cause::COUNT],
        }
    }

    #[test]
    fn observations_dropped_leave_each_run_its_own_members() {
        let o = |id: &'static str| yes(id, String::new(), String::new());
        // Terminal's own: a, power_events (absent), b; history: c; shop's: d.
        let mut obs = vec![
            o("a"),
            Obs {
                id: "power_events",
                seen: Seen::Absent,
            },
            o("b"),
            o("c"),
            o("d"),
        ];
        let [own_end, shop_from] = drop_keeping_bounds(&mut obs, [3, 4], mains_back_says_nothing);
        let ids: Vec<&str> = obs.iter().map(|o| o.id).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(&ids[..own_end], ["a", "b"]);
        assert_eq!(&ids[shop_from..], ["d"]);
    }

    /// The hashed ids never hide a factor `said` finds, in each form a
    /// rule names one: a plain id, a prefixed one, a check's result, a
    /// pattern among recent log lines.
    #[test]
    fn factor_ids_never_hide_a_factor_said() {
        let factors = [
            factor("", "cpu_high", None),
            factor("log:", "power_text", Some("断电")),
            factor("check:", "terminal_params_check", Some("fail")),
            factor("", "recent_logs", Some("modem_text, board_text")),
            factor("", "incident_host", Some("H1")),
        ];
        let ids = FactorIds::of(&factors);
        let mut found = 0;
        for rule in EXPLAINED_SIGNS {
            for w in rule.when.iter().chain(rule.unless) {
                if said(&factors, w) {
                    found += 1;
                    assert!(ids.may_say(w), "{w}");
                }
            }
        }
        for w in [
            "cpu_high",
            "log:power_text",
            "check:terminal_params_check=fail",
            "recent_logs:board_text",
        ] {
            assert!(said(&factors, w) && ids.may_say(w), "{w}");
        }
        assert!(found >= 6, "{found}");
        // Most ids not among them are told so by their bit alone.
        let absent = EXPLAINED_SIGNS
            .iter()
            .flat_map(|r| r.when.iter().chain(r.unless))
            .filter(|w| !said(&factors, w));
        let (told, all) = absent.fold((0, 0), |(t, a), w| {
            (t + usize::from(!ids.may_say(w)), a + 1)
        });
        assert!(2 * told > all, "{told} of {all}");
    }

    proptest::proptest! {
        /// The leading causes are the head of all causes sorted by
        /// likelihood, then index — ties (a few distinct values) included.
        #[test]
        fn leading_causes_are_the_head_of_the_sorted_causes(
            levels in proptest::collection::vec(0u8..4, Cause::COUNT),
            k in 0usize..30,
        ) {
            let mut posterior = [0.0; Cause::COUNT];
            for (p, &l) in posterior.iter_mut().zip(&levels) {
                *p = f64::from(l) / 8.0;
            }
            let mut sorted: Vec<usize> = (0..Cause::COUNT).collect();
            sorted.sort_by(|&a, &b| posterior[b].total_cmp(&posterior[a]).then(a.cmp(&b)));
            let k_clamped = k.clamp(2, Cause::COUNT);
            proptest::prop_assert_eq!(leading_causes(&posterior, k), sorted[..k_clamped].to_vec());
        }
    }
}
