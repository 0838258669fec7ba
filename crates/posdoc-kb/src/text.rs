//! Bilingual texts.

use serde::Deserialize;

/// The language a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese.
    Zh,
    #[default]
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" | "chinese" | "中文" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" | "english" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// A text in Simplified Chinese and English; both are required.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default)]
    pub zh: String,
    #[serde(default)]
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
    pub fn is_complete(&self) -> bool {
        !self.zh.trim().is_empty() && !self.en.trim().is_empty()
    }
    /// Fills `{name}` placeholders in both languages.
    pub fn fill(&self, vars: &[(&str, &str)]) -> Text {
        Text {
            zh: fill_str(&self.zh, vars),
            en: fill_str(&self.en, vars),
        }
    }
}

/// Fills `{name}` placeholders in one pass; a placeholder no variable names
/// stays as written. One pass, because this runs for every factor of every
/// diagnosis, and because a value that itself reads `{x}` is not filled again.
pub fn fill_str(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_placeholders_once_and_keeps_unknown_ones() {
        let vars = [("value", "{baseline}"), ("baseline", "-80 dBm")];
        assert_eq!(
            fill_str("signal {value} (usual {baseline}), {other} {", &vars),
            "signal {baseline} (usual -80 dBm), {other} {"
        );
        assert_eq!(fill_str("信号{value}", &[("value", "弱")]), "信号弱");
        assert_eq!(fill_str("{}{value", &[("value", "x")]), "{}{value");
        let t = Text {
            zh: "{value}次".into(),
            en: "{value} times".into(),
        };
        assert_eq!(t.fill(&[("value", "3")]).en, "3 times");
        assert_eq!(t.fill(&[("value", "3")]).zh, "3次");
    }
}
