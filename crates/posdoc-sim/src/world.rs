//! The fleet: static tables (vendors, models, cities, merchant types, card
//! BINs) and the generated inventory of merchants, sites and terminals.

use crate::rng::Rng;

// Telemetry fields a vendor's management platform reports.
pub const F_ONLINE: u32 = 1;
pub const F_RSSI: u32 = 1 << 1;
pub const F_LAT: u32 = 1 << 2;
pub const F_LOSS: u32 = 1 << 3;
pub const F_SUPPLY: u32 = 1 << 4;
pub const F_BATT: u32 = 1 << 5;
pub const F_PEV: u32 = 1 << 6;
pub const F_REBOOT: u32 = 1 << 7;
pub const F_STO: u32 = 1 << 8;
pub const F_MEM: u32 = 1 << 9;
pub const F_CPU: u32 = 1 << 10;
pub const F_TEMP: u32 = 1 << 11;
pub const F_KEY: u32 = 1 << 12;
pub const F_SKEW: u32 = 1 << 13;
pub const F_PRN: u32 = 1 << 14;
pub const F_KPD: u32 = 1 << 15;
pub const F_CRD: u32 = 1 << 16;
pub const F_CRASH: u32 = 1 << 17;
pub const F_VER: u32 = 1 << 18;

#[derive(Debug)]
pub struct Model {
    pub name: &'static str,
    pub portable: bool,
    pub android: bool,
    pub printer: bool,
    pub share: f64,
}

#[derive(Debug)]
pub struct Vendor {
    pub slug: &'static str,
    pub share: f64,
    pub models: &'static [Model],
    pub fw: &'static [&'static str],
    pub app: &'static [&'static str],
    pub fields: u32,
    /// Counters reported only when non-zero.
    pub sparse_counters: bool,
    /// The platform writes `online:false` for a missed heartbeat.
    pub offline_marker: bool,
    /// Probability a communication failure is logged as an `error` record.
    pub log_p: f64,
    /// Probability a host decline is also logged as an `error` record.
    pub decline_log_p: f64,
    /// Host response timeout, ms.
    pub timeout_ms: u32,
    /// Probability a detail line is English.
    pub en: f64,
    /// Currency written as the ISO numeric "156".
    pub numeric_currency: bool,
    /// Heartbeat interval of the vendor's management platform, seconds.
    pub hb_s: u32,
}

const fn m(name: &'static str, portable: bool, android: bool, printer: bool, share: f64) -> Model {
    Model {
        name,
        portable,
        android,
        printer,
        share,
    }
}

