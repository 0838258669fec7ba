//! The posdoc record format v1 (`shared/contract/FORMAT.md` in the project's
//! steering repo, restated in `docs/FORMAT.md`): typed [`Record`]s read from
//! JSON Lines by [`Reader`] / [`parse_line`], the contract's [`Cause`] list,
//! [`Ts`] times, and [`MaskedPan`] / [`scrub_text`] so that a full card number
//! never gets past ingestion.

mod cause;
mod mask;
mod parse;
mod record;
mod time;

pub use cause::Cause;
pub use mask::{MaskedPan, luhn_valid, scrub_json, scrub_text};
pub use parse::{LINE_BYTES_MAX, LineError, Reader, RecordError, json_special_at, parse_line};
pub use record::*;
pub use time::{TimeError, Ts};

/// Records may arrive out of order by up to this much (the contract's allowance).
pub const REORDER_ALLOWANCE_S: i64 = 60;

/// The fuzz target's body (also run over the corpus by the test suite):
/// reading arbitrary bytes never panics, and no accepted record carries a
/// full card number in its PAN field.
#[doc(hidden)]
pub fn fuzz_check(data: &[u8]) {
    for item in Reader::new(data) {
        if let Ok((_, Record::Txn(t))) = item
            && let Some(pan) = &t.pan
        {
            let digits = pan.as_str().bytes().filter(u8::is_ascii_digit).count();
            assert!(digits <= 10, "unmasked PAN survived: {pan}");
        }
    }
}
