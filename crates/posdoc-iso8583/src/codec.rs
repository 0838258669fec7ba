//! Encoder and decoder shared by both dialects; the dialect only changes the
//! envelope (CUP frame/TPDU/header), the MTI and bitmap representation and the
//! length-prefix form. Field bodies are driven entirely by the spec tables.

use std::collections::BTreeMap;

use crate::error::{CharClass, Error, Part, Problem};
use crate::spec::{Dialect, Encoding, FieldSpec, Length, spec};

/// A field value. Numeric, track and text fields are `Text`; binary fields
/// (CUP 52, 55, 62, 63, 64, ...) are `Bytes`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Value {
    /// Text: digits for BCD fields, digits and `D` for track fields, ASCII otherwise.
    Text(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
}

impl Value {
    /// The text, if this is a `Text` value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            Value::Bytes(_) => None,
        }
    }

    /// The bytes, if this is a `Bytes` value.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            Value::Text(_) => None,
        }
    }
}

/// A decoded message. The CUP envelope (`tpdu`, `header`) lives in the
/// message itself rather than in a wrapper so one type round-trips for both
/// dialects; both are `None` for `Ascii1987`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Message {
    /// Message type indicator, 4 decimal digits.
    pub mti: String,
    /// Data fields 2..=128 (field 1, the secondary bitmap, is computed).
    pub fields: BTreeMap<u8, Value>,
    /// CUP TPDU (required for `Cup`, first byte 0x60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpdu: Option<[u8; 5]>,
    /// CUP 6-byte header, kept raw (e.g. `60 31 00 31 10 00`); `None` for a
    /// headerless CUP frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Vec<u8>>,
}

impl Message {
    /// The JSON form: `{"mti": "0200", "fields": {"2": {"text": "..."}, "55": {"bytes": [..]}}, ...}`.
    pub fn to_json(&self) -> String {
        // Serialising plain strings, byte vectors and integer-keyed maps cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses the JSON form produced by [`Message::to_json`].
    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }
}

/// Length of the CUP header; see [`unframe_cup`] for how its presence is detected.
pub const CUP_HEADER_LEN: usize = 6;

/// Byte cursor whose offsets stay absolute in the original input.
pub(crate) struct Reader<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize, part: Part) -> Result<&'a [u8], Error> {
        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
        match rest.get(..n) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(Error::Truncated {
                part,
                offset: self.buf.len(),
                needed: n - rest.len(),
            }),
        }
    }
}

/// Total size (prefix included) of the CUP frame starting at `buf[0]`, or
/// `None` if fewer than 2 bytes are available. For a TCP gateway to know how
/// much to read.
pub fn cup_frame_len(buf: &[u8]) -> Option<usize> {
    match buf {
        [hi, lo, ..] => Some(2 + usize::from(u16::from_be_bytes([*hi, *lo]))),
        _ => None,
    }
}

/// The raw pieces of a CUP frame returned by [`unframe_cup`]: TPDU, header (if any) and body.
pub type CupParts<'a> = ([u8; 5], Option<&'a [u8]>, &'a [u8]);

/// Splits one complete CUP frame (2-byte length + TPDU + header + body) into
/// TPDU, header and body (MTI onwards) without decoding fields.
///
/// The header is detected by its first byte: a CUP body starts with a BCD
/// MTI whose first digit is 0 (byte 0x0X), while the header's first byte is
/// the application type (0x60 in practice), so any byte >= 0x10 after the
/// TPDU means a 6-byte header follows. The encoder enforces the converse.
pub fn unframe_cup(bytes: &[u8]) -> Result<CupParts<'_>, Error> {
    unframe_at(bytes).map(|(parts, _)| parts)
}