pub const VENDORS: &[Vendor] = &[
    Vendor {
        slug: "pax",
        share: 0.28,
        models: &[
            m("S90", false, false, true, 0.35),
            m("A920", true, true, true, 0.3),
            m("A80", false, true, true, 0.15),
            m("S910", true, false, true, 0.2),
        ],
        fw: &["3.1.4", "3.2.0", "3.2.1"],
        app: &["5.0.8", "5.1.2", "5.1.3"],
        fields: F_ONLINE
            | F_RSSI
            | F_LAT
            | F_LOSS
            | F_SUPPLY
            | F_PEV
            | F_REBOOT
            | F_STO
            | F_MEM
            | F_KEY
            | F_PRN
            | F_CRASH
            | F_CRD
            | F_VER,
        sparse_counters: false,
        offline_marker: true,
        log_p: 0.9,
        decline_log_p: 0.5,
        timeout_ms: 60_000,
        en: 0.4,
        numeric_currency: false,
        hb_s: 60,
    },
    Vendor {
        slug: "newland",
        share: 0.2,
        models: &[
            m("N910", true, true, true, 0.35),
            m("ME31", true, false, true, 0.2),
            m("SP630", false, false, true, 0.3),
            m("N850", true, true, false, 0.15),
        ],
        fw: &["2.7.9", "2.8.1"],
        app: &["1.9.3", "2.0.1"],
        fields: F_ONLINE
            | F_RSSI
            | F_LAT
            | F_BATT
            | F_REBOOT
            | F_CPU
            | F_MEM
            | F_TEMP
            | F_CRD
            | F_KPD
            | F_VER
            | F_CRASH,
        sparse_counters: true,
        offline_marker: false,
        log_p: 0.8,
        decline_log_p: 0.4,
        timeout_ms: 60_000,
        en: 0.3,
        numeric_currency: false,
        hb_s: 60,
    },
    Vendor {
        slug: "landi",
        share: 0.15,
        models: &[
            m("A8", true, true, true, 0.4),
            m("E350", false, false, true, 0.35),
            m("C5", false, false, true, 0.25),
        ],
        fw: &["V1.4.2", "V1.5.0"],
        app: &["4.2.0", "4.3.1"],
        fields: F_ONLINE
            | F_LAT
            | F_SUPPLY
            | F_PEV
            | F_REBOOT
            | F_STO
            | F_KEY
            | F_KPD
            | F_PRN
            | F_SKEW
            | F_VER,
        sparse_counters: true,
        offline_marker: true,
        log_p: 0.75,
        decline_log_p: 0.25,
        timeout_ms: 45_000,
        en: 0.35,
        numeric_currency: true,
        hb_s: 120,
    },
    Vendor {
        slug: "verifone",
        share: 0.06,
        models: &[
            m("VX520", false, false, true, 0.45),
            m("VX675", true, false, true, 0.3),
            m("X990", true, true, true, 0.25),
        ],
        fields: F_ONLINE
            | F_LAT
            | F_LOSS
            | F_TEMP
            | F_CPU
            | F_MEM
            | F_REBOOT
            | F_KEY
            | F_CRD
            | F_KPD
            | F_VER
            | F_SUPPLY,
        fw: &["7.3.2", "7.4.0"],
        app: &["12.1.0", "12.2.0"],
        sparse_counters: false,
        offline_marker: false,
        log_p: 0.85,
        decline_log_p: 0.6,
        timeout_ms: 45_000,
        en: 0.85,
        numeric_currency: false,
        hb_s: 90,
    },
    Vendor {
        slug: "ingenico",
        share: 0.06,
        models: &[
            m("iCT250", false, false, true, 0.4),
            m("iWL250", true, false, true, 0.35),
            m("Move5000", true, false, true, 0.25),
        ],
        fw: &["11.20.1", "11.22.0"],
        app: &["6.4.2", "6.5.0"],
        fields: F_ONLINE
            | F_RSSI
            | F_LAT
            | F_BATT
            | F_SUPPLY
            | F_PEV
            | F_REBOOT
            | F_PRN
            | F_SKEW
            | F_KEY
            | F_VER,
        sparse_counters: true,
        offline_marker: true,
        log_p: 0.7,
        decline_log_p: 0.2,
        timeout_ms: 30_000,
        en: 0.8,
        numeric_currency: true,
        hb_s: 60,
    },
    Vendor {
        slug: "sunmi",
        share: 0.12,
        models: &[
            m("P2", true, true, true, 0.4),
            m("P2 Pro", true, true, true, 0.25),
            m("T2", false, true, true, 0.2),
            m("V2 Pro", true, true, true, 0.15),
        ],
        fw: &["1.3.12", "1.4.3"],
        app: &["3.5.7", "3.6.0"],
        fields: F_ONLINE
            | F_RSSI
            | F_LAT
            | F_LOSS
            | F_BATT
            | F_STO
            | F_MEM
            | F_CPU
            | F_TEMP
            | F_CRASH
            | F_REBOOT
            | F_PRN
            | F_VER
            | F_SKEW,
        sparse_counters: false,
        offline_marker: false,
        log_p: 0.95,
        decline_log_p: 0.7,
        timeout_ms: 60_000,
        en: 0.25,
        numeric_currency: false,
        hb_s: 30,
    },
    Vendor {
        slug: "centerm",
        share: 0.08,
        models: &[
            m("K9", true, true, true, 0.4),
            m("C960", false, false, true, 0.4),
            m("F310", false, false, true, 0.2),
        ],
        fw: &["5.0.3", "5.1.0"],
        app: &["2.2.4", "2.3.0"],
        fields: F_ONLINE | F_LAT | F_SUPPLY | F_REBOOT | F_STO | F_PRN | F_VER | F_RSSI,
        sparse_counters: true,
        offline_marker: true,
        log_p: 0.65,
        decline_log_p: 0.3,
        timeout_ms: 60_000,
        en: 0.3,
        numeric_currency: true,
        hb_s: 60,
    },
    Vendor {
        slug: "xgd",
        share: 0.03,
        models: &[
            m("K370", false, false, true, 0.6),
            m("N5", true, true, true, 0.4),
        ],
        fw: &["1.0.8", "1.1.2"],
        app: &["3.0.1", "3.0.4"],
        fields: F_ONLINE | F_LAT | F_REBOOT | F_VER,
        sparse_counters: true,
        offline_marker: false,
        log_p: 0.6,
        decline_log_p: 0.2,
        timeout_ms: 60_000,
        en: 0.5,
        numeric_currency: false,
        hb_s: 120,
    },
    Vendor {
        slug: "szzt",
        share: 0.02,
        models: &[
            m("KS8223", false, false, true, 0.7),
            m("KS8212", true, false, true, 0.3),
        ],
        fw: &["2.01.05", "2.02.01"],
        app: &["7.1.0"],
        fields: F_ONLINE | F_LAT | F_REBOOT | F_SUPPLY | F_VER,
        sparse_counters: true,
        offline_marker: false,
        log_p: 0.6,
        decline_log_p: 0.2,
        timeout_ms: 45_000,
        en: 0.5,
        numeric_currency: false,
        hb_s: 180,
    },
];

