//! The posdoc knowledge base: what terminal codes and response codes mean,
//! what each cause is and how to fix it, which checks tell causes apart, and
//! how strongly each observed signal speaks for each cause.
//!
//! The data lives in `kb/` as TOML (schema in `kb/README.md`), embedded at
//! build time ([`Kb::builtin`]); [`Kb::load`] merges an operator's directory
//! over it entry by entry. Loading validates everything and resolves cause
//! ids to dense [`CauseVec`]s so the engine never looks a string up on its
//! hot path.

mod schema;
mod text;

use aho_corasick::{AhoCorasick, MatchKind};
// Looked up by every diagnosis many times over: a fast hash, not SipHash
// (the keys are the knowledge base's own, not an attacker's).
use rustc_hash::FxHashMap as HashMap;
use std::fmt;
use std::path::Path;

use posdoc_record::Cause;

pub use schema::{CauseEntry, CheckEntry, CodeEntry, MeaningEntry, ResponseCodeEntry};
pub use text::{Lang, Text, fill_str};

include!(concat!(env!("OUT_DIR"), "/kb_files.rs"));

/// One number per cause, indexed by [`Cause::index`].
pub type CauseVec = [f64; Cause::COUNT];

/// A knowledge-base problem: the file (or entry) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for KbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// Every problem found, so an operator fixes them in one go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbErrors(pub Vec<KbError>);

impl fmt::Display for KbErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) in the knowledge base:", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for KbErrors {}

/// Who can carry out a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Cashier,
    Technician,
    Support,
}

impl Who {
    pub fn id(self) -> &'static str {
        match self {
            Who::Cashier => "cashier",
            Who::Technician => "technician",
            Who::Support => "support",
        }
    }
    pub fn title(self) -> Text {
        let (zh, en) = match self {
            Who::Cashier => ("收银员", "cashier"),
            Who::Technician => ("技术人员", "technician"),
            Who::Support => ("客服/运维", "support desk"),
        };
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CauseInfo {
    pub cause: Cause,
    pub prior: f64,
    pub title: Text,
    pub description: Text,
    pub cashier_steps: Vec<Text>,
    pub technician_steps: Vec<Text>,
    pub prevention: Vec<Text>,
}

#[derive(Debug, Clone)]
pub struct CheckDef {
    pub id: String,
    pub aliases: Vec<String>,
    pub who: Who,
    pub cost_min: f64,
    pub question: Text,
    pub ok_range: Option<[f64; 2]>,
    /// The ok range as shares of the rating the value is measured against
    /// (see [`CheckDef::judge`]).
    pub ok_share_of_rating: Option<[f64; 2]>,
    /// A negative reading is in dBm (see [`CheckDef::judge`]).
    pub dbm_as_bars: bool,
    /// P(answer = fail | cause).
    pub p_fail: CauseVec,
    /// The entropy of the answer given each cause, in bits: the binary
    /// entropy of `p_fail`, worked out once for ranking checks by the
    /// information they bring.
    pub answer_entropy: CauseVec,
}

/// The ratings a power adapter comes in, volts.
const ADAPTER_RATINGS_V: [f64; 4] = [5.0, 9.0, 12.0, 24.0];

/// The adapter rating nearest `volts`.
pub fn nearest_adapter_rating(volts: f64) -> f64 {
    ADAPTER_RATINGS_V
        .into_iter()
        .min_by(|a, b| (volts - a).abs().total_cmp(&(volts - b).abs()))
        .unwrap_or(5.0)
}

impl CheckDef {
    /// Whether it takes a measured value (else ok or fail).
    pub fn takes_value(&self) -> bool {
        self.ok_range.is_some() || self.ok_share_of_rating.is_some()
    }

    /// Whether the measured `value` is a failure: outside `ok_range`, or
    /// outside `ok_share_of_rating` of the adapter rating nearest `usual`
    /// (the terminal's usual supply reading, when known) or else nearest
    /// the value: 11.8 V from a 12 V adapter is fine, not 5 V gone high.
    /// The rating, not the usual reading itself: a supply sagging for
    /// hours has dragged its usual down with it. `None` if the check takes
    /// no value.
    pub fn judge(&self, value: f64, usual: Option<f64>) -> Option<bool> {
        if let Some([lo, hi]) = self.ok_share_of_rating {
            let rating = nearest_adapter_rating(usual.filter(|u| *u > 0.0).unwrap_or(value));
            return Some(!(lo * rating..=hi * rating).contains(&value));
        }
        let [lo, hi] = self.ok_range?;
        if self.dbm_as_bars && value < 0.0 {
            // A radio's strength in dBm, as the bars it shows: too few is a
            // finding; enough, read once, says nothing of a signal that
            // comes and goes.
            return (bars_of_dbm(value) < lo).then_some(true);
        }
        Some(!(lo..=hi).contains(&value))
    }
}

/// The bars a terminal's signal icon shows at `dbm`: above -80 four, above
/// -90 three, above -100 two, else one.
pub fn bars_of_dbm(dbm: f64) -> f64 {
    if dbm > -80.0 {
        4.0
    } else if dbm > -90.0 {
        3.0
    } else if dbm > -100.0 {
        2.0
    } else {
        1.0
    }
}

/// The entropy in bits of a yes/no answer that is yes with chance `p`.
pub fn binary_entropy_bits(p: f64) -> f64 {
    let h = |x: f64| if x > 0.0 { -x * x.log2() } else { 0.0 };
    h(p) + h(1.0 - p)
}

/// ISO 8583 field 39 dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Iso1987,
    Cup,
}

