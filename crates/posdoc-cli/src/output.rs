//! How diagnoses are written: the contract's `diagnosis` JSON line.

use posdoc_engine::{Diagnosis, IncidentReport};
use posdoc_kb::{Kb, Lang};
use serde::Serialize;

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
struct DiagnosisOut<'a> {
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
pub(crate) fn write_incident(
    w: &mut dyn std::io::Write,
    r: &IncidentReport,
    kb: &Kb,
    lang: Lang,
) -> std::io::Result<()> {
    let scope: serde_json::Map<String, serde_json::Value> = r
        .scope
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::String(v.clone())))
        .collect();
    let mut v = serde_json::json!({
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
    serde_json::to_writer(&mut *w, &v)?;
    w.write_all(b"\n")
}

/// Writes one `diagnosis` record as a JSON line.
pub(crate) fn write_jsonl(
    w: &mut dyn std::io::Write,
    d: &Diagnosis,
    kb: &Kb,
    lang: Lang,
) -> std::io::Result<()> {
    let out = DiagnosisOut {
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
    };
    serde_json::to_writer(&mut *w, &out)?;
    w.write_all(b"\n")
}

/// Picks the language's text.
pub(crate) fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}
