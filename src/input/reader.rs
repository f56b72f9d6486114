//! Streaming line reader: the file arrives as batches of whole lines.
//!
//! Memory stays flat however large the file: only the batches in flight are held. A batch
//! is one contiguous buffer plus the line boundaries in it, so lines are borrowed, never
//! copied one by one. A line longer than a batch (a 100 MB example) grows its batch to fit,
//! up to [`BatchLimits::max_line_bytes`]: a line longer than any valid example is handed
//! out as one [`Special::TooLong`] entry and its bytes are skipped, never held. A run of
//! empty lines is one [`Special::BlankRun`] entry, however long (a flood of newlines costs
//! no memory per line).
//!
//! A regular file is mapped instead of read ([`BatchReader::of_file`], [`super::mapped`]):
//! its batches borrow windows of the mapping and hold the same lines, cut at the same
//! places, as reading it gives.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;

use super::mapped::{MIN_MAPPED_LEN, MappedFile, Window};

/// Bytes read per `read` call.
const READ_CHUNK: usize = 1 << 20;
/// A long line's buffer grows by at most this much at a time (so it ends near its size,
/// not at twice it).
const MAX_GROWTH: usize = 64 << 20;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// The line bound when none is set: 1 GiB, above every target's (`Target::max_line_bytes`).
pub const DEFAULT_MAX_LINE_BYTES: u64 = 1 << 30;

/// How batches are cut: at least `target_bytes` and `min_lines` (so the pool has lines to
/// share), unless that would exceed `max_bytes` or `max_entries`; and where a line is too
/// long to hold.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub target_bytes: usize,
    pub max_bytes: usize,
    pub min_lines: usize,
    /// At most this many entries (a run of blank lines is one): the findings of the
    /// batches in flight are held until emitted, so their number is bounded however short
    /// the lines (8 MB of `{}` lines would otherwise be 2.8 M lines, 5.6 M findings).
    pub max_entries: usize,
    /// Longer lines are [`Special::TooLong`]: reported, not held. The engine sets the
    /// target's bound (`Target::max_line_bytes`).
    pub max_line_bytes: u64,
}

