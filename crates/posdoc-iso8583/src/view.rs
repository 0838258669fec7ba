//! Zero-copy fast path: [`MessageView`] borrows every field's wire bytes from
//! the input instead of building owned [`Value`]s. [`decode_view`] is the one
//! parser of the crate ([`crate::decode`] converts its result), so the two
//! paths accept the same inputs and report the same errors.
//!
//! Invariant: every field stored in a view has been validated against the
//! view's dialect (defined, right length, valid characters/nibbles, zero pad
//! nibble), either by [`decode_view`] or by [`MessageView::set_field_raw`] /
//! [`MessageView::set_field_raw_digits`]. [`encode_view_into`] therefore only
//! copies bytes and computes the bitmap and length prefixes.

use std::borrow::Cow;
use std::fmt;

use crate::codec::{
    HEX_UPPER, Message, Reader, Value, put_bitmap, put_prefix, read_bitmap, read_prefix, unframe_at,
};
use crate::error::{CharClass, Error, Part, Problem};
use crate::spec::{Dialect, Encoding, FieldSpec, Length, spec};

/// A decoded message whose fields borrow the input bytes (no heap allocation).
///
/// Each present field 2..=128 is kept as its raw data as it is on the wire,
/// after the length prefix: ASCII bytes for text fields, packed BCD for
/// numeric/track fields (see [`MessageView::field_digits`] for the
/// digit count of odd-length BCD values), raw bytes for binary fields.
/// Field 1 (the secondary bitmap) is never stored: encoding computes it.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageView<'a> {
    dialect: Dialect,
    /// MTI as 4 ASCII decimal digits (unpacked from BCD for `Cup`).
    mti: [u8; 4],
    /// CUP TPDU (5 bytes, first 0x60); `None` for `Ascii1987`.
    tpdu: Option<&'a [u8]>,
    /// CUP 6-byte header, `None` for headerless frames and `Ascii1987`.
    header: Option<&'a [u8]>,
    /// Raw data per field number (index 0 and 1 unused).
    fields: [Option<&'a [u8]>; 129],
    /// Present fields, field `n` at bit `128 - n` (as in the wire bitmap).
    present: u128,
    /// BCD/track fields whose digit count is odd (one pad nibble), same bit layout.
    odd: u128,
}

impl fmt::Debug for MessageView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Fields<'v, 'a>(&'v MessageView<'a>);
        impl fmt::Debug for Fields<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.fields()).finish()
            }
        }
        f.debug_struct("MessageView")
            .field("dialect", &self.dialect)
            .field("mti", &self.mti())
            .field("tpdu", &self.tpdu)
            .field("header", &self.header)
            .field("fields", &Fields(self))
            .finish()
    }
}

const fn bit(number: u8) -> u128 {
    1u128 << (128 - number as u32)
}

impl<'a> MessageView<'a> {
    /// The dialect the view was decoded with; its fields are valid for it only.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Message type indicator, 4 decimal digits.
    pub fn mti(&self) -> &str {
        // Always 4 ASCII digits (validated on decode).
        std::str::from_utf8(&self.mti).unwrap_or_default()
    }

