//! The steps every build is made of, each a pure function of its inputs:
//! **compile** (a module's sources and the interfaces it imports → one
//! object per source file, and for a library its interface and
//! pkg-config file) and **link** (objects and libraries → an archive, a
//! shared library or a program). `tess build` of files, a package build,
//! `tess compile`/`tess link` (which ninja and Bazel run) and a module in
//! pieces all go through these, so they write the same bytes.

use crate::artifacts::{self, ImportedModule, LibKind};
use crate::frontend::{self, Checked, ModuleInput};
use crate::{link, pkg_config, Error};
use std::path::{Path, PathBuf};
use tess_codegen::object_file::{self, Opt, Output};
use tess_sema::hir::{self, Mode};

/// What a module is built into.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    Program,
    Library(LibKind),
}

impl Target {
    /// What a checked module of `mode` becomes; `shared` for a library
    /// going into a shared library.
    pub fn of(mode: Mode, shared: bool) -> Target {
        match (mode, shared) {
            (Mode::Program, _) => Target::Program,
            (Mode::Library, true) => Target::Library(LibKind::Shared),
            (Mode::Library, false) => Target::Library(LibKind::Static),
        }
    }

    fn output(self) -> Output {
        match self {
            Target::Program => Output::Program,
            Target::Library(LibKind::Static) => Output::Archive,
            Target::Library(LibKind::Shared) => Output::SharedLibrary,
        }
    }
}

/// A module checked and compiled.
pub struct Compiled {
    pub checked: Checked,
    pub target: Target,
    /// One object per source file, in the files' order (the objects a
    /// module in pieces gives, one `tess compile --primary-file` each).
    pub objects: Vec<Vec<u8>>,
}

/// What to compile: a module's files, found imports, and what it becomes.
pub struct Request<'a> {
    pub name: &'a str,
    pub files: &'a [PathBuf],
    pub search: &'a [PathBuf],
    /// `None`: a program when the files have top-level statements.
    pub mode: Option<Mode>,
    /// A library module goes into a shared library (else an archive).
    pub shared: bool,
    pub opt: Opt,
    /// The module's test program instead (`test_harness.rs`).
    pub tests: bool,
    /// Directories of other packages' modules, seen through their
    /// exports (`frontend::ModuleInput::exported_only`).
    pub exported_only: &'a [PathBuf],
    /// A package's module (`frontend::ModuleInput::in_package`).
    pub in_package: bool,
}

fn codegen_error(e: tess_codegen::CodegenError) -> Error {
    Error::Message(e.to_string())
}

/// Checks the module and compiles each of its files to an object.
pub fn compile(r: &Request) -> Result<Compiled, Error> {
    artifacts::check_module_name(r.name)?;
    if r.files.is_empty() {
        return Err("no input files".into());
    }
    let input = ModuleInput {
        name: r.name,
        mode: r.mode,
        files: r.files,
        search: r.search,
        parse_cache: None,
        exported_only: r.exported_only,
        in_package: r.in_package,
    };
    let mut checked = if r.tests { frontend::check_tests(&input)? } else { frontend::check(&input)? };
    let target = Target::of(checked.module.mode, r.shared);
    // A test program has one more file: the runner (`test_harness.rs`).
    let files = r.files.len() + usize::from(r.tests);
    let mut objects = Vec::with_capacity(files);
    // Writing the objects, linking and the interface read only
    // declarations: the bodies are freed once translated.
    if files == 1 {
        let module = &mut checked.module;
        let code = crate::on_compiler_stack(|| object_file::machine_code_consuming(module, target.output(), r.opt));
        objects.push(code.and_then(|c| c.emit()).map_err(codegen_error)?);
    } else {
        for piece in 0..files {
            let code = machine_code(&checked.module, target, piece, files, r.opt)?;
            if piece + 1 == files {
                checked.module.drop_bodies();
            }
            objects.push(code.emit().map_err(codegen_error)?);
        }
    }
    Ok(Compiled { checked, target, objects })
}

/// The object of file `piece` of a module of `files` files: the code of
/// that file's declarations. A module of one file is compiled whole, so
/// that its internal symbols stay local to its object; with several
/// files they are hidden globals, which the other files' objects link to.
pub fn object_of(module: &hir::Module, target: Target, piece: usize, files: usize, opt: Opt) -> Result<Vec<u8>, Error> {
    machine_code(module, target, piece, files, opt)?.emit().map_err(codegen_error)
}

/// [`object_of`] before its bytes are written.
fn machine_code(
    module: &hir::Module,
    target: Target,
    piece: usize,
    files: usize,
    opt: Opt,
) -> Result<object_file::MachineCode, Error> {
    let piece = (files > 1).then_some(piece as u32);
    crate::on_compiler_stack(|| object_file::machine_code(module, target.output(), piece, opt)).map_err(codegen_error)
}

/// The bytes of a checked library module's interface file, for a library
/// of `kind`.
pub fn interface_bytes(checked: &Checked, kind: LibKind) -> Result<Vec<u8>, Error> {
    let interface = tess_sema::interface::Interface { shared: kind == LibKind::Shared, ..checked.interface.clone() };
    Ok(tess_sema::interface::encode(&interface, object_file::target_triple(), env!("CARGO_PKG_VERSION")))
}

