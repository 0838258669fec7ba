//! What terminals display and log: vendor-specific codes and raw detail lines.

use crate::fault::Cause;
use crate::fmt::{Code, push_fixed, push_i64, push_padded, push_u64};
use crate::rng::Rng;

/// The mechanism by which an operation failed, as the terminal saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    PowerOn,
    LowBattery,
    Connect,
    Refused,
    Tls,
    Send,
    Timeout,
    Corrupt,
    Mac,
    CardRead,
    Pin,
    InputRetry,
    Print,
    PaperOut,
    App,
    Crash,
    Display,
    Storage,
    Memory,
    Operator,
    Reject,
}

impl Class {
    pub fn stage(self) -> Option<&'static str> {
        Some(match self {
            Class::PowerOn | Class::LowBattery => "power_on",
            Class::Connect | Class::Refused => "connect",
            Class::Tls => "tls",
            Class::Send => "send",
            Class::Timeout | Class::Corrupt => "receive",
            Class::Mac => "mac",
            Class::CardRead => "card_read",
            Class::Pin | Class::InputRetry => "pin",
            Class::Print | Class::PaperOut => "print",
            Class::App
            | Class::Crash
            | Class::Display
            | Class::Storage
            | Class::Memory
            | Class::Operator => "app",
            Class::Reject => return None,
        })
    }
}

