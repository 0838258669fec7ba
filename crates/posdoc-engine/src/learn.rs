//! Learning from confirmed cases: every `resolution` is a case, and the
//! priors are counts that cases update (a Dirichlet over causes per vendor
//! and code, with the knowledge base's prior as pseudo-counts).

use rustc_hash::FxHashMap as HashMap;

use posdoc_kb::CauseVec;
use posdoc_record::{Cause, Ts};

use crate::state::TerminalState;

/// How many confirmed cases the knowledge base's prior is worth.
pub(crate) const KB_PSEUDO_COUNTS: f64 = 30.0;
/// How far back from a resolution its terminal's failures are attributed to it, seconds.
const CASE_LOOKBACK_S: i64 = 6 * 3600;

#[derive(Debug, Default)]
pub(crate) struct Learned {
    /// Counts by vendor, then code: nested so that a diagnosis looks them
    /// up by `&str` without building a key.
    by_code: HashMap<Box<str>, HashMap<Box<str>, [u32; Cause::COUNT]>>,
    base: [u32; Cause::COUNT],
}

impl Learned {
    /// Attributes `cause` to the codes the terminal showed before `ts`.
    pub fn learn(&mut self, t: &TerminalState, cause: Cause, ts: Ts) {
        let from = ts.plus_secs(-CASE_LOOKBACK_S);
        let mut codes: Vec<&str> = t
            .errors
            .iter()
            .filter(|e| e.ts >= from && e.ts <= ts)
            .map(|e| e.code.as_ref())
            .collect();
        codes.extend(
            t.txns
                .iter()
                .filter(|x| !x.ok && x.ts >= from && x.ts <= ts)
                .map(|x| {
                    if x.timed_out {
                        "timeout"
                    } else {
                        x.code.as_deref().unwrap_or("timeout")
                    }
                }),
        );
        codes.sort_unstable();
        codes.dedup();
        for code in codes {
            let counts = self
                .by_code
                .entry(t.vendor.clone())
                .or_default()
                .entry(code.into())
                .or_insert([0; Cause::COUNT]);
            counts[cause.index()] = counts[cause.index()].saturating_add(1);
        }
    }

    pub fn learn_base(&mut self, cause: Cause) {
        self.base[cause.index()] = self.base[cause.index()].saturating_add(1);
    }

    /// The prior for `code` on `vendor`, updated with the cases seen so far.
    /// Returns the number of cases that contributed.
    pub fn adjust(&self, prior: &mut CauseVec, vendor: &str, code: &str) -> u32 {
        let Some(counts) = self.by_code.get(vendor).and_then(|codes| codes.get(code)) else {
            return 0;
        };
        let n: u32 = counts.iter().sum();
        let total = KB_PSEUDO_COUNTS + f64::from(n);
        for (p, &c) in prior.iter_mut().zip(counts.iter()) {
            *p = (KB_PSEUDO_COUNTS * *p + f64::from(c)) / total;
        }
        n
    }

    /// Confirmed cases learned so far.
    pub fn cases(&self) -> u32 {
        self.base.iter().sum()
    }
}
