//! Rendering diagnostics: for people, `file:line:col`, the source line, a
//! marker and the hint (codespan-reporting); for tools and tests, one line
//! per error (`--error-format=short`). Every error of the run, then a count.

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{
    self,
    termcolor::{ColorChoice, StandardStream},
};
use std::io::IsTerminal;
use tess_syntax::{Diagnostics, SourceFile};

/// How errors are written to standard error.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, clap::ValueEnum)]
pub enum ErrorFormat {
    /// The source line, a marker and the hint.
    #[default]
    Human,
    /// `file:line:col: error: message`, one line each.
    Short,
}

/// The `--error-format=short` lines of `diags`.
pub fn short(sources: &[SourceFile], diags: &Diagnostics) -> String {
    let mut out = String::new();
    for d in &diags.items {
        let Some(file) = sources.get(d.span.file.0 as usize) else { continue };
        let (line, col) = file.line_col(d.span.lo);
        out += &format!("{}:{line}:{col}: error: {}\n", file.name, d.message);
    }
    out
}

pub fn emit(sources: &[SourceFile], diags: &Diagnostics, format: ErrorFormat) {
    match format {
        ErrorFormat::Short => eprint!("{}", short(sources, diags)),
        ErrorFormat::Human => human(sources, diags),
    }
    let n = diags.items.len();
    eprintln!("error: could not compile: {n} error{}", if n == 1 { "" } else { "s" });
}

fn human(sources: &[SourceFile], diags: &Diagnostics) {
    let mut files = SimpleFiles::new();
    for s in sources {
        files.add(s.name.clone(), s.text.as_str());
    }
    let color = if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
    let writer = StandardStream::stderr(color);
    let config = term::Config::default();
    let mut out = writer.lock();
    for d in &diags.items {
        let file = d.span.file.0 as usize;
        let mut labels = vec![Label::primary(file, d.span.lo as usize..d.span.hi as usize)];
        for (span, note) in &d.notes {
            labels.push(Label::secondary(span.file.0 as usize, span.lo as usize..span.hi as usize).with_message(note));
        }
        let mut diag = Diagnostic::error().with_message(&d.message).with_labels(labels);
        if let Some(h) = &d.hint {
            diag = diag.with_notes(vec![format!("hint: {h}")]);
        }
        let _ = term::emit(&mut out, &config, &files, &diag);
    }
}
