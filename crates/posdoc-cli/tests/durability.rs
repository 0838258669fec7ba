//! `posdoc serve` killed with SIGKILL during ingestion, again and again:
//! after each restart every acknowledged record is stored, none twice, and
//! a batch cut off in flight is stored whole or not at all.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::{create_token, free_port, posdoc};

/// One HTTP/1.1 request on a fresh connection; the status and body, or an
/// error when the server is gone.
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {out:?}")))?;
    let body = out
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn serve(data: &Path, port: u16) -> Child {
    let child = posdoc()
        .args(["serve", "--data"])
        .arg(data)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let began = Instant::now();
    while http(port, "GET", "/healthz", "", "").is_err() {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// A batch of `n` payments with stans `first..first+n`.
fn batch(first: u64, n: u64) -> String {
    let mut s = String::new();
    for k in first..first + n {
        s.push_str(&format!(
            r#"{{"kind":"txn","ts":"2026-11-03T10:{:02}:{:02}Z","terminal_id":"K{}","type":"purchase","amount":100,"currency":"CNY","stan":"{k:08}","response_code":"00"}}"#,
            (k / 60) % 60,
            k % 60,
            k % 7
        ));
        s.push('\n');
    }
    s
}

#[test]
fn acknowledged_records_survive_sigkill_once_each() {
    let data = std::env::temp_dir().join(format!("posdoc-durability-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let token = create_token(&data, "ingest");

    const BATCH: u64 = 250;
    let mut acked: Vec<(u64, u64)> = Vec::new();
    let mut cut: Vec<(u64, u64)> = Vec::new();
    let mut next = 0u64;
    for round in 0..4 {
        let port = free_port();
        let mut server = serve(&data, port);
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let token2 = token.clone();
        let start = next;
        // Post batches back to back until the server dies under us.
        let poster = std::thread::spawn(move || {
            let mut acked = Vec::new();
            let mut next = start;
            loop {
                let body = batch(next, BATCH);
                match http(port, "POST", "/api/v1/records", &token2, &body) {
                    Ok((200, _)) => acked.push((next, BATCH)),
                    Ok((status, body)) => panic!("refused: {status} {body}"),
                    Err(_) => return (acked, Some((next, BATCH)), next + BATCH),
                }
                next += BATCH;
                if stop2.load(Ordering::Relaxed) && next - start > 40 * BATCH {
                    return (acked, None, next);
                }
            }
        });
        // Let it ingest a while, then kill it mid-stream.
        std::thread::sleep(Duration::from_millis(400 + 150 * round));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let (a, c, n) = poster.join().unwrap();
        assert!(
            !a.is_empty(),
            "round {round}: nothing was acknowledged before the kill"
        );
        acked.extend(a);
        cut.extend(c);
        next = n;
    }

    // Restarted once more, the store holds what was acknowledged.
    let port = free_port();
    let mut server = serve(&data, port);
    server.kill().unwrap();
    server.wait().unwrap();
    let readers = posdoc_server::store::Readers::new(posdoc_server::store::db_path(&data));
    let counts: HashMap<u64, i64> = readers
        .with(|c| {
            let mut s = c.prepare(
                "SELECT json_extract(body, '$.stan'), count(*) FROM records WHERE kind = 'txn' GROUP BY 1",
            )?;
            let rows = s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            Ok(rows
                .map(|r| {
                    let (stan, n) = r.unwrap();
                    (stan.parse().unwrap(), n)
                })
                .collect())
        })
        .unwrap();
    let mut expected = 0;
    for &(first, n) in &acked {
        for k in first..first + n {
            assert_eq!(
                counts.get(&k),
                Some(&1),
                "acknowledged stan {k} stored {:?} times",
                counts.get(&k)
            );
        }
        expected += n;
    }
    for &(first, n) in &cut {
        let stored: Vec<_> = (first..first + n)
            .map(|k| counts.get(&k).copied().unwrap_or(0))
            .collect();
        assert!(
            stored.iter().all(|&c| c == 1) || stored.iter().all(|&c| c == 0),
            "a batch cut off in flight was stored in part"
        );
        expected += if stored[0] == 1 { n } else { 0 };
    }
    assert!(counts.values().all(|&c| c == 1), "a record stored twice");
    assert_eq!(
        counts.len() as u64,
        expected,
        "records stored that no batch sent"
    );
    let _ = std::fs::remove_dir_all(&data);
}
