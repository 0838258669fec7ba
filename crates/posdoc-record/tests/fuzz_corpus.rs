//! Runs the fuzz target's body over its checked-in corpus, so every input a
//! fuzzing session found interesting stays a regression test.

#[test]
fn fuzz_corpus_replays_cleanly() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse_records");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz corpus directory") {
        let path = entry.expect("entry").path();
        posdoc_record::fuzz_check(&std::fs::read(&path).expect("read corpus file"));
        n += 1;
    }
    assert!(n >= 3, "corpus has only {n} files");
}
