//! Incident notifications to webhooks: a generic JSON hook, DingTalk custom
//! robots (钉钉自定义机器人) and WeCom group robots (企业微信群机器人).
//!
//! This module owns the whole path from "an incident opened, grew or closed"
//! to a message in an ops team's chat: the message bodies in Chinese and
//! English, one delivery queue and task per webhook, retries with backoff,
//! and the counters that tell whether alerts got through.
//!
//! Ingestion never waits on a webhook. [`Alerter::send`] only pushes onto a
//! bounded in-memory queue and returns; a robot that is slow, down or rate
//! limiting us costs queued alerts, never accepted records. Each webhook has
//! its own task so that one dead endpoint does not delay the others, and a
//! single task per webhook keeps that webhook's alerts in order (an incident's
//! "closed" never arrives before its "opened").
//!
//! Webhook URLs of DingTalk and WeCom carry their credential in the query
//! (`access_token=`, `key=`), so URLs only ever reach logs through [`redact`].

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Notify;
use tracing::{debug, warn};

/// Alerts waiting per webhook. At the robots' limit of about 20 messages a
/// minute this is most of an hour of backlog: beyond that, old news.
pub const QUEUE_CAPACITY: usize = 1024;

/// Terminal ids listed in a message; the rest are only counted, because a
/// chat message naming 300 terminals is read by nobody.
const MAX_LISTED_TERMINALS: usize = 10;

/// WeCom rejects a markdown `content` longer than 4096 bytes outright; a cut
/// message is better than none.
const WECOM_MAX_CONTENT_BYTES: usize = 4096;

/// One webhook from the server configuration.
#[derive(Clone, Deserialize)]
pub struct WebhookConfig {
    pub url: String,
    #[serde(default)]
    pub format: WebhookFormat,
    /// `"zh"` or `"en"`; absent means both languages in one message.
    #[serde(default)]
    pub lang: Option<String>,
}

// Written by hand rather than derived: a derived Debug would print the
// robot's access token to whatever logs the configuration.
impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &redact(&self.url))
            .field("format", &self.format)
            .field("lang", &self.lang)
            .finish()
    }
}

