//! BER-TLV parsing for ICC data (field 55) plus a table of common EMV tag names.

use crate::error::{Error, Part, Problem};

/// One BER-TLV element. Constructed tags (bit 6 of the first tag byte) have
/// their content parsed into `children`; `value` always holds the raw content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlv {
    /// Tag bytes as a big-endian integer, e.g. `0x9F26`.
    pub tag: u32,
    /// Offset of the tag's first byte in the data given to [`parse_tlv`].
    pub offset: usize,
    /// Raw value bytes.
    pub value: Vec<u8>,
    /// Parsed content of a constructed tag; empty for primitive tags.
    pub children: Vec<Tlv>,
}

impl Tlv {
    /// Tag as upper-case hex, e.g. `"9F26"`.
    pub fn tag_hex(&self) -> String {
        tag_hex(self.tag)
    }

    /// `(english, chinese)` name of the tag if it is in the table.
    pub fn name(&self) -> Option<(&'static str, &'static str)> {
        tag_name(self.tag)
    }
}

/// Upper-case hex of a tag number as it appears on the wire.
pub fn tag_hex(tag: u32) -> String {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(3);
    bytes
        .get(skip..)
        .unwrap_or(&[])
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Nesting limit, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 8;

/// Parses BER-TLV data (EMV field 55). Tags of 1-4 bytes, short and long
/// (0x81-0x83) length forms; 0x00 padding bytes between elements are skipped
/// as EMV allows. Error offsets are into `data`.
pub fn parse_tlv(data: &[u8]) -> Result<Vec<Tlv>, Error> {
    parse_at(data, 0, 0)
}

fn parse_at(data: &[u8], base: usize, depth: usize) -> Result<Vec<Tlv>, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::invalid(Part::Tlv, base, Problem::TooDeep(MAX_DEPTH)));
    }
    let end = base + data.len();
    let truncated = |needed: usize| Error::Truncated {
        part: Part::Tlv,
        offset: end,
        needed,
    };
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some(&first) = data.get(i) {
        if first == 0x00 {
            i += 1;
            continue;
        }
        let offset = base + i;
        let mut tag = u32::from(first);
        i += 1;
        if first & 0x1F == 0x1F {
            // Subsequent tag bytes continue while bit 8 is set.
            let mut n = 1;
            loop {
                let b = *data.get(i).ok_or_else(|| truncated(1))?;
                i += 1;
                n += 1;
                if n > 4 {
                    return Err(Error::invalid(Part::Tlv, offset, Problem::TagTooLong));
                }
                tag = (tag << 8) | u32::from(b);
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let len_at = base + i;
        let l0 = *data.get(i).ok_or_else(|| truncated(1))?;
        i += 1;
        let len = match l0 {
            0x00..=0x7F => usize::from(l0),
            0x80 => return Err(Error::invalid(Part::Tlv, len_at, Problem::IndefiniteLength)),
            0x81..=0x83 => {
                let n = usize::from(l0 & 0x7F);
                let bytes = data
                    .get(i..i + n)
                    .ok_or_else(|| truncated(i + n - data.len()))?;
                i += n;
                bytes
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
            }
            _ => {
                return Err(Error::invalid(
                    Part::Tlv,
                    len_at,
                    Problem::BadLengthForm(l0),
                ));
            }
        };
        let value = data
            .get(i..i + len)
            .ok_or_else(|| truncated(i + len - data.len()))?;
        let children = if first & 0x20 != 0 {
            parse_at(value, base + i, depth + 1)?
        } else {
            Vec::new()
        };
        i += len;
        out.push(Tlv {
            tag,
            offset,
            value: value.to_vec(),
            children,
        });
    }
    Ok(out)
}

/// Common EMV / PBOC tags: (tag, English name, Chinese name).
pub static EMV_TAGS: &[(u32, &str, &str)] = &[
    (0x4F, "Application Identifier (AID)", "应用标识符"),
    (0x50, "Application Label", "应用标签"),
    (0x57, "Track 2 Equivalent Data", "二磁道等效数据"),
    (0x5A, "Application PAN", "应用主账号"),
    (0x71, "Issuer Script Template 1", "发卡行脚本模板1"),
    (0x72, "Issuer Script Template 2", "发卡行脚本模板2"),
    (0x82, "Application Interchange Profile", "应用交互特征"),
    (0x84, "Dedicated File Name", "专用文件名称"),
    (0x86, "Issuer Script Command", "发卡行脚本命令"),
    (0x8A, "Authorisation Response Code", "授权响应码"),
    (0x8E, "CVM List", "持卡人验证方法列表"),
    (0x91, "Issuer Authentication Data", "发卡行认证数据"),
    (0x95, "Terminal Verification Results", "终端验证结果"),
    (0x9A, "Transaction Date", "交易日期"),
    (0x9B, "Transaction Status Information", "交易状态信息"),
    (0x9C, "Transaction Type", "交易类型"),
    (0x5F20, "Cardholder Name", "持卡人姓名"),
    (0x5F24, "Application Expiration Date", "应用失效日期"),
    (0x5F25, "Application Effective Date", "应用生效日期"),
    (0x5F2A, "Transaction Currency Code", "交易货币代码"),
    (
        0x5F34,
        "Application PAN Sequence Number",
        "应用主账号序列号",
    ),
    (0x9F01, "Acquirer Identifier", "收单行标识"),
    (0x9F02, "Amount, Authorised", "授权金额"),
    (0x9F03, "Amount, Other", "其他金额"),
    (
        0x9F06,
        "Application Identifier (Terminal)",
        "应用标识符(终端)",
    ),
    (0x9F07, "Application Usage Control", "应用用途控制"),
    (
        0x9F08,
        "Application Version Number (Card)",
        "应用版本号(卡片)",
    ),
    (
        0x9F09,
        "Application Version Number (Terminal)",
        "应用版本号(终端)",
    ),
    (
        0x9F0D,
        "Issuer Action Code - Default",
        "发卡行行为代码-缺省",
    ),
    (0x9F0E, "Issuer Action Code - Denial", "发卡行行为代码-拒绝"),
    (0x9F0F, "Issuer Action Code - Online", "发卡行行为代码-联机"),
    (0x9F10, "Issuer Application Data", "发卡行应用数据"),
    (0x9F18, "Issuer Script Identifier", "发卡行脚本标识"),
    (0x9F1A, "Terminal Country Code", "终端国家代码"),
    (0x9F1E, "Interface Device Serial Number", "接口设备序列号"),
    (0x9F21, "Transaction Time", "交易时间"),
    (0x9F26, "Application Cryptogram", "应用密文"),
    (0x9F27, "Cryptogram Information Data", "密文信息数据"),
    (0x9F33, "Terminal Capabilities", "终端性能"),
    (0x9F34, "CVM Results", "持卡人验证方法结果"),
    (0x9F35, "Terminal Type", "终端类型"),
    (0x9F36, "Application Transaction Counter", "应用交易计数器"),
    (0x9F37, "Unpredictable Number", "不可预知数"),
    (0x9F41, "Transaction Sequence Counter", "交易序列计数器"),
    (0x9F4E, "Merchant Name and Location", "商户名称"),
    (
        0x9F5D,
        "Available Offline Spending Amount",
        "可用脱机消费金额",
    ),
    (
        0x9F63,
        "Card Product Identification Information",
        "卡产品标识信息",
    ),
    (0x9F66, "Terminal Transaction Qualifiers", "终端交易属性"),
    (0x9F6C, "Card Transaction Qualifiers", "卡片交易属性"),
    (
        0x9F74,
        "EC Issuer Authorization Code",
        "电子现金发卡行授权码",
    ),
    (0xDF31, "Issuer Script Results", "发卡行脚本结果"),
];

/// `(english, chinese)` name of an EMV tag, if known.
pub fn tag_name(tag: u32) -> Option<(&'static str, &'static str)> {
    EMV_TAGS
        .iter()
        .find(|(t, _, _)| *t == tag)
        .map(|&(_, en, zh)| (en, zh))
}
