//! A TCP fault proxy that sits between POS terminals and the gateway and
//! reproduces wire-level failures: latency, lost requests and responses,
//! resets, corrupted and cut frames, wrong MACs, refused and silent
//! connections.
//!
//! The proxy understands only China UnionPay framing (a 2-byte big-endian
//! length, then the body), so every fault applies to whole frames. Each
//! connection draws its faults from its own [`Rng`] seeded from the proxy
//! seed and the connection number, so a run with the same seed and the same
//! traffic injects the same faults.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use posdoc_iso8583::{cup_frame_len, unframe_cup};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::{debug, info, warn};

use crate::rng::Rng;

/// XORed into the MAC by the `wrong_mac` fault. Every byte is non-zero so
/// every MAC byte changes, as it would with a different key.
const WRONG_MAC_PATTERN: [u8; 8] = [0xA5, 0x5A, 0xC3, 0x3C, 0x96, 0x69, 0x0F, 0xF0];

/// Fault settings; all rates are probabilities per frame (or per connection
/// for `refuse` and `silent`) in `[0, 1]`.
///
/// The compact text form (see [`FromStr`] and [`fmt::Display`]) is a comma
/// separated list such as `latency=50,jitter=20,drop=0.01,wrong-mac=1`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Delay added to every frame, both directions, in milliseconds.
    pub latency_ms: u64,
    /// Extra delay, uniform in `0..=jitter_ms`, added to every frame.
    pub jitter_ms: u64,
    /// A terminal→gateway request frame is silently discarded (the
    /// terminal times out).
    pub drop: f64,
    /// A gateway→terminal response frame is silently discarded (the gateway
    /// committed, the terminal times out and reverses).
    pub drop_response: f64,
    /// Instead of forwarding a frame (either direction), both sides are
    /// closed abruptly with an RST.
    pub reset: f64,
    /// One random bit of one random body byte of a request frame is flipped.
    pub corrupt: f64,
    /// A request frame is forwarded with its prefix but only part of its
    /// body, then the connection is closed.
    pub truncate: f64,
    /// A request frame carrying a MAC (primary bitmap bit 64 set) has its
    /// last 8 bytes XORed with a fixed pattern, as if the terminal held the
    /// wrong MAC key.
    pub wrong_mac: f64,
    /// Per connection: accepted, then closed without connecting upstream.
    pub refuse: f64,
    /// Per connection: upstream is connected, then both sides are closed
    /// without forwarding anything.
    pub silent: f64,
    /// Per connection, with a TLS front ([`Proxy::with_tls`]): the terminal
    /// is shown the expired certificate instead of the valid one.
    pub expired_cert: f64,
}

/// An item of a fault spec that [`Faults::from_str`] could not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad fault item `{item}`: {reason}")]
pub struct FaultSpecError {
    /// The offending item, as written.
    pub item: String,
    /// Why it was rejected.
    pub reason: String,
}

impl FromStr for Faults {
    type Err = FaultSpecError;

    /// Parses `name=value` items separated by commas; names may use `-` or
    /// `_`. Latency and jitter are whole milliseconds, rates are in
    /// `[0, 1]`. An empty spec or `none` means no faults; a repeated name
    /// keeps its last value.
    fn from_str(spec: &str) -> Result<Faults, FaultSpecError> {
        let mut faults = Faults::default();
        let spec = spec.trim();
        if spec.is_empty() || spec.eq_ignore_ascii_case("none") {
            return Ok(faults);
        }
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = |reason: String| FaultSpecError {
                item: item.to_string(),
                reason,
            };
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| bad("expected name=value".to_string()))?;
            let (name, value) = (name.trim(), value.trim());
            let millis = || {
                value
                    .parse::<u64>()
                    .map_err(|_| bad(format!("`{value}` is not a whole number of milliseconds")))
            };
            let rate = || match value.parse::<f64>() {
                Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
                Ok(_) => Err(bad(format!("rate `{value}` is not in [0, 1]"))),
                Err(_) => Err(bad(format!("rate `{value}` is not a number"))),
            };
            match name.to_ascii_lowercase().replace('-', "_").as_str() {
                "latency" | "latency_ms" => faults.latency_ms = millis()?,
                "jitter" | "jitter_ms" => faults.jitter_ms = millis()?,
                "drop" => faults.drop = rate()?,
                "drop_response" => faults.drop_response = rate()?,
                "reset" => faults.reset = rate()?,
                "corrupt" => faults.corrupt = rate()?,
                "truncate" => faults.truncate = rate()?,
                "wrong_mac" => faults.wrong_mac = rate()?,
                "refuse" => faults.refuse = rate()?,
                "silent" => faults.silent = rate()?,
                "expired_cert" => faults.expired_cert = rate()?,
                _ => {
                    return Err(bad(format!(
                        "unknown fault `{name}` (known: latency, jitter, drop, drop-response, \
                         reset, corrupt, truncate, wrong-mac, refuse, silent, expired-cert)"
                    )));
                }
            }
        }
        Ok(faults)
    }
}

