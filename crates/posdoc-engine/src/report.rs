//! What a person or a program reads: the contract's `diagnosis` and
//! `incident` records as JSON, and what a code can mean (`explain`), shared
//! by the command line and the service so both say the same thing.

use posdoc_kb::{CauseVec, Dialect, Kb, Lang, normalize};
use posdoc_record::Cause;
use serde::Serialize;
use serde_json::json;

use crate::{Diagnosis, IncidentReport};

#[derive(Serialize)]
struct CauseOut<'a> {
    cause: &'static str,
    p: f64,
    title: &'a str,
}

#[derive(Serialize)]
struct EvidenceOut<'a> {
    signal: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    text: &'a str,
}

#[derive(Serialize)]
struct CheckOut<'a> {
    check: &'a str,
    who: &'static str,
    cost_min: f64,
    question: &'a str,
}

#[derive(Serialize)]
pub(crate) struct DiagnosisOut<'a> {
    kind: &'static str,
    ts: &'a str,
    terminal_id: &'a str,
    code: &'a str,
    causes: Vec<CauseOut<'a>>,
    evidence: Vec<EvidenceOut<'a>>,
    incident_id: Option<&'a str>,
    next_checks: Vec<CheckOut<'a>>,
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stan: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    site_id: Option<&'a str>,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Writes one `incident` record as a JSON line. An incident is written when
/// it opens, when terminals join it, when it closes, and (if still open)
/// when the records end; the last line of an `incident_id` is its final
/// state.
///
/// The bytes are serde's for [`incident_json`]'s value (its keys in order,
/// as its map keeps them), written by hand: an outage's incident is written
/// again at each terminal that joins it, a thousand terminals long, and
/// building a JSON value of it each time was a twentieth of `diagnose`'s
/// time (`incident_writes_what_serde_writes` holds the two equal).
pub fn write_incident(
    w: &mut dyn std::io::Write,
    r: &IncidentReport,
    kb: &Kb,
    lang: Lang,
) -> std::io::Result<()> {
    let mut o = Vec::with_capacity(256 + 11 * r.terminals.len());
    o.extend_from_slice(b"{\"cause\":");
    json_str(&mut o, r.cause.id());
    if let Some(c) = r.closed_at {
        o.extend_from_slice(b",\"closed_at\":");
        json_str(&mut o, &c.to_string());
    }
    o.extend_from_slice(b",\"incident_id\":");
    json_str(&mut o, &r.incident_id);
    o.extend_from_slice(b",\"kind\":\"incident\"");
    if let Some(m) = &r.merged_into {
        o.extend_from_slice(b",\"merged_into\":");
        json_str(&mut o, m);
    }
    o.extend_from_slice(b",\"opened_at\":");
    json_str(&mut o, &r.opened_at.to_string());
    o.extend_from_slice(b",\"p\":");
    json_f64(&mut o, round3(r.p));
    o.extend_from_slice(b",\"scope\":{");
    // A map keeps its keys sorted, and the last of a repeated one: a stable
    // sort, then each key's last entry.
    let mut scope: Vec<&(&str, String)> = r.scope.iter().collect();
    scope.sort_by_key(|(k, _)| *k);
    let last_of_each = scope
        .iter()
        .enumerate()
        .filter(|&(i, (k, _))| scope.get(i + 1).is_none_or(|(next, _)| next != k));
    for (n, (_, (k, v))) in last_of_each.enumerate() {
        if n > 0 {
            o.push(b',');
        }
        json_str(&mut o, k);
        o.push(b':');
        json_str(&mut o, v);
    }
    o.extend_from_slice(b"},\"terminals\":[");
    for (i, t) in r.terminals.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        json_str(&mut o, t);
    }
    o.extend_from_slice(b"],\"title\":");
    json_str(&mut o, kb.cause(r.cause).title.get(lang));
    o.extend_from_slice(b"}\n");
    w.write_all(&o)
}

/// One `incident` record as a JSON value.
pub fn incident_json(r: &IncidentReport, kb: &Kb, lang: Lang) -> serde_json::Value {
    let scope: serde_json::Map<String, serde_json::Value> = r
        .scope
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::String(v.clone())))
        .collect();
    let mut v = json!({
        "kind": "incident",
        "incident_id": r.incident_id,
        "opened_at": r.opened_at.to_string(),
        "scope": scope,
        "cause": r.cause.id(),
        "p": round3(r.p),
        "title": kb.cause(r.cause).title.get(lang),
        "terminals": r.terminals,
    });
    if let Some(c) = r.closed_at {
        v["closed_at"] = c.to_string().into();
    }
    if let Some(m) = &r.merged_into {
        v["merged_into"] = m.clone().into();
    }
    v
}

