//! `tess fmt [--check] [FILES|DIRS]` (issue 13): every `.tes` file named, or
//! found below a directory named (in a package without arguments: `src/`),
//! in the canonical layout of `tess_syntax::format`. A file with syntax
//! errors is left as it is and its errors reported with everyone else's.

use crate::link::write_atomically;
use crate::Error;
use std::path::{Path, PathBuf};
use tess_syntax::{Diagnostics, FileId, SourceFile};

/// What `tess fmt` did.
pub struct Formatted {
    /// The files whose layout changed (with `check`: would change).
    pub changed: Vec<PathBuf>,
}

/// The `.tes` files `paths` name: files as given, directories searched
/// (sorted, so the order is the same everywhere).
fn sources(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!("cannot format {}: no such file or directory", p.display()).into());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "tes") {
            out.push(p);
        }
    }
    Ok(())
}

/// `text` in the canonical layout (`tess_syntax::format`), formatted on the
/// compiler's own stack, as deeply nested code needs.
pub fn format(id: FileId, text: &str) -> Result<String, Diagnostics> {
    crate::on_compiler_stack(|| tess_syntax::format::format(id, text))
}

/// Formats `paths` (writing them unless `check`); syntax errors in any
/// file are returned together, after every other file is done.
pub fn run(paths: &[PathBuf], check: bool) -> Result<Formatted, Error> {
    let mut changed = Vec::new();
    let mut failed_sources = Vec::new();
    let mut diags = Diagnostics::default();
    for path in sources(paths)? {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let id = FileId(failed_sources.len() as u32);
        match format(id, &text) {
            Ok(formatted) if formatted != text => {
                if !check {
                    write_atomically(&path, formatted.as_bytes())?;
                }
                changed.push(path);
            }
            Ok(_) => {}
            Err(d) => {
                failed_sources.push(SourceFile::new(path.display().to_string(), text));
                diags.items.extend(d.items);
            }
        }
    }
    if diags.has_errors() {
        return Err(Error::Diagnostics { sources: failed_sources, diags });
    }
    Ok(Formatted { changed })
}
