//! The contract's cause list: 27 dotted ids whose first two parts are fixed.

use std::fmt;

macro_rules! causes {
    ($($variant:ident => $id:literal,)*) => {
        /// A root cause from the contract's list. Refinements below the first
        /// two parts (`hardware.card_reader.ic_contact`) map to their parent.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        pub enum Cause { $($variant,)* }

        impl Cause {
            /// Every cause, in contract order; `Cause::ALL[c as usize] == c`.
            pub const ALL: &'static [Cause] = &[$(Cause::$variant,)*];
            pub const COUNT: usize = Cause::ALL.len();

            /// The contract id, e.g. `network.lan`.
            pub const fn id(self) -> &'static str {
                match self { $(Cause::$variant => $id,)* }
            }
        }
    };
}

causes! {
    HardwareKeypad => "hardware.keypad",
    HardwareDisplay => "hardware.display",
    HardwareCardReader => "hardware.card_reader",
    HardwarePrinter => "hardware.printer",
    HardwareBoard => "hardware.board",
    PowerSupply => "power.supply",
    PowerBattery => "power.battery",
    NetworkSignal => "network.signal",
    NetworkLan => "network.lan",
    NetworkCarrier => "network.carrier",
    SoftwareBug => "software.bug",
    SoftwareIncompatible => "software.incompatible",
    SoftwareConfig => "software.config",
    TransmissionCorruption => "transmission.corruption",
    SecurityKeys => "security.keys",
    SecurityCertificate => "security.certificate",
    ResourceStorage => "resource.storage",
    ResourceMemory => "resource.memory",
    ResourceCpu => "resource.cpu",
    OperatorError => "operator.error",
    BusinessTxnType => "business.txn_type",
    BusinessLimit => "business.limit",
    BusinessRisk => "business.risk",
    BusinessMerchant => "business.merchant",
    UpstreamAcquirer => "upstream.acquirer",
    UpstreamIssuer => "upstream.issuer",
    CardDecline => "card.decline",
}

impl Cause {
    /// Parses a contract id or a refinement of one (`network.lan.ap` → `network.lan`).
    pub fn parse(id: &str) -> Option<Cause> {
        let mut parts = id.splitn(3, '.');
        let head = parts.next()?;
        let second = parts.next()?;
        let base_len = head.len() + 1 + second.len();
        let base = &id[..base_len];
        Cause::ALL.iter().copied().find(|c| c.id() == base)
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    /// The first part of the id: `hardware`, `network`, ...
    pub fn group(self) -> &'static str {
        let id = self.id();
        match id.find('.') {
            Some(dot) => &id[..dot],
            None => id,
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refinements_map_to_parent() {
        assert_eq!(Cause::COUNT, 27);
        for (i, c) in Cause::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(Cause::parse(c.id()), Some(*c));
        }
        assert_eq!(
            Cause::parse("hardware.card_reader.ic_contact"),
            Some(Cause::HardwareCardReader)
        );
        assert_eq!(Cause::parse("network"), None);
        assert_eq!(Cause::parse("network.wan"), None);
        assert_eq!(Cause::NetworkLan.group(), "network");
    }
}