impl Default for BatchLimits {
    /// The line bound is [`DEFAULT_MAX_LINE_BYTES`].
    ///
    /// About 4 MiB per batch: the batches in flight (read ahead, being checked, waiting to
    /// be taken in order) are what vft holds of a file, and for a mapped file each is page
    /// cache in its resident set. With 8 MiB and 16 lines, a 5 GB photo file (630 KB lines)
    /// peaked at 97 MiB; with 4 MiB and 8 lines at 64 MiB, for 3-4% more time (measured
    /// side by side, `benches/bench.py`, 2026-12-03).
    fn default() -> Self {
        Self {
            target_bytes: 4 << 20,
            max_bytes: 64 << 20,
            min_lines: 8,
            max_entries: 4096,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// An entry of a batch that stands for more than its bytes (which are empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// `lines` consecutive empty lines (the entry's number is the first).
    BlankRun { lines: u64 },
    /// A line of `len` bytes (without its `\n`), longer than
    /// [`BatchLimits::max_line_bytes`]; its bytes were skipped.
    TooLong { len: u64 },
}

/// The bytes of a batch: read into a buffer, or a window of a mapped file.
#[derive(Debug)]
enum Held {
    Read(Vec<u8>),
    /// The first `len` bytes of the window.
    Mapped {
        window: Window,
        len: usize,
    },
}

impl Default for Held {
    fn default() -> Self {
        Held::Read(Vec::new())
    }
}

impl Held {
    fn bytes(&self) -> &[u8] {
        match self {
            Held::Read(data) => data,
            Held::Mapped { window, len } => &window[..*len],
        }
    }
}

/// Whole lines read from the input.
#[derive(Debug, Default)]
pub struct Batch {
    data: Held,
    /// Line contents within `data`, without the `\n` (empty for a special entry).
    spans: Vec<Range<usize>>,
    /// The special entries, in order: index into `spans`, file offset, what it stands for.
    specials: Vec<(usize, u64, Special)>,
    /// 1-based number of the first line.
    first_line: u64,
    /// File offset of `data[0]`.
    base_offset: u64,
    /// Bytes of the input this batch covers but does not hold (a too-long line's).
    skipped: u64,
    /// The last line has no `\n` after it and the input ended there.
    unterminated_tail: bool,
    /// This is the first batch and the input began with a UTF-8 BOM (not part of line 1).
    pub starts_with_bom: bool,
}

/// One line of the input, borrowed from its batch.
#[derive(Debug, Clone, Copy)]
pub struct RawLine<'a> {
    /// 1-based line number.
    pub number: u64,
    /// File offset of the line's first byte (after a BOM on line 1).
    pub offset: u64,
    /// The line without its `\n` (a `\r` before it is kept; the checker reports it).
    pub bytes: &'a [u8],
    /// No `\n` ended this line: it is the last one and the file has no final newline.
    pub unterminated: bool,
    /// A run of empty lines or a line too long to hold (`bytes` is empty then).
    pub special: Option<Special>,
}

impl Batch {
    pub fn lines(&self) -> impl ExactSizeIterator<Item = RawLine<'_>> + '_ {
        let last = self.spans.len().saturating_sub(1);
        let data = self.data.bytes();
        let mut number = self.first_line;
        let mut specials = self.specials.iter().peekable();
        self.spans.iter().enumerate().map(move |(i, span)| {
            let special = specials.next_if(|(at, _, _)| *at == i);
            let line = RawLine {
                number,
                offset: special.map_or(self.base_offset + span.start as u64, |s| s.1),
                bytes: &data[span.clone()],
                unterminated: self.unterminated_tail && i == last,
                special: special.map(|s| s.2),
            };
            number += match line.special {
                Some(Special::BlankRun { lines }) => lines,
                _ => 1,
            };
            line
        })
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The batch's buffer, to read the next batch into (empty for a mapped batch, whose
    /// window is unmapped here).
    pub fn into_buffer(self) -> Vec<u8> {
        match self.data {
            Held::Read(data) => data,
            Held::Mapped { .. } => Vec::new(),
        }
    }

    /// Bytes of input this batch covers (including newlines, a BOM and skipped lines).
    pub fn byte_len(&self) -> usize {
        self.data.bytes().len() + usize::try_from(self.skipped).unwrap_or(usize::MAX)
    }
}

/// A run of empty lines not handed out yet: it may go on in the next batch.
#[derive(Debug, Clone, Copy)]
struct BlankRun {
    offset: u64,
    lines: u64,
}

/// The batch being filled.
struct Filling {
    data: Vec<u8>,
    entries: Entries,
    /// Where the line not yet ended starts in `data`.
    line_start: usize,
    skipped: u64,
}

/// The entries of the batch being filled.
#[derive(Default)]
struct Entries {
    spans: Vec<Range<usize>>,
    specials: Vec<(usize, u64, Special)>,
    /// Lines the entries so far stand for.
    lines: u64,
}

impl Entries {
    fn push_line(&mut self, span: Range<usize>) {
        self.spans.push(span);
        self.lines += 1;
    }

    /// A special entry, placed at `at` in the batch's data.
    fn push_special(&mut self, at: usize, offset: u64, special: Special) {
        self.specials.push((self.spans.len(), offset, special));
        self.spans.push(at..at);
        self.lines += match special {
            Special::BlankRun { lines } => lines,
            Special::TooLong { .. } => 1,
        };
    }

