//! `posdoc-gateway` is an acquiring front end that POS terminals talk to
//! with the China UnionPay POS convention (docs/GATEWAY.md), and a source of
//! first-hand evidence for diagnosis: every failure it sees on the wire
//! becomes contract records.
//!
//! Invariants:
//! - a response leaves only after the exchange is durable in the journal
//!   (group commit); on restart the journal is the gateway's state;
//! - card data is masked before anything is journalled or logged; PIN
//!   blocks, track data and CVV are never stored;
//! - no input panics the gateway: a bad frame closes only its connection,
//!   with a logged reason and an evidence record.

pub mod crypto;
pub mod issuer;
pub mod journal;
pub mod profile;
pub mod protocol;
pub mod proxy;
pub mod reconcile;
pub mod rng;
pub mod server;
pub mod terminal;
pub mod tls;
