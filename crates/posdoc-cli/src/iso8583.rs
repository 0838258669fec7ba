//! `posdoc iso8583 decode|encode`: for the people who read these messages
//! every day. `decode` takes a hex dump as people paste it (spaces, line
//! breaks, `0x`, an optional length prefix) and prints every field with its
//! number, name, format, value and what it means — field 55 as EMV tags,
//! field 60 as its sub-fields, field 39 with its meaning. Card numbers and
//! track data are shown masked and PIN blocks not at all: a decoded message
//! gets pasted into tickets and chats.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use posdoc_iso8583::{Dialect, Message, Value};
use posdoc_kb::{Kb, Lang};
use posdoc_record::{MaskedPan, scrub_text};
use serde_json::json;

use crate::output::pick;

#[derive(clap::Subcommand, Debug)]
pub(crate) enum Command {
    /// Decode a message from a hex dump (a file, or - / nothing for standard input).
    Decode {
        #[arg(long, value_enum, default_value = "cup")]
        dialect: DialectArg,
        input: Option<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Encode a message from its JSON form ({"mti": "0200", "fields": {"3": {"text": "000000"}, ...}}) to hex.
    Encode {
        #[arg(long, value_enum, default_value = "cup")]
        dialect: DialectArg,
        input: Option<PathBuf>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub(crate) enum DialectArg {
    /// China UnionPay POS: length, TPDU, header, BCD, binary bitmap.
    Cup,
    /// ISO 8583:1987, all ASCII (pyiso8583's default_ascii).
    Ascii,
}

impl DialectArg {
    fn dialect(self) -> Dialect {
        match self {
            DialectArg::Cup => Dialect::Cup,
            DialectArg::Ascii => Dialect::Ascii1987,
        }
    }
}

fn read_input(input: Option<&PathBuf>) -> anyhow::Result<String> {
    let mut s = String::new();
    match input {
        Some(p) if p.as_os_str() != "-" => {
            s = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?
        }
        _ => {
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading standard input")?;
        }
    }
    Ok(s)
}

/// The bytes of a hex dump as people paste it: whitespace, `0x`, commas,
/// colons and dashes between bytes are ignored; anything else is an error
/// that says where.
pub(crate) fn parse_hex(text: &str) -> anyhow::Result<Vec<u8>> {
    let cleaned = text.replace("0x", "").replace("0X", "");
    let mut digits = Vec::with_capacity(cleaned.len());
    for (i, c) in cleaned.char_indices() {
        match c {
            c if c.is_ascii_hexdigit() => digits.push(c as u8),
            c if c.is_whitespace() || matches!(c, ',' | ':' | '-' | '|') => {}
            c => bail!("character {} ({c:?}) is not a hex digit", i + 1),
        }
    }
    if digits.len() % 2 == 1 {
        bail!(
            "{} hex digits: a byte is two digits, one is missing",
            digits.len()
        );
    }
    Ok(digits
        .chunks(2)
        .map(|p| {
            let v = |d: u8| (d as char).to_digit(16).unwrap_or(0) as u8;
            v(p[0]) << 4 | v(p[1])
        })
        .collect())
}

/// Decodes, accepting a dump with or without its length prefix.
fn decode_pasted(dialect: Dialect, bytes: &[u8]) -> Result<Message, posdoc_iso8583::Error> {
    let first = posdoc_iso8583::decode(dialect, bytes);
    if first.is_ok() {
        return first;
    }
    let prefixed = bytes.len() >= 2
        && usize::from(u16::from_be_bytes([bytes[0], bytes[1]])) == bytes.len() - 2;
    match dialect {
        // A CUP dump pasted from the TPDU on: put the length back.
        Dialect::Cup if !prefixed && bytes.first() == Some(&0x60) => {
            let mut framed = ((bytes.len() as u16).to_be_bytes()).to_vec();
            framed.extend_from_slice(bytes);
            posdoc_iso8583::decode(dialect, &framed).or(first)
        }
        // An ASCII message with a binary length prefix in front.
        Dialect::Ascii1987 if prefixed => posdoc_iso8583::decode(dialect, &bytes[2..]).or(first),
        _ => first,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// A field's value as it may be shown: card numbers masked, track data cut
/// after the separator, PIN blocks withheld.
fn shown(number: u8, v: &Value) -> String {
    match (number, v) {
        (2, Value::Text(pan)) => MaskedPan::mask(pan).as_str().to_string(),
        (35 | 36, Value::Text(track)) => {
            let pan = track.split(['D', '=']).next().unwrap_or_default();
            format!("{}D****", MaskedPan::mask(pan).as_str())
        }
        (45, Value::Text(t)) => scrub_text(t).into_owned(),
        (52, Value::Bytes(b)) => format!("({} bytes, not shown)", b.len()),
        (55, Value::Bytes(b)) if icc_holds_card_data(b) => {
            format!(
                "({} bytes; they hold card data, shown by tag below)",
                b.len()
            )
        }
        // Other fields carry amounts, dates, codes and serials: long digit
        // runs there are not card numbers, and masking them would hide
        // what the reader came for.
        (_, Value::Text(t)) => t.clone(),
        (_, Value::Bytes(b)) => hex(b),
    }
}

/// EMV tags that carry the card number or track data.
const ICC_CARD_TAGS: [u32; 4] = [0x5A, 0x57, 0x9F6B, 0x5F20];

fn icc_holds_card_data(b: &[u8]) -> bool {
    posdoc_iso8583::parse_tlv(b).map_or(true, |tlvs| {
        tlvs.iter().any(|t| ICC_CARD_TAGS.contains(&t.tag))
    })
}

/// An EMV tag's value as it may be shown.
fn shown_tag(t: &posdoc_iso8583::Tlv) -> String {
    match t.tag {
        0x5A => MaskedPan::mask(&hex(&t.value)).as_str().to_string(),
        0x57 | 0x9F6B => {
            let h = hex(&t.value);
            let pan = h.split('D').next().unwrap_or_default();
            format!("{}D****", MaskedPan::mask(pan).as_str())
        }
        0x5F20 => "(cardholder name, not shown)".to_string(),
        _ => hex(&t.value),
    }
}

/// What a field's value means, where there is more to say than the value.
fn meaning(kb: &Kb, dialect: Dialect, number: u8, v: &Value, lang: Lang) -> Vec<String> {
    match (number, v) {
        (39, Value::Text(code)) => {
            let d = match dialect {
                Dialect::Cup => posdoc_kb::Dialect::Cup,
                Dialect::Ascii1987 => posdoc_kb::Dialect::Iso1987,
            };
            kb.response_code_in(d, code)
                .or_else(|| kb.response_code(code))
                .map(|r| vec![r.meaning.get(lang).to_string()])
                .unwrap_or_default()
        }
        (55, Value::Bytes(b)) => match posdoc_iso8583::parse_tlv(b) {
            Ok(tlvs) => tlvs
                .iter()
                .map(|t| {
                    let name = t
                        .name()
                        .map(|(en, zh)| pick(lang, zh, en))
                        .unwrap_or_default();
                    format!("{} {name} = {}", t.tag_hex(), shown_tag(t))
                })
                .collect(),
            Err(e) => vec![pick(
                lang,
                &format!("TLV 无法解析：{e}"),
                &format!("TLV does not parse: {e}"),
            )],
        },
        (60, Value::Text(t)) if dialect == Dialect::Cup => posdoc_iso8583::field60_subfields(t)
            .into_iter()
            .map(|(name, value)| format!("{name} = {value}"))
            .collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn run(kb: &Kb, cmd: &Command, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match cmd {
        Command::Decode {
            dialect,
            input,
            json,
        } => {
            let dialect = dialect.dialect();
            let bytes = parse_hex(&read_input(input.as_ref())?)?;
            let msg = decode_pasted(dialect, &bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
            let rows: Vec<_> = msg
                .fields
                .iter()
                .map(|(&n, v)| {
                    let spec = posdoc_iso8583::spec(dialect, n);
                    (
                        n,
                        spec.map(|s| pick(lang, s.name_zh, s.name_en))
                            .unwrap_or_default(),
                        spec.map(|s| s.format()).unwrap_or_default(),
                        shown(n, v),
                        meaning(kb, dialect, n, v, lang),
                    )
                })
                .collect();
            if *json {
                let v = json!({
                    "dialect": format!("{dialect}"),
                    "mti": msg.mti,
                    "tpdu": msg.tpdu.map(|t| hex(&t)),
                    "header": msg.header.as_deref().map(hex),
                    "fields": rows.iter().map(|(n, name, format, value, meaning)| json!({
                        "field": n, "name": name, "format": format, "value": value, "meaning": meaning,
                    })).collect::<Vec<_>>(),
                });
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(
                out,
                "{} {}  MTI {}{}{}",
                pick(lang, "方言", "dialect"),
                dialect,
                msg.mti,
                msg.tpdu
                    .map(|t| format!("  TPDU {}", hex(&t)))
                    .unwrap_or_default(),
                msg.header
                    .as_deref()
                    .map(|h| format!("  {} {}", pick(lang, "报文头", "header"), hex(h)))
                    .unwrap_or_default(),
            )?;
            for (n, name, format, value, meaning) in &rows {
                writeln!(out, "{n:>4}  {name:<36} {format:<10} {value}")?;
                for m in meaning {
                    writeln!(out, "{:>6}└ {m}", "")?;
                }
            }
        }
        Command::Encode { dialect, input } => {
            let text = read_input(input.as_ref())?;
            let msg = Message::from_json(&text).context("the message is not in the JSON form")?;
            let bytes = posdoc_iso8583::encode(dialect.dialect(), &msg)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            writeln!(out, "{}", hex(&bytes))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dumps_read_as_pasted() {
        assert_eq!(
            parse_hex("01 aa\n0x60,00").unwrap(),
            vec![0x01, 0xAA, 0x60, 0x00]
        );
        let e = parse_hex("01 zz").unwrap_err().to_string();
        assert!(e.contains("character 4"), "{e}");
        assert!(parse_hex("012").is_err());
    }

    #[test]
    fn card_data_is_never_shown_whole() {
        assert_eq!(
            shown(2, &Value::Text("6224242900000113".into())),
            "622424******0113"
        );
        assert_eq!(
            shown(35, &Value::Text("6224242900000113D2806201".into())),
            "622424******0113D****"
        );
        assert!(!shown(52, &Value::Bytes(vec![1; 8])).contains("01"));
        // A PAN inside the ICC data (tag 5A) is masked too.
        let icc = [0x5A, 0x08, 0x62, 0x24, 0x24, 0x29, 0x00, 0x00, 0x01, 0x13];
        assert!(shown(55, &Value::Bytes(icc.to_vec())).contains("card data"));
        let tlv = posdoc_iso8583::parse_tlv(&icc).unwrap();
        assert_eq!(shown_tag(&tlv[0]), "622424******0113");
    }
}