impl fmt::Display for Faults {
    /// The compact spec accepted by [`Faults::from_str`], listing only the
    /// non-zero settings, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = [("latency", self.latency_ms), ("jitter", self.jitter_ms)];
        let rates = [
            ("drop", self.drop),
            ("drop-response", self.drop_response),
            ("reset", self.reset),
            ("corrupt", self.corrupt),
            ("truncate", self.truncate),
            ("wrong-mac", self.wrong_mac),
            ("refuse", self.refuse),
            ("silent", self.silent),
            ("expired-cert", self.expired_cert),
        ];
        let items: Vec<String> = millis
            .iter()
            .filter(|(_, v)| *v != 0)
            .map(|(n, v)| format!("{n}={v}"))
            .chain(
                rates
                    .iter()
                    .filter(|(_, v)| *v != 0.0)
                    .map(|(n, v)| format!("{n}={v}")),
            )
            .collect();
        if items.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&items.join(","))
        }
    }
}

/// Live counters of a [`Proxy`], shared by all its connections.
#[derive(Debug, Default)]
pub struct ProxyStats {
    /// Request frames read from terminals (before faults).
    pub frames_up: AtomicU64,
    /// Response frames read from the gateway (before faults).
    pub frames_down: AtomicU64,
    /// Request frames discarded by `drop`.
    pub dropped: AtomicU64,
    /// Response frames discarded by `drop_response`.
    pub dropped_responses: AtomicU64,
    /// Connections reset by `reset`.
    pub resets: AtomicU64,
    /// Request frames with a bit flipped by `corrupt`.
    pub corrupted: AtomicU64,
    /// Request frames cut by `truncate`.
    pub truncated: AtomicU64,
    /// Request frames whose MAC was spoiled by `wrong_mac`.
    pub wrong_mac: AtomicU64,
    /// Connections closed by `refuse`.
    pub refused: AtomicU64,
    /// Connections closed by `silent`.
    pub silent: AtomicU64,
    /// Connections shown the expired certificate by `expired_cert`.
    pub expired_certs: AtomicU64,
    /// TLS handshakes with terminals that failed.
    pub tls_failures: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
}

/// A point-in-time copy of [`ProxyStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyStatsSnapshot {
    /// See [`ProxyStats::frames_up`].
    pub frames_up: u64,
    /// See [`ProxyStats::frames_down`].
    pub frames_down: u64,
    /// See [`ProxyStats::dropped`].
    pub dropped: u64,
    /// See [`ProxyStats::dropped_responses`].
    pub dropped_responses: u64,
    /// See [`ProxyStats::resets`].
    pub resets: u64,
    /// See [`ProxyStats::corrupted`].
    pub corrupted: u64,
    /// See [`ProxyStats::truncated`].
    pub truncated: u64,
    /// See [`ProxyStats::wrong_mac`].
    pub wrong_mac: u64,
    /// See [`ProxyStats::refused`].
    pub refused: u64,
    /// See [`ProxyStats::silent`].
    pub silent: u64,
    /// See [`ProxyStats::expired_certs`].
    pub expired_certs: u64,
    /// See [`ProxyStats::tls_failures`].
    pub tls_failures: u64,
    /// See [`ProxyStats::connections`].
    pub connections: u64,
}

impl ProxyStats {
    /// The current value of every counter. Counters are read one by one, so
    /// a snapshot taken under traffic need not be exactly consistent.
    pub fn snapshot(&self) -> ProxyStatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ProxyStatsSnapshot {
            frames_up: get(&self.frames_up),
            frames_down: get(&self.frames_down),
            dropped: get(&self.dropped),
            dropped_responses: get(&self.dropped_responses),
            resets: get(&self.resets),
            corrupted: get(&self.corrupted),
            truncated: get(&self.truncated),
            wrong_mac: get(&self.wrong_mac),
            refused: get(&self.refused),
            silent: get(&self.silent),
            expired_certs: get(&self.expired_certs),
            tls_failures: get(&self.tls_failures),
            connections: get(&self.connections),
        }
    }
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The fault proxy: forwards CUP frames between terminals and `upstream`,
/// injecting [`Faults`]. Clones share faults and stats.
#[derive(Debug, Clone)]
pub struct Proxy {
    upstream: SocketAddr,
    faults: Arc<RwLock<Faults>>,
    stats: Arc<ProxyStats>,
    seed: u64,
    tls: Option<TlsFront>,
}

/// TLS toward the terminals: the proxy ends their TLS with one of two
/// certificates from one CA, a valid one or (by the `expired_cert` fault)
/// an expired one, and forwards frames to the gateway in the clear.
#[derive(Clone)]
pub struct TlsFront {
    valid: TlsAcceptor,
    expired: TlsAcceptor,
}

impl fmt::Debug for TlsFront {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TlsFront")
    }
}

