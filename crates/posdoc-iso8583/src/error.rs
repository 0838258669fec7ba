//! Errors always say *where*: which part of the message and at which byte
//! offset (offset into the input for decoding, into the output being built for
//! encoding), so a log line is enough to find the bad byte in a trace.

use std::fmt;

use crate::Dialect;

/// The part of a message an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// CUP 2-byte frame length prefix.
    FrameLength,
    /// CUP TPDU.
    Tpdu,
    /// CUP header.
    Header,
    /// Message type indicator.
    Mti,
    /// Primary bitmap.
    PrimaryBitmap,
    /// Secondary bitmap (field 1).
    SecondaryBitmap,
    /// A data field.
    Field(u8),
    /// The message as a whole (trailing bytes).
    Message,
    /// BER-TLV data given to [`crate::parse_tlv`].
    Tlv,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::FrameLength => f.write_str("frame length"),
            Part::Tpdu => f.write_str("TPDU"),
            Part::Header => f.write_str("header"),
            Part::Mti => f.write_str("MTI"),
            Part::PrimaryBitmap => f.write_str("primary bitmap"),
            Part::SecondaryBitmap => f.write_str("secondary bitmap"),
            Part::Field(n) => write!(f, "field {n}"),
            Part::Message => f.write_str("message"),
            Part::Tlv => f.write_str("TLV data"),
        }
    }
}

/// Character classes named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CharClass {
    /// 0-9.
    Decimal,
    /// 0-9 and `D` (track separator).
    Track2,
    /// 7-bit ASCII.
    Ascii,
    /// 0-9, A-F (upper case only: that is what pyiso8583 writes).
    UpperHex,
}

impl fmt::Display for CharClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CharClass::Decimal => "decimal",
            CharClass::Track2 => "track-2",
            CharClass::Ascii => "7-bit ASCII",
            CharClass::UpperHex => "upper-case hex",
        })
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A character of a text value (encoding) is outside the field's class.
    #[error("'{ch}' is not a {class} character")]
    BadChar { ch: char, class: CharClass },
    /// A byte on the wire (decoding) is outside the field's class.
    #[error("byte 0x{byte:02X} is not a {class} character")]
    BadByte { byte: u8, class: CharClass },
    /// A BCD nibble on the wire is outside the field's class.
    #[error("nibble 0x{nibble:X} is not a {class} digit")]
    BadNibble { nibble: u8, class: CharClass },
    /// The pad nibble of an odd-length BCD value is not 0.
    #[error("pad nibble 0x{nibble:X} is not 0 (odd-length BCD is left-aligned, padded with 0)")]
    BadPad { nibble: u8 },
    /// Variable length above the field maximum.
    #[error("length {len} exceeds the maximum {max}")]
    TooLong { len: usize, max: u16 },
    /// Fixed field of the wrong length.
    #[error("length {len} is not the fixed length {expected}")]
    WrongLength { len: usize, expected: u16 },
    /// Field number not in the dialect's table.
    #[error("not defined in the {0} dialect")]
    Undefined(Dialect),
    /// Field 1 set explicitly; the encoder computes bitmaps itself.
    #[error("is the secondary bitmap, which the encoder computes; remove it from the fields")]
    BitmapField,
    /// Value variant does not match the field encoding.
    #[error("expects a {expected} value")]
    WrongType { expected: &'static str },
    /// Secondary bitmap present but empty: legal for some decoders but our
    /// encoder would not reproduce it, so it is rejected to keep byte-exactness.
    #[error("secondary bitmap is flagged but no field 65-128 is present")]
    EmptySecondaryBitmap,
    /// Bytes left after the last field.
    #[error("{count} unexpected bytes after the last field")]
    Trailing { count: usize },
    /// Required in this dialect but absent.
    #[error("is required in the {0} dialect")]
    Missing(Dialect),
    /// Present but meaningless in this dialect.
    #[error("is not used in the {0} dialect")]
    NotInDialect(Dialect),
    /// TPDU id byte is not 0x60.
    #[error("TPDU id 0x{0:02X} is not 0x60")]
    BadTpdu(u8),
    /// Header shape we cannot tell apart from an MTI.
    #[error(
        "header must be 6 bytes whose first byte is at least 0x10, got {len} bytes starting 0x{first:02X}"
    )]
    BadHeader { len: usize, first: u8 },
    /// Headerless CUP message whose MTI would look like a header byte.
    #[error(
        "a CUP message without header needs an MTI starting with 0 (else it reads as a header)"
    )]
    AmbiguousMti,
    /// Frame too large for the 2-byte length prefix.
    #[error("{len} bytes do not fit the 2-byte frame length")]
    FrameTooBig { len: usize },
    /// BER-TLV indefinite length (0x80), not allowed in EMV.
    #[error("indefinite length is not allowed")]
    IndefiniteLength,
    /// BER-TLV length form with more than 3 length bytes.
    #[error("length form 0x{0:02X} is not supported")]
    BadLengthForm(u8),
    /// BER-TLV tag longer than 4 bytes.
    #[error("tag is longer than 4 bytes")]
    TagTooLong,
    /// BER-TLV nesting deeper than we are willing to recurse.
    #[error("constructed tags nested deeper than {0}")]
    TooDeep(usize),
}

/// Codec error: always carries the part and byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Input ended inside `part`.
    #[error("message ends at offset {offset} inside {part} (needs {needed} more bytes)")]
    Truncated {
        part: Part,
        offset: usize,
        needed: usize,
    },
    /// Invalid content at `offset`.
    #[error("{part} at offset {offset}: {problem}")]
    Invalid {
        part: Part,
        offset: usize,
        problem: Problem,
    },
}

impl Error {
    /// The message part the error is about.
    pub fn part(&self) -> Part {
        match self {
            Error::Truncated { part, .. } | Error::Invalid { part, .. } => *part,
        }
    }

    /// Byte offset of the error.
    pub fn offset(&self) -> usize {
        match self {
            Error::Truncated { offset, .. } | Error::Invalid { offset, .. } => *offset,
        }
    }

    pub(crate) fn invalid(part: Part, offset: usize, problem: Problem) -> Self {
        Error::Invalid {
            part,
            offset,
            problem,
        }
    }
}
