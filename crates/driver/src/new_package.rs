//! `tess new NAME [--lib]` and `tess clean`: a package made ready to build
//! (as `cargo new` makes one), and its build directory removed.

use crate::artifacts::valid_module_name;
use crate::manifest::{valid_program_name, MANIFEST};
use crate::package::BUILD_DIR;
use crate::Error;
use std::path::Path;

/// Makes package `name` in directory `name`: `Tessera.toml`, a program
/// that prints a greeting (or, with `lib`, a module `name` exporting one),
/// and a `.gitignore` for `build/`.
pub fn new_package(name: &str, lib: bool) -> Result<(), Error> {
    let dir = Path::new(name);
    let base = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let valid = if lib { valid_module_name(&base) } else { valid_program_name(&base) };
    if !valid {
        let rule = match lib {
            true => "a library's name is its module's: letters, digits and `_`, not starting with a digit",
            false => "a package's name is its program's: letters, digits, `_` and `-`",
        };
        return Err(format!("`{base}` is not a valid package name ({rule})").into());
    }
    if dir.exists() {
        return Err(format!("destination `{name}` already exists (choose another name, or remove it)").into());
    }
    let write = |path: &Path, text: &str| -> Result<(), Error> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
    };
    let manifest = match lib {
        true => format!("[package]\nname = \"{base}\"\n[modules]\n{base} = \"static\"\n"),
        false => format!("[package]\nname = \"{base}\"\n"),
    };
    write(&dir.join(MANIFEST), &manifest)?;
    write(&dir.join(".gitignore"), &format!("/{BUILD_DIR}/\n"))?;
    match lib {
        true => write(
            &dir.join("src").join(&base).join(format!("{base}.tes")),
            &format!("/// A greeting from module `{base}`.\nexport fn greeting() -> String {{\n    return \"Hello from {base}!\"\n}}\n"),
        ),
        false => write(&dir.join("src").join("main.tes"), &format!("print(\"Hello from {base}!\")\n")),
    }
}

/// Removes the build directory of the package at `root`; false when there
/// was none.
pub fn clean(root: &Path) -> Result<bool, Error> {
    let build = root.join(BUILD_DIR);
    if !build.exists() {
        return Ok(false);
    }
    std::fs::remove_dir_all(&build).map_err(|e| format!("cannot remove {}: {e}", build.display()))?;
    Ok(true)
}