/// [`unframe_cup`] plus the body's offset in `bytes`.
pub(crate) fn unframe_at(bytes: &[u8]) -> Result<(CupParts<'_>, usize), Error> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let len = r.take(2, Part::FrameLength)?;
    let declared = usize::from(u16::from_be_bytes([len[0], len[1]]));
    let actual = bytes.len() - 2;
    if actual < declared {
        return Err(Error::Truncated {
            part: Part::Message,
            offset: bytes.len(),
            needed: declared - actual,
        });
    }
    if actual > declared {
        return Err(Error::invalid(
            Part::Message,
            2 + declared,
            Problem::Trailing {
                count: actual - declared,
            },
        ));
    }
    let t = r.take(5, Part::Tpdu)?;
    let tpdu = [t[0], t[1], t[2], t[3], t[4]];
    if tpdu[0] != 0x60 {
        return Err(Error::invalid(Part::Tpdu, 2, Problem::BadTpdu(tpdu[0])));
    }
    let header = match bytes.get(r.pos) {
        Some(&b) if b >= 0x10 => Some(r.take(CUP_HEADER_LEN, Part::Header)?),
        _ => None,
    };
    let body_at = r.pos;
    Ok(((tpdu, header, bytes.get(body_at..).unwrap_or(&[])), body_at))
}

/// Decodes one message. For `Cup`, `bytes` is the whole frame including the
/// 2-byte length prefix, TPDU and header. Error offsets are into `bytes`.
///
/// Shares its parser and validation with [`crate::decode_view`], so both
/// paths accept exactly the same inputs and report exactly the same errors.
pub fn decode(dialect: Dialect, bytes: &[u8]) -> Result<Message, Error> {
    crate::view::decode_owned(dialect, bytes)
}

pub(crate) fn read_bitmap(dialect: Dialect, r: &mut Reader<'_>, part: Part) -> Result<u64, Error> {
    let at = r.pos;
    match dialect {
        Dialect::Cup => {
            let raw = r.take(8, part)?;
            let mut b = [0u8; 8];
            b.copy_from_slice(raw);
            Ok(u64::from_be_bytes(b))
        }
        Dialect::Ascii1987 => {
            let raw = r.take(16, part)?;
            let mut v = 0u64;
            for (i, &c) in raw.iter().enumerate() {
                // Upper case only: pyiso8583 writes upper case, and accepting
                // lower case would break encode(decode(b)) == b.
                let d = match c {
                    b'0'..=b'9' => c - b'0',
                    b'A'..=b'F' => c - b'A' + 10,
                    _ => {
                        return Err(Error::invalid(
                            part,
                            at + i,
                            Problem::BadByte {
                                byte: c,
                                class: CharClass::UpperHex,
                            },
                        ));
                    }
                };
                v = (v << 4) | u64::from(d);
            }
            Ok(v)
        }
    }
}

/// Reads an LL/LLL prefix: ASCII digits in `Ascii1987`, BCD (1 or 2 bytes,
/// right-aligned) in `Cup`.
#[inline]
pub(crate) fn read_prefix(
    dialect: Dialect,
    r: &mut Reader<'_>,
    digits: usize,
    part: Part,
) -> Result<usize, Error> {
    let at = r.pos;
    let mut len = 0usize;
    match dialect {
        Dialect::Ascii1987 => {
            for (i, &c) in r.take(digits, part)?.iter().enumerate() {
                if !c.is_ascii_digit() {
                    return Err(Error::invalid(
                        part,
                        at + i,
                        Problem::BadByte {
                            byte: c,
                            class: CharClass::Decimal,
                        },
                    ));
                }
                len = len * 10 + usize::from(c - b'0');
            }
        }
        Dialect::Cup => {
            for (i, &b) in r.take(digits.div_ceil(2), part)?.iter().enumerate() {
                for nibble in [b >> 4, b & 0x0F] {
                    if nibble > 9 {
                        return Err(Error::invalid(
                            part,
                            at + i,
                            Problem::BadNibble {
                                nibble,
                                class: CharClass::Decimal,
                            },
                        ));
                    }
                    len = len * 10 + usize::from(nibble);
                }
            }
        }
    }
    Ok(len)
}

