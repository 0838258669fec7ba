//! `posdoc troubleshoot`: an interactive session that asks the most useful
//! next check and ends at the fix.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use posdoc_engine::{Answer, Engine, Session, Step};
use posdoc_kb::{Kb, Lang};
use posdoc_record::{Cause, Reader};

use crate::output::pick;
use posdoc_engine::report::{explain, ranked};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[arg(long)]
    vendor: Option<String>,
    #[arg(long)]
    model: Option<String>,
    /// The code the terminal shows.
    #[arg(long)]
    code: Option<String>,
    /// Start from this terminal's latest diagnosis in --input.
    #[arg(long, requires = "input")]
    terminal: Option<String>,
    /// Record file with the terminal's history.
    #[arg(long, requires = "terminal")]
    input: Option<PathBuf>,
    /// Answers for a scripted run: `check=result,...` (result: ok, fail, a number, or skip).
    #[arg(long)]
    answers: Option<String>,
}

/// Asks at most this many questions (every check once, at most).
const QUESTIONS_MAX: usize = 40;

pub(crate) fn run(kb: Arc<Kb>, a: &Args, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let (belief, intro) = starting_belief(&kb, a, lang)?;
    writeln!(out, "{intro}")?;
    let scripted: Option<HashMap<String, String>> =
        a.answers.as_deref().map(parse_answers).transpose()?;
    if let Some(map) = &scripted {
        for k in map.keys() {
            if kb.check(k).is_none() {
                bail!("--answers names unknown check `{k}`");
            }
        }
    }
    let mut session = Session::new(Arc::clone(&kb), belief);
    let stdin = io::stdin();
    let interactive = scripted.is_none() && stdin.is_terminal();
    let mut lines = BufReader::new(stdin.lock()).lines();
    for _ in 0..QUESTIONS_MAX {
        show_belief(&kb, &session, lang)?;
        let Step::Ask { check, .. } = session.next() else {
            break;
        };
        let def = &kb.checks[check];
        writeln!(
            out,
            "\n? {}  [{}, ~{} min] ({})",
            def.question.get(lang),
            def.who.title().get(lang),
            def.cost_min,
            def.id
        )?;
        let answer = match &scripted {
            Some(map) => {
                let a = map
                    .get(&def.id)
                    .or_else(|| def.aliases.iter().find_map(|x| map.get(x)))
                    .map(String::as_str)
                    .unwrap_or("skip");
                writeln!(out, "> {a}")?;
                Answer::parse(a).with_context(|| {
                    format!(
                        "--answers: `{a}` for `{}` is not ok, fail, a number or skip",
                        def.id
                    )
                })?
            }
            None => loop {
                if interactive {
                    write!(
                        out,
                        "{}",
                        pick(
                            lang,
                            "  回答 ok / fail / 数值 / skip / quit：",
                            "  answer ok / fail / a number / skip / quit: "
                        )
                    )?;
                    io::stdout().flush()?;
                }
                let Some(line) = lines.next().transpose()? else {
                    writeln!(out, "{}", pick(lang, "（输入结束）", "(end of input)"))?;
                    return finish(&kb, &session, lang);
                };
                let line = line.trim().to_string();
                if matches!(line.as_str(), "q" | "quit" | "exit" | "退出") {
                    return finish(&kb, &session, lang);
                }
                match Answer::parse(&line) {
                    Some(a) => break a,
                    None => writeln!(
                        out,
                        "{}",
                        pick(
                            lang,
                            "  请回答 ok、fail、数值或 skip。",
                            "  please answer ok, fail, a number or skip."
                        )
                    )?,
                }
            },
        };
        if let Err(e) = session.answer(&def.id, answer) {
            writeln!(out, "  {e}")?;
            session
                .answer(&def.id, Answer::Skip)
                .map_err(anyhow::Error::msg)?;
        }
    }
    finish(&kb, &session, lang)
}

