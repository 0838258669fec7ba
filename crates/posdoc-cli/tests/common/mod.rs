//! What the command-line tests share: the binary under test and free ports.
// Each test file uses what it needs of these.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

/// The `posdoc` binary built for these tests.
pub fn posdoc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_posdoc"))
}

/// A port free on loopback right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `cmd` to its end and asserts it succeeded (showing its standard
/// error if not).
pub fn succeeded(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A new service token of `role` in the store at `data` (`posdoc token
/// create` prints it alone on its last line).
pub fn create_token(data: &Path, role: &str) -> String {
    let out = succeeded(
        posdoc()
            .args(["token", "create", "--role", role, "--data"])
            .arg(data),
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}
