//! The file formats of `kb/` (see `kb/README.md`), as read from TOML.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::text::Text;

pub(crate) type CauseWeights = BTreeMap<String, f64>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct File {
    #[serde(default)]
    pub cause: Vec<CauseEntry>,
    #[serde(default)]
    pub check: Vec<CheckEntry>,
    #[serde(default)]
    pub response_code: Vec<ResponseCodeEntry>,
    pub vendor: Option<String>,
    pub name: Option<Text>,
    #[serde(default)]
    pub code: Vec<CodeEntry>,
    #[serde(default)]
    pub signal: Vec<SignalEntry>,
    #[serde(default)]
    pub stage: Vec<StageEntry>,
    #[serde(default)]
    pub pattern: Vec<PatternEntry>,
    #[serde(default)]
    pub code_prior: Vec<CodePriorEntry>,
    #[serde(default)]
    pub issuer: Vec<IssuerEntry>,
}

/// A card issuer and the BINs (first six digits) of its cards.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerEntry {
    pub id: String,
    pub name: Text,
    pub bins: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauseEntry {
    pub id: String,
    pub prior: f64,
    pub title: Text,
    pub description: Text,
    #[serde(default)]
    pub cashier_steps: Vec<Text>,
    #[serde(default)]
    pub technician_steps: Vec<Text>,
    #[serde(default)]
    pub prevention: Vec<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckEntry {
    pub id: String,
    /// Other names the same check goes by in `check` records.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub who: String,
    pub cost_min: f64,
    pub question: Text,
    pub ok_range: Option<[f64; 2]>,
    /// The ok range as shares of a rating the value is measured against
    /// (an adapter's 5, 9, 12 or 24 V), not in the value's own units.
    pub ok_share_of_rating: Option<[f64; 2]>,
    /// A reading in dBm (negative) is a radio's strength: judged by the
    /// bars it shows, a weak one only (see `CheckDef::judge`).
    #[serde(default)]
    pub dbm_as_bars: bool,
    pub p_fail_default: f64,
    #[serde(default)]
    pub p_fail: CauseWeights,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseCodeEntry {
    pub dialect: String,
    pub code: String,
    #[serde(default)]
    pub approved: bool,
    pub meaning: Text,
    #[serde(default)]
    pub causes: CauseWeights,
    pub cashier_say: Text,
    pub cashier_do: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeEntry {
    pub code: String,
    #[serde(default)]
    pub models: Vec<String>,
    #[serde(default)]
    pub meaning: Vec<MeaningEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeaningEntry {
    pub weight: f64,
    #[serde(default)]
    pub documented: bool,
    #[serde(default)]
    pub source: String,
    pub stage: Option<String>,
    pub text: Text,
    pub causes: CauseWeights,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalEntry {
    pub id: String,
    pub text: Text,
    #[serde(default)]
    pub lr: CauseWeights,
    #[serde(default = "one")]
    pub lr_default: f64,
    #[serde(default)]
    pub lr_absent: CauseWeights,
    /// What a reader is told when the data was there and the signal was not
    /// (required with `lr_absent`).
    pub text_absent: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageEntry {
    pub stage: String,
    pub text: Text,
    #[serde(default)]
    pub lr: CauseWeights,
    #[serde(default = "one")]
    pub lr_default: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternEntry {
    pub id: String,
    /// Matches when the lowercased log text contains any of these.
    pub any: Vec<String>,
    /// ...unless it contains one of these: "输入超时" (an input timeout) is
    /// not a host's "超时".
    #[serde(default)]
    pub none: Vec<String>,
    pub text: Text,
    #[serde(default)]
    pub lr: CauseWeights,
    #[serde(default = "one")]
    pub lr_default: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodePriorEntry {
    /// A pseudo-code for failures without a code of their own (`timeout`).
    pub code: String,
    pub text: Text,
    pub causes: CauseWeights,
}

fn one() -> f64 {
    1.0
}
