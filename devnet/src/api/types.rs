//! Parameter types that parse as strictly as geth: hex strings need their `0x` prefix and at
//! least one digit, byte strings an even number of digits. geth's rules are in
//! go-ethereum `common/hexutil/json.go` (`ErrMissingPrefix`, `ErrEmptyNumber`, `ErrOddLength`).
//!
//! Dev methods also take a JSON number where a quantity is expected, as anvil and hardhat do
//! (`evm_increaseTime [3600]` is common in tests), and leading zero digits in quantities
//! (geth refuses them; anvil and hardhat accept them).

use alloy_primitives::{Bytes, B256, U256};
use alloy_rpc_types_eth::{state::StateOverride, TransactionRequest};
use serde::{de::Error as _, Deserialize, Deserializer};
use serde_json::Value;

/// What a numeric JSON-RPC parameter arrives as: a JSON number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrString {
    Num(u64),
    Str(String),
}

/// The digits of a `0x`-prefixed hex string, or why it is not one.
fn hex_digits(s: &str) -> Result<&str, String> {
    if s.is_empty() {
        return Err("empty hex string (geth: \"empty hex string\")".into());
    }
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .ok_or_else(|| format!("hex string without 0x prefix: {s:?}"))?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("invalid hex string {s:?}"));
    }
    Ok(digits)
}

/// Parses a `0x`-prefixed hex quantity of at most `max_digits` significant digits.
fn parse_quantity(s: &str, max_digits: usize) -> Result<U256, String> {
    let digits = hex_digits(s)?;
    if digits.is_empty() {
        return Err(format!("hex string {s:?} has no digits (empty number)"));
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > max_digits {
        return Err(format!("hex number {s:?} is too large"));
    }
    U256::from_str_radix(
        if significant.is_empty() {
            "0"
        } else {
            significant
        },
        16,
    )
    .map_err(|e| format!("invalid hex number {s:?}: {e}"))
}

/// A u64 quantity: a JSON number, or a `0x`-prefixed hex string with at least one digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(pub u64);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NumOrString::deserialize(d)? {
            NumOrString::Num(n) => Ok(Self(n)),
            NumOrString::Str(s) => parse_quantity(&s, 16)
                .map(|v| Self(v.to::<u64>()))
                .map_err(D::Error::custom),
        }
    }
}

/// A 256-bit quantity: a JSON number, or a `0x`-prefixed hex string of 1 to 64 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumU256(pub U256);

impl<'de> Deserialize<'de> for NumU256 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NumOrString::deserialize(d)? {
            NumOrString::Num(n) => Ok(Self(U256::from(n))),
            NumOrString::Str(s) => parse_quantity(&s, 64).map(Self).map_err(D::Error::custom),
        }
    }
}

/// A storage slot: a `0x`-prefixed hex string of 1 to 64 digits (leading zeros allowed, as the
/// 32-byte keys clients send).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(pub U256);

impl<'de> Deserialize<'de> for Slot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let digits = hex_digits(&s).map_err(D::Error::custom)?;
        if digits.is_empty() || digits.len() > 64 {
            return Err(D::Error::custom(format!(
                "storage slot {s:?} must have 1 to 64 hex digits"
            )));
        }
        parse_quantity(&s, 64).map(Self).map_err(D::Error::custom)
    }
}

/// A 32-byte word: a `0x`-prefixed hex string of exactly 64 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word(pub B256);

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let digits = hex_digits(&s).map_err(D::Error::custom)?;
        if digits.len() != 64 {
            return Err(D::Error::custom(format!(
                "{s:?} is not a 32-byte hex string (64 digits after 0x)"
            )));
        }
        s.parse::<B256>().map(Self).map_err(D::Error::custom)
    }
}

/// Byte data: a `0x`-prefixed hex string with an even number of digits (`"0x"` is empty data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexBytes(pub Bytes);

fn check_bytes(s: &str) -> Result<(), String> {
    let digits = hex_digits(s)?;
    if digits.len() % 2 != 0 {
        return Err(format!("hex string {s:?} has odd length"));
    }
    Ok(())
}

impl<'de> Deserialize<'de> for HexBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        check_bytes(&s).map_err(D::Error::custom)?;
        s.parse::<Bytes>().map(Self).map_err(D::Error::custom)
    }
}

/// Quantity fields of a transaction request: strings only, `0x` and at least one digit.
const QUANTITY_FIELDS: [&str; 9] = [
    "value",
    "gas",
    "gasPrice",
    "maxFeePerGas",
    "maxPriorityFeePerGas",
    "maxFeePerBlobGas",
    "nonce",
    "chainId",
    "type",
];

fn check_quantity_field(obj: &serde_json::Map<String, Value>, key: &str) -> Result<(), String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) => parse_quantity(s, 64)
            .map(|_| ())
            .map_err(|e| format!("{key}: {e}")),
        Some(other) => Err(format!("{key}: expected a hex string, got {other}")),
    }
}