impl Dialect {
    pub fn parse(s: &str) -> Option<Dialect> {
        match s {
            "iso1987" => Some(Dialect::Iso1987),
            "cup" => Some(Dialect::Cup),
            _ => None,
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Dialect::Iso1987 => "iso1987",
            Dialect::Cup => "cup",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ResponseCodeDef {
    pub dialect: Dialect,
    pub code: String,
    pub approved: bool,
    pub meaning: Text,
    /// P(cause | this response), normalised.
    pub prior: CauseVec,
    pub cashier_say: Text,
    pub cashier_do: Text,
}

#[derive(Debug, Clone)]
pub struct MeaningDef {
    pub weight: f64,
    pub documented: bool,
    pub source: String,
    pub stage: Option<String>,
    pub text: Text,
    /// P(cause | this reading), normalised.
    pub prior: CauseVec,
}

#[derive(Debug, Clone)]
pub struct CodeDef {
    pub code: String,
    pub models: Vec<String>,
    pub meanings: Vec<MeaningDef>,
    /// The readings with their shares of the weight, as a diagnosis lists
    /// them ("终端已锁定（60%）；…", "terminal locked (60%); …"), written
    /// once here rather than for every event showing the code.
    pub readings: Text,
}

impl CodeDef {
    fn readings_of(meanings: &[MeaningDef]) -> Text {
        let total: f64 = meanings.iter().map(|m| m.weight).sum();
        let pct = |m: &MeaningDef| 100.0 * m.weight / total.max(1e-9);
        Text {
            zh: meanings
                .iter()
                .map(|m| format!("{}（{:.0}%）", m.text.zh, pct(m)))
                .collect::<Vec<_>>()
                .join("；"),
            en: meanings
                .iter()
                .map(|m| format!("{} ({:.0}%)", m.text.en, pct(m)))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

#[derive(Debug, Clone)]
pub struct VendorDef {
    pub vendor: String,
    pub name: Text,
    pub codes: Vec<CodeDef>,
}

/// Likelihood ratios of one signal, stage or log pattern.
#[derive(Debug, Clone)]
pub struct LrDef {
    pub id: String,
    pub text: Text,
    pub lr: CauseVec,
    pub lr_absent: CauseVec,
    /// `lr` and `lr_absent` as natural logs, clamped to [`LR_BOUNDS`]: what
    /// the engine adds up, computed once rather than per diagnosis.
    pub ln: CauseVec,
    pub ln_absent: CauseVec,
    /// The sentence for a signal looked for and not seen.
    pub text_absent: Option<Text>,
    /// Lowercased substrings, for log patterns.
    pub any: Vec<String>,
    /// Lowercased substrings that unmake a match of `any`.
    pub none: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CodePriorDef {
    pub code: String,
    pub text: Text,
    pub prior: CauseVec,
}

/// A card issuer known by its BINs.
#[derive(Debug, Clone)]
pub struct IssuerDef {
    /// A short lowercase slug (`ccb`, `icbc`).
    pub id: String,
    pub name: Text,
}

/// The validated, resolved knowledge base.
#[derive(Debug, Clone)]
pub struct Kb {
    /// Indexed by [`Cause::index`]; every cause is present.
    pub causes: Vec<CauseInfo>,
    pub checks: Vec<CheckDef>,
    pub response_codes: HashMap<(Dialect, String), ResponseCodeDef>,
    pub vendors: HashMap<String, VendorDef>,
    pub signals: HashMap<String, LrDef>,
    pub stages: HashMap<String, LrDef>,
    pub patterns: Vec<LrDef>,
    /// Every pattern's words in one automaton: a log line is read once, not
    /// once per word (hundreds of them).
    pattern_words: PatternWords,
    pub code_priors: HashMap<String, CodePriorDef>,
    /// Each code's preferred dialect (China UnionPay first), keyed by the
    /// canonical code: looked up on every transaction without allocating.
    preferred_rc: HashMap<String, ResponseCodeDef>,
    pub issuers: Vec<IssuerDef>,
    /// BIN (six digits, as a number) to its issuer in `issuers`.
    issuer_of_bin: HashMap<u32, u16>,
}

/// The words of the first [`PATTERNS_MAX`] log patterns, with the patterns
/// each word makes (`any`) or unmakes (`none`).
#[derive(Debug, Clone)]
struct PatternWords {
    finder: AhoCorasick,
    /// Per word: the patterns it is an `any` word of, as bits.
    makes: Vec<u64>,
    /// Per word: the patterns it is a `none` word of, as bits.
    unmakes: Vec<u64>,
}

impl PatternWords {
    fn of(patterns: &[LrDef]) -> PatternWords {
        let mut words: Vec<String> = Vec::new();
        let mut makes: Vec<u64> = Vec::new();
        let mut unmakes: Vec<u64> = Vec::new();
        for (i, p) in patterns.iter().take(PATTERNS_MAX).enumerate() {
            let any = p.any.iter().map(|w| (w, false));
            for (w, none) in any.chain(p.none.iter().map(|w| (w, true))) {
                // Matched against text whose underscores are spaces.
                let w = w.replace('_', " ");
                let at = match words.iter().position(|x| *x == w) {
                    Some(at) => at,
                    None => {
                        words.push(w);
                        makes.push(0);
                        unmakes.push(0);
                        words.len() - 1
                    }
                };
                let bits = if none { &mut unmakes } else { &mut makes };
                bits[at] |= 1 << i;
            }
        }
        let finder = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&words)
            .expect("log pattern words make an automaton");
        PatternWords {
            finder,
            makes,
            unmakes,
        }
    }

    /// A pattern matches when one of its `any` words occurs in the text and
    /// none of its `none` words does.
    fn hits(&self, lower: &str) -> u64 {
        let spaced;
        let lower = if lower.contains('_') {
            spaced = identifiers_spaced(lower);
            spaced.as_str()
        } else {
            lower
        };
        let (mut made, mut unmade) = (0u64, 0u64);
        for m in self.finder.find_overlapping_iter(lower) {
            made |= self.makes[m.pattern().as_usize()];
            unmade |= self.unmakes[m.pattern().as_usize()];
        }
        made & !unmade
    }
}

/// `lower` with the underscores of its identifiers as spaces: logs that name
/// events as identifiers (`msg=connect_fail`, `DB_WRITE`, `recv_timeout`)
/// say the words the patterns know. Not the contract's stage names
/// (`card_read: application crashed`): they say at which step, which the
/// error's stage says already, not what went wrong.
fn identifiers_spaced(lower: &str) -> String {
    const STEPS: [&str; 2] = ["card_read", "power_on"];
    let in_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(lower.len());
    let mut rest = lower;
    while let Some(at) = rest.find('_') {
        let start = rest[..at].trim_end_matches(in_word).len();
        let end = rest[at..]
            .find(|c: char| !in_word(c))
            .map_or(rest.len(), |i| at + i);
        let word = &rest[start..end];
        out.push_str(&rest[..start]);
        if STEPS.contains(&word) {
            out.push_str(word);
        } else {
            out.extend(word.chars().map(|c| if c == '_' { ' ' } else { c }));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// What a displayed code means on one terminal.
#[derive(Debug, Clone, Copy)]
pub struct CodeLookup<'a> {
    /// The vendor whose table answered (`generic` when falling back).
    pub vendor: &'a VendorDef,
    pub entry: &'a CodeDef,
    /// True when a model-level entry answered.
    pub model_specific: bool,
}

impl CodeLookup<'_> {
    /// The mixture of the readings' priors, weighted by their weights, with
    /// each reading's weight multiplied by `stage_boost` when its stage matches.
    pub fn prior(&self, stage: Option<&str>, stage_boost: f64) -> CauseVec {
        let mut out = [0.0; Cause::COUNT];
        let mut total = 0.0;
        for m in &self.entry.meanings {
            let w = if stage.is_some() && m.stage.as_deref() == stage {
                m.weight * stage_boost
            } else {
                m.weight
            };
            total += w;
            for (o, p) in out.iter_mut().zip(m.prior.iter()) {
                *o += w * p;
            }
        }
        if total > 0.0 {
            out.iter_mut().for_each(|o| *o /= total);
        }
        out
    }
}

/// Likelihood ratios are clamped to this range so that no single signal
/// is a verdict.
pub const LR_BOUNDS: (f64, f64) = (0.01, 200.0);

/// Natural logs of likelihood ratios, clamped to [`LR_BOUNDS`].
pub fn ln_clamped(lr: &CauseVec) -> CauseVec {
    let mut out = [0.0; Cause::COUNT];
    for (o, &x) in out.iter_mut().zip(lr.iter()) {
        *o = x.clamp(LR_BOUNDS.0, LR_BOUNDS.1).ln();
    }
    out
}

/// Log patterns the engine can remember per line (bits of a `u64`).
pub const PATTERNS_MAX: usize = 64;

/// Normalises a displayed code for lookup: `err-03 ` → `ERR03`.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        // Full-width forms (Ｅ１) as typed on Chinese keyboards.
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | ':'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// A file as the knowledge base's author wrote it.
fn read_toml(text: &str) -> Result<schema::File, String> {
    toml::from_str(text).map_err(|e| format!("invalid TOML: {e}"))
}

/// The built-in files, named with `prefix`: embedded as JSON, which
/// `build.rs` converted from the TOML under `kb/` (so a problem found in
/// one still names its TOML file).
fn builtin_files(prefix: &str) -> impl Iterator<Item = (String, Result<schema::File, String>)> {
    BUILTIN_FILES.iter().map(move |(name, json)| {
        let file = serde_json::from_str(json).map_err(|e| format!("invalid built-in file: {e}"));
        (format!("{prefix}{name}"), file)
    })
}

impl Kb {
    /// The built-in knowledge base.
    pub fn builtin() -> Result<Kb, KbErrors> {
        Kb::build(builtin_files(""))
    }

    /// The built-in knowledge base with `dir`'s `*.toml` files merged over it.
    pub fn load(dir: Option<&Path>) -> Result<Kb, KbErrors> {
        let mut files: Vec<(String, Result<schema::File, String>)> =
            builtin_files("builtin:").collect();
        if let Some(dir) = dir {
            let mut user = Vec::new();
            read_dir_toml(dir, &mut user).map_err(|e| {
                KbErrors(vec![KbError {
                    file: dir.display().to_string(),
                    message: e.to_string(),
                }])
            })?;
            if user.is_empty() {
                return Err(KbErrors(vec![KbError {
                    file: dir.display().to_string(),
                    message: "no *.toml files found".into(),
                }]));
            }
            files.extend(
                user.into_iter()
                    .map(|(name, text)| (name, read_toml(&text))),
            );
        }
        Kb::build(files)
    }

    /// Builds from (name, TOML text) pairs; later entries replace earlier ones with the same key.
    pub fn from_files(files: Vec<(String, String)>) -> Result<Kb, KbErrors> {
        Kb::build(
            files
                .into_iter()
                .map(|(name, text)| (name, read_toml(&text))),
        )
    }

    /// Builds from files read (or what was wrong with each).
    fn build(
        files: impl IntoIterator<Item = (String, Result<schema::File, String>)>,
    ) -> Result<Kb, KbErrors> {
        let mut b = Builder::default();
        for (name, file) in files {
            match file {
                Ok(file) => b.add(&name, file),
                Err(e) => b.err(&name, e),
            }
        }
        b.finish()
    }

    pub fn cause(&self, c: Cause) -> &CauseInfo {
        &self.causes[c.index()]
    }

    /// A check by id or alias.
    pub fn check(&self, name: &str) -> Option<&CheckDef> {
        self.checks.iter().find(|c| c.id == name).or_else(|| {
            self.checks
                .iter()
                .find(|c| c.aliases.iter().any(|a| a == name))
        })
    }

    /// A response code, China UnionPay meaning first (China is the first market).
    pub fn response_code(&self, code: &str) -> Option<&ResponseCodeDef> {
        let canonical =
            code.len() == code.trim().len() && !code.bytes().any(|b| b.is_ascii_lowercase());
        let owned;
        let code = if canonical {
            code
        } else {
            owned = code.trim().to_ascii_uppercase();
            owned.as_str()
        };
        self.preferred_rc.get(code)
    }

    /// Which log patterns a lowercased text matches, as a bit set over the
    /// first [`PATTERNS_MAX`] patterns (`kb check` holds the count to that).
    pub fn pattern_hits(&self, lower: &str) -> u64 {
        self.pattern_words.hits(lower)
    }

    /// A response code carried inside a code no table knows, as terminals
    /// show a refusal: `REFUSED 51`, `交易失败[55]`, `DECLINED-05`, `RC=A0`.
    /// Only when the words around it say it is a host's answer, so that a
    /// vendor's `ERR 99` is not read as response code 99.
    pub fn embedded_response_code(&self, code: &str) -> Option<(String, &ResponseCodeDef)> {
        const ANSWER_WORDS: [&str; 12] = [
            "refus", "declin", "reject", "rc", "resp", "host", "拒", "失败", "应答", "返回",
            "银行", "主机",
        ];
        let lower = code.to_lowercase();
        if !ANSWER_WORDS.iter().any(|w| lower.contains(w)) {
            return None;
        }
        code.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|tok| tok.len() == 2)
            .filter(|tok| tok.bytes().any(|b| b.is_ascii_digit()))
            .find_map(|tok| {
                let rc = tok.to_ascii_uppercase();
                self.response_code(&rc)
                    .filter(|d| !d.approved)
                    .map(|d| (rc.clone(), d))
            })
    }

    pub fn response_code_in(&self, dialect: Dialect, code: &str) -> Option<&ResponseCodeDef> {
        self.response_codes
            .get(&(dialect, code.trim().to_ascii_uppercase()))
    }

    /// What `code` means on `vendor`/`model`: the model's entry, else the
    /// vendor's, else the generic table's.
    pub fn lookup_code(
        &self,
        vendor: &str,
        model: Option<&str>,
        code: &str,
    ) -> Option<CodeLookup<'_>> {
        let norm = normalize_code(code);
        let find = |v: &str| -> Option<CodeLookup<'_>> {
            let table = self.vendors.get(v)?;
            let model_hit = model.and_then(|m| {
                table
                    .codes
                    .iter()
                    .find(|c| c.code == norm && c.models.iter().any(|x| x.eq_ignore_ascii_case(m)))
            });
            if let Some(entry) = model_hit {
                return Some(CodeLookup {
                    vendor: table,
                    entry,
                    model_specific: true,
                });
            }
            let entry = table
                .codes
                .iter()
                .find(|c| c.code == norm && c.models.is_empty())?;
            Some(CodeLookup {
                vendor: table,
                entry,
                model_specific: false,
            })
        };
        find(&vendor.to_ascii_lowercase()).or_else(|| find("generic"))
    }

    /// The issuer of cards with `bin` (the PAN's first six digits as a
    /// number), if the knowledge base lists it.
    pub fn issuer_of_bin(&self, bin: u32) -> Option<(u16, &IssuerDef)> {
        let &i = self.issuer_of_bin.get(&bin)?;
        Some((i, &self.issuers[i as usize]))
    }

    /// The base rate of each cause, normalised.
    pub fn base_prior(&self) -> CauseVec {
        let mut v = [0.0; Cause::COUNT];
        for c in &self.causes {
            v[c.cause.index()] = c.prior;
        }
        normalize(&mut v);
        v
    }
}

/// Scales to sum 1 (a zero vector becomes uniform).
pub fn normalize(v: &mut CauseVec) {
    let total: f64 = v.iter().sum();
    if total > 0.0 && total.is_finite() {
        v.iter_mut().for_each(|x| *x /= total);
    } else {
        v.iter_mut().for_each(|x| *x = 1.0 / Cause::COUNT as f64);
    }
}

/// The cause `v` weighs most and its weight (the last of equals).
pub fn top_cause(v: &CauseVec) -> (Cause, f64) {
    v.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or((Cause::ALL[0], 0.0), |(i, &w)| (Cause::ALL[i], w))
}

fn read_dir_toml(dir: &Path, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            read_dir_toml(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "toml") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path)?));
        }
    }
    Ok(())
}

