//! The wasm rewrite cargo-stylus 0.10.10 applies before compressing a program
//! (OffchainLabs/stylus-sdk-rs `stylus-tools/src/core/code/wasm.rs`, `process_wasm`, and
//! `stylus-tools/src/utils/wasm.rs`), so that the scripts deploy exactly what
//! `cargo stylus deploy --wasm-file` deploys:
//!
//! 1. `remove_dangling_references`: the module is printed to text (wasmprinter 0.221.3) and parsed
//!    back (wat 1.249.0). Every instruction is re-encoded canonically; in particular the table index
//!    of `call_indirect`, which rustc ≥ 1.82 writes as a multi-byte LEB (a reference-types
//!    encoding), becomes the single zero byte Nitro's validator requires (reference types are off
//!    in OffchainLabs/nitro `crates/prover/src/binary.rs`, `parse_with_version`).
//! 2. cargo-stylus runs `wasm-opt` only for a project with a `[wasm-opt]` recipe; a raw
//!    `--wasm-file` gets none (`stylus-tools/src/core/deployment/mod.rs`, `deploy_wasm_file`), and
//!    neither does this rewrite (the project's own build, `scripts/build-wasm.sh`, runs
//!    `wasm-opt -Oz` before it).
//! 3. `strip_user_metadata`: every custom section (names, producers, target features) and unknown
//!    section is dropped.
//! 4. A `project_hash` custom section with the 32-byte project hash is appended (all zeros for a
//!    raw `--wasm-file`).
//! 5. `compress_wasm`: brotli quality 11 with the C library (`brotli2` 0.3.2, default 22-bit
//!    window), then the `EF F0 00 00` prefix ([`compress`]).
//!
//! The printer, parser and compressor are pinned to the exact versions of cargo-stylus 0.10.10's
//! `Cargo.lock`, so the output is byte-identical (checked against `cargo stylus deploy` by
//! `scripts/tests/cargo_stylus.rs`).

use wasm_encoder::{CustomSection, Module, RawSection};
use wasmparser::{Parser, Payload};

/// Name of the custom section cargo-stylus appends (`PROJECT_HASH_SECTION_NAME`).
pub const PROJECT_HASH_SECTION: &str = "project_hash";

/// Why a module could not be rewritten.
#[derive(Debug)]
pub enum PrepareError {
    /// The module could not be printed to text (it is not valid wasm).
    Print(String),
    /// The printed text could not be parsed back.
    Parse(String),
    /// A section could not be read while stripping metadata.
    Strip(String),
}

impl std::fmt::Display for PrepareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Print(e) => write!(f, "failed to convert wasm to wat: {e}"),
            Self::Parse(e) => write!(f, "failed to convert wat to wasm: {e}"),
            Self::Strip(e) => write!(f, "failed to strip wasm metadata: {e}"),
        }
    }
}

impl std::error::Error for PrepareError {}

/// Applies cargo-stylus 0.10.10's rewrite (steps 1, 3 and 4 above) to `wasm`.
///
/// # Errors
/// [`PrepareError`] if `wasm` is not a valid module.
pub fn prepare(wasm: &[u8], project_hash: [u8; 32]) -> Result<Vec<u8>, PrepareError> {
    let text = wasmprinter::print_bytes(wasm).map_err(|e| PrepareError::Print(e.to_string()))?;
    let wasm = wat::parse_str(text).map_err(|e| PrepareError::Parse(e.to_string()))?;
    let mut module = Module::new();
    for payload in Parser::new(0).parse_all(&wasm) {
        let payload = payload.map_err(|e| PrepareError::Strip(e.to_string()))?;
        match payload {
            Payload::CustomSection(_) | Payload::UnknownSection { .. } => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    let data = wasm.get(range).unwrap_or_default();
                    module.section(&RawSection { id, data });
                }
            }
        }
    }
    module.section(&CustomSection {
        name: PROJECT_HASH_SECTION.into(),
        data: project_hash.as_slice().into(),
    });
    Ok(module.finish())
}

/// `EF F0 00 00 ‖ brotli(wasm)` with cargo-stylus's compressor: the C brotli library through
/// `brotli2` 0.3.2 at quality 11 (`stylus-tools/src/utils/wasm.rs`, `brotli_compress`). The
/// result decompresses like [`crate::compress`]'s but is the exact byte string cargo-stylus
/// deploys.
pub fn compress(wasm: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = crate::STYLUS_PREFIX.to_vec();
    out.push(0);
    let mut encoder = brotli2::read::BrotliEncoder::new(wasm, 11);
    // Reading from an in-memory slice through the encoder cannot fail.
    let _ = encoder.read_to_end(&mut out);
    out
}