impl TlsFront {
    /// A front from the PEM pairs of a valid and an expired certificate.
    pub fn new(
        valid: &crate::tls::Generated,
        expired: &crate::tls::Generated,
    ) -> anyhow::Result<TlsFront> {
        let acceptor = |g: &crate::tls::Generated| {
            crate::tls::server_config(g.cert_pem.as_bytes(), g.key_pem.as_bytes())
                .map(TlsAcceptor::from)
        };
        Ok(TlsFront {
            valid: acceptor(valid)?,
            expired: acceptor(expired)?,
        })
    }
}

/// Which way a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    /// Terminal → gateway (requests).
    Up,
    /// Gateway → terminal (responses).
    Down,
}

impl Dir {
    fn name(self) -> &'static str {
        match self {
            Dir::Up => "request",
            Dir::Down => "response",
        }
    }
}

/// How one direction (or a whole connection) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The source closed cleanly at a frame boundary; the close was passed on.
    Eof,
    /// The `reset` fault fired: both sides must be closed with an RST.
    Reset,
    /// The `truncate` fault fired: a cut frame went upstream.
    Truncated,
    /// A read or write failed, or the source closed mid-frame.
    Broken,
}

impl Proxy {
    /// A proxy forwarding to `upstream` with `faults`, drawing its faults
    /// from `seed`.
    pub fn new(upstream: SocketAddr, faults: Faults, seed: u64) -> Proxy {
        Proxy {
            upstream,
            faults: Arc::new(RwLock::new(faults)),
            stats: Arc::new(ProxyStats::default()),
            seed,
            tls: None,
        }
    }

    /// Ends the terminals' TLS at the proxy (see [`TlsFront`]).
    pub fn with_tls(mut self, front: TlsFront) -> Proxy {
        self.tls = Some(front);
        self
    }