/// Collects entries by key (later wins), then validates and resolves.
#[derive(Default)]
struct Builder {
    errors: Vec<KbError>,
    causes: Vec<(String, CauseEntry)>,
    checks: Vec<(String, CheckEntry)>,
    response_codes: Vec<(String, ResponseCodeEntry)>,
    vendor_names: Vec<(String, String, text::Text)>,
    codes: Vec<(String, String, CodeEntry)>,
    signals: Vec<(String, schema::SignalEntry)>,
    stages: Vec<(String, schema::StageEntry)>,
    patterns: Vec<(String, schema::PatternEntry)>,
    code_priors: Vec<(String, schema::CodePriorEntry)>,
    issuers: Vec<(String, schema::IssuerEntry)>,
}

fn upsert<T>(list: &mut Vec<(String, T)>, file: &str, item: T, same: impl Fn(&T) -> bool) {
    match list.iter_mut().find(|(_, x)| same(x)) {
        Some(slot) => *slot = (file.to_string(), item),
        None => list.push((file.to_string(), item)),
    }
}

impl Builder {
    fn err(&mut self, file: &str, message: String) {
        self.errors.push(KbError {
            file: file.to_string(),
            message,
        });
    }

    fn add(&mut self, file: &str, f: schema::File) {
        for x in f.issuer {
            let id = x.id.clone();
            upsert(&mut self.issuers, file, x, |y| y.id == id);
        }
        for c in f.cause {
            let id = c.id.clone();
            upsert(&mut self.causes, file, c, |x| x.id == id);
        }
        for c in f.check {
            let id = c.id.clone();
            upsert(&mut self.checks, file, c, |x| x.id == id);
        }
        for r in f.response_code {
            let key = (r.dialect.clone(), r.code.to_ascii_uppercase());
            upsert(&mut self.response_codes, file, r, |x| {
                (x.dialect.clone(), x.code.to_ascii_uppercase()) == key
            });
        }
        if !f.code.is_empty() || f.vendor.is_some() {
            let Some(vendor) = f.vendor.map(|v| v.to_ascii_lowercase()) else {
                self.err(
                    file,
                    "`code` entries need a top-level `vendor = \"...\"`".into(),
                );
                return;
            };
            if let Some(name) = f.name {
                match self.vendor_names.iter_mut().find(|(_, v, _)| *v == vendor) {
                    Some(slot) => *slot = (file.to_string(), vendor.clone(), name),
                    None => self
                        .vendor_names
                        .push((file.to_string(), vendor.clone(), name)),
                }
            }
            for c in f.code {
                let mut models: Vec<String> =
                    c.models.iter().map(|m| m.to_ascii_lowercase()).collect();
                models.sort();
                let norm = normalize_code(&c.code);
                let slot = self.codes.iter_mut().find(|(_, v, x)| {
                    let mut xm: Vec<String> =
                        x.models.iter().map(|m| m.to_ascii_lowercase()).collect();
                    xm.sort();
                    *v == vendor && normalize_code(&x.code) == norm && xm == models
                });
                match slot {
                    Some(slot) => *slot = (file.to_string(), vendor.clone(), c),
                    None => self.codes.push((file.to_string(), vendor.clone(), c)),
                }
            }
        }
        for s in f.signal {
            let id = s.id.clone();
            upsert(&mut self.signals, file, s, |x| x.id == id);
        }
        for s in f.stage {
            let id = s.stage.clone();
            upsert(&mut self.stages, file, s, |x| x.stage == id);
        }
        for p in f.pattern {
            let id = p.id.clone();
            upsert(&mut self.patterns, file, p, |x| x.id == id);
        }
        for p in f.code_prior {
            let id = p.code.clone();
            upsert(&mut self.code_priors, file, p, |x| x.code == id);
        }
    }

