//! Tokens and roles. A token is shown once, when it is made; the store
//! keeps only its SHA-256, so a copy of the database opens nothing.

use std::fmt::Write as _;

use anyhow::{Context, bail};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, including tokens and the audit log.
    Admin,
    /// The whole fleet: read, post records, troubleshoot.
    Ops,
    /// One merchant's terminals, sites and data only.
    Merchant,
    /// Only posting records.
    Ingest,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" => Role::Admin,
            "ops" => Role::Ops,
            "merchant" => Role::Merchant,
            "ingest" => Role::Ingest,
            _ => return None,
        })
    }

    pub fn id(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Ops => "ops",
            Role::Merchant => "merchant",
            Role::Ingest => "ingest",
        }
    }
}

/// Who is calling: a live token's identity.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: i64,
    pub role: Role,
    /// Set for (and only for) merchant tokens.
    pub merchant_id: Option<String>,
}

impl Caller {
    /// May read the whole fleet (not only one merchant's part).
    pub fn sees_fleet(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Ops)
    }

    /// May read at all.
    pub fn reads(&self) -> bool {
        self.role != Role::Ingest
    }

    /// May post records.
    pub fn ingests(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Ops | Role::Ingest)
    }

    /// Whether a terminal of `merchant` is visible to this caller.
    pub fn sees_merchant(&self, merchant: Option<&str>) -> bool {
        match self.role {
            Role::Admin | Role::Ops => true,
            Role::Merchant => merchant.is_some() && merchant == self.merchant_id.as_deref(),
            Role::Ingest => false,
        }
    }
}

fn hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    let mut s = String::with_capacity(64);
    for b in d {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Makes a token: returns its id and the token itself (shown only now).
pub fn create(
    conn: &Connection,
    role: Role,
    merchant: Option<&str>,
    label: Option<&str>,
) -> anyhow::Result<(i64, String)> {
    match (role, merchant) {
        (Role::Merchant, None) => bail!("a merchant token needs --merchant MID"),
        (Role::Merchant, Some(_)) => {}
        (_, Some(_)) => bail!("--merchant is only for merchant tokens"),
        (_, None) => {}
    }
    let mut raw = [0u8; 24];
    getrandom::fill(&mut raw).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    let mut token = String::from("pd_");
    for b in raw {
        let _ = write!(token, "{b:02x}");
    }
    conn.execute(
        "INSERT INTO tokens (hash, role, merchant_id, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash(&token), role.id(), merchant, label, now()],
    )
    .context("storing the token")?;
    let id = conn.last_insert_rowid();
    audit(
        conn,
        None,
        "token.create",
        &format!("token {id} role {}", role.id()),
    )?;
    Ok((id, token))
}

/// Revokes a token by id; false if there was no live token with that id.
pub fn revoke(conn: &Connection, id: i64) -> anyhow::Result<bool> {
    let n = conn.execute(
        "UPDATE tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
        params![now(), id],
    )?;
    if n > 0 {
        audit(conn, None, "token.revoke", &format!("token {id}"))?;
    }
    Ok(n > 0)
}

/// A token row as `token list` shows it.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: i64,
    pub role: String,
    pub merchant_id: Option<String>,
    pub label: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

pub fn list(conn: &Connection) -> anyhow::Result<Vec<TokenInfo>> {
    let mut stmt = conn.prepare(
        "SELECT id, role, merchant_id, label, created_at, revoked_at FROM tokens ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(TokenInfo {
            id: r.get(0)?,
            role: r.get(1)?,
            merchant_id: r.get(2)?,
            label: r.get(3)?,
            created_at: r.get(4)?,
            revoked_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The live token `token` is, if any.
pub fn check(conn: &Connection, token: &str) -> anyhow::Result<Option<Caller>> {
    let row: Option<(i64, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT id, role, merchant_id FROM tokens WHERE hash = ?1 AND revoked_at IS NULL",
        )?
        .query_row([hash(token)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row.and_then(|(id, role, merchant_id)| {
        Some(Caller {
            token_id: id,
            role: Role::parse(&role)?,
            merchant_id,
        })
    }))
}

/// The wall clock as the record format writes times.
pub(crate) fn now() -> String {
    posdoc_record::Ts::from_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default(),
    )
    .to_string()
}

/// Writes an audit entry directly (administrative commands run outside the
/// server's writer thread).
pub fn audit(
    conn: &Connection,
    caller: Option<&Caller>,
    action: &str,
    detail: &str,
) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO audit (ts, token_id, role, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            now(),
            caller.map(|c| c.token_id),
            caller.map(|c| c.role.id()),
            action,
            detail
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_while_live_and_only_as_its_role() {
        let dir = std::env::temp_dir().join(format!("posdoc-auth-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let conn = crate::store::open(&crate::store::db_path(&dir)).unwrap();
        let (id, tok) = create(&conn, Role::Merchant, Some("M1"), Some("shop")).unwrap();
        let c = check(&conn, &tok).unwrap().expect("live");
        assert_eq!(c.role, Role::Merchant);
        assert!(c.sees_merchant(Some("M1")) && !c.sees_merchant(Some("M2")));
        assert!(!c.sees_merchant(None));
        assert!(check(&conn, "pd_wrong").unwrap().is_none());
        assert!(create(&conn, Role::Merchant, None, None).is_err());
        assert!(create(&conn, Role::Ops, Some("M1"), None).is_err());
        assert!(revoke(&conn, id).unwrap());
        assert!(!revoke(&conn, id).unwrap());
        assert!(check(&conn, &tok).unwrap().is_none());
        let stored: String = conn
            .query_row("SELECT hash FROM tokens WHERE id = ?1", [id], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, tok, "only the hash is stored");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