impl WebhookConfig {
    /// Refuses a configuration that could never deliver, so that the server
    /// can reject it at startup instead of discovering it at the first
    /// incident. [`Alerter::start`] skips (with a warning) hooks whose URL
    /// fails this, and treats an unknown `lang` as both languages.
    pub fn check(&self) -> anyhow::Result<()> {
        parse_url(&self.url)?;
        match self.lang.as_deref() {
            None | Some("zh") | Some("en") => Ok(()),
            Some(other) => bail!(
                "webhook {}: lang must be \"zh\" or \"en\" (or absent for both), not {other:?}",
                redact(&self.url)
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    #[default]
    Generic,
    Dingtalk,
    Wecom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    Opened,
    Updated,
    Closed,
}

impl AlertKind {
    fn as_str(self) -> &'static str {
        match self {
            AlertKind::Opened => "opened",
            AlertKind::Updated => "updated",
            AlertKind::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub kind: AlertKind,
    /// The contract's `incident` record: `incident_id`, `opened_at`,
    /// `closed_at`?, `scope`, `cause`, `p`, `title`, `terminals`,
    /// `merged_into`?. Its `title` is in the server's language, which is why
    /// both titles also come separately.
    pub incident: Value,
    pub title_zh: String,
    pub title_en: String,
    /// The dashboard's base address; messages link to
    /// `{dashboard_url}#/incidents/{incident_id}`.
    pub dashboard_url: Option<String>,
}

/// Delivery counters over all webhooks; one alert sent to two webhooks counts
/// twice. Every (webhook, alert) pair ends in exactly one of `sent`, `failed`
/// or `dropped`, or is still queued or in flight.
#[derive(Debug, Default)]
pub struct AlertStats {
    pub sent: AtomicU64,
    /// Gave up after `RetryPolicy::attempts` tries.
    pub failed: AtomicU64,
    /// Attempts after the first (a delivery on the 3rd try adds 2).
    pub retried: AtomicU64,
    /// Evicted from a full queue before being tried.
    pub dropped: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries per alert and webhook, the first included; 0 is taken as 1.
    pub attempts: u32,
    /// Wait before the first retry; it doubles for each next one.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Whole request: connecting, sending and reading the answer.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Handle to the per-webhook delivery tasks. Cheap to clone; when the last
/// clone is dropped the tasks deliver what is still queued and then end.
#[derive(Debug, Clone)]
pub struct Alerter {
    hooks: Arc<Hooks>,
    stats: Arc<AlertStats>,
}

impl Alerter {
    /// Spawns one delivery task per webhook on the current tokio runtime.
    /// With no webhooks, [`send`](Alerter::send) is a no-op.
    ///
    /// A webhook whose URL is unusable (see [`WebhookConfig::check`]) is
    /// skipped with a warning rather than failing the server.
    ///
    /// # Panics
    /// If `hooks` has a usable webhook and this is called outside a tokio
    /// runtime.
    pub fn start(hooks: Vec<WebhookConfig>, retry: RetryPolicy) -> Alerter {
        let stats = Arc::new(AlertStats::default());
        let mut queues = Vec::with_capacity(hooks.len());
        let mut client: Option<reqwest::Client> = None;
        for cfg in hooks {
            let label = redact(&cfg.url);
            let url = match parse_url(&cfg.url) {
                Ok(url) => url,
                Err(e) => {
                    warn!(webhook = %label, error = %e, "webhook disabled: unusable url");
                    continue;
                }
            };
            if let Err(e) = cfg.check() {
                warn!(webhook = %label, error = %e, "webhook lang ignored: sending both languages");
            }
            // One client for all hooks so connections and TLS sessions are
            // pooled; built lazily so a server without hooks never sets up TLS.
            let client = client.get_or_insert_with(|| build_client(&retry)).clone();
            let queue = Arc::new(HookQueue::new(label.clone()));
            let hook = Hook {
                url,
                format: cfg.format,
                lang: cfg.lang,
                label,
            };
            tokio::spawn(deliver_loop(
                hook,
                Arc::clone(&queue),
                client,
                retry,
                Arc::clone(&stats),
            ));
            queues.push(queue);
        }
        Alerter {
            hooks: Arc::new(Hooks(queues)),
            stats,
        }
    }

    /// Never blocks and never fails: queues the alert for every webhook.
    ///
    /// When a webhook's queue is full the OLDEST queued alert is dropped (and
    /// counted in `dropped`), not the new one. A backlog that long means the
    /// endpoint has been failing or throttling for a long time; what the team
    /// needs when it comes back is the current state of incidents — above all
    /// the "closed" that ends an alarm — not a replay of stale openings while
    /// the newest news is thrown away.
    pub fn send(&self, alert: Alert) {
        // The last hook takes the alert itself; only the others need a copy.
        let Some((last, others)) = self.hooks.0.split_last() else {
            return;
        };
        for queue in others {
            self.enqueue(queue, alert.clone());
        }
        self.enqueue(last, alert);
    }

    fn enqueue(&self, queue: &HookQueue, alert: Alert) {
        if queue.push(alert) {
            let dropped = self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            // A storm would otherwise write one line per dropped alert.
            if dropped.is_power_of_two() {
                warn!(
                    webhook = %queue.label,
                    dropped_total = dropped,
                    "alert queue full: dropped the oldest alert"
                );
            }
        }
    }

    pub fn stats(&self) -> Arc<AlertStats> {
        Arc::clone(&self.stats)
    }
}

#[derive(Debug)]
struct Hooks(Vec<Arc<HookQueue>>);

impl Drop for Hooks {
    fn drop(&mut self) {
        for queue in &self.0 {
            queue.close();
        }
    }
}

/// A bounded FIFO that evicts at the front. tokio's mpsc cannot drop its
/// oldest item from the sending side, hence a deque under a lock that is
/// held only for a push or a pop, never across an await.
#[derive(Debug)]
struct HookQueue {
    /// The redacted URL, for logs.
    label: String,
    state: Mutex<QueueState>,
    wake: Notify,
}

#[derive(Debug, Default)]
struct QueueState {
    alerts: VecDeque<Alert>,
    closed: bool,
}

enum Next {
    Alert(Alert),
    Empty,
    Closed,
}

impl HookQueue {
    fn new(label: String) -> Self {
        HookQueue {
            label,
            state: Mutex::new(QueueState::default()),
            wake: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // Nothing panics while holding the lock, but if something ever did,
        // alerts matter more than the poison flag.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Returns whether an older alert was evicted to make room.
    fn push(&self, alert: Alert) -> bool {
        let evicted = {
            let mut state = self.lock();
            let evicted = if state.alerts.len() >= QUEUE_CAPACITY {
                state.alerts.pop_front().is_some()
            } else {
                false
            };
            state.alerts.push_back(alert);
            evicted
        };
        // notify_one stores a permit when the task is not waiting yet, so a
        // push between its empty check and its wait is not lost.
        self.wake.notify_one();
        evicted
    }

    fn pop(&self) -> Next {
        let mut state = self.lock();
        match state.alerts.pop_front() {
            Some(alert) => Next::Alert(alert),
            None if state.closed => Next::Closed,
            None => Next::Empty,
        }
    }

    fn close(&self) {
        self.lock().closed = true;
        self.wake.notify_one();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().alerts.len()
    }
}

/// What a delivery task knows of its webhook; unlike [`HookQueue`] it holds
/// the URL with its secret, and is never logged.
struct Hook {
    url: reqwest::Url,
    format: WebhookFormat,
    lang: Option<String>,
    label: String,
}

async fn deliver_loop(
    hook: Hook,
    queue: Arc<HookQueue>,
    client: reqwest::Client,
    retry: RetryPolicy,
    stats: Arc<AlertStats>,
) {
    loop {
        match queue.pop() {
            Next::Alert(alert) => deliver(&hook, &client, &retry, &stats, &alert).await,
            Next::Empty => queue.wake.notified().await,
            Next::Closed => return,
        }
    }
}

async fn deliver(
    hook: &Hook,
    client: &reqwest::Client,
    retry: &RetryPolicy,
    stats: &AlertStats,
    alert: &Alert,
) {
    let payload = body(hook.format, alert, hook.lang.as_deref());
    let attempts = retry.attempts.max(1);
    let incident_id = alert
        .incident
        .get("incident_id")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let mut last_error = String::new();
    for attempt in 1..=attempts {
        if attempt > 1 {
            tokio::time::sleep(backoff(retry, attempt - 1)).await;
            stats.retried.fetch_add(1, Ordering::Relaxed);
        }
        match post(client, hook, &payload, retry.timeout).await {
            Ok(()) => {
                stats.sent.fetch_add(1, Ordering::Relaxed);
                debug!(webhook = %hook.label, incident = incident_id, kind = alert.kind.as_str(), attempt, "alert delivered");
                return;
            }
            Err(e) => {
                debug!(webhook = %hook.label, incident = incident_id, attempt, error = %e, "alert attempt failed");
                last_error = e;
            }
        }
    }
    stats.failed.fetch_add(1, Ordering::Relaxed);
    warn!(
        webhook = %hook.label,
        format = ?hook.format,
        incident = incident_id,
        kind = alert.kind.as_str(),
        attempts,
        error = %last_error,
        "gave up delivering incident alert"
    );
}

/// One attempt. The error is a sentence for the log, already free of the URL.
async fn post(
    client: &reqwest::Client,
    hook: &Hook,
    payload: &Value,
    timeout: Duration,
) -> Result<(), String> {
    let response = client
        .post(hook.url.clone())
        .timeout(timeout)
        .json(payload)
        .send()
        .await
        .map_err(describe)?;
    let status = response.status();
    let answer = response.bytes().await.map_err(describe)?;
    if !status.is_success() {
        return Err(format!("HTTP {status}: {}", snippet(&answer)));
    }
    match hook.format {
        WebhookFormat::Generic => Ok(()),
        // Both robots answer 200 to everything, with the verdict in errcode
        // (a missing keyword, a bad token, sending too fast).
        WebhookFormat::Dingtalk | WebhookFormat::Wecom => errcode_verdict(&answer),
    }
}

fn errcode_verdict(answer: &[u8]) -> Result<(), String> {
    let parsed: Option<Value> = serde_json::from_slice(answer).ok();
    let code = parsed
        .as_ref()
        .and_then(|v| v.get("errcode"))
        .and_then(Value::as_i64);
    match code {
        Some(0) => Ok(()),
        Some(code) => {
            let msg = parsed
                .as_ref()
                .and_then(|v| v.get("errmsg"))
                .and_then(Value::as_str)
                .unwrap_or("");
            Err(format!("errcode {code}: {msg}"))
        }
        // Without an errcode nothing says the robot took the message.
        None => Err(format!("answer without errcode: {}", snippet(answer))),
    }
}

/// reqwest puts the full URL, token included, in its errors' Display.
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn snippet(answer: &[u8]) -> String {
    String::from_utf8_lossy(answer).chars().take(200).collect()
}

/// Wait before retry `n` (1 for the first retry): doubling from
/// `first_backoff`, capped at `max_backoff`, then shortened by up to 20% so
/// that hooks failing together do not retry in lockstep. The jitter comes from
/// the clock's nanoseconds, which is random enough for spreading retries.
fn backoff(retry: &RetryPolicy, n: u32) -> Duration {
    let base = retry
        .first_backoff
        .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)))
        .min(retry.max_backoff);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let cut = f64::from(nanos % 1000) / 1000.0 * 0.2;
    base.mul_f64(1.0 - cut)
}

fn build_client(retry: &RetryPolicy) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(retry.timeout)
        // A robot endpoint that redirects is misconfigured; following it
        // would turn the POST into a GET and report success for nothing.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("posdoc/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|e| {
            warn!(error = %describe(e), "webhook client setup failed; using defaults");
            reqwest::Client::new()
        })
}

fn parse_url(url: &str) -> anyhow::Result<reqwest::Url> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| anyhow!("webhook url {}: {e}", redact(url)))?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => bail!(
            "webhook url {}: scheme {other:?} is not http(s)",
            redact(url)
        ),
    }
    if parsed.host_str().is_none() {
        bail!("webhook url {}: no host", redact(url));
    }
    Ok(parsed)
}