    fn text(&mut self, file: &str, what: &str, t: &Text) {
        if !t.is_complete() {
            self.err(file, format!("{what}: text needs both `zh` and `en`"));
        }
    }

    /// Resolves a cause-weight table; `default` fills causes not named.
    fn weights(
        &mut self,
        file: &str,
        what: &str,
        w: &schema::CauseWeights,
        default: f64,
        max: f64,
    ) -> CauseVec {
        let mut v = [default; Cause::COUNT];
        for (id, &p) in w {
            match Cause::parse(id) {
                None => self.err(file, format!("{what}: unknown cause `{id}`")),
                Some(_) if !(p.is_finite() && p >= 0.0 && p <= max) => self.err(
                    file,
                    format!("{what}: value {p} for `{id}` is outside 0..={max}"),
                ),
                Some(c) => v[c.index()] = p,
            }
        }
        v
    }

    fn prior(&mut self, file: &str, what: &str, w: &schema::CauseWeights) -> CauseVec {
        if w.is_empty() {
            self.err(file, format!("{what}: needs at least one cause"));
        }
        let mut v = self.weights(file, what, w, 0.0, 1000.0);
        normalize(&mut v);
        v
    }

    fn lr(&mut self, file: &str, what: &str, lr: &schema::CauseWeights, default: f64) -> CauseVec {
        if !(default.is_finite() && default > 0.0 && default <= 100.0) {
            self.err(
                file,
                format!("{what}: lr_default {default} must be in (0, 100]"),
            );
        }
        let v = self.weights(file, what, lr, default, 1000.0);
        if let Some((i, _)) = v.iter().enumerate().find(|(_, x)| **x <= 0.0) {
            self.err(
                file,
                format!(
                    "{what}: likelihood ratio for `{}` must be positive",
                    Cause::ALL[i]
                ),
            );
        }
        v
    }

