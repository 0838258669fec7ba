//! `posdoc-iso8583` owns ISO 8583 wire formats for posdoc: the field tables
//! (as data, with English and Chinese names), a byte-exact encoder/decoder
//! for two dialects, CUP frame splitting for the TCP gateway, and small
//! helpers to read inside fields (BER-TLV for field 55, CUP field 60).
//! It owns no I/O and no response-code meanings (those live in the knowledge base).
//!
//! Dialects:
//! - [`Dialect::Ascii1987`] — exactly pyiso8583's `default_ascii`: MTI 4 ASCII,
//!   bitmaps as 16 upper-case hex chars, LL/LLL prefixes as ASCII digits, all
//!   data ASCII, no padding, field 65 unsupported (pyiso8583 uses bit 65 for a
//!   tertiary bitmap). Interoperability is checked by `tests/pyiso8583.rs`.
//! - [`Dialect::Cup`] — China UnionPay POS: `len(2, BE) | TPDU(5) | header(6) |
//!   MTI(2, BCD) | bitmap(8 or 16, binary) | fields`; numerics BCD left-aligned
//!   with a 0 pad nibble; LL/LLL prefixes BCD (1/2 bytes) counting digits for
//!   BCD fields and bytes otherwise; track 2/3 BCD with `D` as nibble 0xD.
//!
//! Byte-exactness: `decode(encode(m)) == m` for every encodable `m`, and
//! `encode(decode(b)) == b` for every decodable `b`. To keep the second law,
//! the decoder rejects forms the encoder would never write (lower-case hex
//! bitmaps, an all-zero secondary bitmap, non-zero BCD pad nibbles).
//! Nothing here panics on any input.

mod codec;
mod cup;
mod error;
mod spec;
mod tlv;
mod view;

pub use codec::{
    CUP_HEADER_LEN, CupParts, Message, Value, cup_frame_len, decode, encode, unframe_cup,
};
pub use cup::{FIELD60, SubfieldSpec, field60_subfields};
pub use error::{CharClass, Error, Part, Problem};
pub use spec::{Dialect, Encoding, FieldSpec, Length, fields, spec};
pub use tlv::{EMV_TAGS, Tlv, parse_tlv, tag_hex, tag_name};
pub use view::{MessageView, decode_view, encode_view_into};

/// The fuzz targets' body (`fuzz/fuzz_targets/iso8583.rs`), also replayed
/// over the checked-in corpus by a test: any bytes, in either dialect, must
/// decode or fail without panicking, and what decodes must encode back to
/// the same bytes; the zero-copy view path must agree with the owned path
/// (same result or same error, same bytes back); frame splitting and TLV
/// parsing must not panic either.
pub fn fuzz_check(data: &[u8]) {
    for dialect in [Dialect::Cup, Dialect::Ascii1987] {
        let owned = decode(dialect, data);
        let view = decode_view(dialect, data);
        match (&owned, &view) {
            (Ok(m), Ok(v)) => assert_eq!(&v.to_message(), m, "{dialect}: view differs"),
            (Err(a), Err(b)) => assert_eq!(a, b, "{dialect}: view error differs"),
            _ => panic!("{dialect}: owned {owned:?} but view {view:?}"),
        }
        if let Ok(m) = owned {
            let again = encode(dialect, &m).expect("a decoded message encodes");
            assert_eq!(
                again, data,
                "{dialect}: decode then encode changed the bytes"
            );
        }
        if let Ok(v) = view {
            let mut out = vec![0xEE];
            encode_view_into(dialect, &v, &mut out).expect("a decoded view encodes");
            assert_eq!(
                out.get(1..),
                Some(data),
                "{dialect}: view decode then encode changed the bytes"
            );
        }
    }
    let _ = unframe_cup(data);
    let _ = cup_frame_len(data);
    let _ = parse_tlv(data);
    let _ = field60_subfields(&String::from_utf8_lossy(data));
}
