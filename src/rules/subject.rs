//! What rules look at: one type per kind of check ([`crate::rules::rule::Check`]). The
//! engine builds these; rules only read them.

use crate::example::Example;
use crate::fetch::{Failure, Unverified};
use crate::input::JsonPointer;
use crate::json::Json;
use crate::media::faces::FaceHit;
use crate::media::probe::Probe;
use crate::method::{ForeignShape, Method};
use crate::target::Target;
use crate::tokens::{ExampleTokens, Model};

/// An event of reading or parsing one line, for [`crate::rules::rule::Check::Line`] rules.
/// All but the last two end the line: it gets no other per-line finding.
#[derive(Debug, Clone, Copy)]
pub enum LineEvent<'a> {
    /// The line is not UTF-8: the bad byte, at `offset` in the line and `file_offset` in
    /// the file.
    InvalidUtf8 {
        offset: usize,
        file_offset: u64,
        byte: u8,
    },
    /// The line is empty or only whitespace; `lines` > 1 is a run of empty lines from
    /// this one on, which the reader hands over as one.
    Blank { lines: u64 },
    /// The line is longer than any valid example can be (`limit`); its bytes were skipped
    /// by the reader, unread.
    TooLong { len: u64, limit: u64 },
    /// The line is not one JSON value; `unterminated` says it is the file's last line and
    /// has no final newline, the mark of a truncated file.
    InvalidJson {
        error: &'a serde_json::Error,
        text: &'a str,
        unterminated: bool,
    },
    /// The line is not valid JSON but holds lone CRs (`\r` not before `\n`): it is `lines`
    /// CR-separated lines (the non-blank ones); the first `\r` stands at `offset`.
    CrOnly { offset: usize, lines: u64 },
    /// The line's JSON value is not an object.
    NotObject { value: Json<'a> },
    /// The first line of the file that ends with CRLF; its `\r` stands at `offset`.
    FirstCrlf { offset: usize },
    /// The file starts with a UTF-8 byte-order mark (reported on line 1).
    ByteOrderMark,
    /// The line is in the other family of format than the file's method (a chat line in a
    /// DPO file, a DPO line in an SFT or RFT file). It ends the line too: the method's
    /// rules would only repeat it.
    WrongMethod { line: Method, file: Method },
}

/// One line that parsed as a JSON object, with what the engine worked out about it.
#[derive(Debug, Clone, Copy)]
pub struct ExampleContext<'a> {
    pub example: &'a Example<'a>,
    /// What each of `example.images` is (same order): `None` where vft has no bytes (a
    /// URL, an invalid data URI).
    pub probes: &'a [Option<Probe>],
    /// The example's tokens for `model`.
    pub tokens: &'a ExampleTokens,
    /// The model tokens are counted for (`--model`).
    pub model: Model,
    /// The file's training method (`--method`, or decided from its first example).
    pub method: Method,
}

/// One image whose bytes vft has, as the image rules see it: a data URI's decoded payload,
/// or the body of a fetched URL.
#[derive(Debug, Clone)]
pub struct ImageView<'a> {
    /// The pointer of its `image_url.url`.
    pub pointer: JsonPointer,
    pub origin: ImageOrigin<'a>,
    /// Its size in bytes; with `at_least`, a lower bound (a body cut at the read limit).
    pub len: u64,
    pub at_least: bool,
    /// What the bytes are; `None` when they were not all read (over the size limit).
    pub probe: Option<&'a Probe>,
    /// The faces screening found (`--faces on`); `None` when it found none or did not run.
    pub faces: Option<FaceHit>,
}

/// Where an image's bytes came from, and the media type they were declared as.
#[derive(Debug, Clone, Copy)]
pub enum ImageOrigin<'a> {
    /// A data URI and its media type.
    Data { mime: &'a str },
    /// A fetched URL and its `Content-Type`.
    Remote {
        url: &'a str,
        content_type: Option<&'a str>,
    },
}