    fn finish(mut self) -> Result<Kb, KbErrors> {
        let mut causes: Vec<Option<CauseInfo>> = vec![None; Cause::COUNT];
        for (file, c) in std::mem::take(&mut self.causes) {
            let what = format!("cause `{}`", c.id);
            let Some(cause) = Cause::parse(&c.id).filter(|k| k.id() == c.id) else {
                self.err(&file, format!("{what}: not a contract cause id"));
                continue;
            };
            if !(c.prior.is_finite() && c.prior > 0.0 && c.prior < 1.0) {
                self.err(
                    &file,
                    format!("{what}: prior {} must be in (0, 1)", c.prior),
                );
            }
            self.text(&file, &format!("{what} title"), &c.title);
            self.text(&file, &format!("{what} description"), &c.description);
            for (list, name) in [
                (&c.cashier_steps, "cashier_steps"),
                (&c.technician_steps, "technician_steps"),
                (&c.prevention, "prevention"),
            ] {
                if list.is_empty() {
                    self.err(&file, format!("{what}: `{name}` is empty"));
                }
                for (i, t) in list.iter().enumerate() {
                    self.text(&file, &format!("{what} {name}[{i}]"), t);
                }
            }
            causes[cause.index()] = Some(CauseInfo {
                cause,
                prior: c.prior,
                title: c.title,
                description: c.description,
                cashier_steps: c.cashier_steps,
                technician_steps: c.technician_steps,
                prevention: c.prevention,
            });
        }
        for (i, c) in causes.iter().enumerate() {
            if c.is_none() {
                self.err(
                    "kb/causes",
                    format!("cause `{}` has no entry", Cause::ALL[i]),
                );
            }
        }

        let mut checks = Vec::new();
        for (file, c) in std::mem::take(&mut self.checks) {
            let what = format!("check `{}`", c.id);
            let who = match c.who.as_str() {
                "cashier" => Who::Cashier,
                "technician" => Who::Technician,
                "support" => Who::Support,
                other => {
                    self.err(
                        &file,
                        format!("{what}: who `{other}` is not cashier|technician|support"),
                    );
                    Who::Support
                }
            };
            if !(c.cost_min.is_finite() && c.cost_min > 0.0 && c.cost_min <= 24.0 * 60.0) {
                self.err(
                    &file,
                    format!("{what}: cost_min {} must be in (0, 1440]", c.cost_min),
                );
            }
            self.text(&file, &format!("{what} question"), &c.question);
            let mut p_fail = self.weights(&file, &what, &c.p_fail, c.p_fail_default, 1.0);
            for (i, p) in p_fail.iter_mut().enumerate() {
                if *p <= 0.0 || *p >= 1.0 {
                    self.err(
                        &file,
                        format!(
                            "{what}: P(fail | {}) = {p} must be strictly between 0 and 1",
                            Cause::ALL[i]
                        ),
                    );
                    *p = p.clamp(0.01, 0.99);
                }
            }
            for (field, range) in [
                ("ok_range", c.ok_range),
                ("ok_share_of_rating", c.ok_share_of_rating),
            ] {
                if let Some([lo, hi]) =
                    range.filter(|[lo, hi]| lo.partial_cmp(hi) != Some(std::cmp::Ordering::Less))
                {
                    self.err(&file, format!("{what}: {field} [{lo}, {hi}] is empty"));
                }
            }
            if c.ok_range.is_some() && c.ok_share_of_rating.is_some() {
                self.err(
                    &file,
                    format!("{what}: ok_range and ok_share_of_rating both given; one only"),
                );
            }
            if !c
                .p_fail
                .values()
                .any(|p| (p - c.p_fail_default).abs() >= 0.2)
            {
                self.err(&file, format!("{what}: tells no cause apart (no p_fail differs from p_fail_default by 0.2 or more)"));
            }
            checks.push(CheckDef {
                id: c.id,
                aliases: c.aliases,
                who,
                cost_min: c.cost_min,
                question: c.question,
                ok_range: c.ok_range,
                ok_share_of_rating: c.ok_share_of_rating,
                dbm_as_bars: c.dbm_as_bars,
                answer_entropy: p_fail.map(binary_entropy_bits),
                p_fail,
            });
        }

        let mut response_codes = HashMap::default();
        for (file, r) in std::mem::take(&mut self.response_codes) {
            let what = format!("response code {} `{}`", r.dialect, r.code);
            let Some(dialect) = Dialect::parse(&r.dialect) else {
                self.err(&file, format!("{what}: dialect must be iso1987 or cup"));
                continue;
            };
            self.text(&file, &format!("{what} meaning"), &r.meaning);
            self.text(&file, &format!("{what} cashier_say"), &r.cashier_say);
            self.text(&file, &format!("{what} cashier_do"), &r.cashier_do);
            let prior = if r.approved && r.causes.is_empty() {
                [0.0; Cause::COUNT]
            } else {
                self.prior(&file, &what, &r.causes)
            };
            let code = r.code.to_ascii_uppercase();
            // The engine takes a payment for approved by the record crate's
            // list, not by this table: the two must say the same.
            let approves = posdoc_record::is_approval_code(&code);
            if r.approved != approves {
                self.err(
                    &file,
                    format!(
                        "{what}: `approved = {}`, but posdoc_record::APPROVAL_CODES {} it",
                        r.approved,
                        if approves { "lists" } else { "does not list" }
                    ),
                );
            }
            response_codes.insert(
                (dialect, code.clone()),
                ResponseCodeDef {
                    dialect,
                    code,
                    approved: r.approved,
                    meaning: r.meaning,
                    prior,
                    cashier_say: r.cashier_say,
                    cashier_do: r.cashier_do,
                },
            );
        }

        let mut vendors: HashMap<String, VendorDef> = HashMap::default();
        for (file, vendor, name) in std::mem::take(&mut self.vendor_names) {
            self.text(&file, &format!("vendor `{vendor}` name"), &name);
            vendors.insert(
                vendor.clone(),
                VendorDef {
                    vendor,
                    name,
                    codes: Vec::new(),
                },
            );
        }
        for (file, vendor, c) in std::mem::take(&mut self.codes) {
            let what = format!("vendor `{vendor}` code `{}`", c.code);
            if c.meaning.is_empty() {
                self.err(
                    &file,
                    format!("{what}: needs at least one `[[code.meaning]]`"),
                );
            }
            let mut meanings = Vec::new();
            for (i, m) in c.meaning.iter().enumerate() {
                let mw = format!("{what} meaning[{i}]");
                if !(m.weight.is_finite() && m.weight > 0.0) {
                    self.err(&file, format!("{mw}: weight {} must be positive", m.weight));
                }
                self.text(&file, &mw, &m.text);
                if !m.documented && m.source.trim().is_empty() {
                    self.err(
                        &file,
                        format!(
                            "{mw}: an undocumented reading must say in `source` why it is assumed"
                        ),
                    );
                }
                let prior = self.prior(&file, &mw, &m.causes);
                meanings.push(MeaningDef {
                    weight: m.weight,
                    documented: m.documented,
                    source: m.source.clone(),
                    stage: m.stage.clone(),
                    text: m.text.clone(),
                    prior,
                });
            }
            let entry = CodeDef {
                code: normalize_code(&c.code),
                models: c.models.clone(),
                readings: CodeDef::readings_of(&meanings),
                meanings,
            };
            match vendors.get_mut(&vendor) {
                Some(v) => v.codes.push(entry),
                None => self.err(&file, format!("vendor `{vendor}` has no `name`")),
            }
        }
        if !vendors.contains_key("generic") {
            self.err(
                "kb/vendors",
                "the `generic` fallback table is missing".into(),
            );
        }

        let mut signals = HashMap::default();
        for (file, s) in std::mem::take(&mut self.signals) {
            let what = format!("signal `{}`", s.id);
            self.text(&file, &what, &s.text);
            let lr = self.lr(&file, &what, &s.lr, s.lr_default);
            let lr_absent = self.lr(&file, &format!("{what} lr_absent"), &s.lr_absent, 1.0);
            match &s.text_absent {
                Some(t) => self.text(&file, &format!("{what} text_absent"), t),
                None if !s.lr_absent.is_empty() => self.err(
                    &file,
                    format!("{what}: `lr_absent` needs a `text_absent` to tell the reader"),
                ),
                None => {}
            }
            signals.insert(
                s.id.clone(),
                LrDef {
                    id: s.id,
                    text: s.text,
                    ln: ln_clamped(&lr),
                    ln_absent: ln_clamped(&lr_absent),
                    lr,
                    lr_absent,
                    text_absent: s.text_absent,
                    any: Vec::new(),
                    none: Vec::new(),
                },
            );
        }
        let mut stages = HashMap::default();
        for (file, s) in std::mem::take(&mut self.stages) {
            let what = format!("stage `{}`", s.stage);
            self.text(&file, &what, &s.text);
            let lr = self.lr(&file, &what, &s.lr, s.lr_default);
            stages.insert(
                s.stage.clone(),
                LrDef {
                    id: s.stage,
                    text: s.text,
                    ln: ln_clamped(&lr),
                    ln_absent: [0.0; Cause::COUNT],
                    lr,
                    lr_absent: [1.0; Cause::COUNT],
                    text_absent: None,
                    any: Vec::new(),
                    none: Vec::new(),
                },
            );
        }
        let mut patterns = Vec::new();
        for (file, p) in std::mem::take(&mut self.patterns) {
            let what = format!("pattern `{}`", p.id);
            self.text(&file, &what, &p.text);
            if p.any.iter().all(|s| s.trim().is_empty()) {
                self.err(
                    &file,
                    format!("{what}: `any` needs at least one non-empty string"),
                );
            }
            let lr = self.lr(&file, &what, &p.lr, p.lr_default);
            let any = p
                .any
                .iter()
                .map(|s| s.to_lowercase())
                .filter(|s| !s.is_empty())
                .collect();
            let none = p
                .none
                .iter()
                .map(|s| s.to_lowercase())
                .filter(|s| !s.is_empty())
                .collect();
            patterns.push(LrDef {
                id: p.id,
                text: p.text,
                ln: ln_clamped(&lr),
                ln_absent: [0.0; Cause::COUNT],
                lr,
                lr_absent: [1.0; Cause::COUNT],
                text_absent: None,
                any,
                none,
            });
        }
        let mut code_priors = HashMap::default();
        for (file, p) in std::mem::take(&mut self.code_priors) {
            let what = format!("code_prior `{}`", p.code);
            self.text(&file, &what, &p.text);
            let prior = self.prior(&file, &what, &p.causes);
            code_priors.insert(
                p.code.clone(),
                CodePriorDef {
                    code: p.code,
                    text: p.text,
                    prior,
                },
            );
        }

        // Every stage a vendor reading names must be one the contract knows.
        for v in vendors.values() {
            for c in &v.codes {
                for m in &c.meanings {
                    if let Some(st) = &m.stage
                        && !CONTRACT_STAGES.contains(&st.as_str())
                    {
                        self.errors.push(KbError {
                            file: format!("vendors/{}.toml", v.vendor),
                            message: format!("code `{}`: unknown stage `{st}`", c.code),
                        });
                    }
                }
            }
        }

        let mut issuers = Vec::new();
        let mut issuer_of_bin = HashMap::default();
        for (file, x) in std::mem::take(&mut self.issuers) {
            let what = format!("issuer `{}`", x.id);
            self.text(&file, &format!("{what} name"), &x.name);
            let n = issuers.len() as u16;
            for b in &x.bins {
                match b.parse::<u32>() {
                    Ok(v) if b.len() == 6 && b.bytes().all(|c| c.is_ascii_digit()) => {
                        if let Some(old) = issuer_of_bin.insert(v, n) {
                            let other: &IssuerDef = &issuers[old as usize];
                            self.err(
                                &file,
                                format!("{what}: BIN {b} is issuer `{}`'s too", other.id),
                            );
                        }
                    }
                    _ => self.err(&file, format!("{what}: BIN `{b}` is not six digits")),
                }
            }
            issuers.push(IssuerDef {
                id: x.id,
                name: x.name,
            });
        }

        if !self.errors.is_empty() {
            return Err(KbErrors(self.errors));
        }
        let mut preferred_rc: HashMap<String, ResponseCodeDef> = HashMap::default();
        for ((d, code), def) in &response_codes {
            if *d == Dialect::Cup || !preferred_rc.contains_key(code) {
                preferred_rc.insert(code.clone(), def.clone());
            }
        }
        Ok(Kb {
            causes: causes.into_iter().flatten().collect(),
            checks,
            preferred_rc,
            response_codes,
            vendors,
            signals,
            stages,
            pattern_words: PatternWords::of(&patterns),
            patterns,
            code_priors,
            issuers,
            issuer_of_bin,
        })
    }
}

/// The `stage` values of the contract's `error` record.
pub const CONTRACT_STAGES: &[&str] = &[
    "power_on",
    "connect",
    "tls",
    "send",
    "receive",
    "mac",
    "card_read",
    "pin",
    "print",
    "app",
];

#[cfg(test)]
mod tests;