#[derive(Debug)]
pub struct City {
    pub slug: &'static str,
    pub abbr: &'static str,
    pub region: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub weight: f64,
    pub districts: &'static [&'static str],
}

pub const CITIES: &[City] = &[
    City {
        slug: "shenzhen",
        abbr: "SZ",
        region: "4403",
        lat: 22.54,
        lon: 114.06,
        weight: 1.3,
        districts: &["福田", "南山", "罗湖", "宝安", "龙华", "东门"],
    },
    City {
        slug: "guangzhou",
        abbr: "GZ",
        region: "4401",
        lat: 23.13,
        lon: 113.26,
        weight: 1.2,
        districts: &["天河", "越秀", "海珠", "番禺", "北京路"],
    },
    City {
        slug: "shanghai",
        abbr: "SH",
        region: "3100",
        lat: 31.23,
        lon: 121.47,
        weight: 1.5,
        districts: &["徐汇", "静安", "浦东", "黄浦", "五角场"],
    },
    City {
        slug: "beijing",
        abbr: "BJ",
        region: "1100",
        lat: 39.9,
        lon: 116.4,
        weight: 1.4,
        districts: &["朝阳", "海淀", "西单", "望京", "中关村"],
    },
    City {
        slug: "hangzhou",
        abbr: "HZ",
        region: "3301",
        lat: 30.27,
        lon: 120.15,
        weight: 0.9,
        districts: &["西湖", "滨江", "武林", "下沙"],
    },
    City {
        slug: "chengdu",
        abbr: "CD",
        region: "5101",
        lat: 30.57,
        lon: 104.07,
        weight: 0.9,
        districts: &["春熙路", "高新", "武侯", "锦江"],
    },
    City {
        slug: "wuhan",
        abbr: "WH",
        region: "4201",
        lat: 30.59,
        lon: 114.31,
        weight: 0.7,
        districts: &["江汉", "光谷", "武昌", "汉口"],
    },
    City {
        slug: "xian",
        abbr: "XA",
        region: "6101",
        lat: 34.34,
        lon: 108.94,
        weight: 0.5,
        districts: &["雁塔", "钟楼", "高新"],
    },
    City {
        slug: "nanjing",
        abbr: "NJ",
        region: "3201",
        lat: 32.06,
        lon: 118.8,
        weight: 0.6,
        districts: &["新街口", "鼓楼", "江宁"],
    },
    City {
        slug: "chongqing",
        abbr: "CQ",
        region: "5000",
        lat: 29.56,
        lon: 106.55,
        weight: 0.6,
        districts: &["解放碑", "渝北", "观音桥"],
    },
];

/// Which diurnal traffic profile a merchant type follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rhythm {
    Meals,
    Retail,
    AllDay,
}

#[derive(Debug)]
pub struct MerchantType {
    pub mcc: &'static str,
    pub label: &'static str,
    pub weight: f64,
    /// Median ticket, fen.
    pub median: f64,
    pub sigma: f64,
    pub card_share: f64,
    pub open: u32,
    pub close: u32,
    pub rhythm: Rhythm,
    pub card_rate: f64,
    pub preauth: f64,
    pub outdoor: bool,
}

