//! o200k_base's byte-pair encoding, from tables laid out at build time (`build.rs`): the
//! tables are static data in the binary, so nothing is built when vft starts, and only the
//! pages a lookup touches are ever read from disk.
//!
//! The algorithm is `tiktoken`'s (`_byte_pair_merge` in its `src/lib.rs`): start from single
//! bytes and repeatedly merge the adjacent pair whose concatenation has the lowest rank, the
//! leftmost of equals first. tiktoken rescans all pairs after every merge (quadratic in the
//! piece); here the pairs wait in a heap ordered by (rank, position), which picks the same
//! pair each time in O(n log n), so a hostile 10 MB "word" costs seconds, not hours.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

include!("rank_hash.rs");
include!(concat!(env!("OUT_DIR"), "/o200k_meta.rs"));

/// Every token's bytes, in rank order.
static TOKEN_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_bytes.bin"));
/// `u32` little-endian: where each rank's bytes start in [`TOKEN_BYTES`], then the end.
static TOKEN_OFFSETS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_offsets.bin"));
/// `u32` little-endian per slot: rank + 1 of the token hashed there, 0 for an empty slot.
static RANK_SLOTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_slots.bin"));

/// The `index`th little-endian `u32` of `table` (0 past its end: an empty slot).
fn u32_at(table: &[u8], index: usize) -> u32 {
    table
        .get(index * 4..index * 4 + 4)
        .and_then(|bytes| <[u8; 4]>::try_from(bytes).ok())
        .map_or(0, u32::from_le_bytes)
}

/// The bytes of the token with `rank`.
fn token(rank: u32) -> &'static [u8] {
    let rank = rank as usize;
    let (start, end) = (u32_at(TOKEN_OFFSETS, rank), u32_at(TOKEN_OFFSETS, rank + 1));
    TOKEN_BYTES
        .get(start as usize..end as usize)
        .unwrap_or_default()
}

/// The rank (token id) of `bytes`, if they are one token.
pub(super) fn rank(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > LONGEST_TOKEN {
        return None;
    }
    let mut slot = rank_hash(bytes);
    // The table is under half full, so an empty slot ends every probe.
    loop {
        let entry = u32_at(RANK_SLOTS, slot);
        let rank = entry.checked_sub(1)?;
        if token(rank) == bytes {
            return Some(rank);
        }
        slot = (slot + 1) & (RANK_TABLE_SLOTS - 1);
    }
}

/// Tokens of one pre-tokenizer piece.
pub(super) fn count(piece: &[u8]) -> usize {
    merge(piece, |_| {})
}

/// Appends the token ids of one pre-tokenizer piece to `ids`.
pub(super) fn encode(piece: &[u8], ids: &mut Vec<u32>) {
    // Every final part is a token (single bytes are; merges make only tokens).
    merge(piece, |part| ids.extend(rank(part)));
}

/// Merges `piece` into tokens, calling `each` with every token's bytes in order; returns
/// how many there are.
fn merge(piece: &[u8], mut each: impl FnMut(&[u8])) -> usize {
    let n = piece.len();
    if n <= 1 || rank(piece).is_some() {
        if n > 0 {
            each(piece);
        }
        return n.min(1);
    }
    // The parts as a list over their first bytes: `end[i]` is where the part starting at
    // `i` ends (0 once it was merged into its left neighbour: no part starts there), and
    // `start[j]` where the part ending at `j` begins.
    let mut end: Vec<usize> = (1..=n).collect();
    let mut start: Vec<usize> = (0..n).collect();
    let pair = |from: usize, to: usize| rank(&piece[from..to]).map(|r| Reverse((r, from, to)));
    let mut heap: BinaryHeap<_> = (0..n - 1).filter_map(|i| pair(i, i + 2)).collect();
    let mut parts = n;
    while let Some(Reverse((_, left, right_end))) = heap.pop() {
        let middle = end[left];
        // A stale entry: `left` no longer starts a part, or its pair no longer ends there
        // (the rank depends only on the bytes, so the same span is the same pair).
        if middle <= left || middle >= n || end[middle] != right_end {
            continue;
        }
        end[left] = right_end;
        end[middle] = 0;
        if right_end < n {
            heap.extend(pair(left, end[right_end]));
        }
        start[right_end - 1] = left;
        if left > 0 {
            heap.extend(pair(start[left - 1], right_end));
        }
        parts -= 1;
    }
    let mut at = 0;
    while at < n {
        each(&piece[at..end[at]]);
        at = end[at];
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_is_a_token_and_ranks_round_trip() {
        for byte in 0..=u8::MAX {
            assert!(rank(&[byte]).is_some(), "byte {byte}");
        }
        for rank_id in [0, 1, 1000, 24912, 2375, RANKS - 1] {
            assert_eq!(rank(token(rank_id)), Some(rank_id));
        }
        assert_eq!(rank(b""), None);
        assert_eq!(rank(&[b'x'; LONGEST_TOKEN + 1]), None);
    }

    #[test]
    fn merges_as_tiktoken() {
        let mut ids = Vec::new();
        encode(b"hello", &mut ids);
        encode(b" world", &mut ids);
        assert_eq!(ids, [24912, 2375]);
        assert_eq!(count(b""), 0);
    }

    #[test]
    fn a_long_run_merges_in_reasonable_time() {
        let piece = vec![b'a'; 1 << 20];
        let tokens = count(&piece);
        assert!(tokens > 0 && tokens < piece.len() / 4, "{tokens}");
    }
}
