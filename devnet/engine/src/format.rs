//! Stylus on-chain code format (stylus-runtime.md §3.1–3.2).

use std::io::Read;

/// The classic Stylus program prefix `EF F0 00`, followed by one dictionary byte and the
/// brotli-compressed WASM (stylus-runtime.md §3.1).
pub const STYLUS_PREFIX: [u8; 3] = [0xEF, 0xF0, 0x00];
/// Maximum deployed code size in bytes, prefix included (EIP-170; stylus-runtime.md §3.2).
pub const MAX_CODE_SIZE: usize = 24_576;
/// Maximum decompressed WASM size in bytes (`MaxWasmSize`; stylus-runtime.md §3.2).
pub const MAX_WASM_SIZE: usize = 131_072;

/// Why stored code cannot be turned into a WASM module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeFormatError {
    /// The code does not start with `EF F0 00` plus at least one byte (`ProgramNotWasm()`).
    NotWasm,
    /// Dictionary byte 1 (Nitro's Stylus program dictionary) is not supported by this engine.
    UnsupportedDictionary(u8),
    /// The brotli stream is corrupt.
    Decompression,
    /// The decompressed WASM exceeds [`MAX_WASM_SIZE`] bytes.
    TooLarge,
}

impl std::fmt::Display for CodeFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotWasm => write!(f, "program is not wasm"),
            Self::UnsupportedDictionary(1) => write!(
                f,
                "brotli dictionary 1 (stylus program dictionary) is not supported by this dev chain; deploy with dictionary 0 (EF F0 00 00)"
            ),
            Self::UnsupportedDictionary(d) => write!(f, "unsupported compression dictionary {d}"),
            Self::Decompression => write!(f, "failed to decompress program"),
            Self::TooLarge => write!(f, "decompressed wasm exceeds {MAX_WASM_SIZE} bytes"),
        }
    }
}

impl std::error::Error for CodeFormatError {}

/// True if `code` is executable Stylus code: `EF F0 00` and at least one more byte.
pub fn is_stylus(code: &[u8]) -> bool {
    code.len() > STYLUS_PREFIX.len() && code.starts_with(&STYLUS_PREFIX)
}

/// Decompresses `EF F0 00 <dict> ‖ brotli(wasm)` into WASM bytes.
///
/// # Errors
/// [`CodeFormatError`] for a wrong prefix, an unsupported dictionary, a corrupt stream or an
/// output larger than [`MAX_WASM_SIZE`].
pub fn decompress(code: &[u8]) -> Result<Vec<u8>, CodeFormatError> {
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
        .take(MAX_WASM_SIZE as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| CodeFormatError::Decompression)?;
    if out.len() > MAX_WASM_SIZE {
        return Err(CodeFormatError::TooLarge);
    }
    Ok(out)
}

/// Compresses WASM the way cargo-stylus does (brotli quality 11, window 22) and adds the
/// `EF F0 00 00` prefix.
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

/// The 43-byte cargo-stylus deploy prelude followed by `code` (stylus-runtime.md §3.3): EVM init
/// code that returns `code` as the runtime code.
pub fn deploy_initcode(code: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(43 + code.len());
    out.push(0x7f);
    let mut len = [0u8; 32];
    len[24..].copy_from_slice(&(code.len() as u64).to_be_bytes());
    out.extend_from_slice(&len);
    out.extend_from_slice(&[0x80, 0x60, 0x2b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3, 0x00]);
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
        assert_eq!(deploy_initcode(&code).len(), 43 + code.len());
    }
}