pub(crate) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Encodes one message. For `Cup` the output is the whole frame: 2-byte
/// length, TPDU, header (if any), MTI, bitmap(s), fields. Error offsets are
/// into the output as built so far.
pub fn encode(dialect: Dialect, msg: &Message) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(64 + msg.fields.len() * 16);
    match dialect {
        Dialect::Ascii1987 => {
            if msg.tpdu.is_some() {
                return Err(Error::invalid(
                    Part::Tpdu,
                    0,
                    Problem::NotInDialect(dialect),
                ));
            }
            if msg.header.is_some() {
                return Err(Error::invalid(
                    Part::Header,
                    0,
                    Problem::NotInDialect(dialect),
                ));
            }
            put_mti_ascii(&msg.mti, &mut out)?;
        }
        Dialect::Cup => {
            out.extend_from_slice(&[0, 0]);
            let tpdu = msg
                .tpdu
                .ok_or(Error::invalid(Part::Tpdu, 2, Problem::Missing(dialect)))?;
            if tpdu[0] != 0x60 {
                return Err(Error::invalid(Part::Tpdu, 2, Problem::BadTpdu(tpdu[0])));
            }
            out.extend_from_slice(&tpdu);
            match &msg.header {
                Some(h) => {
                    let first = h.first().copied().unwrap_or(0);
                    if h.len() != CUP_HEADER_LEN || first < 0x10 {
                        return Err(Error::invalid(
                            Part::Header,
                            7,
                            Problem::BadHeader {
                                len: h.len(),
                                first,
                            },
                        ));
                    }
                    out.extend_from_slice(h);
                }
                None => {
                    if !msg.mti.starts_with('0') {
                        return Err(Error::invalid(Part::Mti, out.len(), Problem::AmbiguousMti));
                    }
                }
            }
            put_mti_cup(&msg.mti, &mut out)?;
        }
    }

    // Bitmap, field 1 in the most significant bit.
    let mut bits = 0u128;
    for &number in msg.fields.keys() {
        let part = Part::Field(number);
        let fs = spec(dialect, number).ok_or(Error::invalid(
            part,
            out.len(),
            Problem::Undefined(dialect),
        ))?;
        if fs.encoding == Encoding::Bitmap {
            return Err(Error::invalid(part, out.len(), Problem::BitmapField));
        }
        bits |= 1u128 << (128 - u32::from(number));
    }
    if bits & u128::from(u64::MAX) != 0 {
        bits |= 1 << 127;
    }
    put_bitmap(dialect, (bits >> 64) as u64, &mut out);
    if bits & (1 << 127) != 0 {
        put_bitmap(dialect, bits as u64, &mut out);
    }

    for (&number, value) in &msg.fields {
        // Looked up above; a miss here is impossible but is not worth a panic.
        if let Some(fs) = spec(dialect, number) {
            encode_field(dialect, fs, value, &mut out)?;
        }
    }

    if dialect == Dialect::Cup {
        let len = out.len() - 2;
        let len16 = u16::try_from(len)
            .map_err(|_| Error::invalid(Part::FrameLength, 0, Problem::FrameTooBig { len }))?;
        out[..2].copy_from_slice(&len16.to_be_bytes());
    }
    Ok(out)
}

fn check_mti(mti: &str, at: usize) -> Result<(), Error> {
    if let Some((i, c)) = mti.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(Error::invalid(
            Part::Mti,
            at + i,
            Problem::BadChar {
                ch: c,
                class: CharClass::Decimal,
            },
        ));
    }
    if mti.len() != 4 {
        return Err(Error::invalid(
            Part::Mti,
            at,
            Problem::WrongLength {
                len: mti.len(),
                expected: 4,
            },
        ));
    }
    Ok(())
}

fn put_mti_ascii(mti: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    check_mti(mti, out.len())?;
    out.extend_from_slice(mti.as_bytes());
    Ok(())
}

fn put_mti_cup(mti: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    check_mti(mti, out.len())?;
    put_bcd(mti.as_bytes(), out);
    Ok(())
}

pub(crate) fn put_bitmap(dialect: Dialect, v: u64, out: &mut Vec<u8>) {
    match dialect {
        Dialect::Cup => out.extend_from_slice(&v.to_be_bytes()),
        Dialect::Ascii1987 => {
            for i in (0..16).rev() {
                out.push(HEX_UPPER[((v >> (i * 4)) & 0xF) as usize]);
            }
        }
    }
}