/// A webhook URL fit for logs: scheme, host, port and path only. The query
/// (DingTalk's `access_token`, WeCom's `key`) and any user:password are
/// replaced by `…`.
pub fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let had_query = parsed.query().is_some();
            let had_user = !parsed.username().is_empty() || parsed.password().is_some();
            parsed.set_query(None);
            parsed.set_fragment(None);
            // set_username fails only for URLs that cannot have one, which
            // then have none to hide.
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("");
            let mut text = parsed.to_string();
            if had_user && let Some(at) = text.find("://") {
                text.insert_str(at + 3, "…@");
            }
            if had_query {
                text.push_str("?…");
            }
            text
        }
        Err(_) => "<unparseable url>".to_string(),
    }
}

// ---------------------------------------------------------------------------
// Message bodies

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Zh,
    En,
}

fn langs(lang: Option<&str>) -> &'static [Lang] {
    match lang {
        Some("zh") => &[Lang::Zh],
        Some("en") => &[Lang::En],
        // Ops teams in China often include non-Chinese readers and vice
        // versa; both languages is the safe default.
        _ => &[Lang::Zh, Lang::En],
    }
}

/// The facts of an alert every message is made of, read once from the
/// incident record (which may lack any of them).
struct Facts<'a> {
    id: &'a str,
    scope: String,
    cause: Option<&'a str>,
    percent: Option<u32>,
    terminals: Vec<&'a str>,
    opened_at: Option<&'a str>,
    closed_at: Option<&'a str>,
    merged_into: Option<&'a str>,
    link: Option<String>,
}

