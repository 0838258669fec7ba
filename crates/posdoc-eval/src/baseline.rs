//! The two baselines every score is printed beside: random guessing, and the
//! per-event checklist a support desk would run (response code, then error
//! stage, then the last heartbeat).

use std::collections::HashMap;

use posdoc_record::{Cause, Record, Telemetry};

use crate::Prediction;

/// The checklist baseline: one rule per field, no history, no fleet.
#[derive(Debug, Default)]
pub struct Checklist {
    last_heartbeat: HashMap<String, Telemetry>,
    pub predictions: Vec<Prediction>,
}

fn by_response_code(code: &str) -> Option<Cause> {
    Some(match code {
        "51" | "54" | "55" | "75" | "05" | "14" | "41" | "43" | "33" | "62" | "04" | "01" => {
            Cause::CardDecline
        }
        "03" => Cause::BusinessMerchant,
        "12" | "13" | "22" | "94" | "25" => Cause::OperatorError,
        "40" | "57" | "58" => Cause::BusinessTxnType,
        "61" | "65" => Cause::BusinessLimit,
        "59" | "34" => Cause::BusinessRisk,
        "91" | "98" | "92" | "15" => Cause::UpstreamIssuer,
        "96" | "68" => Cause::UpstreamAcquirer,
        "97" => Cause::SoftwareConfig,
        "77" | "99" | "A0" => Cause::SecurityKeys,
        "30" => Cause::TransmissionCorruption,
        _ => return None,
    })
}

fn by_stage(stage: &str) -> Option<Cause> {
    Some(match stage {
        "power_on" => Cause::PowerSupply,
        "connect" => Cause::NetworkLan,
        "tls" => Cause::SecurityCertificate,
        "send" | "receive" => Cause::NetworkSignal,
        "mac" => Cause::SecurityKeys,
        "card_read" => Cause::HardwareCardReader,
        "pin" => Cause::HardwareKeypad,
        "print" => Cause::HardwarePrinter,
        "app" => Cause::SoftwareBug,
        _ => return None,
    })
}

fn by_heartbeat(t: &Telemetry) -> Option<Cause> {
    let gt = |v: Option<f64>, x: f64| v.is_some_and(|v| v >= x);
    let lt = |v: Option<f64>, x: f64| v.is_some_and(|v| v < x);
    Some(if t.online == Some(false) {
        Cause::NetworkSignal
    } else if lt(t.supply_v, 4.6) || gt(t.supply_v, 5.5) {
        Cause::PowerSupply
    } else if t.key_check.as_deref().is_some_and(|k| k != "ok") {
        Cause::SecurityKeys
    } else if t.printer.as_deref().is_some_and(|p| p != "ok") {
        Cause::HardwarePrinter
    } else if gt(t.storage_used_pct, 95.0) {
        Cause::ResourceStorage
    } else if gt(t.memory_used_pct, 92.0) {
        Cause::ResourceMemory
    } else if gt(t.cpu_pct, 90.0) {
        Cause::ResourceCpu
    } else if lt(t.battery_pct, 15.0) {
        Cause::PowerBattery
    } else if lt(t.rssi_dbm, -95.0) {
        Cause::NetworkSignal
    } else if gt(t.packet_loss, 0.1) {
        Cause::NetworkLan
    } else {
        return None;
    })
}

impl Checklist {
    pub fn push(&mut self, r: &Record) {
        match r {
            Record::Telemetry(t) => {
                self.last_heartbeat
                    .insert(t.terminal_id.to_string(), t.clone());
            }
            Record::Error(e) => {
                let hb = self.last_heartbeat.get(e.terminal_id.as_str());
                let ranked = rank([
                    by_response_code(&e.code.to_ascii_uppercase()),
                    e.stage.as_deref().and_then(by_stage),
                    hb.and_then(by_heartbeat),
                ]);
                self.predictions.push(Prediction {
                    ts: e.ts,
                    terminal_id: e.terminal_id.to_string(),
                    code: e.code.to_string(),
                    ranked,
                });
            }
            Record::Txn(t) if t.failed() => {
                let hb = self.last_heartbeat.get(t.terminal_id.as_str());
                let code = if t.timed_out {
                    None
                } else {
                    t.response_code.as_deref().map(String::from)
                };
                let ranked = rank([
                    code.as_deref().and_then(by_response_code),
                    None,
                    hb.and_then(by_heartbeat),
                ]);
                self.predictions.push(Prediction {
                    ts: t.ts,
                    terminal_id: t.terminal_id.to_string(),
                    code: code.unwrap_or_else(|| "timeout".into()),
                    ranked,
                });
            }
            _ => {}
        }
    }
}

fn rank(rules: [Option<Cause>; 3]) -> Vec<Cause> {
    let mut out: Vec<Cause> = Vec::new();
    for c in rules.into_iter().flatten().chain([
        Cause::NetworkLan,
        Cause::UpstreamAcquirer,
        Cause::NetworkSignal,
    ]) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Random guessing: each event gets a random ranking (deterministic per seed).
pub fn random_predictions(like: &[Prediction], seed: u64) -> Vec<Prediction> {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    like.iter()
        .map(|p| {
            let mut ranked = Cause::ALL.to_vec();
            for i in (1..ranked.len()).rev() {
                let j = (next() % (i as u64 + 1)) as usize;
                ranked.swap(i, j);
            }
            Prediction {
                ranked,
                ..p.clone()
            }
        })
        .collect()
}