    fn push_blank_run(&mut self, at: usize, run: Option<BlankRun>) {
        if let Some(run) = run {
            self.push_special(at, run.offset, Special::BlankRun { lines: run.lines });
        }
    }
}

/// Reads `inner` as a sequence of [`Batch`]es.
pub struct BatchReader<R> {
    /// What is read; `None` when the input is mapped.
    inner: Option<R>,
    mapped: Option<MappedFile>,
    limits: BatchLimits,
    /// The start of a line not ended by the last batch.
    carry: Vec<u8>,
    next_line: u64,
    /// File offset of the next batch's first byte.
    offset: u64,
    at_start: bool,
    eof: bool,
    blank_run: Option<BlankRun>,
}

impl BatchReader<File> {
    /// Reads `file` as [`BatchReader::new`] does, mapping it when it is a regular file of
    /// at least [`MIN_MAPPED_LEN`] bytes (its lines are then never copied).
    pub fn of_file(file: File, limits: BatchLimits) -> Self {
        match MappedFile::new(file, MIN_MAPPED_LEN) {
            Ok(mapped) => Self::with_source(None, Some(mapped), limits),
            Err(file) => Self::new(file, limits),
        }
    }
}

impl<R: Read> BatchReader<R> {
    pub fn new(inner: R, limits: BatchLimits) -> Self {
        Self::with_source(Some(inner), None, limits)
    }

    fn with_source(inner: Option<R>, mapped: Option<MappedFile>, limits: BatchLimits) -> Self {
        Self {
            inner,
            mapped,
            limits,
            carry: Vec::new(),
            next_line: 1,
            offset: 0,
            at_start: true,
            eof: false,
            blank_run: None,
        }
    }

    /// The next batch, or `None` at the end of the input.
    pub fn next_batch(&mut self) -> io::Result<Option<Batch>> {
        self.next_batch_in(Vec::new())
    }

    /// The next batch, read into `buffer` (the buffer of a batch already checked: reusing
    /// it saves the kernel mapping and zeroing fresh pages for every batch).
    pub fn next_batch_in(&mut self, buffer: Vec<u8>) -> io::Result<Option<Batch>> {
        if let Some(file) = self.mapped.take() {
            let batch = self.next_mapped_batch(&file);
            self.mapped = Some(file);
            return batch;
        }
        let mut data = buffer;
        data.clear();
        data.reserve((self.carry.len() + READ_CHUNK).max(self.limits.target_bytes));
        data.append(&mut self.carry);
        let mut batch = Filling {
            data,
            entries: Entries::default(),
            line_start: 0,
            skipped: 0,
        };
        let mut starts_with_bom = false;
        // Where `\n`s are still to be found: the carry too (after a skipped line it holds
        // the rest of the chunk; else one line's start, a short scan).
        let mut scanned = 0;
        let mut skipped_a_line = false;
        // The batch holds `max_entries`; the lines after them are carried to the next.
        let mut entries_full = false;
        loop {
            if self.at_start && (batch.data.len() >= UTF8_BOM.len() || self.eof) {
                self.at_start = false;
                if batch.data.starts_with(UTF8_BOM) {
                    starts_with_bom = true;
                    batch.line_start = UTF8_BOM.len();
                    scanned = scanned.max(UTF8_BOM.len());
                }
            }
            if !self.at_start {
                if self.scan(
                    &batch.data,
                    &mut batch.entries,
                    &mut batch.line_start,
                    batch.skipped,
                    scanned,
                ) {
                    entries_full = true;
                    break;
                }
                scanned = batch.data.len();
                let unended = (batch.data.len() - batch.line_start) as u64;
                if unended > self.limits.max_line_bytes {
                    // The batch ends after the skipped line, so that the offsets of its
                    // other lines stay `base_offset` + their place in `data`.
                    self.skip_too_long_line(&mut batch)?;
                    skipped_a_line = true;
                    break;
                }
            }
            if self.eof || self.batch_is_full(batch.data.len(), &batch) {
                break;
            }
            self.read_more(&mut batch.data)?;
        }

        let mut unterminated_tail = false;
        if self.eof && !skipped_a_line && !entries_full {
            let start = batch.line_start;
            batch.entries.push_blank_run(start, self.blank_run.take());
            if start < batch.data.len() {
                batch.entries.push_line(start..batch.data.len());
                unterminated_tail = true;
            }
        } else {
            self.carry
                .extend_from_slice(&batch.data[batch.line_start..]);
            batch.data.truncate(batch.line_start);
        }
        if batch.data.is_empty() && batch.entries.spans.is_empty() && batch.skipped == 0 {
            return Ok(None);
        }

        let Filling {
            data,
            entries:
                Entries {
                    spans,
                    specials,
                    lines,
                },
            skipped,
            ..
        } = batch;
        let batch = Batch {
            data: Held::Read(data),
            spans,
            specials,
            first_line: self.next_line,
            base_offset: self.offset,
            skipped,
            unterminated_tail,
            starts_with_bom,
        };
        self.next_line += lines;
        self.offset += batch.byte_len() as u64;
        Ok(Some(batch))
    }

