//! `tess`: the command line of the Tessera compiler. It parses arguments,
//! calls the driver library (`tess_driver`) and renders what comes back.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tess_codegen::object_file::Opt;
use tess_codegen::target::{self, Platform};
use tess_driver::artifacts::LibKind;
use tess_driver::build::{self, BuildInput, Emit};
use tess_driver::diagnostics::{self, ErrorFormat};
use tess_driver::steps::{self, Target};
use tess_driver::{launch, link, package, pieces, Error};

// The compiler allocates and frees millions of small IR nodes, from every
// core at once: with glibc's malloc that was a fifth of a build's time
// (bench/compile). It allocates with mimalloc, the global allocator of the
// runtime it links (`tessera_rt::allocator`; a binary has one), configured
// first thing in `main`.

#[derive(Parser)]
#[command(name = "tess", version, about = "The Tessera compiler")]
struct Cli {
    /// How errors in the program are written: `human` (the source line, a
    /// marker and a hint) or `short` (`file:line:col: error: message`).
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human, global = true)]
    error_format: ErrorFormat,
    /// The platform to compile for (default: this machine's):
    /// x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu or
    /// x86_64-pc-windows-gnu (`docs/targets.md`).
    #[arg(long, value_name = "TRIPLE", global = true)]
    target: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// `tess help build`'s examples.
const BUILD_EXAMPLES: &str = "Examples:
  tess build                                   build the package around the current directory
  tess build main.tes -o app                   a program from one file
  tess build -O0 main.tes                      compile fast, optimise little
  tess build --lib --module geo --shared geo.tes
                                               libgeo.so and geo.tesi, for programs and plugins
  tess build main.tes -I lib                   import modules compiled into lib/ (or their sources)
  tess build --emit-ninja                      write build/build.ninja, then `ninja -C build`";

