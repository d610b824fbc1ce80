//! Reading sources, finding the compiled modules they import on the
//! search path (`-I DIR`, through [`crate::artifacts`]), and running the
//! front end (parse, check). Nothing here prints: errors come back as
//! values for the caller to render.

use crate::artifacts::ImportedModule;
use crate::Error;
use std::path::{Path, PathBuf};
use tess_sema::hir;
use tess_sema::interface::{self, Interface};
use tess_sema::Import;
use tess_syntax::{Diagnostic, Diagnostics, FileId, SourceFile, Span};

/// The module name of a program's main module.
pub const MAIN_MODULE: &str = "main";

/// A checked module, its sources, and every compiled module it needs
/// (those it imports and, transitively, theirs).
pub struct Checked {
    pub module: hir::Module,
    /// The module's interface (what `NAME.tesi` holds).
    pub interface: Interface,
    pub sources: Vec<SourceFile>,
    pub imports: Vec<ImportedModule>,
}

/// What to check: the files of one module.
pub struct ModuleInput<'a> {
    pub name: &'a str,
    /// `None`: a module with top-level statements is a program (whose
    /// module is `main`), else a library.
    pub mode: Option<hir::Mode>,
    pub files: &'a [PathBuf],
    pub search: &'a [PathBuf],
    /// Directories of other packages' modules (`[dependencies]`): only
    /// what those modules export is visible.
    pub exported_only: &'a [PathBuf],
    /// The module is a package's (its hint for a missing module names the
    /// package's ways to add one, not `-I`).
    pub in_package: bool,
    /// Where parsed files are cached by content (a module in pieces parses
    /// each file once, not once per piece).
    pub parse_cache: Option<&'a Path>,
}

impl<'a> ModuleInput<'a> {
    /// Module `name` checked on its own, from sources given in memory:
    /// no files to read, nothing on a search path, in no package (what the
    /// fuzz targets and the tests that check a single text use).
    pub fn standalone(name: &'a str) -> ModuleInput<'a> {
        ModuleInput {
            name,
            mode: None,
            files: &[],
            search: &[],
            parse_cache: None,
            exported_only: &[],
            in_package: false,
        }
    }
}

/// Parses and checks the files of one module.
pub fn check(input: &ModuleInput) -> Result<Checked, Error> {
    let sources = read_sources(input.files)?;
    check_sources(input, sources)
}

/// Parses and checks the files of one module as its test program
/// (`test_harness.rs`): its `test fn`s run instead of its statements.
pub fn check_tests(input: &ModuleInput) -> Result<Checked, Error> {
    let sources = read_sources(input.files)?;
    crate::on_compiler_stack(|| check_on_this_stack(input, sources, Purpose::Tests))
}

/// What a module is checked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Build,
    /// Also recording every name resolved and what to
    /// (`hir::Module::refs`), for an editor: checked despite errors.
    Index,
    /// Its test program.
    Tests,
}

/// The texts of `paths`; text that is not UTF-8 is an error located at
/// its first bad byte.
pub(crate) fn read_sources(paths: &[PathBuf]) -> Result<Vec<SourceFile>, Error> {
    let mut sources = Vec::new();
    let mut diags = Diagnostics::default();
    for p in paths {
        let bytes = std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let file = FileId(sources.len() as u32);
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                // The text before the first bad byte is kept as it is, so
                // the error's line and column are the file's own.
                let at = e.utf8_error().valid_up_to();
                let byte = e.as_bytes()[at];
                diags.push(
                    Diagnostic::error(Span::new(file, at, at + 1), format!("invalid UTF-8 (byte 0x{byte:02x})"))
                        .with_hint("Tessera sources are UTF-8: save the file as UTF-8"),
                );
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        sources.push(SourceFile::new(p.display().to_string(), text));
    }
    if diags.has_errors() {
        return Err(Error::Diagnostics { sources, diags });
    }
    Ok(sources)
}

/// Parses and checks one module's source texts (`input.files` unused):
/// for tools that hold the text in memory.
pub fn check_sources(input: &ModuleInput, sources: Vec<SourceFile>) -> Result<Checked, Error> {
    crate::on_compiler_stack(|| check_on_this_stack(input, sources, Purpose::Build))
}

/// [`check_sources`], also recording every name resolved and what to
/// (`hir::Module::refs`), for an editor; a module with errors is returned
/// too, with what did resolve.
pub fn check_sources_indexed(input: &ModuleInput, sources: Vec<SourceFile>) -> Result<Checked, Error> {
    crate::on_compiler_stack(|| check_on_this_stack(input, sources, Purpose::Index))
}

