//! The gateway end to end on real TCP: simulated terminals doing the full
//! transaction mix, faults from the proxy, and the journal reconciled with
//! the terminals' ledgers and settlements afterwards.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use posdoc_gateway::issuer::Rule;
use posdoc_gateway::journal::Reader;
use posdoc_gateway::profile::{Profiles, demo_profile};
use posdoc_gateway::proxy::{Faults, Proxy};
use posdoc_gateway::reconcile::{load_ledgers, reconcile};
use posdoc_gateway::server::{Config, Gateway};
use posdoc_gateway::terminal::{SimConfig, run};
use serde_json::Value;
use tokio::net::TcpListener;

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("posdoc-gw-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Running {
    addr: SocketAddr,
    gateway: Arc<Gateway>,
    evidence: Arc<Mutex<Vec<Value>>>,
    stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(cfg: Config) -> Running {
    let evidence = Arc::new(Mutex::new(Vec::new()));
    let sink = evidence.clone();
    let gateway =
        Gateway::start(cfg, Some(Arc::new(move |r| sink.lock().unwrap().push(r)))).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(gateway.clone().serve(listener, async move {
        let _ = rx.await;
    }));
    Running {
        addr,
        gateway,
        evidence,
        stop,
    }
}

async fn proxy(upstream: SocketAddr, faults: Faults) -> (SocketAddr, Proxy) {
    let p = Proxy::new(upstream, faults, 7);
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(p.clone().serve(l, std::future::pending()));
    (addr, p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_mix_settles_even_and_journal_holds_no_card_data() {
    let dir = tempdir("mix");
    let journal = dir.join("journal.db");
    let mut cfg = Config::new(journal.clone(), Profiles::demo(12));
    cfg.issuer_rules = vec!["625807:decline=51".parse::<Rule>().unwrap()];
    let gw = start(cfg).await;
    let mut sim = SimConfig::new(gw.addr);
    sim.transactions = Some(40);
    sim.ledger_dir = Some(dir.join("ledgers"));
    let profiles: Vec<_> = (0..12).map(demo_profile).collect();
    let report = run(sim, profiles, Arc::new(AtomicBool::new(false)))
        .await
        .unwrap();
    assert_eq!(report.sent, 12 * 40);
    assert_eq!(report.settled_balanced, 12, "{report:?}");
    assert!(report.approved > 300, "{report:?}");
    assert!(
        report.codes.get("51").copied().unwrap_or(0) > 0,
        "the declining range declined: {report:?}"
    );
    let ledgers = load_ledgers(&dir.join("ledgers")).unwrap();
    let rec = reconcile(&journal, &ledgers).unwrap();
    assert!(rec.even(), "{:?}", rec.discrepancies);
    assert!(rec.matched > 250);
    assert_eq!(rec.batches_settled, 12);
    let reader = Reader::open(&journal).unwrap();
    assert_eq!(reader.leaks().unwrap(), Vec::<String>::new());
    let kinds: std::collections::BTreeSet<_> =
        reader.txns().unwrap().iter().map(|t| t.kind).collect();
    assert!(kinds.len() >= 5, "the mix reached the host: {kinds:?}");
    // Approved sales became evidence records with masked card numbers.
    let ev = gw.evidence.lock().unwrap();
    assert!(
        ev.iter()
            .any(|r| r["kind"] == "txn" && r["response_code"] == "00")
    );
    assert!(
        ev.iter()
            .all(|r| r["pan"].as_str().is_none_or(|p| p.contains('*')))
    );
    let _ = gw.stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_mac_keys_answer_a0_and_become_evidence() {
    let dir = tempdir("mac");
    let gw = start(Config::new(dir.join("j.db"), Profiles::demo(2))).await;
    let (paddr, _p) = proxy(gw.addr, "wrong-mac=1".parse().unwrap()).await;
    let mut sim = SimConfig::new(paddr);
    sim.transactions = Some(5);
    sim.settle = false;
    sim.sales_only = true;
    let report = run(
        sim,
        vec![demo_profile(0), demo_profile(1)],
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .unwrap();
    assert_eq!(report.codes.get("A0").copied(), Some(10), "{report:?}");
    assert_eq!(report.approved, 0);
    let ev = gw.evidence.lock().unwrap();
    let a0 = ev.iter().filter(|r| r["response_code"] == "A0").count();
    assert_eq!(a0, 10);
    assert!(
        gw.gateway
            .stats()
            .mac_errors
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 10
    );
    let _ = gw.stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_are_reversed_and_reconcile_even() {
    let dir = tempdir("rev");
    let journal = dir.join("j.db");
    let gw = start(Config::new(journal.clone(), Profiles::demo(4))).await;
    let (paddr, p) = proxy(gw.addr, "drop-response=0.3,drop=0.1".parse().unwrap()).await;
    let mut sim = SimConfig::new(paddr);
    sim.transactions = Some(30);
    sim.timeout = Duration::from_millis(300);
    sim.ledger_dir = Some(dir.join("ledgers"));
    let profiles: Vec<_> = (0..4).map(demo_profile).collect();
    // Reversals and settlement must get through: faults off after the run.
    let stop = Arc::new(AtomicBool::new(false));
    let report = run(sim.clone(), profiles.clone(), stop.clone()).await;
    // Settlement may have been starved by the faults; clear them and finish.
    p.set_faults(Faults::default());
    let report = match report {
        Ok(r) if r.settled_balanced == 4 => r,
        _ => {
            sim.transactions = Some(0);
            run(sim, profiles, stop).await.unwrap()
        }
    };
    let _ = report;
    let ledgers = load_ledgers(&dir.join("ledgers")).unwrap();
    let reversed: usize = ledgers
        .iter()
        .map(|l| l.txns.values().filter(|t| t.reversed).count())
        .sum();
    assert!(reversed > 5, "lost answers were reversed: {reversed}");
    let rec = reconcile(&journal, &ledgers).unwrap();
    assert!(rec.even(), "{:#?}", rec.discrepancies);
    let _ = gw.stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_frames_close_only_their_connection_and_name_the_terminal() {
    let dir = tempdir("corrupt");
    let gw = start(Config::new(dir.join("j.db"), Profiles::demo(2))).await;
    let (paddr, _p) = proxy(gw.addr, "truncate=1".parse().unwrap()).await;
    let mut sim = SimConfig::new(paddr);
    sim.transactions = Some(1);
    sim.settle = false;
    sim.timeout = Duration::from_millis(300);
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(2)).await;
        s.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let _ = run(sim, vec![demo_profile(0)], stop).await;
    // Meanwhile a healthy terminal, directly, is served.
    let mut ok = SimConfig::new(gw.addr);
    ok.transactions = Some(3);
    let r = run(ok, vec![demo_profile(1)], Arc::new(AtomicBool::new(false)))
        .await
        .unwrap();
    assert_eq!(r.approved, 3);
    let ev = gw.evidence.lock().unwrap();
    let cut: Vec<_> = ev.iter().filter(|r| r["code"] == "TRUNC").collect();
    assert!(!cut.is_empty(), "{ev:?}");
    assert!(
        cut.iter().all(|r| r["terminal_id"] == "10000001"),
        "{cut:?}"
    );
    let _ = gw.stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_shows_an_expired_certificate_on_demand() {
    use posdoc_gateway::proxy::TlsFront;
    use posdoc_gateway::terminal::TerminalLog;
    use tokio_rustls::rustls::pki_types::ServerName;
    let dir = tempdir("expired");
    let gw = start(Config::new(dir.join("j.db"), Profiles::demo(2))).await;
    let (valid, expired) = posdoc_gateway::tls::generate_pair(&["localhost"]).unwrap();
    let p = Proxy::new(gw.addr, Faults::default(), 3)
        .with_tls(TlsFront::new(&valid, &expired).unwrap());
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let paddr = l.local_addr().unwrap();
    tokio::spawn(p.clone().serve(l, std::future::pending()));
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let mut sim = SimConfig::new(paddr);
    sim.transactions = Some(3);
    sim.settle = false;
    sim.tls = Some((
        posdoc_gateway::tls::client_config(valid.ca_cert_pem.as_bytes()).unwrap(),
        ServerName::try_from("localhost").unwrap(),
    ));
    sim.log = Some(TerminalLog(Arc::new(move |r| sink.lock().unwrap().push(r))));
    // The valid certificate: TLS to the proxy, frames on to the gateway.
    let r = run(
        sim.clone(),
        vec![demo_profile(0)],
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .unwrap();
    assert_eq!(r.approved, 3, "{r:?}");
    assert!(log.lock().unwrap().is_empty());
    // Now the expired one, for every connection.
    p.set_faults("expired-cert=1".parse().unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        s.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let r = run(sim, vec![demo_profile(1)], stop).await.unwrap();
    assert_eq!(r.sent, 0, "{r:?}");
    let stats = p.stats().snapshot();
    assert!(
        stats.expired_certs > 0 && stats.tls_failures > 0,
        "{stats:?}"
    );
    let log = log.lock().unwrap();
    assert!(!log.is_empty());
    for rec in log.iter() {
        assert_eq!(rec["stage"], "tls", "{rec}");
        assert!(rec["detail"].as_str().unwrap().contains("expired"), "{rec}");
    }
    let _ = gw.stop.send(());
}

/// When the journal cannot commit, no approval leaves: the terminal gets no
/// answer (and reverses), and the evidence says the host failed (96), not
/// that the terminal's message was malformed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_that_cannot_commit_answers_nothing() {
    let dir = tempdir("busy");
    let journal = dir.join("j.db");
    let gw = start(Config::new(journal.clone(), Profiles::demo(1))).await;
    let mut sim = SimConfig::new(gw.addr);
    sim.transactions = Some(1);
    sim.settle = false;
    let ok = run(
        sim.clone(),
        vec![demo_profile(0)],
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .unwrap();
    assert_eq!(ok.approved, 1);
    // Another process holds the write lock past the writer's busy timeout.
    let blocker = rusqlite::Connection::open(&journal).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    sim.timeout = Duration::from_secs(8);
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let run = tokio::spawn(run(sim, vec![demo_profile(0)], stop));
    // The first attempt fails after the writer's 5 s busy timeout; stop the
    // terminal then, and let go of the lock only once it has finished.
    tokio::time::sleep(Duration::from_secs(6)).await;
    s.store(true, std::sync::atomic::Ordering::Relaxed);
    let r = run.await.unwrap().unwrap();
    blocker.execute_batch("ROLLBACK").unwrap();
    assert_eq!(
        r.approved, 0,
        "nothing approved while the journal failed: {r:?}"
    );
    // Its sign-on went unanswered: nothing sent, it kept reconnecting.
    assert!(r.sent == 0 && r.reconnects >= 1, "{r:?}");
    assert!(
        gw.gateway
            .stats()
            .journal_failures
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 1
    );
    let ev = gw.evidence.lock().unwrap();
    assert!(ev.iter().any(|r| r["code"] == "96"), "{ev:?}");
    assert!(!ev.iter().any(|r| r["code"] == "FORMAT"), "{ev:?}");
    let _ = gw.stop.send(());
}