    /// The address frames are forwarded to.
    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }

    /// Replaces the fault settings; they apply from the next frame (or
    /// connection), including on connections already open.
    pub fn set_faults(&self, faults: Faults) {
        info!(%faults, "fault proxy settings changed");
        // A poisoned lock only means a writer panicked mid-assignment of a
        // plain value; the settings are still usable, so carry on.
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    /// The current fault settings.
    pub fn faults(&self) -> Faults {
        self.faults
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The live counters.
    pub fn stats(&self) -> Arc<ProxyStats> {
        Arc::clone(&self.stats)
    }

    /// Serves on an already-bound listener until `shutdown` resolves, then
    /// stops accepting and drops the open connections.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let local = listener.local_addr()?;
        info!(%local, upstream = %self.upstream, faults = %self.faults(), seed = self.seed, "fault proxy listening");
        let mut shutdown = std::pin::pin!(shutdown);
        // Dropping the set aborts the connection tasks, which is what ends
        // open connections on shutdown.
        let mut tasks = JoinSet::new();
        let mut next_conn: u64 = 0;
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok((client, peer)) => {
                        let conn = next_conn;
                        next_conn += 1;
                        bump(&self.stats.connections);
                        let proxy = self.clone();
                        tasks.spawn(async move { proxy.connection(conn, client, peer).await });
                    }
                    Err(e) => {
                        // Usually out of file descriptors: back off rather
                        // than spin on a listener that keeps failing.
                        warn!(error = %e, "fault proxy accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
            while tasks.try_join_next().is_some() {}
        }
        info!(%local, connections = next_conn, "fault proxy stopped");
        Ok(())
    }

    /// Runs one terminal connection to its end.
    async fn connection(self, conn: u64, client: TcpStream, peer: SocketAddr) {
        let mut rng = connection_rng(self.seed, conn);
        let faults = self.faults();
        debug!(conn, %peer, "fault proxy connection accepted");
        if rng.chance(faults.refuse) {
            bump(&self.stats.refused);
            info!(conn, %peer, "fault injected: refuse (closed without connecting upstream)");
            return;
        }
        // Frames are small and latency is what is being simulated: Nagle
        // would only add unplanned delay.
        let _ = client.set_nodelay(true);
        match self.tls.clone() {
            None => self.forward(conn, peer, client, rng, &faults).await,
            Some(front) => {
                let expired = rng.chance(faults.expired_cert);
                let acceptor = if expired {
                    bump(&self.stats.expired_certs);
                    info!(conn, %peer, "fault injected: expired certificate");
                    front.expired
                } else {
                    front.valid
                };
                match acceptor.accept(client).await {
                    Ok(tls) => self.forward(conn, peer, tls, rng, &faults).await,
                    Err(e) => {
                        bump(&self.stats.tls_failures);
                        info!(conn, %peer, error = %e, "TLS handshake with the terminal failed");
                    }
                }
            }
        }
    }

    /// Connects upstream and relays `client` (plain or TLS) to it.
    async fn forward<C>(
        &self,
        conn: u64,
        peer: SocketAddr,
        mut client: C,
        mut rng: Rng,
        faults: &Faults,
    ) where
        C: AsyncRead + AsyncWrite + Unpin + ResetOnClose,
    {
        let mut upstream = match TcpStream::connect(self.upstream).await {
            Ok(s) => s,
            Err(e) => {
                warn!(conn, %peer, upstream = %self.upstream, error = %e, "fault proxy cannot reach upstream; closing terminal connection");
                return;
            }
        };
        if rng.chance(faults.silent) {
            bump(&self.stats.silent);
            info!(conn, %peer, "fault injected: silent (upstream opened and closed without a frame)");
            return;
        }
        let _ = upstream.set_nodelay(true);
        // One generator per direction: they run concurrently, and separate
        // streams keep each direction's faults independent of scheduling.
        let up_rng = Rng::new(rng.next_u64());
        let down_rng = Rng::new(rng.next_u64());
        let end = self
            .relay(conn, &mut client, &mut upstream, up_rng, down_rng)
            .await;
        if end == End::Reset {
            // A zero linger turns the close into an RST on both sides.
            client.reset_on_close();
            let _ = upstream.set_zero_linger();
        }
        debug!(conn, %peer, ?end, "fault proxy connection closed");
    }

    /// Pumps frames both ways until both directions end cleanly or either
    /// ends abruptly.
    async fn relay<C: AsyncRead + AsyncWrite + Unpin>(
        &self,
        conn: u64,
        client: &mut C,
        upstream: &mut TcpStream,
        up_rng: Rng,
        down_rng: Rng,
    ) -> End {
        let (mut client_r, mut client_w) = tokio::io::split(client);
        let (mut upstream_r, mut upstream_w) = upstream.split();
        let up = self.pump(conn, Dir::Up, &mut client_r, &mut upstream_w, up_rng);
        let down = self.pump(conn, Dir::Down, &mut upstream_r, &mut client_w, down_rng);
        let mut up = std::pin::pin!(up);
        let mut down = std::pin::pin!(down);
        let (mut up_open, mut down_open) = (true, true);
        // A clean close is passed on as a half close, so a terminal that
        // shuts its write side still gets its response; anything else ends
        // the connection at once.
        while up_open || down_open {
            let end = tokio::select! {
                end = &mut up, if up_open => { up_open = false; end }
                end = &mut down, if down_open => { down_open = false; end }
            };
            if end != End::Eof {
                return end;
            }
        }
        End::Eof
    }

    /// Forwards frames from `from` to `to` in direction `dir`, applying the
    /// faults current at each frame.
    async fn pump<R, W>(&self, conn: u64, dir: Dir, from: &mut R, to: &mut W, mut rng: Rng) -> End
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let stats = &*self.stats;
        loop {
            let mut frame = match read_frame(from).await {
                Ok(Some(frame)) => frame,
                Ok(None) => {
                    let _ = to.shutdown().await;
                    return End::Eof;
                }
                Err(e) => {
                    debug!(conn, dir = dir.name(), error = %e, "fault proxy read ended");
                    return End::Broken;
                }
            };
            bump(match dir {
                Dir::Up => &stats.frames_up,
                Dir::Down => &stats.frames_down,
            });
            let faults = self.faults();
            let delay = faults
                .latency_ms
                .saturating_add(rng.below(faults.jitter_ms.saturating_add(1)));
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            let len = frame.len();
            let dir_name = dir.name();
            if rng.chance(faults.reset) {
                bump(&stats.resets);
                info!(conn, dir = dir_name, len, "fault injected: reset");
                return End::Reset;
            }
            match dir {
                Dir::Up => {
                    if rng.chance(faults.drop) {
                        bump(&stats.dropped);
                        info!(conn, dir = dir_name, len, "fault injected: drop");
                        continue;
                    }
                    if rng.chance(faults.truncate) {
                        let keep = truncated_len(len, &mut rng);
                        bump(&stats.truncated);
                        info!(conn, dir = dir_name, len, keep, "fault injected: truncate");
                        let _ = to.write_all(frame.get(..keep).unwrap_or(&[])).await;
                        let _ = to.shutdown().await;
                        return End::Truncated;
                    }
                    if rng.chance(faults.corrupt)
                        && let Some((at, bit)) = flip_random_bit(&mut frame, &mut rng)
                    {
                        bump(&stats.corrupted);
                        info!(
                            conn,
                            dir = dir_name,
                            len,
                            at,
                            bit,
                            "fault injected: corrupt"
                        );
                    }
                    if has_mac(&frame) && rng.chance(faults.wrong_mac) {
                        spoil_mac(&mut frame);
                        bump(&stats.wrong_mac);
                        info!(conn, dir = dir_name, len, "fault injected: wrong MAC");
                    }
                }
                Dir::Down => {
                    if rng.chance(faults.drop_response) {
                        bump(&stats.dropped_responses);
                        info!(conn, dir = dir_name, len, "fault injected: drop response");
                        continue;
                    }
                }
            }
            if let Err(e) = to.write_all(&frame).await {
                debug!(conn, dir = dir_name, error = %e, "fault proxy write failed");
                return End::Broken;
            }
        }
    }
}

/// A terminal-side stream whose close can be made an RST.
trait ResetOnClose {
    fn reset_on_close(&self);
}

impl ResetOnClose for TcpStream {
    fn reset_on_close(&self) {
        let _ = self.set_zero_linger();
    }
}

impl ResetOnClose for tokio_rustls::server::TlsStream<TcpStream> {
    fn reset_on_close(&self) {
        let _ = self.get_ref().0.set_zero_linger();
    }
}

