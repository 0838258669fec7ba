//! CUP-specific helpers: sub-fields of field 60.

/// One sub-field of a fixed-layout composite field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubfieldSpec {
    /// Identifier, e.g. `"60.1"`.
    pub id: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Chinese name as in the CUP POS terminal spec.
    pub name_zh: &'static str,
    /// Length in digits.
    pub len: usize,
}

const fn sf(
    id: &'static str,
    name_en: &'static str,
    name_zh: &'static str,
    len: usize,
) -> SubfieldSpec {
    SubfieldSpec {
        id,
        name_en,
        name_zh,
        len,
    }
}

/// Layout of CUP field 60 (n...17): 2+6+3+1+1+1+3 digits. Terminals commonly
/// send only the first 3 sub-fields (11 digits) or the first 6 (14 digits);
/// trailing sub-fields are simply absent.
pub static FIELD60: [SubfieldSpec; 7] = [
    sf("60.1", "transaction type code", "交易类型码", 2),
    sf("60.2", "batch number", "批次号", 6),
    sf(
        "60.3",
        "network management information code",
        "网络管理信息码",
        3,
    ),
    sf("60.4", "terminal read capability", "终端读取能力", 1),
    sf(
        "60.5",
        "IC card condition code",
        "基于PBOC借/贷记标准的IC卡条件代码",
        1,
    ),
    sf(
        "60.6",
        "partial approval / balance return flag",
        "支持部分扣款和返回余额的标志",
        1,
    ),
    sf("60.7", "account type", "账户类型", 3),
];

/// Splits a field-60 value into named sub-fields, in order, using
/// [`FIELD60`]. Names are English (`FIELD60[i].name_zh` has the Chinese one
/// for the same index). A short value yields only the sub-fields it reaches;
/// the last may be partial. Characters past 17 are returned as `"rest"`.
pub fn field60_subfields(value: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut rest = value;
    for s in &FIELD60 {
        if rest.is_empty() {
            break;
        }
        let cut = rest
            .char_indices()
            .nth(s.len)
            .map_or(rest.len(), |(i, _)| i);
        let (head, tail) = rest.split_at(cut);
        out.push((s.name_en, head.to_string()));
        rest = tail;
    }
    if !rest.is_empty() {
        out.push(("rest", rest.to_string()));
    }
    out
}
