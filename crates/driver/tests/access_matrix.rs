//! The access matrix (`tests/access_matrix/table`, issue 10): every kind of
//! declaration, at every access level, exported or not, used every way
//! from every place a use can be. The table says, cell by cell, whether
//! the use is allowed; this runner writes the programs that make each use
//! and checks the answer.
//!
//! Cells are grouped so that the whole matrix takes a handful of compiler
//! runs: one library module `lib` declares everything (its allowed
//! same-file and other-file uses inside it); one program per place holds
//! that place's allowed uses and prints one line per cell, run also under
//! `TESS_GC_STRESS=1`; one more source per place holds its forbidden uses,
//! each in its own function, and its compile must report, inside each
//! cell's lines, an error naming the cell's rule, and no error elsewhere.
//! Short-format errors are all shown, so a group can be as large as it is.
//!
//! `TESS_MATRIX_DIR=DIR` writes the generated files there and keeps them.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

mod common;

use common::{as_a_user, shell_status};

/// Where a use is, in the table's column order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    SameFile,
    OtherFile,
    Static,
    Shared,
    Jit,
    Plugin,
}

const PLACES: [Place; 6] = [Place::SameFile, Place::OtherFile, Place::Static, Place::Shared, Place::Jit, Place::Plugin];

impl Place {
    fn name(self) -> &'static str {
        match self {
            Place::SameFile => "same-file",
            Place::OtherFile => "other-file",
            Place::Static => "static",
            Place::Shared => "shared",
            Place::Jit => "jit",
            Place::Plugin => "plugin",
        }
    }

    /// A short tag that keeps generated names of different places apart
    /// inside one module.
    fn tag(self) -> &'static str {
        match self {
            Place::SameFile => "sf",
            Place::OtherFile => "of",
            Place::Static => "st",
            Place::Shared => "sh",
            Place::Jit => "jt",
            Place::Plugin => "pl",
        }
    }

    /// How code at this place names the library's declarations.
    fn prefix(self) -> &'static str {
        match self {
            Place::SameFile | Place::OtherFile => "",
            _ => "lib.",
        }
    }
}

/// What the table expects of one cell.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Expect {
    Ok,
    /// A rule's name; its error contains `Table::rules[name]`.
    Rule(String),
    NotAUse,
}

/// One line of the table.
struct Row {
    /// Line in the table, for messages; also makes every generated name
    /// and value unique.
    line: usize,
    kind: String,
    access: String,
    export: bool,
    usage: String,
    cells: Vec<Expect>,
}

impl Row {
    fn describe(&self, place: Place) -> String {
        format!(
            "table line {}: {} {} export={} {} at {}",
            self.line,
            self.kind,
            self.access,
            if self.export { "yes" } else { "no" },
            self.usage,
            place.name()
        )
    }

    fn expect(&self, place: Place) -> &Expect {
        &self.cells[PLACES.iter().position(|&p| p == place).unwrap_or(0)]
    }

    fn is_member(&self) -> bool {
        matches!(self.kind.as_str(), "field-let" | "field-var" | "method" | "final-method" | "init")
    }

    /// The access keyword with its space; internal has none.
    fn access_word(&self) -> String {
        match self.access.as_str() {
            "internal" => String::new(),
            a => format!("{a} "),
        }
    }
}

struct Table {
    rules: HashMap<String, String>,
    rows: Vec<Row>,
}

const KINDS: [&str; 13] = [
    "field-let",
    "field-var",
    "method",
    "final-method",
    "init",
    "module-let",
    "module-var",
    "function",
    "class",
    "open-class",
    "interface",
    "generic-function",
    "generic-class",
];
const ACCESS: [&str; 4] = ["private", "internal", "protected", "public"];
const USES: [&str; 14] = [
    "implement",
    "read",
    "write",
    "call",
    "construct",
    "is-as",
    "subclass",
    "sub-read",
    "sub-write",
    "sub-call",
    "override",
    "super-init",
    "declare",
    "-",
];