impl<'a> Facts<'a> {
    fn of(alert: &'a Alert) -> Self {
        let inc = &alert.incident;
        let text = |key: &str| inc.get(key).and_then(Value::as_str);
        let id = text("incident_id").unwrap_or("?");
        let scope = match inc.get("scope") {
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}={s}"),
                    other => format!("{k}={other}"),
                })
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        };
        let percent = inc
            .get("p")
            .and_then(Value::as_f64)
            .filter(|p| p.is_finite())
            .map(|p| (p.clamp(0.0, 1.0) * 100.0).round() as u32);
        let terminals = inc
            .get("terminals")
            .and_then(Value::as_array)
            .map(|ts| ts.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let link = alert
            .dashboard_url
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| format!("{d}#/incidents/{id}"));
        Facts {
            id,
            scope,
            cause: text("cause"),
            percent,
            terminals,
            opened_at: text("opened_at"),
            closed_at: text("closed_at"),
            merged_into: text("merged_into"),
            link,
        }
    }

    fn listed_terminals(&self, lang: Lang) -> String {
        let n = self.terminals.len();
        let shown = self.terminals[..n.min(MAX_LISTED_TERMINALS)].join(", ");
        let rest = n.saturating_sub(MAX_LISTED_TERMINALS);
        match (lang, rest) {
            (Lang::Zh, _) if n == 0 => "0 台".to_string(),
            (Lang::En, _) if n == 0 => "0".to_string(),
            (Lang::Zh, 0) => format!("{n} 台:{shown}"),
            (Lang::Zh, _) => format!("{n} 台:{shown} 等"),
            (Lang::En, 0) => format!("{n}: {shown}"),
            (Lang::En, _) => format!("{n}: {shown} and {rest} more"),
        }
    }
}

fn headline(lang: Lang, kind: AlertKind, id: &str) -> String {
    // "posdoc" in every title and text lets a DingTalk robot use it as its
    // security keyword.
    match (lang, kind) {
        (Lang::Zh, AlertKind::Opened) => format!("【posdoc】故障事件已开启 {id}"),
        (Lang::Zh, AlertKind::Updated) => format!("【posdoc】故障事件有新终端加入 {id}"),
        (Lang::Zh, AlertKind::Closed) => format!("【posdoc】故障事件已恢复 {id}"),
        (Lang::En, AlertKind::Opened) => format!("[posdoc] Incident opened {id}"),
        (Lang::En, AlertKind::Updated) => format!("[posdoc] New terminals joined {id}"),
        (Lang::En, AlertKind::Closed) => format!("[posdoc] Incident resolved {id}"),
    }
}

