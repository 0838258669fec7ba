//! How diagnoses are written: the contract's records, rendered by
//! [`posdoc_engine::report`] so that the service writes the same.

use posdoc_kb::Lang;

pub(crate) use posdoc_engine::report::{write_incident, write_jsonl};

/// Picks the language's text.
pub(crate) fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}
