//! Reading JSON Lines into [`Record`]s: one bad line is an error for that line
//! alone, with its number and what is wrong, never a panic and never fatal to
//! the rest of the input.

use std::borrow::Cow;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::mask::{MaskedPan, scrub_text};
use crate::record::*;
use crate::time::Ts;

mod fast;

pub use fast::json_special_at;

/// Longest line accepted; a longer one is reported and skipped (a runaway
/// line must not take the process's memory with it).
pub const LINE_BYTES_MAX: usize = 1 << 20;

/// Why a line was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RecordError {}

/// A bad line: its 1-based number and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub error: RecordError,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.error)
    }
}

impl std::error::Error for LineError {}

/// A string that also accepts a JSON number or boolean (`"code": 0` from a
/// careless exporter is read as `"0"`).
#[derive(Debug)]
struct Loose<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or number")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Loose(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Loose(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Loose(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Loose(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Loose(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Loose(Cow::Owned(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Loose(Cow::Borrowed(if v { "true" } else { "false" })))
            }
        }
        d.deserialize_any(V)
    }
}

/// Every field of every kind, flat: one pass of serde over the line.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Flat<'a> {
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    ts: Option<Cow<'a, str>>,
    #[serde(borrow)]
    terminal_id: Option<Loose<'a>>,
    #[serde(borrow)]
    merchant_id: Option<Loose<'a>>,
    #[serde(borrow)]
    site_id: Option<Loose<'a>>,
    #[serde(borrow)]
    incident_id: Option<Loose<'a>>,
    #[serde(borrow)]
    mcc: Option<Loose<'a>>,
    name: Option<String>,
    city: Option<String>,
    settlement: Option<String>,
    card_rate: Option<f64>,
    qr_rate: Option<f64>,
    fixed_fee: Option<i64>,
    lat: Option<f64>,
    lon: Option<f64>,
    #[serde(borrow)]
    vendor: Option<Cow<'a, str>>,
    #[serde(borrow)]
    model: Option<Loose<'a>>,
    #[serde(borrow)]
    serial: Option<Loose<'a>>,
    #[serde(borrow)]
    firmware: Option<Loose<'a>>,
    #[serde(borrow)]
    app_version: Option<Loose<'a>>,
    #[serde(borrow)]
    network: Option<Cow<'a, str>>,
    #[serde(borrow)]
    carrier: Option<Cow<'a, str>>,
    #[serde(borrow)]
    host: Option<Loose<'a>>,
    #[serde(borrow)]
    cert_not_after: Option<Cow<'a, str>>,
    #[serde(borrow)]
    installed: Option<Cow<'a, str>>,
    online: Option<bool>,
    rssi_dbm: Option<f64>,
    latency_ms: Option<f64>,
    packet_loss: Option<f64>,
    supply_v: Option<f64>,
    battery_pct: Option<f64>,
    power_events: Option<f64>,
    #[serde(borrow)]
    reboot: Option<Loose<'a>>,
    storage_used_pct: Option<f64>,
    memory_used_pct: Option<f64>,
    cpu_pct: Option<f64>,
    temp_c: Option<f64>,
    #[serde(borrow)]
    key_check: Option<Cow<'a, str>>,
    clock_skew_s: Option<f64>,
    #[serde(borrow)]
    printer: Option<Cow<'a, str>>,
    keypad_errors: Option<f64>,
    card_reader_errors: Option<f64>,
    app_crashes: Option<f64>,
    #[serde(borrow)]
    code: Option<Loose<'a>>,
    #[serde(borrow)]
    stage: Option<Cow<'a, str>>,
    #[serde(borrow)]
    detail: Option<Cow<'a, str>>,
    #[serde(borrow)]
    stan: Option<Loose<'a>>,
    #[serde(borrow, rename = "type")]
    txn_type: Option<Cow<'a, str>>,
    amount: Option<i64>,
    #[serde(borrow)]
    currency: Option<Loose<'a>>,
    #[serde(borrow)]
    rrn: Option<Loose<'a>>,
    #[serde(borrow)]
    channel: Option<Cow<'a, str>>,
    #[serde(borrow)]
    response_code: Option<Loose<'a>>,
    timed_out: Option<bool>,
    fee: Option<i64>,
    #[serde(borrow)]
    pan: Option<Loose<'a>>,
    #[serde(borrow)]
    result: Option<Loose<'a>>,
    #[serde(borrow)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow)]
    notes: Option<Cow<'a, str>>,
    #[serde(borrow)]
    complaint_id: Option<Loose<'a>>,
    #[serde(borrow)]
    from: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cause: Option<Cow<'a, str>>,
}

