//! The common line, read without serde: a flat object of plain strings,
//! short decimal numbers, booleans and nulls. Reading records is a third of
//! `diagnose`'s time through serde, and nearly every line a fleet writes is
//! this simple.
//!
//! The rule that keeps it safe: this reader either produces exactly the
//! [`Flat`] serde would, or gives up (`None`) and the line goes to serde,
//! which reads it or says what is wrong with it. It gives up on anything it
//! is not sure of: escapes, control characters, nested values, exponents,
//! long numbers, a repeated field, a value of the wrong type. So a bad line's
//! error is always serde's, and `fast_reads_as_serde_does` holds the two to
//! the same answer on generated lines.

use std::borrow::Cow;

use super::{Flat, Loose};

/// A scalar as written.
#[derive(Debug, Clone, Copy)]
enum Tok<'a> {
    /// A string without escapes or control characters.
    Str(&'a str),
    /// An integer without sign or leading zeros, at most 15 digits.
    Uint(&'a str),
    /// A negative integer or a decimal fraction, at most 15 digits, no
    /// exponent: exactly representable steps for both readers.
    Num(&'a str),
    Bool(bool),
    Null,
}

/// Most digits a number may have for this reader to take it. Fifteen digits
/// stay below 2^53 and need at most 10^15, so serde's fast float path and
/// Rust's parser both round the one exact division the same way.
const DIGITS_MAX: usize = 15;

struct Scan<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A string's contents after its opening quote. Inlined: two of every
    /// three strings a line holds are field names, a few bytes long, and a
    /// call's own cost was as much as their scan.
    #[inline(always)]
    fn plain_str(&mut self) -> Option<&'a str> {
        let rest = &self.s.as_bytes()[self.i..];
        let len = json_special_at(rest)?;
        if rest[len] != b'"' {
            return None;
        }
        let out = &self.s[self.i..self.i + len];
        self.i += len + 1;
        Some(out)
    }

    fn literal(&mut self, word: &str, tok: Tok<'a>) -> Option<Tok<'a>> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Some(tok)
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<Tok<'a>> {
        let bytes = self.s.as_bytes();
        let start = self.i;
        let negative = self.eat(b'-');
        let int_start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        let int_digits = self.i - int_start;
        // JSON allows neither `-` alone nor a leading zero before digits.
        if int_digits == 0 || (int_digits > 1 && bytes[int_start] == b'0') {
            return None;
        }
        let mut digits = int_digits;
        let mut fraction = false;
        if self.eat(b'.') {
            let frac_start = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            if self.i == frac_start {
                return None;
            }
            digits += self.i - frac_start;
            fraction = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) || digits > DIGITS_MAX {
            return None;
        }
        let text = &self.s[start..self.i];
        // serde reads `-0` as a float, not as an integer.
        if negative && !fraction && text == "-0" {
            return None;
        }
        Some(if negative || fraction {
            Tok::Num(text)
        } else {
            Tok::Uint(text)
        })
    }

    fn scalar(&mut self) -> Option<Tok<'a>> {
        match self.peek()? {
            b'"' => {
                self.i += 1;
                self.plain_str().map(Tok::Str)
            }
            b't' => self.literal("true", Tok::Bool(true)),
            b'f' => self.literal("false", Tok::Bool(false)),
            b'n' => self.literal("null", Tok::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }
}

/// Where a JSON string's plain text ends: its first quote, backslash or
/// control byte (what a writer must escape). Eight bytes at a time, since
/// most strings are short and a library search costs more to start than to
/// run here.
pub fn json_special_at(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte that is zero (exact for the first such byte,
    // which is all that is read).
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        // Below 0x20 (bytes of UTF-8's upper half excluded), a quote, a backslash.
        let hits = (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
            | zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')));
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

/// `Some(value)` when the token is of the field's type (`Some(None)` for a
/// null), `None` when serde must judge it.
fn text(t: Tok<'_>) -> Option<Option<Cow<'_, str>>> {
    match t {
        Tok::Str(s) => Some(Some(Cow::Borrowed(s))),
        Tok::Null => Some(None),
        _ => None,
    }
}

fn owned(t: Tok<'_>) -> Option<Option<String>> {
    text(t).map(|v| v.map(Cow::into_owned))
}

fn loose(t: Tok<'_>) -> Option<Option<Loose<'_>>> {
    match t {
        Tok::Str(s) => Some(Some(Loose(Cow::Borrowed(s)))),
        // Without sign or leading zeros, the digits are how serde would print
        // the number it read.
        Tok::Uint(s) => Some(Some(Loose(Cow::Owned(s.to_string())))),
        Tok::Bool(b) => Some(Some(Loose(Cow::Borrowed(if b { "true" } else { "false" })))),
        Tok::Null => Some(None),
        Tok::Num(_) => None,
    }
}

fn float(t: Tok<'_>) -> Option<Option<f64>> {
    match t {
        Tok::Uint(s) | Tok::Num(s) => Some(Some(short_decimal(s))),
        Tok::Null => Some(None),
        _ => None,
    }
}

/// A decimal of at most [`DIGITS_MAX`] digits and no exponent: its digits
/// and the power of ten are exact in an `f64`, so one division rounds as
/// correctly as a full parser would, at a fraction of its cost.
fn short_decimal(text: &str) -> f64 {
    const POW10: [f64; DIGITS_MAX + 1] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mut mantissa, mut scale, mut fraction) = (0u64, 0usize, false);
    for b in digits.bytes() {
        if b == b'.' {
            fraction = true;
        } else {
            mantissa = mantissa * 10 + u64::from(b - b'0');
            scale += usize::from(fraction);
        }
    }
    let value = mantissa as f64 / POW10[scale.min(DIGITS_MAX)];
    if negative { -value } else { value }
}

fn int(t: Tok<'_>) -> Option<Option<i64>> {
    match t {
        Tok::Uint(s) => s.parse().ok().map(Some),
        Tok::Num(s) if !s.contains('.') => s.parse().ok().map(Some),
        Tok::Null => Some(None),
        _ => None,
    }
}

fn boolean(t: Tok<'_>) -> Option<Option<bool>> {
    match t {
        Tok::Bool(b) => Some(Some(b)),
        Tok::Null => Some(None),
        _ => None,
    }
}

/// Reads a trimmed line, or `None` for serde to read it.
#[cfg(test)]
pub(super) fn flat(line: &str) -> Option<Flat<'_>> {
    let mut f = Flat::default();
    flat_into(line, &mut f).map(|()| f)
}

/// [`flat`] into a `Flat` the caller holds (empty), so that the record's
/// hundred-odd fields are not copied on the way back; on `None` it holds
/// whatever was read before the reader stepped aside.
pub(super) fn flat_into<'a>(line: &'a str, f: &mut Flat<'a>) -> Option<()> {
    let mut p = Scan { s: line, i: 0 };
    // Fields given as null: empty, like fields not given, but serde still
    // refuses one given again.
    let mut nulled: Vec<&str> = Vec::new();
    p.ws();
    if !p.eat(b'{') {
        return None;
    }
    p.ws();
    if !p.eat(b'}') {
        loop {
            p.ws();
            if !p.eat(b'"') {
                return None;
            }
            let key = p.plain_str()?;
            p.ws();
            if !p.eat(b':') {
                return None;
            }
            p.ws();
            let t = p.scalar()?;
            if nulled.contains(&key) {
                return None;
            }
            // By the name's length first, one jump instead of comparing the
            // key with every field's name in turn; then in the order a fleet
            // writes them most.
            let null = match key.len() {
                2 => match key {
                    "ts" => set(&mut f.ts, text(t))?,
                    _ => false,
                },
                3 => match key {
                    "rrn" => set(&mut f.rrn, loose(t))?,
                    "pan" => set(&mut f.pan, loose(t))?,
                    "fee" => set(&mut f.fee, int(t))?,
                    "mcc" => set(&mut f.mcc, loose(t))?,
                    "lat" => set(&mut f.lat, float(t))?,
                    "lon" => set(&mut f.lon, float(t))?,
                    _ => false,
                },
                4 => match key {
                    "kind" => set(&mut f.kind, text(t))?,
                    "code" => set(&mut f.code, loose(t))?,
                    "stan" => set(&mut f.stan, loose(t))?,
                    "type" => set(&mut f.txn_type, text(t))?,
                    "name" => set(&mut f.name, owned(t))?,
                    "city" => set(&mut f.city, owned(t))?,
                    "host" => set(&mut f.host, loose(t))?,
                    "from" => set(&mut f.from, text(t))?,
                    "text" => set(&mut f.text, text(t))?,
                    _ => false,
                },
                5 => match key {
                    "stage" => set(&mut f.stage, text(t))?,
                    "model" => set(&mut f.model, loose(t))?,
                    "notes" => set(&mut f.notes, text(t))?,
                    "cause" => set(&mut f.cause, text(t))?,
                    _ => false,
                },
                6 => match key {
                    "detail" => set(&mut f.detail, text(t))?,
                    "amount" => set(&mut f.amount, int(t))?,
                    "online" => set(&mut f.online, boolean(t))?,
                    "reboot" => set(&mut f.reboot, loose(t))?,
                    "temp_c" => set(&mut f.temp_c, float(t))?,
                    "vendor" => set(&mut f.vendor, text(t))?,
                    "serial" => set(&mut f.serial, loose(t))?,
                    "result" => set(&mut f.result, loose(t))?,
                    "action" => set(&mut f.action, text(t))?,
                    _ => false,
                },
                7 => match key {
                    "channel" => set(&mut f.channel, text(t))?,
                    "cpu_pct" => set(&mut f.cpu_pct, float(t))?,
                    "printer" => set(&mut f.printer, text(t))?,
                    "site_id" => set(&mut f.site_id, loose(t))?,
                    "qr_rate" => set(&mut f.qr_rate, float(t))?,
                    "network" => set(&mut f.network, text(t))?,
                    "carrier" => set(&mut f.carrier, text(t))?,
                    _ => false,
                },
                8 => match key {
                    "currency" => set(&mut f.currency, loose(t))?,
                    "rssi_dbm" => set(&mut f.rssi_dbm, float(t))?,
                    "supply_v" => set(&mut f.supply_v, float(t))?,
                    "firmware" => set(&mut f.firmware, loose(t))?,
                    _ => false,
                },
                9 => match key {
                    "timed_out" => set(&mut f.timed_out, boolean(t))?,
                    "key_check" => set(&mut f.key_check, text(t))?,
                    "card_rate" => set(&mut f.card_rate, float(t))?,
                    "fixed_fee" => set(&mut f.fixed_fee, int(t))?,
                    "installed" => set(&mut f.installed, text(t))?,
                    _ => false,
                },
                10 => match key {
                    "latency_ms" => set(&mut f.latency_ms, float(t))?,
                    "settlement" => set(&mut f.settlement, owned(t))?,
                    _ => false,
                },
                11 => match key {
                    "terminal_id" => set(&mut f.terminal_id, loose(t))?,
                    "merchant_id" => set(&mut f.merchant_id, loose(t))?,
                    "packet_loss" => set(&mut f.packet_loss, float(t))?,
                    "battery_pct" => set(&mut f.battery_pct, float(t))?,
                    "app_crashes" => set(&mut f.app_crashes, float(t))?,
                    "app_version" => set(&mut f.app_version, loose(t))?,
                    "incident_id" => set(&mut f.incident_id, loose(t))?,
                    _ => false,
                },
                12 => match key {
                    "power_events" => set(&mut f.power_events, float(t))?,
                    "clock_skew_s" => set(&mut f.clock_skew_s, float(t))?,
                    "complaint_id" => set(&mut f.complaint_id, loose(t))?,
                    _ => false,
                },
                13 => match key {
                    "response_code" => set(&mut f.response_code, loose(t))?,
                    "keypad_errors" => set(&mut f.keypad_errors, float(t))?,
                    _ => false,
                },
                14 => match key {
                    "cert_not_after" => set(&mut f.cert_not_after, text(t))?,
                    _ => false,
                },
                15 => match key {
                    "memory_used_pct" => set(&mut f.memory_used_pct, float(t))?,
                    _ => false,
                },
                16 => match key {
                    "storage_used_pct" => set(&mut f.storage_used_pct, float(t))?,
                    _ => false,
                },
                18 => match key {
                    "card_reader_errors" => set(&mut f.card_reader_errors, float(t))?,
                    _ => false,
                },
                // Not a field of the format: serde skips it too.
                _ => false,
            };
            if null {
                nulled.push(key);
            }
            p.ws();
            if p.eat(b',') {
                continue;
            }
            if p.eat(b'}') {
                break;
            }
            return None;
        }
    }
    p.ws();
    (p.i == line.len()).then_some(())
}

/// Stores a field's value and tells whether it was a null, or gives up: on
/// a value serde must judge, and on a field given twice, which serde refuses.
fn set<T>(slot: &mut Option<T>, value: Option<Option<T>>) -> Option<bool> {
    if slot.is_some() {
        return None;
    }
    *slot = value?;
    Some(slot.is_none())
}

#[cfg(test)]
mod tests {
    use super::json_special_at;

    proptest::proptest! {
        #[test]
        fn a_short_decimal_reads_as_the_standard_parser_reads_it(
            text in "-?(0|[1-9][0-9]{0,14})",
            fraction in "[0-9]{1,14}",
            with_fraction: bool,
        ) {
            let digits = text.trim_start_matches('-').len() + fraction.len();
            let text = if with_fraction && digits <= super::DIGITS_MAX {
                format!("{text}.{fraction}")
            } else {
                text
            };
            let want: f64 = text.parse().unwrap();
            proptest::prop_assert_eq!(super::short_decimal(&text).to_bits(), want.to_bits(), "{}", text);
        }

        #[test]
        fn json_special_at_finds_the_first_quote_backslash_or_control_byte(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'"'),
                    proptest::strategy::Just(b'\\'),
                    0u8..0x20,
                    0x20u8..=0xff,
                    0x20u8..=0xff,
                    0x20u8..=0xff,
                    0x20u8..=0xff,
                ],
                0..40,
            )
        ) {
            let want = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            proptest::prop_assert_eq!(json_special_at(&bytes), want);
        }
    }
}
