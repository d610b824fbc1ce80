//! `tess`: the Tessera compiler driver. It reads sources, runs the front
//! end, and either runs the program under the JIT or links an executable
//! with the system C compiler.

mod diagnostics;
mod frontend;
mod header;
mod jit_with_libraries;
mod link;
mod pieces;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tess_codegen::object_file::Output;
use tess_sema::hir::Mode;

#[derive(Parser)]
#[command(name = "tess", version, about = "The Tessera compiler")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile in memory and run at once; arguments after FILE go to the program.
    Run {
        /// Directories of compiled modules to import from.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// Load the C library `libNAME.so` (for `extern fn` declarations).
        #[arg(long = "link-lib", value_name = "NAME")]
        link_lib: Vec<String>,
        /// Look for C libraries in DIR.
        #[arg(short = 'L', value_name = "DIR")]
        lib_dirs: Vec<PathBuf>,
        file: PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Compile a program to a native executable, or with `--lib` a module
    /// to a library and its interface file.
    Build {
        files: Vec<PathBuf>,
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// The executable or library to write.
        #[arg(short = 'o', value_name = "OUT")]
        output: Option<PathBuf>,
        /// Also keep the object file beside the output.
        #[arg(long)]
        emit_obj: bool,
        /// Build a library module (no top-level statements).
        #[arg(long, requires = "module")]
        lib: bool,
        /// The library's module name.
        #[arg(long, value_name = "NAME")]
        module: Option<String>,
        /// Write a shared library `libNAME.so`.
        #[arg(long, conflicts_with = "static_lib", requires = "lib")]
        shared: bool,
        /// Write a static archive `libNAME.a`.
        #[arg(long = "static", requires = "lib")]
        static_lib: bool,
        /// Also write a C header declaring the `export extern fn`s.
        #[arg(long, value_name = "FILE.h", requires = "lib")]
        emit_header: Option<PathBuf>,
        /// Link the C library `libNAME` (for `extern fn` declarations).
        #[arg(long = "link-lib", value_name = "NAME")]
        link_lib: Vec<String>,
        /// Look for C libraries in DIR (recorded as an rpath too).
        #[arg(short = 'L', value_name = "DIR")]
        lib_dirs: Vec<PathBuf>,
    },
    /// Compile one file of a module to an object (a module in pieces):
    /// the module's other files, listed in a compilation database, are
    /// checked but not compiled.
    Compile {
        #[arg(long, value_name = "NAME")]
        module: String,
        #[arg(long, value_name = "FILE")]
        primary_file: PathBuf,
        /// A JSON array of {"file", "directory", "module"} (clang's
        /// compile_commands.json shape).
        #[arg(long, value_name = "CDB")]
        module_source_list: PathBuf,
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        #[arg(short = 'o', value_name = "OBJ")]
        output: PathBuf,
        /// The object goes into a shared library (adds the descriptor
        /// `loadLibrary` reads to the piece with the init entry).
        #[arg(long)]
        shared: bool,
    },
    /// Print an interface file readably.
    Interface { file: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { include, link_lib, lib_dirs, file, args } => {
            load_c_libraries(&lib_dirs, &link_lib).and_then(|_libs| run(&include, &file, args))
        }
        Command::Build {
            files,
            include,
            output,
            emit_obj,
            lib: true,
            module: Some(name),
            shared,
            static_lib,
            emit_header,
            link_lib,
            lib_dirs,
        } => {
            let kind = if shared {
                link::LibKind::Shared
            } else if static_lib {
                link::LibKind::Static
            } else {
                return ExitCode::from(report("--lib needs --shared or --static".into()));
            };
            link::c_library_args(&lib_dirs, &link_lib)
                .and_then(|c| build_library(&name, kind, &files, &include, output, emit_obj, emit_header, &c))
        }
        Command::Build { files, include, output, emit_obj, link_lib, lib_dirs, .. } => {
            link::c_library_args(&lib_dirs, &link_lib).and_then(|c| build(&files, &include, output, emit_obj, &c))
        }
        Command::Interface { file } => print_interface(&file),
        Command::Compile { module, primary_file, module_source_list, include, output, shared } => {
            pieces::compile(&module, &primary_file, &module_source_list, &include, &output, shared)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => ExitCode::from(report(e)),
    }
}

fn report(e: String) -> u8 {
    eprintln!("error: {e}");
    1
}

/// What a driver step returns: an exit code, or a message for the user.
type DResult = Result<ExitCode, String>;

/// `tess run --link-lib NAME [-L DIR]`: loads `libNAME.so` (from the `-L`
/// directories, else the system's search path) with global symbols, so
/// the JIT finds the program's `extern fn`s in it. The handles must live
/// while the program runs.
fn load_c_libraries(dirs: &[PathBuf], libs: &[String]) -> Result<Vec<libloading::os::unix::Library>, String> {
    use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};
    libs.iter()
        .map(|name| {
            let file = format!("lib{name}.so");
            let path = dirs.iter().map(|d| d.join(&file)).find(|p| p.exists()).unwrap_or_else(|| PathBuf::from(&file));
            unsafe { Library::open(Some(&path), RTLD_NOW | RTLD_GLOBAL) }
                .map_err(|e| format!("--link-lib {name}: cannot load {}: {e}", path.display()))
        })
        .collect()
}