/// The file names of a module's objects in an object directory: each
/// source file's name with `.o` (two files of one name are an error).
pub fn object_names(files: &[PathBuf]) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = Vec::new();
    for f in files {
        let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let name = format!("{stem}.o");
        if names.contains(&name) {
            return Err(format!("two files of the module are named {stem}.tes: their objects would be one file").into());
        }
        names.push(name);
    }
    Ok(names)
}

/// Writes a compiled module's objects into `obj_dir` — one per file, and
/// for a test program the runner's, `test_harness::HARNESS_OBJECT` — and,
/// for a library, its interface beside `library` (where its library goes).
/// Files whose bytes did not change are left alone (ninja's `restat` then
/// cuts off what depends on them); the paths written or kept, in order:
/// objects, then the interface.
pub fn write_compiled(
    c: &Compiled,
    files: &[PathBuf],
    obj_dir: &Path,
    library: Option<&Path>,
) -> Result<Vec<PathBuf>, Error> {
    let mut outputs = Vec::new();
    let mut names = object_names(files)?;
    if c.objects.len() > names.len() {
        let runner = crate::test_harness::HARNESS_OBJECT.to_string();
        if names.contains(&runner) {
            return Err(format!("a file of the module is named like the test runner's object, {runner}").into());
        }
        names.push(runner);
    }
    for (name, object) in names.iter().zip(&c.objects) {
        let path = obj_dir.join(name);
        link::write_if_changed(&path, object)?;
        outputs.push(path);
    }
    if let (Some(library), Target::Library(kind)) = (library, c.target) {
        let interface = library.with_file_name(artifacts::interface_file(&c.checked.module.name));
        link::write_if_changed(&interface, &interface_bytes(&c.checked, kind)?)?;
        outputs.push(interface);
    }
    Ok(outputs)
}

/// Writes a library module's interface `NAME.tesi` and pkg-config file
/// `NAME.pc` beside its `library` (unless unchanged).
pub fn write_interface(
    checked: &Checked,
    kind: LibKind,
    library: &Path,
    header: Option<&Path>,
    c_libs: &[String],
) -> Result<(), Error> {
    let name = &checked.module.name;
    link::write_if_changed(&library.with_file_name(artifacts::interface_file(name)), &interface_bytes(checked, kind)?)?;
    write_pc(name, kind, library, header, &checked.imports, c_libs)?;
    Ok(())
}

/// Writes module `name`'s pkg-config file `NAME.pc` beside its `library`
/// (unless unchanged), naming the libraries of `imports` too; its path.
pub fn write_pc(
    name: &str,
    kind: LibKind,
    library: &Path,
    header: Option<&Path>,
    imports: &[ImportedModule],
    c_libs: &[String],
) -> Result<PathBuf, Error> {
    let pc = pkg_config::pc_file(name, kind, library, header, imports, c_libs)?;
    let path = library.with_file_name(artifacts::pkg_config_file(name));
    link::write_if_changed(&path, pc.as_bytes())?;
    Ok(path)
}

/// Writes the C header declaring a library module's `export extern fn`s at
/// `path`, and `tessera.h` (the runtime's C API it includes) beside it.
pub fn write_header(checked: &Checked, path: &Path) -> Result<(), Error> {
    link::write_if_changed(path, crate::header::header(&checked.module).as_bytes())?;
    link::write_if_changed(&path.with_file_name("tessera.h"), crate::header::tessera_h().as_bytes())?;
    Ok(())
}

/// Links objects (read from files) into `out`: an archive, a shared
/// library or a program, with the libraries of `imports`.
pub fn link_files(
    objects: &[PathBuf],
    out: &Path,
    target: Target,
    imports: &[ImportedModule],
    rpaths: &[String],
) -> Result<(), Error> {
    if objects.is_empty() {
        return Err(format!("no objects to link into {}", out.display()).into());
    }
    let objects: Vec<Vec<u8>> = objects
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            let platform = tess_codegen::target::platform();
            let format = match platform {
                tess_codegen::target::Platform::X86_64Windows => object::FileKind::Coff,
                _ => object::FileKind::Elf64,
            };
            if object::FileKind::parse(bytes.as_slice()).ok() != Some(format) {
                return Err(format!(
                    "{} is not an object file for {} (compile it with `tess compile`)",
                    p.display(),
                    platform.triple()
                ));
            }
            Ok(bytes)
        })
        .collect::<Result<_, String>>()?;
    let rpaths: Vec<String> = rpaths.iter().map(|dir| format!("-Wl,-rpath,{dir}")).collect();
    link_objects(&objects, out, target, imports, &rpaths, false)
}

/// Links objects into `out` (see [`link_files`]), with C libraries
/// `c_libs`; `keep` leaves the objects beside `out`.
pub fn link_objects(
    objects: &[Vec<u8>],
    out: &Path,
    target: Target,
    imports: &[ImportedModule],
    c_libs: &[String],
    keep: bool,
) -> Result<(), Error> {
    match target {
        Target::Program => link::link_executable(objects, out, keep, imports, c_libs)?,
        Target::Library(kind) => link::link_library(objects, out, kind, keep, imports, c_libs)?,
    }
    Ok(())
}
