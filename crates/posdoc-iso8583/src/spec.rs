//! Field tables: every dialect is a static array of [`FieldSpec`] rows, so
//! adding or correcting a field is a data change, not a code change.

use std::fmt;

/// A wire dialect this crate can encode and decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Dialect {
    /// ISO 8583:1987, everything ASCII; identical to pyiso8583's
    /// `iso8583.specs.default_ascii` (no header, 4-char MTI, 16 hex-char
    /// bitmaps, ASCII-digit LL/LLL prefixes, no padding).
    Ascii1987,
    /// China UnionPay POS terminal convention: 2-byte big-endian frame length,
    /// 5-byte TPDU, 6-byte header, BCD MTI, binary bitmaps, BCD numerics.
    Cup,
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Ascii1987 => "ISO 8583:1987 ASCII",
            Dialect::Cup => "CUP POS",
        })
    }
}

/// How a field's length is carried. The number is the fixed length or the
/// maximum length, counted in digits for [`Encoding::Bcd`] / [`Encoding::Track2`]
/// and in bytes otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Length {
    /// No prefix; always exactly this many units.
    Fixed(u16),
    /// Two-digit length prefix (ASCII "NN" in `Ascii1987`, one BCD byte in `Cup`).
    LlVar(u16),
    /// Three-digit length prefix (ASCII "NNN" in `Ascii1987`, two BCD bytes in `Cup`).
    LllVar(u16),
}

impl Length {
    /// The fixed length, or the maximum for variable fields.
    pub fn max(self) -> u16 {
        match self {
            Length::Fixed(n) | Length::LlVar(n) | Length::LllVar(n) => n,
        }
    }
}

/// How a field's data bytes are represented on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// 7-bit ASCII text, one byte per character; decoded as [`crate::Value::Text`].
    Ascii,
    /// Decimal digits packed two per byte, odd lengths left-aligned with a 0
    /// pad nibble on the right; decoded as [`crate::Value::Text`].
    Bcd,
    /// Like [`Encoding::Bcd`] but the nibble 0xD is allowed and is the
    /// track separator, written `D` in the text value.
    Track2,
    /// Raw bytes; decoded as [`crate::Value::Bytes`].
    Binary,
    /// The secondary bitmap (field 1). Computed by the encoder from the field
    /// set, never present in [`crate::Message::fields`].
    Bitmap,
}

/// One row of a dialect's field table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    /// Field (data element) number, 1..=128.
    pub number: u8,
    /// English name (for `Ascii1987` the pyiso8583 `desc` text).
    pub name_en: &'static str,
    /// Chinese name (for `Cup` the name used in the UnionPay POS terminal spec).
    pub name_zh: &'static str,
    /// Length form and fixed/maximum length.
    pub length: Length,
    /// Data representation.
    pub encoding: Encoding,
}

impl FieldSpec {
    /// Conventional ISO format text such as `n..19`, `an12`, `b64`, `z..37`.
    pub fn format(&self) -> String {
        let (class, mult) = match self.encoding {
            Encoding::Ascii => ("ans", 1),
            Encoding::Bcd => ("n", 1),
            Encoding::Track2 => ("z", 1),
            // Binary lengths are traditionally given in bits for fixed fields.
            Encoding::Binary | Encoding::Bitmap => ("b", 8),
        };
        match self.length {
            Length::Fixed(n) => format!("{class}{}", u32::from(n) * mult),
            Length::LlVar(n) => format!("{class}..{n}"),
            Length::LllVar(n) => format!("{class}...{n}"),
        }
    }

    /// Wire size in bytes of `units` (digits for BCD/track fields, bytes otherwise).
    pub(crate) fn data_bytes(&self, units: usize) -> usize {
        match self.encoding {
            Encoding::Bcd | Encoding::Track2 => units.div_ceil(2),
            _ => units,
        }
    }
}

const fn f(
    number: u8,
    name_en: &'static str,
    name_zh: &'static str,
    length: Length,
    encoding: Encoding,
) -> FieldSpec {
    FieldSpec {
        number,
        name_en,
        name_zh,
        length,
        encoding,
    }
}

