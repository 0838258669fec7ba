//! `posdoc iso8583` on a real China UnionPay capture published online
//! (tests/vectors/README.md): the fields its author's parser gave, and the
//! same bytes back when encoded again.

use std::process::Command;

fn posdoc(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_posdoc"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const VECTOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/cup_sale_0200.hex"
);

#[test]
fn a_published_cup_sale_decodes_to_its_published_fields() {
    let (ok, out, err) = posdoc(&["iso8583", "decode", "--json", VECTOR], None);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mti"], "0200");
    assert_eq!(v["tpdu"], "6000060000");
    let fields: Vec<u64> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_u64().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            2, 3, 4, 11, 14, 22, 23, 25, 26, 35, 41, 42, 48, 49, 52, 53, 55, 59, 60, 64
        ]
    );
    let value = |n: u64| {
        v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == n)
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // As published (the card number masked, as posdoc always shows it).
    assert_eq!(value(2), "622424******0113");
    assert_eq!(value(3), "000000");
    assert_eq!(value(4), "000000000001");
    assert_eq!(value(11), "000403");
    assert_eq!(value(14), "2806");
    assert_eq!(value(22), "071");
    assert_eq!(value(25), "00");
    assert_eq!(value(26), "12");
    assert_eq!(value(41), "10000019");
    assert_eq!(value(49), "156");
    assert!(
        !out.contains("6224242900000113"),
        "a full card number printed"
    );
    assert!(!out.contains("D1EEF419D0AE2609"), "a PIN block printed");
    // Field 55 as EMV tags, field 60 as its sub-fields.
    assert!(out.contains("9F26"), "{out}");
    assert!(out.contains("transaction type code = 22"), "{out}");
}

#[test]
fn decode_names_the_field_and_offset_of_a_cut_message() {
    let hex = std::fs::read_to_string(VECTOR).unwrap();
    let cut: String = hex
        .split_whitespace()
        .take(120)
        .collect::<Vec<_>>()
        .join(" ");
    let (ok, _, err) = posdoc(&["iso8583", "decode", "-"], Some(&cut));
    assert!(!ok);
    assert!(err.contains("offset"), "{err}");
}

#[test]
fn a_decoded_message_encodes_back_to_the_same_bytes() {
    // Unmasked JSON: the codec's own form, through the library.
    let hex = std::fs::read_to_string(VECTOR).unwrap();
    let bytes: Vec<u8> = hex
        .split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect();
    let msg = posdoc_iso8583::decode(posdoc_iso8583::Dialect::Cup, &bytes).unwrap();
    let (ok, out, err) = posdoc(&["iso8583", "encode", "-"], Some(&msg.to_json()));
    assert!(ok, "{err}");
    let again: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(out.trim(), again);
}
