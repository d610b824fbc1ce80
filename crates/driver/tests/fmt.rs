//! `tess fmt` (issue 13): golden files (`tests/fmt/NAME.tes` formats to
//! `NAME.out.tes`), the round trip over every source file of the
//! repository (formatting keeps the syntax tree and is idempotent), and
//! the command line (`--check`, a package, a file with syntax errors).

use std::path::{Path, PathBuf};
use std::process::Command;
use tess_syntax::{format::format, parser::parse_file, Diagnostics, FileId};

mod common;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tess_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && !p.ends_with("target") && !p.ends_with(".git") {
            tess_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "tes") {
            out.push(p);
        }
    }
}

/// The syntax tree of `text` without its positions.
fn shape(text: &str) -> Option<String> {
    let mut diags = Diagnostics::default();
    let tree = parse_file(FileId(0), text, &mut diags);
    if diags.has_errors() {
        return None;
    }
    let debug = format!("{tree:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("Span {") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        rest = &rest[rest.find('}').map_or(rest.len(), |i| i + 1)..];
    }
    out.push_str(rest);
    Some(out)
}

/// The text of every comment of `text`, in order (block comments' later
/// lines without their indentation, which formatting may change).
fn comments(text: &str) -> Vec<String> {
    let (_, spans) = tess_syntax::lexer::lex_with_comments(FileId(0), text, &mut Diagnostics::default());
    spans
        .iter()
        .map(|s| text[s.lo as usize..s.hi as usize].lines().map(str::trim).collect::<Vec<_>>().join("\n"))
        .collect()
}

#[test]
fn golden_files() {
    let mut files = Vec::new();
    tess_files(&repo().join("tests/fmt"), &mut files);
    files.retain(|f| !f.to_string_lossy().ends_with(".out.tes"));
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let expected = std::fs::read_to_string(f.with_extension("out.tes")).unwrap();
        let got = format(FileId(0), &text).unwrap_or_else(|_| panic!("{} does not parse", f.display()));
        assert_eq!(got, expected, "{}", f.display());
        assert_eq!(format(FileId(0), &expected).ok().as_deref(), Some(expected.as_str()), "{} again", f.display());
    }
}

/// Every source file of the repository: the formatted text has the same
/// syntax tree, and formatting it again changes nothing.
#[test]
fn round_trip_over_every_source() {
    let mut files = Vec::new();
    for dir in ["tests", "examples", "bench", "fuzz/regressions"] {
        tess_files(&repo().join(dir), &mut files);
    }
    let mut checked = 0;
    let mut problems = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let Some(before) = shape(&text) else { continue };
        let Ok(once) = format(FileId(0), &text) else {
            problems.push(format!("{}: parses, but does not format", f.display()));
            continue;
        };
        if shape(&once).as_deref() != Some(before.as_str()) {
            problems.push(format!("{}: formatting changed the syntax tree:\n{once}", f.display()));
        }
        if comments(&once) != comments(&text) {
            problems.push(format!("{}: formatting lost or changed comments:\n{once}", f.display()));
        }
        if format(FileId(0), &once).ok().as_deref() != Some(once.as_str()) {
            problems.push(format!("{}: formatting twice changes it again", f.display()));
        }
        checked += 1;
    }
    assert!(checked > 300, "only {checked} files checked");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

fn tess(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tess")).args(args).current_dir(dir).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// `tess fmt` on the files of `tests/fmt_cli` (copied: it rewrites them).
#[test]
fn command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::copy_dir(&repo().join("tests/fmt_cli"), dir, &[]).unwrap();
    // --check lists what would change, changes nothing, status 1.
    let (status, out, _) = tess(dir, &["fmt", "--check", "ugly.tes", "fine.tes"]);
    assert_eq!((status, out.as_str()), (1, "ugly.tes\n"));
    assert_eq!(std::fs::read_to_string(dir.join("ugly.tes")).unwrap(), "let x=1+2\nprint( x )\n");
    // Formatting writes it; then --check is clean.
    assert_eq!(tess(dir, &["fmt", "ugly.tes"]).0, 0);
    assert_eq!(std::fs::read_to_string(dir.join("ugly.tes")).unwrap(), "let x = 1 + 2\nprint(x)\n");
    assert_eq!(tess(dir, &["fmt", "--check", "ugly.tes", "fine.tes"]), (0, String::new(), String::new()));
    // A file with a syntax error is left as it is, with its error; the
    // others are formatted.
    std::fs::write(dir.join("ugly.tes"), "print( 2 )\n").unwrap();
    let (status, _, err) = tess(dir, &["fmt", "."]);
    assert_eq!(status, 1);
    assert!(err.contains("broken.tes:1:5: error") || err.contains("broken.tes:1:5"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("broken.tes")).unwrap(), "let = 3\n");
    assert_eq!(std::fs::read_to_string(dir.join("ugly.tes")).unwrap(), "print(2)\n");
    // In a package, `tess fmt` formats `src/`.
    let pkg = dir.join("pkg");
    assert_eq!(tess(&pkg.join("src/geo"), &["fmt"]).0, 0);
    assert_eq!(std::fs::read_to_string(pkg.join("src/main.tes")).unwrap(), "import geo\nprint(geo.one())\n");
    assert_eq!(
        std::fs::read_to_string(pkg.join("src/geo/geo.tes")).unwrap(),
        "export fn one() -> Int {\n    return 1\n}\n"
    );
}