/// Writes one `diagnosis` record as a JSON line: the bytes serde would
/// write for [`diagnosis_json`]'s value, field for field, without serde's
/// token-by-token writing and byte-by-byte escaping of long texts
/// (`writes_what_serde_writes` holds the two equal).
pub fn write_jsonl(
    w: &mut dyn std::io::Write,
    d: &Diagnosis,
    kb: &Kb,
    lang: Lang,
) -> std::io::Result<()> {
    let mut o = Vec::with_capacity(2048);
    o.extend_from_slice(b"{\"kind\":\"diagnosis\",\"ts\":");
    json_str(&mut o, &d.ts_raw);
    o.extend_from_slice(b",\"terminal_id\":");
    json_str(&mut o, &d.terminal_id);
    o.extend_from_slice(b",\"code\":");
    json_str(&mut o, &d.code);
    o.extend_from_slice(b",\"causes\":");
    json_list(&mut o, &d.causes, |o, c| {
        o.extend_from_slice(b"{\"cause\":");
        json_str(o, c.cause.id());
        o.extend_from_slice(b",\"p\":");
        json_f64(o, round3(c.p));
        o.extend_from_slice(b",\"title\":");
        json_str(o, kb.cause(c.cause).title.get(lang));
    });
    o.extend_from_slice(b",\"evidence\":");
    json_list(&mut o, &d.evidence, |o, e| {
        o.extend_from_slice(b"{\"signal\":");
        json_str(o, &e.signal);
        if let Some(v) = &e.value {
            o.extend_from_slice(b",\"value\":");
            json_str(o, v);
        }
        o.extend_from_slice(b",\"text\":");
        json_str(o, e.text.get(lang));
    });
    o.extend_from_slice(b",\"incident_id\":");
    match &d.incident_id {
        Some(id) => json_str(&mut o, id),
        None => o.extend_from_slice(b"null"),
    }
    o.extend_from_slice(b",\"next_checks\":");
    json_list(&mut o, &d.next_checks, |o, c| {
        o.extend_from_slice(b"{\"check\":");
        json_str(o, &c.check);
        o.extend_from_slice(b",\"who\":");
        json_str(o, c.who.id());
        o.extend_from_slice(b",\"cost_min\":");
        json_f64(o, c.cost_min);
        o.extend_from_slice(b",\"question\":");
        json_str(o, c.question.get(lang));
    });
    o.extend_from_slice(b",\"source\":");
    json_str(&mut o, d.source);
    if let Some(stan) = &d.stan {
        o.extend_from_slice(b",\"stan\":");
        json_str(&mut o, stan);
    }
    if let Some(site) = &d.site_id {
        o.extend_from_slice(b",\"site_id\":");
        json_str(&mut o, site);
    }
    o.extend_from_slice(b"}\n");
    w.write_all(&o)
}

/// A JSON array of objects: `open_object` writes each one's `{` and fields;
/// the closing brace and the commas are written here.
fn json_list<T>(o: &mut Vec<u8>, items: &[T], mut open_object: impl FnMut(&mut Vec<u8>, &T)) {
    o.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        open_object(o, item);
        o.push(b'}');
    }
    o.push(b']');
}

/// A JSON string as serde writes it. Most texts need no escape: they are
/// copied whole; the rest go through serde. (Writing to a `Vec` cannot fail.)
fn json_str(o: &mut Vec<u8>, s: &str) {
    if posdoc_record::json_special_at(s.as_bytes()).is_some() {
        let _ = serde_json::to_writer(&mut *o, s);
    } else {
        o.reserve(s.len() + 2);
        o.push(b'"');
        o.extend_from_slice(s.as_bytes());
        o.push(b'"');
    }
}

/// A number as serde writes it: the shortest form that reads back the same,
/// `null` if not finite.
fn json_f64(o: &mut Vec<u8>, x: f64) {
    let _ = serde_json::to_writer(&mut *o, &x);
}

/// One `diagnosis` record as a JSON value.
pub fn diagnosis_json(d: &Diagnosis, kb: &Kb, lang: Lang) -> serde_json::Value {
    serde_json::to_value(diagnosis_out(d, kb, lang)).unwrap_or_default()
}

pub(crate) fn diagnosis_out<'a>(d: &'a Diagnosis, kb: &'a Kb, lang: Lang) -> DiagnosisOut<'a> {
    DiagnosisOut {
        kind: "diagnosis",
        ts: &d.ts_raw,
        terminal_id: &d.terminal_id,
        code: &d.code,
        causes: d
            .causes
            .iter()
            .map(|c| CauseOut {
                cause: c.cause.id(),
                p: round3(c.p),
                title: kb.cause(c.cause).title.get(lang),
            })
            .collect(),
        evidence: d
            .evidence
            .iter()
            .map(|e| EvidenceOut {
                signal: &e.signal,
                value: e.value.as_deref(),
                text: e.text.get(lang),
            })
            .collect(),
        incident_id: d.incident_id.as_deref(),
        next_checks: d
            .next_checks
            .iter()
            .map(|c| CheckOut {
                check: &c.check,
                who: c.who.id(),
                cost_min: c.cost_min,
                question: c.question.get(lang),
            })
            .collect(),
        source: d.source,
        stan: d.stan.as_deref(),
        site_id: d.site_id.as_deref(),
    }
}

