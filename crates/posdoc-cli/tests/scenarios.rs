//! The scenario library (`scenarios/*.toml`) run the way a user runs it:
//! `posdoc simulate` writes a fleet, `posdoc eval --scenarios` simulates
//! every scenario and scores posdoc beside the baselines. The floors are
//! what the engine does today, a little below, so that a change that makes
//! it worse fails here.

use std::path::{Path, PathBuf};
use std::process::Command;

fn posdoc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_posdoc"))
}

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// `posdoc diagnose`'s output on `records`.
fn diagnose(records: &Path) -> String {
    let out = posdoc()
        .args(["diagnose", "--no-progress", "--input"])
        .arg(records)
        .output()
        .expect("posdoc runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("posdoc-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn the_scenario_library_scores_above_its_floors_and_the_baselines() {
    let out = posdoc()
        .args(["eval", "--json", "--scenarios"])
        .arg(scenarios_dir())
        .output()
        .expect("posdoc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let f = &v["fault_events"];
    let score = |who: &str, what: &str| f[who][what].as_f64().expect("a score");
    let (top1, macro1) = (score("posdoc", "top1"), score("posdoc", "macro_top1"));
    assert!(top1 >= 0.85, "top-1 {top1}");
    assert!(macro1 >= 0.80, "averaged over causes {macro1}");
    assert!(macro1 >= score("checklist", "macro_top1") + 0.3);
    assert!(top1 >= score("random", "top1") + 0.5);
    // Every contract cause is among the scored events.
    assert_eq!(
        f["posdoc"]["per_cause"].as_object().map(|m| m.len()),
        Some(26)
    );
    let i = &v["incidents"];
    let recall = i["recall"].as_f64().expect("recall");
    let precision = i["precision"].as_f64().expect("precision");
    assert!(recall >= 0.85, "incident recall {recall}");
    assert!(precision >= 0.85, "incident precision {precision}");
    assert!(i["faults"].as_u64().expect("faults") >= 20);
    // Time to incident, in the simulation's own time (no clock involved):
    // from a fault's first failure, and from its start.
    let first = i["median_delay_s"].as_f64().expect("median delay");
    let start = i["median_delay_from_start_s"].as_f64().expect("from start");
    assert!(first <= 200.0, "median from the first failure {first} s");
    assert!(start <= 270.0, "median from the start {start} s");
    assert!(start >= first);
    // The issuer's faults are found as incidents too.
    let issuer = &i["per_cause"]["upstream.issuer"];
    assert!(issuer["faults"].as_u64() >= Some(2), "{issuer}");
    assert_eq!(issuer["detected"], issuer["faults"], "{issuer}");
}

#[test]
fn simulate_writes_the_seed_shop_case_and_diagnose_finds_its_incident() {
    let dir = tmp("shop");
    let status = posdoc()
        .args(["simulate", "--scenario"])
        .arg(scenarios_dir().join("seed_shop_power.toml"))
        .arg("--out")
        .arg(&dir)
        .status()
        .expect("posdoc runs");
    assert!(status.success());
    let truth = std::fs::read_to_string(dir.join("truth.jsonl")).expect("truth written");
    let site = truth
        .lines()
        .find(|l| l.contains("\"power.supply\"") && l.contains("\"site_id\""))
        .and_then(|l| l.split("\"site_id\":\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("a site power fault")
        .to_string();
    let text = diagnose(&dir.join("records.jsonl"));
    let incidents: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.contains("\"kind\":\"incident\""))
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert!(
        incidents
            .iter()
            .any(|i| i["scope"]["site_id"] == site.as_str() && i["cause"] == "power.supply"),
        "no power incident at {site}: {incidents:#?}"
    );
    // Its first line — what an alert says when it opens, before any member
    // has been diagnosed — already names the power, from the members' own
    // power signs (it once said "the router", a site's prior).
    let first = incidents
        .iter()
        .find(|i| i["scope"]["site_id"] == site.as_str())
        .expect("the site's incident");
    assert_eq!(first["cause"], "power.supply", "{first:#}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_scenario_says_where_and_what() {
    let dir = tmp("bad");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let file = dir.join("bad.toml");
    std::fs::write(&file, "name = \"bad\"\n[[fault]]\nkind = \"network.wan\"\n").expect("write");
    let out = posdoc()
        .args(["simulate", "--scenario"])
        .arg(&file)
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .expect("posdoc runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("fault 1") && err.contains("network.wan"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The seed's shop case simulated with `seed` (its own when `None`) and
/// diagnosed: the site of its power fault, the incidents as their last
/// lines say them (one per id), and the damaged board's events after the
/// power came back as (diagnosed as the board, all).
fn seed_shop_case(seed: Option<u64>) -> (String, Vec<serde_json::Value>, (usize, usize)) {
    let dir = tmp(&format!("shop-case-{}", seed.unwrap_or(0)));
    let mut simulate = posdoc();
    simulate.args(["simulate", "--scenario"]);
    simulate.arg(scenarios_dir().join("seed_shop_power.toml"));
    if let Some(seed) = seed {
        simulate.args(["--seed", &seed.to_string()]);
    }
    assert!(
        simulate
            .arg("--out")
            .arg(&dir)
            .status()
            .expect("posdoc runs")
            .success()
    );
    let json = |text: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect()
    };
    let truth = json(&std::fs::read_to_string(dir.join("truth.jsonl")).expect("truth written"));
    let fault = |cause: &str| {
        truth
            .iter()
            .find(|t| t["kind"] == "truth" && t["cause"] == cause)
            .cloned()
    };
    let power = fault("power.supply").expect("a site power fault");
    let site = power["scope"]["site_id"]
        .as_str()
        .expect("a site")
        .to_string();
    let lines = json(&diagnose(&dir.join("records.jsonl")));
    let mut incidents: Vec<serde_json::Value> = Vec::new();
    for l in lines.iter().filter(|l| l["kind"] == "incident") {
        match incidents
            .iter_mut()
            .find(|i| i["incident_id"] == l["incident_id"])
        {
            Some(i) => *i = l.clone(),
            None => incidents.push(l.clone()),
        }
    }
    // The board's events after the power came back that the truth says
    // are the board's (it may fail on its weak radio or a card too).
    let board = fault("hardware.board").map_or((0, 0), |b| {
        let boards: Vec<&serde_json::Value> = truth
            .iter()
            .filter(|e| {
                e["kind"] == "truth_event"
                    && e["terminal_id"] == b["terminals"][0]
                    && e["cause"] == "hardware.board"
                    && e["ts"].as_str() > power["end"].as_str()
            })
            .collect();
        let right = boards
            .iter()
            .filter(|e| {
                lines.iter().any(|d| {
                    d["kind"] == "diagnosis"
                        && d["terminal_id"] == e["terminal_id"]
                        && d["ts"] == e["ts"]
                        && d["causes"][0]["cause"] == "hardware.board"
                })
            })
            .count();
        (right, boards.len())
    });
    let _ = std::fs::remove_dir_all(&dir);
    (site, incidents, board)
}

#[test]
fn the_seed_shop_case_is_one_power_incident_with_the_board_apart() {
    let one_power_incident = |site: &str, incidents: &[serde_json::Value]| {
        incidents.len() == 1
            && incidents[0]["scope"]["site_id"] == site
            && incidents[0]["cause"] == "power.supply"
    };
    // As the README runs it: one incident, the shop's power, and the board
    // the surge damaged diagnosed as a board once the power is back.
    let (site, incidents, (right, all)) = seed_shop_case(None);
    assert!(
        one_power_incident(&site, &incidents),
        "{site}: {incidents:#?}"
    );
    assert!(all >= 3 && right * 4 >= all * 3, "board {right}/{all}");
    // Across seeds (other shops, terminals, vendors, a weak-signal handheld
    // or a Wi-Fi till in the shop or not), most of the time. Once, a
    // handheld's flickering radio beside the damaged board made a second
    // incident of the shop (seed 1); so did a Wi-Fi till whose own words
    // said it barely heard its access point (seed 7).
    let (mut exact, mut right_all, mut all_all) = (Vec::new(), 0, 0);
    for seed in 1..=12 {
        let (site, incidents, (right, all)) = seed_shop_case(Some(seed));
        if one_power_incident(&site, &incidents) {
            exact.push(seed);
        }
        right_all += right;
        all_all += all;
    }
    assert!(
        exact.contains(&1) && exact.contains(&7),
        "seeds 1 and 7: {exact:?}"
    );
    assert!(
        exact.len() >= 10,
        "one power incident on seeds {exact:?} only"
    );
    assert!(
        right_all * 100 >= all_all * 80,
        "board {right_all}/{all_all} after the power came back"
    );
}
