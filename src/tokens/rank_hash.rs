// The hash of o200k_base's rank table, shared by `build.rs` (which lays the table out) and
// `src/tokens/bpe.rs` (which probes it): both must agree bit for bit. Included with
// `include!`, so it holds items only.

/// Slots in the open-addressing table: a power of two, under 40 % full with 199,998 tokens.
const RANK_TABLE_SLOTS: usize = 1 << 19;

/// FNV-1a over 8-byte words, then mixed: tokens are at most a few hundred bytes, and the
/// vocabulary is fixed, so a simple hash with a good finaliser keeps the probes short.
fn rank_hash(bytes: &[u8]) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut buf = [0_u8; 8];
        buf.copy_from_slice(word);
        hash = (hash ^ u64::from_le_bytes(buf)).wrapping_mul(0x0100_0000_01b3);
        hash ^= hash >> 29;
    }
    let mut tail = [0_u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    hash = (hash ^ u64::from_le_bytes(tail)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    hash ^= hash >> 32;
    // Only the low bits index the table: truncation is the point.
    #[allow(clippy::cast_possible_truncation)]
    let slot = hash as usize & (RANK_TABLE_SLOTS - 1);
    slot
}
