//! `posdoc`: the command line. Thin by design: it parses arguments, reads and
//! writes files, and maps errors to exit codes; the knowledge lives in
//! `posdoc-kb` and the reasoning in `posdoc-engine`.

mod bench;
mod diagnose;
mod eval;
mod explain;
mod gateway;
mod iso8583;
mod output;
mod serve;
mod serve_bench;
mod simulate;
mod troubleshoot;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use posdoc_kb::{Kb, Lang};

// mimalloc rather than glibc's malloc: a diagnose run makes a few small
// allocations per record and many per diagnosis (texts, evidence), and
// malloc/free were ~9 % of its instructions. With mimalloc the whole run takes
// 4-7 % fewer instructions and ~10 % less time (alternated runs, output
// byte-identical). Its C source builds with the C toolchain the bundled SQLite
// already needs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "posdoc",
    version,
    about = "What a POS terminal's error means on that terminal, its root cause with evidence, and the fix.\n终端报错在这台终端上是什么意思、根本原因与证据、以及如何修复。"
)]
struct Cli {
    /// A directory of knowledge-base TOML files merged over the built-in one.
    #[arg(long, global = true, value_name = "DIR")]
    kb: Option<PathBuf>,
    /// Language of what a person reads: zh or en (default: from $LANG).
    #[arg(long, global = true, value_parser = parse_lang)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// What a code can mean on a terminal, its likely causes, first response and checks.
    Explain(explain::Args),
    /// Diagnose every failed event in a record file (JSON Lines, format v1).
    Diagnose(diagnose::Args),
    /// Walk through the most useful checks, one at a time, to the fix.
    Troubleshoot(troubleshoot::Args),
    /// Score diagnoses against ground truth, beside the random and checklist baselines.
    Eval(eval::Args),
    /// Measure diagnose's speed on one core and its state per terminal.
    Bench(bench::Args),
    /// Write a simulated fleet (records and ground truth) from a scenario file.
    Simulate(simulate::Args),
    /// Run the live service: store, HTTP API, live stream, alerts, dashboard.
    Serve(serve::ServeArgs),
    /// Make, list and revoke the service's access tokens.
    Token {
        #[command(subcommand)]
        command: serve::TokenCommand,
    },
    /// Start the service on a temporary store with a simulated fleet streaming in.
    Demo(serve::DemoArgs),
    /// Measure the service: ingestion over HTTP, query latency, memory.
    BenchServe(serve_bench::Args),
    /// Decode and encode ISO 8583 messages (China UnionPay POS, ISO 8583:1987 ASCII).
    Iso8583 {
        #[command(subcommand)]
        command: iso8583::Command,
    },
    /// Run the acquiring gateway terminals talk to (China UnionPay POS framing).
    Gateway(gateway::GatewayArgs),
    /// Run simulated terminals doing real transactions against a gateway.
    TerminalSim(gateway::TerminalSimArgs),
    /// A fault proxy between terminals and the gateway (latency, loss, resets, corruption, wrong MACs).
    Proxy(gateway::ProxyArgs),
    /// Compare the gateway's journal with terminals' ledgers and settlement totals.
    Reconcile(gateway::ReconcileArgs),
    /// Measure the gateway: durable approved sales per second and latency.
    BenchGateway(gateway::BenchArgs),
    /// Knowledge-base tools.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
}

#[derive(Subcommand, Debug)]
enum KbCommand {
    /// Validate the knowledge base (with --kb, the merged one).
    Check,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Jsonl,
    Text,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language `{s}` (use zh or en)"))
}

fn default_lang() -> Lang {
    let env = std::env::var("POSDOC_LANG")
        .or_else(|_| std::env::var("LANG"))
        .unwrap_or_default();
    if env.to_ascii_lowercase().starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

pub(crate) fn load_kb(dir: Option<&std::path::Path>) -> anyhow::Result<Arc<Kb>> {
    let kb = Kb::load(dir)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("loading the knowledge base")?;
    Ok(Arc::new(kb))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang.unwrap_or_else(default_lang);
    let result = match cli.command {
        Command::Explain(a) => {
            load_kb(cli.kb.as_deref()).and_then(|kb| explain::run(&kb, &a, lang))
        }
        Command::Diagnose(a) => {
            load_kb(cli.kb.as_deref()).and_then(|kb| diagnose::run(kb, &a, lang))
        }
        Command::Troubleshoot(a) => {
            load_kb(cli.kb.as_deref()).and_then(|kb| troubleshoot::run(kb, &a, lang))
        }
        Command::Bench(a) => load_kb(cli.kb.as_deref()).and_then(|kb| bench::run(kb, &a, lang)),
        Command::Eval(a) => load_kb(cli.kb.as_deref()).and_then(|kb| eval::run(kb, &a, lang)),
        Command::Simulate(a) => simulate::run(&a, lang),
        Command::Serve(a) => load_kb(cli.kb.as_deref()).and_then(|kb| serve::serve(kb, &a, lang)),
        Command::Token { command } => serve::token(&command, lang),
        Command::BenchServe(a) => serve_bench::run(&a),
        Command::Iso8583 { command } => {
            load_kb(cli.kb.as_deref()).and_then(|kb| iso8583::run(&kb, &command, lang))
        }
        Command::Gateway(a) => gateway::gateway(&a, lang),
        Command::TerminalSim(a) => gateway::terminal_sim(&a, lang),
        Command::Proxy(a) => gateway::proxy(&a, lang),
        Command::Reconcile(a) => gateway::reconcile(&a, lang),
        Command::BenchGateway(a) => gateway::bench(&a),
        Command::Demo(a) => load_kb(cli.kb.as_deref()).and_then(|kb| serve::demo(kb, &a, lang)),
        Command::Kb {
            command: KbCommand::Check,
        } => kb_check(cli.kb.as_deref()),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`posdoc explain E1 | head`): nothing is
        // wrong with posdoc, and nothing more can be said to anyone.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("posdoc: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn kb_check(dir: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    match Kb::load(dir) {
        Ok(kb) => {
            let problems = posdoc_engine::kb_problems(&kb);
            if !problems.is_empty() {
                eprintln!("{} problem(s) in the knowledge base:", problems.len());
                for p in problems {
                    eprintln!("  {p}");
                }
                return Ok(ExitCode::FAILURE);
            }
            let codes: usize = kb.vendors.values().map(|v| v.codes.len()).sum();
            use std::io::Write as _;
            writeln!(
                std::io::stdout().lock(),
                "knowledge base ok: {} causes, {} checks, {} response codes, {} vendors ({} code entries), {} signals, {} stages, {} log patterns, {} card issuers",
                kb.causes.len(),
                kb.checks.len(),
                kb.response_codes.len(),
                kb.vendors.len(),
                codes,
                kb.signals.len(),
                kb.stages.len(),
                kb.patterns.len(),
                kb.issuers.len()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprint!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
