//! Accuracy floors on simulated fleets with terminal-level faults (the
//! simulator is written without reading the engine). These pin the engine
//! against regressions; the figures themselves are measured by
//! `scripts/accuracy.sh` over more seeds.

use std::sync::Arc;

use posdoc_engine::Engine;
use posdoc_eval::{Checklist, Prediction, Truth, score};
use posdoc_kb::Kb;
use posdoc_record::parse_line;
use posdoc_sim::{SimConfig, generate};

struct Scores {
    macro_top1: f64,
    top1: f64,
    checklist_macro_top1: f64,
}

fn run_seed(kb: &Arc<Kb>, seed: u64) -> Scores {
    let cfg = SimConfig {
        seed,
        fleet_faults: false,
        ..SimConfig::default()
    };
    let mut records = Vec::new();
    let mut truth = Vec::new();
    generate(&cfg, &mut records, &mut truth).expect("generate into memory");
    let mut engine = Engine::new(Arc::clone(kb));
    let mut checklist = Checklist::default();
    let mut preds = Vec::new();
    let mut keep = |d: posdoc_engine::Diagnosis| {
        preds.push(Prediction::from_posterior(
            d.ts,
            d.terminal_id,
            d.code,
            &d.posterior,
        ));
    };
    for line in std::str::from_utf8(&records).expect("utf-8").lines() {
        let record = parse_line(line)
            .unwrap_or_else(|e| panic!("simulator wrote a bad line: {e}: {line}"))
            .expect("no blank lines");
        checklist.push(&record);
        engine.push(record, &mut keep);
    }
    engine.finish(&mut keep);
    let truth = Truth::parse(std::str::from_utf8(&truth).expect("utf-8"));
    let sel = |e: &posdoc_eval::TruthEvent| truth.is_fault_event(e);
    let ours = score(&truth, &preds, &sel);
    let base = score(&truth, &checklist.predictions, &sel);
    assert_eq!(
        ours.matched, ours.events,
        "every fault event gets a diagnosis"
    );
    Scores {
        macro_top1: ours.macro_top1,
        top1: ours.top1,
        checklist_macro_top1: base.macro_top1,
    }
}

#[test]
fn the_engine_beats_the_checklist_by_a_wide_margin_on_simulated_fleets() {
    let kb = Arc::new(Kb::builtin().unwrap_or_else(|e| panic!("{e}")));
    for seed in [101, 202] {
        let s = run_seed(&kb, seed);
        assert!(
            s.macro_top1 >= 0.75 && s.top1 >= 0.80,
            "seed {seed}: macro top-1 {:.3}, top-1 {:.3}",
            s.macro_top1,
            s.top1
        );
        assert!(
            s.macro_top1 >= s.checklist_macro_top1 + 0.25,
            "seed {seed}: posdoc {:.3} vs checklist {:.3}",
            s.macro_top1,
            s.checklist_macro_top1
        );
    }
}