fn bad(message: String) -> RecordError {
    RecordError { message }
}

/// A field's text as the record keeps it (`String`, or [`Str`] for short
/// fields); empty is absent.
fn s<'a, T: From<Cow<'a, str>>>(v: Option<Loose<'a>>) -> Option<T> {
    sc(v.map(|l| l.0))
}

fn sc<'a, T: From<Cow<'a, str>>>(v: Option<Cow<'a, str>>) -> Option<T> {
    v.filter(|x| !x.is_empty()).map(T::from)
}

fn free_text(v: Option<Cow<'_, str>>) -> Option<String> {
    v.map(|t| scrub_text(&t).into_owned())
}

fn count(v: Option<f64>) -> Option<u32> {
    v.filter(|x| x.is_finite() && *x >= 0.0)
        .map(|x| x.min(u32::MAX as f64) as u32)
}

fn required<T>(v: Option<T>, field: &str, kind: &str) -> Result<T, RecordError> {
    v.ok_or_else(|| {
        bad(format!(
            "missing required field `{field}` for kind `{kind}`"
        ))
    })
}

fn time(v: Option<&str>, field: &str) -> Result<Option<Ts>, RecordError> {
    v.map(|t| Ts::parse(t).map_err(|e| bad(format!("field `{field}`: {e}"))))
        .transpose()
}

/// Reads one line. Blank lines are `Ok(None)`.
pub fn parse_line(line: &str) -> Result<Option<Record>, RecordError> {
    let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if line.is_empty() {
        return Ok(None);
    }
    if line.len() > LINE_BYTES_MAX {
        return Err(bad(format!("line longer than {LINE_BYTES_MAX} bytes")));
    }
    let mut f = Flat::default();
    if fast::flat_into(line, &mut f).is_none() {
        f = serde_json::from_str(line).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    }
    convert(f).map(Some)
}