    /// CUP TPDU (5 bytes); `None` for `Ascii1987`.
    pub fn tpdu(&self) -> Option<&'a [u8]> {
        self.tpdu
    }

    /// CUP 6-byte header; `None` for a headerless frame and for `Ascii1987`.
    pub fn header(&self) -> Option<&'a [u8]> {
        self.header
    }

    /// Whether field `n` is present (field 1 is never reported: it is computed).
    pub fn has_field(&self, n: u8) -> bool {
        self.field_raw(n).is_some()
    }

    /// Number of fields present (2..=128).
    pub fn len(&self) -> usize {
        self.present.count_ones() as usize
    }

    /// Whether no field is present.
    pub fn is_empty(&self) -> bool {
        self.present == 0
    }

    /// The raw data of field `n` as on the wire, after the length prefix.
    pub fn field_raw(&self, n: u8) -> Option<&'a [u8]> {
        self.fields.get(usize::from(n)).copied().flatten()
    }

    /// The present fields in ascending order with their raw data.
    pub fn fields(&self) -> impl Iterator<Item = (u8, &'a [u8])> + '_ {
        let mut rest = self.present;
        std::iter::from_fn(move || {
            if rest == 0 {
                return None;
            }
            let number = (rest.leading_zeros() + 1) as u8;
            rest &= !bit(number);
            self.field_raw(number).map(|raw| (number, raw))
        })
    }

    /// The length of field `n` in the units of its length prefix: digits for
    /// BCD/track fields, bytes otherwise.
    pub fn field_digits(&self, n: u8) -> Option<usize> {
        let raw = self.field_raw(n)?;
        let fs = spec(self.dialect, n)?;
        Some(self.units(fs, raw))
    }

    fn units(&self, fs: &FieldSpec, raw: &[u8]) -> usize {
        match fs.encoding {
            Encoding::Bcd | Encoding::Track2 => {
                (raw.len() * 2).saturating_sub(usize::from(self.odd & bit(fs.number) != 0))
            }
            _ => raw.len(),
        }
    }

    /// Field `n` as text: ASCII fields borrowed, BCD/track fields unpacked to
    /// digits (and `D`). `None` if the field is absent, binary, or `dialect`
    /// is not the view's dialect.
    pub fn field_text(&self, dialect: Dialect, n: u8) -> Option<Cow<'a, str>> {
        if dialect != self.dialect {
            return None;
        }
        let raw = self.field_raw(n)?;
        let fs = spec(dialect, n)?;
        match fs.encoding {
            // Validated ASCII, hence valid UTF-8.
            Encoding::Ascii => std::str::from_utf8(raw).ok().map(Cow::Borrowed),
            Encoding::Bcd | Encoding::Track2 => {
                Some(Cow::Owned(unpack_bcd(raw, self.units(fs, raw))))
            }
            Encoding::Binary | Encoding::Bitmap => None,
        }
    }

    /// Field `n` as the owned [`Value`] that [`crate::decode`] would produce.
    pub fn field_value(&self, n: u8) -> Option<Value> {
        let raw = self.field_raw(n)?;
        let fs = spec(self.dialect, n)?;
        Some(self.value(fs, raw))
    }

    fn value(&self, fs: &FieldSpec, raw: &[u8]) -> Value {
        value_of(fs, raw, self.units(fs, raw))
    }

    /// The owned [`Message`] (what [`crate::decode`] returns for the same bytes).
    pub fn to_message(&self) -> Message {
        // Collected into a Vec first: fields come in ascending order, and
        // BTreeMap's bulk build from a sorted sequence is about twice as fast
        // as individual inserts (measured in benches/codec.rs).
        let mut decoded = Vec::with_capacity(self.len());
        for (n, raw) in self.fields() {
            if let Some(fs) = spec(self.dialect, n) {
                decoded.push((n, self.value(fs, raw)));
            }
        }
        Message {
            mti: self.mti().to_string(),
            fields: decoded.into_iter().collect(),
            tpdu: self.tpdu.and_then(|t| <[u8; 5]>::try_from(t).ok()),
            header: self.header.map(<[u8]>::to_vec),
        }
    }

    /// Removes field `n`, returning its raw data.
    pub fn remove_field(&mut self, n: u8) -> Option<&'a [u8]> {
        let slot = self.fields.get_mut(usize::from(n))?;
        let old = slot.take();
        if n >= 1 {
            self.present &= !bit(n);
            self.odd &= !bit(n);
        }
        old
    }

    /// Sets field `n` to `raw`, its wire data without length prefix. For
    /// BCD/track fields the digit count is `2 * raw.len()`; use
    /// [`MessageView::set_field_raw_digits`] for odd counts. The data is
    /// validated like [`decode_view`] would; error offsets are into `raw`.
    pub fn set_field_raw(&mut self, n: u8, raw: &'a [u8]) -> Result<(), Error> {
        let units = match spec(self.dialect, n).map(|fs| fs.encoding) {
            Some(Encoding::Bcd | Encoding::Track2) => raw.len() * 2,
            _ => raw.len(),
        };
        self.set_field_raw_digits(n, raw, units)
    }

    /// Sets field `n` to `raw` with an explicit length in prefix units
    /// (digits for BCD/track fields, bytes otherwise). Validated like
    /// [`decode_view`] would; error offsets are into `raw`.
    pub fn set_field_raw_digits(
        &mut self,
        n: u8,
        raw: &'a [u8],
        units: usize,
    ) -> Result<(), Error> {
        let part = Part::Field(n);
        let fs = spec(self.dialect, n).ok_or(Error::invalid(
            part,
            0,
            Problem::Undefined(self.dialect),
        ))?;
        if fs.encoding == Encoding::Bitmap {
            return Err(Error::invalid(part, 0, Problem::BitmapField));
        }
        match fs.length {
            Length::Fixed(expected) if units != usize::from(expected) => {
                return Err(Error::invalid(
                    part,
                    0,
                    Problem::WrongLength {
                        len: units,
                        expected,
                    },
                ));
            }
            Length::LlVar(max) | Length::LllVar(max) if units > usize::from(max) => {
                return Err(Error::invalid(
                    part,
                    0,
                    Problem::TooLong { len: units, max },
                ));
            }
            _ => {}
        }
        let bytes = fs.data_bytes(units);
        if raw.len() != bytes {
            return Err(Error::invalid(
                part,
                0,
                Problem::WrongLength {
                    len: raw.len(),
                    expected: u16::try_from(bytes).unwrap_or(u16::MAX),
                },
            ));
        }
        check_data(fs, raw, units, 0)?;
        self.store(n, raw, units);
        Ok(())
    }

    fn store(&mut self, n: u8, raw: &'a [u8], units: usize) {
        if let Some(slot) = self.fields.get_mut(usize::from(n)) {
            *slot = Some(raw);
            self.present |= bit(n);
            if units % 2 == 1 {
                self.odd |= bit(n);
            } else {
                self.odd &= !bit(n);
            }
        }
    }
}