fn check_on_this_stack(input: &ModuleInput, mut sources: Vec<SourceFile>, purpose: Purpose) -> Result<Checked, Error> {
    let mut diags = Diagnostics::default();
    let mut files: Vec<_> =
        sources.iter().enumerate().map(|(i, s)| parse_cached(i, &s.text, &mut diags, input.parse_cache)).collect();
    match purpose {
        Purpose::Tests => crate::test_harness::add_harness(&mut files, &mut sources, &mut diags),
        Purpose::Build | Purpose::Index => crate::test_harness::without_tests(&mut files, &mut diags),
    }
    let mut imports: Vec<Import> = Vec::new();
    let mut needed: Vec<ImportedModule> = Vec::new();
    // Modules whose interface was refused: said once, at the first import.
    let mut unusable: Vec<String> = Vec::new();
    for imp in files.iter().flat_map(|f| &f.imports) {
        let name = &imp.path.name;
        if needed.iter().any(|m| &m.name == name) || unusable.contains(name) {
            continue;
        }
        // A module not on the path is reported by the checker, with a hint.
        let Some(found) = ImportedModule::find(name, input.search) else { continue };
        let refused = match read_usable_interface(&found.interface_path()) {
            Ok(interface) if &interface.module == name => {
                let shared = found.is_shared(interface.shared);
                let exported_only = input.exported_only.contains(&found.dir);
                imports.push(Import { interface, shared, exported_only });
                needed.push(found);
                continue;
            }
            Ok(i) => Diagnostic::error(
                imp.path.span,
                format!("{} describes module `{}`, not `{name}`", crate::artifacts::interface_file(name), i.module),
            ),
            Err(e) => Diagnostic::error(imp.path.span, format!("cannot use module `{name}`: {e}"))
                .with_hint(format!("rebuild it with `tess build --lib --module {name} ...`")),
        };
        diags.push(refused);
        unusable.push(name.clone());
    }
    let direct: Vec<String> = needed.iter().map(|m| m.name.clone()).collect();
    let needed = link_imports(&direct, input.search)?;
    let has_statements = files.iter().any(|f| f.items.iter().any(|i| matches!(i, tess_syntax::ast::Item::Stmt(_))));
    let mode = input.mode.unwrap_or(if has_statements { hir::Mode::Program } else { hir::Mode::Library });
    let name = if mode == hir::Mode::Program && has_statements { MAIN_MODULE } else { input.name };
    let texts: Vec<&str> = sources.iter().map(|s| s.text.as_str()).collect();
    let missing = files
        .iter()
        .flat_map(|f| &f.imports)
        .any(|i| !direct.contains(&i.path.name) && !unusable.contains(&i.path.name));
    let on_path = if missing { crate::artifacts::modules_on_path(input.search) } else { Vec::new() };
    let checking =
        tess_sema::Imports { found: &imports, on_path: &on_path, unusable: &unusable, in_package: input.in_package };
    let (mut module, interface) =
        tess_sema::check_module(name, mode, files, &texts, checking, &mut diags, purpose == Purpose::Index);
    // An editor's index is kept despite errors: what did resolve still
    // answers hover, definition and completion (the errors themselves come
    // from a check for diagnostics).
    if diags.has_errors() && purpose != Purpose::Index {
        return Err(Error::Diagnostics { sources, diags });
    }
    // Code names a file without its directory, as Java's stack traces do:
    // the same sources give the same output wherever they are.
    module.files = sources
        .iter()
        .map(|s| {
            let name = Path::new(&s.name).file_name().map_or(s.name.clone(), |n| n.to_string_lossy().into_owned());
            hir::SourceLines::new(&name, &s.text)
        })
        .collect();
    Ok(Checked { module, interface, sources, imports: needed })
}

