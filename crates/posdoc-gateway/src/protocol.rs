//! The wire conventions both ends share (docs/GATEWAY.md): which message is
//! which transaction, the fields each carries, field 60 and 61 layouts,
//! settlement totals in field 48, and sealing/verifying the MAC in field 64.
//!
//! Messages are built and read through the owned [`Message`] of
//! `posdoc-iso8583`: a sale costs a few microseconds to decode and encode,
//! far below the socket and journal costs, and one representation keeps the
//! gateway and the simulated terminals honest with each other.

use std::fmt;

use posdoc_iso8583::{Dialect, Message, Value, decode, encode, unframe_cup};

use crate::crypto::{Key, MacAlgorithm, mac, mac_eq};

/// TPDU of requests: ID 0x60, destination 0003 (the gateway), source 0000.
pub const REQUEST_TPDU: [u8; 5] = [0x60, 0x00, 0x03, 0x00, 0x00];
/// The CUP header this gateway and its terminals send: application type 60,
/// version 31, status 0, processing request 0, reserved.
pub const HEADER: [u8; 6] = [0x60, 0x31, 0x00, 0x31, 0x10, 0x00];

/// What a message asks for, from its MTI, processing code (field 3) and
/// field 60.1 (the CUP transaction type code).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    SignOn,
    Sale,
    Void,
    Refund,
    Balance,
    PreAuth,
    Completion,
    Reversal,
    Settlement,
}

impl Kind {
    /// Every kind, for tables and tests.
    pub const ALL: [Kind; 9] = [
        Kind::SignOn,
        Kind::Sale,
        Kind::Void,
        Kind::Refund,
        Kind::Balance,
        Kind::PreAuth,
        Kind::Completion,
        Kind::Reversal,
        Kind::Settlement,
    ];

    /// The request MTI.
    pub fn mti(self) -> &'static str {
        match self {
            Kind::SignOn => "0800",
            Kind::Sale | Kind::Void | Kind::Balance | Kind::Completion => "0200",
            Kind::Refund => "0220",
            Kind::PreAuth => "0100",
            Kind::Reversal => "0400",
            Kind::Settlement => "0500",
        }
    }

    /// Field 3 for financial requests.
    pub fn processing_code(self) -> Option<&'static str> {
        Some(match self {
            Kind::Sale | Kind::Completion => "000000",
            Kind::Void | Kind::Refund => "200000",
            Kind::Balance => "310000",
            Kind::PreAuth => "030000",
            _ => return None,
        })
    }

    /// Field 60.1, the CUP transaction type code.
    pub fn type_code(self) -> &'static str {
        match self {
            Kind::SignOn | Kind::Settlement => "00",
            Kind::Sale => "22",
            Kind::Void => "23",
            Kind::Refund => "25",
            Kind::Balance => "01",
            Kind::PreAuth => "10",
            Kind::Completion => "20",
            // A reversal carries its original's type code.
            Kind::Reversal => "22",
        }
    }

    /// The contract's `txn.type`.
    pub fn txn_type(self) -> &'static str {
        match self {
            Kind::Sale => "purchase",
            Kind::Void => "void",
            Kind::Refund => "refund",
            Kind::Balance => "balance",
            Kind::PreAuth => "preauth",
            Kind::Completion => "completion",
            Kind::Reversal => "reversal",
            Kind::SignOn => "sign_on",
            Kind::Settlement => "settlement",
        }
    }

    /// Whether the kind moves money and is keyed by terminal, batch and
    /// STAN for duplicate detection and reversal matching.
    pub fn is_financial(self) -> bool {
        matches!(
            self,
            Kind::Sale | Kind::Void | Kind::Refund | Kind::PreAuth | Kind::Completion
        )
    }

    /// Classifies a request; `None` for anything this gateway does not serve.
    pub fn classify(mti: &str, processing_code: Option<&str>, type_code: &str) -> Option<Kind> {
        Some(match (mti, processing_code.unwrap_or(""), type_code) {
            ("0800", _, _) => Kind::SignOn,
            ("0500", _, _) => Kind::Settlement,
            ("0400", _, _) => Kind::Reversal,
            ("0100", "030000", "10") => Kind::PreAuth,
            ("0220", "200000", "25") => Kind::Refund,
            ("0200", "000000", "22") => Kind::Sale,
            ("0200", "000000", "20") => Kind::Completion,
            ("0200", "200000", "23") => Kind::Void,
            ("0200", "310000", "01") => Kind::Balance,
            _ => return None,
        })
    }

    /// The kind a reversal undoes, from its field 60.1.
    pub fn from_type_code(type_code: &str) -> Option<Kind> {
        Some(match type_code {
            "22" => Kind::Sale,
            "23" => Kind::Void,
            "25" => Kind::Refund,
            "10" => Kind::PreAuth,
            "20" => Kind::Completion,
            _ => return None,
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.txn_type())
    }
}

/// The response MTI for a request MTI (`0200` → `0210`).
pub fn response_mti(request_mti: &str) -> String {
    let mut b = request_mti.as_bytes().to_vec();
    if let Some(d) = b.get_mut(2) {
        *d = d.saturating_add(1);
    }
    String::from_utf8(b).unwrap_or_default()
}