    /// The next batch of a mapped file: the lines reading it would give, cut where reading
    /// it in [`READ_CHUNK`]s would cut them, in a window of the mapping.
    fn next_mapped_batch(&mut self, file: &MappedFile) -> io::Result<Option<Batch>> {
        let start = self.offset;
        let remaining = usize::try_from(file.len().saturating_sub(start)).unwrap_or(usize::MAX);
        let mut window = file.window(start, remaining.min(self.window_bytes()))?;
        let mut batch = Filling {
            data: Vec::new(),
            entries: Entries::default(),
            line_start: 0,
            skipped: 0,
        };
        let mut starts_with_bom = false;
        // What a read would hold by now, and what of it is scanned for `\n`s.
        let mut held = window.len().min(READ_CHUNK);
        let mut scanned = 0;
        let mut skipped_a_line = false;
        // The batch holds `max_entries`; the lines after them go to the next.
        let mut entries_full = false;
        let mut eof;
        loop {
            eof = held == remaining;
            if self.at_start && (held >= UTF8_BOM.len() || eof) {
                self.at_start = false;
                if window[..held].starts_with(UTF8_BOM) {
                    starts_with_bom = true;
                    batch.line_start = UTF8_BOM.len();
                    scanned = UTF8_BOM.len();
                }
            }
            if !self.at_start {
                let data = &window[..held];
                if self.scan(data, &mut batch.entries, &mut batch.line_start, 0, scanned) {
                    entries_full = true;
                    break;
                }
                scanned = held;
                if (held - batch.line_start) as u64 > self.limits.max_line_bytes {
                    eof = self.skip_mapped_line(file, held, &mut batch)?;
                    skipped_a_line = true;
                    break;
                }
            }
            if eof || self.batch_is_full(held, &batch) {
                break;
            }
            if held == window.len() {
                window = file.window(start, remaining.min(window.len().saturating_mul(2)))?;
            }
            held = window.len().min(held + READ_CHUNK);
        }

        let mut unterminated_tail = false;
        let len = if eof && !skipped_a_line && !entries_full {
            let line_start = batch.line_start;
            batch
                .entries
                .push_blank_run(line_start, self.blank_run.take());
            if line_start < held {
                batch.entries.push_line(line_start..held);
                unterminated_tail = true;
            }
            held
        } else {
            batch.line_start
        };
        if len == 0 && batch.entries.spans.is_empty() && batch.skipped == 0 {
            return Ok(None);
        }
        let Entries {
            spans,
            specials,
            lines,
        } = batch.entries;
        let batch = Batch {
            data: Held::Mapped { window, len },
            spans,
            specials,
            first_line: self.next_line,
            base_offset: start,
            skipped: batch.skipped,
            unterminated_tail,
            starts_with_bom,
        };
        self.next_line += lines;
        self.offset += batch.byte_len() as u64;
        Ok(Some(batch))
    }

