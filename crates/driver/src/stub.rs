//! Interface stubs of shared libraries (`tess link --shared
//! --interface-stub STUB`): a shared library with the real one's soname
//! and dynamic symbols but no code, for linking programs against — as
//! Bazel's C rules link against `.ifso` files. A function's symbol has no
//! size in the stub, so an edit of function bodies leaves the stub's
//! bytes as they were and a build engine that compares bytes relinks
//! nothing. A data symbol keeps its size (a program may copy it); its
//! layout is part of the interface anyway.
//!
//! A stub is never loaded: `tess link` gives a program that links one no
//! rpath to the stub's directory (it carries a `.tessera_stub` section),
//! only the `--rpath`s of where the real library will be.

use object::read::ReadCache;
use object::{Object, ObjectSymbol, ReadRef, SymbolKind, SymbolScope};
use std::fmt::Write as _;
use std::path::Path;

/// The section that marks a stub.
const MARK: &str = ".tessera_stub";

/// The shared library at `path`, read as its parts are asked for: a link
/// looks at each library it takes, and needs only its headers and tables,
/// not its code.
fn open(path: &Path) -> Result<ReadCache<std::fs::File>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(ReadCache::new(file))
}

/// Whether the shared library at `path` is an interface stub.
pub fn is_stub(path: &Path) -> bool {
    let Ok(data) = open(path) else { return false };
    object::File::parse(&data).is_ok_and(|file| file.section_by_name(MARK).is_some())
}

/// Writes the interface stub of the shared library `library` to `stub`.
/// On Windows that is the DLL's import library (`libNAME.dll.a`, written
/// beside it by its link), which names only its exports.
pub fn write(library: &Path, stub: &Path) -> Result<(), String> {
    if crate::link::windows() {
        let implib = library.with_file_name(crate::artifacts::import_library_name(&crate::link::output_name(library)));
        let bytes = std::fs::read(&implib).map_err(|e| format!("cannot read {}: {e}", implib.display()))?;
        return crate::link::write_if_changed(stub, &bytes).map(|_| ());
    }
    let data = open(library)?;
    let file = object::File::parse(&data).map_err(|e| format!("{} is not a shared library: {e}", library.display()))?;
    let soname = crate::link::output_name(library);
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let source = dir.path().join("stub.s");
    std::fs::write(&source, assembly(&file)).map_err(|e| format!("cannot write {}: {e}", source.display()))?;
    let partial = dir.path().join(&soname);
    let status = crate::link::compiler()
        .args(["-shared", "-nostdlib", "-Wl,--build-id=none"])
        .arg(format!("-Wl,-soname,{soname}"))
        .arg("-o")
        .arg(&partial)
        .arg(&source)
        .status()
        .map_err(|e| format!("cannot run the C compiler: {e}"))?;
    if !status.success() {
        return Err(format!("writing the interface stub of {} failed ({status})", library.display()));
    }
    let out = std::fs::read(&partial).map_err(|e| format!("cannot read {}: {e}", partial.display()))?;
    crate::link::write_if_changed(stub, &out).map(|_| ())
}

/// The stub's assembly: every defined dynamic symbol of `file`, sorted by
/// name, as an empty function, or a zeroed object or thread-local of its size.
fn assembly<'data, R: ReadRef<'data>>(file: &object::File<'data, R>) -> String {
    let mut symbols: Vec<_> = file
        .dynamic_symbols()
        .filter(|s| s.is_definition() && s.scope() == SymbolScope::Dynamic)
        .filter_map(|s| Some((s.name().ok()?.to_string(), s.kind(), s.size(), s.is_weak())))
        .collect();
    symbols.sort_by(|a, b| a.0.cmp(&b.0));
    symbols.dedup_by(|a, b| a.0 == b.0);
    // The mark has content: the linker drops empty sections.
    let mut out = format!(".section {MARK},\"\",@progbits\n.asciz \"tessera interface stub\"\n");
    for (name, kind, size, weak) in symbols {
        let bind = if weak { ".weak" } else { ".globl" };
        let size = size.max(1);
        let _ = match kind {
            // A byte of no code, so each function has an address of its own.
            SymbolKind::Text => writeln!(out, ".text\n{bind} {name}\n.type {name},@function\n{name}:\n.zero 1"),
            SymbolKind::Tls => writeln!(
                out,
                ".section .tbss,\"awT\",@nobits\n{bind} {name}\n.type {name},@tls_object\n.size {name},{size}\n{name}:\n.zero {size}"
            ),
            _ => writeln!(
                out,
                ".bss\n{bind} {name}\n.type {name},@object\n.size {name},{size}\n{name}:\n.zero {size}"
            ),
        };
    }
    out
}