fn parse_answers(s: &str) -> anyhow::Result<HashMap<String, String>> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .with_context(|| format!("--answers: `{p}` is not check=result"))?;
            Ok((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

fn starting_belief(
    kb: &Arc<Kb>,
    a: &Args,
    lang: Lang,
) -> anyhow::Result<(posdoc_kb::CauseVec, String)> {
    if let (Some(tid), Some(input)) = (&a.terminal, &a.input) {
        let f =
            std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?;
        let mut engine = Engine::new(Arc::clone(kb));
        let mut last = None;
        let mut keep = |d: posdoc_engine::Diagnosis| {
            if &d.terminal_id == tid {
                last = Some(d);
            }
        };
        for (_, r) in Reader::new(BufReader::new(f)).flatten() {
            engine.push(r, &mut keep);
        }
        engine.end(&mut keep);
        let d = last.with_context(|| {
            format!("terminal {tid} has no failed event in {}", input.display())
        })?;
        let mut intro = pick(
            lang,
            &format!(
                "终端 {tid}（{} {}）最近一次失败：{} 于 {}。依据：",
                d.vendor, d.model, d.code, d.ts_raw
            ),
            &format!(
                "Terminal {tid} ({} {}), latest failure: {} at {}. Because:",
                d.vendor, d.model, d.code, d.ts_raw
            ),
        );
        for e in d.evidence.iter().take(4) {
            intro.push_str(&format!("\n  · {}", e.text.get(lang)));
        }
        return Ok((d.posterior, intro));
    }
    let code = a.code.as_deref().unwrap_or("E1");
    let ex = explain(kb, code, a.vendor.as_deref(), a.model.as_deref());
    let meaning = ex
        .lookup
        .map(|l| {
            l.entry
                .meanings
                .iter()
                .map(|m| m.text.get(lang).to_string())
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .or_else(|| ex.response.first().map(|r| r.meaning.get(lang).to_string()))
        .unwrap_or_default();
    let intro = pick(
        lang,
        &format!(
            "排查 {code}（{}）：{meaning}",
            a.vendor.as_deref().unwrap_or("通用")
        ),
        &format!(
            "Troubleshooting {code} ({}): {meaning}",
            a.vendor.as_deref().unwrap_or("generic")
        ),
    );
    Ok((ex.prior, intro))
}

fn show_belief(kb: &Kb, s: &Session, lang: Lang) -> io::Result<()> {
    let mut out = std::io::stdout().lock();
    let top: Vec<String> = ranked(s.posterior())
        .into_iter()
        .take(3)
        .map(|(c, p)| format!("{} {:.0}%", kb.cause(c).title.get(lang), p * 100.0))
        .collect();
    writeln!(
        out,
        "  {} {}",
        pick(lang, "当前判断：", "now:"),
        top.join(" · ")
    )
}

fn finish(kb: &Kb, s: &Session, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let (cause, p) = s.leading();
    let confident = p >= posdoc_engine::CONFIDENT_P;
    let info = kb.cause(cause);
    writeln!(out)?;
    if confident {
        writeln!(
            out,
            "{}",
            pick(
                lang,
                &format!(
                    "结论：{}（{}），概率 {:.0}%",
                    info.title.zh,
                    cause.id(),
                    p * 100.0
                ),
                &format!(
                    "Verdict: {} ({}), p = {:.0}%",
                    info.title.en,
                    cause.id(),
                    p * 100.0
                )
            )
        )?;
    } else {
        let alt: Vec<String> = ranked(s.posterior())
            .into_iter()
            .skip(1)
            .take(2)
            .map(|(c, p): (Cause, f64)| format!("{} {:.0}%", c.id(), p * 100.0))
            .collect();
        writeln!(
            out,
            "{}",
            pick(
                lang,
                &format!(
                    "没有更有用的检查了。最可能：{}（{}）{:.0}%；其次 {}。请联系厂商技术支持。",
                    info.title.zh,
                    cause.id(),
                    p * 100.0,
                    alt.join("，")
                ),
                &format!(
                    "Nothing more useful to ask. Most likely: {} ({}) at {:.0}%; then {}. Involve the vendor's technical support.",
                    info.title.en,
                    cause.id(),
                    p * 100.0,
                    alt.join(", ")
                )
            )
        )?;
    }
    writeln!(out, "{}", info.description.get(lang))?;
    writeln!(
        out,
        "\n{}",
        pick(lang, "修复步骤（技术人员）：", "The fix (technician):")
    )?;
    for (i, st) in info.technician_steps.iter().enumerate() {
        writeln!(out, "  {}. {}", i + 1, st.get(lang))?;
    }
    writeln!(out, "\n{}", pick(lang, "收银台：", "At the counter:"))?;
    for st in &info.cashier_steps {
        writeln!(out, "  - {}", st.get(lang))?;
    }
    writeln!(out, "\n{}", pick(lang, "预防：", "Prevention:"))?;
    for st in &info.prevention {
        writeln!(out, "  - {}", st.get(lang))?;
    }
    writeln!(
        out,
        "\nresult: {} p={:.3} confident={confident}",
        cause.id(),
        p
    )?;
    Ok(ExitCode::SUCCESS)
}
