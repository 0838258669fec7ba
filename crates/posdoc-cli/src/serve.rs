//! `posdoc serve`, `posdoc token` and `posdoc demo`: the live service
//! (`posdoc-server`) from the command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use posdoc_kb::{Kb, Lang};
use posdoc_server::auth::{self, Role};
use posdoc_server::{Config, store};

use crate::output::pick;

#[derive(clap::Args, Debug)]
pub(crate) struct ServeArgs {
    /// Configuration file (TOML: listen, data, public_url, [[webhooks]]).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory holding the store (overrides the file and POSDOC_DATA).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Address to listen on (overrides the file and POSDOC_LISTEN).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Also run the acquiring gateway on this address; what it sees on the
    /// wire is stored and diagnosed here.
    #[arg(long, value_name = "ADDR")]
    gateway: Option<String>,
    #[command(flatten)]
    gateway_opts: crate::gateway::GatewayOpts,
}

#[derive(clap::Subcommand, Debug)]
pub(crate) enum TokenCommand {
    /// Make a token; prints it alone on the last line (only its hash is kept).
    Create {
        #[arg(long, value_parser = ["admin", "ops", "merchant", "ingest"])]
        role: String,
        /// The merchant a merchant token may see.
        #[arg(long, value_name = "MID")]
        merchant: Option<String>,
        /// A note saying whose token it is.
        #[arg(long)]
        label: Option<String>,
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
    },
    /// List tokens (never the tokens themselves).
    List {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
    },
    /// Revoke a token by its id.
    Revoke {
        id: i64,
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
pub(crate) struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: String,
    /// Simulated seconds per second.
    #[arg(long, default_value_t = 30.0)]
    speed: f64,
    /// Terminals in the demo fleet.
    #[arg(long, default_value_t = 120)]
    terminals: usize,
    /// Seed of the demo fleet.
    #[arg(long, default_value_t = 12)]
    seed: u64,
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

pub(crate) fn serve(kb: Arc<Kb>, a: &ServeArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    init_logging();
    let mut cfg = Config::load(a.config.as_deref())?;
    if let Some(d) = &a.data {
        cfg.data = d.clone();
    }
    if let Some(l) = &a.listen {
        cfg.listen = l.clone();
    }
    runtime()?.block_on(async move {
        let running = posdoc_server::start(&cfg, kb).await?;
        if let Some(listen) = &a.gateway {
            let feeder = posdoc_server::feed::Feeder::start(running.state.clone(), "gateway");
            let addr = crate::gateway::start_in_service(
                listen,
                &a.gateway_opts,
                &cfg.data,
                feeder,
                &running.state.metrics,
            )
            .await?;
            println!(
                "{}",
                pick(
                    lang,
                    &format!("收单网关已启动：{addr}（证据记录送入本服务诊断）"),
                    &format!("acquiring gateway on {addr} (its evidence is diagnosed here)"),
                )
            );
        }
        println!(
            "{}",
            pick(
                lang,
                &format!(
                    "posdoc serve 已启动：http://{}/  数据目录 {}",
                    running.addr,
                    cfg.data.display()
                ),
                &format!(
                    "posdoc serve listening on http://{}/  data in {}",
                    running.addr,
                    cfg.data.display()
                ),
            )
        );
        tokio::select! {
            r = running.wait() => r?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub(crate) fn token(cmd: &TokenCommand, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match cmd {
        TokenCommand::Create {
            role,
            merchant,
            label,
            data,
        } => {
            let conn = store::open(&store::db_path(data))?;
            let role = Role::parse(role).context("unknown role")?;
            let (id, token) = auth::create(&conn, role, merchant.as_deref(), label.as_deref())?;
            writeln!(
                out,
                "{}",
                pick(
                    lang,
                    &format!(
                        "令牌 {id}（{}）已创建；只显示这一次，请妥善保存：",
                        role.id()
                    ),
                    &format!(
                        "token {id} ({}) created; it is shown only now, keep it safe:",
                        role.id()
                    ),
                )
            )?;
            writeln!(out, "{token}")?;
        }
        TokenCommand::List { data } => {
            let conn = store::open(&store::db_path(data))?;
            for t in auth::list(&conn)? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.role,
                    t.merchant_id.unwrap_or_else(|| "-".into()),
                    t.created_at,
                    t.revoked_at
                        .map(|r| format!("revoked {r}"))
                        .unwrap_or_else(|| "live".into()),
                    t.label.unwrap_or_default()
                )?;
            }
        }
        TokenCommand::Revoke { id, data } => {
            let conn = store::open(&store::db_path(data))?;
            if !auth::revoke(&conn, *id)? {
                anyhow::bail!("no live token with id {id}");
            }
            writeln!(
                out,
                "{}",
                pick(
                    lang,
                    &format!("令牌 {id} 已吊销"),
                    &format!("token {id} revoked")
                )
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn demo(kb: Arc<Kb>, a: &DemoArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    init_logging();
    let d = posdoc_server::demo::DemoConfig {
        listen: a.listen.clone(),
        speed: a.speed,
        terminals: a.terminals.clamp(10, 5000),
        seed: a.seed,
        ..Default::default()
    };
    runtime()?.block_on(async move {
        let demo = posdoc_server::demo::start(d, kb).await?;
        let addr = demo.running.addr;
        {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}",
                pick(
                    lang,
                    "posdoc 演示：模拟终端群正在加速推送数据（其中有门店停电和餐厅路由器两个种子案例）。用浏览器打开：",
                    "posdoc demo: a simulated fleet is streaming in, in accelerated time (the seed's shop power and restaurant router cases among its faults). Open:",
                )
            )?;
            writeln!(out, "  http://{addr}/#token={}", demo.token)?;
            writeln!(out, "dashboard: http://{addr}/")?;
            writeln!(out, "token: {}", demo.token)?;
            out.flush()?;
        }
        let data = demo.data.clone();
        let streamer = demo.streamer;
        tokio::select! {
            r = demo.running.wait() => r?,
            _ = tokio::signal::ctrl_c() => {}
            r = streamer => {
                r??;
                // The fleet has played out; keep serving what it left.
                eprintln!("posdoc demo: the fleet has played out; still serving");
                tokio::signal::ctrl_c().await?;
            }
        }
        let _ = std::fs::remove_dir_all(&data);
        Ok(ExitCode::SUCCESS)
    })
}