fn check_bytes_field(obj: &serde_json::Map<String, Value>, key: &str) -> Result<(), String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) => check_bytes(s).map_err(|e| format!("{key}: {e}")),
        Some(other) => Err(format!("{key}: expected a hex string, got {other}")),
    }
}

fn check_address_field(obj: &serde_json::Map<String, Value>, key: &str) -> Result<(), String> {
    match obj.get(key) {
        Some(Value::String(s)) => hex_digits(s).map(|_| ()).map_err(|e| format!("{key}: {e}")),
        _ => Ok(()),
    }
}

/// A transaction request whose hex fields are checked as geth checks them before alloy reads it.
#[derive(Debug, Clone)]
pub struct StrictRequest(pub TransactionRequest);

impl<'de> Deserialize<'de> for StrictRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let obj = value
            .as_object()
            .ok_or_else(|| D::Error::custom("transaction request must be an object"))?;
        for key in QUANTITY_FIELDS {
            check_quantity_field(obj, key).map_err(D::Error::custom)?;
        }
        for key in ["input", "data"] {
            check_bytes_field(obj, key).map_err(D::Error::custom)?;
        }
        for key in ["from", "to"] {
            check_address_field(obj, key).map_err(D::Error::custom)?;
        }
        serde_json::from_value(value)
            .map(Self)
            .map_err(D::Error::custom)
    }
}

/// State overrides whose `balance`, `nonce` and `code` are checked as geth checks them.
#[derive(Debug, Clone)]
pub struct StrictOverrides(pub StateOverride);

impl<'de> Deserialize<'de> for StrictOverrides {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let obj = value
            .as_object()
            .ok_or_else(|| D::Error::custom("state override must be an object"))?;
        for account in obj.values() {
            let Some(fields) = account.as_object() else {
                continue;
            };
            for key in ["balance", "nonce"] {
                check_quantity_field(fields, key).map_err(D::Error::custom)?;
            }
            check_bytes_field(fields, "code").map_err(D::Error::custom)?;
        }
        serde_json::from_value(value)
            .map(Self)
            .map_err(D::Error::custom)
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

    fn q(json: &str) -> Result<u64, String> {
        serde_json::from_str::<Quantity>(json)
            .map(|q| q.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn quantities_need_prefix_and_digits() {
        assert_eq!(q("42"), Ok(42));
        assert_eq!(q("\"0x2a\""), Ok(42));
        assert_eq!(q("\"0x002a\""), Ok(42));
        assert_eq!(q("\"0x0\""), Ok(0));
        for bad in [
            "\"42\"", "\"2a\"", "\"\"", "\"0x\"", "\"0xzz\"", "-1", "1.5",
        ] {
            assert!(q(bad).is_err(), "{bad} accepted");
        }
        assert!(q("\"0x\"").unwrap_err().contains("empty number"));
        assert!(q("\"42\"").unwrap_err().contains("without 0x prefix"));
        assert!(q("\"0x10000000000000000\"").is_err());
        let v: NumU256 =
            serde_json::from_str("\"0xde0b6b3a7640000\"").unwrap_or(NumU256(U256::ZERO));
        assert_eq!(v.0, U256::from(10u64).pow(U256::from(18u64)));
        assert!(serde_json::from_str::<NumU256>("\"\"").is_err());
        assert!(serde_json::from_str::<NumU256>(&format!("\"0x1{}\"", "0".repeat(64))).is_err());
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

    #[test]
    fn bytes_and_requests_need_prefix() {
        assert!(serde_json::from_str::<HexBytes>("\"0x\"").is_ok());
        assert!(serde_json::from_str::<HexBytes>("\"0xab\"").is_ok());
        assert!(serde_json::from_str::<HexBytes>("\"ab\"").is_err());
        assert!(serde_json::from_str::<HexBytes>("\"0xabc\"").is_err());
        assert!(serde_json::from_str::<StrictRequest>(r#"{"input":"0xab","value":"0x1"}"#).is_ok());
        for bad in [
            r#"{"input":"ab"}"#,
            r#"{"data":"abcd"}"#,
            r#"{"value":""}"#,
            r#"{"value":"0x"}"#,
            r#"{"value":"12"}"#,
            r#"{"gas":21000}"#,
            r#"{"to":"00000000000000000000000000000000000000aa"}"#,
        ] {
            assert!(
                serde_json::from_str::<StrictRequest>(bad).is_err(),
                "{bad} accepted"
            );
        }
        let slot: Slot =
            serde_json::from_str(&format!("\"0x{}1\"", "0".repeat(63))).unwrap_or(Slot(U256::ZERO));
        assert_eq!(slot.0, U256::from(1));
        assert!(serde_json::from_str::<Slot>("\"0x\"").is_err());
        assert!(serde_json::from_str::<Slot>("\"1\"").is_err());
    }
}
