//! The progress bar for large inputs: drawn on stderr, only when stderr is a terminal, so
//! pipes, files and CI logs never see it.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this are checked before a bar would be worth drawing.
const MIN_BYTES: u64 = 64 << 20;

/// A progress bar over the bytes of every file checked (hidden unless it is useful).
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Default for Progress {
    fn default() -> Self {
        Self::hidden()
    }
}

impl Progress {
    pub fn hidden() -> Self {
        Self {
            bar: ProgressBar::hidden(),
        }
    }

    /// A bar for `total_bytes`, shown when they are many and stderr is a terminal.
    pub fn for_bytes(total_bytes: u64) -> Self {
        if total_bytes < MIN_BYTES || !io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:24}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Self { bar }
    }

    /// Names the file being read.
    pub fn set_file(&self, name: &str) {
        self.bar.set_message(name.to_owned());
    }

    /// `bytes` more were checked.
    pub fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    /// Removes the bar, leaving the terminal as it was.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Runs `write` with the bar cleared, so output to the same terminal is not torn by it.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        self.bar.suspend(write)
    }
}

/// A writer that clears the bar around each write (the human report on a terminal).
pub struct AroundProgress<W> {
    inner: W,
    progress: Progress,
}

impl<W> AroundProgress<W> {
    pub fn new(inner: W, progress: Progress) -> Self {
        Self { inner, progress }
    }
}

impl<W: Write> Write for AroundProgress<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Self { inner, progress } = self;
        progress.suspend(|| inner.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
