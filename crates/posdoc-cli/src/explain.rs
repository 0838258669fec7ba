//! `posdoc explain`: what a code can mean on that terminal.

use std::io::Write;
use std::process::ExitCode;

use posdoc_kb::{CauseVec, Dialect, Kb, Lang, normalize};
use posdoc_record::Cause;
use serde_json::json;

use crate::output::pick;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The code as the terminal shows it (E1, ERR-24, 通讯失败, A0, 51, ...).
    code: String,
    /// Terminal vendor (pax, newland, landi, verifone, ingenico, sunmi, centerm, ...).
    #[arg(long)]
    vendor: Option<String>,
    /// Terminal model, for model-level meanings (S90, N910, ...).
    #[arg(long)]
    model: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// What `explain` found, shared by the text and JSON renderings.
pub(crate) struct Explanation<'a> {
    pub prior: CauseVec,
    pub lookup: Option<posdoc_kb::CodeLookup<'a>>,
    pub response: Vec<&'a posdoc_kb::ResponseCodeDef>,
    /// For a code no table knows: the log patterns its own words match.
    pub words: Vec<&'a posdoc_kb::LrDef>,
}

pub(crate) fn explain<'a>(
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

pub(crate) fn ranked(prior: &CauseVec) -> Vec<(Cause, f64)> {
    let mut v: Vec<(Cause, f64)> = Cause::ALL.iter().map(|&c| (c, prior[c.index()])).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

pub(crate) fn run(kb: &Kb, a: &Args, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let ex = explain(kb, &a.code, a.vendor.as_deref(), a.model.as_deref());
    let causes: Vec<(Cause, f64)> = ranked(&ex.prior)
        .into_iter()
        .filter(|(_, p)| *p >= 0.02)
        .take(6)
        .collect();
    let checks = posdoc_engine::rank_checks(kb, &ex.prior, &|_| false);
    if a.json {
        let v = json!({
            "code": a.code,
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
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }

    let vendor_name = ex.lookup.map(|l| l.vendor.name.get(lang).to_string());
    match (&ex.lookup, a.vendor.as_deref()) {
        (Some(l), Some(v)) if l.vendor.vendor != v.to_ascii_lowercase() => writeln!(
            out,
            "{}",
            pick(
                lang,
                &format!("{v} 的代码表里没有 {}，以下按通用含义解释。", a.code),
                &format!(
                    "{v}'s table has no {}; falling back to the generic meaning.",
                    a.code
                )
            )
        )?,
        _ => {}
    }
    if let Some(l) = &ex.lookup {
        let model = if l.model_specific {
            format!(" {}", a.model.as_deref().unwrap_or(""))
        } else {
            String::new()
        };
        writeln!(
            out,
            "{}",
            pick(
                lang,
                &format!(
                    "【{}】在 {}{model} 终端上可能的含义：",
                    a.code,
                    vendor_name.clone().unwrap_or_default()
                ),
                &format!(
                    "What {} can mean on {}{model} terminals:",
                    a.code,
                    vendor_name.clone().unwrap_or_default()
                )
            )
        )?;
        let total: f64 = l.entry.meanings.iter().map(|m| m.weight).sum();
        for (i, m) in l.entry.meanings.iter().enumerate() {
            // The provenance notes in the vendor tables are written in
            // English; a Chinese reader gets the verdict, not the note.
            let basis = match (m.documented, lang) {
                (true, Lang::Zh) => format!("厂商文档：{}", m.source),
                (false, Lang::Zh) => "推断，尚无厂商文档证实".to_string(),
                (true, Lang::En) => format!("vendor documentation: {}", m.source),
                (false, Lang::En) => m.source.clone(),
            };
            writeln!(
                out,
                "  {}. {} — {:.0}%  [{basis}]",
                i + 1,
                m.text.get(lang),
                100.0 * m.weight / total,
            )?;
        }
    }
    for r in &ex.response {
        let dialect = match r.dialect {
            Dialect::Cup => pick(lang, "银联应答码", "China UnionPay response code"),
            Dialect::Iso1987 => pick(lang, "ISO 8583:1987 应答码", "ISO 8583:1987 response code"),
        };
        writeln!(out, "{dialect} {}: {}", r.code, r.meaning.get(lang))?;
        writeln!(
            out,
            "  {} {}",
            pick(lang, "对顾客说：", "Tell the customer:"),
            r.cashier_say.get(lang)
        )?;
        writeln!(
            out,
            "  {} {}",
            pick(lang, "收银员应：", "At the counter:"),
            r.cashier_do.get(lang)
        )?;
    }
    if ex.lookup.is_none() && ex.response.is_empty() && !ex.words.is_empty() {
        let said: Vec<&str> = ex
            .words
            .iter()
            .map(|w| {
                let t = w.text.get(lang);
                t.trim_start_matches("日志：").trim_start_matches("log: ")
            })
            .collect();
        writeln!(
            out,
            "{}",
            pick(
                lang,
                &format!(
                    "代码表里没有 {}；按它字面的意思理解（{}）。可用 --kb 补充厂商代码表。",
                    a.code,
                    said.join("；")
                ),
                &format!(
                    "No table has {}; reading its own words ({}). Add it to a vendor table with --kb.",
                    a.code,
                    said.join("; ")
                )
            )
        )?;
    } else if ex.lookup.is_none() && ex.response.is_empty() {
        writeln!(
            out,
            "{}",
            pick(
                lang,
                &format!(
                    "知识库中没有 {} 的含义；以下按各原因的基础概率给出。可用 --kb 补充厂商代码表。",
                    a.code
                ),
                &format!(
                    "The knowledge base has no meaning for {}; below are base rates. Add it to a vendor table with --kb.",
                    a.code
                )
            )
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", pick(lang, "可能的原因：", "Likely causes:"))?;
    for (c, p) in &causes {
        writeln!(
            out,
            "  {:>4.0}%  {} ({})",
            p * 100.0,
            kb.cause(*c).title.get(lang),
            c.id()
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        pick(lang, "收银员先这样做：", "First response at the counter:")
    )?;
    for (i, s) in first_response(kb, &causes, lang).iter().enumerate() {
        writeln!(out, "  {}. {s}", i + 1)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        pick(
            lang,
            "建议的检查（按每分钟信息量排序）：",
            "Checks to make (most informative per minute first):"
        )
    )?;
    for (i, _) in checks.iter().take(5) {
        let c = &kb.checks[*i];
        writeln!(
            out,
            "  - {} [{}, {} min] ({})",
            c.question.get(lang),
            c.who.title().get(lang),
            c.cost_min,
            c.id
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        pick(
            lang,
            &format!(
                "逐步排查：posdoc troubleshoot --code {}{}",
                a.code,
                a.vendor
                    .as_deref()
                    .map(|v| format!(" --vendor {v}"))
                    .unwrap_or_default()
            ),
            &format!(
                "Step by step: posdoc troubleshoot --code {}{}",
                a.code,
                a.vendor
                    .as_deref()
                    .map(|v| format!(" --vendor {v}"))
                    .unwrap_or_default()
            )
        )
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The seed's first response (stop, restart, read the logs), then the
/// leading causes' own first steps, without repeats.
fn first_response(kb: &Kb, causes: &[(Cause, f64)], lang: Lang) -> Vec<String> {
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
