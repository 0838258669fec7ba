//! The API against a real server on a random port with a real SQLite file.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use posdoc_server::auth::{self, Role};
use posdoc_server::{Config, Running, store};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("posdoc-api-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

struct Tokens {
    admin: String,
    ops: String,
    m1: String,
    ingest: String,
}

fn tokens(data: &std::path::Path) -> Tokens {
    let conn = store::open(&store::db_path(data)).unwrap();
    let mk = |r, m| auth::create(&conn, r, m, None).unwrap().1;
    Tokens {
        admin: mk(Role::Admin, None),
        ops: mk(Role::Ops, None),
        m1: mk(Role::Merchant, Some("M1")),
        ingest: mk(Role::Ingest, None),
    }
}

async fn start(data: &std::path::Path) -> Running {
    let cfg = Config {
        listen: "127.0.0.1:0".into(),
        data: data.to_path_buf(),
        ..Config::default()
    };
    let kb = Arc::new(posdoc_kb::Kb::builtin().unwrap());
    posdoc_server::start(&cfg, kb).await.unwrap()
}

fn t(min: u32, sec: u32) -> String {
    format!(
        "2026-11-03T{:02}:{:02}:{:02}Z",
        10 + min / 60,
        min % 60,
        sec
    )
}

/// Two merchants, each with one shop of three wired terminals paying every
/// minute for `minutes`; shop S1 (merchant M1) loses its link from minute
/// 20 to 40.
fn fleet(minutes: u32) -> Vec<String> {
    let mut v = Vec::new();
    for m in 1..=2 {
        v.push(format!(
            r#"{{"kind":"merchant","merchant_id":"M{m}","name":"Merchant {m}","mcc":"5812"}}"#
        ));
        v.push(format!(
            r#"{{"kind":"site","site_id":"S{m}","merchant_id":"M{m}","name":"Shop {m}","city":"hangzhou"}}"#
        ));
        for k in 0..3 {
            v.push(format!(
                r#"{{"kind":"terminal","terminal_id":"T{m}-{k}","vendor":"pax","model":"S90","firmware":"3.2.{m}","app_version":"5.0.{k}","merchant_id":"M{m}","site_id":"S{m}","network":"ethernet","host":"H1"}}"#
            ));
        }
    }
    for min in 0..minutes {
        for m in 1..=2 {
            for k in 0..3 {
                let tid = format!("T{m}-{k}");
                let sec = (m * 7 + k * 3) % 50;
                let stan = format!("{:06}", min * 100 + m * 10 + k);
                v.push(format!(
                    r#"{{"kind":"telemetry","ts":"{}","terminal_id":"{tid}","online":true,"latency_ms":40,"packet_loss":0.0}}"#,
                    t(min, 2)
                ));
                let down = m == 1 && (20..40).contains(&min);
                v.push(if down {
                    format!(
                        r#"{{"kind":"txn","ts":"{}","terminal_id":"{tid}","type":"purchase","amount":100,"currency":"CNY","stan":"{stan}","timed_out":true}}"#,
                        t(min, sec)
                    )
                } else {
                    format!(
                        r#"{{"kind":"txn","ts":"{}","terminal_id":"{tid}","type":"purchase","amount":100,"currency":"CNY","stan":"{stan}","response_code":"00"}}"#,
                        t(min, sec)
                    )
                });
                if down {
                    v.push(format!(
                        r#"{{"kind":"error","ts":"{}","terminal_id":"{tid}","code":"E1","stage":"connect","stan":"{stan}"}}"#,
                        t(min, sec + 1)
                    ));
                }
            }
        }
    }
    v
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    fn new(r: &Running) -> Api {
        Api {
            base: format!("http://{}", r.addr),
            http: reqwest::Client::new(),
        }
    }

    async fn get(&self, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn post(
        &self,
        token: &str,
        path: &str,
        body: String,
        ctype: &str,
    ) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn ingest(&self, token: &str, lines: &[String]) -> Value {
        let (s, v) = self
            .post(
                token,
                "/api/v1/records",
                lines.join("\n"),
                "application/x-ndjson",
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Waits (bounded) until the engine has taken every committed record
    /// and gone quiet, so that what it derived is stored.
    async fn settled(&self) {
        for _ in 0..200 {
            let (_, v) = self.get(None, "/readyz").await;
            if v["ready"] == true && v["records_committed"] == v["records_diagnosed"] {
                // The engine diagnoses what it holds after a quiet spell.
                tokio::time::sleep(Duration::from_millis(2600)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the engine never caught up");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_sees_what_it_may_and_nothing_else() {
    let data = temp_dir("roles");
    let tok = tokens(&data);
    let server = start(&data).await;
    let api = Api::new(&server);

    // No token, a wrong token: 401.
    assert_eq!(
        api.get(None, "/api/v1/overview").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.get(Some("pd_nope"), "/api/v1/overview").await.0,
        StatusCode::UNAUTHORIZED
    );
    // Ingest may post and nothing else; a merchant may not post.
    let v = api.ingest(&tok.ingest, &fleet(60)).await;
    assert_eq!(v["rejected"], 0, "{v}");
    assert_eq!(
        api.get(Some(&tok.ingest), "/api/v1/overview").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.post(
            &tok.m1,
            "/api/v1/records",
            String::new(),
            "application/x-ndjson"
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    api.settled().await;

    // A merchant reads its own terminal, not another's, and cannot tell an
    // unknown id from a foreign one.
    assert_eq!(
        api.get(Some(&tok.m1), "/api/v1/terminals/T1-0").await.0,
        StatusCode::OK
    );
    for id in ["T2-0", "NOPE"] {
        let (s, v) = api
            .get(Some(&tok.m1), &format!("/api/v1/terminals/{id}"))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{id}: {v}");
        assert!(!v.to_string().contains("M2"), "{v}");
        let (s, _) = api
            .get(Some(&tok.m1), &format!("/api/v1/terminals/{id}/timeline"))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = api
            .get(
                Some(&tok.m1),
                &format!("/api/v1/diagnoses?terminal_id={id}"),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        api.get(Some(&tok.ops), "/api/v1/terminals/NOPE").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get(Some(&tok.ops), "/api/v1/terminals/T2-0").await.0,
        StatusCode::OK
    );

    // Lists are cut to the merchant's own.
    let (_, v) = api.get(Some(&tok.m1), "/api/v1/terminals").await;
    let ids: Vec<&str> = v["terminals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["terminal_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{v}");
    assert!(ids.iter().all(|t| t.starts_with("T1-")), "{ids:?}");
    let (_, v) = api.get(Some(&tok.ops), "/api/v1/terminals").await;
    assert_eq!(v["terminals"].as_array().unwrap().len(), 6);
    let (_, v) = api.get(Some(&tok.m1), "/api/v1/diagnoses").await;
    let diags = v["diagnoses"].as_array().unwrap();
    assert!(!diags.is_empty(), "the shop's failures are diagnosed");
    assert!(
        diags
            .iter()
            .all(|d| d["terminal_id"].as_str().unwrap().starts_with("T1-"))
    );

    // The shop's outage is one site incident; its merchant sees it, the
    // other merchant's token would not.
    let (_, v) = api.get(Some(&tok.ops), "/api/v1/incidents").await;
    let inc = v["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["scope"]["site_id"] == "S1")
        .unwrap_or_else(|| panic!("a site incident: {v}"))
        .clone();
    let id = inc["incident_id"].as_str().unwrap();
    let (s, v) = api
        .get(Some(&tok.m1), &format!("/api/v1/incidents/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["timeline"].as_array().is_some_and(|t| !t.is_empty()),
        "{v}"
    );
    assert!(
        v["evidence"].as_array().is_some_and(|e| !e.is_empty()),
        "{v}"
    );
    let conn = store::open(&store::db_path(&data)).unwrap();
    let m2 = auth::create(&conn, Role::Merchant, Some("M2"), None)
        .unwrap()
        .1;
    assert_eq!(
        api.get(Some(&m2), &format!("/api/v1/incidents/{id}"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, v) = api.get(Some(&m2), "/api/v1/incidents").await;
    assert_eq!(v["incidents"].as_array().unwrap().len(), 0, "{v}");

    // Only admin reads the audit log, which holds the ingestion.
    assert_eq!(
        api.get(Some(&tok.ops), "/api/v1/audit").await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = api.get(Some(&tok.admin), "/api/v1/audit").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "records.ingest")
    );

    // A revoked token is a wrong token.
    let (mid, mtok) = auth::create(&conn, Role::Ops, None, None).unwrap();
    assert_eq!(
        api.get(Some(&mtok), "/api/v1/overview").await.0,
        StatusCode::OK
    );
    auth::revoke(&conn, mid).unwrap();
    assert_eq!(
        api.get(Some(&mtok), "/api/v1/overview").await.0,
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingestion_names_bad_lines_keeps_good_ones_and_masks_cards() {
    let data = temp_dir("ingest");
    let tok = tokens(&data);
    let server = start(&data).await;
    let api = Api::new(&server);
    let lines = [
        r#"{"kind":"terminal","terminal_id":"T9","vendor":"pax","model":"S90","merchant_id":"M1"}"#,
        r#"{"kind":"txn","ts":"2026-11-03T10:00:00Z","terminal_id":"T9","type":"purchase","amount":100,"currency":"CNY","pan":"6217001234567891237","track2":"6217001234567891237=2512","response_code":"00"}"#,
        r#"{"kind":"txn","ts":"not a time","terminal_id":"T9","type":"purchase","amount":1,"currency":"CNY"}"#,
        "",
        r#"{"kind":"error","ts":"2026-11-03T10:01:00Z","terminal_id":"T9","code":"E1","detail":"card 6217001234567891237 declined"}"#,
        r#"{"kind":"txn" broken"#,
    ];
    let v = api.ingest(&tok.ingest, &lines.map(String::from)).await;
    assert_eq!(v["accepted"], 3, "{v}");
    assert_eq!(v["rejected"], 2, "{v}");
    let errs = v["errors"].as_array().unwrap();
    assert_eq!(errs[0]["line"], 3);
    assert!(errs[0]["reason"].as_str().unwrap().contains("ts"), "{v}");
    assert_eq!(errs[1]["line"], 6);

    // A JSON array is taken too, numbered by element.
    let arr = json!([
        {"kind":"telemetry","ts":"2026-11-03T10:02:00Z","terminal_id":"T9","online":true},
        {"kind":"telemetry","terminal_id":"T9"}
    ]);
    let (s, v) = api
        .post(
            &tok.ops,
            "/api/v1/records",
            arr.to_string(),
            "application/json",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["accepted"].clone(), v["rejected"].clone()),
        (json!(1), json!(1)),
        "{v}"
    );
    assert_eq!(v["errors"][0]["line"], 2);

    let (_, v) = api
        .get(Some(&tok.ops), "/api/v1/terminals/T9/timeline")
        .await;
    assert_eq!(v["txns"][0]["pan"], "621700*********1237", "{v}");
    assert!(v["txns"][0].get("track2").is_none());
    assert_eq!(
        v["errors"][0]["detail"],
        "card 621700*********1237 declined"
    );
    server.stop().await;
    // Nothing on disk holds the full card number.
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        raw.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let needle = b"6217001234567891237";
    assert!(
        !raw.windows(needle.len()).any(|w| w == needle),
        "a full PAN reached the disk"
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_stream_live_and_survive_a_restart() {
    let data = temp_dir("live");
    let tok = tokens(&data);
    let server = start(&data).await;
    let api = Api::new(&server);
    // Subscribe before the records arrive.
    let mut stream = api
        .http
        .get(format!(
            "{}/api/v1/stream?token={}&lang=en",
            api.base, tok.m1
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    api.ingest(&tok.ingest, &fleet(60)).await;
    let mut seen = String::new();
    let got = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(chunk) = stream.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: incident") && seen.contains("event: diagnosis") {
                return true;
            }
        }
        false
    })
    .await;
    assert!(matches!(got, Ok(true)), "the stream carried: {seen}");
    assert!(seen.contains("\"S1\""), "{seen}");
    assert!(
        !seen.contains("T2-"),
        "merchant M1 saw M2's terminal: {seen}"
    );
    drop(stream);
    api.settled().await;
    let (_, before) = api.get(Some(&tok.ops), "/api/v1/incidents").await;
    let (_, d_before) = api
        .get(Some(&tok.ops), "/api/v1/diagnoses?limit=1000")
        .await;
    assert!(!before["incidents"].as_array().unwrap().is_empty());
    server.stop().await;

    // Restarted, the engine replays the store: the same incidents and
    // diagnoses, none twice.
    let server = start(&data).await;
    let api = Api::new(&server);
    api.settled().await;
    let (_, after) = api.get(Some(&tok.ops), "/api/v1/incidents").await;
    let (_, d_after) = api
        .get(Some(&tok.ops), "/api/v1/diagnoses?limit=1000")
        .await;
    let ids = |v: &Value| -> Vec<String> {
        v["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| format!("{}{}", i["incident_id"], i["scope"]))
            .collect()
    };
    assert_eq!(ids(&before), ids(&after));
    assert_eq!(
        d_before["diagnoses"].as_array().unwrap().len(),
        d_after["diagnoses"].as_array().unwrap().len()
    );
    server.stop().await;
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_troubleshooting_and_the_service_endpoints() {
    let data = temp_dir("misc");
    let tok = tokens(&data);
    let server = start(&data).await;
    let api = Api::new(&server);
    let (s, v) = api
        .get(Some(&tok.m1), "/api/v1/explain/E1?vendor=pax&lang=en")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["meanings"].as_array().is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    assert!(v["causes"][0]["title"].is_string());

    // A session asks, takes answers, and ends at a cause with its fix.
    let (s, mut v) = api
        .post(
            &tok.m1,
            "/api/v1/troubleshoot",
            json!({"code": "E1", "vendor": "pax", "lang": "zh"}).to_string(),
            "application/json",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let sid = v["session_id"].as_str().unwrap().to_string();
    let mut asked = 0;
    while let Some(check) = v["step"]["ask"]["check"].as_str().map(String::from) {
        asked += 1;
        assert!(asked < 40, "the session never ends");
        // Everything is fine but the router.
        let result = if check.contains("router") {
            "fail"
        } else {
            "ok"
        };
        let (s, next) = api
            .post(
                &tok.m1,
                &format!("/api/v1/troubleshoot/{sid}/answer"),
                json!({"check": check, "result": result, "lang": "zh"}).to_string(),
                "application/json",
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{next}");
        v = next;
    }
    assert!(
        v["step"]["done"]["fix"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{v}"
    );
    // Another token cannot steer the session.
    let (s, _) = api
        .post(
            &tok.ops,
            &format!("/api/v1/troubleshoot/{sid}/answer"),
            json!({"check": "router_restarted", "result": "ok"}).to_string(),
            "application/json",
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Every path the OpenAPI document names is served (not the router's
    // own 404), and the service endpoints answer.
    let (s, doc) = api.get(None, "/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if path == "/api/v1/stream" {
            // Never ends; it is read in its own test.
            continue;
        }
        let concrete = path.replace("{id}", "X").replace("{code}", "E1");
        for method in ops.as_object().unwrap().keys() {
            let req = match method.as_str() {
                "get" => api.http.get(format!("{}{concrete}", api.base)),
                "post" => api.http.post(format!("{}{concrete}", api.base)),
                m => panic!("method {m}"),
            };
            let r = req.bearer_auth(&tok.admin).send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            assert!(
                status != StatusCode::NOT_FOUND || body.contains("no such"),
                "{method} {path}: {status} {body}"
            );
        }
    }
    let (_, m) = api.get(None, "/metrics").await;
    assert!(
        m.as_str()
            .unwrap()
            .contains("posdoc_records_accepted_total")
    );
    assert_eq!(api.get(None, "/healthz").await.0, StatusCode::OK);
    let (s, html) = api.get(None, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.as_str().unwrap().contains("<html"));
    server.stop().await;
    let _ = std::fs::remove_dir_all(&data);
}

/// A webhook receiver: answers 200 to every request and hands over the
/// bodies.
async fn receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<Value>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        continue;
                    };
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() < len {
                        continue;
                    }
                    let _ = tx.send(serde_json::from_str(&body[..len]).unwrap());
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                        .await;
                    buf.clear();
                }
            });
        }
    });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_hears_the_incident_open_and_close() {
    let data = temp_dir("hook");
    let tok = tokens(&data);
    let (url, mut bodies) = receiver().await;
    let cfg = Config {
        listen: "127.0.0.1:0".into(),
        data: data.clone(),
        webhooks: vec![posdoc_server::alerts::WebhookConfig {
            url,
            format: posdoc_server::alerts::WebhookFormat::Generic,
            lang: None,
        }],
        ..Config::default()
    };
    let kb = Arc::new(posdoc_kb::Kb::builtin().unwrap());
    let server = posdoc_server::start(&cfg, kb).await.unwrap();
    let api = Api::new(&server);
    // Shop 1 is down from minute 20 to 40; its incident closes ten quiet
    // minutes later and is announced closed once the half hour it could
    // still resume in has passed: minute 80.
    api.ingest(&tok.ingest, &fleet(85)).await;
    let mut events = Vec::new();
    let heard = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(b) = bodies.recv().await {
            events.push(b["event"].as_str().unwrap_or_default().to_string());
            if b["event"] == "incident.closed" {
                return b;
            }
        }
        Value::Null
    })
    .await
    .expect("the webhook heard the incident close");
    assert_eq!(
        events.first().map(String::as_str),
        Some("incident.opened"),
        "{events:?}"
    );
    assert_eq!(heard["incident"]["scope"]["site_id"], "S1", "{heard}");
    assert!(
        heard["text"].as_str().is_some_and(|t| t.contains("S1")),
        "{heard}"
    );
    server.stop().await;
    let _ = std::fs::remove_dir_all(&data);
}