// Inlined into its one caller: passed by value, the hundred-odd fields
// were copied on every line.
#[inline(always)]
fn convert(f: Flat<'_>) -> Result<Record, RecordError> {
    let k = f
        .kind
        .as_deref()
        .ok_or_else(|| bad("missing `kind`".into()))?;
    let ts = time(f.ts.as_deref(), "ts")?;
    let ts_raw = || Str::from(f.ts.as_deref().unwrap_or_default());
    let need_ts = || required(ts, "ts", k);
    let record = match k {
        "merchant" => Record::Merchant(Merchant {
            ts,
            merchant_id: required(s(f.merchant_id), "merchant_id", k)?,
            mcc: required(s(f.mcc), "mcc", k)?,
            name: f.name,
            city: f.city,
            settlement: f.settlement,
            card_rate: f.card_rate,
            qr_rate: f.qr_rate,
            fixed_fee: f.fixed_fee,
        }),
        "site" => Record::Site(Site {
            ts,
            site_id: required(s(f.site_id), "site_id", k)?,
            merchant_id: required(s(f.merchant_id), "merchant_id", k)?,
            name: f.name,
            city: f.city,
            lat: f.lat,
            lon: f.lon,
        }),
        "terminal" => Record::Terminal(Terminal {
            ts,
            terminal_id: required(s(f.terminal_id), "terminal_id", k)?,
            vendor: required(sc::<Cow<str>>(f.vendor), "vendor", k)?.to_ascii_lowercase(),
            model: required(s(f.model), "model", k)?,
            serial: s(f.serial),
            firmware: s(f.firmware),
            app_version: s(f.app_version),
            merchant_id: s(f.merchant_id),
            site_id: s(f.site_id),
            network: sc::<Cow<str>>(f.network).map(|n| n.to_ascii_lowercase()),
            carrier: sc::<Cow<str>>(f.carrier).map(|n| n.to_ascii_lowercase()),
            host: s(f.host),
            cert_not_after: time(f.cert_not_after.as_deref(), "cert_not_after")?,
            installed: time(f.installed.as_deref(), "installed")?,
        }),
        "telemetry" => Record::Telemetry(Telemetry {
            ts: need_ts()?,
            terminal_id: required(s(f.terminal_id), "terminal_id", k)?,
            online: f.online,
            rssi_dbm: f.rssi_dbm,
            latency_ms: f.latency_ms,
            // A percentage where a fraction belongs is read as a percentage.
            packet_loss: f.packet_loss.map(|p| if p > 1.0 { p / 100.0 } else { p }),
            supply_v: f.supply_v,
            battery_pct: f.battery_pct,
            power_events: count(f.power_events),
            reboot: s(f.reboot).filter(|r| r != "false" && r != "none"),
            storage_used_pct: f.storage_used_pct,
            memory_used_pct: f.memory_used_pct,
            cpu_pct: f.cpu_pct,
            temp_c: f.temp_c,
            key_check: sc(f.key_check),
            clock_skew_s: f.clock_skew_s,
            printer: sc(f.printer),
            keypad_errors: count(f.keypad_errors),
            card_reader_errors: count(f.card_reader_errors),
            app_crashes: count(f.app_crashes),
            firmware: s(f.firmware),
            app_version: s(f.app_version),
        }),
        "error" => Record::Error(ErrorEvent {
            ts: need_ts()?,
            ts_raw: ts_raw(),
            terminal_id: required(s(f.terminal_id), "terminal_id", k)?,
            code: required(s(f.code), "code", k)?,
            stage: sc(f.stage),
            detail: free_text(f.detail),
            stan: s(f.stan),
        }),
        "txn" => Record::Txn(Txn {
            ts: need_ts()?,
            ts_raw: ts_raw(),
            terminal_id: required(s(f.terminal_id), "terminal_id", k)?,
            txn_type: required(sc(f.txn_type), "type", k)?,
            amount: required(f.amount, "amount", k)?,
            currency: required(s(f.currency), "currency", k)?,
            merchant_id: s(f.merchant_id),
            stan: s(f.stan),
            rrn: s(f.rrn),
            channel: sc(f.channel),
            mcc: s(f.mcc),
            response_code: s::<Str>(f.response_code).map(|mut c| {
                c.make_ascii_uppercase();
                c
            }),
            timed_out: f.timed_out.unwrap_or(false),
            latency_ms: f.latency_ms,
            fee: f.fee,
            pan: s::<Cow<str>>(f.pan).map(|p| MaskedPan::mask(&p)),
        }),
        "check" => Record::Check(Check {
            ts: need_ts()?,
            target: target(&f.terminal_id, &f.site_id, &f.incident_id, k)?,
            name: required(f.name.clone().filter(|n| !n.is_empty()), "name", k)?,
            result: CheckResult::parse(&required(s::<Cow<str>>(f.result), "result", k)?),
        }),
        "maintenance" => Record::Maintenance(Maintenance {
            ts: need_ts()?,
            terminal_id: required(s(f.terminal_id), "terminal_id", k)?,
            action: required(sc(f.action), "action", k)?,
            notes: free_text(f.notes),
        }),
        "complaint" => Record::Complaint(Complaint {
            ts: need_ts()?,
            complaint_id: required(s(f.complaint_id), "complaint_id", k)?,
            from: required(sc(f.from), "from", k)?,
            merchant_id: required(s(f.merchant_id), "merchant_id", k)?,
            terminal_id: s(f.terminal_id),
            text: required(free_text(f.text), "text", k)?,
        }),
        "resolution" => Record::Resolution(Resolution {
            ts: need_ts()?,
            target: target(&f.terminal_id, &f.site_id, &f.incident_id, k)?,
            cause: required(sc(f.cause), "cause", k)?,
            notes: free_text(f.notes),
        }),
        _ => Record::Other {
            kind: k.to_string(),
            ts,
        },
    };
    Ok(record)
}

fn target(
    terminal: &Option<Loose<'_>>,
    site: &Option<Loose<'_>>,
    incident: &Option<Loose<'_>>,
    kind: &str,
) -> Result<Target, RecordError> {
    let get = |v: &Option<Loose<'_>>| {
        v.as_ref()
            .map(|l| l.0.to_string())
            .filter(|x| !x.is_empty())
    };
    if let Some(t) = get(terminal) {
        Ok(Target::Terminal(t))
    } else if let Some(s) = get(site) {
        Ok(Target::Site(s))
    } else if let Some(i) = get(incident) {
        Ok(Target::Incident(i))
    } else {
        Err(bad(format!(
            "kind `{kind}` needs a target: `terminal_id`, `site_id` or `incident_id`"
        )))
    }
}

