//! Property tests: random spec-valid messages round-trip byte-exactly in both
//! dialects, and no input (random or mutated) makes the decoder panic.

use posdoc_iso8583::{
    Dialect, Encoding, FieldSpec, Length, Message, Value, decode, decode_view, encode,
    encode_view_into, fields,
};
use proptest::prelude::*;

fn value_for(fs: &'static FieldSpec) -> BoxedStrategy<Value> {
    let len: BoxedStrategy<usize> = match fs.length {
        Length::Fixed(n) => Just(usize::from(n)).boxed(),
        Length::LlVar(max) | Length::LllVar(max) => (0..=usize::from(max)).boxed(),
    };
    match fs.encoding {
        Encoding::Binary | Encoding::Bitmap => len
            .prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n))
            .prop_map(Value::Bytes)
            .boxed(),
        enc => {
            let chars: &'static [u8] = match enc {
                Encoding::Bcd => b"0123456789",
                Encoding::Track2 => b"0123456789D",
                _ => &[],
            };
            len.prop_flat_map(move |n| {
                if chars.is_empty() {
                    proptest::collection::vec(0u8..=0x7F, n).boxed()
                } else {
                    proptest::collection::vec(proptest::sample::select(chars), n).boxed()
                }
            })
            .prop_map(|b| Value::Text(b.into_iter().map(char::from).collect()))
            .boxed()
        }
    }
}

fn message(dialect: Dialect) -> impl Strategy<Value = Message> {
    let specs: Vec<&'static FieldSpec> = fields(dialect)
        .iter()
        .filter(|f| f.encoding != Encoding::Bitmap)
        .collect();
    let n = specs.len();
    let body = proptest::sample::subsequence(specs, 0..=n).prop_flat_map(|chosen| {
        chosen
            .into_iter()
            .map(|fs| value_for(fs).prop_map(move |v| (fs.number, v)))
            .collect::<Vec<_>>()
    });
    // Headerless CUP frames need an MTI starting with 0 (see unframe_cup).
    let mti = if dialect == Dialect::Cup {
        "0[0-9]{3}"
    } else {
        "[0-9]{4}"
    };
    let envelope = (
        any::<[u8; 4]>(),
        proptest::option::of((0x10u8..=0xFF, any::<[u8; 5]>())),
    );
    (mti, body, envelope).prop_map(move |(mti, fields, (t, h))| {
        let mut m = Message {
            mti,
            fields: fields.into_iter().collect(),
            ..Message::default()
        };
        if dialect == Dialect::Cup {
            m.tpdu = Some([0x60, t[0], t[1], t[2], t[3]]);
            m.header = h.map(|(first, rest)| [&[first][..], &rest[..]].concat());
        }
        m
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn cup_roundtrip(m in message(Dialect::Cup)) {
        let wire = encode(Dialect::Cup, &m).expect("valid message encodes");
        prop_assert_eq!(decode(Dialect::Cup, &wire), Ok(m));
    }

    #[test]
    fn ascii_roundtrip(m in message(Dialect::Ascii1987)) {
        let wire = encode(Dialect::Ascii1987, &m).expect("valid message encodes");
        let back = decode(Dialect::Ascii1987, &wire);
        prop_assert_eq!(back.as_ref(), Ok(&m));
        prop_assert_eq!(encode(Dialect::Ascii1987, &m), Ok(wire));
    }

    #[test]
    fn cup_view_roundtrip(m in message(Dialect::Cup)) {
        view_agrees(Dialect::Cup, &m)?;
    }

    #[test]
    fn ascii_view_roundtrip(m in message(Dialect::Ascii1987)) {
        view_agrees(Dialect::Ascii1987, &m)?;
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        for d in [Dialect::Ascii1987, Dialect::Cup] {
            same_outcome(d, &bytes)?;
            if let Ok(m) = decode(d, &bytes) {
                // Anything we accept must re-encode to the same bytes.
                prop_assert_eq!(encode(d, &m), Ok(bytes.clone()));
            }
        }
        let _ = posdoc_iso8583::parse_tlv(&bytes);
        let _ = posdoc_iso8583::unframe_cup(&bytes);
    }

    #[test]
    fn mutated_cup_never_panics(m in message(Dialect::Cup), pos in any::<prop::sample::Index>(),
                                byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        mutate(Dialect::Cup, &m, pos, byte, cut)?;
    }

    #[test]
    fn mutated_ascii_never_panics(m in message(Dialect::Ascii1987), pos in any::<prop::sample::Index>(),
                                  byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        mutate(Dialect::Ascii1987, &m, pos, byte, cut)?;
    }
}

/// Overwrites one byte, then truncates: whatever still decodes must re-encode
/// to the same bytes, and nothing may panic.
fn mutate(
    d: Dialect,
    m: &Message,
    pos: prop::sample::Index,
    byte: u8,
    cut: prop::sample::Index,
) -> Result<(), TestCaseError> {
    let mut wire = encode(d, m).expect("valid message encodes");
    let i = pos.index(wire.len());
    wire[i] = byte;
    same_outcome(d, &wire)?;
    if let Ok(back) = decode(d, &wire) {
        prop_assert_eq!(encode(d, &back), Ok(wire.clone()));
    }
    wire.truncate(cut.index(wire.len() + 1));
    same_outcome(d, &wire)?;
    if let Ok(back) = decode(d, &wire) {
        prop_assert_eq!(encode(d, &back), Ok(wire.clone()));
    }
    Ok(())
}

/// A valid message's wire form decodes as a view that agrees with the owned
/// path and encodes back to the same bytes (into a reused, non-empty buffer).
fn view_agrees(d: Dialect, m: &Message) -> Result<(), TestCaseError> {
    let wire = encode(d, m).expect("valid message encodes");
    let v = decode_view(d, &wire).expect("valid wire decodes as a view");
    prop_assert_eq!(&v.to_message(), m);
    for (&n, value) in &m.fields {
        let owned = v.field_value(n);
        prop_assert_eq!(owned.as_ref(), Some(value));
        let text = v.field_text(d, n);
        prop_assert_eq!(text.as_deref(), value.as_text());
    }
    let mut out = vec![0xAB; 3];
    encode_view_into(d, &v, &mut out).expect("view encodes");
    prop_assert_eq!(&out[..3], &[0xAB; 3][..]);
    prop_assert_eq!(&out[3..], &wire[..]);
    Ok(())
}

/// Any bytes: the view path and the owned path accept the same inputs, fail
/// with the same error, and what the view accepts encodes back unchanged.
fn same_outcome(d: Dialect, bytes: &[u8]) -> Result<(), TestCaseError> {
    match (decode(d, bytes), decode_view(d, bytes)) {
        (Ok(m), Ok(v)) => {
            prop_assert_eq!(v.to_message(), m);
            let mut out = Vec::new();
            encode_view_into(d, &v, &mut out).expect("decoded view encodes");
            prop_assert_eq!(&out[..], bytes);
        }
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        (a, b) => prop_assert!(false, "owned {:?} vs view {:?}", a, b),
    }
    Ok(())
}
