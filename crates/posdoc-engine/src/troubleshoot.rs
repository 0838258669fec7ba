//! Troubleshooting as decisions (Heckerman, Breese and Rommelse): ask next
//! the check with the best expected information per minute, update beliefs
//! with each answer, stop when one cause is near certain or nothing useful
//! is left to ask.

use std::sync::Arc;

use posdoc_kb::{CauseVec, Kb, binary_entropy_bits, normalize};
use posdoc_record::Cause;

/// Stop when the leading cause reaches this probability.
pub const CONFIDENT_P: f64 = 0.9;
/// A check that tells less than this many bits is not worth asking.
const GAIN_MIN_BITS: f64 = 0.02;

/// Checks not yet answered, ranked by expected bits per minute, with that rate.
pub fn rank_checks(
    kb: &Kb,
    posterior: &CauseVec,
    answered: &dyn Fn(&str) -> bool,
) -> Vec<(usize, f64)> {
    let mut out: Vec<(usize, f64)> = kb
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| !answered(&c.id))
        .filter_map(|(i, c)| {
            // What the answer tells of the cause is what the cause tells of
            // the answer: H(answer) - H(answer | cause), two logarithms per
            // check instead of one per cause and answer.
            let p_fail = dot(posterior, &c.p_fail);
            let h_given = dot(posterior, &c.answer_entropy);
            let gain = binary_entropy_bits(p_fail) - h_given;
            (gain >= GAIN_MIN_BITS).then_some((i, gain / c.cost_min))
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// `a · b` in four running sums: a diagnosis ranks every check, two such
/// sums each, and one running sum waits on each addition in turn.
fn dot(a: &CauseVec, b: &CauseVec) -> f64 {
    let mut sums = [0.0; 4];
    let (a_quads, a_rest) = a.as_chunks::<4>();
    let (b_quads, b_rest) = b.as_chunks::<4>();
    for (x, y) in a_quads.iter().zip(b_quads) {
        for lane in 0..4 {
            sums[lane] += x[lane] * y[lane];
        }
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        sums[0] += x * y;
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3])
}

/// An answer to a check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// Nothing wrong found / the problem is gone.
    Ok,
    /// Problem found / the problem persists.
    Fail,
    /// A measured value, judged by the check's range (see
    /// [`posdoc_kb::CheckDef::judge`]).
    Value(f64),
    /// Could not be done; ask something else.
    Skip,
}

impl Answer {
    pub fn parse(s: &str) -> Option<Answer> {
        match s.trim().to_lowercase().as_str() {
            "ok" | "y" | "yes" | "pass" | "good" | "是" | "正常" | "好" => Some(Answer::Ok),
            "fail" | "n" | "no" | "bad" | "否" | "异常" | "不行" => Some(Answer::Fail),
            "skip" | "s" | "?" | "跳过" | "不知道" => Some(Answer::Skip),
            other => other
                .trim_end_matches(['v', '%'])
                .trim()
                .parse()
                .ok()
                .map(Answer::Value),
        }
    }
}

/// What the session wants next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Ask this check (index into `kb.checks`), worth this many bits per minute.
    Ask { check: usize, gain_per_min: f64 },
    /// Done: the leading cause, and whether it passed [`CONFIDENT_P`].
    Done {
        cause: Cause,
        p: f64,
        confident: bool,
    },
}

/// An interactive troubleshooting session over the knowledge base's checks.
#[derive(Debug, Clone)]
pub struct Session {
    kb: Arc<Kb>,
    posterior: CauseVec,
    asked: Vec<String>,
    history: Vec<(String, Answer)>,
}

impl Session {
    /// Starts from a belief over causes (a diagnosis's posterior, or a code's prior).
    pub fn new(kb: Arc<Kb>, belief: CauseVec) -> Session {
        let mut posterior = belief;
        normalize(&mut posterior);
        Session {
            kb,
            posterior,
            asked: Vec::new(),
            history: Vec::new(),
        }
    }

    pub fn posterior(&self) -> &CauseVec {
        &self.posterior
    }

    pub fn history(&self) -> &[(String, Answer)] {
        &self.history
    }

    pub fn leading(&self) -> (Cause, f64) {
        let (i, p) = self
            .posterior
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .expect("27 causes");
        (Cause::ALL[i], *p)
    }

