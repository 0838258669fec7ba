//! `posdoc gateway` killed with SIGKILL again and again while simulated
//! terminals (`posdoc terminal-sim`, the full transaction mix) keep paying:
//! after each restart and the terminals' reversals, no approved sale is
//! lost, none is counted twice, and `posdoc reconcile` finds the journal,
//! the terminals' ledgers and the settlement totals in agreement.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{free_port, posdoc};

fn gateway(journal: &Path, port: u16) -> Child {
    let child = posdoc()
        .args(["gateway", "--status-every", "0", "--demo-terminals", "16"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--journal")
        .arg(journal)
        .stdout(Stdio::null())
        .spawn()
        .expect("gateway starts");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the gateway did not listen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn sigkill_during_load_loses_nothing_and_reconciles_even() {
    let dir = std::env::temp_dir().join(format!("posdoc-gateway-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("journal.db");
    let ledgers = dir.join("ledgers");
    let port = free_port();
    let mut gw = gateway(&journal, port);

    let sim = posdoc()
        .args(["terminal-sim", "--terminals", "16", "--transactions", "0"])
        .args(["--seconds", "9", "--pause-ms", "2", "--timeout-ms", "400"])
        .args(["--gateway", &format!("127.0.0.1:{port}"), "--json"])
        .arg("--ledger")
        .arg(&ledgers)
        .stdout(Stdio::piped())
        .spawn()
        .expect("terminal-sim starts");

    let mut kills = 0;
    for pause_ms in [1300u64, 1700, 1100, 1900] {
        std::thread::sleep(Duration::from_millis(pause_ms));
        gw.kill().expect("SIGKILL");
        gw.wait().unwrap();
        kills += 1;
        // Down a little while: terminals time out and owe reversals.
        std::thread::sleep(Duration::from_millis(300));
        gw = gateway(&journal, port);
    }
    assert_eq!(kills, 4);

    let out = sim.wait_with_output().expect("terminal-sim ends");
    gw.kill().ok();
    gw.wait().ok();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "terminal-sim failed: {stdout}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("a JSON report");
    assert!(
        report["approved"].as_u64().unwrap() > 300,
        "terminals kept paying: {report}"
    );
    assert!(
        report["timeouts"].as_u64().unwrap() > 0,
        "the kills cut transactions off: {report}"
    );
    assert!(
        report["reversals"].as_u64().unwrap() > 0,
        "cut-off transactions were reversed: {report}"
    );
    // Full batches settle on the way (at 500), the rest at the end.
    assert!(
        report["settled_balanced"].as_u64().unwrap() >= 16,
        "every terminal settled: {report}"
    );
    assert_eq!(
        report["settled_unbalanced"], 0,
        "every batch balanced: {report}"
    );

    let rec = posdoc()
        .args(["reconcile", "--json", "--journal"])
        .arg(&journal)
        .arg("--ledger")
        .arg(&ledgers)
        .output()
        .expect("reconcile runs");
    let text = String::from_utf8_lossy(&rec.stdout);
    let r: serde_json::Value = serde_json::from_str(text.trim()).expect("JSON");
    assert_eq!(r["discrepancies"], serde_json::json!([]), "{text}");
    assert!(rec.status.success());
    assert!(r["batches_settled"].as_u64().unwrap() >= 16, "{r}");
    assert!(r["matched"].as_u64().unwrap() > 250, "{text}");

    // A tampered ledger is caught: reconcile is not vacuous.
    let any = std::fs::read_dir(&ledgers)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&any).unwrap();
    let forged = text.replacen("\"rc\":\"00\"", "\"rc\":\"51\"", 1);
    assert_ne!(forged, text);
    std::fs::write(&any, forged).unwrap();
    let rec = posdoc()
        .args(["reconcile", "--journal"])
        .arg(&journal)
        .arg("--ledger")
        .arg(&ledgers)
        .output()
        .unwrap();
    assert!(!rec.status.success(), "a forged ledger must not reconcile");
    std::fs::remove_dir_all(&dir).ok();
}
