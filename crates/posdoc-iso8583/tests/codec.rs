//! Hand-built byte vectors for both dialects, error reporting, TLV and field 60.

use posdoc_iso8583::{
    CharClass, Dialect, Encoding, Error, Length, Message, Part, Problem, Value, cup_frame_len,
    decode, decode_view, encode, encode_view_into, field60_subfields, parse_tlv, spec, tag_name,
    unframe_cup,
};

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

const TPDU: [u8; 5] = [0x60, 0x00, 0x03, 0x00, 0x00];
const HEADER: [u8; 6] = [0x60, 0x31, 0x00, 0x31, 0x10, 0x00];

/// Prepends the 2-byte length, TPDU and header to a CUP body.
fn frame(body: &[u8]) -> Vec<u8> {
    let len = (5 + 6 + body.len()) as u16;
    let mut v = len.to_be_bytes().to_vec();
    v.extend_from_slice(&TPDU);
    v.extend_from_slice(&HEADER);
    v.extend_from_slice(body);
    v
}

fn cup_msg(mti: &str) -> Message {
    Message {
        mti: mti.into(),
        tpdu: Some(TPDU),
        header: Some(HEADER.to_vec()),
        ..Message::default()
    }
}

fn roundtrip(dialect: Dialect, msg: &Message, wire: &[u8]) {
    assert_eq!(encode(dialect, msg).as_deref(), Ok(wire), "encode");
    assert_eq!(decode(dialect, wire).as_ref(), Ok(msg), "decode");
    view_roundtrip(dialect, msg, wire);
}

/// The zero-copy path on the same vector: view decode+encode gives the bytes
/// back (appended after existing content), and the view agrees with `msg`.
fn view_roundtrip(dialect: Dialect, msg: &Message, wire: &[u8]) {
    let v = decode_view(dialect, wire).expect("view decodes");
    assert_eq!(&v.to_message(), msg, "view to_message");
    assert_eq!(v.mti(), msg.mti);
    assert_eq!(v.len(), msg.fields.len());
    for (&n, value) in &msg.fields {
        assert_eq!(v.field_value(n).as_ref(), Some(value), "field {n}");
        assert_eq!(
            v.field_text(dialect, n).as_deref(),
            value.as_text(),
            "field {n} text"
        );
    }
    let mut out = b"prefix".to_vec();
    encode_view_into(dialect, &v, &mut out).expect("view encodes");
    assert_eq!(&out[..6], b"prefix");
    assert_eq!(&out[6..], wire, "view encode");
}

/// `decode_view` fails exactly like `decode` (same part, offset, problem).
fn same_error(dialect: Dialect, wire: &[u8]) -> Error {
    let e = decode(dialect, wire).unwrap_err();
    assert_eq!(decode_view(dialect, wire).unwrap_err(), e, "view error");
    e
}

// ---------------------------------------------------------------- CUP

#[test]
fn cup_sale_request_hand_built() {
    let mut m = cup_msg("0200");
    m.fields.insert(2, t("6222021234567890123")); // 19 digits: odd, left-aligned
    m.fields.insert(3, t("000000"));
    m.fields.insert(4, t("000000000100"));
    m.fields.insert(11, t("000001"));
    m.fields.insert(22, t("021")); // n3 fixed, odd: 02 10
    m.fields.insert(25, t("00"));
    m.fields.insert(35, t("6222021234567890123D2812101")); // 27 chars with separator
    m.fields.insert(41, t("12345678"));
    m.fields.insert(42, t("123456789012345"));
    m.fields.insert(49, t("156"));
    m.fields.insert(
        52,
        Value::Bytes(vec![0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]),
    );
    m.fields.insert(
        55,
        Value::Bytes(vec![0x9F, 0x26, 0x02, 0xAA, 0xBB, 0x95, 0x01, 0x80]),
    );
    m.fields.insert(60, t("22000001000")); // 11 digits: LLL 00 11
    m.fields.insert(64, Value::Bytes(vec![0xFF; 8]));

    let body: Vec<u8> = [
        &[0x02, 0x00][..],                                 // MTI BCD
        &[0x70, 0x20, 0x04, 0x80, 0x20, 0xC0, 0x92, 0x11], // bitmap
        &[
            0x19, 0x62, 0x22, 0x02, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x30,
        ], // 2: LL 19 + 10 bytes
        &[0x00, 0x00, 0x00],                               // 3
        &[0x00, 0x00, 0x00, 0x00, 0x01, 0x00],             // 4
        &[0x00, 0x00, 0x01],                               // 11
        &[0x02, 0x10],                                     // 22 left-aligned
        &[0x00],                                           // 25
        &[
            0x27, 0x62, 0x22, 0x02, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x3D, 0x28, 0x12, 0x10,
            0x10,
        ], // 35
        b"12345678",                                       // 41
        b"123456789012345",                                // 42
        b"156",                                            // 49 ASCII
        &[0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF], // 52
        &[0x00, 0x08, 0x9F, 0x26, 0x02, 0xAA, 0xBB, 0x95, 0x01, 0x80], // 55 LLL binary
        &[0x00, 0x11, 0x22, 0x00, 0x00, 0x01, 0x00, 0x00], // 60 LLL BCD n11
        &[0xFF; 8],                                        // 64
    ]
    .concat();
    let wire = frame(&body);
    assert_eq!(&wire[..2], &[0x00, 0x7A]); // 5 + 6 + 111 body bytes
    roundtrip(Dialect::Cup, &m, &wire);

    let (tpdu, header, b) = unframe_cup(&wire).unwrap();
    assert_eq!(tpdu, TPDU);
    assert_eq!(header, Some(&HEADER[..]));
    assert_eq!(b, &body[..]);
    assert_eq!(cup_frame_len(&wire), Some(wire.len()));
    assert_eq!(cup_frame_len(&wire[..1]), None);
}

