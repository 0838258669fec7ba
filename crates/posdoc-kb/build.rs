//! Embeds every `*.toml` under the workspace's `kb/` directory, as JSON.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            println!("cargo:rerun-if-changed={}", path.display());
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let root = manifest
        .join("../../kb")
        .canonicalize()
        .expect("kb/ directory beside crates/");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("out dir"));
    // Each file is embedded as JSON, converted here: reading JSON at every
    // start costs a fraction of reading TOML (a tenth of a short run's
    // time went to it). A file that is not TOML fails the build, naming it.
    let mut code = String::from("pub(crate) static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for (i, (rel, path)) in files.into_iter().enumerate() {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let table: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("kb/{rel}: invalid TOML: {e}"));
        let json = serde_json::to_string(&table)
            .unwrap_or_else(|e| panic!("kb/{rel}: not expressible as JSON: {e}"));
        let json_path = out_dir.join(format!("kb{i}.json"));
        std::fs::write(&json_path, json).expect("write embedded kb file");
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            json_path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("kb_files.rs"), code).expect("write kb_files.rs");
}
