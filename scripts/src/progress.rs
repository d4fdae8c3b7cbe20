//! Progress output of the long commands (`deploy`, `demo`), on stderr.
//!
//! A command is a sequence of steps (building the contracts, deploying one program, granting the
//! roles, one demo phase, ...). On a terminal the running step shows as an indicatif spinner with
//! its elapsed time and the transaction being sent; when it ends, one line with its time replaces
//! it. When stderr is not a terminal (CI logs, a pipe) only those lines are printed: no spinner, no
//! carriage returns, no escape codes. Quiet prints nothing. Results (tables, JSON) go to stdout and
//! never mix with these lines.
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Where progress goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Nothing (`--quiet`, tests).
    Quiet,
    /// A spinner on a terminal, plus one line per finished step.
    Terminal,
    /// One plain line per finished step (stderr is not a terminal).
    Plain,
}

/// The steps of one command and their timing. See the module docs.
#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    step: Option<(String, Instant)>,
}

impl Progress {
    /// Quiet when `quiet`, else a spinner if stderr is a terminal, else plain lines.
    pub fn new(quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Terminal
        } else {
            Mode::Plain
        };
        Self::with_mode(mode)
    }

    /// Progress in the given mode (for tests of the output).
    pub fn with_mode(mode: Mode) -> Self {
        Self {
            mode,
            bar: None,
            step: None,
        }
    }

    /// The mode in use.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Ends the running step (printing its line) and starts `name`.
    pub fn step(&mut self, name: impl Into<String>) {
        self.finish();
        let name = name.into();
        if self.mode == Mode::Terminal {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message(name.clone());
            self.bar = Some(bar);
        }
        self.step = Some((name, Instant::now()));
    }

    /// Shows what the running step is doing now (e.g. the transaction being sent): on the
    /// spinner only, never as a line of its own.
    pub fn detail(&self, what: &str) {
        if let (Some(bar), Some((name, _))) = (&self.bar, &self.step) {
            bar.set_message(format!("{name}: {what}"));
        }
    }

    /// Ends the running step: prints `<seconds> s  <step>`.
    pub fn finish(&mut self) {
        self.finish_with("");
    }

    /// Ends the running step with a result: prints `<seconds> s  <step>: <result>`.
    pub fn finish_with(&mut self, result: &str) {
        if let Some((name, started)) = self.step.take() {
            let what = if result.is_empty() {
                name
            } else {
                format!("{name}: {result}")
            };
            // The spinner goes; the step's line stays.
            if let Some(bar) = self.bar.take() {
                bar.finish_and_clear();
            }
            self.line(&format!(
                "{:>7.1} s  {what}",
                started.elapsed().as_secs_f64()
            ));
        }
    }

    /// Prints a line of its own (above the spinner while a step runs on a terminal).
    pub fn line(&self, text: &str) {
        match (self.mode, &self.bar) {
            (Mode::Quiet, _) => {}
            (Mode::Terminal, Some(bar)) => bar.println(text),
            _ => eprintln!("{text}"),
        }
    }

    /// Ends the running step (and so removes the spinner).
    pub fn done(&mut self) {
        self.finish();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // On an error the running step has no line; only the spinner goes.
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