fn parse_table(text: &str) -> Result<Table, String> {
    let mut rules = HashMap::new();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |what: &str| format!("table line {line_no}: {what}: `{line}`");
        if let Some(rest) = line.strip_prefix("rule ") {
            let (name, message) = rest.trim().split_once(' ').ok_or_else(|| err("a rule needs a name and a text"))?;
            rules.insert(name.to_string(), message.trim().to_string());
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let [kind, access, export, usage, cells @ ..] = words.as_slice() else {
            return Err(err("too few columns"));
        };
        if !KINDS.contains(kind) || !ACCESS.contains(access) || !USES.contains(usage) {
            return Err(err("unknown kind, access or use"));
        }
        if cells.len() != PLACES.len() {
            return Err(err("one cell per place is needed"));
        }
        let export = match *export {
            "yes" => true,
            "no" => false,
            _ => return Err(err("export is yes or no")),
        };
        let cells = cells
            .iter()
            .map(|c| match *c {
                "ok" => Ok(Expect::Ok),
                "-" => Ok(Expect::NotAUse),
                rule if rules.contains_key(rule) => Ok(Expect::Rule(rule.to_string())),
                _ => Err(err(&format!("unknown rule `{c}`"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(Row {
            line: line_no,
            kind: kind.to_string(),
            access: access.to_string(),
            export,
            usage: usage.to_string(),
            cells,
        });
    }
    Ok(Table { rules, rows })
}

/// The library's declaration for a row.
fn declaration(row: &Row) -> String {
    let r = row.line;
    let a = row.access_word();
    if row.is_member() {
        let class = format!("{}open class K{r}", if row.export { "export " } else { "public " });
        let (member, init) = match row.kind.as_str() {
            "field-let" => (format!("{a}let f: Int = {r}"), "public init() {}".to_string()),
            "field-var" => (format!("{a}var f: Int = {r}"), "public init() {}".to_string()),
            "method" => (
                format!("{a}fn m() -> Int {{ return {r} }}\n    public fn callM() -> Int {{ return self.m() }}"),
                "public init() {}".to_string(),
            ),
            "final-method" => (
                format!("{a}final fn m() -> Int {{ return {r} }}\n    public fn callM() -> Int {{ return self.m() }}"),
                "public init() {}".to_string(),
            ),
            _ => (format!("public let f: Int = {r}"), format!("{a}init() {{}}")),
        };
        return format!("{class} {{\n    {member}\n    {init}\n}}\n");
    }
    // `export` on a top-level declaration without an access level makes it
    // public; the table's rows say `internal` for that spelling.
    let x = if row.export { "export " } else { "" };
    match row.kind.as_str() {
        "module-let" => format!("{x}{a}let v{r}: Int = {r}\n"),
        "module-var" => format!("{x}{a}var v{r}: Int = {r}\n"),
        "function" => format!("{x}{a}fn g{r}() -> Int {{ return {r} }}\n"),
        "interface" => format!("{x}{a}interface I{r} {{\n    fn m() -> Int\n}}\n"),
        "generic-function" => format!("{x}{a}fn h{r}[T](x: T) -> T {{ return x }}\n"),
        "generic-class" => {
            format!(
                "{x}{a}class B{r}[T] {{\n    public let item: T\n    public init(item: T) {{ self.item = item }}\n}}\n"
            )
        }
        "class" => format!("{x}{a}class K{r} {{\n    public let f: Int = {r}\n    public init() {{}}\n}}\n"),
        _ => format!("{x}{a}open class K{r} {{\n    public let f: Int = {r}\n    public init() {{}}\n}}\n"),
    }
}

/// The code of one use: top-level declarations (a subclass) and the body
/// of the cell's function, with the line it prints when allowed.
struct Use {
    decls: String,
    body: String,
    prints: String,
}

fn use_code(row: &Row, place: Place) -> Use {
    let r = row.line;
    let p = place.prefix();
    let u = &row.usage;
    let sub = format!("S{r}{}{}", place.tag(), u.replace('-', ""));
    let show = |expr: &str| format!("print(\"{r} {u} \\({expr})\")");
    let member = row.is_member();
    let (decls, body, value) = match u.as_str() {
        "read" if member => (String::new(), show(&format!("{p}K{r}().f")), r.to_string()),
        "read" => (String::new(), show(&format!("{p}v{r}")), r.to_string()),
        "write" if member => {
            (String::new(), format!("let o = {p}K{r}()\n    o.f = {r} + 1\n    {}", show("o.f")), (r + 1).to_string())
        }
        "write" => (
            String::new(),
            format!("{p}v{r} = {r} + 1\n    {}\n    {p}v{r} = {r}", show(&format!("{p}v{r}"))),
            (r + 1).to_string(),
        ),
        "call" if member => (String::new(), show(&format!("{p}K{r}().m()")), r.to_string()),
        "call" if row.kind == "generic-function" => (String::new(), show(&format!("{p}h{r}({r})")), r.to_string()),
        "call" => (String::new(), show(&format!("{p}g{r}()")), r.to_string()),
        "construct" if row.kind == "generic-class" => {
            (String::new(), show(&format!("{p}B{r}[Int]({r}).item")), r.to_string())
        }
        "construct" => (String::new(), show(&format!("{p}K{r}().f")), r.to_string()),
        "implement" => (
            format!("class {sub} : {p}I{r} {{\n    public fn m() -> Int {{ return {r} }}\n}}\n"),
            format!(
                "let i: {p}I{r} = {sub}()\n    let o: Object = {sub}()\n    {}",
                show(&format!("o is {p}I{r}) \\(i.m()"))
            ),
            format!("true {r}"),
        ),
        "is-as" => (
            String::new(),
            format!("let o: Object = {p}K{r}()\n    let k = o as {p}K{r}\n    {}", show(&format!("o is {p}K{r}) \\(k.f"))),
            format!("true {r}"),
        ),
        "subclass" => (format!("class {sub} : {p}K{r} {{}}\n"), show(&format!("{sub}().f")), r.to_string()),
        "sub-read" => (
            format!("class {sub} : {p}K{r} {{\n    fn get() -> Int {{ return self.f }}\n}}\n"),
            show(&format!("{sub}().get()")),
            r.to_string(),
        ),
        "sub-write" => (
            format!(
                "class {sub} : {p}K{r} {{\n    fn set() {{ self.f = {r} + 2 }}\n    fn get() -> Int {{ return self.f }}\n}}\n"
            ),
            format!("let s = {sub}()\n    s.set()\n    {}", show("s.get()")),
            (r + 2).to_string(),
        ),
        "sub-call" => (
            format!("class {sub} : {p}K{r} {{\n    fn get() -> Int {{ return self.m() }}\n}}\n"),
            show(&format!("{sub}().get()")),
            r.to_string(),
        ),
        "override" => (
            format!(
                "class {sub} : {p}K{r} {{\n    override {}fn m() -> Int {{ return {r} + 3 }}\n}}\n",
                row.access_word()
            ),
            show(&format!("{sub}().callM()")),
            (r + 3).to_string(),
        ),
        _ => (
            format!("class {sub} : {p}K{r} {{\n    init() {{ super.init() }}\n}}\n"),
            show(&format!("{sub}().f")),
            r.to_string(),
        ),
    };
    Use { decls, body, prints: format!("{r} {u} {value}") }
}

/// A generated source file and which of its lines belong to which cell.
#[derive(Default)]
struct Source {
    text: String,
    cells: Vec<(Range<usize>, usize, Place)>,
    /// Function names of the cells, in order, for the caller.
    calls: Vec<String>,
    /// What the allowed cells print, in order.
    prints: Vec<String>,
}

impl Source {
    fn line(&self) -> usize {
        self.text.lines().count() + 1
    }

    fn push(&mut self, code: &str) {
        self.text.push_str(code);
        if !code.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// Adds code belonging to row `row` at `place`.
    fn push_cell(&mut self, code: &str, row: usize, place: Place) {
        let start = self.line();
        self.push(code);
        self.cells.push((start..self.line(), row, place));
    }

    /// Adds the use of row `index` at `place` as its own function.
    fn push_use(&mut self, rows: &[Row], index: usize, place: Place) {
        let row = &rows[index];
        let u = use_code(row, place);
        let name = format!("c{}{}{}", place.tag(), row.line, row.usage.replace('-', ""));
        let code = format!("{}fn {name}() {{\n    {}\n}}\n", u.decls, u.body);
        self.push_cell(&code, index, place);
        self.calls.push(name);
        self.prints.push(u.prints);
    }

    fn calls_text(&self) -> String {
        self.calls.iter().map(|c| format!("    {c}()\n")).collect()
    }
}

/// One error of a short-format compile.
struct Reported {
    file: String,
    line: usize,
    message: String,
}

fn reported(stderr: &str) -> Vec<Reported> {
    stderr
        .lines()
        .filter_map(|l| {
            let (at, message) = l.split_once(": error: ")?;
            let mut parts = at.rsplitn(3, ':');
            let (_col, line, file) = (parts.next()?, parts.next()?, parts.next()?);
            Some(Reported { file: file.to_string(), line: line.parse().ok()?, message: message.to_string() })
        })
        .collect()
}

/// Compares a compile's errors with the cells of `sources` (named by file
/// name): forbidden cells need their rule's error within their lines,
/// allowed cells and code outside cells need none.
fn check_errors(table: &Table, sources: &[(&str, &Source)], stderr: &str, problems: &mut Vec<String>) {
    let errors = reported(stderr);
    let mut matched = vec![false; errors.len()];
    for (file, source) in sources {
        for (lines, index, place) in &source.cells {
            let row = &table.rows[*index];
            let here: Vec<(usize, &Reported)> =
                errors.iter().enumerate().filter(|(_, e)| e.file.ends_with(file) && lines.contains(&e.line)).collect();
            for (i, _) in &here {
                matched[*i] = true;
            }
            match row.expect(*place) {
                Expect::Rule(rule) => {
                    let text = &table.rules[rule];
                    if !here.iter().any(|(_, e)| e.message.contains(text.as_str())) {
                        let got: Vec<&str> = here.iter().map(|(_, e)| e.message.as_str()).collect();
                        problems.push(format!(
                            "{}: expected the `{rule}` error (`{text}`), got {got:?}",
                            row.describe(*place)
                        ));
                    }
                }
                _ => {
                    for (_, e) in &here {
                        problems.push(format!("{}: expected ok, got `{}`", row.describe(*place), e.message));
                    }
                }
            }
        }
    }
    for (e, m) in errors.iter().zip(&matched) {
        if !m {
            problems.push(format!("an error outside every cell: {}:{}: {}", e.file, e.line, e.message));
        }
    }
}

/// Runs a command in `dir`; returns (status, stdout, stderr).
fn run(dir: &Path, program: &str, args: &[&str], stress: bool) -> (i32, String, String) {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir);
    match as_a_user(&mut cmd, stress).output() {
        Ok(out) => (
            shell_status(out.status),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        Err(e) => (-1, String::new(), format!("cannot run {program}: {e}")),
    }
}

fn tess(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--error-format=short"];
    all.extend_from_slice(args);
    run(dir, env!("CARGO_BIN_EXE_tess"), &all, false)
}

/// Checks a program's output against the allowed cells that printed it:
/// each missing or wrong line is blamed on its cell.
fn check_output(what: &str, expected: &[String], stdout: &str, status: i32, stderr: &str, problems: &mut Vec<String>) {
    let got: Vec<&str> = stdout.lines().collect();
    if status != 0 {
        problems.push(format!("{what}: status {status}; stderr:\n{stderr}"));
    }
    for line in expected {
        if !got.contains(&line.as_str()) {
            let key: String = line.split(' ').take(2).collect::<Vec<_>>().join(" ");
            let actual = got.iter().find(|g| g.starts_with(&format!("{key} "))).unwrap_or(&"nothing");
            problems.push(format!("{what}: expected `{line}`, got `{actual}`"));
        }
    }
    if got.len() != expected.len() {
        problems.push(format!("{what}: {} lines printed, {} expected", got.len(), expected.len()));
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("creating a test directory");
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn indices(table: &Table, place: Place, want_ok: bool) -> Vec<usize> {
    (0..table.rows.len())
        .filter(|&i| match table.rows[i].expect(place) {
            _ if table.rows[i].usage == "declare" => false,
            Expect::Ok => want_ok,
            Expect::Rule(_) => !want_ok,
            Expect::NotAUse => false,
        })
        .collect()
}

/// The module `lib`: its declarations and the uses inside it, allowed
/// (`good`) or forbidden.
fn library(table: &Table, good: bool) -> (Source, Source) {
    let mut defs = Source::default();
    for (i, row) in table.rows.iter().enumerate() {
        if row.usage == "declare" {
            if !good {
                defs.push_cell(&declaration(row), i, Place::SameFile);
            }
        } else {
            defs.push(&declaration(row));
        }
    }
    let mut other = Source::default();
    for (source, place) in [(&mut defs, Place::SameFile), (&mut other, Place::OtherFile)] {
        for i in indices(table, place, good) {
            source.push_use(&table.rows, i, place);
        }
    }
    if good {
        let same = format!("public fn sameFile() {{\n{}}}\n", defs.calls_text());
        defs.push(&same);
        let others = format!("public fn otherFile() {{\n{}}}\n", other.calls_text());
        other.push(&others);
    }
    (defs, other)
}

/// The uses at an importing place, as a program or as the plugin module.
fn importer(table: &Table, place: Place, good: bool) -> Source {
    let mut s = Source::default();
    s.push("import lib");
    for i in indices(table, place, good) {
        s.push_use(&table.rows, i, place);
    }
    let calls = s.calls_text();
    if place == Place::Plugin {
        s.push(&format!("init {{\n{calls}}}"));
    } else {
        s.push(&calls.replace("    ", ""));
    }
    s
}

#[test]
fn access_matrix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/access_matrix/table");
    let text = std::fs::read_to_string(&root).unwrap_or_else(|e| panic!("reading {}: {e}", root.display()));
    let table = parse_table(&text).unwrap_or_else(|e| panic!("{e}"));
    let work = tempfile::tempdir().expect("a temporary directory");
    let kept = std::env::var_os("TESS_MATRIX_DIR").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(work.path());
    let mut problems = Vec::new();

    // The library, with its allowed in-module uses, static and shared.
    let (defs, other) = library(&table, true);
    write(dir, "lib/defs.tes", &defs.text);
    write(dir, "lib/other.tes", &other.text);
    let mut built = true;
    for (kind, out) in [("--static", "static/liblib.a"), ("--shared", "shared/liblib.so")] {
        let (status, _, stderr) =
            tess(dir, &["build", "--lib", "--module", "lib", "lib/defs.tes", "lib/other.tes", kind, "-o", out]);
        if status != 0 {
            built = false;
            check_errors(&table, &[("lib/defs.tes", &defs), ("lib/other.tes", &other)], &stderr, &mut problems);
            problems.push(format!("the library does not build {kind}:\n{stderr}"));
        }
    }
    let (bad_defs, bad_other) = library(&table, false);
    write(dir, "bad/lib/defs.tes", &bad_defs.text);
    write(dir, "bad/lib/other.tes", &bad_other.text);
    let (_, _, stderr) = tess(
        dir,
        &[
            "build",
            "--lib",
            "--module",
            "lib",
            "bad/lib/defs.tes",
            "bad/lib/other.tes",
            "--static",
            "-o",
            "bad/liblib.a",
        ],
    );
    check_errors(&table, &[("bad/lib/defs.tes", &bad_defs), ("bad/lib/other.tes", &bad_other)], &stderr, &mut problems);
    if !built {
        panic!("{}", problems.join("\n"));
    }

    let in_module: Vec<String> = defs.prints.iter().chain(&other.prints).cloned().collect();
    let problems = Mutex::new(problems);
    std::thread::scope(|s| {
        for place in [Place::Static, Place::Shared, Place::Jit, Place::Plugin] {
            let (table, problems, in_module) = (&table, &problems, &in_module);
            s.spawn(move || {
                let mut found = Vec::new();
                importing_place(table, dir, place, in_module, &mut found);
                problems.lock().unwrap().extend(found);
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    if !problems.is_empty() {
        let mut text = format!("{} problems in the access matrix:\n", problems.len());
        for p in &problems {
            let _ = writeln!(text, "{p}");
        }
        panic!("{text}");
    }
}

/// The `tess` arguments that compile `file` at an importing place (for
/// the JIT: compile and run it) against the libraries in `libs`, writing
/// `out` (a plugin: `out/libplugin.so`).
fn compile_args(place: Place, file: &str, libs: &str, out: &str) -> Vec<String> {
    let plugin = format!("{out}/libplugin.so");
    let args: Vec<&str> = match place {
        Place::Jit => vec!["run", "-I", libs, file],
        Place::Plugin => vec!["build", "--lib", "--module", "plugin", file, "--shared", "-I", libs, "-o", &plugin],
        _ => vec!["build", file, "-I", libs, "-o", out],
    };
    args.into_iter().map(String::from).collect()
}

/// Builds and runs one importing place's allowed uses (the static program
/// also runs the library's in-module uses) and compiles its forbidden ones.
fn importing_place(table: &Table, dir: &Path, place: Place, in_module: &[String], problems: &mut Vec<String>) {
    let name = place.name();
    let good = importer(table, place, true);
    let bad = importer(table, place, false);
    let mut expected = Vec::new();
    let mut good_text = good.text.clone();
    if place == Place::Static {
        good_text.push_str("lib.sameFile()\nlib.otherFile()\n");
        expected.extend_from_slice(in_module);
    }
    expected.extend(good.prints.iter().cloned());
    let good_file = format!("{name}.tes");
    let bad_file = format!("{name}_bad.tes");
    write(dir, &good_file, &good_text);
    write(dir, &bad_file, &bad.text);
    let libs = if place == Place::Static { "static" } else { "shared" };
    let good_sources = [(good_file.as_str(), &good)];
    let good_args = compile_args(place, &good_file, libs, &format!("{name}_prog"));
    let args: Vec<&str> = good_args.iter().map(String::as_str).collect();
    // The JIT compiles as it runs; the others are built, then run.
    let program = match place {
        Place::Jit => Some((env!("CARGO_BIN_EXE_tess").to_string(), args)),
        _ => {
            if place == Place::Plugin {
                write(dir, "host.tes", "import lib\nloadLibrary(\"./plugin_prog/libplugin.so\")\n");
                let (status, _, stderr) = tess(dir, &["build", "host.tes", "-I", libs, "-o", "host"]);
                if status != 0 {
                    problems.push(format!("plugin host does not build:\n{stderr}"));
                }
            }
            let (status, _, stderr) = tess(dir, &args);
            if status != 0 {
                check_errors(table, &good_sources, &stderr, problems);
                problems.push(format!("{name}: the allowed uses do not build:\n{stderr}"));
            }
            let binary = if place == Place::Plugin { "./host".to_string() } else { format!("./{name}_prog") };
            (status == 0).then(|| (binary, Vec::new()))
        }
    };
    if let Some((program, args)) = program {
        for stress in [false, true] {
            let (status, stdout, stderr) = run(dir, &program, &args, stress);
            if place == Place::Jit && status != 0 {
                check_errors(table, &good_sources, &stderr, problems);
            }
            let what = format!("{name}{}", if stress { " (gc stress)" } else { "" });
            check_output(&what, &expected, &stdout, status, &stderr, problems);
        }
    }
    let bad_args = compile_args(place, &bad_file, libs, &format!("{name}_bad"));
    let args: Vec<&str> = bad_args.iter().map(String::as_str).collect();
    let (status, _, stderr) = tess(dir, &args);
    if status != 1 {
        problems.push(format!("{name}: the forbidden uses compiled (status {status})"));
    }
    check_errors(table, &[(bad_file.as_str(), &bad)], &stderr, problems);
}
