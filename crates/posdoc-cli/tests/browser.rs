//! The dashboard in a real browser: headless Chromium (Debian's
//! `chromium`, installed by `.ci/run`) driven over the DevTools protocol
//! against `posdoc demo`. It logs in, waits for an incident from the demo
//! fleet, opens it, checks what is shown, switches the language, opens a
//! terminal, and looks up E1.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

mod common;
use common::free_port;

/// Kills its child when dropped, so a failed assertion leaves no process.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> String {
    std::env::var("POSDOC_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Standard base64 (the screenshots DevTools sends).
fn base64_decode(text: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in text.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// A DevTools connection to one page.
struct Page {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
}

impl Page {
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.ws
            .send(Message::Text(
                json!({"id": id, "method": method, "params": params})
                    .to_string()
                    .into(),
            ))
            .await
            .unwrap();
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(30), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{method}: no answer"))
                .unwrap()
                .unwrap();
            if let Message::Text(t) = msg {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["id"] == id {
                    assert!(v.get("error").is_none(), "{method}: {v}");
                    return v["result"].clone();
                }
            }
        }
    }

    /// Evaluates JavaScript in the page, awaiting a promise, and returns
    /// its value.
    async fn eval(&mut self, js: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": js, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        assert!(r.get("exceptionDetails").is_none(), "{js}: {r}");
        r["result"]["value"].clone()
    }

    /// Polls `js` until it is truthy; its value.
    async fn wait_for(&mut self, what: &str, js: &str, secs: u64) -> Value {
        let began = Instant::now();
        loop {
            let v = self.eval(js).await;
            if !(v.is_null() || v == false || v == "" || v == 0) {
                return v;
            }
            if began.elapsed() > Duration::from_secs(secs) {
                let body = self
                    .eval("document.body ? document.body.innerText.slice(0, 2000) : ''")
                    .await;
                panic!("waited {secs} s for {what}; the page shows: {body}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn click(&mut self, selector: &str) {
        let ok = self
            .eval(&format!(
                "(() => {{ const e = document.querySelector({s}); if (!e) return false; e.click(); return true; }})()",
                s = json!(selector)
            ))
            .await;
        assert_eq!(ok, true, "nothing to click at {selector}");
    }

    /// Saves a screenshot under `$POSDOC_SCREENSHOTS`, when set: for a
    /// person to look at what the test saw.
    async fn snap(&mut self, name: &str) {
        let Ok(dir) = std::env::var("POSDOC_SCREENSHOTS") else {
            return;
        };
        let shot = self
            .call("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        let png = base64_decode(shot["data"].as_str().unwrap_or_default());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }

    async fn text(&mut self, selector: &str) -> String {
        self.eval(&format!(
            "(document.querySelector({s}) || {{}}).innerText || ''",
            s = json!(selector)
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_the_demo_fleets_incident_in_both_languages() {
    assert!(
        std::path::Path::new(&chromium()).exists(),
        "the browser test needs Chromium at {} (`apt-get install -y chromium`, as .ci/run does, or set POSDOC_CHROMIUM)",
        chromium()
    );
    // The demo service, fast.
    let port = free_port();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_posdoc"))
        .args([
            "--lang",
            "en",
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--speed",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let _demo = Killed(demo);
    let mut token = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(t) = line.strip_prefix("token: ") {
            token = Some(t.trim().to_string());
            break;
        }
    }
    let token = token.expect("posdoc demo printed a token");
    let base = format!("http://127.0.0.1:{port}/");

    // Chromium, headless, on its own profile.
    let profile = std::env::temp_dir().join(format!("posdoc-chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let cdp_port = free_port();
    let browser = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            &format!("--remote-debugging-port={cdp_port}"),
            &format!("--user-data-dir={}", profile.display()),
            "about:blank",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _browser = Killed(browser);
    let http = reqwest::Client::new();
    let began = Instant::now();
    let ws_url = loop {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{cdp_port}/json/list"))
            .send()
            .await
            && let Ok(v) = r.json::<Value>().await
            && let Some(u) = v
                .as_array()
                .and_then(|a| a.iter().find(|t| t["type"] == "page"))
                .and_then(|t| t["webSocketDebuggerUrl"].as_str())
        {
            break u.to_string();
        }
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "Chromium did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (ws, _) = tokio_tungstenite::connect_async(ws_url).await.unwrap();
    let mut page = Page { ws, next_id: 0 };
    page.call("Page.enable", json!({})).await;

    // Log in with the printed token.
    page.call("Page.navigate", json!({"url": base})).await;
    // The form is in the page before the script has taken it over; the
    // script gives the field its placeholder when it has.
    page.wait_for(
        "the login form",
        "(document.querySelector('#login-token') || {}).placeholder",
        30,
    )
    .await;
    page.eval(&format!(
        "document.querySelector('#login-token').value = {}; true",
        json!(token)
    ))
    .await;
    page.click("#login-submit").await;
    // Chinese first: the default.
    let lang = page.eval("document.documentElement.lang").await;
    assert!(lang.as_str().unwrap().starts_with("zh"), "{lang}");

    // An incident from the demo fleet appears, live.
    page.wait_for(
        "an open incident",
        "document.querySelectorAll('#open-incidents a.incident-link').length",
        150,
    )
    .await;
    page.click("#open-incidents a.incident-link").await;
    let scope = page
        .wait_for(
            "the incident page",
            "(document.querySelector('#incident-scope') || {}).innerText",
            30,
        )
        .await;
    assert!(scope.as_str().unwrap().contains("site_id"), "{scope}");
    page.snap("incident-zh").await;
    let cause = page.text("#incident-cause").await;
    assert!(!cause.trim().is_empty(), "no cause shown");
    let members = page
        .wait_for(
            "its terminals",
            "document.querySelectorAll('#incident-terminals a.terminal-link').length",
            30,
        )
        .await;
    assert!(members.as_u64().unwrap() >= 2, "{members}");

    // Switch to English: the page and the server's texts follow.
    page.click("#lang-switch").await;
    page.wait_for(
        "English",
        "document.documentElement.lang.startsWith('en')",
        10,
    )
    .await;
    let cause_en = page
        .wait_for(
            "the cause in English",
            "(() => { const t = (document.querySelector('#incident-cause') || {}).innerText || ''; return /[A-Za-z]{4}/.test(t) && !/[\\u4e00-\\u9fff]/.test(t) ? t : ''; })()",
            20,
        )
        .await;
    assert!(!cause_en.as_str().unwrap().is_empty());

    page.snap("incident-en").await;
    // Drill into a member terminal: its errors with their diagnoses.
    page.click("#incident-terminals a.terminal-link").await;
    page.wait_for(
        "the terminal's errors",
        "(document.querySelector('#terminal-errors') || {}).innerText",
        30,
    )
    .await;

    page.snap("terminal-en").await;
    // Look up E1 on a PAX terminal.
    page.call("Page.navigate", json!({"url": format!("{base}#/explain")}))
        .await;
    page.wait_for(
        "the explain form",
        "!!document.querySelector('#explain-code')",
        30,
    )
    .await;
    page.eval(
        "document.querySelector('#explain-code').value = 'E1'; \
         document.querySelector('#explain-vendor').value = 'pax'; true",
    )
    .await;
    page.click("#explain-submit").await;
    let explained = page
        .wait_for(
            "the explanation",
            "(document.querySelector('#explain-result') || {}).innerText",
            20,
        )
        .await;
    page.snap("explain-en").await;
    assert!(
        explained.as_str().unwrap().contains('%'),
        "meanings come with their weights: {explained}"
    );
    let _ = std::fs::remove_dir_all(&profile);
}