#[derive(Subcommand)]
enum Command {
    /// Compile FILE.tes in memory and run it at once (arguments after FILE
    /// go to the program); without a FILE, build the package around the
    /// current directory and run its program with ARGS.
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
        /// FILE.tes (or a script starting with `#!`), then its arguments;
        /// in a package, the program's arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "FILE|ARGS")]
        args: Vec<String>,
    },
    /// Compile a program to a native executable, or with `--lib` a module
    /// to a library and its interface file; without files, build the
    /// package around the current directory (`Tessera.toml`).
    #[command(after_long_help = BUILD_EXAMPLES)]
    Build {
        /// The program's (or with `--lib` the module's) source files; none:
        /// the package around the current directory.
        files: Vec<PathBuf>,
        /// Steps of a package build to run at once (default: the cores).
        #[arg(short = 'j', value_name = "N")]
        jobs: Option<usize>,
        /// Write the package's steps as `build/build.ninja` instead of
        /// building (then: `ninja -C build`).
        #[arg(long)]
        emit_ninja: bool,
        /// `-O0`: compile fast, optimise little (default: optimise).
        #[arg(short = 'O', value_name = "LEVEL", value_parser = ["0", "2"])]
        opt: Option<String>,
        /// Directories of compiled modules (or their sources) to import
        /// from, searched in order.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// The executable or library to write.
        #[arg(short = 'o', value_name = "OUT")]
        output: Option<PathBuf>,
        /// Also keep the object file beside the output.
        #[arg(long)]
        emit_obj: bool,
        /// Leave the debug information (DWARF) out of the executable or
        /// shared library (it is written by default).
        #[arg(long, conflicts_with = "static_lib")]
        strip: bool,
        /// Print an intermediate form on standard output instead of building.
        #[arg(long, value_enum, value_name = "KIND")]
        emit: Option<Emit>,
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
    /// Compile a module without linking: its FILES to one object each in
    /// `--obj-dir` (with its interface at `--emit-interface`); or, with
    /// `--primary-file`, one file of a module in pieces, whose other files
    /// a compilation database lists, to the object `-o`.
    Compile {
        /// The module's name (`main` for a program).
        #[arg(long, value_name = "NAME")]
        module: String,
        /// The module's files (whole-module compile).
        files: Vec<PathBuf>,
        /// Where the objects go: one per file, named after it.
        #[arg(long, value_name = "DIR", conflicts_with = "primary_file")]
        obj_dir: Option<PathBuf>,
        /// Also write the library module's interface here.
        #[arg(long, value_name = "FILE.tesi", requires = "obj_dir")]
        emit_interface: Option<PathBuf>,
        /// Also write a C header declaring its `export extern fn`s (and
        /// `tessera.h` beside it).
        #[arg(long, value_name = "FILE.h", requires = "emit_interface")]
        emit_header: Option<PathBuf>,
        /// The one file of a module in pieces to compile (its other files
        /// are in `--module-source-list`).
        #[arg(long, value_name = "FILE", requires_all = ["module_source_list", "output"])]
        primary_file: Option<PathBuf>,
        /// A JSON array of {"file", "directory", "module"} (clang's
        /// compile_commands.json shape).
        #[arg(long, value_name = "CDB")]
        module_source_list: Option<PathBuf>,
        /// Directories of compiled modules (or their sources) to import
        /// from, searched in order.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// The object to write (with `--primary-file`).
        #[arg(short = 'o', value_name = "OBJ")]
        output: Option<PathBuf>,
        /// The library goes into a shared library (adds the descriptor
        /// `loadLibrary` reads to the object with the init entry).
        #[arg(long)]
        shared: bool,
        /// `-O0`: compile fast, optimise little (default: optimise).
        #[arg(short = 'O', value_name = "LEVEL", value_parser = ["0", "2"])]
        opt: Option<String>,
        /// Compile the module's test program instead: its `test fn`s run
        /// instead of its statements, as `tess test` builds it; one more
        /// object, `tess-test-runner.o`, runs them (link the objects as a
        /// program; for build systems such as Bazel's `tessera_test`).
        #[arg(long)]
        tests: bool,
    },
    /// Link objects into a program, or with `--static`/`--shared` a
    /// library (and with `--module` its `.pc` file), with the compiled
    /// modules `--import` names (and those they need) from `-I`. With
    /// `--module-source-list`, the objects are the pieces of module
    /// `--module`, and its interface is written beside the library too.
    Link {
        /// The objects to link (`tess compile`'s).
        objects: Vec<PathBuf>,
        /// The program or library to write.
        #[arg(short = 'o', value_name = "OUT")]
        output: PathBuf,
        /// Write a static archive `libNAME.a`.
        #[arg(long = "static", conflicts_with = "shared")]
        static_lib: bool,
        /// Write a shared library `libNAME.so`.
        #[arg(long)]
        shared: bool,
        /// Directories of compiled modules (or their sources) to import
        /// from, searched in order.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// A module the objects import.
        #[arg(long = "import", value_name = "NAME")]
        imports: Vec<String>,
        /// The library's module: its `NAME.pc` is written beside it.
        #[arg(long, value_name = "NAME")]
        module: Option<String>,
        /// The compilation database listing the module's files: the
        /// objects are its pieces.
        #[arg(long, value_name = "CDB", requires = "module")]
        module_source_list: Option<PathBuf>,
        /// One more directory the program or shared library finds shared
        /// libraries in when it runs, after those `tess` gives it: where a
        /// build system places them (`$ORIGIN/...` in Bazel's runfiles).
        #[arg(long = "rpath", value_name = "DIR")]
        rpaths: Vec<String>,
        /// The C compiler driver that links (default: `cc` on `PATH`): a
        /// build engine's C toolchain.
        #[arg(long, value_name = "PATH")]
        cc: Option<PathBuf>,
        /// Also write the shared library's interface stub (its soname and
        /// dynamic symbols, no code) for programs to link against: it
        /// changes only when the library's interface does.
        #[arg(long, value_name = "STUB", requires = "shared")]
        interface_stub: Option<PathBuf>,
    },
    /// Print an interface file readably.
    Interface {
        /// A module's interface, `NAME.tesi`.
        file: PathBuf,
    },
    /// Is NEW a compatible upgrade of OLD (two interfaces of one module)?
    /// Lists every difference, `compatible` or `breaking`; status 0 when
    /// compatible, 1 when breaking, 2 on bad input.
    AbiDiff {
        /// The interface the programs were built against.
        old: PathBuf,
        /// The interface of the upgrade.
        new: PathBuf,
    },
    /// Symbols to the Tessera names they stand for: each SYMBOL, or every
    /// symbol in standard input (a filter, as `c++filt`: `nm prog | tess
    /// demangle`).
    Demangle {
        /// Symbols to demangle (none: read standard input).
        symbols: Vec<String>,
    },
    /// Serve the Language Server Protocol on standard input and output:
    /// errors as you type, formatting.
    Lsp {
        /// Directories of compiled modules (or their sources) to import
        /// from, searched in order.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
    },
    /// Lay out source files in the one canonical style: each FILE, the
    /// `.tes` files below each DIR, or in a package its `src/`.
    Fmt {
        /// Files and directories to format (none: the package's `src/`).
        paths: Vec<PathBuf>,
        /// Change nothing; list the files that would change (status 1 if
        /// any).
        #[arg(long)]
        check: bool,
    },
    /// Check a program or module for errors without generating code (for
    /// editors and CI): FILES as one module, or without files every module
    /// of the package around the current directory. Status 1 on errors.
    Check {
        /// The module's source files (none: the package's modules).
        files: Vec<PathBuf>,
        /// Look for imported modules (compiled, or their sources) in DIR.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// Check FILES as library module NAME (default: a program).
        #[arg(long, value_name = "NAME")]
        module: Option<String>,
    },
    /// Run the `test fn`s of FILES, or without files of every module of
    /// the package around the current directory (built first): one test
    /// program per module, its tests on parallel threads
    /// (`TESS_TEST_THREADS`), a summary as Cargo's. Status 101 when a test
    /// fails.
    Test {
        /// `.tes` files to test as one module (none: the package); any
        /// other word is a filter: only the tests whose names contain one
        /// run.
        args: Vec<String>,
        /// Look for imported modules (compiled, or their sources) in DIR.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
    },
    /// Write HTML documentation from the `///` comments of what each
    /// module offers its importers (its `public` and `export`
    /// declarations): one page per module and a searchable index, in
    /// `build/doc/` of the package around the current directory, or with
    /// FILES (module `--module`) in `doc/`.
    Doc {
        /// The module's source files (none: the package's modules).
        files: Vec<PathBuf>,
        /// The name of the module of FILES.
        #[arg(long, value_name = "NAME", default_value = "main")]
        module: String,
    },
    /// Copy the package around the current directory (`Tessera.toml` and
    /// `src/`) into the registry `TESS_REGISTRY` as `NAME-VERSION/`, where
    /// packages depending on `NAME = "VERSION"` find it.
    Publish,
    /// Make a new package in directory NAME: `Tessera.toml`, a program
    /// printing a greeting (with `--lib`, a module NAME exporting one) and
    /// a `.gitignore`.
    New {
        /// The package's directory; its last part is the package's name.
        name: String,
        /// A library: module NAME instead of a program.
        #[arg(long)]
        lib: bool,
    },
    /// Remove the build directory of the package around the current
    /// directory.
    Clean,
    /// Package the compiler and its runtime as one archive a machine with
    /// nothing installed builds with once unpacked (a remote worker).
    Toolchain {
        /// Where to write the `.tar.gz` (`tessera/bin/tess` and the runtime
        /// beside it).
        #[arg(long, value_name = "FILE")]
        archive: PathBuf,
        /// Also pack the runtime of cross target TRIPLE (under
        /// `TRIPLE/`), for workers that build for it.
        #[arg(long = "cross", value_name = "TRIPLE")]
        cross: Vec<String>,
    },
    /// Print the compiler and linker flags of the runtime's C API
    /// (`tessera.h`, `tess_error_*`), as `python3-config` does.
    Config {
        /// `-I DIR` for `tessera.h`.
        #[arg(long)]
        cflags: bool,
        /// What links the shared runtime.
        #[arg(long)]
        libs: bool,
        /// The gdb command that loads Tessera's pretty-printers (installed
        /// beside the runtime): `gdb -ex "$(tess config --gdb-init)"`, or
        /// append it to `~/.gdbinit`.
        #[arg(long)]
        gdb_init: bool,
    },
}