/// Decodes one message without copying field data: the view borrows `bytes`.
/// Same validation and the same errors (part and offset) as [`crate::decode`],
/// which is built on this function.
#[inline]
pub fn decode_view(dialect: Dialect, bytes: &[u8]) -> Result<MessageView<'_>, Error> {
    let mut view = MessageView {
        dialect,
        mti: [b'0'; 4],
        tpdu: None,
        header: None,
        fields: [None; 129],
        present: 0,
        odd: 0,
    };
    // Filled in place: keeps the ~2 KiB view from being copied around.
    parse(dialect, bytes, &mut view)?;
    Ok(view)
}

impl<'a> Sink<'a> for MessageView<'a> {
    fn head(&mut self, head: Head<'a>) {
        self.mti = head.mti;
        self.tpdu = head.tpdu;
        self.header = head.header;
    }

    fn field(&mut self, fs: &'static FieldSpec, raw: &'a [u8], units: usize) {
        self.store(fs.number, raw, units);
    }
}

/// Builds the owned form directly while parsing.
struct Owned {
    msg: Message,
    fields: Vec<(u8, Value)>,
}

impl Sink<'_> for Owned {
    fn head(&mut self, head: Head<'_>) {
        self.msg.mti = std::str::from_utf8(&head.mti)
            .unwrap_or_default()
            .to_string();
        self.msg.tpdu = head.tpdu.and_then(|t| <[u8; 5]>::try_from(t).ok());
        self.msg.header = head.header.map(<[u8]>::to_vec);
        self.fields.reserve_exact(head.fields);
    }

    fn field(&mut self, fs: &'static FieldSpec, raw: &[u8], units: usize) {
        self.fields.push((fs.number, value_of(fs, raw, units)));
    }
}

