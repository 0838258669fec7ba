//! The HTTP API (docs/API.md): ingestion, queries, troubleshooting
//! sessions, the live stream, and the service's own endpoints.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use posdoc_engine::{Answer, Session, Step};
use posdoc_kb::{Kb, Lang};
use posdoc_record::{Cause, Record, parse_line, scrub_json};
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_stream::StreamExt;

use crate::auth::{self, Caller, Role};
use crate::live::{Live, LiveEvent};
use crate::metrics::Metrics;
use crate::store::{AuditRow, NewRecord, Store, Summary, Write};

/// Everything a handler needs.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub live: Live,
    pub kb: Arc<Kb>,
    pub metrics: Arc<Metrics>,
    pub sessions: Mutex<HashMap<String, TroubleSession>>,
    pub alerts: Arc<crate::alerts::AlertStats>,
}

/// A troubleshooting session held in memory.
#[derive(Debug)]
pub struct TroubleSession {
    session: Session,
    token_id: i64,
    last_used: Instant,
}

/// Sessions idle longer than this are forgotten.
const SESSION_IDLE: Duration = Duration::from_secs(3600);
/// At most this many sessions are held (the oldest idle goes first).
const SESSIONS_MAX: usize = 10_000;
/// Largest request body accepted (an ingestion batch).
const BODY_MAX: usize = 64 << 20;

type Shared = Arc<AppState>;

/// An error answer: a status and a sentence.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        tracing::error!("internal error: {e:#}");
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::from(anyhow::Error::from(e))
    }
}

fn unauthorized() -> ApiError {
    ApiError(
        StatusCode::UNAUTHORIZED,
        "missing or unknown token (Authorization: Bearer TOKEN)".into(),
    )
}

fn forbidden() -> ApiError {
    ApiError(StatusCode::FORBIDDEN, "not allowed for this token".into())
}

fn not_found(what: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("no such {what}"))
}

fn bad_request(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, msg.into())
}

/// The caller behind the request's bearer token (or, where allowed, its
/// `token` query parameter).
fn caller(
    st: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> Result<Caller, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .or(query_token)
        .ok_or_else(unauthorized)?;
    st.store
        .readers
        .with(|c| auth::check(c, token))?
        .ok_or_else(unauthorized)
}

fn reader(st: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let c = caller(st, headers, None)?;
    if !c.reads() {
        return Err(forbidden());
    }
    Ok(c)
}

#[derive(Debug, Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

fn lang_of(s: Option<&str>) -> Lang {
    match s {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::from(anyhow::anyhow!("task failed: {e}")))?
}

/// Runs blocking store work for a handler, with the shared state.
async fn on_store<T: Send + 'static>(
    st: &Shared,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let st = Arc::clone(st);
    blocking(move || f(&st)).await
}

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/v1/records", post(post_records))
        .route("/api/v1/overview", get(overview))
        .route("/api/v1/incidents", get(incidents))
        .route("/api/v1/incidents/{id}", get(incident))
        .route("/api/v1/terminals", get(terminals))
        .route("/api/v1/terminals/{id}", get(terminal))
        .route("/api/v1/terminals/{id}/timeline", get(timeline))
        .route("/api/v1/diagnoses", get(diagnoses))
        .route("/api/v1/explain/{code}", get(explain))
        .route("/api/v1/troubleshoot", post(troubleshoot_start))
        .route(
            "/api/v1/troubleshoot/{id}/answer",
            post(troubleshoot_answer),
        )
        .route("/api/v1/stream", get(stream))
        .route("/api/v1/audit", get(audit))
        .route("/openapi.json", get(openapi))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(crate::assets::router())
        .layer(DefaultBodyLimit::max(BODY_MAX))
        .with_state(state)
}

// ---------------------------------------------------------------- ingestion

/// Splits a body into numbered lines: JSON Lines, or a JSON array's
/// elements (numbered from 1 like lines).
fn body_lines(body: &str) -> Result<Vec<(usize, std::borrow::Cow<'_, str>)>, String> {
    let trimmed = body.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(trimmed)
            .map_err(|e| format!("the JSON array does not parse: {e}"))?;
        return Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, std::borrow::Cow::Owned(v.to_string())))
            .collect());
    }
    Ok(body
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, std::borrow::Cow::Borrowed(l)))
        .collect())
}