/// The code a vendor's terminal displays for a failure. Codes are overloaded
/// and differ between vendors on purpose: that is how real fleets look.
pub fn vendor_code(vendor: &str, class: Class, rc: &str, rng: &mut Rng) -> Code {
    use Class::*;
    let opts: &[&str] = match (vendor, class) {
        ("pax", Connect) => &["E1", "E1", "E2"],
        ("pax", Refused) => &["E2", "E1"],
        ("pax", Tls) => &["E5", "E1"],
        ("pax", Send) => &["E1", "E3"],
        ("pax", Timeout) => &["E1"],
        ("pax", Corrupt) => &["E4", "E1"],
        ("pax", Mac) => &["A0", "E6"],
        ("pax", CardRead) => &["E7", "读卡失败"],
        ("pax", Pin) => &["E8", "PED ERR"],
        ("pax", InputRetry) => &["E8", "输入超时"],
        ("pax", Print | PaperOut) => &["E9"],
        ("pax", App | Crash | Memory | Display) => &["E99", "APP ERR"],
        ("pax", Storage) => &["E11", "E99"],
        ("pax", Operator) => &["E12", "操作错误"],
        ("pax", PowerOn | LowBattery) => &["E0"],
        ("newland", Connect | Send) => &["通讯失败", "通讯失败", "-3"],
        ("newland", Refused) => &["通讯失败", "-4"],
        ("newland", Timeout) => &["通讯超时", "通讯失败"],
        ("newland", Corrupt) => &["报文错误", "-6"],
        ("newland", Tls) => &["SSL握手失败", "-12"],
        ("newland", Mac) => &["A0", "MAC错"],
        ("newland", CardRead) => &["读卡失败", "-21"],
        ("newland", Pin) => &["密码键盘异常", "-22"],
        ("newland", InputRetry) => &["输入超时", "-22"],
        ("newland", Print) => &["打印失败"],
        ("newland", PaperOut) => &["打印机缺纸", "打印失败"],
        ("newland", App | Crash | Memory | Display) => &["应用异常", "-99"],
        ("newland", Storage) => &["存储满", "-99"],
        ("newland", Operator) => &["操作错误", "-31"],
        ("newland", PowerOn) => &["-1"],
        ("newland", LowBattery) => &["电量不足", "-1"],
        ("landi", CardRead) => &["E1", "读卡错"],
        ("landi", Pin | InputRetry) => &["E2"],
        ("landi", Connect | Refused) => &["E3", "N02"],
        ("landi", Timeout) => &["N05", "E3"],
        ("landi", Send) => &["N03", "E3"],
        ("landi", Corrupt) => &["N06"],
        ("landi", Tls) => &["N12", "E3"],
        ("landi", Mac) => &["A0", "E6"],
        ("landi", Print) => &["P01"],
        ("landi", PaperOut) => &["P02", "缺纸"],
        ("landi", App | Crash | Memory | Display | Operator) => &["E9"],
        ("landi", Storage) => &["E10", "E9"],
        ("landi", PowerOn) => &["E0"],
        ("landi", LowBattery) => &["B01", "E0"],
        ("verifone", Connect | Send) => &["COMMS ERROR", "NO CONNECTION"],
        ("verifone", Refused) => &["NO CONNECTION"],
        ("verifone", Timeout) => &["HOST TIMEOUT", "NO RESPONSE"],
        ("verifone", Corrupt) => &["BAD RESPONSE", "COMMS ERROR"],
        ("verifone", Tls) => &["SSL ERROR", "COMMS ERROR"],
        ("verifone", Mac) => &["MAC ERROR"],
        ("verifone", CardRead) => &["CHIP ERROR", "CARD READ ERR"],
        ("verifone", Pin) => &["PINPAD ERROR"],
        ("verifone", InputRetry) => &["TIMEOUT", "CANCELLED"],
        ("verifone", Print) => &["PRINTER ERROR"],
        ("verifone", PaperOut) => &["PAPER OUT", "PRINTER ERROR"],
        ("verifone", App | Crash | Display) => &["SYSTEM ERROR", "APP FAULT"],
        ("verifone", Memory | Storage) => &["MEM FULL", "SYSTEM ERROR"],
        ("verifone", Operator) => &["INVALID ENTRY", "NOT ALLOWED"],
        ("verifone", PowerOn | LowBattery) => &["POWER FAIL", "LOW BATTERY"],
        ("ingenico", Connect | Send | Refused) => &["CONN KO", "I-01"],
        ("ingenico", Timeout) => &["I-02", "TIMEOUT"],
        ("ingenico", Corrupt) => &["I-04"],
        ("ingenico", Tls) => &["I-05", "SSL KO"],
        ("ingenico", Mac) => &["A0", "I-06"],
        ("ingenico", CardRead) => &["CARD KO", "I-20"],
        ("ingenico", Pin) => &["PINPAD KO"],
        ("ingenico", InputRetry) => &["PINPAD KO", "ANNULATION"],
        ("ingenico", Print) => &["PRN KO"],
        ("ingenico", PaperOut) => &["NO PAPER", "PRN KO"],
        ("ingenico", App | Crash | Display | Operator) => &["I-99"],
        ("ingenico", Storage) => &["I-31"],
        ("ingenico", Memory) => &["I-32", "I-99"],
        ("ingenico", PowerOn) => &["I-90"],
        ("ingenico", LowBattery) => &["BAT LOW"],
        ("sunmi", Connect | Send) => &["网络异常", "-1002"],
        ("sunmi", Refused) => &["-1002", "网络异常"],
        ("sunmi", Timeout) => &["交易超时", "-1003"],
        ("sunmi", Corrupt) => &["-1006", "数据解析失败"],
        ("sunmi", Tls) => &["-1012", "网络异常"],
        ("sunmi", Mac) => &["A0", "-1007"],
        ("sunmi", CardRead) => &["读卡失败", "-2001"],
        ("sunmi", Pin) => &["-2005", "密码键盘故障"],
        ("sunmi", InputRetry) => &["-2005", "密码输入失败"],
        ("sunmi", Print) => &["打印异常"],
        ("sunmi", PaperOut) => &["打印机缺纸"],
        ("sunmi", App | Display) => &["-9999", "应用异常"],
        ("sunmi", Crash | Memory) => &["应用已停止", "-9999"],
        ("sunmi", Storage) => &["存储空间不足", "-9999"],
        ("sunmi", Operator) => &["-3001", "操作错误"],
        ("sunmi", PowerOn | LowBattery) => &["-1"],
        ("centerm", Connect | Send | Timeout | Refused) => &["E1", "通讯失败"],
        ("centerm", Corrupt) => &["E1", "E4"],
        ("centerm", Tls) => &["E5", "E1"],
        ("centerm", Mac) => &["A0"],
        ("centerm", CardRead) => &["E2"],
        ("centerm", Pin | InputRetry) => &["E3"],
        ("centerm", Print | PaperOut) => &["E6"],
        ("centerm", App | Crash | Memory | Display | Storage | Operator) => &["E8"],
        ("centerm", PowerOn | LowBattery) => &["E0"],
        (_, Connect | Send | Timeout | Refused | Tls | Corrupt) => &["通讯失败", "ERR 02", "FAIL"],
        (_, Mac) => &["A0", "ERR 06"],
        (_, CardRead) => &["读卡失败", "ERR 10"],
        (_, Pin | InputRetry) => &["ERR 11"],
        (_, Print | PaperOut) => &["打印机故障", "ERR 20"],
        (_, PowerOn | LowBattery) => &["ERR 01"],
        (_, Reject) => &[],
        (_, _) => &["ERR 99", "系统错误"],
    };
    if class == Reject {
        return match vendor {
            "verifone" => Code::new(match rc {
                "A0" => "MAC ERROR",
                "91" | "96" | "98" => "HOST ERROR",
                _ => "DECLINED",
            }),
            "ingenico" => {
                let mut c = Code::new("REFUSED ");
                c.push(rc);
                c
            }
            "centerm" => Code::new(if rng.chance(0.8) { "E7" } else { rc }),
            "xgd" | "szzt" => Code::new(if rng.chance(0.6) { "交易失败" } else { rc }),
            _ => Code::new(rc),
        };
    }
    Code::new(opts[rng.index(opts.len())])
}