/// Decodes to the owned [`Message`]; the body of [`crate::decode`]. Same
/// parser and validation as [`decode_view`], but builds `Value`s directly
/// instead of going through a view (saves the view's set-up).
pub(crate) fn decode_owned(dialect: Dialect, bytes: &[u8]) -> Result<Message, Error> {
    let mut sink = Owned {
        msg: Message::default(),
        fields: Vec::new(),
    };
    parse(dialect, bytes, &mut sink)?;
    // Collected into a Vec first: fields come in ascending order, and
    // BTreeMap's bulk build from a sorted sequence is about twice as fast as
    // individual inserts (measured in benches/codec.rs).
    sink.msg.fields = sink.fields.into_iter().collect();
    Ok(sink.msg)
}

/// What [`parse`] reports to: the envelope once, then each field in order.
trait Sink<'a> {
    fn head(&mut self, head: Head<'a>);
    /// A validated field: its raw data and its length in prefix units.
    fn field(&mut self, fs: &'static FieldSpec, raw: &'a [u8], units: usize);
}

/// The envelope of a message, as parsed before its fields.
struct Head<'a> {
    /// MTI as 4 ASCII digits.
    mti: [u8; 4],
    tpdu: Option<&'a [u8]>,
    header: Option<&'a [u8]>,
    /// Number of data fields flagged in the bitmap(s).
    fields: usize,
}

/// The one parser of the crate: validates the whole message and reports the
/// envelope, then each field in ascending order, to `sink`. On error, the
/// sink may have seen the fields before the bad one.
#[inline(always)]
fn parse<'a, S: Sink<'a>>(dialect: Dialect, bytes: &'a [u8], sink: &mut S) -> Result<(), Error> {
    let mut h = Head {
        mti: [b'0'; 4],
        tpdu: None,
        header: None,
        fields: 0,
    };
    let start = match dialect {
        Dialect::Ascii1987 => 0,
        Dialect::Cup => {
            let ((_, header, _), at) = unframe_at(bytes)?;
            h.tpdu = bytes.get(2..7);
            h.header = header;
            at
        }
    };
    let mut r = Reader {
        buf: bytes,
        pos: start,
    };

    // MTI
    let at = r.pos;
    match dialect {
        Dialect::Ascii1987 => {
            let raw = r.take(4, Part::Mti)?;
            check_ascii(raw, at, Part::Mti, CharClass::Decimal)?;
            h.mti.copy_from_slice(raw);
        }
        Dialect::Cup => {
            let raw = r.take(2, Part::Mti)?;
            check_bcd(raw, 4, at, Part::Mti, CharClass::Decimal)?;
            for (i, &b) in raw.iter().enumerate() {
                h.mti[2 * i] = b'0' + (b >> 4);
                h.mti[2 * i + 1] = b'0' + (b & 0x0F);
            }
        }
    }

    // Bitmaps, as a u128 with field 1 in the most significant bit.
    let mut bits = u128::from(read_bitmap(dialect, &mut r, Part::PrimaryBitmap)?) << 64;
    if bits & (1 << 127) != 0 {
        let secondary_at = r.pos;
        let secondary = read_bitmap(dialect, &mut r, Part::SecondaryBitmap)?;
        if secondary == 0 {
            return Err(Error::invalid(
                Part::SecondaryBitmap,
                secondary_at,
                Problem::EmptySecondaryBitmap,
            ));
        }
        bits |= u128::from(secondary);
    }
    h.fields = (bits & !(1u128 << 127)).count_ones() as usize;
    sink.head(h);

    // Fields 2..=128 in ascending order (field 1 is the secondary bitmap).
    let mut rest = bits & !(1u128 << 127);
    while rest != 0 {
        let number = (rest.leading_zeros() + 1) as u8; // 2..=128
        rest &= !bit(number);
        let at = r.pos;
        let fs = spec(dialect, number)
            .filter(|s| s.encoding != Encoding::Bitmap)
            .ok_or_else(|| Error::invalid(Part::Field(number), at, Problem::Undefined(dialect)))?;
        let (raw, units) = read_field(dialect, fs, &mut r)?;
        sink.field(fs, raw, units);
    }

    if r.pos != bytes.len() {
        return Err(Error::invalid(
            Part::Message,
            r.pos,
            Problem::Trailing {
                count: bytes.len() - r.pos,
            },
        ));
    }
    Ok(())
}

