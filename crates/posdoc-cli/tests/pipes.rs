//! posdoc as one stage of a shell pipe: a reader that goes away early
//! (`posdoc explain E1 | head -3`) must not make posdoc panic or fail.

use std::io::Read;
use std::process::{Command, Stdio};

fn closed_early(args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_posdoc"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("posdoc runs");
    // Close the reading end before posdoc has written anything.
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr read");
    (child.wait().expect("posdoc ends"), err)
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    for args in [
        &["explain", "E1", "--vendor", "pax", "--lang", "zh"][..],
        &["kb", "check"][..],
        &["diagnose", "--no-progress"][..],
        &[
            "troubleshoot",
            "--vendor",
            "pax",
            "--code",
            "E1",
            "--answers",
            "signal_bars=ok",
        ][..],
    ] {
        let (status, err) = closed_early(args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(status.success(), "{args:?}: {status} {err}");
    }
}
