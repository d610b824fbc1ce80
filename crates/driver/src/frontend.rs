//! Reading sources, finding the interfaces of imported modules on the
//! search path (`-I DIR`), and running the front end (parse, check).

use crate::diagnostics;
use std::path::{Path, PathBuf};
use tess_sema::hir;
use tess_sema::interface::{self, Interface};
use tess_syntax::{Diagnostic, Diagnostics, FileId, SourceFile};

/// The module name of a program's main module.
pub const MAIN_MODULE: &str = "main";

/// A compiled module this one imports: where its interface was found.
pub struct ImportedLib {
    pub name: String,
    pub dir: PathBuf,
}

/// A checked module and the compiled modules it imports.
pub struct Checked {
    pub module: hir::Module,
    pub imports: Vec<ImportedLib>,
}

/// Parses and checks the files of one module. `Ok(None)` means errors
/// were reported to standard error.
pub fn compile_module(
    name: &str,
    mode: hir::Mode,
    paths: &[PathBuf],
    include: &[PathBuf],
) -> Result<Option<Checked>, String> {
    compile_module_cached(name, Some(mode), paths, include, None)
}

/// A file's syntax tree from `cache` (keyed by its position and a hash of
/// its text), or parsed and, when it has no errors, stored there.
fn parse_cached(index: usize, text: &str, diags: &mut Diagnostics, cache: Option<&Path>) -> tess_syntax::ast::File {
    let file = FileId(index as u32);
    let Some(dir) = cache else {
        return tess_syntax::parser::parse_file(file, text, diags);
    };
    let key = dir.join(format!("{}-{index}.ast", blake3::hash(text.as_bytes()).to_hex()));
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

/// [`compile_module`], with parsed files cached in `cache` (a module in
/// pieces parses each of its files once, not once per piece). Without a
/// `mode`, a module with top-level statements is a program (whose module
/// is `main`, as with `tess build`), else a library.
pub fn compile_module_cached(
    name: &str,
    mode: Option<hir::Mode>,
    paths: &[PathBuf],
    include: &[PathBuf],
    cache: Option<&Path>,
) -> Result<Option<Checked>, String> {
    let mut sources = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        sources.push(SourceFile::new(p.display().to_string(), text));
    }
    let mut diags = Diagnostics::default();
    let files: Vec<_> = sources.iter().enumerate().map(|(i, s)| parse_cached(i, &s.text, &mut diags, cache)).collect();
    let mut interfaces: Vec<Interface> = Vec::new();
    let mut imports = Vec::new();
    for imp in files.iter().flat_map(|f| &f.imports) {
        let module = &imp.path.name;
        if imports.iter().any(|i: &ImportedLib| &i.name == module) {
            continue;
        }
        let Some(dir) = include.iter().find(|d| d.join(format!("{module}.tesi")).exists()) else { continue };
        match read_interface(&dir.join(format!("{module}.tesi"))) {
            Ok(mut i) if &i.module == module => {
                i.shared = dir.join(format!("lib{module}.so")).exists();
                interfaces.push(i);
                imports.push(ImportedLib { name: module.clone(), dir: dir.clone() });
            }
            Ok(i) => diags.push(Diagnostic::error(
                imp.path.span,
                format!("{module}.tesi describes module `{}`, not `{module}`", i.module),
            )),
            Err(e) => diags.push(
                Diagnostic::error(imp.path.span, format!("cannot use module `{module}`: {e}"))
                    .with_hint(format!("rebuild it with `tess build --lib --module {module} ...`")),
            ),
        }
    }
    // Modules the imported ones were compiled against must be linked too.
    let mut pending: Vec<String> =
        interfaces.iter().flat_map(|i| i.dependencies.iter().map(|d| d.module.clone())).collect();
    while let Some(dep) = pending.pop() {
        if dep == name || imports.iter().any(|i| i.name == dep) {
            continue;
        }
        let Some(dir) = include.iter().find(|d| d.join(format!("{dep}.tesi")).exists()) else {
            return Err(format!("module `{dep}`, which an imported module needs, is not on the -I path"));
        };
        let i = read_interface(&dir.join(format!("{dep}.tesi")))?;
        pending.extend(i.dependencies.iter().map(|d| d.module.clone()));
        imports.push(ImportedLib { name: dep, dir: dir.clone() });
    }
    let has_statements = files.iter().any(|f| f.items.iter().any(|i| matches!(i, tess_syntax::ast::Item::Stmt(_))));
    let mode = mode.unwrap_or(if has_statements { hir::Mode::Program } else { hir::Mode::Library });
    let name = if mode == hir::Mode::Program && has_statements { MAIN_MODULE } else { name };
    let module = tess_sema::check_module(name, mode, &files, &interfaces, &mut diags);
    if diags.has_errors() {
        diagnostics::emit(&sources, &diags);
        return Ok(None);
    }
    Ok(Some(Checked { module, imports }))
}

fn read_interface(path: &Path) -> Result<Interface, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    interface::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}