#[test]
fn cup_secondary_bitmap_and_track3() {
    let mut m = cup_msg("0800");
    m.fields.insert(3, t("000000"));
    m.fields
        .insert(36, t("996222021234567890123D1561560000000000003")); // 41 chars, LLL 00 41
    m.fields
        .insert(128, Value::Bytes(vec![1, 2, 3, 4, 5, 6, 7, 8]));
    let mut body = vec![
        0x08, 0x00, 0xA0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    ];
    body.extend_from_slice(&[0x00, 0x00, 0x00]);
    body.extend_from_slice(&[0x00, 0x41]);
    body.extend_from_slice(&[
        0x99, 0x62, 0x22, 0x02, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x3D, 0x15, 0x61, 0x56, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x30,
    ]);
    body.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    roundtrip(Dialect::Cup, &m, &frame(&body));
}

#[test]
fn cup_headerless_frame() {
    let mut m = cup_msg("0800");
    m.header = None;
    m.fields.insert(11, t("000042"));
    let wire = [
        0x00, 0x12, 0x60, 0x00, 0x03, 0x00, 0x00, 0x08, 0x00, 0, 0x20, 0, 0, 0, 0, 0, 0, 0x00,
        0x00, 0x42,
    ];
    roundtrip(Dialect::Cup, &m, &wire);
    assert_eq!(unframe_cup(&wire).unwrap().1, None);
}

// ---------------------------------------------------------------- ASCII

#[test]
fn ascii_pyiso8583_doc_example() {
    // The example from pyiso8583's own `decode` docstring.
    let wire = b"02004010100000000000161234567890123456123456111";
    let mut m = Message {
        mti: "0200".into(),
        ..Message::default()
    };
    m.fields.insert(2, t("1234567890123456"));
    m.fields.insert(12, t("123456"));
    m.fields.insert(20, t("111"));
    roundtrip(Dialect::Ascii1987, &m, wire);
}

#[test]
fn ascii_secondary_bitmap_lllvar() {
    let mut m = Message {
        mti: "0100".into(),
        ..Message::default()
    };
    m.fields.insert(2, t("1234"));
    m.fields.insert(55, t("9F2608AABB"));
    m.fields.insert(128, t("ABCDEF0123456789"));
    let expected = [
        &b"0100"[..],
        b"C000000000000200", // bits 1, 2, 55
        b"0000000000000001", // bit 128
        b"041234",
        b"0109F2608AABB",
        b"ABCDEF0123456789",
    ]
    .concat();
    roundtrip(Dialect::Ascii1987, &m, &expected);
}

#[test]
fn spec_tables() {
    let pan = spec(Dialect::Ascii1987, 2).unwrap();
    assert_eq!(pan.name_en, "Primary Account Number (PAN)");
    assert_eq!(pan.length, Length::LlVar(19));
    assert_eq!(spec(Dialect::Ascii1987, 65), None);
    assert_eq!(spec(Dialect::Ascii1987, 0), None);
    assert_eq!(spec(Dialect::Ascii1987, 129), None);
    let t2 = spec(Dialect::Cup, 35).unwrap();
    assert_eq!(
        (t2.length, t2.encoding),
        (Length::LlVar(37), Encoding::Track2)
    );
    assert_eq!(t2.format(), "z..37");
    assert_eq!(spec(Dialect::Cup, 52).unwrap().format(), "b64");
    assert_eq!(spec(Dialect::Cup, 60).unwrap().format(), "n...17");
    assert_eq!(spec(Dialect::Cup, 39).unwrap().name_zh, "应答码");
    for d in [Dialect::Ascii1987, Dialect::Cup] {
        for fs in posdoc_iso8583::fields(d) {
            assert_eq!(spec(d, fs.number), Some(fs));
        }
    }
}

