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

/// A port free on loopback now, never handed out twice in one test binary.
///
/// Asking the kernel for port 0 and dropping the socket left a window in
/// which a parallel test's outgoing connection could be given that very
/// port (outgoing connections draw from the same ephemeral range) before
/// the server under test bound it: one run waited a minute for a server
/// that had failed to start. Ports below the ephemeral range (32768–60999
/// on Linux), handed out in turn from an offset of the process id, leave no
/// such window.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let offset = std::process::id().wrapping_mul(97) % SPAN;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(n < SPAN, "no free port between {LOW} and {}", LOW + SPAN);
        let port = (LOW + (offset + n) % SPAN) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
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
