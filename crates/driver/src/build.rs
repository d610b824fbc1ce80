//! `tess build`: a program to an executable, a module to a library and its
//! interface, or the compiler's intermediate forms (`--emit`).

use crate::artifacts::{self, LibKind};
use crate::frontend::{self, Checked, ModuleInput, MAIN_MODULE};
use crate::steps::{self, Target};
use crate::{header, link, Error};
use std::path::{Path, PathBuf};
use tess_codegen::object_file::{self, Opt};
use tess_sema::hir::Mode;

/// What `tess build` writes instead of a binary.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Emit {
    /// The Cranelift IR of every function, as the translator produces it.
    Clif,
    /// The checked, typed program (HIR).
    Hir,
}

/// Where the inputs of a build are and what they link with.
pub struct BuildInput<'a> {
    pub files: &'a [PathBuf],
    /// Directories of compiled modules (`-I`).
    pub search: &'a [PathBuf],
    /// Linker arguments for C libraries (`-L`, `--link-lib`).
    pub c_libs: &'a [String],
    /// Keep the object file beside the output.
    pub keep_object: bool,
    /// How much the code generator optimises (`-O0`).
    pub opt: Opt,
    /// Leave the debug information out of what `cc` links (`--strip`).
    pub strip: bool,
}

impl BuildInput<'_> {
    /// What the link step passes to `cc` besides the objects: the C
    /// libraries, and `--strip`'s flag.
    fn link_args(&self) -> Vec<String> {
        let mut args = self.c_libs.to_vec();
        if self.strip {
            args.push("-Wl,--strip-debug".into());
        }
        args
    }
}

fn codegen_error(e: tess_codegen::CodegenError) -> Error {
    Error::Message(e.to_string())
}

/// A program: its main module to an executable at `output` (default: the
/// first file's name without extension).
pub fn program(input: &BuildInput, output: Option<PathBuf>) -> Result<PathBuf, Error> {
    let first = input.files.first().ok_or("no input files")?;
    let compiled = compile(input, MAIN_MODULE, Mode::Program, false)?;
    let output = output.unwrap_or_else(|| PathBuf::from(first.file_stem().unwrap_or_default()));
    steps::link_objects(
        &compiled.objects,
        &output,
        Target::Program,
        &compiled.checked.imports,
        &input.link_args(),
        input.keep_object,
    )?;
    Ok(output)
}

/// A library module: `libNAME.a` or `libNAME.so` (or `output`), its
/// interface `NAME.tesi` beside it, and with `header` a C header (and
/// `tessera.h` beside it).
pub fn library(
    input: &BuildInput,
    name: &str,
    kind: LibKind,
    output: Option<PathBuf>,
    header_path: Option<&Path>,
) -> Result<PathBuf, Error> {
    let compiled = compile(input, name, Mode::Library, kind == LibKind::Shared)?;
    let output = output.unwrap_or_else(|| PathBuf::from(kind.file_name(name)));
    let checked = &compiled.checked;
    steps::link_objects(
        &compiled.objects,
        &output,
        compiled.target,
        &checked.imports,
        &input.link_args(),
        input.keep_object,
    )?;
    if let Some(h) = header_path {
        steps::write_header(checked, h)?;
    }
    steps::write_interface(checked, kind, &output, header_path, input.c_libs)?;
    Ok(output)
}

/// `tess config --cflags`: where `tessera.h` is (written there, in the
/// runtime's directory, when missing or out of date), as `-I DIR`.
pub fn runtime_cflags() -> Result<String, Error> {
    let dir = artifacts::runtime_dir()?.join("include");
    let path = dir.join("tessera.h");
    let text = header::tessera_h();
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        write(&path, text.as_bytes())?;
    }
    Ok(format!("-I{}", dir.display()))
}

/// gdb's pretty-printers for Tessera values (`print s` shows `"text"`,
/// `print xs` `[1, 2, 3]`), installed beside the runtime.
pub(crate) const GDB_PRINTERS: &str = include_str!("../gdb/tessera.py");

/// `tess config --gdb-init`: installs the pretty-printers beside the runtime
/// (when they changed) and gives the gdb command that loads them.
pub fn gdb_init() -> Result<String, Error> {
    let path = artifacts::runtime_dir()?.join("gdb").join("tessera.py");
    write(&path, GDB_PRINTERS.as_bytes())?;
    Ok(format!("source {}", path.display()))
}

/// `tess config --libs`: what links a C program against the shared runtime.
pub fn runtime_libs() -> Result<String, Error> {
    Ok(link::shared_runtime_args(None)?.join(" "))
}

/// `--emit=KIND`: the intermediate form of the module, as text.
pub fn emit(input: &BuildInput, module: Option<&str>, kind: Emit) -> Result<String, Error> {
    let checked = match module {
        Some(name) => check(input, name, Mode::Library)?,
        None => check(input, MAIN_MODULE, Mode::Program)?,
    };
    match kind {
        Emit::Clif => crate::on_compiler_stack(|| object_file::clif_text(&checked.module)).map_err(codegen_error),
        Emit::Hir => Ok(format!("{:#?}\n", checked.module)),
    }
}

/// `tess interface FILE`: an interface file, readably.
pub fn describe_interface(file: &Path) -> Result<String, Error> {
    let interface = frontend::read_interface(file)?;
    Ok(tess_sema::interface::describe(&interface))
}

fn check(input: &BuildInput, name: &str, mode: Mode) -> Result<Checked, Error> {
    frontend::check(&ModuleInput {
        name,
        mode: Some(mode),
        files: input.files,
        search: input.search,
        parse_cache: None,
        exported_only: &[],
        in_package: false,
    })
}

fn compile(input: &BuildInput, name: &str, mode: Mode, shared: bool) -> Result<steps::Compiled, Error> {
    steps::compile(&steps::Request {
        name,
        files: input.files,
        search: input.search,
        mode: Some(mode),
        shared,
        opt: input.opt,
        tests: false,
        exported_only: &[],
        in_package: false,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    link::write_if_changed(path, bytes)?;
    Ok(())
}