    /// The line from `batch.line_start` is too long to hold and has no `\n` in the first
    /// `held` bytes of the window: hands it out as one [`Special::TooLong`] entry and finds
    /// its end in windows of its own, unmapped as soon as searched. True when it ends the
    /// file.
    fn skip_mapped_line(
        &mut self,
        file: &MappedFile,
        held: usize,
        batch: &mut Filling,
    ) -> io::Result<bool> {
        let start = batch.line_start;
        batch.entries.push_blank_run(start, self.blank_run.take());
        let offset = self.offset + start as u64;
        let mut searched = self.offset + held as u64;
        loop {
            let rest = usize::try_from(file.len() - searched).unwrap_or(usize::MAX);
            let window = file.window(searched, rest.min(self.window_bytes()))?;
            let newline = memchr::memchr(b'\n', &window);
            let end = searched + newline.unwrap_or(window.len()) as u64;
            if newline.is_some() || window.is_empty() {
                let len = end - offset;
                batch.skipped = len + u64::from(newline.is_some());
                batch
                    .entries
                    .push_special(start, offset, Special::TooLong { len });
                return Ok(newline.is_none());
            }
            searched = end;
        }
    }

    /// How much of a mapped file a batch maps at first (more only for a longer line).
    fn window_bytes(&self) -> usize {
        self.limits
            .max_bytes
            .max(self.limits.target_bytes)
            .max(READ_CHUNK)
    }

    /// Ends the lines whose `\n` is in `data[from..]`: an empty line joins the run of empty
    /// lines, any other first hands out that run, then itself. Stops, returning true, when
    /// the batch has `max_entries`.
    fn scan(
        &mut self,
        data: &[u8],
        entries: &mut Entries,
        line_start: &mut usize,
        skipped: u64,
        from: usize,
    ) -> bool {
        let max_line = self.limits.max_line_bytes;
        let mut from = from;
        while let Some(nl) = memchr::memchr(b'\n', &data[from..]).map(|nl| from + nl) {
            let start = *line_start;
            let offset = self.offset + skipped + start as u64;
            if nl == start {
                // The whole run of `\n` at once: a flood of newlines is a byte loop, not a
                // search per line.
                let run = data[nl..].iter().take_while(|&&b| b == b'\n').count();
                self.blank_run
                    .get_or_insert(BlankRun { offset, lines: 0 })
                    .lines += run as u64;
                *line_start = nl + run;
                from = *line_start;
                continue;
            }
            entries.push_blank_run(start, self.blank_run.take());
            let len = (nl - start) as u64;
            if len > max_line {
                entries.push_special(start, offset, Special::TooLong { len });
            } else {
                entries.push_line(start..nl);
            }
            *line_start = nl + 1;
            from = *line_start;
            if entries.spans.len() >= self.limits.max_entries {
                return true;
            }
        }
        false
    }

    /// The line being read is longer than any valid example: hands it out as one
    /// [`Special::TooLong`] entry and reads past its end, holding at most a chunk of it.
    fn skip_too_long_line(&mut self, batch: &mut Filling) -> io::Result<()> {
        let start = batch.line_start;
        batch.entries.push_blank_run(start, self.blank_run.take());
        let offset = self.offset + batch.skipped + start as u64;
        let mut len = 0_u64;
        loop {
            if let Some(nl) = memchr::memchr(b'\n', &batch.data[start..]) {
                len += nl as u64;
                batch.skipped += nl as u64 + 1;
                batch.data.drain(start..=start + nl);
                batch
                    .entries
                    .push_special(start, offset, Special::TooLong { len });
                return Ok(());
            }
            let held = batch.data.len() - start;
            len += held as u64;
            batch.skipped += held as u64;
            batch.data.truncate(start);
            if self.eof {
                batch
                    .entries
                    .push_special(start, offset, Special::TooLong { len });
                return Ok(());
            }
            self.read_more(&mut batch.data)?;
        }
    }

    /// Reads the next chunk of the stream into `data`.
    fn read_more(&mut self, data: &mut Vec<u8>) -> io::Result<()> {
        match &mut self.inner {
            Some(inner) => read_chunk(inner, data, &mut self.eof),
            None => Err(io::Error::other("a mapped input is not read")),
        }
    }

