//! The line reader over arbitrary bytes, delivered in reads of fuzzer-chosen sizes: every
//! line comes back once, in order, without its `\n`, whatever the read boundaries.
#![no_main]

use std::io::{self, Read};

use libfuzzer_sys::fuzz_target;
use vft::input::{BatchLimits, BatchReader};

/// Hands out `data` in pieces whose sizes come from `splits` (cycled).
struct Splitting<'a> {
    data: &'a [u8],
    splits: &'a [u8],
    turn: usize,
}

impl Read for Splitting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = match self.splits.get(self.turn % self.splits.len().max(1)) {
            Some(&n) => usize::from(n) + 1,
            None => buf.len(),
        };
        self.turn += 1;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|input: (Vec<u8>, Vec<u8>, u8)| {
    let (data, splits, shape) = input;
    // Small batches so that lines straddle batch boundaries often.
    let limits = BatchLimits {
        target_bytes: usize::from(shape % 64) + 1,
        max_bytes: usize::from(shape) * 4 + 1,
        min_lines: usize::from(shape >> 6),
        max_entries: usize::from(shape % 7) + 1,
        // Small enough that some fuzzed lines are over it and skipped unread.
        max_line_bytes: u64::from(shape) * 8 + 16,
    };
    let mut reader = BatchReader::new(
        Splitting {
            data: &data,
            splits: &splits,
            turn: 0,
        },
        limits,
    );
    let mut next_line = 1;
    let mut buffer = Vec::new();
    while let Some(batch) = reader
        .next_batch_in(buffer)
        .expect("reading memory cannot fail")
    {
        for line in batch.lines() {
            assert!(line.number >= next_line, "line numbers go forward");
            next_line = line.number + 1;
            assert!(!line.bytes.contains(&b'\n'), "a line holds no newline");
            let start = usize::try_from(line.offset).expect("offset fits");
            assert_eq!(
                data.get(start..start + line.bytes.len()),
                Some(line.bytes),
                "a line is the input's bytes at its offset"
            );
        }
        buffer = batch.into_buffer();
    }
});
