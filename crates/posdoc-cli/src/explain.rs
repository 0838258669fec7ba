//! `posdoc explain`: what a code can mean on that terminal.

use std::io::Write;
use std::process::ExitCode;

use posdoc_engine::report::{explain, first_response};
use posdoc_kb::{Dialect, Kb, Lang};

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

pub(crate) fn run(kb: &Kb, a: &Args, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = posdoc_engine::report::explain_json(
            kb,
            &a.code,
            a.vendor.as_deref(),
            a.model.as_deref(),
            lang,
        );
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let ex = explain(kb, &a.code, a.vendor.as_deref(), a.model.as_deref());
    let causes = ex.leading_causes();
    let checks = posdoc_engine::rank_checks(kb, &ex.prior, &|_| false);

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
