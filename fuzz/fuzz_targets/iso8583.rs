//! Feeds arbitrary bytes to the ISO 8583 codec in both dialects, to CUP
//! frame splitting and to the TLV reader: nothing may panic, and whatever
//! decodes must encode back to the same bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    posdoc_iso8583::fuzz_check(data);
});