use Encoding as Enc;
use Length as Len;

/// pyiso8583 4.x `default_ascii`, field by field (generated from the installed
/// package and checked by `tests/pyiso8583.rs`). Field 65 is absent on purpose:
/// pyiso8583 treats bit 65 as the tertiary-bitmap indicator and drops field 65
/// when encoding, so it can never round-trip.
#[rustfmt::skip]
static ASCII1987: [FieldSpec; 127] = [
    f(1, "Bitmap, Secondary", "第二位图", Len::Fixed(16), Enc::Bitmap),
    f(2, "Primary Account Number (PAN)", "主账号", Len::LlVar(19), Enc::Ascii),
    f(3, "Processing Code", "处理码", Len::Fixed(6), Enc::Ascii),
    f(4, "Amount, Transaction", "交易金额", Len::Fixed(12), Enc::Ascii),
    f(5, "Amount, Settlement", "清算金额", Len::Fixed(12), Enc::Ascii),
    f(6, "Amount, Cardholder Billing", "持卡人扣账金额", Len::Fixed(12), Enc::Ascii),
    f(7, "Transmission Date and Time", "传输日期时间", Len::Fixed(10), Enc::Ascii),
    f(8, "Amount, Cardholder Billing Fee", "持卡人扣账手续费", Len::Fixed(8), Enc::Ascii),
    f(9, "Conversion Rate, Settlement", "清算汇率", Len::Fixed(8), Enc::Ascii),
    f(10, "Conversion Rate, Cardholder Billing", "持卡人扣账汇率", Len::Fixed(8), Enc::Ascii),
    f(11, "System Trace Audit Number", "系统跟踪号", Len::Fixed(6), Enc::Ascii),
    f(12, "Time, Local Transaction", "受卡方所在地时间", Len::Fixed(6), Enc::Ascii),
    f(13, "Date, Local Transaction", "受卡方所在地日期", Len::Fixed(4), Enc::Ascii),
    f(14, "Date, Expiration", "卡有效期", Len::Fixed(4), Enc::Ascii),
    f(15, "Date, Settlement", "清算日期", Len::Fixed(4), Enc::Ascii),
    f(16, "Date, Conversion", "兑换日期", Len::Fixed(4), Enc::Ascii),
    f(17, "Date, Capture", "获取日期", Len::Fixed(4), Enc::Ascii),
    f(18, "Merchant Type", "商户类型", Len::Fixed(4), Enc::Ascii),
    f(19, "Acquiring Institution Country Code", "受理机构国家代码", Len::Fixed(3), Enc::Ascii),
    f(20, "PAN Country Code", "主账号国家代码", Len::Fixed(3), Enc::Ascii),
    f(21, "Forwarding Institution Country Code", "转发机构国家代码", Len::Fixed(3), Enc::Ascii),
    f(22, "Point-of-Service Entry Mode", "服务点输入方式码", Len::Fixed(3), Enc::Ascii),
    f(23, "PAN Sequence Number", "卡序列号", Len::Fixed(3), Enc::Ascii),
    f(24, "Network International ID (NII)", "网络国际标识", Len::Fixed(3), Enc::Ascii),
    f(25, "Point-of-Service Condition Code", "服务点条件码", Len::Fixed(2), Enc::Ascii),
    f(26, "Point-of-Service Capture Code", "服务点PIN获取码", Len::Fixed(2), Enc::Ascii),
    f(27, "Authorizing ID Response Length", "授权标识应答码长度", Len::Fixed(1), Enc::Ascii),
    f(28, "Amount, Transaction Fee", "交易手续费", Len::Fixed(9), Enc::Ascii),
    f(29, "Amount, Settlement Fee", "清算手续费", Len::Fixed(9), Enc::Ascii),
    f(30, "Amount, Transaction Processing Fee", "交易处理费", Len::Fixed(9), Enc::Ascii),
    f(31, "Amount, Settlement Processing Fee", "清算处理费", Len::Fixed(9), Enc::Ascii),
    f(32, "Acquiring Institution ID Code", "受理机构标识码", Len::LlVar(11), Enc::Ascii),
    f(33, "Forwarding Institution ID Code", "发送机构标识码", Len::LlVar(11), Enc::Ascii),
    f(34, "Primary Account Number, Extended", "扩展主账号", Len::LlVar(28), Enc::Ascii),
    f(35, "Track 2 Data", "第二磁道数据", Len::LlVar(37), Enc::Ascii),
    f(36, "Track 3 Data", "第三磁道数据", Len::LllVar(104), Enc::Ascii),
    f(37, "Retrieval Reference Number", "检索参考号", Len::Fixed(12), Enc::Ascii),
    f(38, "Authorization ID Response", "授权标识应答码", Len::Fixed(6), Enc::Ascii),
    f(39, "Response Code", "应答码", Len::Fixed(2), Enc::Ascii),
    f(40, "Service Restriction Code", "服务限制码", Len::Fixed(3), Enc::Ascii),
    f(41, "Card Acceptor Terminal ID", "受卡机终端标识码", Len::Fixed(8), Enc::Ascii),
    f(42, "Card Acceptor ID Code", "受卡方标识码", Len::Fixed(15), Enc::Ascii),
    f(43, "Card Acceptor Name/Location", "受卡方名称地址", Len::Fixed(40), Enc::Ascii),
    f(44, "Additional Response Data", "附加响应数据", Len::LlVar(25), Enc::Ascii),
    f(45, "Track 1 Data", "第一磁道数据", Len::LlVar(76), Enc::Ascii),
    f(46, "Additional Data - ISO", "附加数据-ISO", Len::LllVar(999), Enc::Ascii),
    f(47, "Additional Data - National", "附加数据-国家", Len::LllVar(999), Enc::Ascii),
    f(48, "Additional Data - Private", "附加数据-私有", Len::LllVar(999), Enc::Ascii),
    f(49, "Currency Code, Transaction", "交易货币代码", Len::Fixed(3), Enc::Ascii),
    f(50, "Currency Code, Settlement", "清算货币代码", Len::Fixed(3), Enc::Ascii),
    f(51, "Currency Code, Cardholder Billing", "持卡人账户货币代码", Len::Fixed(3), Enc::Ascii),
    f(52, "PIN", "个人标识码数据", Len::Fixed(16), Enc::Ascii),
    f(53, "Security-Related Control Information", "安全控制信息", Len::Fixed(16), Enc::Ascii),
    f(54, "Additional Amounts", "附加金额", Len::LllVar(240), Enc::Ascii),
    f(55, "ICC data", "IC卡数据域", Len::LllVar(510), Enc::Ascii),
    f(56, "Reserved ISO", "ISO保留", Len::LllVar(999), Enc::Ascii),
    f(57, "Reserved National", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(58, "Reserved National", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(59, "Reserved National", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(60, "Reserved National", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(61, "Reserved Private", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(62, "Reserved Private", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(63, "Reserved Private", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(64, "MAC", "报文鉴别码", Len::Fixed(16), Enc::Ascii),
    f(66, "Settlement Code", "清算代码", Len::Fixed(1), Enc::Ascii),
    f(67, "Extended Payment Code", "扩展支付代码", Len::Fixed(2), Enc::Ascii),
    f(68, "Receiving Institution Country Code", "接收机构国家代码", Len::Fixed(3), Enc::Ascii),
    f(69, "Settlement Institution Country Code", "清算机构国家代码", Len::Fixed(3), Enc::Ascii),
    f(70, "Network Management Information Code", "网络管理信息码", Len::Fixed(3), Enc::Ascii),
    f(71, "Message Number", "报文编号", Len::Fixed(4), Enc::Ascii),
    f(72, "Message Number, Last", "上一报文编号", Len::Fixed(4), Enc::Ascii),
    f(73, "Date, Action", "动作日期", Len::Fixed(6), Enc::Ascii),
    f(74, "Credits, Number", "贷记笔数", Len::Fixed(10), Enc::Ascii),
    f(75, "Credits, Reversal Number", "贷记撤销笔数", Len::Fixed(10), Enc::Ascii),
    f(76, "Debits, Number", "借记笔数", Len::Fixed(10), Enc::Ascii),
    f(77, "Debits, Reversal Number", "借记撤销笔数", Len::Fixed(10), Enc::Ascii),
    f(78, "Transfer, Number", "转账笔数", Len::Fixed(10), Enc::Ascii),
    f(79, "Transfer, Reversal Number", "转账撤销笔数", Len::Fixed(10), Enc::Ascii),
    f(80, "Inquiries, Number", "查询笔数", Len::Fixed(10), Enc::Ascii),
    f(81, "Authorizations, Number", "授权笔数", Len::Fixed(10), Enc::Ascii),
    f(82, "Credits, Processing Fee Amount", "贷记处理费金额", Len::Fixed(12), Enc::Ascii),
    f(83, "Credits, Transaction Fee Amount", "贷记交易费金额", Len::Fixed(12), Enc::Ascii),
    f(84, "Debits, Processing Fee Amount", "借记处理费金额", Len::Fixed(12), Enc::Ascii),
    f(85, "Debits, Transaction Fee Amount", "借记交易费金额", Len::Fixed(12), Enc::Ascii),
    f(86, "Credits, Amount", "贷记金额", Len::Fixed(16), Enc::Ascii),
    f(87, "Credits, Reversal Amount", "贷记撤销金额", Len::Fixed(16), Enc::Ascii),
    f(88, "Debits, Amount", "借记金额", Len::Fixed(16), Enc::Ascii),
    f(89, "Debits, Reversal Amount", "借记撤销金额", Len::Fixed(16), Enc::Ascii),
    f(90, "Original Data Elements", "原始数据元", Len::Fixed(42), Enc::Ascii),
    f(91, "File Update Code", "文件更新代码", Len::Fixed(1), Enc::Ascii),
    f(92, "File Security Code", "文件安全代码", Len::Fixed(2), Enc::Ascii),
    f(93, "Response Indicator", "响应指示符", Len::Fixed(5), Enc::Ascii),
    f(94, "Service Indicator", "服务指示符", Len::Fixed(7), Enc::Ascii),
    f(95, "Replacement Amounts", "替换金额", Len::Fixed(42), Enc::Ascii),
    f(96, "Message Security Code", "报文安全码", Len::Fixed(16), Enc::Ascii),
    f(97, "Amount, Net Settlement", "净清算金额", Len::Fixed(17), Enc::Ascii),
    f(98, "Payee", "收款方", Len::Fixed(25), Enc::Ascii),
    f(99, "Settlement Institution ID Code", "清算机构标识码", Len::LlVar(11), Enc::Ascii),
    f(100, "Receiving Institution ID Code", "接收机构标识码", Len::LlVar(11), Enc::Ascii),
    f(101, "File Name", "文件名", Len::LlVar(17), Enc::Ascii),
    f(102, "Account ID 1", "账户标识1", Len::LlVar(28), Enc::Ascii),
    f(103, "Account ID 2", "账户标识2", Len::LlVar(28), Enc::Ascii),
    f(104, "Transaction Description", "交易描述", Len::LllVar(100), Enc::Ascii),
    f(105, "Reserved for ISO Use", "ISO保留", Len::LllVar(999), Enc::Ascii),
    f(106, "Reserved for ISO Use", "ISO保留", Len::LllVar(999), Enc::Ascii),
    f(107, "Reserved for ISO Use", "ISO保留", Len::LllVar(999), Enc::Ascii),
    f(108, "Reserved for ISO Use", "ISO保留", Len::LllVar(999), Enc::Ascii),
    f(109, "Reserved for ISO Use", "ISO保留", Len::LllVar(999), Enc::Ascii),
    f(110, "Reserved for ISO Use", "ISO保留", Len::LllVar(999), Enc::Ascii),
    f(111, "Reserved for ISO Use", "ISO保留", Len::LllVar(999), Enc::Ascii),
    f(112, "Reserved for National Use", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(113, "Reserved for National Use", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(114, "Reserved for National Use", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(115, "Reserved for National Use", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(116, "Reserved for National Use", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(117, "Reserved for National Use", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(118, "Reserved for National Use", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(119, "Reserved for National Use", "国家保留", Len::LllVar(999), Enc::Ascii),
    f(120, "Reserved for Private Use", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(121, "Reserved for Private Use", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(122, "Reserved for Private Use", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(123, "Reserved for Private Use", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(124, "Reserved for Private Use", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(125, "Reserved for Private Use", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(126, "Reserved for Private Use", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(127, "Reserved for Private Use", "私有保留", Len::LllVar(999), Enc::Ascii),
    f(128, "MAC", "报文鉴别码", Len::Fixed(16), Enc::Ascii),
];

/// China UnionPay POS terminal convention (银联 POS 终端规范 as used by most
/// Chinese POS SDKs). Only fields that appear on the POS–host link are listed;
/// anything else is rejected as undefined rather than guessed.
///
/// Choices made where conventions differ (see the crate docs):
/// - numeric (n) fields are BCD, odd lengths left-aligned with a 0 pad nibble;
///   var lengths count digits;
/// - 48, 60 and 61 are BCD (n...322, n...17, n...29) as in the CUP spec;
/// - 62 and 63 are treated as binary because the sign-on response carries raw
///   key blocks in 62 and the sale response carries GBK bank names in 63.2;
/// - 59 (used differently by each acquirer) is ASCII up to 999 bytes.
#[rustfmt::skip]
static CUP: [FieldSpec; 46] = [
    f(1, "Bitmap, Secondary", "第二位图", Len::Fixed(8), Enc::Bitmap),
    f(2, "Primary Account Number", "主账号", Len::LlVar(19), Enc::Bcd),
    f(3, "Processing Code", "交易处理码", Len::Fixed(6), Enc::Bcd),
    f(4, "Amount, Transaction", "交易金额", Len::Fixed(12), Enc::Bcd),
    f(7, "Transmission Date and Time", "交易传输时间", Len::Fixed(10), Enc::Bcd),
    f(11, "System Trace Audit Number", "受卡方系统跟踪号", Len::Fixed(6), Enc::Bcd),
    f(12, "Time, Local Transaction", "受卡方所在地时间", Len::Fixed(6), Enc::Bcd),
    f(13, "Date, Local Transaction", "受卡方所在地日期", Len::Fixed(4), Enc::Bcd),
    f(14, "Date, Expiration", "卡有效期", Len::Fixed(4), Enc::Bcd),
    f(15, "Date, Settlement", "清算日期", Len::Fixed(4), Enc::Bcd),
    f(22, "Point-of-Service Entry Mode", "服务点输入方式码", Len::Fixed(3), Enc::Bcd),
    f(23, "Card Sequence Number", "卡片序列号", Len::Fixed(3), Enc::Bcd),
    f(25, "Point-of-Service Condition Code", "服务点条件码", Len::Fixed(2), Enc::Bcd),
    f(26, "Point-of-Service PIN Capture Code", "服务点PIN获取码", Len::Fixed(2), Enc::Bcd),
    f(32, "Acquiring Institution ID Code", "受理方标识码", Len::LlVar(11), Enc::Bcd),
    f(33, "Forwarding Institution ID Code", "发送方标识码", Len::LlVar(11), Enc::Bcd),
    f(35, "Track 2 Data", "2磁道数据", Len::LlVar(37), Enc::Track2),
    f(36, "Track 3 Data", "3磁道数据", Len::LllVar(104), Enc::Track2),
    f(37, "Retrieval Reference Number", "检索参考号", Len::Fixed(12), Enc::Ascii),
    f(38, "Authorization ID Response", "授权标识应答码", Len::Fixed(6), Enc::Ascii),
    f(39, "Response Code", "应答码", Len::Fixed(2), Enc::Ascii),
    f(41, "Card Acceptor Terminal ID", "受卡机终端标识码", Len::Fixed(8), Enc::Ascii),
    f(42, "Card Acceptor ID Code", "受卡方标识码", Len::Fixed(15), Enc::Ascii),
    f(44, "Additional Response Data", "附加响应数据", Len::LlVar(25), Enc::Ascii),
    f(48, "Additional Data, Private", "附加数据-私有", Len::LllVar(322), Enc::Bcd),
    f(49, "Currency Code, Transaction", "交易货币代码", Len::Fixed(3), Enc::Ascii),
    f(52, "PIN Data", "个人标识码数据", Len::Fixed(8), Enc::Binary),
    f(53, "Security-Related Control Information", "安全控制信息", Len::Fixed(16), Enc::Bcd),
    f(54, "Additional Amounts", "附加金额", Len::LllVar(20), Enc::Ascii),
    f(55, "ICC Data", "IC卡数据域", Len::LllVar(255), Enc::Binary),
    f(58, "PBOC Electronic Data", "PBOC电子钱包标准的交易信息", Len::LllVar(100), Enc::Ascii),
    f(59, "Reserved Private (acquirer defined)", "自定义域", Len::LllVar(999), Enc::Ascii),
    f(60, "Reserved Private (CUP field 60)", "自定义域", Len::LllVar(17), Enc::Bcd),
    f(61, "Original Message Data", "原始信息域", Len::LllVar(29), Enc::Bcd),
    f(62, "Reserved Private (CUP field 62)", "自定义域", Len::LllVar(512), Enc::Binary),
    f(63, "Reserved Private (CUP field 63)", "自定义域", Len::LllVar(163), Enc::Binary),
    f(64, "MAC", "报文鉴别码", Len::Fixed(8), Enc::Binary),
    f(70, "Network Management Information Code", "网络管理信息码", Len::Fixed(3), Enc::Bcd),
    f(90, "Original Data Elements", "原始数据元", Len::Fixed(42), Enc::Bcd),
    f(96, "Message Security Code", "报文安全码", Len::Fixed(8), Enc::Binary),
    f(100, "Receiving Institution ID Code", "接收机构标识码", Len::LlVar(11), Enc::Bcd),
    f(102, "Account ID 1", "账户标识1", Len::LlVar(28), Enc::Ascii),
    f(103, "Account ID 2", "账户标识2", Len::LlVar(28), Enc::Ascii),
    f(122, "Reserved Private (acquirer defined)", "受理方保留", Len::LllVar(100), Enc::Ascii),
    f(123, "Reserved Private (acquirer defined)", "受理方保留", Len::LllVar(100), Enc::Ascii),
    f(128, "MAC", "报文鉴别码", Len::Fixed(8), Enc::Binary),
];

/// Maps field number to 1 + its row in a table (0 = undefined), built at
/// compile time so `spec` is a bounds-checked array read.
const fn index(table: &[FieldSpec]) -> [u8; 129] {
    let mut idx = [0u8; 129];
    let mut i = 0;
    while i < table.len() {
        idx[table[i].number as usize] = (i + 1) as u8;
        i += 1;
    }
    idx
}

static ASCII1987_INDEX: [u8; 129] = index(&ASCII1987);
static CUP_INDEX: [u8; 129] = index(&CUP);

/// The spec of field `number` in `dialect`, or `None` if the dialect does not
/// define it (field 0, 65 in `Ascii1987`, anything above 128, ...).
pub fn spec(dialect: Dialect, number: u8) -> Option<&'static FieldSpec> {
    let (table, idx): (&'static [FieldSpec], &'static [u8; 129]) = match dialect {
        Dialect::Ascii1987 => (&ASCII1987, &ASCII1987_INDEX),
        Dialect::Cup => (&CUP, &CUP_INDEX),
    };
    let row = *idx.get(usize::from(number))?;
    table.get(usize::from(row).checked_sub(1)?)
}

/// All field specs of a dialect in field-number order (field 1, the
/// secondary bitmap, included).
pub fn fields(dialect: Dialect) -> &'static [FieldSpec] {
    match dialect {
        Dialect::Ascii1987 => &ASCII1987,
        Dialect::Cup => &CUP,
    }
}