#[allow(clippy::too_many_arguments)]
const fn mt(
    mcc: &'static str,
    label: &'static str,
    weight: f64,
    median: f64,
    sigma: f64,
    card_share: f64,
    open: u32,
    close: u32,
    rhythm: Rhythm,
    card_rate: f64,
) -> MerchantType {
    MerchantType {
        mcc,
        label,
        weight,
        median,
        sigma,
        card_share,
        open,
        close,
        rhythm,
        card_rate,
        preauth: 0.0,
        outdoor: false,
    }
}

pub const MERCHANT_TYPES: &[MerchantType] = &[
    mt(
        "5812",
        "面馆",
        14.0,
        7_000.0,
        0.6,
        0.45,
        10,
        22,
        Rhythm::Meals,
        0.006,
    ),
    mt(
        "5812",
        "火锅",
        6.0,
        28_000.0,
        0.5,
        0.5,
        11,
        24,
        Rhythm::Meals,
        0.006,
    ),
    mt(
        "5814",
        "快餐",
        10.0,
        2_600.0,
        0.45,
        0.35,
        7,
        22,
        Rhythm::Meals,
        0.006,
    ),
    mt(
        "5411",
        "超市",
        12.0,
        9_000.0,
        0.9,
        0.5,
        8,
        22,
        Rhythm::Retail,
        0.0038,
    ),
    mt(
        "5499",
        "便利店",
        14.0,
        2_200.0,
        0.7,
        0.35,
        0,
        24,
        Rhythm::AllDay,
        0.0038,
    ),
    MerchantType {
        outdoor: true,
        ..mt(
            "5541",
            "加油站",
            5.0,
            30_000.0,
            0.4,
            0.65,
            0,
            24,
            Rhythm::AllDay,
            0.0038,
        )
    },
    MerchantType {
        preauth: 0.18,
        ..mt(
            "7011",
            "酒店",
            5.0,
            45_000.0,
            0.6,
            0.8,
            0,
            24,
            Rhythm::AllDay,
            0.006,
        )
    },
    mt(
        "5732",
        "数码",
        5.0,
        150_000.0,
        0.8,
        0.7,
        10,
        21,
        Rhythm::Retail,
        0.006,
    ),
    mt(
        "5651",
        "服饰",
        10.0,
        35_000.0,
        0.7,
        0.6,
        10,
        22,
        Rhythm::Retail,
        0.006,
    ),
    mt(
        "5912",
        "药房",
        8.0,
        6_000.0,
        0.7,
        0.5,
        8,
        22,
        Rhythm::Retail,
        0.006,
    ),
    mt(
        "5311",
        "百货",
        5.0,
        40_000.0,
        1.0,
        0.65,
        10,
        22,
        Rhythm::Retail,
        0.006,
    ),
];

pub const NAME_PREFIXES: &[&str] = &[
    "老街",
    "金城",
    "和记",
    "鸿福",
    "新世纪",
    "东方",
    "华润",
    "永旺",
    "好邻居",
    "万家",
    "百佳",
    "喜来",
    "如意",
    "吉祥",
    "顺风",
    "星光",
    "阳光",
    "丰收",
    "聚福",
    "大众",
    "美宜",
    "天天",
    "益民",
    "同仁",
    "海岸",
    "银河",
];

/// Diurnal traffic shape by local hour (normalised at use).
pub const RHYTHMS: [[f64; 24]; 3] = [
    [
        0.1, 0.05, 0.02, 0.01, 0.01, 0.02, 0.2, 0.6, 0.8, 0.6, 0.8, 2.2, 3.0, 2.0, 0.8, 0.6, 0.8,
        1.8, 2.6, 2.4, 1.4, 0.8, 0.4, 0.2,
    ],
    [
        0.05, 0.02, 0.01, 0.01, 0.01, 0.05, 0.3, 0.8, 1.1, 1.3, 1.4, 1.5, 1.5, 1.4, 1.3, 1.3, 1.4,
        1.6, 1.8, 1.7, 1.4, 1.0, 0.5, 0.2,
    ],
    [
        0.4, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.2, 1.5, 1.2, 1.1, 1.3, 1.5, 1.2, 1.1, 1.1, 1.2, 1.5,
        1.7, 1.6, 1.4, 1.2, 0.9, 0.6,
    ],
];