/// The generator of connection `conn`: a different, reproducible stream per
/// (seed, connection).
fn connection_rng(seed: u64, conn: u64) -> Rng {
    // Hash the connection number before mixing: SplitMix64 seeds that differ
    // by a multiple of its increment give shifted copies of one stream.
    let conn_hash = Rng::new(conn).next_u64();
    Rng::new(Rng::new(seed ^ conn_hash).next_u64())
}

/// Reads one whole CUP frame (prefix included). `Ok(None)` is a clean EOF
/// before any byte of a frame; EOF inside a frame is an error.
async fn read_frame<R: AsyncRead + Unpin>(from: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut prefix = [0u8; 2];
    match from.read(&mut prefix).await? {
        0 => return Ok(None),
        1 => {
            from.read_exact(&mut prefix[1..]).await?;
        }
        _ => {}
    }
    let total = cup_frame_len(&prefix)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "short frame prefix"))?;
    let mut frame = vec![0u8; total];
    frame[..2].copy_from_slice(&prefix);
    from.read_exact(&mut frame[2..]).await?;
    Ok(Some(frame))
}

/// How many bytes of a `len`-byte frame the `truncate` fault forwards: the
/// prefix and part of the body, always fewer than the whole frame.
fn truncated_len(len: usize, rng: &mut Rng) -> usize {
    let body = len.saturating_sub(2) as u64;
    if body == 0 {
        // Nothing to cut after the prefix, so cut the prefix itself.
        len.saturating_sub(1)
    } else {
        2 + rng.below(body) as usize
    }
}

/// Flips one random bit of one random body byte (after the prefix);
/// returns the byte offset and bit, or `None` for an empty body.
fn flip_random_bit(frame: &mut [u8], rng: &mut Rng) -> Option<(usize, u32)> {
    let body = frame.len().checked_sub(2).filter(|&n| n > 0)? as u64;
    let at = 2 + rng.below(body) as usize;
    let bit = rng.below(8) as u32;
    let byte = frame.get_mut(at)?;
    *byte ^= 1 << bit;
    Some((at, bit))
}

/// Whether a frame carries a MAC: it splits as a CUP frame, its primary
/// bitmap has bit 64 set, and there is room for 8 MAC bytes after it.
fn has_mac(frame: &[u8]) -> bool {
    let Ok((_, _, body)) = unframe_cup(frame) else {
        return false;
    };
    // body = BCD MTI (2 bytes) + primary bitmap (8 bytes) + fields; bit 64
    // is the low bit of the bitmap's last byte.
    matches!(body.get(9), Some(b) if b & 1 == 1) && body.len() >= 2 + 8 + 8
}

