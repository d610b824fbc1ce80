//! `tess`: the Tessera compiler driver. It reads sources, runs the front
//! end, and either runs the program under the JIT or links an executable
//! with the system C compiler.

mod diagnostics;
mod frontend;
mod link;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
        file: PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Compile a program to a native executable.
    Build {
        files: Vec<PathBuf>,
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// The executable to write (default: the main file's name).
        #[arg(short = 'o', value_name = "PROG")]
        output: Option<PathBuf>,
        /// Also keep the object file beside the executable.
        #[arg(long)]
        emit_obj: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { include, file, args } => run(&include, &file, args),
        Command::Build { files, include, output, emit_obj } => build(&files, &include, output, emit_obj),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// What a driver step returns: an exit code, or a message for the user.
type DResult = Result<ExitCode, String>;

fn check_includes(include: &[PathBuf]) -> Result<(), String> {
    match include.first() {
        Some(dir) => Err(format!("-I {}: importing compiled modules is not supported yet", dir.display())),
        None => Ok(()),
    }
}

fn run(include: &[PathBuf], file: &PathBuf, args: Vec<String>) -> DResult {
    check_includes(include)?;
    let Some(module) = frontend::compile_program(std::slice::from_ref(file))? else {
        return Ok(ExitCode::from(1));
    };
    let program = tess_codegen::jit::jit(&module, tessera_rt::symbols::runtime_symbols()).map_err(|e| e.to_string())?;
    tessera_rt::process::init_with_args(args);
    program.run_init();
    if !tessera_rt::exc::pending().is_null() {
        unsafe { tessera_rt::exc::tess_uncaught() }
    }
    tessera_rt::process::tess_rt_shutdown();
    Ok(ExitCode::SUCCESS)
}

fn build(files: &[PathBuf], include: &[PathBuf], output: Option<PathBuf>, emit_obj: bool) -> DResult {
    check_includes(include)?;
    let Some(first) = files.first() else {
        return Err("no input files (Tessera.toml packages are not supported yet)".into());
    };
    let Some(module) = frontend::compile_program(files)? else {
        return Ok(ExitCode::from(1));
    };
    let object = tess_codegen::object_file::object_file(&module, true).map_err(|e| e.to_string())?;
    let output = output.unwrap_or_else(|| PathBuf::from(first.file_stem().unwrap_or_default()));
    link::link_executable(&object, &output, emit_obj)?;
    Ok(ExitCode::SUCCESS)
}
