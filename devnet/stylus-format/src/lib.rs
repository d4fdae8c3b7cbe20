//! The Arbitrum Stylus on-chain code format, shared by the dev chain's engine (`devnet-engine`,
//! which reads it) and the deploy CLI (`compute-market-scripts`, which writes it).
//!
//! * Deployed code is `EF F0 00 ‖ dictionary byte ‖ brotli(wasm)`: the discriminant
//!   `StylusDiscriminant` and `StripStylusPrefix` of OffchainLabs/go-ethereum
//!   `core/state/statedb_arbitrum.go`; decompression is bounded by `MaxWasmSize`
//!   (OffchainLabs/nitro `arbos/programs/params.go`, `initialMaxWasmSize`).
//! * [`compress`] is cargo-stylus 0.10.10's compression (OffchainLabs/stylus-sdk-rs
//!   `stylus-tools/src/core/code/wasm.rs`, `BROTLI_COMPRESSION_LEVEL` = 11, brotli's default
//!   22-bit window, no dictionary).
//! * [`deploy_initcode`] is cargo-stylus's 43-byte EVM prelude
//!   (`stylus-tools/src/core/deployment/prelude.rs`).
//! * With the `deploy` feature, `cargo_stylus::prepare` is the wasm rewrite cargo-stylus applies
//!   before compressing, so a program deployed through `cargo_stylus::deployable_code` has the
//!   code hash `cargo stylus deploy --wasm-file` gives it.

#[cfg(feature = "deploy")]
pub mod cargo_stylus;

use std::io::Read;

/// The classic Stylus program prefix `EF F0 00`, followed by one dictionary byte and the
/// brotli-compressed WASM (go-ethereum `core/state/statedb_arbitrum.go`, `StylusDiscriminant`).
pub const STYLUS_PREFIX: [u8; 3] = [0xEF, 0xF0, 0x00];
/// Maximum deployed code size in bytes, prefix included (EIP-170, Arbitrum One's `MaxCodeSize`).
pub const MAX_CODE_SIZE: usize = 24_576;
/// Maximum decompressed WASM size in bytes (Nitro `arbos/programs/params.go`,
/// `initialMaxWasmSize` = 128 KiB).
pub const MAX_WASM_SIZE: usize = 131_072;
/// Length of [`deploy_initcode`]'s prelude in bytes (42 bytes of EVM code and a version byte).
pub const PRELUDE_LEN: usize = 43;

/// Why stored code cannot be turned into a WASM module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeFormatError {
    /// The code does not start with `EF F0 00` plus at least one byte.
    NotWasm,
    /// A dictionary byte other than 0. Nitro also accepts 1 (its built-in Stylus program
    /// dictionary, `arbcompress.StylusProgramDictionary`), which this crate does not carry; any
    /// other value is `unsupported dictionary type` on Nitro too.
    UnsupportedDictionary(u8),
    /// The brotli stream is corrupt or truncated.
    Decompression,
    /// The decompressed WASM exceeds the size limit given to [`decompress_limited`].
    TooLarge,
}

impl std::fmt::Display for CodeFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotWasm => write!(f, "specified bytecode is not a Stylus program"),
            Self::UnsupportedDictionary(1) => write!(
                f,
                "brotli dictionary 1 (the Stylus program dictionary) is not supported by this dev chain; deploy with dictionary 0 (EF F0 00 00)"
            ),
            Self::UnsupportedDictionary(d) => write!(f, "unsupported dictionary type: {d}"),
            Self::Decompression => write!(f, "failed to decompress program"),
            Self::TooLarge => write!(f, "decompressed wasm exceeds the maximum wasm size"),
        }
    }
}

impl std::error::Error for CodeFormatError {}

/// True if `code` is a classic Stylus program: `EF F0 00` and at least one more byte
/// (go-ethereum `IsStylusClassicProgramPrefix`).
pub fn is_stylus(code: &[u8]) -> bool {
    code.len() > STYLUS_PREFIX.len() && code.starts_with(&STYLUS_PREFIX)
}

/// Decompresses `EF F0 00 <dict> ‖ brotli(wasm)` into at most [`MAX_WASM_SIZE`] bytes of WASM.
///
/// # Errors
/// As [`decompress_limited`].
pub fn decompress(code: &[u8]) -> Result<Vec<u8>, CodeFormatError> {
    decompress_limited(code, MAX_WASM_SIZE)
}