/// Field 60 as `type(2) batch(6) network code(3)`.
pub fn field60(type_code: &str, batch: u32, network_code: &str) -> String {
    format!("{type_code}{batch:06}{network_code}")
}

/// Parsed field 60: type code, batch number, network management code.
pub fn parse_field60(value: &str) -> (String, Option<u32>, String) {
    let type_code = value.get(..2).unwrap_or("").to_string();
    let batch = value.get(2..8).and_then(|b| b.parse().ok());
    let network = value.get(8..11).unwrap_or("").to_string();
    (type_code, batch, network)
}

/// Field 61 of voids, refunds and completions: original batch (6), STAN (6)
/// and, optionally, date MMDD (4).
pub fn field61(batch: u32, stan: u32, date: Option<&str>) -> String {
    format!("{batch:06}{stan:06}{}", date.unwrap_or(""))
}

/// Parsed field 61: original batch and STAN.
pub fn parse_field61(value: &str) -> Option<(u32, u32)> {
    Some((
        value.get(..6)?.parse().ok()?,
        value.get(6..12)?.parse().ok()?,
    ))
}

/// Settlement totals as carried in field 48 (CUP layout, 62 digits): debit
/// amount (12), debit count (3), credit amount (12), credit count (3),
/// result (1: `1` balanced, `2` not balanced, `0` in requests), then the
/// same 31 digits for foreign cards (always zero here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub debit_amount: u64,
    pub debit_count: u32,
    pub credit_amount: u64,
    pub credit_count: u32,
}

impl Totals {
    /// Field 48 digits with the given result digit.
    pub fn to_field48(&self, result: char) -> String {
        format!(
            "{:012}{:03}{:012}{:03}{result}{:031}",
            self.debit_amount % 1_000_000_000_000,
            self.debit_count % 1000,
            self.credit_amount % 1_000_000_000_000,
            self.credit_count % 1000,
            0
        )
    }

    /// Reads field 48; the second return is the result digit.
    pub fn from_field48(value: &str) -> Option<(Totals, char)> {
        let num = |r: std::ops::Range<usize>| value.get(r)?.parse::<u64>().ok();
        let totals = Totals {
            debit_amount: num(0..12)?,
            debit_count: u32::try_from(num(12..15)?).ok()?,
            credit_amount: num(15..27)?,
            credit_count: u32::try_from(num(27..30)?).ok()?,
        };
        Some((totals, value.chars().nth(30)?))
    }

    /// What field 48 can carry of these totals (12-digit amounts, 3-digit
    /// counts): totals compare on the wire in this form.
    pub fn on_wire(&self) -> Totals {
        Totals {
            debit_amount: self.debit_amount % 1_000_000_000_000,
            debit_count: self.debit_count % 1000,
            credit_amount: self.credit_amount % 1_000_000_000_000,
            credit_count: self.credit_count % 1000,
        }
    }

    /// Adds a debit (sale, completion) or credit (refund) of `amount`.
    pub fn add(&mut self, kind: Kind, amount: u64) {
        match kind {
            Kind::Sale | Kind::Completion => {
                self.debit_amount += amount;
                self.debit_count += 1;
            }
            Kind::Refund => {
                self.credit_amount += amount;
                self.credit_count += 1;
            }
            _ => {}
        }
    }
}

/// A message's text field.
pub fn text(msg: &Message, n: u8) -> Option<&str> {
    msg.fields.get(&n).and_then(Value::as_text)
}

/// A message's binary field.
pub fn bytes(msg: &Message, n: u8) -> Option<&[u8]> {
    msg.fields.get(&n).and_then(Value::as_bytes)
}

/// Sets a text field.
pub fn set(msg: &mut Message, n: u8, value: impl Into<String>) {
    msg.fields.insert(n, Value::Text(value.into()));
}

/// Sets a binary field.
pub fn set_bytes(msg: &mut Message, n: u8, value: impl Into<Vec<u8>>) {
    msg.fields.insert(n, Value::Bytes(value.into()));
}

/// Where the MAC'd part of a CUP frame starts: after the length prefix,
/// TPDU and header.
fn body_offset(frame: &[u8]) -> Option<usize> {
    let (_, _, body) = unframe_cup(frame).ok()?;
    Some(frame.len() - body.len())
}

/// Encodes `msg` as a CUP frame. With a key, field 64 is set and filled
/// with the MAC of the body (MTI up to field 64).
pub fn seal(msg: &mut Message, key: Option<(MacAlgorithm, &Key)>) -> anyhow::Result<Vec<u8>> {
    if key.is_some() {
        set_bytes(msg, 64, [0u8; 8]);
    } else {
        msg.fields.remove(&64);
    }
    let mut frame = encode(Dialect::Cup, msg)?;
    if let Some((alg, key)) = key {
        let start = body_offset(&frame).ok_or_else(|| anyhow::anyhow!("unframeable"))?;
        let end = frame.len() - 8;
        let m = mac(alg, key, frame.get(start..end).unwrap_or(&[]));
        if let Some(slot) = frame.get_mut(end..) {
            slot.copy_from_slice(&m);
        }
        set_bytes(msg, 64, m);
    }
    Ok(frame)
}