/// Values a detail line may mention; all drawn from the terminal's real state.
#[derive(Debug, Clone, Copy)]
pub struct DetailCtx<'a> {
    pub ms: u32,
    pub stan: u32,
    pub rc: &'a str,
    pub rssi: i32,
    pub volts: f64,
    pub batt: i32,
    pub temp: i32,
    pub cpu: i32,
    pub mem: i32,
    pub storage: i32,
    pub ver: &'a str,
    pub ip: [u8; 4],
    pub port: u16,
}

type Pool = (&'static [&'static str], &'static [&'static str]);

fn generic(class: Class) -> Pool {
    use Class::*;
    match class {
        Connect => (
            &[
                "连接主机失败",
                "通讯失败:连接主机超时[{ms}ms]",
                "[COMM] 建立连接失败 {ip}:{port}",
                "网络连接失败 errno={errno}",
                "拨号失败,请检查网络",
            ],
            &[
                "connect to {ip}:{port} timed out after {ms}ms",
                "COMM: connect failed errno={errno}",
                "socket connect error -{n}",
                "E/Net: connect() failed: ETIMEDOUT",
            ],
        ),
        Refused => (
            &[
                "连接被拒绝 {ip}:{port}",
                "主机拒绝连接",
                "通讯失败:服务器拒绝[111]",
            ],
            &[
                "connect {ip}:{port} refused (ECONNREFUSED)",
                "connection refused by host",
                "TCP RST from {ip}:{port}",
            ],
        ),
        Tls => (
            &["SSL握手失败", "安全连接建立失败[-{n}]", "TLS握手错误"],
            &[
                "SSL handshake failed: -{n}",
                "tls: handshake failure",
                "mbedtls_ssl_handshake returned -0x{hex}",
            ],
        ),
        Send => (
            &["发送数据失败", "报文发送失败[{errno}]", "发送超时"],
            &[
                "send() failed errno={errno}",
                "write timeout after {ms}ms",
                "COMM: send error",
            ],
        ),
        Timeout => (
            &[
                "接收超时",
                "交易超时,请重试",
                "等待主机应答超时({s}秒)",
                "接收数据超时 STAN={stan}",
            ],
            &[
                "recv timeout ({s}s) stan={stan}",
                "no response from host",
                "E/Trans: wait response timeout",
                "HOST TIMEOUT after {ms}ms",
            ],
        ),
        Corrupt => (
            &["接收报文错误", "报文解包失败", "数据解析失败"],
            &[
                "unpack failed: field {n}",
                "bad response message",
                "invalid ISO8583 message",
            ],
        ),
        Mac => (
            &["MAC校验错", "响应MAC校验失败", "计算MAC失败"],
            &[
                "MAC verify failed",
                "response MAC mismatch stan={stan}",
                "mac check error",
            ],
        ),
        CardRead => (
            &["读卡失败", "IC卡上电失败", "请重新插卡", "非接读卡失败"],
            &[
                "card read error",
                "ICC power on failed",
                "EMV: card not responding",
                "CTLS read timeout",
            ],
        ),
        Pin => (
            &["密码键盘错误", "PIN输入失败", "密码键盘无响应"],
            &[
                "PED error -{n}",
                "pinpad not responding",
                "PIN entry failed",
            ],
        ),
        InputRetry => (
            &[
                "输入超时",
                "用户取消",
                "密码输入超时,请重试",
                "输入错误,请重新输入",
            ],
            &[
                "input timeout",
                "user cancelled",
                "PIN entry timeout",
                "re-enter amount",
            ],
        ),
        Print => (
            &["打印失败", "打印机故障", "打印机错误[{n}]"],
            &["printer error {n}", "print failed", "PRN: head error"],
        ),
        PaperOut => (
            &["打印机缺纸", "请装纸", "缺纸,请放入打印纸"],
            &["paper out", "printer: no paper", "PRN: out of paper"],
        ),
        App => (
            &["应用异常", "程序错误,请重启", "系统错误[{n}]"],
            &[
                "application error {n}",
                "unexpected exception",
                "system error, please restart",
            ],
        ),
        Crash => (
            &["应用已停止运行", "程序崩溃重启", "应用无响应"],
            &[
                "app crashed: SIGSEGV",
                "java.lang.NullPointerException",
                "process died, restarting",
                "fatal signal 11 (SIGSEGV)",
            ],
        ),
        Display => (
            &["屏幕显示异常", "液晶初始化失败", "屏幕花屏", "触摸屏无响应"],
            &[
                "LCD init failed",
                "display driver timeout",
                "screen flicker reported",
                "touch panel no response",
            ],
        ),
        Storage => (
            &[
                "存储空间不足",
                "交易记录保存失败",
                "数据库写入失败",
                "流水已满,请先结算",
            ],
            &[
                "no space left on device",
                "failed to save transaction log",
                "SQLiteFullException: database or disk is full",
                "batch file full",
            ],
        ),
        Memory => (
            &["内存不足", "系统内存不足,应用被关闭"],
            &[
                "java.lang.OutOfMemoryError",
                "malloc failed size={n}",
                "low memory killer: app killed",
            ],
        ),
        Operator => (
            &[
                "主管密码错误",
                "操作员号不存在",
                "原交易不存在",
                "操作员未签到",
            ],
            &[
                "supervisor password incorrect",
                "operator not logged in",
                "original txn not found",
                "invalid operator id",
            ],
        ),
        PowerOn => (
            &["开机自检失败", "系统启动异常", "上电自检错误[{n}]"],
            &[
                "power-on self test failed",
                "boot: self-test error {n}",
                "unexpected reset",
            ],
        ),
        LowBattery => (
            &["电量低,请充电", "电池电量不足 {batt}%", "低电关机"],
            &[
                "low battery {batt}%",
                "battery low, please charge",
                "shutdown: battery critical",
            ],
        ),
        Reject => (
            &["交易拒绝 应答码{rc}", "交易失败[{rc}]", "主机拒绝:{rc}"],
            &[
                "declined rc={rc}",
                "host response {rc}",
                "transaction declined ({rc})",
            ],
        ),
    }
}