/// XORs the last 8 bytes of `frame` (field 64) with [`WRONG_MAC_PATTERN`].
fn spoil_mac(frame: &mut [u8]) {
    let start = frame.len().saturating_sub(8);
    for (b, p) in frame[start..].iter_mut().zip(WRONG_MAC_PATTERN) {
        *b ^= p;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;
    use tokio::sync::{mpsc, oneshot};
    use tokio::time::timeout;

    /// How long to wait for something that must not happen.
    const QUIET: Duration = Duration::from_millis(300);
    /// How long to wait for something that must happen (only a hang guard).
    const SOON: Duration = Duration::from_secs(5);

    /// What the echo upstream saw.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Connected,
        Frame(Vec<u8>),
        /// EOF, with the bytes after the last whole frame.
        Closed(Vec<u8>),
        Failed(io::ErrorKind),
    }

    /// A gateway stand-in: echoes every whole frame back and reports what
    /// it saw.
    async fn echo_upstream() -> (SocketAddr, mpsc::UnboundedReceiver<Seen>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Seen::Connected);
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        match sock.read(&mut chunk).await {
                            Ok(0) => {
                                let _ = tx.send(Seen::Closed(buf));
                                return;
                            }
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            Err(e) => {
                                let _ = tx.send(Seen::Failed(e.kind()));
                                return;
                            }
                        }
                        while let Some(total) = cup_frame_len(&buf)
                            && buf.len() >= total
                        {
                            let frame: Vec<u8> = buf.drain(..total).collect();
                            let _ = tx.send(Seen::Frame(frame.clone()));
                            let _ = sock.write_all(&frame).await;
                        }
                    }
                });
            }
        });
        (addr, rx)
    }

    async fn start(upstream: SocketAddr, faults: Faults) -> (SocketAddr, Proxy) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let proxy = Proxy::new(upstream, faults, 7);
        tokio::spawn(proxy.clone().serve(listener, std::future::pending()));
        (addr, proxy)
    }

    /// A CUP sale-like frame: TPDU, header, MTI 0200, a bitmap with field 3
    /// (and 64 when `mac`), some field bytes, then the MAC when `mac`.
    fn test_frame(mac: bool) -> Vec<u8> {
        let mut body = vec![0x60, 0x00, 0x01, 0x00, 0x00]; // TPDU
        body.extend([0x60, 0x31, 0x00, 0x31, 0x00, 0x00]); // header
        body.extend([0x02, 0x00]); // MTI
        body.extend([0x20, 0, 0, 0, 0, 0, 0, u8::from(mac)]); // bitmap
        body.extend((0u8..40).map(|i| i.wrapping_mul(37))); // fields
        if mac {
            body.extend([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
        }
        let mut frame = u16::try_from(body.len()).unwrap().to_be_bytes().to_vec();
        frame.extend(body);
        frame
    }

    async fn seen(rx: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
        timeout(SOON, rx.recv())
            .await
            .expect("upstream saw nothing in time")
            .expect("upstream task ended")
    }

    async fn nothing_seen(rx: &mut mpsc::UnboundedReceiver<Seen>) {
        if let Ok(event) = timeout(QUIET, rx.recv()).await {
            panic!("upstream unexpectedly saw {event:?}");
        }
    }

    /// Sends `frame` and reads one reply frame within `SOON`.
    async fn round_trip(client: &mut TcpStream, frame: &[u8]) -> Vec<u8> {
        client.write_all(frame).await.unwrap();
        timeout(SOON, read_frame(client))
            .await
            .expect("no reply in time")
            .expect("reply read failed")
            .expect("connection closed before the reply")
    }

    async fn no_reply(client: &mut TcpStream) {
        if let Ok(r) = timeout(QUIET, read_frame(client)).await {
            panic!("client unexpectedly read {r:?}");
        }
    }

    /// Waits for the connection to close: EOF or reset, either is fine.
    async fn closed(client: &mut TcpStream) -> io::Result<usize> {
        let mut byte = [0u8; 1];
        timeout(SOON, client.read(&mut byte))
            .await
            .expect("connection still open")
    }

    #[tokio::test]
    async fn no_faults_passes_bytes_unchanged_both_ways() {
        let (up, mut rx) = echo_upstream().await;
        let (addr, proxy) = start(up, Faults::default()).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        for mac in [true, false] {
            let frame = test_frame(mac);
            assert_eq!(round_trip(&mut client, &frame).await, frame);
        }
        // Frames need not be CUP messages, and an empty frame is a frame.
        for frame in [vec![0, 0], vec![0, 3, 0xFF, 0x00, 0x10]] {
            assert_eq!(round_trip(&mut client, &frame).await, frame);
        }
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        assert_eq!(seen(&mut rx).await, Seen::Frame(test_frame(true)));
        assert_eq!(seen(&mut rx).await, Seen::Frame(test_frame(false)));
        let s = proxy.stats().snapshot();
        assert_eq!((s.frames_up, s.frames_down, s.connections), (4, 4, 1));
        assert_eq!(
            ProxyStatsSnapshot {
                frames_up: 0,
                frames_down: 0,
                connections: 0,
                ..s
            },
            ProxyStatsSnapshot::default()
        );
    }

    #[tokio::test]
    async fn half_close_still_delivers_the_response_then_closes() {
        let (up, _rx) = echo_upstream().await;
        let (addr, _proxy) = start(up, Faults::default()).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let frame = test_frame(true);
        client.write_all(&frame).await.unwrap();
        client.shutdown().await.unwrap();
        let reply = timeout(SOON, read_frame(&mut client)).await.unwrap();
        assert_eq!(reply.unwrap(), Some(frame));
        assert_eq!(closed(&mut client).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn latency_delays_each_direction() {
        let (up, _rx) = echo_upstream().await;
        let faults = Faults {
            latency_ms: 100,
            jitter_ms: 20,
            ..Faults::default()
        };
        let (addr, _proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let frame = test_frame(false);
        let started = Instant::now();
        assert_eq!(round_trip(&mut client, &frame).await, frame);
        // The request and the response each wait at least the latency.
        assert!(started.elapsed() >= Duration::from_millis(200));
    }

    #[tokio::test]
    async fn drop_discards_requests() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            drop: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(&test_frame(true)).await.unwrap();
        no_reply(&mut client).await;
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        nothing_seen(&mut rx).await;
        let s = proxy.stats().snapshot();
        assert_eq!((s.frames_up, s.dropped, s.frames_down), (1, 1, 0));
    }

    #[tokio::test]
    async fn drop_response_discards_responses_after_upstream_got_the_request() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            drop_response: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let frame = test_frame(true);
        client.write_all(&frame).await.unwrap();
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        assert_eq!(seen(&mut rx).await, Seen::Frame(frame));
        no_reply(&mut client).await;
        let s = proxy.stats().snapshot();
        assert_eq!((s.frames_down, s.dropped_responses, s.dropped), (1, 1, 0));
    }

    #[tokio::test]
    async fn corrupt_flips_exactly_one_body_bit() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            corrupt: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let frame = test_frame(true);
        client.write_all(&frame).await.unwrap();
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        let Seen::Frame(got) = seen(&mut rx).await else {
            panic!("upstream did not get a frame");
        };
        assert_eq!(got.len(), frame.len());
        assert_eq!(got[..2], frame[..2], "the prefix is never corrupted");
        let flipped: u32 = got
            .iter()
            .zip(&frame)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum();
        assert_eq!(flipped, 1);
        assert_eq!(proxy.stats().snapshot().corrupted, 1);
    }

    #[tokio::test]
    async fn truncate_sends_a_cut_frame_then_closes() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            truncate: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let frame = test_frame(true);
        client.write_all(&frame).await.unwrap();
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        let Seen::Closed(cut) = seen(&mut rx).await else {
            panic!("upstream did not see a cut frame then EOF");
        };
        assert!(cut.len() >= 2, "the prefix is forwarded");
        assert!(cut.len() < cup_frame_len(&cut).unwrap());
        assert_eq!(cut[..], frame[..cut.len()]);
        let _ = closed(&mut client).await;
        assert_eq!(proxy.stats().snapshot().truncated, 1);
    }

    #[tokio::test]
    async fn wrong_mac_spoils_only_the_mac_of_frames_that_carry_one() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            wrong_mac: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let with_mac = test_frame(true);
        let without_mac = test_frame(false);
        client.write_all(&with_mac).await.unwrap();
        client.write_all(&without_mac).await.unwrap();
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        let Seen::Frame(got) = seen(&mut rx).await else {
            panic!("upstream did not get a frame");
        };
        let split = with_mac.len() - 8;
        assert_eq!(got.len(), with_mac.len());
        assert_eq!(got[..split], with_mac[..split]);
        assert!(
            got[split..]
                .iter()
                .zip(&with_mac[split..])
                .all(|(a, b)| a != b)
        );
        assert_eq!(seen(&mut rx).await, Seen::Frame(without_mac));
        assert_eq!(proxy.stats().snapshot().wrong_mac, 1);
    }

    #[tokio::test]
    async fn reset_closes_both_sides_abruptly() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            reset: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(&test_frame(true)).await.unwrap();
        match closed(&mut client).await {
            Ok(0) => {}
            Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset),
            Ok(n) => panic!("client read {n} bytes from a reset connection"),
        }
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        // The frame was never forwarded; the upstream sees an RST (or, if
        // it raced, a plain close) with nothing read.
        let end = seen(&mut rx).await;
        assert!(
            matches!(end, Seen::Failed(_)) || end == Seen::Closed(Vec::new()),
            "{end:?}"
        );
        assert_eq!(proxy.stats().snapshot().resets, 1);
    }

    #[tokio::test]
    async fn refuse_closes_without_contacting_upstream() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            refuse: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        assert_eq!(closed(&mut client).await.unwrap(), 0);
        nothing_seen(&mut rx).await;
        let s = proxy.stats().snapshot();
        assert_eq!((s.refused, s.connections), (1, 1));
    }

    #[tokio::test]
    async fn silent_opens_and_closes_upstream_without_a_frame() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            silent: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        assert_eq!(seen(&mut rx).await, Seen::Closed(Vec::new()));
        assert_eq!(closed(&mut client).await.unwrap(), 0);
        assert_eq!(proxy.stats().snapshot().silent, 1);
    }

    #[tokio::test]
    async fn set_faults_applies_to_open_connections() {
        let (up, mut rx) = echo_upstream().await;
        let (addr, proxy) = start(up, Faults::default()).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let frame = test_frame(true);
        assert_eq!(round_trip(&mut client, &frame).await, frame);

        let dropping = Faults {
            drop: 1.0,
            ..Faults::default()
        };
        proxy.set_faults(dropping.clone());
        assert_eq!(proxy.faults(), dropping);
        client.write_all(&frame).await.unwrap();
        no_reply(&mut client).await;

        proxy.set_faults(Faults::default());
        assert_eq!(round_trip(&mut client, &frame).await, frame);

        assert_eq!(seen(&mut rx).await, Seen::Connected);
        assert_eq!(seen(&mut rx).await, Seen::Frame(frame.clone()));
        assert_eq!(seen(&mut rx).await, Seen::Frame(frame));
        nothing_seen(&mut rx).await;
        let s = proxy.stats().snapshot();
        assert_eq!((s.frames_up, s.dropped, s.frames_down), (3, 1, 2));
    }

    #[tokio::test]
    async fn same_seed_injects_the_same_faults() {
        let faults = Faults {
            corrupt: 1.0,
            ..Faults::default()
        };
        let mut corrupted = Vec::new();
        for _ in 0..2 {
            let (up, mut rx) = echo_upstream().await;
            let (addr, _proxy) = start(up, faults.clone()).await;
            let mut client = TcpStream::connect(addr).await.unwrap();
            client.write_all(&test_frame(true)).await.unwrap();
            assert_eq!(seen(&mut rx).await, Seen::Connected);
            corrupted.push(seen(&mut rx).await);
        }
        assert_eq!(corrupted[0], corrupted[1]);
        assert_ne!(corrupted[0], Seen::Frame(test_frame(true)));
    }

    #[tokio::test]
    async fn odd_frames_survive_every_request_fault() {
        let (up, mut rx) = echo_upstream().await;
        let faults = Faults {
            corrupt: 1.0,
            wrong_mac: 1.0,
            ..Faults::default()
        };
        let (addr, proxy) = start(up, faults).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        // Empty, 1-byte, non-CUP and bitmap-claims-MAC-but-too-short frames.
        let mut short_mac = test_frame(true);
        short_mac.truncate(2 + 5 + 6 + 2 + 8);
        let len = u16::try_from(short_mac.len() - 2).unwrap();
        short_mac[..2].copy_from_slice(&len.to_be_bytes());
        for frame in [
            vec![0, 0],
            vec![0, 1, 0x60],
            vec![0, 4, 1, 2, 3, 4],
            short_mac,
        ] {
            let reply = round_trip(&mut client, &frame).await;
            assert_eq!(reply.len(), frame.len());
        }
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        assert_eq!(seen(&mut rx).await, Seen::Frame(vec![0, 0]));
        let s = proxy.stats().snapshot();
        assert_eq!((s.corrupted, s.wrong_mac), (3, 0));
    }

    #[tokio::test]
    async fn eof_mid_frame_closes_without_forwarding_the_piece() {
        let (up, mut rx) = echo_upstream().await;
        let (addr, _proxy) = start(up, Faults::default()).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(&[0xFF, 0xFF, 0x60, 0x00]).await.unwrap();
        client.shutdown().await.unwrap();
        assert_eq!(closed(&mut client).await.unwrap(), 0);
        assert_eq!(seen(&mut rx).await, Seen::Connected);
        assert_eq!(seen(&mut rx).await, Seen::Closed(Vec::new()));
    }

    #[tokio::test]
    async fn serve_returns_on_shutdown() {
        let (up, _rx) = echo_upstream().await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy::new(up, Faults::default(), 1);
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(proxy.serve(listener, async move {
            let _ = stopped.await;
        }));
        stop.send(()).unwrap();
        let result = timeout(SOON, served).await.expect("serve kept running");
        assert!(result.unwrap().is_ok());
    }

    #[test]
    fn fault_spec_parses() {
        let f: Faults = "latency=50,jitter=20,drop=0.01,wrong-mac=1"
            .parse()
            .unwrap();
        assert_eq!(
            f,
            Faults {
                latency_ms: 50,
                jitter_ms: 20,
                drop: 0.01,
                wrong_mac: 1.0,
                ..Faults::default()
            }
        );
        let f: Faults = " drop_response = 0.5 , Drop-Response=0.25, latency_ms=3,reset=0, \
                          corrupt=0.1,truncate=0.2,refuse=0.3,silent=0.4,wrong_mac=0,"
            .parse()
            .unwrap();
        assert_eq!(
            f,
            Faults {
                latency_ms: 3,
                drop_response: 0.25,
                corrupt: 0.1,
                truncate: 0.2,
                refuse: 0.3,
                silent: 0.4,
                ..Faults::default()
            }
        );
        assert_eq!("".parse::<Faults>().unwrap(), Faults::default());
        assert_eq!("none".parse::<Faults>().unwrap(), Faults::default());
    }

    #[test]
    fn fault_spec_display_round_trips() {
        assert_eq!(Faults::default().to_string(), "none");
        let f = Faults {
            latency_ms: 5,
            drop: 0.125,
            drop_response: 1.0,
            wrong_mac: 0.3,
            ..Faults::default()
        };
        assert_eq!(
            f.to_string(),
            "latency=5,drop=0.125,drop-response=1,wrong-mac=0.3"
        );
        assert_eq!(f.to_string().parse::<Faults>().unwrap(), f);
    }

    #[test]
    fn fault_spec_rejects_bad_items_by_name() {
        for (spec, item) in [
            ("drop=2", "drop=2"),
            ("latency=50,bogus=1", "bogus=1"),
            ("latency=-5", "latency=-5"),
            ("jitter=fast", "jitter=fast"),
            ("drop", "drop"),
            ("corrupt=NaN", "corrupt=NaN"),
            ("reset=0.1,silent=-0.1", "silent=-0.1"),
        ] {
            let err = spec.parse::<Faults>().unwrap_err();
            assert_eq!(err.item, item, "{spec}");
            assert!(err.to_string().contains(&format!("`{item}`")), "{err}");
        }
    }

    #[test]
    fn faults_deserialize_with_defaults_and_reject_unknown_fields() {
        let f: Faults = serde_json::from_str(r#"{"drop": 0.5}"#).unwrap();
        assert_eq!(
            f,
            Faults {
                drop: 0.5,
                ..Faults::default()
            }
        );
        assert!(serde_json::from_str::<Faults>(r#"{"dropp": 0.5}"#).is_err());
    }

    #[test]
    fn helpers_never_panic_on_small_frames() {
        let mut rng = Rng::new(3);
        for len in 0..20 {
            let mut frame = vec![0xAB; len];
            let keep = truncated_len(len, &mut rng);
            assert!(keep < len || len == 0);
            let _ = flip_random_bit(&mut frame, &mut rng);
            let _ = has_mac(&frame);
            spoil_mac(&mut frame);
        }
    }
}
