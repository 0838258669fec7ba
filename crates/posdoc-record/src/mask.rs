//! Card data masking (PCI DSS): at most the first six and last four digits of
//! a card number survive ingestion; track data, PIN blocks and CVV never do.
//!
//! A [`MaskedPan`] can only be built by masking, so a full PAN cannot reach
//! storage or output through this type. Free text (log lines, complaint
//! texts, notes) goes through [`scrub_text`], which masks every digit run that
//! looks like a card number (13–19 digits passing the Luhn check) and cuts
//! the discretionary data that follows a track-2 separator.

use std::borrow::Cow;
use std::fmt;

/// A primary account number, masked to first six and last four digits.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct MaskedPan(String);

impl MaskedPan {
    /// Masks whatever arrived in a `pan` field. Already-masked input
    /// (`621700******1234`) is kept if it shows no more than 6 + 4 digits.
    pub fn mask(raw: &str) -> MaskedPan {
        // ASCII digits are single bytes in UTF-8, and no byte of a longer
        // character is one: filtering bytes keeps what filtering chars does.
        let mut digits = Vec::with_capacity(raw.len());
        digits.extend(raw.bytes().filter(u8::is_ascii_digit));
        let mask_mark = |b: &u8| matches!(b, b'*' | b'X' | b'x' | b'#');
        let already_masked = raw.bytes().any(|b| mask_mark(&b));
        if already_masked && digits.len() <= 10 {
            let mut clean = String::with_capacity(raw.len());
            clean.extend(
                raw.bytes()
                    .filter(|b| b.is_ascii_digit() || mask_mark(b))
                    .map(|b| {
                        if b.is_ascii_digit() {
                            char::from(b)
                        } else {
                            '*'
                        }
                    }),
            );
            return MaskedPan(clean);
        }
        MaskedPan(mask_digits(&digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The issuer identification number (first six digits) when known.
    pub fn bin(&self) -> Option<&str> {
        let b = self.0.get(..6)?;
        b.bytes().all(|c| c.is_ascii_digit()).then_some(b)
    }
}

fn mask_digits(digits: &[u8]) -> String {
    let n = digits.len();
    // Too short to keep six and four apart: keep only the last four.
    let shown = |i: usize| (n > 10 && i < 6) || i + 4 >= n;
    let mut out = String::with_capacity(n);
    out.extend(
        digits
            .iter()
            .enumerate()
            .map(|(i, &c)| if shown(i) { char::from(c) } else { '*' }),
    );
    out
}

impl fmt::Debug for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedPan({})", self.0)
    }
}

impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Luhn check over ASCII digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Masks card numbers and drops track data inside free text.
pub fn scrub_text(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    // Fast path: no run of 13+ digits, nothing to do.
    let mut run = 0usize;
    let mut suspicious = false;
    for &c in b {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 13 {
                suspicious = true;
                break;
            }
        } else {
            run = 0;
        }
    }
    if !suspicious {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            let ch_len = utf8_len(b[i]);
            out.push_str(&text[i..i + ch_len]);
            i += ch_len;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let run = &b[start..i];
        let track_sep = i < b.len() && matches!(b[i], b'=' | b'D' | b'd');
        let looks_like_pan = (13..=19).contains(&run.len()) && (luhn_valid(run) || track_sep);
        if looks_like_pan {
            out.push_str(&mask_digits(run));
            if track_sep {
                // Track 2: expiry, service code and discretionary data follow.
                out.push_str("=****");
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
        } else if run.len() > 19 && luhn_window(run) {
            out.push_str(&"*".repeat(run.len()));
        } else {
            out.push_str(&text[start..i]);
        }
    }
    Cow::Owned(out)
}

/// A long digit run that hides a card number inside it (e.g. a PAN glued to
/// a date) is masked whole.
fn luhn_window(run: &[u8]) -> bool {
    (13..=19).any(|w| run.windows(w).any(luhn_valid))
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Field names whose values must never be stored: track data, PIN blocks,
/// card verification values (and their ISO 8583 field numbers).
const NEVER_STORED: &[&str] = &[
    "track1",
    "track2",
    "track3",
    "track_data",
    "track1_data",
    "track2_data",
    "pin_block",
    "pinblock",
    "pin",
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "cvn",
    "field_35",
    "field_36",
    "field_45",
    "field_52",
];

/// Cleans a record as JSON before it is stored or logged: `pan` masked,
/// track data, PIN blocks and CVV removed, card numbers in every other
/// string masked — at any depth, so an extension field cannot smuggle one.
pub fn scrub_json(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !NEVER_STORED.contains(&k.to_ascii_lowercase().as_str()));
            for (k, x) in map.iter_mut() {
                if k.eq_ignore_ascii_case("pan") {
                    let raw = match x {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => continue,
                    };
                    *x = Value::String(MaskedPan::mask(&raw).as_str().to_string());
                } else {
                    scrub_json(x);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_json),
        Value::String(s) => {
            if let Cow::Owned(clean) = scrub_text(s) {
                *s = clean;
            }
        }
        // A card number sent as a bare JSON number is still a card number.
        Value::Number(n) => {
            let digits = n.to_string();
            if let Cow::Owned(clean) = scrub_text(&digits) {
                *v = Value::String(clean);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_full_pan_to_six_and_four() {
        assert_eq!(
            MaskedPan::mask("6217001234567891234").as_str(),
            "621700*********1234"
        );
        assert_eq!(
            MaskedPan::mask("6217 0012 3456 7890").as_str(),
            "621700******7890"
        );
        assert_eq!(
            MaskedPan::mask("621700******1234").as_str(),
            "621700******1234"
        );
        assert_eq!(MaskedPan::mask("621700******1234").bin(), Some("621700"));
        // Pretending to be masked while carrying the whole number does not work.
        assert_eq!(
            MaskedPan::mask("6217001234567891*").as_str(),
            "621700******7891"
        );
    }

    #[test]
    fn a_number_too_short_to_keep_six_and_four_keeps_the_last_four() {
        assert_eq!(MaskedPan::mask("1234567890").as_str(), "******7890");
        assert_eq!(MaskedPan::mask("12-345").as_str(), "*2345");
        assert_eq!(MaskedPan::mask("12345678901").as_str(), "123456*8901");
        assert_eq!(
            MaskedPan::mask("卡62170012345678901").as_str(),
            "621700*******8901"
        );
        assert_eq!(MaskedPan::mask("").as_str(), "");
    }

    #[test]
    fn scrubs_pans_and_track_data_in_text() {
        let pan = "4111111111111111";
        let t = format!("read card {pan} ok");
        assert_eq!(scrub_text(&t), "read card 411111******1111 ok");
        let track = format!("track2 {pan}=25121010000012300000 bad");
        assert_eq!(scrub_text(&track), "track2 411111******1111=**** bad");
        assert_eq!(
            scrub_text("stan 000312 rrn 311201000311"),
            "stan 000312 rrn 311201000311"
        );
        assert!(matches!(scrub_text("接收超时"), Cow::Borrowed(_)));
        assert_eq!(
            scrub_text("卡号4111111111111111失败"),
            "卡号411111******1111失败"
        );
    }

    #[test]
    fn scrub_json_masks_and_drops_at_any_depth() {
        let mut v: serde_json::Value = serde_json::from_str(
            r#"{"kind":"txn","pan":"4111111111111111","track2":"4111111111111111=2512","CVV":"123",
               "detail":"card 4111111111111111 read","ext":{"card":4111111111111111,"pin_block":"ABCD"},
               "amount":4800}"#,
        )
        .unwrap();
        scrub_json(&mut v);
        let s = v.to_string();
        assert!(!s.contains("4111111111111111"), "{s}");
        assert_eq!(v["pan"], "411111******1111");
        assert!(v.get("track2").is_none() && v.get("CVV").is_none());
        assert!(v["ext"].get("pin_block").is_none());
        assert_eq!(v["ext"]["card"], "411111******1111");
        assert_eq!(v["amount"], 4800);
    }

    proptest::proptest! {
        #[test]
        fn masking_reads_chars_as_it_always_did(s in "[0-9 *Xx#\\-中]{0,30}") {
            // The char-by-char reading the byte-wise one replaced.
            let digits: Vec<char> = s.chars().filter(char::is_ascii_digit).collect();
            let n = digits.len();
            let expected: String = if s.contains(['*', 'X', 'x', '#']) && n <= 10 {
                s.chars()
                    .filter(|c| c.is_ascii_digit() || matches!(c, '*' | 'X' | 'x' | '#'))
                    .map(|c| if c.is_ascii_digit() { c } else { '*' })
                    .collect()
            } else {
                digits
                    .iter()
                    .enumerate()
                    .map(|(i, &d)| if (n > 10 && i < 6) || i + 4 >= n { d } else { '*' })
                    .collect()
            };
            proptest::prop_assert_eq!(MaskedPan::mask(&s).as_str().to_string(), expected);
        }

        #[test]
        fn scrub_never_leaves_a_luhn_valid_card_number(s in "[0-9a-z =D中]{0,80}") {
            let out = scrub_text(&s);
            let b = out.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() { i += 1; }
                let run = &b[start..i];
                proptest::prop_assert!(!((13..=19).contains(&run.len()) && luhn_valid(run)), "{out}");
                if i == start { i += 1; }
            }
        }
    }
}