/// Packs already-validated digit/`D` characters, left-aligned, 0-padded.
fn put_bcd(chars: &[u8], out: &mut Vec<u8>) {
    let nib = |c: u8| {
        if c == b'D' {
            0x0D
        } else {
            c.wrapping_sub(b'0') & 0x0F
        }
    };
    let mut pairs = chars.chunks_exact(2);
    for p in &mut pairs {
        out.push((nib(p[0]) << 4) | nib(p[1]));
    }
    if let [last] = pairs.remainder() {
        out.push(nib(*last) << 4);
    }
}

fn encode_field(
    dialect: Dialect,
    fs: &FieldSpec,
    value: &Value,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let part = Part::Field(fs.number);
    let start = out.len();
    let data: &[u8] = match (fs.encoding, value) {
        (Encoding::Binary, Value::Bytes(b)) => b,
        (Encoding::Binary, Value::Text(_)) => {
            return Err(Error::invalid(
                part,
                start,
                Problem::WrongType { expected: "bytes" },
            ));
        }
        (_, Value::Bytes(_)) => {
            return Err(Error::invalid(
                part,
                start,
                Problem::WrongType { expected: "text" },
            ));
        }
        (enc, Value::Text(s)) => {
            let class = match enc {
                Encoding::Bcd => CharClass::Decimal,
                Encoding::Track2 => CharClass::Track2,
                _ => CharClass::Ascii,
            };
            // One specialised scan per class (the ASCII one is vectorised by std).
            let bad_at = match class {
                CharClass::Decimal => s.bytes().position(|c| !c.is_ascii_digit()),
                CharClass::Track2 => s.bytes().position(|c| !c.is_ascii_digit() && c != b'D'),
                _ if s.is_ascii() => None,
                _ => s.bytes().position(|c| !c.is_ascii()),
            };
            if let Some(i) = bad_at {
                let ch = s.get(i..).and_then(|t| t.chars().next()).unwrap_or('?');
                let prefix = match (dialect, fs.length) {
                    (_, Length::Fixed(_)) => 0,
                    (Dialect::Ascii1987, Length::LlVar(_)) => 2,
                    (Dialect::Ascii1987, Length::LllVar(_)) => 3,
                    (Dialect::Cup, Length::LlVar(_)) => 1,
                    (Dialect::Cup, Length::LllVar(_)) => 2,
                };
                let rel = if class == CharClass::Ascii { i } else { i / 2 };
                return Err(Error::invalid(
                    part,
                    start + prefix + rel,
                    Problem::BadChar { ch, class },
                ));
            }
            s.as_bytes()
        }
    };
    let units = data.len();
    match fs.length {
        Length::Fixed(n) => {
            if units != usize::from(n) {
                return Err(Error::invalid(
                    part,
                    start,
                    Problem::WrongLength {
                        len: units,
                        expected: n,
                    },
                ));
            }
        }
        Length::LlVar(max) | Length::LllVar(max) => {
            if units > usize::from(max) {
                return Err(Error::invalid(
                    part,
                    start,
                    Problem::TooLong { len: units, max },
                ));
            }
            let digits = if matches!(fs.length, Length::LlVar(_)) {
                2
            } else {
                3
            };
            put_prefix(dialect, units, digits, out);
        }
    }
    match fs.encoding {
        Encoding::Bcd | Encoding::Track2 => put_bcd(data, out),
        _ => out.extend_from_slice(data),
    }
    Ok(())
}

/// Writes an LL/LLL prefix; `len` is already checked to be <= 999.
#[inline]
pub(crate) fn put_prefix(dialect: Dialect, len: usize, digits: usize, out: &mut Vec<u8>) {
    let d = [
        (len / 100 % 10) as u8,
        (len / 10 % 10) as u8,
        (len % 10) as u8,
    ];
    match (dialect, digits) {
        (Dialect::Ascii1987, 2) => out.extend_from_slice(&[b'0' + d[1], b'0' + d[2]]),
        (Dialect::Ascii1987, _) => out.extend_from_slice(&[b'0' + d[0], b'0' + d[1], b'0' + d[2]]),
        (Dialect::Cup, 2) => out.push((d[1] << 4) | d[2]),
        (Dialect::Cup, _) => out.extend_from_slice(&[d[0], (d[1] << 4) | d[2]]),
    }
}
