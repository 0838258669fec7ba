//! The issuer simulator behind the gateway: behaviour per card range, so
//! that declines, slow issuers and outages are reproducible.
//!
//! Rules are matched by the longest PAN prefix; a PAN no rule covers is
//! approved. Rules can be replaced while the gateway runs.

use std::str::FromStr;
use std::sync::RwLock;
use std::time::Duration;

/// What the issuer does for a card range.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "do")]
pub enum Behaviour {
    /// Approve.
    Approve,
    /// Decline with this field 39 code (`51`, `55`, `05`, ...).
    Decline { code: String },
    /// Answer after a delay, then approve.
    Delay { ms: u64 },
    /// Never answer (the gateway's issuer timeout fires).
    Unavailable,
}

/// One card-range rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    /// PAN prefix (a BIN, or any leading digits); empty matches every card.
    pub prefix: String,
    #[serde(flatten)]
    pub behaviour: Behaviour,
}

impl FromStr for Rule {
    type Err = String;

    /// `PREFIX:approve`, `PREFIX:decline=51`, `PREFIX:delay=3000`,
    /// `PREFIX:down` (`*` for every card).
    fn from_str(s: &str) -> Result<Rule, String> {
        let (prefix, what) = s
            .split_once(':')
            .ok_or_else(|| format!("issuer rule {s:?}: expected PREFIX:BEHAVIOUR"))?;
        let prefix = if prefix == "*" { "" } else { prefix };
        if !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "issuer rule {s:?}: the card prefix {prefix:?} is not digits"
            ));
        }
        let (name, arg) = what.split_once('=').unwrap_or((what, ""));
        let behaviour = match name {
            "approve" => Behaviour::Approve,
            "decline" if arg.len() == 2 && arg.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                Behaviour::Decline {
                    code: arg.to_ascii_uppercase(),
                }
            }
            "delay" => Behaviour::Delay {
                ms: arg
                    .parse()
                    .map_err(|_| format!("issuer rule {s:?}: delay needs milliseconds"))?,
            },
            "down" | "unavailable" => Behaviour::Unavailable,
            _ => {
                return Err(format!(
                    "issuer rule {s:?}: unknown behaviour {what:?} (approve, decline=CODE, delay=MS, down)"
                ));
            }
        };
        Ok(Rule {
            prefix: prefix.to_string(),
            behaviour,
        })
    }
}

/// The issuer's answer to an authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Field 39 code (`00` approves).
    Code(String),
    /// No answer within the gateway's issuer timeout.
    NoAnswer,
}

/// The simulator.
#[derive(Debug)]
pub struct Issuer {
    rules: RwLock<Vec<Rule>>,
    timeout: Duration,
}

impl Issuer {
    /// An issuer with `rules` behind a gateway that waits `timeout` for it.
    pub fn new(rules: Vec<Rule>, timeout: Duration) -> Issuer {
        Issuer {
            rules: RwLock::new(rules),
            timeout,
        }
    }

    /// Replaces the rules.
    pub fn set_rules(&self, rules: Vec<Rule>) {
        if let Ok(mut r) = self.rules.write() {
            *r = rules;
        }
    }

    /// The rule for `pan`: the longest matching prefix.
    pub fn behaviour(&self, pan: &str) -> Behaviour {
        let rules = match self.rules.read() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        rules
            .iter()
            .filter(|r| pan.starts_with(&r.prefix))
            .max_by_key(|r| r.prefix.len())
            .map(|r| r.behaviour.clone())
            .unwrap_or(Behaviour::Approve)
    }

    /// Authorises: waits as the rule says, bounded by the timeout.
    pub async fn authorise(&self, pan: &str) -> Answer {
        match self.behaviour(pan) {
            Behaviour::Approve => Answer::Code("00".into()),
            Behaviour::Decline { code } => Answer::Code(code),
            Behaviour::Delay { ms } => {
                let delay = Duration::from_millis(ms);
                if delay >= self.timeout {
                    tokio::time::sleep(self.timeout).await;
                    Answer::NoAnswer
                } else {
                    tokio::time::sleep(delay).await;
                    Answer::Code("00".into())
                }
            }
            Behaviour::Unavailable => {
                tokio::time::sleep(self.timeout).await;
                Answer::NoAnswer
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_reject_with_the_rule_named() {
        let r: Rule = "622848:decline=51".parse().expect("parses");
        assert_eq!(r.prefix, "622848");
        assert_eq!(r.behaviour, Behaviour::Decline { code: "51".into() });
        assert_eq!(
            "*:down".parse::<Rule>().map(|r| r.behaviour),
            Ok(Behaviour::Unavailable)
        );
        let e = "62x:approve".parse::<Rule>().unwrap_err();
        assert!(e.contains("62x"), "{e}");
        let e = "62:explode".parse::<Rule>().unwrap_err();
        assert!(e.contains("explode"), "{e}");
        assert!("62:delay=soon".parse::<Rule>().is_err());
        assert!("no-colon".parse::<Rule>().is_err());
    }

    #[tokio::test]
    async fn longest_prefix_wins_and_timeouts_answer_nothing() {
        let issuer = Issuer::new(
            vec![
                "62:decline=05".parse().unwrap(),
                "6228:approve".parse().unwrap(),
                "9:delay=5000".parse().unwrap(),
                "8:down".parse().unwrap(),
            ],
            Duration::from_millis(20),
        );
        assert_eq!(
            issuer.authorise("6228480000").await,
            Answer::Code("00".into())
        );
        assert_eq!(
            issuer.authorise("6217000000").await,
            Answer::Code("05".into())
        );
        assert_eq!(
            issuer.authorise("4000000000").await,
            Answer::Code("00".into())
        );
        assert_eq!(issuer.authorise("9000").await, Answer::NoAnswer);
        assert_eq!(issuer.authorise("8000").await, Answer::NoAnswer);
        issuer.set_rules(vec![]);
        assert_eq!(issuer.authorise("8000").await, Answer::Code("00".into()));
    }
}
