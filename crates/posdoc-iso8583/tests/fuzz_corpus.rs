//! Runs the fuzz target's body over its checked-in corpus
//! (`fuzz/corpus/iso8583`), so every input that ever mattered stays
//! checked by the normal test suite.

#[test]
fn fuzz_corpus_replays_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/iso8583");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz corpus directory") {
        let path = entry.unwrap().path();
        posdoc_iso8583::fuzz_check(&std::fs::read(&path).expect("read corpus file"));
        n += 1;
    }
    assert!(n >= 4, "the corpus has {n} inputs");
    // The real capture in it decodes (so the round-trip check above ran).
    let sale = std::fs::read(dir.join("cup_sale_0200.bin")).unwrap();
    assert!(posdoc_iso8583::decode(posdoc_iso8583::Dialect::Cup, &sale).is_ok());
}