#[derive(Debug)]
pub struct Bin {
    pub bin: &'static str,
    pub issuer: &'static str,
    /// PAN length (masked PANs keep six + four digits whatever the length).
    #[allow(dead_code)]
    pub len: u8,
    pub weight: f64,
    pub credit: bool,
}

const fn bin(bin: &'static str, issuer: &'static str, len: u8, weight: f64, credit: bool) -> Bin {
    Bin {
        bin,
        issuer,
        len,
        weight,
        credit,
    }
}

pub const BINS: &[Bin] = &[
    bin("621700", "ccb", 19, 12.0, false),
    bin("622848", "abc", 19, 11.0, false),
    bin("622202", "icbc", 19, 13.0, false),
    bin("621483", "cmb", 16, 7.0, false),
    bin("622588", "cmb", 16, 6.0, true),
    bin("436742", "ccb", 16, 4.0, true),
    bin("622262", "bocom", 19, 5.0, false),
    bin("621661", "boc", 19, 6.0, false),
    bin("623668", "psbc", 19, 5.0, false),
    bin("625807", "ceb", 16, 3.0, true),
    bin("622908", "cib", 18, 3.0, false),
    bin("628288", "citic", 16, 3.0, true),
    bin("622155", "icbc", 16, 3.0, true),
];

pub const CARRIERS: &[&str] = &["cmcc", "cucc", "ctcc"];
pub const CARRIER_W: &[f64] = &[0.55, 0.25, 0.2];
pub const HOSTS: &[&str] = &["H1", "H2", "H3"];
pub const HOST_W: &[f64] = &[0.5, 0.3, 0.2];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    Ethernet,
    Wifi,
    Cellular,
}

impl Net {
    pub fn as_str(self) -> &'static str {
        match self {
            Net::Ethernet => "ethernet",
            Net::Wifi => "wifi",
            Net::Cellular => "cellular",
        }
    }
}

#[derive(Debug)]
pub struct Merchant {
    pub mid: String,
    pub name: String,
    pub mtype: usize,
    pub city: usize,
    /// Acquirer host channel its terminals are configured for.
    #[allow(dead_code)]
    pub host: u8,
    pub direct: bool,
    pub card_rate: f64,
    pub qr_rate: f64,
    /// Base share of card transactions the issuers decline.
    pub decline: f64,
    /// The vendor most of its terminals come from.
    #[allow(dead_code)]
    pub vendor: usize,
    /// Cashiers switch terminals off at closing time.
    pub power_off_at_close: bool,
    pub sites: Vec<u32>,
    pub terms: Vec<u32>,
}

#[derive(Debug)]
pub struct Site {
    pub id: String,
    pub merchant: u32,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub terms: Vec<u32>,
}

/// The static description of a terminal (state lives in the simulator).
#[derive(Debug)]
pub struct TermInfo {
    pub tid: String,
    pub serial: String,
    pub vendor: usize,
    pub model: usize,
    pub net: Net,
    pub carrier: u8,
    pub site: u32,
    pub merchant: u32,
    pub city: usize,
    pub host: u8,
    pub fw: u16,
    pub app: u16,
    pub cert_not_after: Option<i64>,
    pub installed: i64,
}

impl TermInfo {
    pub fn model(&self) -> &'static Model {
        &VENDORS[self.vendor].models[self.model]
    }
    pub fn portable(&self) -> bool {
        self.model().portable
    }
    pub fn wireless(&self) -> bool {
        self.net != Net::Ethernet
    }
}

/// Version strings, shared by index.
#[derive(Debug, Default)]
pub struct Versions {
    pub names: Vec<String>,
}