/// The compiled modules a binary importing `direct` (in import order)
/// links, found on `search`, each after every module that needs it (the
/// order static archives must come in on a link line): the modules it
/// reaches through static ones, and every shared library any of them
/// needs. A static module reached only through a shared library is inside
/// that library and is not linked again.
pub fn link_imports(direct: &[String], search: &[PathBuf]) -> Result<Vec<ImportedModule>, String> {
    /// A module found, whether it is shared, and what it was compiled against.
    struct Found {
        module: ImportedModule,
        shared: bool,
        needs: Vec<String>,
    }
    fn visit(name: &str, search: &[PathBuf], found: &mut Vec<Found>, order: &mut Vec<usize>) -> Result<(), String> {
        if found.iter().any(|f| f.module.name == name) {
            return Ok(());
        }
        let module =
            ImportedModule::find(name, search).ok_or_else(|| format!("module `{name}` is not on the -I path"))?;
        let interface = read_usable_interface(&module.interface_path())?;
        let shared = module.is_shared(interface.shared);
        let needs: Vec<String> = interface.dependencies.iter().map(|d| d.module.clone()).collect();
        found.push(Found { module, shared, needs: needs.clone() });
        let index = found.len() - 1;
        for d in needs.iter().rev() {
            visit(d, search, found, order)?;
        }
        order.push(index);
        Ok(())
    }
    let mut found = Vec::new();
    let mut order = Vec::new();
    for name in direct.iter().rev() {
        visit(name, search, &mut found, &mut order)?;
    }
    // The modules the binary reaches without passing through a shared one.
    let mut outside: Vec<&str> = Vec::new();
    let mut stack: Vec<&str> = direct.iter().map(String::as_str).collect();
    while let Some(name) = stack.pop() {
        if outside.contains(&name) {
            continue;
        }
        outside.push(name);
        if let Some(f) = found.iter().find(|f| f.module.name == name).filter(|f| !f.shared) {
            stack.extend(f.needs.iter().map(String::as_str));
        }
    }
    let linked: Vec<ImportedModule> = order
        .iter()
        .rev()
        .map(|&i| &found[i])
        .filter(|f| f.shared || outside.contains(&f.module.name.as_str()))
        .map(|f| f.module.clone())
        .collect();
    Ok(linked)
}

/// A file's syntax tree from `cache` (keyed by its position and a hash of
/// its text), or parsed and, when it has no errors, stored there. Without
/// a cache its bodies are left for the checker to parse one at a time.
fn parse_cached(index: usize, text: &str, diags: &mut Diagnostics, cache: Option<&Path>) -> tess_syntax::ast::File {
    let file = FileId(index as u32);
    let Some(dir) = cache else {
        return tess_syntax::parser::parse_file_deferred(file, text, diags);
    };
    // Keyed by the compiler that wrote it too: another version's syntax
    // trees are never read back.
    let mut hasher = blake3::Hasher::new();
    hasher.update(crate::CACHE_VERSION.as_bytes()).update(text.as_bytes());
    let key = dir.join(format!("{}-{index}.ast", hasher.finalize().to_hex()));
    if let Some(ast) = std::fs::read(&key).ok().and_then(|b| postcard::from_bytes(&b).ok()) {
        return ast;
    }
    let errors = diags.items.len();
    let ast = tess_syntax::parser::parse_file(file, text, diags);
    if diags.items.len() == errors {
        // The cache only saves work: failing to write it is not an error.
        if let Ok(bytes) = postcard::to_stdvec(&ast) {
            let _ = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&key, bytes));
        }
    }
    ast
}

/// Reads and decodes an interface file; the error names the file.
pub fn read_interface(path: &Path) -> Result<Interface, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    interface::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// An interface this compiler can compile against: decoded, and written
/// by this compiler version for this target (another compiler's layouts
/// and symbols need not match).
pub fn read_usable_interface(path: &Path) -> Result<Interface, String> {
    let i = read_interface(path)?;
    let target = tess_codegen::object_file::target_triple();
    let compiler = env!("CARGO_PKG_VERSION");
    if i.target != target || i.compiler != compiler {
        return Err(format!(
            "{} was written by tess {} for {}, and this is tess {compiler} for {target} (rebuild the module)",
            path.display(),
            i.compiler,
            i.target
        ));
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An interface another compiler version (or target) wrote is refused.
    #[test]
    fn interfaces_of_another_compiler_are_refused() {
        let input = ModuleInput::standalone("geo");
        let source = SourceFile::new("geo.tes", "export fn one() -> Int { return 1 }\n");
        let Ok(checked) = check_sources(&input, vec![source]) else { panic!("geo.tes has no errors") };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("geo.tesi");
        let target = tess_codegen::object_file::target_triple();
        for (t, c, ok) in [
            (target, env!("CARGO_PKG_VERSION"), true),
            (target, "0.0.1", false),
            ("riscv64gc-unknown-linux-gnu", env!("CARGO_PKG_VERSION"), false),
        ] {
            std::fs::write(&path, interface::encode(&checked.interface, t, c)).expect("write");
            match read_usable_interface(&path) {
                Ok(_) => assert!(ok, "{t} {c} accepted"),
                Err(e) => assert!(!ok && e.contains("rebuild the module") && e.contains(c) && e.contains(t), "{e}"),
            }
        }
    }
}
