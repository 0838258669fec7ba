//! Feeds arbitrary bytes to the record reader: it must never panic, and
//! every record it accepts must hold no full card number.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    posdoc_record::fuzz_check(data);
});
