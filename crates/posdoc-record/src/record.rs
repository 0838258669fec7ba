//! Typed records of the format v1.

use crate::mask::MaskedPan;
use crate::time::Ts;

/// The text of a record's short fields (ids, codes, stages): kept inline
/// up to 24 bytes, so that reading a heartbeat or a payment allocates
/// nothing for them.
pub type Str = compact_str::CompactString;

/// One record of the format. Unknown kinds are kept as [`Record::Other`] so
/// that a file with extension kinds (or truth records) still reads cleanly.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Merchant(Merchant),
    Site(Site),
    Terminal(Terminal),
    Telemetry(Telemetry),
    Error(ErrorEvent),
    Txn(Txn),
    Check(Check),
    Maintenance(Maintenance),
    Complaint(Complaint),
    Resolution(Resolution),
    Other { kind: String, ts: Option<Ts> },
}

impl Record {
    /// The record's time; inventory records may have none.
    pub fn ts(&self) -> Option<Ts> {
        match self {
            Record::Merchant(r) => r.ts,
            Record::Site(r) => r.ts,
            Record::Terminal(r) => r.ts,
            Record::Telemetry(r) => Some(r.ts),
            Record::Error(r) => Some(r.ts),
            Record::Txn(r) => Some(r.ts),
            Record::Check(r) => Some(r.ts),
            Record::Maintenance(r) => Some(r.ts),
            Record::Complaint(r) => Some(r.ts),
            Record::Resolution(r) => Some(r.ts),
            Record::Other { ts, .. } => *ts,
        }
    }

    /// The terminal a record is about, if it is about one.
    pub fn terminal_id(&self) -> Option<&str> {
        Some(match self {
            Record::Terminal(t) => &t.terminal_id,
            Record::Telemetry(t) => &t.terminal_id,
            Record::Error(e) => &e.terminal_id,
            Record::Txn(t) => &t.terminal_id,
            Record::Maintenance(m) => &m.terminal_id,
            Record::Complaint(c) => c.terminal_id.as_deref()?,
            Record::Check(c) => match &c.target {
                Target::Terminal(t) => t,
                _ => return None,
            },
            Record::Resolution(r) => match &r.target {
                Target::Terminal(t) => t,
                _ => return None,
            },
            Record::Merchant(_) | Record::Site(_) | Record::Other { .. } => return None,
        })
    }