/// The status of `tess test` when a test failed, as `cargo test`'s.
const TEST_FAILED: u8 = 101;

fn main() -> ExitCode {
    tessera_rt::allocator::configure_for_compiler();
    let cli = Cli::parse();
    if let Err(e) = select_target(cli.target.as_deref(), &cli.command) {
        report(&e, cli.error_format);
        return ExitCode::from(1);
    }
    match execute(cli.command) {
        Ok(code) => code,
        Err(e) => {
            report(&e, cli.error_format);
            ExitCode::from(1)
        }
    }
}

/// Compiles for `--target` from now on; refuses to run code of another
/// platform here (`tess run`, `tess test`), as `cargo run --target` does
/// without a runner.
fn select_target(triple: Option<&str>, command: &Command) -> Result<(), Error> {
    let Some(triple) = triple else { return Ok(()) };
    let platform = Platform::parse(triple)?;
    if platform != Platform::host() && matches!(command, Command::Run { .. } | Command::Test { .. }) {
        return Err(format!(
            "cannot run programs for {triple} on this machine ({}): build them with `tess build --target {triple}` \
             and run them there (or under an emulator: `qemu-aarch64`, `wine`)",
            Platform::host().triple()
        )
        .into());
    }
    target::select(platform)?;
    Ok(())
}