impl ImageView<'_> {
    /// The declared media type: the data URI's, or the response's `Content-Type`.
    pub fn declared_type(&self) -> Option<&str> {
        match self.origin {
            ImageOrigin::Data { mime } => Some(mime),
            ImageOrigin::Remote { content_type, .. } => content_type,
        }
    }
}

/// An image URL that gave no image: refused by the address policy, or failed to fetch.
#[derive(Debug, Clone, Copy)]
pub struct UrlEvent<'a> {
    /// The pointer of its `image_url.url`.
    pub pointer: &'a JsonPointer,
    pub url: &'a str,
    pub failure: &'a Failure,
}

/// Totals for one file, for file-level rules.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    pub target: Target,
    /// The method the file is checked as: the one its first example's shape says, even
    /// with a `--method` it contradicts (see `requested`).
    pub method: Method,
    /// `--method` when not `auto`.
    pub requested: Option<Method>,
    /// `--model` when given (not the target's default, which only counts tokens).
    pub model: Option<Model>,
    /// Bytes read, BOM and newlines included.
    pub bytes: u64,
    /// Non-blank lines.
    pub examples: u64,
    pub examples_with_images: u64,
    pub images: u64,
    /// http(s) image URLs this run did not fetch (`--offline`, no network, the fetch
    /// budget).
    pub url_images: u64,
    /// Why they were not fetched: `None` under `--offline`; no network when any was for
    /// that reason, else the fetch budget.
    pub url_images_unfetched_because: Option<Unverified>,
    /// The examples with an image the platform will skip.
    pub skipped_image_lines: LineSample,
    /// Examples whose only skipped images are probable skips (a face), not counted in
    /// `skipped_image_lines`.
    pub probably_skipped_examples: u64,
    pub has_bom: bool,
    /// What the file's lines look like when most are in no training format (legacy
    /// prompt/completion, question/answer…); such lines are not checked one by one.
    pub foreign: Option<ForeignShape>,
    /// The lines in no training format, of a file with `foreign` set.
    pub foreign_lines: u64,
    /// The first line of an example with an image.
    pub first_image_line: Option<u64>,
}

/// A set of line numbers as a count and the lowest few, so that what is kept per file does
/// not grow with its lines.
#[derive(Debug, Clone, Default)]
pub struct LineSample {
    count: u64,
    /// The lowest lines noted, in order, at most [`LineSample::KEPT`].
    lowest: Vec<u64>,
    last: Option<u64>,
}

impl LineSample {
    pub const KEPT: usize = 10;

    /// Notes `line`. The caller notes each line once, except that it may note the same
    /// line several times in a row (one finding per image of an example).
    pub fn note(&mut self, line: u64) {
        if self.last == Some(line) {
            return;
        }
        self.last = Some(line);
        self.count += 1;
        let at = self.lowest.partition_point(|&l| l < line);
        if at < Self::KEPT {
            self.lowest.insert(at, line);
            self.lowest.truncate(Self::KEPT);
        }
    }

    /// Whether `line` is the last line noted.
    pub fn is_last(&self, line: u64) -> bool {
        self.last == Some(line)
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The lowest lines noted, in order.
    pub fn lowest(&self) -> &[u64] {
        &self.lowest
    }
}

impl FromIterator<u64> for LineSample {
    fn from_iter<I: IntoIterator<Item = u64>>(lines: I) -> Self {
        let mut sample = Self::default();
        for line in lines {
            sample.note(line);
        }
        sample
    }
}

#[cfg(test)]
mod tests {
    use super::LineSample;

    #[test]
    fn a_line_sample_counts_every_line_and_keeps_the_lowest() {
        let mut sample = LineSample::default();
        for line in (100..100_000).step_by(3) {
            sample.note(line);
            sample.note(line);
        }
        // Lines noted later may be lower (the fetched URLs' findings come at the end).
        for line in [7, 5, 5] {
            sample.note(line);
        }
        assert_eq!(sample.count(), 33_300 + 2);
        assert_eq!(
            sample.lowest(),
            [5, 7, 100, 103, 106, 109, 112, 115, 118, 121]
        );
        assert!(sample.is_last(5));
    }
}
