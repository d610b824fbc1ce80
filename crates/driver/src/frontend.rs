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
    let mut sources = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        sources.push(SourceFile::new(p.display().to_string(), text));
    }
    let mut diags = Diagnostics::default();
    let files: Vec<_> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| tess_syntax::parser::parse_file(FileId(i as u32), &s.text, &mut diags))
        .collect();
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