impl Versions {
    pub fn id(&mut self, s: &str) -> u16 {
        if let Some(i) = self.names.iter().position(|n| n == s) {
            return i as u16;
        }
        self.names.push(s.to_string());
        (self.names.len() - 1) as u16
    }
    pub fn has(&self, s: &str) -> bool {
        self.names.iter().any(|n| n == s)
    }
    pub fn name(&self, i: u16) -> &str {
        &self.names[i as usize]
    }
    /// A version string not yet used, derived from `base` by bumping its last number.
    pub fn bump(&mut self, base: &str, rng: &mut Rng) -> u16 {
        let (head, last) = match base.rfind('.') {
            Some(p) => (&base[..p + 1], &base[p + 1..]),
            None => ("", base),
        };
        let width = last.len();
        let n: u64 = last.parse().unwrap_or(0);
        let mut k = n + 1 + rng.below(2);
        loop {
            let cand = format!("{head}{k:0width$}");
            if !self.has(&cand) {
                return self.id(&cand);
            }
            k += 1;
        }
    }
}

#[derive(Debug)]
pub struct World {
    pub merchants: Vec<Merchant>,
    pub sites: Vec<Site>,
    pub terms: Vec<TermInfo>,
    pub versions: Versions,
}

/// Split `total` items over `bins` (each at least one) with random weights.
fn distribute(total: usize, bins: usize, sigma: f64, rng: &mut Rng) -> Vec<usize> {
    let mut counts = vec![1usize; bins];
    if total <= bins {
        return counts;
    }
    let w: Vec<f64> = (0..bins).map(|_| rng.lognormal(1.0, sigma)).collect();
    let mut cum = Vec::with_capacity(bins);
    let mut acc = 0.0;
    for x in &w {
        acc += x;
        cum.push(acc);
    }
    for _ in 0..total - bins {
        let x = rng.f64() * acc;
        let i = cum.partition_point(|&c| c <= x).min(bins - 1);
        counts[i] += 1;
    }
    counts
}

fn pick_version(list: &[&str], rng: &mut Rng) -> usize {
    // the newest is the most common, older ones linger
    let n = list.len();
    if n == 1 {
        return 0;
    }
    let x = rng.f64();
    if x < 0.6 { n - 1 } else { rng.index(n - 1) }
}

