//! The commands, one module each, and what they share: vft's own error messages, finding
//! the configuration, and [`Run`], the per-file loop over an [`Engine`].

pub mod check;
pub mod config;
pub mod fix;
pub mod rule;
pub mod rules;
pub mod stats;

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use crate::cli::ColorChoice;
use crate::config::ConfigError;
use crate::engine::{Engine, ExampleObserver, Output, Stop};
use crate::render::Emitter;
use crate::summary::Summary;

/// Reports a failure of vft itself on stderr.
#[allow(clippy::print_stderr)] // the one place vft's own errors are written
pub(crate) fn tool_error(message: &str) {
    eprintln!("vft: error: {message}");
}

/// Reports a configuration error on stderr, pointing into the file when it can.
#[allow(clippy::print_stderr)] // vft's own errors
fn config_error(error: &ConfigError, color: ColorChoice) {
    let color = color.enabled(
        std::env::var_os("NO_COLOR").as_deref(),
        io::stderr().is_terminal(),
    );
    eprint!("{}", error.render(color));
}

/// Where configuration discovery starts: the first file's directory, or the working
/// directory for standard input.
fn discovery_start(first: Option<&Path>) -> PathBuf {
    let dir = match first {
        Some(path) if path != Path::new("-") => path.parent().unwrap_or(Path::new("")),
        _ => Path::new(""),
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned())
}

/// One run over the command's files: the engine (options, pool, fetcher), where the
/// diagnostics go, and the totals.
pub(crate) struct Run<'e> {
    pub(crate) engine: Engine,
    pub(crate) emitter: Box<dyn Emitter + 'e>,
    pub(crate) summary: Summary,
    /// Whether the emitter's closing summary shows the run's failures ("Could not check:
    /// …") on the terminal stderr writes to as well: then stderr does not say them twice.
    pub(crate) failures_on_screen: bool,
}

impl Run<'_> {
    /// Checks each file in turn. A file vft cannot read is reported, recorded in the
    /// summary's failures and skipped; the others are still checked.
    pub(crate) fn check_files(
        &mut self,
        files: &[PathBuf],
        observe: &mut ExampleObserver<'_>,
    ) -> io::Result<()> {
        for path in files {
            let reported = self.summary.failures.len();
            let mut out = Output {
                emitter: self.emitter.as_mut(),
                summary: &mut self.summary,
                observe: &mut *observe,
            };
            match self.engine.check_path(path, &mut out) {
                // The engine records what kept it from checking a file fully (no network).
                Ok(()) => {
                    if !self.failures_on_screen {
                        for failure in &self.summary.failures[reported..] {
                            tool_error(failure);
                        }
                    }
                }
                Err(Stop::Input(error)) => {
                    let name = crate::engine::input_name(path);
                    let message = format!("cannot read `{name}`: {error}");
                    if !self.failures_on_screen {
                        tool_error(&message);
                    }
                    self.summary.failures.push(message);
                }
                Err(Stop::Output(error)) => return Err(error),
            }
        }
        Ok(())
    }
}