/// Log lines that show the mechanism behind a cause, when a log shows it.
fn flavour(cause: Cause, class: Class) -> Option<Pool> {
    use Cause::*;
    use Class::*;
    Some(match (cause, class) {
        (PowerSupply, PowerOn | Connect | Send | Timeout | App) => (
            &[
                "输入电压异常 {v}V",
                "低压复位 VIN={v}V",
                "电源欠压,通讯模块重启",
            ],
            &[
                "brown-out reset VIN={v}V",
                "undervoltage detected {v}V",
                "power dip, modem reset",
            ],
        ),
        (PowerBattery, _) => (
            &[
                "电池电量 {batt}%,通讯模块关闭",
                "电量低 {batt}%",
                "电池电压过低,自动关机",
            ],
            &[
                "battery {batt}%, radio off",
                "battery critical {batt}%",
                "low battery shutdown",
            ],
        ),
        (NetSignal, Connect | Send | Timeout) => (
            &[
                "信号弱 RSSI={rssi}dBm",
                "无线信号差,连接失败",
                "信号强度{rssi}dBm,发送失败",
            ],
            &[
                "weak signal rssi={rssi}dBm",
                "GPRS attach failed, csq={csq}",
                "wifi rssi {rssi} dBm, retrying",
            ],
        ),
        (NetLan, Connect | Send | Timeout) => (
            &[
                "网关不可达",
                "网线未连接",
                "DHCP获取地址失败",
                "无法访问路由器",
            ],
            &[
                "gateway unreachable",
                "eth0: link down",
                "DHCP timeout",
                "no route to host",
            ],
        ),
        (NetCarrier, Connect | Send | Timeout) => (
            &[
                "PDP激活失败",
                "无线网络注册失败",
                "拨号失败:无服务",
                "数据连接断开",
            ],
            &[
                "PDP context activation failed",
                "PPP: LCP timeout",
                "network registration denied",
                "APN attach failed",
            ],
        ),
        (SwBug, _) => (
            &[
                "应用{ver}异常退出",
                "升级后频繁重启 ver={ver}",
                "交易处理模块崩溃",
            ],
            &[
                "app {ver} crash in TransProc",
                "assert failed in emv_kernel.c:{n}",
                "unhandled exception in v{ver}",
            ],
        ),
        (SwIncompatible, _) => (
            &[
                "SSL握手失败:协议版本不支持",
                "报文格式版本不匹配 ver={ver}",
                "主机不支持该版本",
            ],
            &[
                "tls: no shared cipher",
                "unsupported protocol version",
                "host rejected client version {ver}",
            ],
        ),
        (SwConfig, Refused | Connect) => (
            &[
                "连接 {ip}:{port} 被拒绝",
                "主机地址不可用 {ip}",
                "参数错误:主机IP",
            ],
            &[
                "connect {ip}:{port} refused",
                "host {ip} not reachable, check params",
                "bad host parameter",
            ],
        ),
        (SwConfig, Reject) => (
            &["终端号未登记", "商户号终端号不匹配", "终端参数错误"],
            &[
                "terminal not registered",
                "TID/MID mismatch",
                "check terminal parameters",
            ],
        ),
        (TxCorruption, Corrupt | Send | Reject | Mac) => (
            &[
                "CRC校验错",
                "报文长度错误 期望{len}实际{len2}",
                "校验失败,报文被截断",
            ],
            &[
                "CRC mismatch",
                "message length {len2} != {len}",
                "truncated message ({len2} bytes)",
            ],
        ),
        (SecKeys, Mac | Reject) => (
            &[
                "MAC校验错,请重新签到",
                "工作密钥不同步",
                "密钥丢失,请下载密钥",
            ],
            &[
                "MAC key missing",
                "working key out of sync, sign-on required",
                "PIK check value mismatch",
            ],
        ),
        (SecCertificate, Tls) => (
            &["证书已过期", "证书验证失败", "系统时间错误,证书无效"],
            &[
                "certificate has expired",
                "X509 verify failed: certificate is not yet valid",
                "cert verify error code 10",
            ],
        ),
        (ResStorage, _) => (
            &[
                "存储空间不足 已用{sto}%",
                "流水保存失败,存储已满",
                "日志写入失败",
            ],
            &[
                "no space left on device ({sto}% used)",
                "SQLiteFullException",
                "write(/data/log) ENOSPC",
            ],
        ),
        (ResMemory, _) => (
            &["内存不足 已用{mem}%", "应用被系统回收"],
            &[
                "OutOfMemoryError: heap {mem}%",
                "lowmemorykiller: killed com.pos.pay",
                "malloc({n}) failed",
            ],
        ),
        (ResCpu, _) => (
            &["系统繁忙,处理超时", "应用无响应(ANR)", "CPU占用{cpu}%"],
            &[
                "ANR in com.pos.pay",
                "cpu load {cpu}%, trans stalled",
                "watchdog: main loop stalled {ms}ms",
            ],
        ),
        (HwKeypad, _) => (
            &["按键卡住", "键盘扫描错误", "按键无响应"],
            &[
                "keypad: stuck key detected",
                "key matrix scan error",
                "PED key no response",
            ],
        ),
        (HwCardReader, _) => (
            &["IC卡座接触不良", "磁头读卡错误", "非接天线异常"],
            &[
                "ICC slot contact error",
                "MSR: track 2 LRC error",
                "NFC antenna error",
            ],
        ),
        (HwPrinter, Print) => (
            &["打印头过热", "打印机切刀故障", "打印机电机故障"],
            &["printer head overheat", "cutter jam", "printer motor fault"],
        ),
        (HwBoard, _) => (
            &["主板温度过高 {temp}C", "看门狗复位", "I2C总线错误"],
            &[
                "board temperature {temp}C",
                "watchdog reset",
                "SPI bus error",
            ],
        ),
        (HwDisplay, _) => (
            &["屏幕花屏", "液晶背光故障", "屏幕无显示"],
            &[
                "LCD backlight failure",
                "display: no signal",
                "screen garbled",
            ],
        ),
        (BizMerchant, Reject) => (
            &["商户状态异常", "商户已冻结"],
            &["merchant suspended", "invalid merchant"],
        ),
        (BizLimit, Reject) => (
            &["超出单笔限额", "超出交易次数限制"],
            &["exceeds amount limit", "count limit exceeded"],
        ),
        (BizRisk, Reject) => (
            &["风险交易,请联系收单机构", "交易受限"],
            &["risk control: blocked", "suspected fraud"],
        ),
        (BizTxnType, Reject) => (
            &["交易类型不支持", "该卡不支持此交易"],
            &["txn not permitted", "function not supported"],
        ),
        (UpAcquirer, Reject | Timeout) => (
            &["主机系统故障", "收单系统繁忙"],
            &["host system malfunction", "acquirer busy"],
        ),
        (UpIssuer, Reject) => (
            &["发卡行无法处理", "发卡行系统故障"],
            &["issuer inoperative", "issuer unavailable"],
        ),
        _ => return None,
    })
}