/// The code `cargo stylus deploy --wasm-file` stores for `wasm`: [`prepare`] with a zero project
/// hash, then [`compress`].
///
/// # Errors
/// As [`prepare`].
pub fn deployable_code(wasm: &[u8]) -> Result<Vec<u8>, PrepareError> {
    Ok(compress(&prepare(wasm, [0; 32])?))
}

/// Test fixtures shared with the dev chain engine's conformance tests (feature `test-fixtures`; not
/// part of the format's API).
#[cfg(any(test, feature = "test-fixtures"))]
#[doc(hidden)]
pub mod fixtures {
    use wasm_encoder::Module;

    /// A module whose `call_indirect` encodes its table index as the 5-byte LEB `80 80 80 80 00`
    /// (as rustc ≥ 1.82 emits it), plus a `name` section.
    pub fn padded_call_indirect() -> Vec<u8> {
        use wasm_encoder::{
            CodeSection, ConstExpr, ElementSection, Elements, ExportKind, ExportSection, Function,
            FunctionSection, MemorySection, MemoryType, NameMap, NameSection, RefType,
            TableSection, TableType, TypeSection, ValType,
        };
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], [ValType::I32]);
        types.ty().function([ValType::I32], [ValType::I32]);
        m.section(&types);
        let mut funcs = FunctionSection::new();
        funcs.function(0).function(1);
        m.section(&funcs);
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 1,
            maximum: None,
            shared: false,
        });
        m.section(&tables);
        let mut mems = MemorySection::new();
        mems.memory(MemoryType {
            minimum: 1,
            maximum: Some(1),
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        m.section(&mems);
        let mut exports = ExportSection::new();
        exports.export("memory", ExportKind::Memory, 0);
        exports.export("user_entrypoint", ExportKind::Func, 1);
        m.section(&exports);
        let mut elems = ElementSection::new();
        elems.active(
            None,
            &ConstExpr::i32_const(0),
            Elements::Functions([0].as_slice().into()),
        );
        m.section(&elems);
        let mut code = CodeSection::new();
        let mut zero = Function::new([]);
        zero.raw([0x41, 0x00, 0x0b]); // i32.const 0; end
        code.function(&zero);
        let mut entry = Function::new([]);
        // i32.const 0; call_indirect type 0, table index as a padded LEB; end
        entry.raw([0x41, 0x00, 0x11, 0x00, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b]);
        code.function(&entry);
        m.section(&code);
        let mut names = NameMap::new();
        names.append(0, "zero");
        let mut name_section = NameSection::new();
        name_section.functions(&names);
        m.section(&name_section);
        m.finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn canonicalises_call_indirect_and_strips_metadata() {
        let raw = fixtures::padded_call_indirect();
        assert!(raw
            .windows(6)
            .any(|w| w == [0x11, 0x00, 0x80, 0x80, 0x80, 0x80]));
        let out = prepare(&raw, [7; 32]).unwrap();
        // The padded LEB is gone; the single zero table byte remains.
        assert!(!out.windows(3).any(|w| w == [0x11, 0x00, 0x80]));
        assert!(out.windows(3).any(|w| w == [0x11, 0x00, 0x00]));
        // Exactly one custom section survives: project_hash with the given bytes, at the end.
        let customs: Vec<(String, Vec<u8>)> = Parser::new(0)
            .parse_all(&out)
            .filter_map(|p| match p.unwrap() {
                Payload::CustomSection(c) => Some((c.name().to_string(), c.data().to_vec())),
                _ => None,
            })
            .collect();
        assert_eq!(
            customs,
            vec![(PROJECT_HASH_SECTION.to_string(), vec![7; 32])]
        );
        assert!(out.ends_with(&[7; 32]));
        // The rewrite is a fixed point once applied (the project_hash section is stripped and
        // re-added).
        assert_eq!(prepare(&out, [7; 32]).unwrap(), out);
        // And deployable_code is EF F0 00 00 ‖ brotli(prepare(wasm, 0)).
        let code = deployable_code(&raw).unwrap();
        assert_eq!(
            crate::decompress(&code).unwrap(),
            prepare(&raw, [0; 32]).unwrap()
        );
    }

    #[test]
    fn invalid_wasm_is_an_error() {
        assert!(matches!(
            prepare(b"not wasm", [0; 32]),
            Err(PrepareError::Print(_))
        ));
    }
}
