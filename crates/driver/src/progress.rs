//! What a package build says while it works: one line per step on
//! standard error as Cargo prints them (`   Compiling geo`), and on a
//! terminal a one-line bar over the modules below them (indicatif), which
//! is cleared at the end. Without a terminal, only the lines.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};

/// One line, the verb right-aligned as Cargo does.
pub fn line(verb: &str, what: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{verb:>12} {what}");
}

/// The progress of one build over its modules.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A build of `modules` modules.
    pub fn new(modules: usize) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(modules as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{prefix:>12.cyan.bold} [{bar:27}] {pos}/{len}: {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix("Building");
        Progress { bar: Some(bar) }
    }

    /// A step's line, above the bar.
    pub fn line(&self, verb: &str, what: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_message(what.to_string());
                bar.println(format!("{verb:>12} {what}"));
            }
            None => line(verb, what),
        }
    }

    /// One more module done.
    pub fn module_done(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