/// What an inventory record changes in the store's tables.
/// One line of records as a store row: parsed, card data scrubbed.
/// `Ok(None)` for a blank or comment line. The error never quotes a card
/// number.
pub(crate) fn row_of(line: &str) -> Result<Option<NewRecord>, String> {
    let r = match parse_line(line) {
        Ok(Some(r)) => r,
        Ok(None) => return Ok(None),
        Err(e) => return Err(posdoc_record::scrub_text(&e.to_string()).into_owned()),
    };
    let mut v: Value = serde_json::from_str(line.trim()).map_err(|e| e.to_string())?;
    scrub_json(&mut v);
    Ok(Some(NewRecord {
        ts: r.ts().map(|t| t.0.div_euclid(1000)),
        kind: r.kind().to_string(),
        terminal_id: r.terminal_id().map(str::to_string),
        body: v.to_string(),
        summary: summary_of(&r),
    }))
}

fn summary_of(r: &Record) -> Summary {
    match r {
        Record::Terminal(t) => Summary::Terminal {
            merchant_id: t.merchant_id.clone(),
            site_id: t.site_id.clone(),
            vendor: t.vendor.clone(),
            model: t.model.clone(),
            network: t.network.as_ref().map(|n| format!("{n:?}").to_lowercase()),
        },
        Record::Site(s) => Summary::Site {
            site_id: s.site_id.clone(),
            merchant_id: Some(s.merchant_id.clone()),
        },
        Record::Merchant(m) => Summary::Merchant {
            merchant_id: m.merchant_id.clone(),
        },
        _ => Summary::None,
    }
}

async fn post_records(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let who = caller(&st, &headers, None)?;
    if !who.ingests() {
        return Err(forbidden());
    }
    let (rows, errors) = blocking(move || {
        let text = std::str::from_utf8(&body).map_err(|e| {
            bad_request(format!(
                "the body is not UTF-8 (byte {}): records are JSON text",
                e.valid_up_to()
            ))
        })?;
        let lines = body_lines(text).map_err(bad_request)?;
        let mut rows = Vec::with_capacity(lines.len());
        let mut errors = Vec::new();
        for (n, line) in lines {
            match row_of(&line) {
                Ok(Some(row)) => rows.push(row),
                Ok(None) => {}
                Err(e) => errors.push(json!({"line": n, "reason": format!("line {n}: {e}")})),
            }
        }
        Ok((rows, errors))
    })
    .await?;
    let accepted = rows.len();
    let rejected = errors.len();
    if accepted > 0 {
        let (done, wait) = tokio::sync::oneshot::channel();
        st.store.writer.send(Write::Records {
            rows,
            audit: Some(AuditRow {
                token_id: Some(who.token_id),
                role: Some(who.role.id().into()),
                action: "records.ingest".into(),
                detail: format!("{accepted} accepted, {rejected} rejected"),
            }),
            done,
        })?;
        wait.await
            .map_err(|_| ApiError::from(anyhow::anyhow!("the store writer stopped")))??;
    }
    st.metrics
        .records_accepted
        .fetch_add(accepted as u64, Ordering::Relaxed);
    st.metrics
        .records_rejected
        .fetch_add(rejected as u64, Ordering::Relaxed);
    st.metrics.ingest_batches.fetch_add(1, Ordering::Relaxed);
    Ok(Json(json!({
        "accepted": accepted,
        "rejected": rejected,
        "errors": errors,
    })))
}

// ------------------------------------------------------------------ queries

/// The store's clock: the latest record time seen (the fleet's "now",
/// which is not the wall clock when records are replayed or simulated).
fn clock(c: &rusqlite::Connection) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT coalesce(max(last_seen), 0) FROM terminals",
        [],
        |r| r.get(0),
    )
}

fn parse_json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

/// The terminals of an incident body that a caller may see, or `None` when
/// it touches none of them.
fn visible_incident(st: &AppState, who: &Caller, mut v: Value) -> Option<Value> {
    if who.sees_fleet() {
        return Some(v);
    }
    let dir = st.live.directory.read().ok()?;
    let mine: Vec<Value> = v["terminals"]
        .as_array()?
        .iter()
        .filter(|t| {
            t.as_str()
                .is_some_and(|t| who.sees_merchant(dir.get(t).map(String::as_str)))
        })
        .cloned()
        .collect();
    if mine.is_empty() {
        return None;
    }
    v["terminals"] = Value::Array(mine);
    Some(v)
}

