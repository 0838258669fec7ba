//! The gateway inside `posdoc serve`: a wrong MAC key injected by `posdoc
//! proxy` gives A0 answers, and the service diagnoses them as
//! `security.keys`; a terminal cut short on the wire is diagnosed as
//! `transmission.corruption`; a healthy terminal beside them is not
//! diagnosed at all.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{create_token, free_port, posdoc, succeeded};

fn get(port: u16, path: &str, token: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn wait_for_port(port: u16) {
    let began = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "port {port} never opened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

struct Killed(Vec<Child>);

impl Drop for Killed {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `posdoc serve` on a store at `data`, HTTP on port `http`, with the
/// gateway on port `gw` for the 20 demo terminals.
fn serve_with_gateway(data: &std::path::Path, http: u16, gw: u16) -> Command {
    let mut cmd = posdoc();
    cmd.args(["serve", "--data"])
        .arg(data)
        .args(["--listen", &format!("127.0.0.1:{http}")])
        .args([
            "--gateway",
            &format!("127.0.0.1:{gw}"),
            "--demo-terminals",
            "20",
        ]);
    cmd
}

fn sim(gateway: u16, first: u32, extra: &[&str]) -> serde_json::Value {
    let out = succeeded(
        posdoc()
            .args([
                "terminal-sim",
                "--terminals",
                "2",
                "--sales-only",
                "--no-settle",
                "--json",
            ])
            .args([
                "--first",
                &first.to_string(),
                "--transactions",
                "6",
                "--pause-ms",
                "20",
            ])
            .args(["--gateway", &format!("127.0.0.1:{gateway}")])
            .args(extra),
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The service's diagnoses of a terminal, once it has at least `n`.
fn diagnoses(port: u16, token: &str, tid: &str, n: usize) -> Vec<serde_json::Value> {
    let began = Instant::now();
    loop {
        let (status, body) = get(
            port,
            &format!("/api/v1/diagnoses?terminal_id={tid}&limit=100"),
            token,
        )
        .unwrap();
        // 404 until the terminal's first records are stored and seen.
        assert!(status == 200 || status == 404, "{status} {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let d = v["diagnoses"].as_array().cloned().unwrap_or_default();
        if status == 200 && d.len() >= n {
            return d;
        }
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "{tid}: only {} diagnoses: {body}",
            d.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn wire_faults_injected_by_the_proxy_are_diagnosed_to_their_causes() {
    let data = std::env::temp_dir().join(format!("posdoc-gw-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let token = create_token(&data, "ops");

    let (http, gw, keys, cut) = (free_port(), free_port(), free_port(), free_port());
    let mut children = Killed(Vec::new());
    children.0.push(
        serve_with_gateway(&data, http, gw)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    for (port, faults) in [(keys, "wrong-mac=1"), (cut, "truncate=0.5")] {
        children.0.push(
            posdoc()
                .args(["proxy", "--listen", &format!("127.0.0.1:{port}")])
                .args(["--upstream", &format!("127.0.0.1:{gw}"), "--faults", faults])
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    for p in [http, gw, keys, cut] {
        wait_for_port(p);
    }

    let healthy = sim(gw, 0, &[]);
    assert_eq!(healthy["approved"], 12, "{healthy}");
    let wrong_keys = sim(keys, 4, &[]);
    assert_eq!(wrong_keys["codes"]["A0"], 12, "{wrong_keys}");
    let cut_short = sim(cut, 8, &["--timeout-ms", "300"]);
    assert!(cut_short["timeouts"].as_u64().unwrap() > 0, "{cut_short}");

    for tid in ["10000005", "10000006"] {
        let d = diagnoses(http, &token, tid, 6);
        for x in &d {
            assert_eq!(x["code"], "A0", "{x}");
            assert_eq!(x["causes"][0]["cause"], "security.keys", "{x}");
        }
    }
    let d = diagnoses(http, &token, "10000009", 1);
    let cut_diag: Vec<_> = d.iter().filter(|x| x["code"] == "TRUNC").collect();
    assert!(!cut_diag.is_empty(), "{d:?}");
    for x in cut_diag {
        assert_eq!(x["causes"][0]["cause"], "transmission.corruption", "{x}");
    }
    let d = diagnoses(http, &token, "10000001", 0);
    assert_eq!(d, Vec::<serde_json::Value>::new(), "a healthy terminal");
    // The gateway's counters are on the service's /metrics.
    let (status, metrics) = get(http, "/metrics", &token).unwrap();
    assert_eq!(status, 200);
    let counter = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing: {metrics}"))
    };
    assert!(counter("posdoc_gateway_mac_errors_total") >= 12);
    assert!(counter("posdoc_gateway_approved_total") >= 12);
    assert!(counter("posdoc_gateway_truncated_total") >= 1);
    drop(children);
    std::fs::remove_dir_all(&data).ok();
}

/// An expired gateway certificate: the terminals refuse the handshake, the
/// gateway counts it but cannot tell whose it was; the terminals' own log,
/// posted to the service as a TMS would, is diagnosed as
/// `security.certificate`.
#[test]
fn an_expired_certificate_is_diagnosed_from_the_terminals_log() {
    let dir = std::env::temp_dir().join(format!("posdoc-gw-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("svc");
    let token = create_token(&data, "ops");
    let (http, gw) = (free_port(), free_port());
    let mut children = Killed(Vec::new());
    children.0.push(
        serve_with_gateway(&data, http, gw)
            .arg("--tls-generate")
            .arg(dir.join("pem"))
            .arg("--tls-expired")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(http);
    wait_for_port(gw);
    let report = sim(
        gw,
        2,
        &[
            "--seconds",
            "2",
            "--tls-ca",
            dir.join("pem/ca.pem").to_str().unwrap(),
            "--post",
            &format!("http://127.0.0.1:{http}"),
            "--token",
            &token,
        ],
    );
    assert_eq!(report["sent"], 0, "no handshake succeeded: {report}");
    let d = diagnoses(http, &token, "10000003", 2);
    for x in &d {
        assert_eq!(x["code"], "TLS", "{x}");
        assert_eq!(x["causes"][0]["cause"], "security.certificate", "{x}");
    }
    drop(children);
    std::fs::remove_dir_all(&dir).ok();
}