/// Iterates over the records of a JSON Lines stream, numbering lines from 1.
/// I/O errors end the iteration with one error; bad lines yield a
/// [`LineError`] and reading goes on.
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    line_no: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader {
            input,
            line_no: 0,
            buf: Vec::with_capacity(512),
            done: false,
        }
    }
}

/// `BufRead::read_until(b'\n')`, finding the line's end with the `memchr`
/// crate's vector search: the standard library's portable one was a tenth
/// of reading a record.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut read = 0;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let (done, used) = match memchr::memchr(b'\n', available) {
            Some(i) => {
                buf.extend_from_slice(&available[..=i]);
                (true, i + 1)
            }
            None => {
                buf.extend_from_slice(available);
                (available.is_empty(), available.len())
            }
        };
        input.consume(used);
        read += used;
        if done {
            return Ok(read);
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<(u64, Record), LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            match read_line(&mut self.input, &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(LineError {
                        line: self.line_no + 1,
                        error: bad(format!("read error: {e}")),
                    }));
                }
            }
            self.line_no += 1;
            let line = match std::str::from_utf8(&self.buf) {
                Ok(l) => l,
                Err(e) => {
                    return Some(Err(LineError {
                        line: self.line_no,
                        error: bad(format!("not UTF-8 at byte {}", e.valid_up_to())),
                    }));
                }
            };
            match parse_line(line) {
                Ok(Some(r)) => return Some(Ok((self.line_no, r))),
                Ok(None) => continue,
                Err(error) => {
                    return Some(Err(LineError {
                        line: self.line_no,
                        error,
                    }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn lines_are_read_as_read_until_reads_them(
            text in proptest::collection::vec(proptest::sample::select(vec![b'a', b'\n', b'\r', b'{', 0xe4]), 0..200),
            capacity in 1usize..16,
        ) {
            let ours = {
                let mut input = std::io::BufReader::with_capacity(capacity, &text[..]);
                let (mut lines, mut buf) = (Vec::new(), Vec::new());
                while read_line(&mut input, &mut buf).unwrap() > 0 {
                    lines.push(std::mem::take(&mut buf));
                }
                lines
            };
            let std_lines = {
                let mut input = std::io::BufReader::with_capacity(capacity, &text[..]);
                let (mut lines, mut buf) = (Vec::new(), Vec::new());
                while input.read_until(b'\n', &mut buf).unwrap() > 0 {
                    lines.push(std::mem::take(&mut buf));
                }
                lines
            };
            proptest::prop_assert_eq!(ours, std_lines);
        }
    }

    fn one(line: &str) -> Record {
        parse_line(line).unwrap().unwrap()
    }

    #[test]
    fn reads_the_contract_example_kinds() {
        let r = one(
            r#"{"kind":"error","ts":"2026-11-03T12:02:42Z","terminal_id":"44017001","code":"E1","stage":"receive","stan":"000312","detail":"接收超时","extra":{"x":1}}"#,
        );
        let Record::Error(e) = r else {
            panic!("not an error: {r:?}")
        };
        assert_eq!(e.code, "E1");
        assert_eq!(e.ts_raw, "2026-11-03T12:02:42Z");
        assert_eq!(e.detail.as_deref(), Some("接收超时"));
        let r = one(
            r#"{"kind":"check","ts":"2026-11-03T12:10:00Z","site_id":"SZ-017-1","name":"router_restarted","result":"ok"}"#,
        );
        assert_eq!(
            r,
            Record::Check(Check {
                ts: Ts::parse("2026-11-03T12:10:00Z").unwrap(),
                target: Target::Site("SZ-017-1".into()),
                name: "router_restarted".into(),
                result: CheckResult::Ok,
            })
        );
        let r = one(
            r#"{"kind":"check","ts":"2026-11-03T12:10:00Z","terminal_id":"1","name":"adapter_voltage","result":4.3}"#,
        );
        let Record::Check(c) = r else { panic!() };
        assert_eq!(c.result, CheckResult::Value("4.3".into()));
    }

    #[test]
    fn full_pan_is_masked_at_ingestion() {
        let r = one(
            r#"{"kind":"txn","ts":"2026-11-03T12:01:10Z","terminal_id":"44017001","type":"purchase","amount":4800,"currency":"CNY","response_code":"05","pan":"6217001234567891234","stan":311}"#,
        );
        let Record::Txn(t) = r else { panic!() };
        assert_eq!(t.pan.as_ref().unwrap().as_str(), "621700*********1234");
        assert_eq!(t.stan.as_deref(), Some("311"));
        assert!(t.failed());
        let r = one(
            r#"{"kind":"error","ts":"2026-11-03T12:01:10Z","terminal_id":"1","code":"E4","detail":"card 4111111111111111 read fail"}"#,
        );
        let Record::Error(e) = r else { panic!() };
        assert_eq!(e.detail.as_deref(), Some("card 411111******1111 read fail"));
    }

    #[test]
    fn bad_lines_say_what_and_where() {
        let cases = [
            ("{", "invalid JSON"),
            (r#"{"ts":"2026-11-03T12:02:42Z"}"#, "missing `kind`"),
            (
                r#"{"kind":"error","ts":"2026-11-03T12:02:42Z","code":"E1"}"#,
                "missing required field `terminal_id` for kind `error`",
            ),
            (
                r#"{"kind":"error","ts":"yesterday","terminal_id":"1","code":"E1"}"#,
                "field `ts`: invalid RFC 3339 time `yesterday`",
            ),
            (
                r#"{"kind":"txn","ts":"2026-11-03T12:02:42Z","terminal_id":"1","type":"purchase","amount":"12","currency":"CNY"}"#,
                "invalid JSON",
            ),
            (
                r#"{"kind":"resolution","ts":"2026-11-03T12:02:42Z","cause":"network.lan"}"#,
                "needs a target",
            ),
        ];
        for (line, want) in cases {
            let e = parse_line(line).unwrap_err();
            assert!(e.message.contains(want), "{line}: got {e}");
        }
    }

    #[test]
    fn reader_skips_bad_lines_and_keeps_the_good_ones() {
        let input = "{\"kind\":\"site\",\"site_id\":\"S1\",\"merchant_id\":\"M\"}\n\nnot json\n\u{feff}{\"kind\":\"truth\",\"fault_id\":\"f\"}\n";
        let got: Vec<_> = Reader::new(input.as_bytes()).collect();
        assert_eq!(got.len(), 3);
        assert!(matches!(&got[0], Ok((1, Record::Site(_)))));
        assert_eq!(got[1].as_ref().unwrap_err().line, 3);
        assert!(matches!(&got[2], Ok((4, Record::Other { kind, .. })) if kind == "truth"));
    }

    /// Both readers of a line, as records (or the error `convert` gives).
    fn both(line: &str) -> Option<(Result<Record, RecordError>, Result<Record, RecordError>)> {
        let line = line.trim();
        let fast = fast::flat(line)?;
        let slow: Flat = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("serde refuses what the fast reader took: {line}: {e}"));
        Some((convert(fast), convert(slow)))
    }

    #[test]
    fn the_fast_reader_takes_the_common_lines_and_reads_them_as_serde_does() {
        let lines = [
            r#"{"kind":"error","ts":"2026-11-03T12:02:42Z","terminal_id":"44017001","code":"E1","stage":"receive","stan":"000312","detail":"接收超时"}"#,
            r#"{"kind":"txn","ts":"2026-11-03T12:01:10Z","terminal_id":"44017001","type":"purchase","amount":4800,"currency":"CNY","response_code":"05","pan":"6217001234567891234","stan":311,"latency_ms":812.5,"timed_out":false}"#,
            r#"{"kind":"telemetry","ts":"2026-11-03T12:00:00Z","terminal_id":"T1","online":true,"rssi_dbm":-67,"packet_loss":0.012,"supply_v":4.93,"power_events":0,"reboot":null,"app_crashes":1}"#,
            r#" { "kind" : "merchant" , "merchant_id" : 898110055410001 , "mcc" : "5541" , "name" : "银河加油站" , "card_rate" : 0.0033 } "#,
            r#"{"kind":"truth","fault_id":"f1","extra":1.5,"flag":true}"#,
            r#"{}"#,
        ];
        for line in lines {
            let (fast, slow) = both(line).unwrap_or_else(|| panic!("fast reader gave up: {line}"));
            assert_eq!(fast, slow, "{line}");
        }
        // What it must leave to serde: escapes, nesting, repeats, exponents,
        // long or malformed numbers, values of the wrong type.
        for line in [
            r#"{"kind":"error","detail":"say \"hi\""}"#,
            r#"{"kind":"error","extra":{"x":1}}"#,
            r#"{"kind":"error","kind":"txn"}"#,
            r#"{"kind":"telemetry","rssi_dbm":-6.7e1}"#,
            r#"{"kind":"telemetry","rssi_dbm":1234567890.1234567}"#,
            r#"{"kind":"txn","amount":012}"#,
            r#"{"kind":"txn","amount":-0}"#,
            r#"{"kind":"txn","amount":12.5}"#,
            r#"{"kind":"txn","amount":"12"}"#,
            r#"{"kind":"error",}"#,
            r#"{"kind":"error"} x"#,
            "{\"kind\":\"error\",\"detail\":\"a\tb\"}",
        ] {
            assert!(fast::flat(line).is_none(), "fast reader took {line}");
        }
    }

    fn json_scalar() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        // Mostly what the fast reader takes, so that lines get past it whole.
        prop_oneof![
            8 => "\"[a-zA-Z0-9 :._-]{0,12}\"",
            2 => "\"[\\PC]{0,6}\"",
            8 => "-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,8})?",
            4 => "-?[0-9]{1,3}",
            1 => "-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,3})?[eE][+-]?[0-9]{1,3}",
            1 => "0[0-9]{1,3}",
            2 => Just("-0".to_string()),
            1 => Just("-".to_string()),
            1 => Just("1.".to_string()),
            2 => Just("true".to_string()),
            2 => Just("false".to_string()),
            3 => Just("null".to_string()),
            1 => Just("nul".to_string()),
            1 => Just("[1,2]".to_string()),
            1 => Just("{\"a\":1}".to_string()),
            1 => Just("\"a\\\"b\"".to_string()),
            1 => Just("\"tab\there\"".to_string()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn fast_reads_as_serde_does(
            fields in proptest::collection::vec(
                (proptest::sample::select(vec![
                    "kind", "ts", "terminal_id", "code", "stage", "detail", "stan", "type",
                    "amount", "currency", "response_code", "timed_out", "latency_ms", "pan",
                    "fee", "merchant_id", "mcc", "online", "rssi_dbm", "packet_loss",
                    "power_events", "reboot", "name", "card_rate", "fixed_fee", "result",
                    "vendor", "model", "host", "notes", "cause", "unknown", "kinds", "",
                ]), json_scalar(), "[ \t]{0,2}"),
                0..8,
            ),
            kind in proptest::sample::select(vec![
                "\"error\"", "\"txn\"", "\"telemetry\"", "\"terminal\"", "\"merchant\"",
                "\"check\"", "\"complaint\"", "\"x\"", "null", "3",
            ]),
        ) {
            let mut line = format!("{{\"kind\":{kind}");
            for (key, value, ws) in &fields {
                line.push_str(&format!(",{ws}\"{key}\"{ws}:{ws}{value}{ws}"));
            }
            line.push('}');
            if let Some((fast, slow)) = both(&line) {
                proptest::prop_assert_eq!(fast, slow, "{}", line);
            }
        }

        #[test]
        fn arbitrary_lines_never_panic(s in "\\PC{0,200}") {
            let _ = parse_line(&s);
        }

        #[test]
        fn json_shaped_lines_never_panic(
            kind in proptest::sample::select(vec!["error","txn","telemetry","terminal","check","resolution","x"]),
            key in "[a-z_]{1,14}", val in proptest::prop_oneof![
                proptest::strategy::Just("1".to_string()), proptest::strategy::Just("\"a\"".to_string()),
                proptest::strategy::Just("null".to_string()), proptest::strategy::Just("[1]".to_string()),
                proptest::strategy::Just("-1e308".to_string()), "\"[0-9TZ:-]{0,25}\""]) {
            let line = format!(r#"{{"kind":"{kind}","ts":"2026-11-03T12:02:42Z","terminal_id":"T1","code":"E1","{key}":{val}}}"#);
            let _ = parse_line(&line);
        }
    }
}