/// Decompresses `EF F0 00 <dict> ‖ brotli(wasm)` into at most `max_len` bytes of WASM.
///
/// # Errors
/// [`CodeFormatError::NotWasm`] for a wrong prefix, [`CodeFormatError::UnsupportedDictionary`]
/// for a dictionary byte other than 0, [`CodeFormatError::Decompression`] for a corrupt stream and
/// [`CodeFormatError::TooLarge`] for an output longer than `max_len`.
pub fn decompress_limited(code: &[u8], max_len: usize) -> Result<Vec<u8>, CodeFormatError> {
    if !is_stylus(code) {
        return Err(CodeFormatError::NotWasm);
    }
    let dict = code[3];
    if dict != 0 {
        return Err(CodeFormatError::UnsupportedDictionary(dict));
    }
    let mut out = Vec::new();
    let reader = brotli::Decompressor::new(&code[4..], 4096);
    reader
        .take(max_len as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| CodeFormatError::Decompression)?;
    if out.len() > max_len {
        return Err(CodeFormatError::TooLarge);
    }
    Ok(out)
}

/// Compresses WASM as cargo-stylus 0.10.10 does (brotli quality 11, 22-bit window, no
/// dictionary) and adds the `EF F0 00 00` prefix.
pub fn compress(wasm: &[u8]) -> Vec<u8> {
    let mut out = STYLUS_PREFIX.to_vec();
    out.push(0);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut input = wasm;
    // Writing into a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
    out
}

/// cargo-stylus's 43-byte deploy prelude followed by `code`: EVM init code that returns `code`
/// (`PUSH32 len, DUP1, PUSH1 43, PUSH1 0, CODECOPY, PUSH1 0, RETURN`, then a zero version byte).
pub fn deploy_initcode(code: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PRELUDE_LEN + code.len());
    out.push(0x7f);
    let mut len = [0u8; 32];
    len[24..].copy_from_slice(&(code.len() as u64).to_be_bytes());
    out.extend_from_slice(&len);
    out.extend_from_slice(&[
        0x80,
        0x60,
        PRELUDE_LEN as u8,
        0x60,
        0x00,
        0x39,
        0x60,
        0x00,
        0xf3,
        0x00,
    ]);
    out.extend_from_slice(code);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn roundtrip_and_errors() {
        let wasm = b"\0asm\x01\0\0\0".to_vec();
        let code = compress(&wasm);
        assert_eq!(&code[..4], &[0xEF, 0xF0, 0x00, 0x00]);
        assert_eq!(decompress(&code).unwrap(), wasm);
        assert_eq!(
            decompress(&[0xEF, 0xF0, 0x00]),
            Err(CodeFormatError::NotWasm)
        );
        assert_eq!(decompress(&[0x60, 0x00]), Err(CodeFormatError::NotWasm));
        let mut d1 = code.clone();
        d1[3] = 1;
        assert_eq!(
            decompress(&d1),
            Err(CodeFormatError::UnsupportedDictionary(1))
        );
        let mut bad = code.clone();
        bad.truncate(5);
        bad.extend_from_slice(&[0xff; 8]);
        assert_eq!(decompress(&bad), Err(CodeFormatError::Decompression));
        let big = compress(&vec![0u8; MAX_WASM_SIZE + 1]);
        assert_eq!(decompress(&big), Err(CodeFormatError::TooLarge));
        assert_eq!(
            decompress_limited(&compress(&[0u8; 10]), 9),
            Err(CodeFormatError::TooLarge)
        );
        assert_eq!(
            decompress_limited(&compress(&[0u8; 10]), 10).unwrap(),
            vec![0u8; 10]
        );
    }

    #[test]
    fn prelude_returns_the_code() {
        let code = compress(b"\0asm\x01\0\0\0");
        let init = deploy_initcode(&code);
        assert_eq!(init.len(), PRELUDE_LEN + code.len());
        assert_eq!(&init[PRELUDE_LEN..], code.as_slice());
        // PUSH32 <len>: the last 8 bytes of the word are the length, big-endian.
        assert_eq!(init[0], 0x7f);
        assert_eq!(
            u64::from_be_bytes(init[25..33].try_into().unwrap()),
            code.len() as u64
        );
        // PUSH1 43 is the code offset.
        assert_eq!(&init[33..36], &[0x80, 0x60, 43]);
    }
}