fn render(buf: &mut Vec<u8>, tpl: &str, c: &DetailCtx<'_>, rng: &mut Rng) {
    let mut rest = tpl;
    while let Some(p) = rest.find('{') {
        buf.extend_from_slice(&rest.as_bytes()[..p]);
        let Some(q) = rest[p..].find('}') else {
            buf.extend_from_slice(&rest.as_bytes()[p..]);
            return;
        };
        let name = &rest[p + 1..p + q];
        match name {
            "ms" => push_u64(buf, c.ms as u64),
            "s" => push_u64(buf, (c.ms / 1000) as u64),
            "ip" => {
                for (i, o) in c.ip.iter().enumerate() {
                    if i > 0 {
                        buf.push(b'.');
                    }
                    push_u64(buf, *o as u64);
                }
            }
            "port" => push_u64(buf, c.port as u64),
            "errno" => push_u64(buf, *rng.pick(&[4u64, 11, 101, 104, 110, 113])),
            "n" => push_u64(buf, rng.int(1, 4096) as u64),
            "hex" => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                for _ in 0..4 {
                    buf.push(HEX[rng.index(16)]);
                }
            }
            "stan" => push_padded(buf, c.stan as u64, 6),
            "rc" => buf.extend_from_slice(c.rc.as_bytes()),
            "rssi" => push_i64(buf, c.rssi as i64),
            "csq" => push_i64(buf, ((c.rssi + 113) / 2).clamp(0, 31) as i64),
            "v" => push_fixed(buf, c.volts, 2),
            "batt" => push_i64(buf, c.batt as i64),
            "temp" => push_i64(buf, c.temp as i64),
            "cpu" => push_i64(buf, c.cpu as i64),
            "mem" => push_i64(buf, c.mem as i64),
            "sto" => push_i64(buf, c.storage as i64),
            "ver" => buf.extend_from_slice(c.ver.as_bytes()),
            "len" => push_u64(buf, rng.int(180, 420) as u64),
            "len2" => push_u64(buf, rng.int(20, 179) as u64),
            _ => {}
        }
        rest = &rest[p + q + 1..];
    }
    buf.extend_from_slice(rest.as_bytes());
}