// ---------------------------------------------------------------- errors

#[test]
fn error_truncated_inside_field_55() {
    let mut body = vec![0x02, 0x00, 0, 0, 0, 0, 0, 0, 0x02, 0]; // bit 55
    body.extend_from_slice(&[0x01, 0x20, 0x9F]); // LLL 120, 1 byte present
    let wire = frame(&body);
    let e = same_error(Dialect::Cup, &wire);
    assert_eq!(
        e,
        Error::Truncated {
            part: Part::Field(55),
            offset: wire.len(),
            needed: 119
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "message ends at offset {} inside field 55 (needs 119 more bytes)",
            wire.len()
        )
    );
}

#[test]
fn error_truncated_frame_and_trailing() {
    let mut wire = frame(&[0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    wire.truncate(wire.len() - 3);
    let e = same_error(Dialect::Cup, &wire);
    assert_eq!(
        e,
        Error::Truncated {
            part: Part::Message,
            offset: wire.len(),
            needed: 3
        }
    );
    // ASCII: bytes after the last field
    let e = same_error(Dialect::Ascii1987, b"08000000000000000000XY");
    assert_eq!(
        e.to_string(),
        "message at offset 20: 2 unexpected bytes after the last field"
    );
}

#[test]
fn error_bad_bcd_nibble() {
    // field 2, 4 digits, second byte has nibble 0xA
    let body = [0x02, 0x00, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x12, 0x3A];
    let e = same_error(Dialect::Cup, &frame(&body));
    // offset: 2 len + 5 tpdu + 6 header + 2 mti + 8 bitmap + 1 prefix + 1
    assert_eq!(
        e,
        Error::Invalid {
            part: Part::Field(2),
            offset: 25,
            problem: Problem::BadNibble {
                nibble: 0xA,
                class: CharClass::Decimal
            }
        }
    );
    assert_eq!(
        e.to_string(),
        "field 2 at offset 25: nibble 0xA is not a decimal digit"
    );
}

#[test]
fn error_bad_pad_nibble() {
    let body = [0x02, 0x00, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x12, 0x3F];
    let e = same_error(Dialect::Cup, &frame(&body));
    assert_eq!(
        e,
        Error::Invalid {
            part: Part::Field(2),
            offset: 25,
            problem: Problem::BadPad { nibble: 0xF }
        }
    );
}

#[test]
fn error_length_over_max() {
    let body = [0x02, 0x00, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x25];
    let e = same_error(Dialect::Cup, &frame(&body));
    assert_eq!(
        e.to_string(),
        "field 2 at offset 23: length 25 exceeds the maximum 19"
    );
    let e = same_error(
        Dialect::Ascii1987,
        b"02004000000000000000251234567890123456789012345",
    );
    assert_eq!(
        e.to_string(),
        "field 2 at offset 20: length 25 exceeds the maximum 19"
    );
    let mut m = Message {
        mti: "0200".into(),
        ..Message::default()
    };
    m.fields.insert(2, t("1234567890123456789012345"));
    let e = encode(Dialect::Ascii1987, &m).unwrap_err();
    assert_eq!(
        e.to_string(),
        "field 2 at offset 20: length 25 exceeds the maximum 19"
    );
}

#[test]
fn error_bad_bitmap() {
    let e = same_error(Dialect::Ascii1987, b"02004g10100000000000");
    assert_eq!(
        e,
        Error::Invalid {
            part: Part::PrimaryBitmap,
            offset: 5,
            problem: Problem::BadByte {
                byte: b'g',
                class: CharClass::UpperHex
            }
        }
    );
    // secondary bitmap flagged but empty
    let e = same_error(Dialect::Ascii1987, b"080080000000000000000000000000000000");
    assert_eq!(
        e,
        Error::Invalid {
            part: Part::SecondaryBitmap,
            offset: 20,
            problem: Problem::EmptySecondaryBitmap
        }
    );
    // bit 65 (tertiary bitmap in pyiso8583) is not a field
    let e = same_error(Dialect::Ascii1987, b"080080000000000000008000000000000000");
    assert_eq!(
        e.to_string(),
        "field 65 at offset 36: not defined in the ISO 8583:1987 ASCII dialect"
    );
    // CUP field 5 is not in the table
    let e = same_error(
        Dialect::Cup,
        &frame(&[0x02, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0]),
    );
    assert_eq!(e.part(), Part::Field(5));
    assert_eq!(e.offset(), 23);
}

#[test]
fn error_track2_character_on_encode() {
    let mut m = cup_msg("0200");
    m.fields.insert(35, t("6222X"));
    let e = encode(Dialect::Cup, &m).unwrap_err();
    // 2 + 5 + 6 + 2 MTI + 8 bitmap = 23; prefix 1 byte; 'X' is char 4 -> byte 2
    assert_eq!(
        e.to_string(),
        "field 35 at offset 26: 'X' is not a track-2 character"
    );
}

#[test]
fn error_frame_and_envelope() {
    let mut m = cup_msg("0200");
    m.tpdu = None;
    assert_eq!(encode(Dialect::Cup, &m).unwrap_err().part(), Part::Tpdu);
    let mut m = cup_msg("0200");
    m.fields.insert(1, Value::Bytes(vec![0; 8]));
    assert_eq!(encode(Dialect::Cup, &m).unwrap_err().part(), Part::Field(1));
    let mut m = cup_msg("0200");
    m.fields.insert(52, t("12345678"));
    assert!(matches!(
        encode(Dialect::Cup, &m),
        Err(Error::Invalid {
            problem: Problem::WrongType { expected: "bytes" },
            ..
        })
    ));
    let mut m = cup_msg("0200");
    m.fields.insert(41, t("1234"));
    assert!(matches!(
        encode(Dialect::Cup, &m),
        Err(Error::Invalid {
            problem: Problem::WrongLength {
                len: 4,
                expected: 8
            },
            ..
        })
    ));
    let e = same_error(Dialect::Cup, &[0x00, 0x05, 0x61, 0, 0, 0, 0]);
    assert_eq!(
        e,
        Error::Invalid {
            part: Part::Tpdu,
            offset: 2,
            problem: Problem::BadTpdu(0x61)
        }
    );
    assert_eq!(same_error(Dialect::Cup, &[0x00]).part(), Part::FrameLength);
    let e = same_error(Dialect::Ascii1987, b"02x0");
    assert_eq!(
        e.to_string(),
        "MTI at offset 2: byte 0x78 is not a decimal character"
    );
    let e = same_error(Dialect::Ascii1987, b"02004000000000000000x1");
    assert_eq!(
        e.to_string(),
        "field 2 at offset 20: byte 0x78 is not a decimal character"
    );
}

// ---------------------------------------------------------------- helpers

#[test]
fn tlv_field55() {
    let data = [
        0x9F, 0x26, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, // 9F26
        0x9F, 0x27, 0x01, 0x80, // 9F27
        0x95, 0x05, 0, 0, 0, 0x80, 0, // 95
        0x5F, 0x2A, 0x02, 0x01, 0x56, // 5F2A
        0x00, // padding
        0x71, 0x81, 0x09, 0x9F, 0x18, 0x04, 0, 0, 0, 1, 0x86,
        0x00, // constructed, long length
    ];
    let tlvs = parse_tlv(&data).unwrap();
    let tags: Vec<String> = tlvs.iter().map(|t| t.tag_hex()).collect();
    assert_eq!(tags, ["9F26", "9F27", "95", "5F2A", "71"]);
    assert_eq!(tlvs[0].name(), Some(("Application Cryptogram", "应用密文")));
    assert_eq!(tlvs[3].value, vec![0x01, 0x56]);
    assert_eq!(tlvs[4].offset, 28); // after the 0x00 pad at 27
    assert_eq!(tlvs[4].children.len(), 2);
    assert_eq!(tlvs[4].children[0].tag, 0x9F18);
    assert_eq!(tlvs[4].children[0].offset, 31);
    assert_eq!(
        tag_name(0x95),
        Some(("Terminal Verification Results", "终端验证结果"))
    );

    let e = parse_tlv(&[0x9F, 0x26, 0x08, 1, 2]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "message ends at offset 5 inside TLV data (needs 6 more bytes)"
    );
    let e = parse_tlv(&[0x95, 0x80]).unwrap_err();
    assert_eq!(
        e,
        Error::Invalid {
            part: Part::Tlv,
            offset: 1,
            problem: Problem::IndefiniteLength
        }
    );
}

#[test]
fn field60_split() {
    let s = field60_subfields("22000001000601");
    assert_eq!(
        s,
        vec![
            ("transaction type code", "22".to_string()),
            ("batch number", "000001".to_string()),
            ("network management information code", "000".to_string()),
            ("terminal read capability", "6".to_string()),
            ("IC card condition code", "0".to_string()),
            ("partial approval / balance return flag", "1".to_string()),
        ]
    );
    assert_eq!(
        field60_subfields("2200"),
        vec![
            ("transaction type code", "22".into()),
            ("batch number", "00".into())
        ]
    );
    assert!(field60_subfields("").is_empty());
}

#[test]
fn json_form_roundtrips() {
    let mut m = cup_msg("0200");
    m.fields.insert(2, t("6222021234567890123"));
    m.fields.insert(52, Value::Bytes(vec![1, 2]));
    let j = m.to_json();
    assert!(j.contains(r#""2":{"text":"6222021234567890123"}"#), "{j}");
    assert_eq!(Message::from_json(&j).unwrap(), m);
}
