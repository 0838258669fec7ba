//! RFC 3339 times as integer milliseconds since the Unix epoch.
//!
//! A hand-written parser rather than a date crate: the format is fixed, the
//! parser sits on the hot path of every record, and it must never panic on
//! hostile input (it is fuzzed through the record parser).

use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Ts(pub i64);

impl Ts {
    pub const fn from_secs(secs: i64) -> Ts {
        Ts(secs * 1000)
    }
    pub const fn millis(self) -> i64 {
        self.0
    }
    pub fn secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    /// Seconds from `earlier` to `self` (negative if `earlier` is later).
    pub fn secs_since(self, earlier: Ts) -> f64 {
        (self.0 - earlier.0) as f64 / 1000.0
    }
    pub fn plus_secs(self, secs: i64) -> Ts {
        Ts(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    /// Parses `2026-11-25T14:02:07Z`, `2026-11-25T14:02:07.5+08:00`, or a
    /// bare date `2026-11-25` (midnight UTC, as inventory exports often write).
    pub fn parse(text: &str) -> Result<Ts, TimeError> {
        let b = text.as_bytes();
        let err = |what: &'static str| TimeError {
            text: text.chars().take(40).collect(),
            what,
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err("expected YYYY-MM-DD"));
        }
        let year = digits(&b[0..4]).ok_or_else(|| err("bad year"))? as i64;
        let month = digits(&b[5..7]).ok_or_else(|| err("bad month"))?;
        let day = digits(&b[8..10]).ok_or_else(|| err("bad day"))?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(err("date out of range"));
        }
        let days = days_from_civil(year, month, day);
        if b.len() == 10 {
            return Ok(Ts(days * 86_400_000));
        }
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 19 || b[13] != b':' || b[16] != b':' {
            return Err(err("expected THH:MM:SS"));
        }
        let hour = digits(&b[11..13]).ok_or_else(|| err("bad hour"))?;
        let minute = digits(&b[14..16]).ok_or_else(|| err("bad minute"))?;
        let second = digits(&b[17..19]).ok_or_else(|| err("bad second"))?;
        if hour > 23 || minute > 59 || second > 60 {
            return Err(err("time out of range"));
        }
        let mut i = 19;
        let mut millis = 0u32;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 3 {
                    millis = millis * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return Err(err("empty fraction"));
            }
            for _ in (i - start)..3 {
                millis *= 10;
            }
        }
        let offset_secs: i64 = match b.get(i) {
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
                let oh = digits(&b[i + 1..i + 3]).ok_or_else(|| err("bad offset"))?;
                let om = digits(&b[i + 4..i + 6]).ok_or_else(|| err("bad offset"))?;
                if oh > 23 || om > 59 {
                    return Err(err("offset out of range"));
                }
                let o = i64::from(oh * 3600 + om * 60);
                if sign == b'+' { o } else { -o }
            }
            _ => return Err(err("expected Z or ±HH:MM offset")),
        };
        let secs =
            days * 86_400 + i64::from(hour * 3600 + minute * 60 + second.min(59)) - offset_secs;
        Ok(Ts(secs * 1000 + i64::from(millis)))
    }
}

/// As its contract text (`2026-11-03T02:18:31Z`), like the records.
impl serde::Serialize for Ts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Ts {
    /// UTC, second precision (milliseconds when present).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1000);
        let millis = self.0.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        )?;
        if millis != 0 {
            write!(f, ".{millis:03}")?;
        }
        f.write_str("Z")
    }
}

/// Why a time did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    pub text: String,
    pub what: &'static str,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid RFC 3339 time `{}`: {}", self.text, self.what)
    }
}

impl std::error::Error for TimeError {}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days_from_civil.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_offsets_and_fractions() {
        let z = Ts::parse("2026-11-25T14:02:07Z").unwrap();
        assert_eq!(z.to_string(), "2026-11-25T14:02:07Z");
        let cst = Ts::parse("2026-11-25T22:02:07+08:00").unwrap();
        assert_eq!(z, cst);
        let frac = Ts::parse("2026-11-25T14:02:07.25Z").unwrap();
        assert_eq!(frac.millis() - z.millis(), 250);
        assert_eq!(Ts::parse("1970-01-01").unwrap(), Ts(0));
        assert_eq!(
            Ts::parse("2024-02-29T00:00:00Z").unwrap().to_string(),
            "2024-02-29T00:00:00Z"
        );
    }

    #[test]
    fn rejects_malformed_times_with_reason() {
        for bad in [
            "",
            "2026-11-25T14:02",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T14:02:07",
            "2026-11-25T14:02:07+0800",
            "２０２６-11-25",
        ] {
            assert!(Ts::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    proptest::proptest! {
        #[test]
        fn display_round_trips(ms in -2_000_000_000_000i64..8_000_000_000_000i64) {
            let ts = Ts(ms);
            proptest::prop_assert_eq!(Ts::parse(&ts.to_string()).unwrap(), ts);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = Ts::parse(&s);
        }
    }
}