fn cause_text(lang: Lang, alert: &Alert, f: &Facts<'_>) -> String {
    let title = match lang {
        Lang::Zh => alert.title_zh.as_str(),
        Lang::En => alert.title_en.as_str(),
    };
    let mut text = title.to_string();
    if let Some(cause) = f.cause {
        text.push_str(&match lang {
            Lang::Zh => format!("({cause})"),
            Lang::En => format!(" ({cause})"),
        });
    }
    if let Some(p) = f.percent {
        text.push_str(&match lang {
            Lang::Zh => format!(",可能性 {p}%"),
            Lang::En => format!(", {p}% likely"),
        });
    }
    text
}

/// The labelled lines of one language's message, in reading order.
fn fields(lang: Lang, alert: &Alert, f: &Facts<'_>) -> Vec<(&'static str, String)> {
    let zh = lang == Lang::Zh;
    let mut out = Vec::new();
    if !f.scope.is_empty() {
        out.push((if zh { "范围" } else { "Scope" }, f.scope.clone()));
    }
    out.push((
        if zh { "原因" } else { "Cause" },
        cause_text(lang, alert, f),
    ));
    out.push((
        if zh { "终端" } else { "Terminals" },
        f.listed_terminals(lang),
    ));
    if let Some(t) = f.opened_at {
        out.push((if zh { "开始时间" } else { "Opened at" }, t.to_string()));
    }
    if let Some(t) = f.closed_at {
        out.push((if zh { "恢复时间" } else { "Closed at" }, t.to_string()));
    }
    if let Some(m) = f.merged_into {
        out.push((if zh { "已并入" } else { "Merged into" }, m.to_string()));
    }
    out
}

/// One language's message as markdown; `br` is the line break the robot
/// renders (DingTalk wants two spaces before the newline).
fn markdown(lang: Lang, alert: &Alert, f: &Facts<'_>, br: &str) -> String {
    let colon = if lang == Lang::Zh { ":" } else { ": " };
    let mut lines = vec![format!("### {}", headline(lang, alert.kind, f.id))];
    for (label, value) in fields(lang, alert, f) {
        lines.push(format!("**{label}**{colon}{value}"));
    }
    if let Some(link) = &f.link {
        let label = match lang {
            Lang::Zh => "在看板中查看",
            Lang::En => "Open in dashboard",
        };
        lines.push(format!("[{label}]({link})"));
    }
    // The heading needs a blank line after it to render as one in DingTalk.
    let (head, rest) = lines.split_at(1);
    format!("{}\n\n{}", head[0], rest.join(br))
}

fn one_line(lang: Lang, alert: &Alert, f: &Facts<'_>) -> String {
    let mut parts = vec![cause_text(lang, alert, f)];
    if !f.scope.is_empty() {
        parts.push(f.scope.clone());
    }
    let n = f.terminals.len();
    parts.push(match lang {
        Lang::Zh => format!("{n} 台终端"),
        Lang::En => format!("{n} terminals"),
    });
    let (colon, sep) = match lang {
        Lang::Zh => (":", ","),
        Lang::En => (": ", ", "),
    };
    format!(
        "{}{colon}{}",
        headline(lang, alert.kind, f.id),
        parts.join(sep)
    )
}

fn truncate_bytes(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max.saturating_sub('…'.len_utf8());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
}

