//! The entry points that the fuzz targets (`fuzz/`) and their regression
//! tests drive. Each takes arbitrary bytes and must return — never panic,
//! overflow its stack or hang — whatever the bytes are.

use crate::frontend::{check_sources, ModuleInput, MAIN_MODULE};
use tess_syntax::{Diagnostics, FileId, SourceFile};

/// The parser (and lexer) on any text, and the formatter on what parses.
pub fn parse(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let mut diags = Diagnostics::default();
    crate::on_compiler_stack(|| tess_syntax::parser::parse_file(FileId(0), &text, &mut diags));
    let _ = crate::fmt::format(FileId(0), &text);
}

/// The whole front end (parse and check) on any text, as a program or a
/// library.
pub fn front_end(bytes: &[u8]) {
    let input = ModuleInput::standalone(MAIN_MODULE);
    let _ = check_sources(&input, vec![SourceFile::new("fuzz.tes", String::from_utf8_lossy(bytes))]);
}

/// The interface reader (and printer) on any bytes.
pub fn interface(bytes: &[u8]) {
    if let Ok(i) = tess_sema::interface::decode(bytes) {
        let _ = tess_sema::interface::describe(&i);
    }
}

/// The check `loadLibrary` makes of a file before the dynamic loader maps
/// it, on any bytes.
pub fn library_check(bytes: &[u8]) {
    let _ = tessera_rt::elf_check::check_shared_library(bytes);
}

/// A fuzz target: its name and its entry point.
pub type Target = (&'static str, fn(&[u8]));

/// Every target by name (`fuzz/` builds one binary per entry).
pub const TARGETS: &[Target] =
    &[("parse", parse), ("front_end", front_end), ("interface", interface), ("library_check", library_check)];
