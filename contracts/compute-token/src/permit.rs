//! EIP-712 hashing for EIP-2612 permits and signature recovery through the `ecrecover` precompile.
//!
//! Sources: EIP-712 (`hashStruct`, domain separator, `"\x19\x01"` prefix), EIP-2612 (the `Permit` type),
//! EIP-2 / OpenZeppelin `ECDSA.tryRecover` (reject `s > secp256k1n / 2`). Recovery runs in the
//! `ecrecover` precompile (address `0x01`, 3,000 gas) rather than in wasm, which keeps the program small.

use alloc::vec::Vec;

use alloy_primitives::{address, b256, Address, B256, U256};
use keccak_const::Keccak256;
use stylus_sdk::{call::static_call, prelude::*};

use crate::interface::{ECDSAInvalidSignature, ECDSAInvalidSignatureS, Error};

/// The EIP-712 domain `version`.
pub const VERSION: &str = "1";

/// `keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")`.
pub const DOMAIN_TYPEHASH: B256 = B256::new(
    Keccak256::new()
        .update(
            b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
        )
        .finalize(),
);

/// `keccak256("1")`, the hashed domain version.
pub const HASHED_VERSION: B256 = B256::new(Keccak256::new().update(VERSION.as_bytes()).finalize());

/// `keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")`.
pub const PERMIT_TYPEHASH: B256 = B256::new(
    Keccak256::new()
        .update(
            b"Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
        )
        .finalize(),
);

/// The `ecrecover` precompile.
pub const ECRECOVER: Address = address!("0000000000000000000000000000000000000001");

/// `secp256k1n / 2`: the largest `s` accepted (EIP-2).
const MAX_S: B256 = b256!("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");

fn word(value: U256) -> [u8; 32] {
    value.to_be_bytes::<32>()
}

fn address_word(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a.as_slice());
    w
}

/// `keccak256(abi.encode(DOMAIN_TYPEHASH, hashedName, keccak256("1"), chainId, verifyingContract))`.
pub fn domain_separator<H: Host + ?Sized>(
    host: &H,
    hashed_name: B256,
    chain_id: u64,
    verifying_contract: Address,
) -> B256 {
    let mut buf = Vec::with_capacity(5 * 32);
    buf.extend_from_slice(DOMAIN_TYPEHASH.as_slice());
    buf.extend_from_slice(hashed_name.as_slice());
    buf.extend_from_slice(HASHED_VERSION.as_slice());
    buf.extend_from_slice(&word(U256::from(chain_id)));
    buf.extend_from_slice(&address_word(verifying_contract));
    host.native_keccak256(&buf)
}

/// `keccak256("\x19\x01" ‖ domainSeparator ‖ keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender,
/// value, nonce, deadline)))`.
pub fn permit_digest<H: Host + ?Sized>(
    host: &H,
    domain_separator: B256,
    owner: Address,
    spender: Address,
    value: U256,
    nonce: U256,
    deadline: U256,
) -> B256 {
    let mut buf = Vec::with_capacity(6 * 32);
    buf.extend_from_slice(PERMIT_TYPEHASH.as_slice());
    buf.extend_from_slice(&address_word(owner));
    buf.extend_from_slice(&address_word(spender));
    buf.extend_from_slice(&word(value));
    buf.extend_from_slice(&word(nonce));
    buf.extend_from_slice(&word(deadline));
    let struct_hash = host.native_keccak256(&buf);

    buf.clear();
    buf.extend_from_slice(&[0x19, 0x01]);
    buf.extend_from_slice(domain_separator.as_slice());
    buf.extend_from_slice(struct_hash.as_slice());
    host.native_keccak256(&buf)
}

/// Recovers the signer of `digest` with the `ecrecover` precompile.
///
/// # Errors
/// * `ECDSAInvalidSignatureS(s)` if `s > secp256k1n / 2`.
/// * `ECDSAInvalidSignature()` if the precompile recovers no address (bad `v`, `r` or `s`).
pub fn recover<H: Host + ?Sized>(
    host: &H,
    digest: B256,
    v: u8,
    r: B256,
    s: B256,
) -> Result<Address, Error> {
    if s > MAX_S {
        return Err(Error::InvalidSignatureS(ECDSAInvalidSignatureS { s }));
    }
    let mut input = Vec::with_capacity(4 * 32);
    input.extend_from_slice(digest.as_slice());
    input.extend_from_slice(&word(U256::from(v)));
    input.extend_from_slice(r.as_slice());
    input.extend_from_slice(s.as_slice());
    let output = static_call(host, Call::new(), ECRECOVER, &input).unwrap_or_default();
    let signer = if output.len() == 32 {
        Address::from_slice(&output[12..])
    } else {
        Address::ZERO
    };
    if signer.is_zero() {
        return Err(Error::InvalidSignature(ECDSAInvalidSignature {}));
    }
    Ok(signer)
}