/// Picks the language's text.
fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// What `explain` found, shared by the text and JSON renderings.
#[derive(Debug)]
pub struct Explanation<'a> {
    pub prior: CauseVec,
    pub lookup: Option<posdoc_kb::CodeLookup<'a>>,
    pub response: Vec<&'a posdoc_kb::ResponseCodeDef>,
    /// For a code no table knows: the log patterns its own words match.
    pub words: Vec<&'a posdoc_kb::LrDef>,
}

pub fn explain<'a>(
    kb: &'a Kb,
    code: &str,
    vendor: Option<&str>,
    model: Option<&str>,
) -> Explanation<'a> {
    let lookup = kb.lookup_code(vendor.unwrap_or("generic"), model, code);
    let mut response: Vec<_> = [Dialect::Cup, Dialect::Iso1987]
        .iter()
        .filter_map(|&d| kb.response_code_in(d, code))
        .collect();
    if lookup.is_none()
        && response.is_empty()
        && let Some((_, d)) = kb.embedded_response_code(code)
    {
        response.push(d);
    }
    let mut words = Vec::new();
    let prior = match (&lookup, response.first()) {
        (Some(l), _) => l.prior(None, 1.0),
        (None, Some(r)) if !r.approved => r.prior,
        _ => {
            let mut p = kb
                .code_priors
                .get("unknown")
                .map(|u| u.prior)
                .unwrap_or_else(|| kb.base_prior());
            // The code's own words, as the engine reads them.
            let hits = kb.pattern_hits(&code.to_lowercase());
            for (i, pat) in kb.patterns.iter().enumerate() {
                if i < posdoc_kb::PATTERNS_MAX && hits & (1 << i) != 0 {
                    for (x, lr) in p.iter_mut().zip(pat.lr.iter()) {
                        *x *= lr;
                    }
                    words.push(pat);
                }
            }
            normalize(&mut p);
            p
        }
    };
    Explanation {
        prior,
        lookup,
        response,
        words,
    }
}

impl Explanation<'_> {
    /// The causes worth naming: at most six, none under 2 %.
    pub fn leading_causes(&self) -> Vec<(Cause, f64)> {
        ranked(&self.prior)
            .into_iter()
            .filter(|(_, p)| *p >= 0.02)
            .take(6)
            .collect()
    }
}

pub fn ranked(prior: &CauseVec) -> Vec<(Cause, f64)> {
    let mut v: Vec<(Cause, f64)> = Cause::ALL.iter().map(|&c| (c, prior[c.index()])).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

/// The seed's first response (stop, restart, read the logs), then the
/// leading causes' own first steps, without repeats.
pub fn first_response(kb: &Kb, causes: &[(Cause, f64)], lang: Lang) -> Vec<String> {
    let mut steps = vec![pick(
        lang,
        "暂停用这台终端收款，请顾客改用其他终端或扫码支付；重启终端，若错误仍在，记下错误代码与时间并查看交易记录/日志。",
        "Stop taking payments on this terminal (use another terminal or a QR payment); restart it; if the error stays, note the code and time and look at the transaction records and log.",
    )];
    for (c, _) in causes.iter().take(2) {
        for s in kb.cause(*c).cashier_steps.iter().take(2) {
            let s = s.get(lang).to_string();
            if !steps.contains(&s) {
                steps.push(s);
            }
        }
    }
    steps
}

/// `explain` as JSON: the code's meanings on that vendor's terminals, the
/// response codes it may be, the causes ranked, what to do first, and the
/// checks worth the time.
pub fn explain_json(
    kb: &Kb,
    code: &str,
    vendor: Option<&str>,
    model: Option<&str>,
    lang: Lang,
) -> serde_json::Value {
    let ex = explain(kb, code, vendor, model);
    let causes = ex.leading_causes();
    let checks = crate::rank_checks(kb, &ex.prior, &|_| false);
    json!({
        "code": code,
        "vendor": ex.lookup.map(|l| l.vendor.vendor.clone()),
        "model_specific": ex.lookup.map(|l| l.model_specific),
        "meanings": ex.lookup.map(|l| l.entry.meanings.iter().map(|m| json!({
            "weight": m.weight, "documented": m.documented, "source": m.source, "stage": m.stage, "text": m.text.get(lang),
        })).collect::<Vec<_>>()),
        "response_codes": ex.response.iter().map(|r| json!({
            "dialect": r.dialect.id(), "approved": r.approved, "meaning": r.meaning.get(lang),
            "cashier_say": r.cashier_say.get(lang), "cashier_do": r.cashier_do.get(lang),
        })).collect::<Vec<_>>(),
        "causes": causes.iter().map(|(c, p)| json!({"cause": c.id(), "p": (p * 1000.0).round() / 1000.0, "title": kb.cause(*c).title.get(lang)})).collect::<Vec<_>>(),
        "first_response": first_response(kb, &causes, lang),
        "checks": checks.iter().take(5).map(|(i, g)| { let c = &kb.checks[*i]; json!({"check": c.id, "who": c.who.id(), "cost_min": c.cost_min, "question": c.question.get(lang), "gain_per_min": g}) }).collect::<Vec<_>>(),
    })
}