    /// Whether a batch of `len` bytes ends here.
    fn batch_is_full(&self, len: usize, batch: &Filling) -> bool {
        let limits = &self.limits;
        let lines = batch.entries.lines + self.blank_run.map_or(0, |run| run.lines);
        batch.line_start > 0
            && ((len >= limits.target_bytes && lines >= limits.min_lines as u64)
                || len >= limits.max_bytes)
    }
}

/// Appends up to [`READ_CHUNK`] bytes, read straight into `data`'s spare capacity (no
/// zero-filling first); fewer means the input ended.
fn read_chunk(inner: &mut impl Read, data: &mut Vec<u8>, eof: &mut bool) -> io::Result<()> {
    if data.capacity() - data.len() < READ_CHUNK {
        data.reserve_exact(data.len().clamp(READ_CHUNK, MAX_GROWTH));
    }
    let read = inner.take(READ_CHUNK as u64).read_to_end(data)?;
    *eof = read < READ_CHUNK;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads all lines of `input` with small batches, as (number, offset, text, unterminated).
    fn read_all(input: &[u8], limits: BatchLimits) -> (Vec<(u64, u64, String, bool)>, bool) {
        let mut reader = BatchReader::new(input, limits);
        let mut out = Vec::new();
        let mut bom = false;
        while let Some(batch) = reader.next_batch().unwrap() {
            bom |= batch.starts_with_bom;
            for line in batch.lines() {
                let text = String::from_utf8_lossy(line.bytes).into_owned();
                out.push((line.number, line.offset, text, line.unterminated));
            }
        }
        (out, bom)
    }

    const TINY: BatchLimits = BatchLimits {
        target_bytes: 3,
        max_bytes: 5,
        min_lines: 1,
        max_entries: 2,
        max_line_bytes: 1 << 40,
    };

    type Entry = (u64, u64, usize, Option<Special>);

    /// Every entry of `input` as (number, offset, byte length, special), read in batches
    /// of `limits`, and the bytes the batches cover.
    fn entries(input: &[u8], limits: BatchLimits) -> (Vec<Entry>, usize) {
        let mut reader = BatchReader::new(input, limits);
        let (mut out, mut covered) = (Vec::new(), 0);
        while let Some(batch) = reader.next_batch().unwrap() {
            covered += batch.byte_len();
            out.extend(
                batch
                    .lines()
                    .map(|l| (l.number, l.offset, l.bytes.len(), l.special)),
            );
        }
        (out, covered)
    }

    #[test]
    fn a_run_of_empty_lines_is_one_entry_across_batches() {
        let input = format!("a\n{}b\n\n", "\n".repeat(3 * READ_CHUNK));
        for limits in [TINY, BatchLimits::default()] {
            let (got, covered) = entries(input.as_bytes(), limits);
            let run = Some(Special::BlankRun {
                lines: 3 * READ_CHUNK as u64,
            });
            let after = 3 * READ_CHUNK as u64 + 2;
            assert_eq!(
                got,
                [
                    (1, 0, 1, None),
                    (2, 2, 0, run),
                    (after, after, 1, None),
                    (
                        after + 1,
                        after + 2,
                        0,
                        Some(Special::BlankRun { lines: 1 })
                    ),
                ]
            );
            assert_eq!(covered, input.len());
        }
    }

    #[test]
    fn a_line_over_the_bound_is_one_entry_and_is_not_held() {
        let limits = BatchLimits {
            max_line_bytes: 2 * READ_CHUNK as u64,
            ..BatchLimits::default()
        };
        let long = 5 * READ_CHUNK + 3;
        let mut input = b"a\n\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', long));
        input.extend(b"\nb\nc");
        let (got, covered) = entries(&input, limits);
        let too_long = Some(Special::TooLong { len: long as u64 });
        let b = 3 + long as u64 + 1;
        assert_eq!(
            got,
            [
                (1, 0, 1, None),
                (2, 2, 0, Some(Special::BlankRun { lines: 1 })),
                (3, 3, 0, too_long),
                (4, b, 1, None),
                (5, b + 2, 1, None),
            ]
        );
        assert_eq!(covered, input.len());
        // No newline at all: one entry, and the reader ends.
        let zeros = vec![0_u8; 7 * READ_CHUNK];
        let (got, covered) = entries(&zeros, limits);
        assert_eq!(
            got,
            [(
                1,
                0,
                0,
                Some(Special::TooLong {
                    len: zeros.len() as u64
                })
            )]
        );
        assert_eq!(covered, zeros.len());
    }

    #[test]
    fn lines_offsets_and_final_newline() {
        for limits in [TINY, BatchLimits::default()] {
            let (lines, bom) = read_all(b"ab\n\ncdef\r\ng", limits);
            assert!(!bom);
            assert_eq!(
                lines,
                [
                    (1, 0, "ab".into(), false),
                    (2, 3, String::new(), false),
                    (3, 4, "cdef\r".into(), false),
                    (4, 10, "g".into(), true),
                ]
            );
            let (lines, _) = read_all(b"ab\ncd\n", limits);
            assert_eq!(
                lines,
                [(1, 0, "ab".into(), false), (2, 3, "cd".into(), false)]
            );
        }
    }

    #[test]
    fn bom_is_stripped_from_line_one_only() {
        let (lines, bom) = read_all(b"\xEF\xBB\xBF{}\n{}\n", TINY);
        assert!(bom);
        assert_eq!(
            lines,
            [(1, 3, "{}".into(), false), (2, 6, "{}".into(), false)]
        );
    }

    #[test]
    fn a_line_longer_than_a_batch_is_kept_whole() {
        let long = "x".repeat(3 * READ_CHUNK + 17);
        let input = format!("a\n{long}\nb");
        let (lines, _) = read_all(input.as_bytes(), TINY);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].2.len(), long.len());
        assert_eq!(lines[2], (3, 2 + long.len() as u64 + 1, "b".into(), true));
    }