/// Builds a fleet of exactly `terminals` terminals spread over roughly
/// `terminals / 2.2` sites and `sites / 1.4` merchants. `difficulty` (0..1)
/// raises the share of red herrings in the inventory.
pub fn build(terminals: usize, start: i64, end: i64, difficulty: f64, rng: &mut Rng) -> World {
    let n_t = terminals.max(1);
    let n_s = ((n_t as f64 / 2.2).round() as usize).clamp(1, n_t);
    let n_m = ((n_s as f64 / 1.4).round() as usize).clamp(1, n_s);
    let sites_of = distribute(n_s, n_m, 0.9, rng);
    let terms_of = distribute(n_t, n_s, 0.5, rng);
    // merchant ids are unique per (region, mcc) serial
    let mut serials: std::collections::HashMap<(&str, &str), u32> =
        std::collections::HashMap::new();
    let city_w: Vec<f64> = CITIES.iter().map(|c| c.weight).collect();
    let mt_w: Vec<f64> = MERCHANT_TYPES.iter().map(|t| t.weight).collect();
    let vendor_w: Vec<f64> = VENDORS.iter().map(|v| v.share).collect();
    let mut versions = Versions::default();
    for v in VENDORS {
        for s in v.fw.iter().chain(v.app.iter()) {
            versions.id(s);
        }
    }
    let mut w = World {
        merchants: Vec::with_capacity(n_m),
        sites: Vec::with_capacity(n_s),
        terms: Vec::with_capacity(n_t),
        versions,
    };
    let mut site_idx = 0usize;
    for (mi, &ns) in sites_of.iter().enumerate() {
        let city = rng.weighted(&city_w);
        let mtype = rng.weighted(&mt_w);
        let ty = &MERCHANT_TYPES[mtype];
        let c = &CITIES[city];
        let serial_no = serials.entry((c.region, ty.mcc)).or_insert(0);
        *serial_no += 1;
        let mid = format!("898{}{}{:04}", c.region, ty.mcc, *serial_no % 10_000);
        let name = format!("{}{}", rng.pick(NAME_PREFIXES), ty.label);
        let host = rng.weighted(HOST_W) as u8;
        let direct = rng.chance(0.7);
        let card_rate = if rng.chance(0.15) {
            ty.card_rate - 0.0005
        } else {
            ty.card_rate
        };
        let qr_rate = if rng.chance(0.3) { 0.003 } else { 0.0038 };
        let vendor = rng.weighted(&vendor_w);
        let mut merchant = Merchant {
            mid,
            name: name.clone(),
            mtype,
            city,
            host,
            direct,
            card_rate,
            qr_rate,
            decline: rng.range(0.018, 0.038),
            vendor,
            power_off_at_close: ty.close < 24 && rng.chance(0.5),
            sites: Vec::with_capacity(ns),
            terms: Vec::new(),
        };
        for k in 0..ns {
            let nt = terms_of[site_idx];
            site_idx += 1;
            let sid = w.sites.len() as u32;
            let district = rng.pick(c.districts);
            let sname = if ns == 1 && rng.chance(0.5) {
                format!("{name} {district}店")
            } else {
                format!(
                    "{name} {district}{}店",
                    ["", "一", "二", "三", "中心", "北"][k % 6]
                )
            };
            let mut site = Site {
                id: format!("{}-{:03}-{}", c.abbr, mi + 1, k + 1),
                merchant: mi as u32,
                name: sname,
                lat: c.lat + rng.range(-0.12, 0.12),
                lon: c.lon + rng.range(-0.12, 0.12),
                terms: Vec::with_capacity(nt),
            };
            for _ in 0..nt {
                let ti = w.terms.len();
                let vi = if rng.chance(0.7) {
                    vendor
                } else {
                    rng.weighted(&vendor_w)
                };
                let v = &VENDORS[vi];
                let mw: Vec<f64> = v.models.iter().map(|m| m.share).collect();
                let model = rng.weighted(&mw);
                let md = &v.models[model];
                let net = if md.portable {
                    if rng.chance(0.7) {
                        Net::Cellular
                    } else {
                        Net::Wifi
                    }
                } else {
                    match rng.weighted(&[0.55, 0.2, 0.25]) {
                        0 => Net::Ethernet,
                        1 => Net::Wifi,
                        _ => Net::Cellular,
                    }
                };
                let carrier = rng.weighted(CARRIER_W) as u8;
                let fw = w.versions.id(v.fw[pick_version(v.fw, rng)]);
                let app = w.versions.id(v.app[pick_version(v.app, rng)]);
                let cert = if rng.chance(0.12) {
                    None
                } else if rng.chance(0.04 * difficulty) {
                    // valid, but expiring soon after the window: a red herring
                    Some(end + rng.int(2, 20) * 86_400 - end.rem_euclid(86_400))
                } else {
                    Some(start + rng.int(120, 1100) * 86_400 - start.rem_euclid(86_400))
                };
                let serial = match v.slug {
                    "pax" => format!("18{:08}", rng.below(100_000_000)),
                    "newland" => format!(
                        "N{}{:08}",
                        md.name.chars().nth(1).unwrap_or('9'),
                        rng.below(100_000_000)
                    ),
                    "landi" => format!("LD{:010}", rng.below(10_000_000_000)),
                    "verifone" => format!(
                        "{:03}-{:03}-{:03}",
                        rng.below(1000),
                        rng.below(1000),
                        rng.below(1000)
                    ),
                    "ingenico" => format!("{:014}", rng.below(100_000_000_000_000)),
                    "sunmi" => format!("P2{:02}{:010}", rng.below(100), rng.below(10_000_000_000)),
                    "centerm" => format!("CT{:09}", rng.below(1_000_000_000)),
                    _ => format!("{:012}", rng.below(1_000_000_000_000)),
                };
                let tid = format!("{}{:06}", &c.region[..2], ti + 1);
                let installed = start - rng.int(40, 1800) * 86_400 - start.rem_euclid(86_400)
                    + rng.int(1, 10) * 3600;
                w.terms.push(TermInfo {
                    tid,
                    serial,
                    vendor: vi,
                    model,
                    net,
                    carrier,
                    site: sid,
                    merchant: mi as u32,
                    city,
                    host,
                    fw,
                    app,
                    cert_not_after: cert,
                    installed,
                });
                site.terms.push(ti as u32);
                merchant.terms.push(ti as u32);
            }
            merchant.sites.push(sid);
            w.sites.push(site);
        }
        w.merchants.push(merchant);
    }
    w
}