    pub fn next(&self) -> Step {
        let (cause, p) = self.leading();
        if p >= CONFIDENT_P {
            return Step::Done {
                cause,
                p,
                confident: true,
            };
        }
        let asked = |id: &str| self.asked.iter().any(|a| a == id);
        match rank_checks(&self.kb, &self.posterior, &asked).first() {
            Some(&(check, gain_per_min)) => Step::Ask {
                check,
                gain_per_min,
            },
            None => Step::Done {
                cause,
                p,
                confident: false,
            },
        }
    }

    /// Records an answer to check `id` (an id or alias). Unknown checks are an error.
    pub fn answer(&mut self, id: &str, answer: Answer) -> Result<(), String> {
        let kb = Arc::clone(&self.kb);
        let def = kb
            .check(id)
            .ok_or_else(|| format!("unknown check `{id}`"))?;
        // Judged before it is recorded: a refused answer leaves the session
        // as it was, the check still to be asked.
        let fail = match answer {
            Answer::Ok => Some(false),
            Answer::Fail => Some(true),
            Answer::Skip => None,
            Answer::Value(x) => match def.judge(x, None) {
                Some(fail) => Some(fail),
                None => return Err(format!("check `{}` takes ok or fail, not a number", def.id)),
            },
        };
        self.asked.push(def.id.clone());
        self.history.push((def.id.clone(), answer));
        let Some(fail) = fail else { return Ok(()) };
        for (p, &q) in self.posterior.iter_mut().zip(def.p_fail.iter()) {
            *p *= if fail { q } else { 1.0 - q };
        }
        normalize(&mut self.posterior);
        Ok(())
    }
}

/// When beliefs are already near certain no check is informative; the
/// checks that best confirm `cause` (it most raises their failure rate above
/// the others', per minute) are then what to do next.
pub fn confirming_checks(
    kb: &Kb,
    cause: Cause,
    answered: &dyn Fn(&str) -> bool,
) -> Vec<(usize, f64)> {
    let mut out: Vec<(usize, f64)> = kb
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| !answered(&c.id))
        .filter_map(|(i, c)| {
            let others = c.p_fail.iter().sum::<f64>() / Cause::COUNT as f64;
            let lift = c.p_fail[cause.index()] - others;
            (lift >= 0.3).then_some((i, lift / c.cost_min))
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four running sums add up to the one sum, every element counted
    /// once (the last three of twenty-seven included).
    #[test]
    fn dot_is_the_sum_of_products() {
        let a: CauseVec = std::array::from_fn(|i| (i + 1) as f64 / 7.0);
        let b: CauseVec = std::array::from_fn(|i| 1.0 / (i + 2) as f64);
        let want: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - want).abs() < 1e-12, "{} {want}", dot(&a, &b));
        let mut last = [0.0; Cause::COUNT];
        last[Cause::COUNT - 1] = 1.0;
        assert_eq!(dot(&last, &b), b[Cause::COUNT - 1]);
    }

    fn entropy_bits(p: &CauseVec) -> f64 {
        p.iter().filter(|&&x| x > 0.0).map(|&x| -x * x.log2()).sum()
    }

    /// The gain as its definition says: the entropy of the beliefs, less
    /// what is expected to be left of it after the answer.
    fn gain_by_definition(posterior: &CauseVec, p_fail: &CauseVec) -> f64 {
        let mut fail = [0.0; Cause::COUNT];
        let mut ok = [0.0; Cause::COUNT];
        for k in 0..Cause::COUNT {
            fail[k] = posterior[k] * p_fail[k];
            ok[k] = posterior[k] * (1.0 - p_fail[k]);
        }
        let pf: f64 = fail.iter().sum();
        normalize(&mut fail);
        normalize(&mut ok);
        entropy_bits(posterior) - pf * entropy_bits(&fail) - (1.0 - pf) * entropy_bits(&ok)
    }

    #[test]
    fn ranking_by_mutual_information_matches_the_definition() {
        let kb = Kb::builtin().expect("builtin kb");
        // Beliefs from flat to nearly certain, over every check.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for sharp in [0.0, 1.0, 4.0, 12.0] {
            let mut posterior = [0.0; Cause::COUNT];
            for p in &mut posterior {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *p = ((seed >> 11) as f64 / (1u64 << 53) as f64 * sharp).exp();
            }
            normalize(&mut posterior);
            let ranked = rank_checks(&kb, &posterior, &|_| false);
            assert!(!ranked.is_empty());
            for (i, per_min) in ranked {
                let c = &kb.checks[i];
                let expected = gain_by_definition(&posterior, &c.p_fail) / c.cost_min;
                assert!(
                    (per_min - expected).abs() < 1e-9,
                    "{}: {per_min} vs {expected}",
                    c.id
                );
            }
        }
    }
}