fn report(e: &Error, format: ErrorFormat) {
    match e {
        Error::Diagnostics { sources, diags } => diagnostics::emit(sources, diags, format),
        Error::Message(m) => eprintln!("error: {m}"),
        Error::Several(all) => all.iter().for_each(|e| report(e, format)),
    }
}

/// Whether the first argument of `tess run` names the file to run rather
/// than the first argument of a package's program: a `.tes` file, or a
/// script that starts with `#!` (run through its shebang line).
fn names_a_file(arg: &str) -> bool {
    if arg.ends_with(".tes") {
        return true;
    }
    let mut start = [0u8; 2];
    std::fs::File::open(arg).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut start)).is_ok() && &start == b"#!"
}

/// Changes to the root of the package around the current directory, with
/// `-I` directories made absolute first.
fn enter_package(include: &[PathBuf]) -> Result<package::Options, Error> {
    let here = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let root = package::find_root().ok_or_else(|| {
        format!(
            "no {} in {} or any directory above it (to build files, name them: `tess build FILE.tes`)",
            tess_driver::manifest::MANIFEST,
            here.display()
        )
    })?;
    let search = include.iter().map(|d| here.join(d)).collect();
    std::env::set_current_dir(&root).map_err(|e| format!("cannot enter {}: {e}", root.display()))?;
    let mut options =
        package::Options { jobs: package::default_jobs(), search, opt: Opt::default(), dependency_libs: Vec::new() };
    tess_driver::deps::prepare(&mut options)?;
    Ok(options)
}

/// `-O LEVEL`: `0` compiles fast; anything else (or nothing) optimises.
fn opt_level(level: Option<&str>) -> Opt {
    if level == Some("0") {
        Opt::Fast
    } else {
        Opt::Speed
    }
}