/// Reads and validates one field: its raw data and its length in prefix units.
fn read_field<'a>(
    dialect: Dialect,
    fs: &FieldSpec,
    r: &mut Reader<'a>,
) -> Result<(&'a [u8], usize), Error> {
    let part = Part::Field(fs.number);
    let start = r.pos;
    let units = match fs.length {
        Length::Fixed(n) => usize::from(n),
        Length::LlVar(max) | Length::LllVar(max) => {
            let digits = if matches!(fs.length, Length::LlVar(_)) {
                2
            } else {
                3
            };
            let len = read_prefix(dialect, r, digits, part)?;
            if len > usize::from(max) {
                return Err(Error::invalid(part, start, Problem::TooLong { len, max }));
            }
            len
        }
    };
    let at = r.pos;
    let raw = r.take(fs.data_bytes(units), part)?;
    check_data(fs, raw, units, at)?;
    Ok((raw, units))
}

/// Validates a field's data (`raw.len()` already matches `units`).
fn check_data(fs: &FieldSpec, raw: &[u8], units: usize, at: usize) -> Result<(), Error> {
    let part = Part::Field(fs.number);
    match fs.encoding {
        Encoding::Binary | Encoding::Bitmap => Ok(()),
        Encoding::Ascii => check_ascii(raw, at, part, CharClass::Ascii),
        Encoding::Bcd => check_bcd(raw, units, at, part, CharClass::Decimal),
        Encoding::Track2 => check_bcd(raw, units, at, part, CharClass::Track2),
    }
}

fn check_ascii(raw: &[u8], at: usize, part: Part, class: CharClass) -> Result<(), Error> {
    let bad = match class {
        CharClass::Decimal => raw.iter().position(|c| !c.is_ascii_digit()),
        _ if raw.is_ascii() => None,
        _ => raw.iter().position(|c| !c.is_ascii()),
    };
    match bad {
        None => Ok(()),
        Some(i) => Err(Error::invalid(
            part,
            at + i,
            Problem::BadByte {
                byte: raw[i],
                class,
            },
        )),
    }
}

/// Checks `units` left-aligned BCD digits; an odd count must end in a 0 pad
/// nibble. `raw.len()` is `units.div_ceil(2)`.
fn check_bcd(
    raw: &[u8],
    units: usize,
    at: usize,
    part: Part,
    class: CharClass,
) -> Result<(), Error> {
    let track = class == CharClass::Track2;
    let valid = |n: u8| n <= 9 || (track && n == 0x0D);
    let bad =
        |i: usize, nibble: u8| Error::invalid(part, at + i, Problem::BadNibble { nibble, class });
    let (pairs, tail) = raw.split_at((units / 2).min(raw.len()));
    for (i, &b) in pairs.iter().enumerate() {
        let (hi, lo) = (b >> 4, b & 0x0F);
        if !valid(hi) {
            return Err(bad(i, hi));
        }
        if !valid(lo) {
            return Err(bad(i, lo));
        }
    }
    if let Some(&b) = tail.first() {
        let (hi, lo) = (b >> 4, b & 0x0F);
        if !valid(hi) {
            return Err(bad(pairs.len(), hi));
        }
        if lo != 0 {
            return Err(Error::invalid(
                part,
                at + pairs.len(),
                Problem::BadPad { nibble: lo },
            ));
        }
    }
    Ok(())
}

