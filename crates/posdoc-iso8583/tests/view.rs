//! The zero-copy path (`decode_view` / `encode_view_into`) on the real CUP
//! capture, and the view's accessors and setters.

use posdoc_iso8583::{
    Dialect, Error, Part, Problem, decode, decode_view, encode, encode_view_into,
};

fn capture() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus/iso8583/cup_sale_0200.bin");
    std::fs::read(path).expect("real CUP capture")
}

#[test]
fn view_real_capture_roundtrips_and_agrees() {
    let wire = capture();
    let v = decode_view(Dialect::Cup, &wire).expect("capture decodes as a view");
    let m = decode(Dialect::Cup, &wire).expect("capture decodes");
    assert_eq!(v.to_message(), m);
    assert_eq!(v.mti(), "0200");
    assert_eq!(v.tpdu(), m.tpdu.as_ref().map(|t| &t[..]));
    assert_eq!(v.header(), m.header.as_deref());
    assert_eq!(v.len(), m.fields.len());
    for (&n, value) in &m.fields {
        assert_eq!(v.field_value(n).as_ref(), Some(value), "field {n}");
        assert_eq!(v.field_text(Dialect::Cup, n).as_deref(), value.as_text());
        if let Some(b) = value.as_bytes() {
            assert_eq!(v.field_raw(n), Some(b));
        }
        // Borrowed: the raw slice points into the input.
        let raw = v.field_raw(n).unwrap();
        let base = wire.as_ptr() as usize;
        let p = raw.as_ptr() as usize;
        assert!(p >= base && p + raw.len() <= base + wire.len());
    }
    let mut out = Vec::with_capacity(wire.len());
    encode_view_into(Dialect::Cup, &v, &mut out).unwrap();
    assert_eq!(out, wire);
    // Buffer reuse: a second message is appended.
    let cap = out.capacity();
    out.clear();
    encode_view_into(Dialect::Cup, &v, &mut out).unwrap();
    assert_eq!(out, wire);
    assert_eq!(out.capacity(), cap, "no reallocation with enough capacity");
    assert!(format!("{v:?}").starts_with("MessageView"));
}

#[test]
fn view_setters_validate_and_encode_like_owned() {
    let wire = capture();
    let mut v = decode_view(Dialect::Cup, &wire).unwrap();
    let mut m = decode(Dialect::Cup, &wire).unwrap();

    // Odd BCD digits: 19-digit PAN, left-aligned with a 0 pad nibble.
    let pan = [0x62, 0x22, 0x02, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x30];
    v.set_field_raw_digits(2, &pan, 19).unwrap();
    assert_eq!(v.field_digits(2), Some(19));
    assert_eq!(
        v.field_text(Dialect::Cup, 2).as_deref(),
        Some("6222021234567890123")
    );
    m.fields
        .insert(2, posdoc_iso8583::Value::Text("6222021234567890123".into()));
    // Secondary bitmap field.
    let mac = [1u8, 2, 3, 4, 5, 6, 7, 8];
    v.set_field_raw(128, &mac).unwrap();
    m.fields
        .insert(128, posdoc_iso8583::Value::Bytes(mac.to_vec()));
    let _ = v.remove_field(64);
    m.fields.remove(&64);
    assert_eq!(v.to_message(), m);
    let mut out = Vec::new();
    encode_view_into(Dialect::Cup, &v, &mut out).unwrap();
    assert_eq!(Ok(out.clone()), encode(Dialect::Cup, &m));
    assert_eq!(decode_view(Dialect::Cup, &out).unwrap(), v);

    // Validation errors, offsets into the raw data.
    assert_eq!(
        v.set_field_raw(2, &[0x12, 0x3A]),
        Err(Error::Invalid {
            part: Part::Field(2),
            offset: 1,
            problem: Problem::BadNibble {
                nibble: 0xA,
                class: posdoc_iso8583::CharClass::Decimal
            }
        })
    );
    assert_eq!(
        v.set_field_raw_digits(2, &[0x12, 0x3F], 3).unwrap_err(),
        Error::Invalid {
            part: Part::Field(2),
            offset: 1,
            problem: Problem::BadPad { nibble: 0xF }
        }
    );
    assert_eq!(
        v.set_field_raw(41, b"1234").unwrap_err().part(),
        Part::Field(41)
    );
    assert!(matches!(
        v.set_field_raw(1, &[0; 8]),
        Err(Error::Invalid {
            problem: Problem::BitmapField,
            ..
        })
    ));
    assert!(matches!(
        v.set_field_raw(5, b"x"),
        Err(Error::Invalid {
            problem: Problem::Undefined(Dialect::Cup),
            ..
        })
    ));
    // Raw data of the wrong size for the digit count.
    assert!(v.set_field_raw_digits(2, &pan, 17).is_err());
    // The failed setters left the view unchanged.
    assert_eq!(v.to_message(), m);

    // Encoding in another dialect than the view's is refused.
    let mut out = b"keep".to_vec();
    assert_eq!(
        encode_view_into(Dialect::Ascii1987, &v, &mut out),
        Err(Error::Invalid {
            part: Part::Message,
            offset: 0,
            problem: Problem::NotInDialect(Dialect::Ascii1987)
        })
    );
    assert_eq!(out, b"keep");
}