    #[test]
    fn a_batch_holds_at_most_max_entries() {
        let input = "{}\n".repeat(10_000) + "\n\n{}";
        let mut reader = BatchReader::new(input.as_bytes(), BatchLimits::default());
        let (mut sizes, mut lines, mut covered) = (Vec::new(), Vec::new(), 0);
        while let Some(batch) = reader.next_batch().unwrap() {
            sizes.push(batch.len());
            covered += batch.byte_len();
            lines.extend(batch.lines().map(|l| (l.number, l.offset, l.unterminated)));
        }
        assert_eq!(sizes, [4096, 4096, 1810]);
        assert_eq!(covered, input.len());
        assert_eq!(lines[4096], (4097, 3 * 4096, false));
        assert_eq!(lines.last(), Some(&(10_003, 30_002, true)));
        assert!(lines.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(read_all(b"", TINY).0.is_empty());
    }

    /// Every line as (number, offset, bytes, unterminated, special), whatever the batches,
    /// the BOM flag and the bytes the batches cover.
    type Lines = (Vec<(u64, u64, Vec<u8>, bool, Option<Special>)>, bool, usize);

    fn lines_of<R: Read>(mut reader: BatchReader<R>) -> Lines {
        let (mut out, mut bom, mut covered) = (Vec::new(), false, 0);
        while let Some(batch) = reader.next_batch_in(Vec::new()).unwrap() {
            bom |= batch.starts_with_bom;
            covered += batch.byte_len();
            out.extend(batch.lines().map(|l| {
                (
                    l.number,
                    l.offset,
                    l.bytes.to_vec(),
                    l.unterminated,
                    l.special,
                )
            }));
        }
        (out, bom, covered)
    }

    /// Returns at most a few bytes per `read`, as a pipe may.
    struct Trickle<'a> {
        input: &'a [u8],
        next: Rng,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            // Never 0 before the end: that would say the input ended.
            let n = (1 + self.next.below(6))
                .min(buf.len())
                .min(self.input.len());
            buf[..n].copy_from_slice(&self.input[..n]);
            self.input = &self.input[n..];
            Ok(n)
        }
    }

    /// xorshift64: reproducible inputs without a dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            usize::try_from(self.0 % n as u64).unwrap_or_default()
        }
    }

    /// An input of short and long lines, runs of empty lines, `\r`s, maybe a BOM and maybe a
    /// final newline.
    fn random_input(rng: &mut Rng, long: usize) -> Vec<u8> {
        let mut input = Vec::new();
        if rng.below(4) == 0 {
            input.extend(UTF8_BOM);
        }
        for _ in 0..rng.below(40) {
            match rng.below(6) {
                0 => input.extend(std::iter::repeat_n(b'\n', rng.below(5))),
                1 => input.extend(std::iter::repeat_n(b'x', rng.below(long))),
                2 => input.extend(b"\r\n"),
                _ => input.extend(std::iter::repeat_n(b'a', rng.below(12))),
            }
            if rng.below(3) > 0 {
                input.push(b'\n');
            }
        }
        input
    }

    fn random_limits(rng: &mut Rng) -> BatchLimits {
        BatchLimits {
            target_bytes: 1 + rng.below(64),
            max_bytes: 1 + rng.below(256),
            min_lines: rng.below(4),
            max_entries: [1, 3, 4096][rng.below(3)],
            max_line_bytes: [4, 30, 1 << 40][rng.below(3)],
        }
    }

    #[test]
    fn any_split_into_reads_gives_the_same_lines() {
        let mut rng = Rng(0x5eed);
        for _ in 0..300 {
            let input = random_input(&mut rng, 80);
            let limits = random_limits(&mut rng);
            let whole = lines_of(BatchReader::new(&input[..], limits));
            let trickle = Trickle {
                input: &input,
                next: Rng(rng.below(1 << 30) as u64 + 1),
            };
            assert_eq!(lines_of(BatchReader::new(trickle, limits)), whole);
            assert_eq!(whole.2, input.len());
        }
    }

    /// The mapped reader (on a file of any length) against reading the same bytes.
    fn mapped_and_read(input: &[u8], limits: BatchLimits) -> (Lines, Lines) {
        let mut file = tempfile::tempfile().unwrap();
        io::Write::write_all(&mut file, input).unwrap();
        let mapped = MappedFile::new(file, 0).unwrap();
        let reader = BatchReader::<File>::with_source(None, Some(mapped), limits);
        (lines_of(reader), lines_of(BatchReader::new(input, limits)))
    }

    #[test]
    fn a_mapped_file_gives_the_lines_reading_it_gives() {
        let mut rng = Rng(0xfeed);
        for _ in 0..200 {
            let input = random_input(&mut rng, 80);
            let limits = random_limits(&mut rng);
            let (mapped, read) = mapped_and_read(&input, limits);
            assert_eq!(
                mapped,
                read,
                "{limits:?} {:?}",
                String::from_utf8_lossy(&input)
            );
        }
        // Lines longer than a read, a window and the line bound, across chunk borders.
        let mut input = b"a\n\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 3 * READ_CHUNK + 5));
        input.extend(b"\nb\n");
        input.extend(std::iter::repeat_n(b'y', READ_CHUNK - 2));
        input.extend(b"\n\n\nc");
        for max_line_bytes in [READ_CHUNK as u64 / 2, 2 * READ_CHUNK as u64, 1 << 40] {
            for (target_bytes, max_bytes) in
                [(3, 5), (READ_CHUNK, 2 * READ_CHUNK), (8 << 20, 64 << 20)]
            {
                let limits = BatchLimits {
                    target_bytes,
                    max_bytes,
                    min_lines: 2,
                    max_entries: 4096,
                    max_line_bytes,
                };
                let (mapped, read) = mapped_and_read(&input, limits);
                assert_eq!(mapped, read, "{limits:?}");
                assert_eq!(mapped.2, input.len());
            }
        }
        // A too-long last line without a newline, and an empty file.
        let limits = BatchLimits {
            max_line_bytes: 10,
            ..BatchLimits::default()
        };
        let (mapped, read) = mapped_and_read(&vec![b'z'; 3 * READ_CHUNK], limits);
        assert_eq!(mapped, read);
        let (mapped, read) = mapped_and_read(b"", limits);
        assert_eq!((mapped.0.len(), mapped.2), (0, 0));
        assert_eq!(mapped, read);
    }
}