/// The request body for one format (pure). `lang` is `Some("zh")`,
/// `Some("en")`, or anything else for both languages, Chinese first.
///
/// - Generic: `{"event": "incident.opened|updated|closed", "incident": {...},
///   "text": "<zh line> / <en line>", "dashboard_url": "<link to this
///   incident>" or null}`.
/// - DingTalk: `{"msgtype": "markdown", "markdown": {"title", "text"}}`.
/// - WeCom: `{"msgtype": "markdown", "markdown": {"content"}}`.
pub fn body(format: WebhookFormat, alert: &Alert, lang: Option<&str>) -> Value {
    let f = Facts::of(alert);
    let langs = langs(lang);
    match format {
        WebhookFormat::Generic => {
            let text = langs
                .iter()
                .map(|&l| one_line(l, alert, &f))
                .collect::<Vec<_>>()
                .join(" / ");
            json!({
                "event": format!("incident.{}", alert.kind.as_str()),
                "incident": alert.incident,
                "text": text,
                "dashboard_url": f.link,
            })
        }
        WebhookFormat::Dingtalk => {
            // The title is what the chat list and the phone notification show.
            let title = langs
                .iter()
                .map(|&l| headline(l, alert.kind, f.id))
                .collect::<Vec<_>>()
                .join(" / ");
            let text = langs
                .iter()
                .map(|&l| markdown(l, alert, &f, "  \n"))
                .collect::<Vec<_>>()
                .join("\n\n");
            json!({"msgtype": "markdown", "markdown": {"title": title, "text": text}})
        }
        WebhookFormat::Wecom => {
            let mut content = langs
                .iter()
                .map(|&l| markdown(l, alert, &f, "\n"))
                .collect::<Vec<_>>()
                .join("\n\n");
            truncate_bytes(&mut content, WECOM_MAX_CONTENT_BYTES);
            json!({"msgtype": "markdown", "markdown": {"content": content}})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::{mpsc, oneshot};

    fn alert(kind: AlertKind, terminals: usize) -> Alert {
        let ids: Vec<String> = (1..=terminals).map(|i| format!("T{i:02}")).collect();
        let mut incident = json!({
            "incident_id": "INC-0001",
            "opened_at": "2026-11-03T10:00:00Z",
            "scope": {"carrier": "cmcc", "city": "hangzhou"},
            "cause": "network.cellular",
            "p": 0.814,
            "title": "蜂窝网络故障",
            "terminals": ids,
        });
        if kind == AlertKind::Closed {
            incident["closed_at"] = json!("2026-11-03T10:42:00Z");
        }
        Alert {
            kind,
            incident,
            title_zh: "蜂窝网络故障".to_string(),
            title_en: "Cellular network outage".to_string(),
            dashboard_url: Some("http://dash.example/".to_string()),
        }
    }

    fn fast_retry(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            attempts,
            first_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
            timeout: Duration::from_secs(2),
        }
    }

    fn hook(url: String, format: WebhookFormat) -> WebhookConfig {
        WebhookConfig {
            url,
            format,
            lang: None,
        }
    }

    #[derive(Debug)]
    struct Received {
        head: String,
        body: Value,
    }

    /// A real HTTP/1.1 endpoint on 127.0.0.1. It answers the n-th request
    /// with `replies[n]` (the last one repeats) and closes the connection,
    /// and hands every request to the test in arrival order.
    async fn receiver(
        replies: Vec<(u16, &'static str)>,
    ) -> (String, mpsc::UnboundedReceiver<Received>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::unbounded_channel();
        let count = Arc::new(AtomicUsize::new(0));
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let n = count.fetch_add(1, Ordering::SeqCst);
                let (status, answer) = replies[n.min(replies.len() - 1)];
                let tx = tx.clone();
                tokio::spawn(async move {
                    if let Some(req) = serve_one(stream, status, answer).await {
                        let _ = tx.send(req);
                    }
                });
            }
        });
        (base, rx)
    }

    async fn serve_one(mut stream: TcpStream, status: u16, answer: &str) -> Option<Received> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let length: usize = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or(Value::Null);
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
        stream.write_all(response.as_bytes()).await.ok()?;
        let _ = stream.shutdown().await;
        Some(Received { head, body })
    }

    async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
        tokio::time::timeout(Duration::from_secs(2), rx.recv())
            .await
            .expect("no request within 2 s")
            .expect("receiver ended")
    }

    async fn wait_until(what: &str, cond: impl Fn() -> bool) {
        let waited = tokio::time::timeout(Duration::from_secs(2), async {
            while !cond() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "timed out waiting for {what}");
    }

    fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn generic_hook_gets_opened_then_closed_in_order() {
        let (base, mut rx) = receiver(vec![(200, "")]).await;
        let alerter = Alerter::start(
            vec![hook(
                format!("{base}/hook?token=s3cret"),
                WebhookFormat::Generic,
            )],
            fast_retry(3),
        );
        alerter.send(alert(AlertKind::Opened, 3));
        alerter.send(alert(AlertKind::Closed, 3));

        let first = next(&mut rx).await;
        assert!(
            first.head.starts_with("POST /hook?token=s3cret HTTP/1.1"),
            "{}",
            first.head
        );
        assert!(
            first
                .head
                .to_ascii_lowercase()
                .contains("content-type: application/json")
        );
        assert_eq!(first.body["event"], "incident.opened");
        assert_eq!(first.body["incident"]["incident_id"], "INC-0001");
        assert_eq!(
            first.body["incident"]["terminals"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            first.body["dashboard_url"],
            "http://dash.example/#/incidents/INC-0001"
        );
        let text = first.body["text"].as_str().unwrap();
        assert!(!text.contains('\n'));
        let (zh, en) = text.split_once(" / ").unwrap();
        assert!(zh.contains("故障事件已开启") && zh.contains("81%"), "{zh}");
        assert!(
            en.contains("Incident opened") && en.contains("carrier=cmcc city=hangzhou"),
            "{en}"
        );

        let second = next(&mut rx).await;
        assert_eq!(second.body["event"], "incident.closed");
        assert_eq!(second.body["incident"]["closed_at"], "2026-11-03T10:42:00Z");

        let stats = alerter.stats();
        wait_until("2 sent", || get(&stats.sent) == 2).await;
        assert_eq!(
            get(&stats.failed) + get(&stats.retried) + get(&stats.dropped),
            0
        );
    }

    #[tokio::test]
    async fn server_errors_are_retried_until_delivered() {
        let (base, mut rx) = receiver(vec![(500, "oops"), (500, "oops"), (200, "")]).await;
        let alerter = Alerter::start(vec![hook(base, WebhookFormat::Generic)], fast_retry(6));
        alerter.send(alert(AlertKind::Opened, 2));
        for _ in 0..3 {
            assert_eq!(next(&mut rx).await.body["event"], "incident.opened");
        }
        let stats = alerter.stats();
        wait_until("1 sent", || get(&stats.sent) == 1).await;
        assert_eq!(get(&stats.retried), 2);
        assert_eq!(get(&stats.failed), 0);
    }

    #[tokio::test]
    async fn dingtalk_nonzero_errcode_fails_after_all_attempts() {
        let (base, mut rx) = receiver(vec![(
            200,
            r#"{"errcode":310000,"errmsg":"keywords not in content"}"#,
        )])
        .await;
        let url = format!("{base}/robot/send?access_token=t0ken");
        let alerter = Alerter::start(vec![hook(url, WebhookFormat::Dingtalk)], fast_retry(3));
        alerter.send(alert(AlertKind::Opened, 2));
        for _ in 0..3 {
            assert_eq!(next(&mut rx).await.body["msgtype"], "markdown");
        }
        let stats = alerter.stats();
        wait_until("1 failed", || get(&stats.failed) == 1).await;
        assert_eq!(get(&stats.sent), 0);
        assert_eq!(get(&stats.retried), 2);
        // No 4th attempt.
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn send_never_waits_on_a_silent_receiver_and_drops_the_oldest() {
        // Accepts connections and then never answers.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/silent", listener.local_addr().unwrap());
        let (accepted_tx, accepted) = oneshot::channel();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = accepted_tx.send(());
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(stream);
        });
        let retry = RetryPolicy {
            timeout: Duration::from_secs(60),
            ..fast_retry(1)
        };
        let alerter = Alerter::start(vec![hook(url, WebhookFormat::Wecom)], retry);

        // Once the first alert is on the wire the task is stuck with it, so
        // the queue's arithmetic below is exact.
        alerter.send(alert(AlertKind::Opened, 1));
        tokio::time::timeout(Duration::from_secs(2), accepted)
            .await
            .expect("no connection")
            .unwrap();
        for _ in 1..2000 {
            alerter.send(alert(AlertKind::Updated, 1));
        }

        let stats = alerter.stats();
        let queued = alerter.hooks.0[0].len() as u64;
        assert_eq!(queued, QUEUE_CAPACITY as u64);
        assert_eq!(get(&stats.dropped), 1999 - QUEUE_CAPACITY as u64);
        let in_flight = 1;
        assert_eq!(
            get(&stats.sent) + get(&stats.failed) + get(&stats.dropped) + queued + in_flight,
            2000
        );
    }

    #[tokio::test]
    async fn no_hooks_means_send_is_a_no_op() {
        let alerter = Alerter::start(Vec::new(), RetryPolicy::default());
        alerter.send(alert(AlertKind::Opened, 1));
        let stats = alerter.stats();
        assert_eq!(get(&stats.sent) + get(&stats.dropped), 0);
    }

    #[test]
    fn dingtalk_body_has_both_languages_by_default() {
        let b = body(WebhookFormat::Dingtalk, &alert(AlertKind::Opened, 12), None);
        assert_eq!(b["msgtype"], "markdown");
        let title = b["markdown"]["title"].as_str().unwrap();
        assert!(
            title.contains("故障事件已开启") && title.contains("Incident opened"),
            "{title}"
        );
        let text = b["markdown"]["text"].as_str().unwrap();
        for want in [
            "故障事件已开启 INC-0001",
            "Incident opened INC-0001",
            "carrier=cmcc city=hangzhou",
            "蜂窝网络故障(network.cellular),可能性 81%",
            "Cellular network outage (network.cellular), 81% likely",
            "12 台:T01",
            "T10 等",
            "and 2 more",
            "2026-11-03T10:00:00Z",
            "(http://dash.example/#/incidents/INC-0001)",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        assert!(!text.contains("T11"), "lists at most 10 terminals");
        assert!(text.find("故障事件").unwrap() < text.find("Incident").unwrap());
        assert!(text.contains("  \n"), "DingTalk line breaks");
    }

    #[test]
    fn dingtalk_body_in_one_language_when_set() {
        let b = body(
            WebhookFormat::Dingtalk,
            &alert(AlertKind::Closed, 2),
            Some("en"),
        );
        let text = b["markdown"]["text"].as_str().unwrap();
        assert!(text.contains("Incident resolved INC-0001"));
        assert!(text.contains("**Closed at**: 2026-11-03T10:42:00Z"));
        assert!(
            !text.contains("故障") && !b["markdown"]["title"].as_str().unwrap().contains("故障")
        );
    }

    #[test]
    fn wecom_body_shape_languages_and_link() {
        let a = alert(AlertKind::Updated, 2);
        let both = body(WebhookFormat::Wecom, &a, None);
        assert_eq!(both["msgtype"], "markdown");
        assert_eq!(both["markdown"].as_object().unwrap().len(), 1);
        let content = both["markdown"]["content"].as_str().unwrap();
        assert!(
            content.contains("故障事件有新终端加入") && content.contains("New terminals joined")
        );
        assert!(content.contains("[在看板中查看](http://dash.example/#/incidents/INC-0001)"));
        assert!(content.contains("[Open in dashboard](http://dash.example/#/incidents/INC-0001)"));

        let zh = body(WebhookFormat::Wecom, &a, Some("zh"));
        let content = zh["markdown"]["content"].as_str().unwrap();
        assert!(content.contains("**终端**:2 台:T01, T02"));
        assert!(!content.contains("Incident") && !content.contains("dashboard"));

        let no_dash = Alert {
            dashboard_url: None,
            ..a
        };
        let content = body(WebhookFormat::Wecom, &no_dash, None)["markdown"]["content"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!content.contains("#/incidents/"));
    }

    #[test]
    fn wecom_content_stays_within_its_byte_limit() {
        let mut a = alert(AlertKind::Opened, 1);
        a.title_zh = "很长的标题".repeat(400);
        let b = body(WebhookFormat::Wecom, &a, None);
        let content = b["markdown"]["content"].as_str().unwrap();
        assert!(content.len() <= WECOM_MAX_CONTENT_BYTES && content.ends_with('…'));
    }

    #[test]
    fn generic_body_in_one_language_and_without_dashboard() {
        let mut a = alert(AlertKind::Opened, 1);
        a.dashboard_url = None;
        let b = body(WebhookFormat::Generic, &a, Some("zh"));
        assert_eq!(b["dashboard_url"], Value::Null);
        let text = b["text"].as_str().unwrap();
        assert!(
            text.contains("故障事件已开启") && !text.contains(" / "),
            "{text}"
        );
    }

    #[test]
    fn urls_are_redacted_for_logs() {
        let r = redact("https://oapi.dingtalk.com/robot/send?access_token=SECRET");
        assert_eq!(r, "https://oapi.dingtalk.com/robot/send?…");
        let r = redact("https://user:pw@hooks.example:8443/x?key=SECRET");
        assert!(
            !r.contains("SECRET") && !r.contains("pw") && !r.contains("user"),
            "{r}"
        );
        assert_eq!(redact("not a url?key=SECRET"), "<unparseable url>");
        let cfg = hook(
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET".into(),
            WebhookFormat::Wecom,
        );
        assert!(!format!("{cfg:?}").contains("SECRET"));
    }

    #[test]
    fn config_parses_and_checks() {
        let cfg: WebhookConfig =
            serde_json::from_value(json!({"url": "https://x.example/h", "format": "dingtalk"}))
                .unwrap();
        assert_eq!(cfg.format, WebhookFormat::Dingtalk);
        assert_eq!(cfg.lang, None);
        assert!(cfg.check().is_ok());
        let cfg: WebhookConfig =
            serde_json::from_value(json!({"url": "https://x.example/h"})).unwrap();
        assert_eq!(cfg.format, WebhookFormat::Generic);
        let bad_lang = WebhookConfig {
            lang: Some("fr".into()),
            ..cfg.clone()
        };
        assert!(bad_lang.check().is_err());
        let bad_url = WebhookConfig {
            url: "ftp://x.example/h?key=SECRET".into(),
            ..cfg
        };
        let err = bad_url.check().unwrap_err().to_string();
        assert!(!err.contains("SECRET"), "{err}");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_a_little_jitter() {
        let retry = RetryPolicy::default();
        for (n, full) in [(1, 500), (2, 1000), (3, 2000), (7, 30_000), (40, 30_000)] {
            let d = backoff(&retry, n).as_millis();
            assert!(d <= full && d >= full * 8 / 10, "retry {n}: {d} ms");
        }
    }
}
