//! Lays out o200k_base's rank table as static data, so that no tokenizer is built at run
//! time: the vocabulary (`src/tokens/data/o200k_base.tiktoken.gz`, OpenAI's file, MIT via
//! `tiktoken`; sha256 of the unpacked file 446a9538…1a2d) becomes three little-endian
//! arrays in `OUT_DIR`, which `src/tokens/bpe.rs` embeds with `include_bytes!`:
//!
//! - `o200k_bytes.bin`: every token's bytes, in rank order;
//! - `o200k_offsets.bin`: `u32` start of each rank's bytes, plus the end (ranks + 1 entries);
//! - `o200k_slots.bin`: an open-addressing table of `u32` (rank + 1, 0 = empty), linear
//!   probing from `rank_hash(bytes)`.

use std::io::Read;
use std::path::PathBuf;

use base64::Engine;

include!("src/tokens/rank_hash.rs");

const VOCAB: &str = "src/tokens/data/o200k_base.tiktoken.gz";

fn main() {
    println!("cargo::rerun-if-changed={VOCAB}");
    println!("cargo::rerun-if-changed=src/tokens/rank_hash.rs");
    println!("cargo::rerun-if-changed=build.rs");

    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(VOCAB).expect("the vocabulary is there"))
        .read_to_string(&mut text)
        .expect("the vocabulary unpacks");
    let mut tokens: Vec<(u32, Vec<u8>)> = text
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (token, rank) = line.split_once(' ').expect("`base64 rank` lines");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(token)
                .expect("base64 token");
            (rank.parse().expect("numeric rank"), bytes)
        })
        .collect();
    tokens.sort_unstable_by_key(|(rank, _)| *rank);
    for (expected, (rank, _)) in tokens.iter().enumerate() {
        assert_eq!(*rank as usize, expected, "ranks are dense from 0");
    }

    let mut bytes = Vec::new();
    let mut offsets = Vec::with_capacity(tokens.len() + 1);
    let mut slots = vec![0_u32; RANK_TABLE_SLOTS];
    let mut longest = 0;
    for (rank, token) in &tokens {
        offsets.push(u32::try_from(bytes.len()).expect("under 4 GB"));
        bytes.extend_from_slice(token);
        longest = longest.max(token.len());
        let mut slot = rank_hash(token);
        while slots[slot] != 0 {
            slot = (slot + 1) & (RANK_TABLE_SLOTS - 1);
        }
        slots[slot] = rank + 1;
    }
    offsets.push(u32::try_from(bytes.len()).expect("under 4 GB"));

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let le = |values: &[u32]| {
        values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>()
    };
    std::fs::write(out.join("o200k_bytes.bin"), &bytes).expect("OUT_DIR is writable");
    std::fs::write(out.join("o200k_offsets.bin"), le(&offsets)).expect("OUT_DIR is writable");
    std::fs::write(out.join("o200k_slots.bin"), le(&slots)).expect("OUT_DIR is writable");
    std::fs::write(
        out.join("o200k_meta.rs"),
        format!(
            "/// Tokens in o200k_base (ranks `0..RANKS`).\n#[cfg(test)]\n#[allow(clippy::unreadable_literal)]\npub(crate) const RANKS: u32 = {};\n\
             /// The longest token, in bytes.\n#[allow(clippy::unreadable_literal)]\npub(crate) const LONGEST_TOKEN: usize = {longest};\n",
            tokens.len()
        ),
    )
    .expect("OUT_DIR is writable");
}