fn execute(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Run { include, link_lib, lib_dirs, mut args } => {
            if !args.first().is_some_and(|a| names_a_file(a)) {
                let options = enter_package(&include)?;
                let program = package::build(&options)?
                    .program
                    .ok_or("the package has no program to run: add a `.tes` file with top-level statements to src/")?;
                let status = std::process::Command::new(&program)
                    .args(&args)
                    .status()
                    .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
                return Ok(ExitCode::from(status.code().map_or(1, |c| c as u8)));
            }
            let file = PathBuf::from(args.remove(0));
            let mut sources = tess_driver::source_modules::check_in_memory(std::slice::from_ref(&file), &include)?;
            // The C libraries must stay loaded while the program runs.
            let _c_libraries = launch::load_c_libraries(&lib_dirs, &link_lib)?;
            let program = tess_driver::frontend::check(&tess_driver::frontend::ModuleInput {
                name: tess_driver::frontend::MAIN_MODULE,
                mode: Some(tess_sema::hir::Mode::Program),
                files: std::slice::from_ref(&file),
                search: &sources.search,
                parse_cache: None,
                exported_only: &[],
                in_package: false,
            })?;
            sources.modules.push(program);
            launch::run(&sources.modules, &file, args)
        }
        Command::Build {
            files,
            jobs,
            emit_ninja,
            opt,
            include,
            output,
            emit_obj,
            strip,
            emit,
            lib,
            module,
            shared,
            static_lib,
            emit_header,
            link_lib,
            lib_dirs,
        } => {
            let opt = opt_level(opt.as_deref());
            if files.is_empty() && !lib && emit.is_none() {
                if strip {
                    return Err(
                        "--strip applies to `tess build FILES`; in a package, strip with `strip --strip-debug`".into(),
                    );
                }
                let mut options = enter_package(&include)?;
                options.jobs = jobs.unwrap_or(options.jobs);
                options.opt = opt;
                if emit_ninja && target::platform() != Platform::host() {
                    return Err("--emit-ninja writes the host's build; for another target, build with \
                                `tess build --target TRIPLE` (docs/targets.md)"
                        .into());
                }
                if emit_ninja {
                    if let Some(path) = tess_driver::ninja::emit(&options)? {
                        tess_driver::progress::line(
                            "Wrote",
                            &format!("{} (build with `ninja -C build`)", path.display()),
                        );
                    }
                } else {
                    package::build(&options)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            if emit_ninja {
                return Err("--emit-ninja writes a package's build: run it in a package, without files".into());
            }
            let c_libs = link::c_library_args(&lib_dirs, &link_lib)?;
            let search = package::with_source_modules(&files, &include, LibKind::Static)?;
            let input =
                BuildInput { files: &files, search: &search, c_libs: &c_libs, keep_object: emit_obj, opt, strip };
            if let Some(kind) = emit {
                print!("{}", build::emit(&input, module.as_deref().filter(|_| lib), kind)?);
                return Ok(ExitCode::SUCCESS);
            }
            match (lib, module) {
                (true, Some(name)) => {
                    let kind = match (shared, static_lib) {
                        (true, _) => LibKind::Shared,
                        (_, true) => LibKind::Static,
                        _ => return Err("--lib needs --shared or --static".into()),
                    };
                    build::library(&input, &name, kind, output, emit_header.as_deref())?;
                }
                _ => {
                    build::program(&input, output)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Compile {
            module,
            files,
            obj_dir,
            emit_interface,
            emit_header,
            primary_file,
            module_source_list,
            include,
            output,
            shared,
            opt,
            tests,
        } => {
            let opt = opt_level(opt.as_deref());
            match (primary_file, module_source_list, output, obj_dir) {
                (Some(primary), Some(cdb), Some(output), None) => pieces::compile(&pieces::Piece {
                    module: &module,
                    primary: &primary,
                    cdb: &cdb,
                    search: &include,
                    output: &output,
                    shared,
                    opt,
                })?,
                (None, None, None, Some(obj_dir)) if !files.is_empty() => {
                    let compiled = steps::compile(&steps::Request {
                        name: &module,
                        files: &files,
                        search: &include,
                        // A module with an interface is a library; else a
                        // program when it has top-level statements.
                        mode: emit_interface.as_ref().map(|_| tess_sema::hir::Mode::Library),
                        shared,
                        opt,
                        tests,
                        exported_only: &[],
                        in_package: false,
                    })?;
                    let library = match (emit_interface, compiled.target) {
                        (Some(tesi), Target::Library(kind)) => Some(tesi.with_file_name(kind.file_name(&module))),
                        (Some(_), Target::Program) => return Err("a program has no interface to emit".into()),
                        (None, _) => None,
                    };
                    steps::write_compiled(&compiled, &files, &obj_dir, library.as_deref())?;
                    if let Some(h) = emit_header {
                        steps::write_header(&compiled.checked, &h)?;
                    }
                }
                _ => {
                    return Err("give FILES and --obj-dir (a whole module), or --primary-file, --module-source-list and -o (a piece)".into())
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Link {
            objects,
            output,
            static_lib,
            shared,
            include,
            imports,
            module,
            module_source_list,
            rpaths,
            cc,
            interface_stub,
        } => {
            if let Some(cc) = cc {
                tess_driver::link::use_compiler(cc);
            }
            let target = match (static_lib, shared) {
                (true, _) => Target::Library(LibKind::Static),
                (_, true) => Target::Library(LibKind::Shared),
                _ => Target::Program,
            };
            match (module, module_source_list, target) {
                (Some(module), Some(cdb), Target::Library(kind)) => pieces::merge(&pieces::Merge {
                    module: &module,
                    cdb: &cdb,
                    search: &include,
                    objects: &objects,
                    output: &output,
                    kind,
                })?,
                (Some(_), Some(_), Target::Program) => {
                    return Err("--module-source-list merges a library's pieces: add --static or --shared".into())
                }
                (module, _, _) => {
                    let imports = tess_driver::frontend::link_imports(&imports, &include)?;
                    steps::link_files(&objects, &output, target, &imports, &rpaths)?;
                    if let Some(stub) = interface_stub {
                        tess_driver::stub::write(&output, &stub)?;
                    }
                    if let (Some(name), Target::Library(kind)) = (module, target) {
                        steps::write_pc(&name, kind, &output, None, &imports, &[])?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Lsp { include } => {
            tess_driver::lsp::serve(&include)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::New { name, lib } => {
            tess_driver::new_package::new_package(&name, lib)?;
            let kind = if lib { "library" } else { "program" };
            eprintln!("    Created {kind} package `{name}`");
            Ok(ExitCode::SUCCESS)
        }
        Command::Test { args, include } => {
            let (files, filters): (Vec<String>, Vec<String>) = args.into_iter().partition(|a| a.ends_with(".tes"));
            let passed = if files.is_empty() {
                let options = enter_package(&include)?;
                tess_driver::testing::package(&options, &filters)?
            } else {
                let files: Vec<PathBuf> = files.into_iter().map(PathBuf::from).collect();
                tess_driver::testing::files(&files, &include, &filters)?
            };
            Ok(if passed { ExitCode::SUCCESS } else { ExitCode::from(TEST_FAILED) })
        }
        Command::Doc { files, module } => {
            let index = if files.is_empty() {
                let root = package::find_root()
                    .ok_or("no Tessera.toml here or above: `tess doc` without files documents a package")?;
                std::env::set_current_dir(&root).map_err(|e| format!("cannot enter {}: {e}", root.display()))?;
                let package = tess_driver::manifest::load(std::path::Path::new("."))?;
                let mut modules = Vec::new();
                for m in &package.modules {
                    modules.push(tess_driver::doc::module(&m.name, &m.files)?);
                }
                let dir = std::path::Path::new(package::BUILD_DIR).join("doc");
                tess_driver::doc::write(&dir, &package.name, &modules)?
            } else {
                let modules = [tess_driver::doc::module(&module, &files)?];
                tess_driver::doc::write(std::path::Path::new("doc"), &module, &modules)?
            };
            tess_driver::progress::line("Generated", &index.display().to_string());
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { files, include, module } => {
            let started = std::time::Instant::now();
            let what = if files.is_empty() {
                if module.is_some() {
                    return Err("--module names the module of FILES: in a package, run `tess check` alone".into());
                }
                let options = enter_package(&include)?;
                let n = tess_driver::check::package(&options)?;
                format!("{n} module{}", if n == 1 { "" } else { "s" })
            } else {
                tess_driver::check::files(&files, &include, module.as_deref())?;
                format!("{} file{}", files.len(), if files.len() == 1 { "" } else { "s" })
            };
            tess_driver::progress::line(
                "Finished",
                &format!("checked {what} in {:.2} s", started.elapsed().as_secs_f64()),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Publish => {
            let root =
                package::find_root().ok_or("no Tessera.toml here or above: `tess publish` publishes a package")?;
            std::env::set_current_dir(&root).map_err(|e| format!("cannot enter {}: {e}", root.display()))?;
            let dest = tess_driver::deps::publish()?;
            tess_driver::progress::line("Published", &dest.display().to_string());
            Ok(ExitCode::SUCCESS)
        }
        Command::Clean => {
            let root = package::find_root().ok_or("no Tessera.toml here or above: `tess clean` cleans a package")?;
            tess_driver::new_package::clean(&root)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Fmt { paths, check } => {
            let paths = if paths.is_empty() {
                let root = package::find_root()
                    .ok_or("nothing to format: name files or directories, or run it in a package")?;
                vec![root.join("src")]
            } else {
                paths
            };
            let done = tess_driver::fmt::run(&paths, check)?;
            if check {
                for p in &done.changed {
                    println!("{}", p.display());
                }
                if !done.changed.is_empty() {
                    return Ok(ExitCode::FAILURE);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demangle { symbols } => {
            use std::io::{BufRead, Write};
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let write = |out: &mut std::io::StdoutLock, line: &str| {
                writeln!(out, "{}", tess_abi::mangle::demangle_text(line))
                    .map_err(|e| Error::Message(format!("cannot write: {e}")))
            };
            if symbols.is_empty() {
                for line in std::io::stdin().lock().lines() {
                    write(&mut out, &line.map_err(|e| format!("cannot read standard input: {e}"))?)?;
                }
            } else {
                for s in &symbols {
                    write(&mut out, s)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::AbiDiff { old, new } => {
            let read = |p: &PathBuf| tess_driver::frontend::read_interface(p);
            let (old_i, new_i) = match (read(&old), read(&new)) {
                (Ok(o), Ok(n)) if o.module == n.module => (o, n),
                (Ok(o), Ok(n)) => {
                    eprintln!(
                        "error: {} describes module `{}` and {} module `{}`: compare two versions of one module",
                        old.display(),
                        o.module,
                        new.display(),
                        n.module
                    );
                    return Ok(ExitCode::from(2));
                }
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let differences = tess_sema::abi_diff::diff(&old_i, &new_i);
            if differences.is_empty() {
                println!("no differences");
            }
            for d in &differences {
                println!("{d}");
            }
            Ok(if differences.iter().any(|d| d.breaking) { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Interface { file } => {
            print!("{}", build::describe_interface(&file)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Toolchain { archive, cross } => {
            let cross = cross.iter().map(|t| Platform::parse(t)).collect::<Result<Vec<_>, _>>()?;
            let files = tess_driver::toolchain::archive(&archive, &cross)?;
            eprintln!("wrote {} ({files} files)", archive.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Config { cflags, libs, gdb_init } => {
            let mut flags = Vec::new();
            if cflags {
                flags.push(build::runtime_cflags()?);
            }
            if libs {
                flags.push(build::runtime_libs()?);
            }
            if !flags.is_empty() {
                println!("{}", flags.join(" "));
            }
            if gdb_init {
                println!("{}", build::gdb_init()?);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// `--help` documents every flag and argument of every command.
    #[test]
    fn every_argument_has_help() {
        let mut missing = Vec::new();
        for sub in Cli::command().get_subcommands() {
            for arg in sub.get_arguments() {
                let built_in = matches!(arg.get_id().as_str(), "help" | "version");
                if !built_in && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("tess {} {}", sub.get_name(), arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "without help text: {missing:?}");
    }
}
