//! Terminal profiles: which terminals the gateway knows, their merchant,
//! master key and MAC algorithm. From a TOML file, and/or a demo fleet
//! whose master keys derive from a zone key (for simulations: the gateway
//! and `posdoc terminal-sim` derive the same keys without sharing a file).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;

use crate::crypto::{Key, MacAlgorithm, derive_terminal_master_key};
use crate::protocol::unhex;

/// The zone key of the demo fleet. Public on purpose: it protects nothing
/// but simulated terminals.
pub const DEMO_ZONE_KEY: Key = *b"posdoc demo zone";

/// One terminal as the gateway knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub tid: String,
    pub mid: String,
    /// Terminal master key: encrypts working keys at sign-on.
    pub tmk: Key,
    pub mac: MacAlgorithm,
}

/// Terminal `i` (0-based) of the demo fleet: TIDs `10000001`, `10000002`,
/// ..., ten terminals per merchant, MAC algorithms alternating so both are
/// exercised.
pub fn demo_profile(i: u32) -> Profile {
    let tid = format!("{:08}", 10_000_001u64 + u64::from(i));
    Profile {
        mid: format!("898310048{:06}", i / 10),
        tmk: derive_terminal_master_key(&DEMO_ZONE_KEY, &tid),
        mac: if i.is_multiple_of(2) {
            MacAlgorithm::CupEcb
        } else {
            MacAlgorithm::X919
        },
        tid,
    }
}

/// The terminals a gateway serves.
#[derive(Debug, Clone, Default)]
pub struct Profiles {
    by_tid: HashMap<String, Profile>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    terminal: Vec<Entry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    tid: String,
    mid: String,
    tmk: String,
    #[serde(default = "default_mac")]
    mac: String,
}

fn default_mac() -> String {
    "x919".into()
}

impl Profiles {
    /// The first `n` demo terminals.
    pub fn demo(n: u32) -> Profiles {
        let mut p = Profiles::default();
        for i in 0..n {
            p.insert(demo_profile(i));
        }
        p
    }

    /// Adds or replaces a profile.
    pub fn insert(&mut self, profile: Profile) {
        self.by_tid.insert(profile.tid.clone(), profile);
    }

    /// Reads `[[terminal]]` entries (`tid`, `mid`, `tmk` as 32 hex digits,
    /// `mac` = `x919` | `cup-ecb`) from a TOML file.
    pub fn load(path: &Path) -> anyhow::Result<Profiles> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: File = toml::from_str(&text).with_context(|| format!("in {}", path.display()))?;
        let mut p = Profiles::default();
        for (i, e) in file.terminal.into_iter().enumerate() {
            let at = || format!("{}: terminal {} ({})", path.display(), i + 1, e.tid);
            anyhow::ensure!(e.tid.len() == 8, "{}: a TID has 8 characters", at());
            anyhow::ensure!(e.mid.len() == 15, "{}: a MID has 15 characters", at());
            let tmk = unhex::<16>(&e.tmk).with_context(at)?;
            let mac = e
                .mac
                .parse()
                .map_err(|err| anyhow::anyhow!("{}: {err}", at()))?;
            p.insert(Profile {
                tid: e.tid,
                mid: e.mid,
                tmk,
                mac,
            });
        }
        Ok(p)
    }

    /// Adds every profile of `other` (replacing same TIDs).
    pub fn merge(&mut self, other: Profiles) {
        self.by_tid.extend(other.by_tid);
    }

    /// The profile of `tid`.
    pub fn get(&self, tid: &str) -> Option<&Profile> {
        self.by_tid.get(tid)
    }

    pub fn len(&self) -> usize {
        self.by_tid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_tid.is_empty()
    }

    /// The first known TID appearing anywhere in `bytes` as 8 ASCII
    /// characters: names the terminal of a frame too damaged to decode.
    pub fn find_tid_in(&self, bytes: &[u8]) -> Option<String> {
        bytes
            .windows(8)
            .filter(|w| w.iter().all(u8::is_ascii_alphanumeric))
            .filter_map(|w| std::str::from_utf8(w).ok())
            .find(|s| self.by_tid.contains_key(*s))
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_fleet_is_deterministic_and_mixes_algorithms() {
        let a = demo_profile(0);
        let b = demo_profile(1);
        assert_eq!(a.tid, "10000001");
        assert_eq!(a.mid.len(), 15);
        assert_ne!(a.tmk, b.tmk);
        assert_ne!(a.mac, b.mac);
        assert_eq!(demo_profile(0), a);
        assert_eq!(Profiles::demo(25).len(), 25);
    }

    #[test]
    fn profiles_file_is_checked_with_the_terminal_named() {
        let dir = std::env::temp_dir().join(format!("posdoc-profiles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(
            &good,
            "[[terminal]]\ntid = \"12345678\"\nmid = \"898310048160001\"\ntmk = \"0123456789ABCDEFFEDCBA9876543210\"\nmac = \"cup-ecb\"\n",
        )
        .unwrap();
        let p = Profiles::load(&good).expect("loads");
        assert_eq!(p.get("12345678").map(|p| p.mac), Some(MacAlgorithm::CupEcb));
        let bad = dir.join("bad.toml");
        std::fs::write(
            &bad,
            "[[terminal]]\ntid = \"12345678\"\nmid = \"898310048160001\"\ntmk = \"0123\"\n",
        )
        .unwrap();
        let e = format!("{:#}", Profiles::load(&bad).unwrap_err());
        assert!(e.contains("12345678") && e.contains("hex"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_damaged_frame_still_names_its_terminal() {
        let p = Profiles::demo(3);
        let mut frame = vec![0x00, 0x30, 0x60, 0xFF, 0x12];
        frame.extend_from_slice(b"10000002898310048000000");
        assert_eq!(p.find_tid_in(&frame).as_deref(), Some("10000002"));
        assert_eq!(p.find_tid_in(b"\x00\x0110000009"), None);
    }
}