/// The owned value of validated field data.
fn value_of(fs: &FieldSpec, raw: &[u8], units: usize) -> Value {
    match fs.encoding {
        Encoding::Binary | Encoding::Bitmap => Value::Bytes(raw.to_vec()),
        Encoding::Bcd | Encoding::Track2 => Value::Text(unpack_bcd(raw, units)),
        // Validated ASCII, hence valid UTF-8; the fallback is unreachable.
        Encoding::Ascii => Value::Text(String::from_utf8(raw.to_vec()).unwrap_or_default()),
    }
}

/// Unpacks `units` already-validated left-aligned BCD digits (0-9, `D`).
fn unpack_bcd(raw: &[u8], units: usize) -> String {
    let mut v = Vec::with_capacity(units);
    for &b in raw {
        v.extend_from_slice(&[
            HEX_UPPER[usize::from(b >> 4)],
            HEX_UPPER[usize::from(b & 0x0F)],
        ]);
    }
    v.truncate(units);
    // Every byte is an ASCII hex digit, so this cannot fail.
    String::from_utf8(v).unwrap_or_default()
}

/// Encodes a view, appending the wire bytes to `out` (no allocation when
/// `out` has enough capacity). For `Cup` the output is the whole frame.
/// Bitmaps and length prefixes are computed from the view's fields.
///
/// Errors (offsets relative to where this message starts in `out`; `out` is
/// restored to its original length on error):
/// - `dialect` is not the view's dialect: `Part::Message`, offset 0,
///   [`Problem::NotInDialect`] (the raw field data is dialect-specific);
/// - a `Cup` frame over 65535 bytes: [`Problem::FrameTooBig`].
pub fn encode_view_into(
    dialect: Dialect,
    view: &MessageView<'_>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    if dialect != view.dialect {
        return Err(Error::invalid(
            Part::Message,
            0,
            Problem::NotInDialect(dialect),
        ));
    }
    let base = out.len();
    match dialect {
        Dialect::Ascii1987 => out.extend_from_slice(&view.mti),
        Dialect::Cup => {
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(view.tpdu.unwrap_or(&[]));
            out.extend_from_slice(view.header.unwrap_or(&[]));
            let d = |c: u8| c.wrapping_sub(b'0') & 0x0F;
            out.extend_from_slice(&[
                (d(view.mti[0]) << 4) | d(view.mti[1]),
                (d(view.mti[2]) << 4) | d(view.mti[3]),
            ]);
        }
    }

    let mut bits = view.present;
    if bits & u128::from(u64::MAX) != 0 {
        bits |= 1 << 127;
    }
    put_bitmap(dialect, (bits >> 64) as u64, out);
    if bits & (1 << 127) != 0 {
        put_bitmap(dialect, bits as u64, out);
    }

    for (number, raw) in view.fields() {
        let Some(fs) = spec(dialect, number) else {
            continue; // impossible: stored fields are validated
        };
        let digits = match fs.length {
            Length::Fixed(_) => 0,
            Length::LlVar(_) => 2,
            Length::LllVar(_) => 3,
        };
        if digits != 0 {
            put_prefix(dialect, view.units(fs, raw), digits, out);
        }
        out.extend_from_slice(raw);
    }

    if dialect == Dialect::Cup {
        let len = out.len() - base - 2;
        let Ok(len16) = u16::try_from(len) else {
            out.truncate(base);
            return Err(Error::invalid(
                Part::FrameLength,
                0,
                Problem::FrameTooBig { len },
            ));
        };
        if let Some(prefix) = out.get_mut(base..base + 2) {
            prefix.copy_from_slice(&len16.to_be_bytes());
        }
    }
    Ok(())
}