    pub fn kind(&self) -> &str {
        match self {
            Record::Merchant(_) => "merchant",
            Record::Site(_) => "site",
            Record::Terminal(_) => "terminal",
            Record::Telemetry(_) => "telemetry",
            Record::Error(_) => "error",
            Record::Txn(_) => "txn",
            Record::Check(_) => "check",
            Record::Maintenance(_) => "maintenance",
            Record::Complaint(_) => "complaint",
            Record::Resolution(_) => "resolution",
            Record::Other { kind, .. } => kind,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Merchant {
    pub ts: Option<Ts>,
    pub merchant_id: String,
    pub mcc: String,
    pub name: Option<String>,
    pub city: Option<String>,
    pub settlement: Option<String>,
    pub card_rate: Option<f64>,
    pub qr_rate: Option<f64>,
    pub fixed_fee: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Site {
    pub ts: Option<Ts>,
    pub site_id: String,
    pub merchant_id: String,
    pub name: Option<String>,
    pub city: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Terminal {
    pub ts: Option<Ts>,
    pub terminal_id: String,
    pub vendor: String,
    pub model: String,
    pub serial: Option<String>,
    pub firmware: Option<String>,
    pub app_version: Option<String>,
    pub merchant_id: Option<String>,
    pub site_id: Option<String>,
    pub network: Option<String>,
    pub carrier: Option<String>,
    pub host: Option<String>,
    pub cert_not_after: Option<Ts>,
    pub installed: Option<Ts>,
}

/// A heartbeat. Every measurement is optional: vendors report different subsets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Telemetry {
    pub ts: Ts,
    pub terminal_id: Str,
    pub online: Option<bool>,
    pub rssi_dbm: Option<f64>,
    pub latency_ms: Option<f64>,
    pub packet_loss: Option<f64>,
    pub supply_v: Option<f64>,
    pub battery_pct: Option<f64>,
    pub power_events: Option<u32>,
    pub reboot: Option<Str>,
    pub storage_used_pct: Option<f64>,
    pub memory_used_pct: Option<f64>,
    pub cpu_pct: Option<f64>,
    pub temp_c: Option<f64>,
    pub key_check: Option<Str>,
    pub clock_skew_s: Option<f64>,
    pub printer: Option<Str>,
    pub keypad_errors: Option<u32>,
    pub card_reader_errors: Option<u32>,
    pub app_crashes: Option<u32>,
    pub firmware: Option<Str>,
    pub app_version: Option<Str>,
}

/// A code shown or logged by a terminal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorEvent {
    pub ts: Ts,
    /// The time exactly as it arrived, echoed in the diagnosis.
    pub ts_raw: Str,
    pub terminal_id: Str,
    pub code: Str,
    pub stage: Option<Str>,
    /// Raw log line, card numbers masked.
    pub detail: Option<String>,
    pub stan: Option<Str>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Txn {
    pub ts: Ts,
    pub ts_raw: Str,
    pub terminal_id: Str,
    pub txn_type: Str,
    pub amount: i64,
    pub currency: Str,
    pub merchant_id: Option<Str>,
    pub stan: Option<Str>,
    pub rrn: Option<Str>,
    pub channel: Option<Str>,
    pub mcc: Option<Str>,
    pub response_code: Option<Str>,
    pub timed_out: bool,
    pub latency_ms: Option<f64>,
    pub fee: Option<i64>,
    pub pan: Option<MaskedPan>,
}

/// Response codes that approve a payment: ISO 8583 field 39's 00, 10
/// (partial amount), 11 (VIP) and 16 (approved, update track 3); China
/// UnionPay's A2, A4, A5 and A6 (有缺陷的成功: approved, with a defect in
/// the exchange the acquirer settles later — the customer has paid); and
/// EMV's Y1 and Y3, a chip's offline approval that terminals journal in
/// place of a host's answer. Everything else is a failure (the contract's
/// "a response code other than an approval"). The knowledge base marks
/// exactly these `approved` and refuses to load otherwise.
pub const APPROVAL_CODES: [&str; 10] = ["00", "10", "11", "16", "A2", "A4", "A5", "A6", "Y1", "Y3"];

/// Whether response code `rc` is one of [`APPROVAL_CODES`], in either case
/// and whatever spaces pad it: the one test of an approval, for a typed
/// payment ([`Txn::approved`]) and for any other reader of a code.
pub fn is_approval_code(rc: &str) -> bool {
    let rc = rc.trim();
    APPROVAL_CODES.iter().any(|a| a.eq_ignore_ascii_case(rc))
}

impl Txn {
    /// Whether the payment was approved: answered with one of
    /// [`APPROVAL_CODES`] (in either case) and not timed out.
    pub fn approved(&self) -> bool {
        !self.timed_out && self.response_code.as_deref().is_some_and(is_approval_code)
    }

    /// Failed as the contract defines it: a timeout or a non-approval
    /// response. No response code at all means no response came: a timeout.
    pub fn failed(&self) -> bool {
        !self.approved()
    }
}

/// What a check, a resolution or a complaint is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Terminal(String),
    Site(String),
    Incident(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub ts: Ts,
    pub target: Target,
    pub name: String,
    pub result: CheckResult,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckResult {
    Ok,
    Fail,
    Value(String),
}

impl CheckResult {
    pub fn parse(s: &str) -> CheckResult {
        match s.trim().to_ascii_lowercase().as_str() {
            "ok" | "pass" | "passed" | "yes" | "true" | "good" | "normal" | "正常" => {
                CheckResult::Ok
            }
            "fail" | "failed" | "no" | "false" | "bad" | "fault" | "异常" => CheckResult::Fail,
            _ => CheckResult::Value(s.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Maintenance {
    pub ts: Ts,
    pub terminal_id: String,
    pub action: String,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Complaint {
    pub ts: Ts,
    pub complaint_id: String,
    pub from: String,
    pub merchant_id: String,
    pub terminal_id: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub ts: Ts,
    pub target: Target,
    /// The cause as written (may be a refinement); see [`crate::Cause::parse`].
    pub cause: String,
    pub notes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn txn(rc: Option<&str>, timed_out: bool) -> Txn {
        Txn {
            response_code: rc.map(Str::from),
            timed_out,
            ..Txn::default()
        }
    }

    #[test]
    fn a_txn_without_a_response_code_failed_even_without_the_timeout_flag() {
        assert!(txn(None, false).failed());
        assert!(txn(None, true).failed());
        assert!(txn(Some("51"), false).failed());
        assert!(txn(Some("00"), true).failed());
        assert!(!txn(Some("00"), false).failed());
        assert!(!txn(Some("10"), false).failed());
    }

    #[test]
    fn unionpays_approvals_with_a_defect_and_a_chips_offline_approval_are_no_failures() {
        for rc in ["A2", "A4", "A5", "A6", "a4", "16", "Y1", "Y3"] {
            assert!(!txn(Some(rc), false).failed(), "{rc}");
            assert!(txn(Some(rc), true).failed(), "{rc} timed out");
        }
        for rc in ["A0", "A3", "Z1", "Z3", "12", "1", "000"] {
            assert!(txn(Some(rc), false).failed(), "{rc}");
        }
    }
}