/// Writes a raw log line. `mechanism` is the probability the line names the
/// mechanism behind the cause rather than a generic message.
pub fn write_detail(
    buf: &mut Vec<u8>,
    class: Class,
    cause: Cause,
    en: bool,
    mechanism: f64,
    c: &DetailCtx<'_>,
    rng: &mut Rng,
) {
    let pool = match flavour(cause, class) {
        Some(p) if rng.chance(mechanism) => p,
        _ => generic(class),
    };
    let list = if en { pool.1 } else { pool.0 };
    let tpl = list[rng.index(list.len())];
    if rng.chance(0.15) {
        let tag: &[u8] = match class.stage() {
            Some("connect" | "send" | "receive" | "tls") => b"[COMM] ",
            Some("card_read") => b"[ICC] ",
            Some("pin") => b"[PED] ",
            Some("print") => b"[PRN] ",
            Some("power_on") => b"[SYS] ",
            _ => b"[APP] ",
        };
        buf.extend_from_slice(tag);
    }
    render(buf, tpl, c, rng);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_without_braces_or_quotes() {
        let ctx = DetailCtx {
            ms: 15000,
            stan: 311,
            rc: "96",
            rssi: -104,
            volts: 4.21,
            batt: 3,
            temp: 71,
            cpu: 97,
            mem: 96,
            storage: 98,
            ver: "3.2.2",
            ip: [10, 1, 2, 3],
            port: 5000,
        };
        let mut rng = Rng::new(3);
        let classes = [
            Class::PowerOn,
            Class::LowBattery,
            Class::Connect,
            Class::Refused,
            Class::Tls,
            Class::Send,
            Class::Timeout,
            Class::Corrupt,
            Class::Mac,
            Class::CardRead,
            Class::Pin,
            Class::InputRetry,
            Class::Print,
            Class::PaperOut,
            Class::App,
            Class::Crash,
            Class::Display,
            Class::Storage,
            Class::Memory,
            Class::Operator,
            Class::Reject,
        ];
        for cause in crate::fault::FAULT_CAUSES {
            for &cl in &classes {
                for _ in 0..20 {
                    let mut b = Vec::new();
                    write_detail(&mut b, cl, cause, rng.chance(0.5), 0.7, &ctx, &mut rng);
                    let s = String::from_utf8(b).unwrap();
                    assert!(!s.contains('{') && !s.contains('"') && !s.is_empty(), "{s}");
                }
            }
        }
    }
}
