//! Allocation-free writing of JSON fields, numbers and RFC 3339 times.

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds of a UTC date-time.
#[cfg(test)]
pub fn unix(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * 86_400 + (h * 3600 + mi * 60 + s) as i64
}

/// Day of year (1-based) of a unix time.
pub fn day_of_year(t: i64) -> u32 {
    let days = t.div_euclid(86_400);
    let (y, _, _) = civil_from_days(days);
    (days - days_from_civil(y, 1, 1) + 1) as u32
}

#[inline]
fn push2(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

/// `2026-11-03T12:00:04Z`.
pub fn push_ts(buf: &mut Vec<u8>, t: i64) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    let y = y.clamp(0, 9999) as u32;
    push2(buf, y / 100);
    push2(buf, y % 100);
    buf.push(b'-');
    push2(buf, m);
    buf.push(b'-');
    push2(buf, d);
    buf.push(b'T');
    push2(buf, secs / 3600);
    buf.push(b':');
    push2(buf, secs / 60 % 60);
    buf.push(b':');
    push2(buf, secs % 60);
    buf.push(b'Z');
}

#[cfg(test)]
pub fn ts_string(t: i64) -> String {
    let mut b = Vec::with_capacity(20);
    push_ts(&mut b, t);
    String::from_utf8(b).unwrap_or_default()
}

#[inline]
pub fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

#[inline]
pub fn push_i64(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    push_u64(buf, v.unsigned_abs());
}

/// Zero-padded decimal of fixed width.
pub fn push_padded(buf: &mut Vec<u8>, v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut i = tmp.len();
    let mut x = v;
    while x > 0 && i > 0 {
        i -= 1;
        tmp[i] = b'0' + (x % 10) as u8;
        x /= 10;
    }
    let start = tmp.len() - width.max(tmp.len() - i).min(20);
    buf.extend_from_slice(&tmp[start..]);
}

/// A float with `dec` decimals (no exponent, no trailing-zero trimming).
pub fn push_fixed(buf: &mut Vec<u8>, v: f64, dec: u32) {
    let v = if v.is_finite() { v } else { 0.0 };
    let scale = 10u64.pow(dec);
    let r = (v.abs() * scale as f64).round() as u64;
    if v < 0.0 && r != 0 {
        buf.push(b'-');
    }
    push_u64(buf, r / scale);
    if dec > 0 {
        buf.push(b'.');
        push_padded(buf, r % scale, dec as usize);
    }
}

/// A JSON string body (without quotes), escaping what JSON requires.
pub fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0..=0x1f => {
                buf.extend_from_slice(b"\\u00");
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.push(HEX[(b >> 4) as usize]);
                buf.push(HEX[(b & 15) as usize]);
            }
            _ => buf.push(b),
        }
    }
}

/// JSON field writers appending `,"key":value` to a line under construction.
pub trait Json {
    fn js(&mut self, k: &str, v: &str);
    fn ji(&mut self, k: &str, v: i64);
    fn jf(&mut self, k: &str, v: f64, dec: u32);
    fn jb(&mut self, k: &str, v: bool);
    fn jts(&mut self, k: &str, t: i64);
    fn jkey(&mut self, k: &str);
}

impl Json for Vec<u8> {
    #[inline]
    fn jkey(&mut self, k: &str) {
        self.extend_from_slice(b",\"");
        self.extend_from_slice(k.as_bytes());
        self.extend_from_slice(b"\":");
    }
    #[inline]
    fn js(&mut self, k: &str, v: &str) {
        self.jkey(k);
        self.push(b'"');
        push_json_str(self, v);
        self.push(b'"');
    }
    #[inline]
    fn ji(&mut self, k: &str, v: i64) {
        self.jkey(k);
        push_i64(self, v);
    }
    #[inline]
    fn jf(&mut self, k: &str, v: f64, dec: u32) {
        self.jkey(k);
        push_fixed(self, v, dec);
    }
    #[inline]
    fn jb(&mut self, k: &str, v: bool) {
        self.jkey(k);
        self.extend_from_slice(if v { b"true" } else { b"false" });
    }
    #[inline]
    fn jts(&mut self, k: &str, t: i64) {
        self.jkey(k);
        self.push(b'"');
        push_ts(self, t);
        self.push(b'"');
    }
}

/// A short inline string (displayed codes), so failures need no allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Code {
    b: [u8; 31],
    n: u8,
}

impl Code {
    pub fn new(s: &str) -> Code {
        let mut c = Code { b: [0; 31], n: 0 };
        c.push(s);
        c
    }
    pub fn push(&mut self, s: &str) {
        for ch in s.chars() {
            let mut tmp = [0u8; 4];
            let e = ch.encode_utf8(&mut tmp).as_bytes();
            if self.n as usize + e.len() > self.b.len() {
                return;
            }
            self.b[self.n as usize..self.n as usize + e.len()].copy_from_slice(e);
            self.n += e.len() as u8;
        }
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.b[..self.n as usize]).unwrap_or("")
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_numbers() {
        let t = unix(2026, 11, 3, 12, 2, 7);
        assert_eq!(ts_string(t), "2026-11-03T12:02:07Z");
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(day_of_year(unix(2026, 2, 1, 0, 0, 0)), 32);
        let mut b = Vec::new();
        push_fixed(&mut b, 4.1049, 2);
        b.push(b' ');
        push_fixed(&mut b, -0.5, 1);
        b.push(b' ');
        push_padded(&mut b, 311, 6);
        b.push(b' ');
        push_i64(&mut b, -120);
        assert_eq!(String::from_utf8(b).unwrap(), "4.10 -0.5 000311 -120");
        assert_eq!(Code::new("通讯失败").as_str(), "通讯失败");
    }
}