/// Whether a frame's field 64 is the MAC of its body under `key`. A frame
/// without field 64 fails.
pub fn verify(frame: &[u8], msg: &Message, alg: MacAlgorithm, key: &Key) -> bool {
    let Some(given) = bytes(msg, 64) else {
        return false;
    };
    let Some(start) = body_offset(frame) else {
        return false;
    };
    let end = frame.len().saturating_sub(8);
    let Some(data) = frame.get(start..end) else {
        return false;
    };
    mac_eq(&mac(alg, key, data), given)
}

/// Decodes a CUP frame.
pub fn open(frame: &[u8]) -> Result<Message, posdoc_iso8583::Error> {
    decode(Dialect::Cup, frame)
}

/// A new message with the request envelope.
pub fn request(kind: Kind) -> Message {
    Message {
        mti: kind.mti().to_string(),
        tpdu: Some(REQUEST_TPDU),
        header: Some(HEADER.to_vec()),
        ..Message::default()
    }
}

/// The response envelope for a request: MTI + 10, TPDU with source and
/// destination swapped.
pub fn response_to(req: &Message) -> Message {
    let tpdu = req
        .tpdu
        .map(|t| [t[0], t[3], t[4], t[1], t[2]])
        .unwrap_or(REQUEST_TPDU);
    Message {
        mti: response_mti(&req.mti),
        tpdu: Some(tpdu),
        header: req.header.clone(),
        ..Message::default()
    }
}

/// Upper-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

/// Parses hex (spaces ignored) into exactly `N` bytes.
pub fn unhex<const N: usize>(text: &str) -> anyhow::Result<[u8; N]> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    anyhow::ensure!(
        digits.len() == 2 * N,
        "expected {} hex digits, got {}",
        2 * N,
        digits.len()
    );
    let mut out = [0u8; N];
    for (i, pair) in digits.chunks(2).enumerate() {
        let s = std::str::from_utf8(pair)?;
        out[i] = u8::from_str_radix(s, 16).map_err(|_| anyhow::anyhow!("not hex: {s:?}"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_round_trips_every_kind() {
        for kind in Kind::ALL {
            let back = Kind::classify(kind.mti(), kind.processing_code(), kind.type_code());
            assert_eq!(back, Some(kind), "{kind:?}");
        }
        assert_eq!(Kind::classify("0200", Some("990000"), "22"), None);
        assert_eq!(response_mti("0200"), "0210");
        assert_eq!(response_mti("0400"), "0410");
        assert_eq!(response_mti("0800"), "0810");
    }

    #[test]
    fn field48_round_trips_and_has_cup_length() {
        let t = Totals {
            debit_amount: 123_456,
            debit_count: 7,
            credit_amount: 900,
            credit_count: 1,
        };
        let f = t.to_field48('1');
        assert_eq!(f.len(), 62);
        assert_eq!(Totals::from_field48(&f), Some((t, '1')));
        assert_eq!(Totals::from_field48("12"), None);
    }

    #[test]
    fn sealed_frames_verify_and_tampering_fails() {
        let key: Key = *b"0123456789ABCDEF";
        for alg in [MacAlgorithm::CupEcb, MacAlgorithm::X919] {
            let mut m = request(Kind::Sale);
            set(&mut m, 3, "000000");
            set(&mut m, 4, "000000000100");
            set(&mut m, 11, "000001");
            set(&mut m, 41, "10000001");
            set(&mut m, 42, "898310048160001");
            set(&mut m, 60, field60("22", 1, "000"));
            let frame = seal(&mut m, Some((alg, &key))).expect("seals");
            let back = open(&frame).expect("decodes");
            assert_eq!(back, m);
            assert!(verify(&frame, &back, alg, &key));
            let other: Key = *b"FEDCBA9876543210";
            assert!(!verify(&frame, &back, alg, &other));
            let mut bad = frame.clone();
            let i = bad.len() - 12;
            bad[i] ^= 0x01;
            if let Ok(bm) = open(&bad) {
                assert!(!verify(&bad, &bm, alg, &key));
            }
        }
    }

    #[test]
    fn field60_and_61_layouts() {
        assert_eq!(field60("22", 12, "000"), "22000012000");
        assert_eq!(
            parse_field60("22000012000"),
            ("22".into(), Some(12), "000".into())
        );
        assert_eq!(field61(3, 45, Some("1201")), "0000030000451201");
        assert_eq!(parse_field61("0000030000451201"), Some((3, 45)));
        assert_eq!(parse_field61("12"), None);
    }

    #[test]
    fn hex_round_trips() {
        let b: [u8; 4] = unhex("de ad BE EF").expect("hex");
        assert_eq!(hex(&b), "DEADBEEF");
        assert!(unhex::<2>("abc").is_err());
        assert!(unhex::<1>("zz").is_err());
    }
}