fn run(include: &[PathBuf], file: &PathBuf, args: Vec<String>) -> DResult {
    let Some(frontend::Checked { module, imports }) =
        frontend::compile_module(frontend::MAIN_MODULE, Mode::Program, std::slice::from_ref(file), include)?
    else {
        return Ok(ExitCode::from(1));
    };
    if imports.is_empty() {
        // The runtime linked into `tess` serves the program.
        let table: std::collections::HashMap<&str, *const u8> =
            tessera_rt::symbols::runtime_symbols().into_iter().collect();
        // C functions (`extern fn` declarations) from the libraries `tess` has loaded.
        let this = libloading::os::unix::Library::this();
        let c_symbol = |name: &str| unsafe { this.get::<*const u8>(name.as_bytes()) }.ok().map(|s| *s);
        let resolve = |name: &str| table.get(name).copied().or_else(|| c_symbol(name));
        let program = tess_codegen::jit::jit(&module, &resolve).map_err(|e| e.to_string())?;
        tessera_rt::process::init_with_args(args);
        program.run_init();
        if !tessera_rt::exc::pending().is_null() {
            unsafe { tessera_rt::exc::tess_uncaught() }
        }
        tessera_rt::process::tess_rt_shutdown();
        return Ok(ExitCode::SUCCESS);
    }
    jit_with_libraries::run(&module, &imports, file, args)
}

fn build(
    files: &[PathBuf],
    include: &[PathBuf],
    output: Option<PathBuf>,
    emit_obj: bool,
    c_libs: &[String],
) -> DResult {
    let Some(first) = files.first() else {
        return Err("no input files (Tessera.toml packages are not supported yet)".into());
    };
    let Some(frontend::Checked { module, imports }) =
        frontend::compile_module(frontend::MAIN_MODULE, Mode::Program, files, include)?
    else {
        return Ok(ExitCode::from(1));
    };
    let object = tess_codegen::object_file::object_file(&module, Output::Program).map_err(|e| e.to_string())?;
    let output = output.unwrap_or_else(|| PathBuf::from(first.file_stem().unwrap_or_default()));
    link::link_executable(&object, &output, emit_obj, &imports, c_libs)?;
    Ok(ExitCode::SUCCESS)
}

/// The target triple recorded in interface files.
const TARGET: &str = "x86_64-unknown-linux-gnu";

fn build_library(
    name: &str,
    kind: link::LibKind,
    files: &[PathBuf],
    include: &[PathBuf],
    output: Option<PathBuf>,
    emit_obj: bool,
    emit_header: Option<PathBuf>,
    c_libs: &[String],
) -> DResult {
    if name.is_empty()
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!("`{name}` is not a valid module name (use letters, digits and `_`)"));
    }
    if files.is_empty() {
        return Err("no input files".into());
    }
    let Some(frontend::Checked { module, imports }) = frontend::compile_module(name, Mode::Library, files, include)?
    else {
        return Ok(ExitCode::from(1));
    };
    let out_kind = match kind {
        link::LibKind::Static => Output::Archive,
        link::LibKind::Shared => Output::SharedLibrary,
    };
    let object = tess_codegen::object_file::object_file(&module, out_kind).map_err(|e| e.to_string())?;
    let output = output.unwrap_or_else(|| PathBuf::from(kind.file_name(name)));
    link::link_library(&object, &output, kind, emit_obj, &imports, c_libs)?;
    let interface = tess_sema::interface::interface_of(&module, TARGET, env!("CARGO_PKG_VERSION"));
    if let Some(h) = emit_header {
        std::fs::write(&h, header::header(&module)).map_err(|e| format!("cannot write {}: {e}", h.display()))?;
        let api = h.with_file_name("tessera.h");
        std::fs::write(&api, header::TESSERA_H).map_err(|e| format!("cannot write {}: {e}", api.display()))?;
    }
    let tesi = output.with_file_name(format!("{name}.tesi"));
    std::fs::write(&tesi, tess_sema::interface::encode(&interface))
        .map_err(|e| format!("cannot write {}: {e}", tesi.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn print_interface(file: &PathBuf) -> DResult {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let interface = tess_sema::interface::decode(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    print!("{}", tess_sema::interface::describe(&interface));
    Ok(ExitCode::SUCCESS)
}
