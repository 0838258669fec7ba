//! Interoperability with pyiso8583 (`iso8583.specs.default_ascii`): what we
//! encode, pyiso8583 decodes to the same fields, and what pyiso8583 encodes
//! we decode and re-encode byte for byte. Requires `pip install pyiso8583`;
//! a missing package is a failure, not a skip, so CI cannot pass vacuously.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use posdoc_iso8583::{Dialect, Encoding, Length, Message, Value, decode, encode, fields};
use serde_json::{Map, Value as Json, json};

const SCRIPT: &str = r#"
import json, sys
import iso8583
from iso8583.specs import default_ascii as spec
mode, path = sys.argv[1], sys.argv[2]
if mode == "decode":
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                doc, _ = iso8583.decode(bytes.fromhex(line), spec)
                out.append(doc)
    print(json.dumps(out))
else:
    with open(path) as f:
        docs = json.load(f)
    for doc in docs:
        raw, _ = iso8583.encode(doc, spec)
        print(bytes(raw).hex())
"#;

fn python_ready() {
    let ok = Command::new("python3")
        .args(["-c", "import iso8583"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "pyiso8583 is not importable by `python3`: run `pip install pyiso8583` (CI installs it); this test does not skip"
    );
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let path = std::env::temp_dir().join(format!(
        "posdoc-iso8583-{}-{nanos}-{name}",
        std::process::id()
    ));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

fn run_python(mode: &str, input: &str) -> String {
    let path = temp_file(mode, input);
    let out = Command::new("python3")
        .args(["-c", SCRIPT, mode])
        .arg(&path)
        .output()
        .expect("run python3");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("python prints UTF-8")
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn hand_built() -> Vec<Message> {
    let msg = |mti: &str, f: Vec<(u8, Value)>| Message {
        mti: mti.into(),
        fields: f.into_iter().collect(),
        ..Message::default()
    };
    vec![
        msg(
            "0200",
            vec![
                (2, t("4761739001010010")),
                (3, t("000000")),
                (4, t("000000012345")),
                (7, t("1202153012")),
                (11, t("000123")),
                (12, t("153012")),
                (13, t("1202")),
                (14, t("2812")),
                (22, t("051")),
                (25, t("00")),
                (35, t("4761739001010010=28122011143804400000")),
                (37, t("123456789012")),
                (41, t("TERM0001")),
                (42, t("MERCHANT0000001")),
                (43, t("ACME STORE               SHANGHAI     CN")),
                (49, t("156")),
                (52, t("0123456789ABCDEF")),
                (55, t("9F2608AABBCCDDEEFF00119F270180")),
                (60, t("22000001000")),
                (64, t("FEDCBA9876543210")),
            ],
        ),
        msg("0810", vec![(39, t("00"))]),
        msg(
            "0800",
            vec![
                (7, t("1202153012")),
                (11, t("000001")),
                (70, t("301")),
                (100, t("12345678901")),
                (102, t("")),
                (104, t("quote \" backslash \\ ctrl \u{1} tab \t")),
                (128, t("0000000000000000")),
            ],
        ),
        msg(
            "0100",
            vec![(2, t("1234567890123456789")), (46, t(&"x".repeat(999)))],
        ),
    ]
}

/// Deterministic pseudo-random messages over every field of the ASCII table.
fn generated(count: usize) -> Vec<Message> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let mut m = Message {
                mti: format!("{:04}", next() % 10_000),
                ..Message::default()
            };
            for fs in fields(Dialect::Ascii1987) {
                if fs.encoding == Encoding::Bitmap || next() % 4 != 0 {
                    continue;
                }
                let len = match fs.length {
                    Length::Fixed(n) => usize::from(n),
                    Length::LlVar(max) | Length::LllVar(max) => {
                        (next() % (u64::from(max) + 1)) as usize
                    }
                };
                let s: String = (0..len)
                    .map(|_| char::from((next() % 0x80) as u8))
                    .collect();
                m.fields.insert(fs.number, Value::Text(s));
            }
            m
        })
        .collect()
}

/// The pyiso8583 decoded-dict form of one of our messages and its wire bytes.
fn as_py_doc(m: &Message, wire: &[u8]) -> Json {
    let mut doc = Map::new();
    doc.insert("t".into(), json!(m.mti));
    doc.insert("p".into(), json!(String::from_utf8_lossy(&wire[4..20])));
    if m.fields.keys().any(|&n| n > 64) {
        doc.insert("1".into(), json!(String::from_utf8_lossy(&wire[20..36])));
    }
    for (n, v) in &m.fields {
        doc.insert(
            n.to_string(),
            json!(v.as_text().expect("ASCII dialect is all text")),
        );
    }
    Json::Object(doc)
}

fn all_messages() -> Vec<Message> {
    let mut v = hand_built();
    v.extend(generated(200));
    v
}

#[test]
fn pyiso8583_decodes_what_we_encode() {
    python_ready();
    let msgs = all_messages();
    let wires: Vec<Vec<u8>> = msgs
        .iter()
        .map(|m| encode(Dialect::Ascii1987, m).expect("encodes"))
        .collect();
    let hex: String = wires
        .iter()
        .map(|w| w.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect();
    let decoded: Vec<Json> =
        serde_json::from_str(&run_python("decode", &hex)).expect("python prints JSON");
    assert_eq!(decoded.len(), msgs.len());
    for ((m, w), py) in msgs.iter().zip(&wires).zip(&decoded) {
        assert_eq!(py, &as_py_doc(m, w), "message {m:?}");
    }
}

#[test]
fn we_decode_what_pyiso8583_encodes() {
    python_ready();
    let msgs = all_messages();
    let docs: Vec<Json> = msgs
        .iter()
        .map(|m| {
            let mut d: BTreeMap<String, Json> = m
                .fields
                .iter()
                .map(|(n, v)| (n.to_string(), json!(v.as_text())))
                .collect();
            d.insert("t".into(), json!(m.mti));
            json!(d)
        })
        .collect();
    let out = run_python("encode", &serde_json::to_string(&docs).expect("JSON"));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), msgs.len());
    for (m, line) in msgs.iter().zip(lines) {
        let wire: Vec<u8> = (0..line.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&line[i..i + 2], 16).expect("hex from python"))
            .collect();
        let back = decode(Dialect::Ascii1987, &wire).unwrap_or_else(|e| panic!("{e} in {line}"));
        assert_eq!(&back, m);
        assert_eq!(
            encode(Dialect::Ascii1987, &back).as_deref(),
            Ok(&wire[..]),
            "byte-exact re-encode"
        );
    }
}
