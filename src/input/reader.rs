//! Streaming line reader: the file arrives as batches of whole lines.
//!
//! Memory stays flat however large the file: only the batches in flight are held. A batch
//! is one contiguous buffer plus the line boundaries in it, so lines are borrowed, never
//! copied one by one. A line longer than a batch (a 100 MB example) grows its batch to fit.

use std::io::{self, Read};
use std::ops::Range;

/// Bytes read per `read` call.
const READ_CHUNK: usize = 1 << 20;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How batches are cut: at least `target_bytes` and `min_lines` (so the pool has lines to
/// share), unless that would exceed `max_bytes`.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub target_bytes: usize,
    pub max_bytes: usize,
    pub min_lines: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self {
            target_bytes: 8 << 20,
            max_bytes: 64 << 20,
            min_lines: 16,
        }
    }
}

/// Whole lines read from the input.
#[derive(Debug, Default)]
pub struct Batch {
    data: Vec<u8>,
    /// Line contents within `data`, without the `\n`.
    spans: Vec<Range<usize>>,
    /// 1-based number of the first line.
    first_line: u64,
    /// File offset of `data[0]`.
    base_offset: u64,
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
}

impl Batch {
    pub fn lines(&self) -> impl ExactSizeIterator<Item = RawLine<'_>> + '_ {
        let last = self.spans.len().saturating_sub(1);
        self.spans.iter().enumerate().map(move |(i, span)| RawLine {
            number: self.first_line + i as u64,
            offset: self.base_offset + span.start as u64,
            bytes: &self.data[span.clone()],
            unterminated: self.unterminated_tail && i == last,
        })
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The batch's buffer, to read the next batch into.
    pub fn into_buffer(self) -> Vec<u8> {
        self.data
    }

    /// Bytes of input this batch covers (including newlines and a BOM).
    pub fn byte_len(&self) -> usize {
        self.data.len()
    }
}

/// Reads `inner` as a sequence of [`Batch`]es.
pub struct BatchReader<R> {
    inner: R,
    limits: BatchLimits,
    carry: Vec<u8>,
    next_line: u64,
    offset: u64,
    at_start: bool,
    eof: bool,
}

impl<R: Read> BatchReader<R> {
    pub fn new(inner: R, limits: BatchLimits) -> Self {
        Self {
            inner,
            limits,
            carry: Vec::new(),
            next_line: 1,
            offset: 0,
            at_start: true,
            eof: false,
        }
    }

    /// The next batch, or `None` at the end of the input.
    pub fn next_batch(&mut self) -> io::Result<Option<Batch>> {
        self.next_batch_in(Vec::new())
    }

    /// The next batch, read into `buffer` (the buffer of a batch already checked: reusing
    /// it saves the kernel mapping and zeroing fresh pages for every batch).
    pub fn next_batch_in(&mut self, buffer: Vec<u8>) -> io::Result<Option<Batch>> {
        let mut data = buffer;
        data.clear();
        data.reserve((self.carry.len() + READ_CHUNK).max(self.limits.target_bytes));
        data.append(&mut self.carry);
        // Where every `\n` is, found once as the bytes arrive.
        let mut newlines: Vec<usize> = memchr::memchr_iter(b'\n', &data).collect();
        while !self.eof && !self.batch_is_full(data.len(), newlines.len()) {
            let old_len = data.len();
            self.read_chunk(&mut data)?;
            newlines.extend(memchr::memchr_iter(b'\n', &data[old_len..]).map(|nl| old_len + nl));
        }
        if data.is_empty() {
            return Ok(None);
        }

        let mut skip = 0;
        if self.at_start {
            self.at_start = false;
            if data.starts_with(UTF8_BOM) {
                skip = UTF8_BOM.len();
            }
        }

        // Cut after the last newline; what follows waits for the next batch, unless the
        // input ended, in which case it is the final, unterminated line.
        let cut = if self.eof {
            data.len()
        } else {
            newlines.last().map_or(data.len(), |nl| nl + 1)
        };
        self.carry.extend_from_slice(&data[cut..]);
        data.truncate(cut);

        let mut spans = Vec::with_capacity(newlines.len() + 1);
        let mut start = skip;
        for nl in newlines {
            spans.push(start..nl);
            start = nl + 1;
        }
        let unterminated_tail = start < data.len();
        if unterminated_tail {
            spans.push(start..data.len());
        }

        let batch = Batch {
            spans,
            first_line: self.next_line,
            base_offset: self.offset,
            unterminated_tail,
            starts_with_bom: skip > 0,
            data,
        };
        self.next_line += batch.spans.len() as u64;
        self.offset += batch.data.len() as u64;
        Ok(Some(batch))
    }

    fn batch_is_full(&self, len: usize, newlines: usize) -> bool {
        let limits = &self.limits;
        newlines > 0
            && ((len >= limits.target_bytes && newlines >= limits.min_lines)
                || len >= limits.max_bytes)
    }

    /// Appends up to [`READ_CHUNK`] bytes, read straight into `data`'s spare capacity (no
    /// zero-filling first); fewer means the input ended.
    fn read_chunk(&mut self, data: &mut Vec<u8>) -> io::Result<()> {
        let read = (&mut self.inner)
            .take(READ_CHUNK as u64)
            .read_to_end(data)?;
        self.eof = read < READ_CHUNK;
        Ok(())
    }
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
    };

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
    fn empty_input_has_no_lines() {
        assert!(read_all(b"", TINY).0.is_empty());
    }
}