fn body_col(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "body_zh",
        Lang::En => "body_en",
    }
}

async fn overview(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let lang = lang_of(q.lang.as_deref());
    on_store(&st, move |st| {
        let v = st.store.readers.with(|c| {
            let now = clock(c)?;
            let six_h = now - 6 * 3600;
            let m = who.merchant_id.clone().unwrap_or_default();
            let mfilter = if who.sees_fleet() { "1" } else { "merchant_id = ?1" };
            let bind = |sql: &str| -> rusqlite::Result<i64> {
                if who.sees_fleet() {
                    c.query_row(sql, [], |r| r.get(0))
                } else {
                    c.query_row(sql, [&m], |r| r.get(0))
                }
            };
            let terminals = bind(&format!(
                "SELECT count(*) FROM terminals WHERE vendor IS NOT NULL AND {mfilter}"
            ))?;
            let online = bind(&format!(
                "SELECT count(*) FROM terminals WHERE online = 1 AND last_seen >= {} AND {mfilter}",
                now - 600
            ))?;
            let mut rate = Vec::new();
            {
                let mut s = c.prepare_cached(
                    "SELECT minute, txns, failed, errors FROM minute_stats
                     WHERE merchant_id = ?1 AND minute >= ?2 ORDER BY minute",
                )?;
                let key = if who.sees_fleet() { String::new() } else { m.clone() };
                let mut rows = s.query(params![key, six_h])?;
                while let Some(r) = rows.next()? {
                    rate.push(json!({
                        "t": posdoc_record::Ts::from_secs(r.get(0)?).to_string(),
                        "txns": r.get::<_, i64>(1)?,
                        "failed": r.get::<_, i64>(2)?,
                        "errors": r.get::<_, i64>(3)?,
                    }));
                }
            }
            let hour_from = six_h.div_euclid(3600) * 3600;
            let key = if who.sees_fleet() { String::new() } else { m.clone() };
            let mut worst = Vec::new();
            {
                let mut s = c.prepare_cached(
                    "SELECT st.site_id, sum(st.n) AS n, s.body FROM site_stats st LEFT JOIN sites s ON s.site_id = st.site_id
                     WHERE st.merchant_id = ?1 AND st.hour >= ?2
                     GROUP BY st.site_id ORDER BY n DESC, st.site_id LIMIT 5",
                )?;
                let mut rows = s.query(params![key, hour_from])?;
                while let Some(r) = rows.next()? {
                    let body: Option<String> = r.get(2)?;
                    let name = body
                        .map(|b| parse_json(&b)["name"].clone())
                        .unwrap_or(Value::Null);
                    worst.push(json!({
                        "site_id": r.get::<_, String>(0)?,
                        "name": name,
                        "failures": r.get::<_, i64>(1)?,
                    }));
                }
            }
            let mut causes = Vec::new();
            {
                let mut s = c.prepare_cached(
                    "SELECT cause, sum(n) AS n FROM cause_stats WHERE merchant_id = ?1 AND hour >= ?2
                     GROUP BY cause ORDER BY n DESC, cause LIMIT 6",
                )?;
                let mut rows = s.query(params![key, hour_from])?;
                while let Some(r) = rows.next()? {
                    let cause: String = r.get(0)?;
                    let title = Cause::parse(&cause)
                        .map(|c| st.kb.cause(c).title.get(lang).to_string())
                        .unwrap_or_default();
                    causes.push(json!({"cause": cause, "title": title, "count": r.get::<_, i64>(1)?}));
                }
            }
            let open: Vec<Value> = {
                let mut s = c.prepare_cached(
                    "SELECT body_en FROM incidents WHERE closed_at IS NULL AND merged = 0",
                )?;
                let rows = s.query_map([], |r| r.get::<_, String>(0))?;
                rows.filter_map(Result::ok)
                    .filter_map(|b| visible_incident(st, &who, parse_json(&b)))
                    .collect()
            };
            let records: i64 = if who.sees_fleet() {
                c.query_row("SELECT coalesce(max(id), 0) FROM records", [], |r| r.get(0))?
            } else {
                0
            };
            let diagnoses: i64 = c.query_row(
                "SELECT coalesce(sum(n), 0) FROM cause_stats WHERE merchant_id = ?1",
                [&key],
                |r| r.get(0),
            )?;
            Ok(json!({
                "now": posdoc_record::Ts::from_secs(now).to_string(),
                "terminals": terminals,
                "online": online,
                "open_incidents": open.len(),
                "failure_rate": rate,
                "worst_sites": worst,
                "top_causes": causes,
                "records": records,
                "diagnoses": diagnoses,
            }))
        })?;
        Ok(v)
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize)]
pub struct IncidentsQuery {
    state: Option<String>,
    limit: Option<i64>,
    lang: Option<String>,
}

async fn incidents(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<IncidentsQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let lang = lang_of(q.lang.as_deref());
    let filter = match q.state.as_deref() {
        None | Some("") | Some("all") => "",
        Some("open") => "AND closed_at IS NULL",
        Some("closed") => "AND closed_at IS NOT NULL",
        Some(other) => {
            return Err(bad_request(format!(
                "state must be open or closed, not `{other}`"
            )));
        }
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    on_store(&st, move |st| {
        let list = st.store.readers.with(|c| {
            let mut s = c.prepare(&format!(
                "SELECT {}, updated_at FROM incidents WHERE merged = 0 {filter} ORDER BY seq DESC",
                body_col(lang)
            ))?;
            let mut rows = s.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let mut v = parse_json(&r.get::<_, String>(0)?);
                v["updated_at"] = posdoc_record::Ts::from_secs(r.get(1)?).to_string().into();
                if let Some(v) = visible_incident(st, &who, v) {
                    out.push(v);
                    if out.len() as i64 >= limit {
                        break;
                    }
                }
            }
            Ok(out)
        })?;
        Ok(Json(json!({ "incidents": list })))
    })
    .await
}

async fn incident(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let lang = lang_of(q.lang.as_deref());
    on_store(&st, move |st| {
        let row: Option<(String, i64)> = st.store.readers.with(|c| {
            Ok(c.query_row(
                &format!("SELECT {}, updated_at FROM incidents WHERE incident_id = ?1", body_col(lang)),
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })?;
        let Some((body, updated)) = row else {
            return Err(if who.sees_fleet() { not_found("incident") } else { forbidden() });
        };
        let mut v = parse_json(&body);
        v["updated_at"] = posdoc_record::Ts::from_secs(updated).to_string().into();
        let Some(mut v) = visible_incident(st, &who, v) else {
            return Err(forbidden());
        };
        let (timeline, diagnoses, evidence) = st.store.readers.with(|c| {
            let mut timeline = Vec::new();
            let mut s = c.prepare_cached(
                "SELECT ts, event, terminals FROM incident_timeline WHERE incident_id = ?1 ORDER BY ts, rowid",
            )?;
            let mut rows = s.query([&id])?;
            while let Some(r) = rows.next()? {
                timeline.push(json!({
                    "t": posdoc_record::Ts::from_secs(r.get(0)?).to_string(),
                    "event": r.get::<_, String>(1)?,
                    "terminals": r.get::<_, i64>(2)?,
                }));
            }
            let mut diagnoses = Vec::new();
            let mut counts: HashMap<(String, String), i64> = HashMap::new();
            let mut s = c.prepare_cached(&format!(
                "SELECT {}, merchant_id FROM diagnoses WHERE incident_id = ?1 ORDER BY id DESC LIMIT 200",
                body_col(lang)
            ))?;
            let mut rows = s.query([&id])?;
            while let Some(r) = rows.next()? {
                let m: Option<String> = r.get(1)?;
                if !who.sees_merchant(m.as_deref()) {
                    continue;
                }
                let d = parse_json(&r.get::<_, String>(0)?);
                for e in d["evidence"].as_array().into_iter().flatten() {
                    let sig = e["signal"].as_str().unwrap_or_default();
                    if sig.starts_with("no:") {
                        continue;
                    }
                    let text = e["text"].as_str().unwrap_or_default();
                    *counts.entry((sig.to_string(), text.to_string())).or_default() += 1;
                }
                if diagnoses.len() < 50 {
                    diagnoses.push(d);
                }
            }
            let mut evidence: Vec<_> = counts.into_iter().collect();
            evidence.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let evidence: Vec<Value> = evidence
                .into_iter()
                .take(12)
                .map(|((signal, text), count)| json!({"signal": signal, "text": text, "count": count}))
                .collect();
            Ok((timeline, diagnoses, evidence))
        })?;
        v["timeline"] = timeline.into();
        v["diagnoses"] = diagnoses.into();
        v["evidence"] = evidence.into();
        Ok(Json(v))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct TerminalsQuery {
    q: Option<String>,
    limit: Option<i64>,
}

async fn terminals(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<TerminalsQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    on_store(&st, move |st| {
        let list = st.store.readers.with(|c| {
            let now = clock(c)?;
            let pattern = format!("{}%", q.q.unwrap_or_default().replace(['%', '_'], ""));
            let mut s = c.prepare_cached(
                "SELECT t.terminal_id, t.vendor, t.model, t.merchant_id, t.site_id, t.network, t.last_seen, t.online,
                   (SELECT count(*) FROM diagnoses d WHERE d.terminal_id = t.terminal_id AND d.ts >= ?4),
                   (SELECT top_cause FROM diagnoses d WHERE d.terminal_id = t.terminal_id ORDER BY d.id DESC LIMIT 1)
                 FROM terminals t
                 WHERE t.vendor IS NOT NULL AND (?1 = '' OR t.merchant_id = ?1)
                   AND (?2 = '%' OR t.terminal_id LIKE ?2 OR t.site_id LIKE ?2 OR t.merchant_id LIKE ?2)
                 ORDER BY t.last_error DESC, t.terminal_id LIMIT ?3",
            )?;
            let m = if who.sees_fleet() { String::new() } else { who.merchant_id.clone().unwrap_or_default() };
            let mut rows = s.query(params![m, pattern, limit, now - 24 * 3600])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let last_seen: Option<i64> = r.get(6)?;
                out.push(json!({
                    "terminal_id": r.get::<_, String>(0)?,
                    "vendor": r.get::<_, Option<String>>(1)?,
                    "model": r.get::<_, Option<String>>(2)?,
                    "merchant_id": r.get::<_, Option<String>>(3)?,
                    "site_id": r.get::<_, Option<String>>(4)?,
                    "network": r.get::<_, Option<String>>(5)?,
                    "last_seen": last_seen.map(|t| posdoc_record::Ts::from_secs(t).to_string()),
                    "online": r.get::<_, Option<bool>>(7)?.unwrap_or(false) && last_seen.is_some_and(|t| t >= now - 600),
                    "errors_24h": r.get::<_, i64>(8)?,
                    "last_cause": r.get::<_, Option<String>>(9)?,
                }));
            }
            Ok(out)
        })?;
        Ok(Json(json!({ "terminals": list })))
    })
    .await
}

/// The terminal's merchant, after checking the caller may see it. A
/// merchant token gets 403 for a terminal that is not its own and for one
/// that does not exist alike: guessing ids tells it nothing.
fn terminal_access(st: &AppState, who: &Caller, id: &str) -> Result<(), ApiError> {
    let merchant: Option<Option<String>> = st.store.readers.with(|c| {
        Ok(c.query_row(
            "SELECT merchant_id FROM terminals WHERE terminal_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
    })?;
    match merchant {
        Some(m) if who.sees_merchant(m.as_deref()) => Ok(()),
        None if who.sees_fleet() => Err(not_found("terminal")),
        _ => Err(forbidden()),
    }
}

async fn terminal(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let lang = lang_of(q.lang.as_deref());
    on_store(&st, move |st| {
        terminal_access(st, &who, &id)?;
        let v = st.store.readers.with(|c| {
            let (inventory, telemetry, last_seen, online): (Option<String>, Option<String>, Option<i64>, Option<bool>) =
                c.query_row(
                    "SELECT inventory, telemetry, last_seen, online FROM terminals WHERE terminal_id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
            // The error lines of the terminal, to show each diagnosis with
            // the stage and log line it came from.
            let mut lines: HashMap<(String, String), (Value, Value)> = HashMap::new();
            let mut s = c.prepare_cached(
                "SELECT body FROM records WHERE terminal_id = ?1 AND kind = 'error' ORDER BY id DESC LIMIT 100",
            )?;
            let mut rows = s.query([&id])?;
            while let Some(r) = rows.next()? {
                let e = parse_json(&r.get::<_, String>(0)?);
                let key = (
                    e["ts"].as_str().unwrap_or_default().to_string(),
                    e["code"].as_str().unwrap_or_default().to_string(),
                );
                lines.entry(key).or_insert((e["stage"].clone(), e["detail"].clone()));
            }
            let mut errors = Vec::new();
            let mut s = c.prepare_cached(&format!(
                "SELECT {} FROM diagnoses WHERE terminal_id = ?1 ORDER BY id DESC LIMIT 20",
                body_col(lang)
            ))?;
            let mut rows = s.query([&id])?;
            while let Some(r) = rows.next()? {
                let d = parse_json(&r.get::<_, String>(0)?);
                let key = (
                    d["ts"].as_str().unwrap_or_default().to_string(),
                    d["code"].as_str().unwrap_or_default().to_string(),
                );
                let (stage, detail) = lines.get(&key).cloned().unwrap_or((Value::Null, Value::Null));
                errors.push(json!({
                    "ts": d["ts"], "code": d["code"], "stage": stage, "detail": detail, "diagnosis": d,
                }));
            }
            let incident_id = errors
                .first()
                .map(|e| e["diagnosis"]["incident_id"].clone())
                .unwrap_or(Value::Null);
            Ok(json!({
                "terminal": inventory.as_deref().map(parse_json).unwrap_or_else(|| json!({"terminal_id": id})),
                "latest_telemetry": telemetry.as_deref().map(parse_json),
                "last_seen": last_seen.map(|t| posdoc_record::Ts::from_secs(t).to_string()),
                "online": online,
                "recent_errors": errors,
                "incident_id": incident_id,
            }))
        })?;
        Ok(Json(v))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct LimitQuery {
    limit: Option<i64>,
}

async fn timeline(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LimitQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    on_store(&st, move |st| {
        terminal_access(st, &who, &id)?;
        let v = st.store.readers.with(|c| {
            let mut out = serde_json::Map::new();
            for (key, kind) in [("telemetry", "telemetry"), ("txns", "txn"), ("errors", "error")] {
                let mut s = c.prepare_cached(
                    "SELECT body FROM records WHERE terminal_id = ?1 AND kind = ?2 ORDER BY id DESC LIMIT ?3",
                )?;
                let mut items: Vec<Value> = s
                    .query_map(params![id, kind, limit], |r| r.get::<_, String>(0))?
                    .filter_map(Result::ok)
                    .map(|b| parse_json(&b))
                    .collect();
                items.reverse();
                out.insert(key.into(), items.into());
            }
            Ok(Value::Object(out))
        })?;
        Ok(Json(v))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct DiagnosesQuery {
    terminal_id: Option<String>,
    incident_id: Option<String>,
    limit: Option<i64>,
    lang: Option<String>,
}

async fn diagnoses(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<DiagnosesQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let lang = lang_of(q.lang.as_deref());
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    on_store(&st, move |st| {
        if let Some(t) = &q.terminal_id {
            terminal_access(st, &who, t)?;
        }
        let list = st.store.readers.with(|c| {
            // Only the conditions asked for, so each can use its index.
            let mut conds = Vec::new();
            let mut args: Vec<String> = Vec::new();
            let merchant = (!who.sees_fleet()).then(|| who.merchant_id.clone().unwrap_or_default());
            for (col, v) in [
                ("terminal_id", &q.terminal_id),
                ("incident_id", &q.incident_id),
                ("merchant_id", &merchant),
            ] {
                if let Some(v) = v {
                    args.push(v.clone());
                    conds.push(format!("{col} = ?{}", args.len()));
                }
            }
            let sql = format!(
                "SELECT {} FROM diagnoses {} {} ORDER BY id DESC LIMIT {limit}",
                body_col(lang),
                if conds.is_empty() { "" } else { "WHERE" },
                conds.join(" AND ")
            );
            let mut s = c.prepare_cached(&sql)?;
            let rows = s.query_map(rusqlite::params_from_iter(args.iter()), |r| {
                r.get::<_, String>(0)
            })?;
            Ok(rows
                .filter_map(Result::ok)
                .map(|b| parse_json(&b))
                .collect::<Vec<_>>())
        })?;
        Ok(Json(json!({ "diagnoses": list })))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct ExplainQuery {
    vendor: Option<String>,
    model: Option<String>,
    lang: Option<String>,
}

async fn explain(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<ExplainQuery>,
) -> Result<Json<Value>, ApiError> {
    reader(&st, &headers)?;
    Ok(Json(posdoc_engine::report::explain_json(
        &st.kb,
        &code,
        q.vendor.as_deref().filter(|v| !v.is_empty()),
        q.model.as_deref().filter(|v| !v.is_empty()),
        lang_of(q.lang.as_deref()),
    )))
}

// ---------------------------------------------------------- troubleshooting

#[derive(Debug, Deserialize)]
pub struct StartBody {
    code: Option<String>,
    vendor: Option<String>,
    model: Option<String>,
    terminal_id: Option<String>,
    lang: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AnswerBody {
    check: String,
    result: Value,
    lang: Option<String>,
}

/// A session's state as the API shows it.
fn session_view(kb: &Kb, id: &str, s: &Session, lang: Lang) -> Value {
    let mut leading: Vec<(usize, f64)> = s.posterior().iter().copied().enumerate().collect();
    leading.sort_by(|a, b| b.1.total_cmp(&a.1));
    let leading: Vec<Value> = leading
        .into_iter()
        .take(5)
        .map(|(i, p)| {
            let c = Cause::ALL[i];
            json!({"cause": c.id(), "title": kb.cause(c).title.get(lang), "p": (p * 1000.0).round() / 1000.0})
        })
        .collect();
    let step = match s.next() {
        Step::Ask { check, .. } => {
            let c = &kb.checks[check];
            json!({"ask": {
                "check": c.id, "who": c.who.id(), "cost_min": c.cost_min,
                "question": c.question.get(lang), "takes_value": c.takes_value(),
            }})
        }
        Step::Done {
            cause,
            p,
            confident,
        } => {
            let info = kb.cause(cause);
            let fix: Vec<&str> = info
                .cashier_steps
                .iter()
                .chain(info.technician_steps.iter())
                .map(|t| t.get(lang))
                .collect();
            json!({"done": {
                "cause": cause.id(), "title": info.title.get(lang), "p": (p * 1000.0).round() / 1000.0,
                "confident": confident, "fix": fix,
                "prevention": info.prevention.iter().map(|t| t.get(lang)).collect::<Vec<_>>(),
            }})
        }
    };
    json!({"session_id": id, "leading": leading, "step": step, "answered": s.history().len()})
}

async fn troubleshoot_start(
    State(st): State<Shared>,
    headers: HeaderMap,
    Json(b): Json<StartBody>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let lang = lang_of(b.lang.as_deref());
    let belief = if let Some(t) = &b.terminal_id {
        let (t2, who2) = (t.clone(), who.clone());
        let body: Option<String> = on_store(&st, move |st| {
            terminal_access(st, &who2, &t2)?;
            Ok(st.store.readers.with(|c| {
                Ok(c.query_row(
                    "SELECT body_en FROM diagnoses WHERE terminal_id = ?1 ORDER BY id DESC LIMIT 1",
                    [&t2],
                    |r| r.get(0),
                )
                .optional()?)
            })?)
        })
        .await?;
        let body = body.ok_or_else(|| not_found("failure diagnosed on this terminal"))?;
        let d = parse_json(&body);
        let mut v = [0.0; Cause::COUNT];
        let listed: Vec<(Cause, f64)> = d["causes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some((Cause::parse(c["cause"].as_str()?)?, c["p"].as_f64()?)))
            .collect();
        let rest = (1.0 - listed.iter().map(|x| x.1).sum::<f64>()).max(0.0);
        for x in v.iter_mut() {
            *x = (rest / Cause::COUNT as f64).max(1e-4);
        }
        for (c, p) in listed {
            v[c.index()] = p.max(1e-4);
        }
        v
    } else {
        let code = b
            .code
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| bad_request("give a code (with its vendor) or a terminal_id"))?;
        posdoc_engine::report::explain(&st.kb, code, b.vendor.as_deref(), b.model.as_deref()).prior
    };
    let session = Session::new(Arc::clone(&st.kb), belief);
    let mut raw = [0u8; 12];
    getrandom::fill(&mut raw).map_err(|e| ApiError::from(anyhow::anyhow!("no randomness: {e}")))?;
    let id: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let view = session_view(&st.kb, &id, &session, lang);
    let mut sessions = st
        .sessions
        .lock()
        .map_err(|_| ApiError::from(anyhow::anyhow!("sessions poisoned")))?;
    sessions.retain(|_, s| s.last_used.elapsed() < SESSION_IDLE);
    if sessions.len() >= SESSIONS_MAX
        && let Some(oldest) = sessions
            .iter()
            .min_by_key(|(_, s)| s.last_used)
            .map(|(k, _)| k.clone())
    {
        sessions.remove(&oldest);
    }
    sessions.insert(
        id,
        TroubleSession {
            session,
            token_id: who.token_id,
            last_used: Instant::now(),
        },
    );
    Ok(Json(view))
}

async fn troubleshoot_answer(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(b): Json<AnswerBody>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&st, &headers)?;
    let lang = lang_of(b.lang.as_deref());
    let answer = match &b.result {
        Value::String(s) => Answer::parse(s),
        Value::Number(n) => n.as_f64().map(Answer::Value),
        _ => None,
    }
    .ok_or_else(|| bad_request("result must be ok, fail, skip or a number"))?;
    let view = {
        let mut sessions = st
            .sessions
            .lock()
            .map_err(|_| ApiError::from(anyhow::anyhow!("sessions poisoned")))?;
        let s = sessions
            .get_mut(&id)
            .ok_or_else(|| not_found("troubleshooting session"))?;
        // A session is its starter's: another token cannot steer it.
        if s.token_id != who.token_id {
            return Err(forbidden());
        }
        s.session.answer(&b.check, answer).map_err(bad_request)?;
        s.last_used = Instant::now();
        session_view(&st.kb, &id, &s.session, lang)
    };
    st.store.writer.send(Write::Audit(AuditRow {
        token_id: Some(who.token_id),
        role: Some(who.role.id().into()),
        action: "troubleshoot.answer".into(),
        detail: format!("session {id}: {} = {}", b.check, b.result),
    }))?;
    Ok(Json(view))
}

// -------------------------------------------------------------- live stream

#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    token: Option<String>,
    lang: Option<String>,
}

async fn stream(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let who = caller(&st, &headers, q.token.as_deref())?;
    if !who.reads() {
        return Err(forbidden());
    }
    let lang = lang_of(q.lang.as_deref());
    let rx = st.live.events.subscribe();
    let st2 = Arc::clone(&st);
    let events = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(move |e| {
        let e = e.ok()?;
        let pick = |zh: &Arc<Value>, en: &Arc<Value>| match lang {
            Lang::Zh => Arc::clone(zh),
            Lang::En => Arc::clone(en),
        };
        match e {
            LiveEvent::Incident { zh, en } => {
                let v = visible_incident(&st2, &who, (*pick(&zh, &en)).clone())?;
                Some(Ok(Event::default().event("incident").data(v.to_string())))
            }
            LiveEvent::Diagnosis {
                terminal_id,
                zh,
                en,
            } => {
                if !who.sees_fleet() {
                    let dir = st2.live.directory.read().ok()?;
                    if !who.sees_merchant(dir.get(&terminal_id).map(String::as_str)) {
                        return None;
                    }
                }
                Some(Ok(Event::default()
                    .event("diagnosis")
                    .data(pick(&zh, &en).to_string())))
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

// ------------------------------------------------------------------- admin

async fn audit(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LimitQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = caller(&st, &headers, None)?;
    if who.role != Role::Admin {
        return Err(forbidden());
    }
    let limit = q.limit.unwrap_or(100).clamp(1, 10_000);
    on_store(&st, move |st| {
        let list = st.store.readers.with(|c| {
            let mut s = c.prepare_cached(
                "SELECT ts, token_id, role, action, detail FROM audit ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = s.query_map([limit], |r| {
                Ok(json!({
                    "ts": r.get::<_, String>(0)?,
                    "token_id": r.get::<_, Option<i64>>(1)?,
                    "role": r.get::<_, Option<String>>(2)?,
                    "action": r.get::<_, String>(3)?,
                    "detail": r.get::<_, Option<String>>(4)?,
                }))
            })?;
            Ok(rows.filter_map(Result::ok).collect::<Vec<_>>())
        })?;
        Ok(Json(json!({ "audit": list })))
    })
    .await
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::assets::OPENAPI,
    )
}

async fn metrics(State(st): State<Shared>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.metrics.render(&st.live.progress, &st.alerts),
    )
}

async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(st): State<Shared>) -> Response {
    let p = &st.live.progress;
    let ready = p.ready.load(Ordering::Acquire);
    let body = Json(json!({
        "ready": ready,
        "records_committed": p.committed_id.load(Ordering::Relaxed),
        "records_diagnosed": p.done_id.load(Ordering::Relaxed),
    }));
    if ready {
        body.into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}
