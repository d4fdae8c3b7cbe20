//! Parameter types shared by the API namespaces that alloy does not provide.

use alloy_primitives::U256;
use serde::{Deserialize, Deserializer};

/// What a numeric JSON-RPC parameter arrives as: a JSON number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrString {
    Num(u64),
    Str(String),
}

/// A quantity given either as a JSON number or as a hex (or decimal) string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(pub u64);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NumOrString::deserialize(d)? {
            NumOrString::Num(n) => Ok(Self(n)),
            NumOrString::Str(s) => {
                let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                    Some(hex) => u64::from_str_radix(hex, 16).ok(),
                    None => s.parse::<u64>().ok(),
                };
                parsed
                    .map(Self)
                    .ok_or_else(|| serde::de::Error::custom(format!("invalid quantity {s:?}")))
            }
        }
    }
}

/// A `U256` given as a JSON number or a hex/decimal string (hardhat clients send both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LooseU256(pub U256);

impl<'de> Deserialize<'de> for LooseU256 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NumOrString::deserialize(d)? {
            NumOrString::Num(n) => Ok(Self(U256::from(n))),
            NumOrString::Str(s) => s
                .parse::<U256>()
                .map(Self)
                .map_err(|_| serde::de::Error::custom(format!("invalid number {s:?}"))),
        }
    }
}

/// `evm_mine` parameter: a timestamp, or `{timestamp, blocks}` (ganache/anvil style).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum MineParam {
    /// Timestamp for the mined block.
    Timestamp(Quantity),
    /// Options object.
    Options {
        /// Timestamp of the first block.
        timestamp: Option<Quantity>,
        /// Number of blocks to mine.
        blocks: Option<Quantity>,
    },
    /// Nothing given.
    #[default]
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_accept_numbers_hex_and_decimal() {
        let q: Quantity = serde_json::from_str("42").unwrap_or(Quantity(0));
        assert_eq!(q, Quantity(42));
        let q: Quantity = serde_json::from_str("\"0x2a\"").unwrap_or(Quantity(0));
        assert_eq!(q, Quantity(42));
        let q: Quantity = serde_json::from_str("\"42\"").unwrap_or(Quantity(0));
        assert_eq!(q, Quantity(42));
        assert!(serde_json::from_str::<Quantity>("\"0xzz\"").is_err());
        assert!(serde_json::from_str::<Quantity>("-1").is_err());
        let v: LooseU256 =
            serde_json::from_str("\"0xde0b6b3a7640000\"").unwrap_or(LooseU256(U256::ZERO));
        assert_eq!(v.0, U256::from(10u64).pow(U256::from(18u64)));
        let m: MineParam =
            serde_json::from_str("{\"timestamp\": 5, \"blocks\": \"0x2\"}").unwrap_or_default();
        assert!(matches!(
            m,
            MineParam::Options {
                timestamp: Some(Quantity(5)),
                blocks: Some(Quantity(2))
            }
        ));
    }
}
