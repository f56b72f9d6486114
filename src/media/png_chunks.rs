//! The PNG chunks Pillow interprets besides IHDR, and the limits it applies to them.
//!
//! Pillow 13 (`PngImagePlugin.PngStream`): compressed text (zTXt, compressed iTXt) and ICC
//! profiles (iCCP) are inflated to at most `MAX_TEXT_CHUNK` = `ImageFile.SAFEBLOCK` = 1 MiB,
//! and a stream with more is refused ("Decompressed data too large"); the text of all chunks
//! together may not exceed `MAX_TEXT_MEMORY` = 64 MiB; an APNG frame control chunk (fcTL)
//! must be 26 bytes, numbered in sequence, and its frame must fit in the canvas ("APNG
//! contains invalid frames"). A corrupt zlib stream is ignored. vft inflates into a small
//! scratch buffer and only counts: no chunk is ever held inflated, and inflation stops at the
//! cap, so a bomb costs at most 1 MiB of inflation per chunk and 65 MiB per image.

use flate2::{Decompress, FlushDecompress, Status};

/// `PngImagePlugin.MAX_TEXT_CHUNK`.
pub const MAX_TEXT_CHUNK: u64 = 1 << 20;
/// `PngImagePlugin.MAX_TEXT_MEMORY`.
pub const MAX_TEXT_MEMORY: u64 = 64 * MAX_TEXT_CHUNK;

/// What Pillow remembers between chunks.
#[derive(Debug, Default)]
pub struct ChunkState {
    text_memory: u64,
    /// The last fcTL sequence number.
    sequence: Option<u32>,
    /// Frames an acTL declares; `None` until one, or after a second (Pillow then ignores both).
    pub frames: Option<u32>,
    actl_seen: bool,
}

/// The size of the canvas, for fcTL.
#[derive(Debug, Clone, Copy)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
}

impl ChunkState {
    /// Checks one chunk as Pillow's handler for it does; `Err` is Pillow's refusal.
    pub fn check(&mut self, kind: &[u8; 4], data: &[u8], canvas: Canvas) -> Result<(), String> {
        match kind {
            b"iCCP" => check_iccp(data),
            b"tEXt" => {
                let (key, value) = split_nul(data).unwrap_or((data, &[]));
                if key.is_empty() {
                    return Ok(());
                }
                self.add_text(value.len() as u64)
            }
            b"zTXt" => self.check_ztxt(data),
            b"iTXt" => self.check_itxt(data),
            b"acTL" => self.check_actl(data),
            b"fcTL" => self.check_fctl(data, canvas),
            _ => Ok(()),
        }
    }

    /// Whether the acTL makes the image animated (`n_frames > 1` in Pillow).
    pub fn animated(&self) -> bool {
        self.frames.is_some_and(|n| n > 1)
    }

    fn add_text(&mut self, chars: u64) -> Result<(), String> {
        self.text_memory += chars;
        if self.text_memory > MAX_TEXT_MEMORY {
            return Err(format!(
                "text chunks hold more than {} MiB (Pillow's MAX_TEXT_MEMORY)",
                MAX_TEXT_MEMORY >> 20
            ));
        }
        Ok(())
    }

    fn check_ztxt(&mut self, data: &[u8]) -> Result<(), String> {
        let (key, value) = split_nul(data).unwrap_or((data, &[]));
        let method = value.first().copied().unwrap_or(0);
        if method != 0 {
            return Err(format!(
                "unknown compression method {method} in `zTXt` chunk"
            ));
        }
        let inflated = match inflate_capped(value.get(1..).unwrap_or_default(), "zTXt")? {
            Inflated::Complete(counts) => counts.bytes,
            Inflated::Corrupt => 0,
        };
        if key.is_empty() {
            return Ok(());
        }
        self.add_text(inflated)
    }

    fn check_itxt(&mut self, data: &[u8]) -> Result<(), String> {
        // The key is decoded as Latin-1, which never fails.
        let Some((_key, rest)) = split_nul(data) else {
            return Ok(());
        };
        let [compressed, method, rest @ ..] = rest else {
            return Ok(());
        };
        let Some((language, rest)) = split_nul(rest) else {
            return Ok(());
        };
        let Some((translated, value)) = split_nul(rest) else {
            return Ok(());
        };
        let chars = if *compressed != 0 {
            if *method != 0 {
                return Ok(());
            }
            match inflate_capped(value, "iTXt")? {
                Inflated::Complete(counts) => counts.chars,
                Inflated::Corrupt => return Ok(()),
            }
        } else {
            match std::str::from_utf8(value) {
                Ok(text) => text.chars().count() as u64,
                Err(_) => return Ok(()),
            }
        };
        if std::str::from_utf8(language).is_err() || std::str::from_utf8(translated).is_err() {
            return Ok(());
        }
        self.add_text(chars)
    }

    fn check_actl(&mut self, data: &[u8]) -> Result<(), String> {
        let Some(frames) = data.get(..4) else {
            return Err("`acTL` chunk is truncated".to_owned());
        };
        if data.len() < 8 {
            return Err("`acTL` chunk is truncated".to_owned());
        }
        if self.actl_seen {
            // "Invalid APNG, will use default PNG image if possible"
            self.frames = None;
            return Ok(());
        }
        self.actl_seen = true;
        let frames = u32::from_be_bytes([frames[0], frames[1], frames[2], frames[3]]);
        if frames != 0 && frames <= 0x8000_0000 {
            self.frames = Some(frames);
        }
        Ok(())
    }

    fn check_fctl(&mut self, data: &[u8], canvas: Canvas) -> Result<(), String> {
        if data.len() < 26 {
            return Err("`fcTL` chunk is truncated".to_owned());
        }
        let be =
            |at: usize| u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
        let sequence = be(0);
        let in_order = match self.sequence {
            None => sequence == 0,
            Some(last) => last.checked_add(1) == Some(sequence),
        };
        if !in_order {
            return Err("APNG frame control chunks are out of sequence".to_owned());
        }
        self.sequence = Some(sequence);
        let (width, height) = (u64::from(be(4)), u64::from(be(8)));
        let (x, y) = (u64::from(be(12)), u64::from(be(16)));
        if x + width > u64::from(canvas.width) || y + height > u64::from(canvas.height) {
            return Err(format!(
                "APNG frame of {width}×{height} at ({x}, {y}) does not fit the {}×{} canvas",
                canvas.width, canvas.height
            ));
        }
        Ok(())
    }
}

/// iCCP: a profile name, NUL, compression method 0, zlib data. Like Pillow's `s.find(b"\0")`,
/// a missing NUL reads the method from the first byte.
fn check_iccp(data: &[u8]) -> Result<(), String> {
    let method_at = data.iter().position(|&b| b == 0).map_or(0, |nul| nul + 1);
    let Some(&method) = data.get(method_at) else {
        return Err("`iCCP` chunk has no compression method".to_owned());
    };
    if method != 0 {
        return Err(format!(
            "unknown compression method {method} in `iCCP` chunk"
        ));
    }
    inflate_capped(&data[method_at + 1..], "iCCP").map(drop)
}

fn split_nul(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let nul = data.iter().position(|&b| b == 0)?;
    Some((&data[..nul], &data[nul + 1..]))
}

/// What a capped inflation produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inflated {
    /// The stream inflated (perhaps truncated, which Python's zlib also accepts).
    Complete(Counts),
    /// `zlib.error`: Pillow ignores the chunk.
    Corrupt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Counts {
    bytes: u64,
    /// UTF-8 characters (bytes that do not continue a sequence).
    chars: u64,
}

/// Inflates `zlib` data as `zlib.decompressobj().decompress(data, MAX_TEXT_CHUNK)` does,
/// counting the output instead of keeping it; `Err` when output stops at the cap with
/// input left over (Pillow's `unconsumed_tail`).
fn inflate_capped(data: &[u8], chunk: &str) -> Result<Inflated, String> {
    let mut inflater = Decompress::new(true);
    let mut scratch = [0u8; 16 * 1024];
    let mut counts = Counts::default();
    loop {
        let room = (MAX_TEXT_CHUNK - counts.bytes).min(scratch.len() as u64);
        let room = usize::try_from(room).unwrap_or(scratch.len());
        let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
        let input = data.get(consumed..).unwrap_or_default();
        let before = inflater.total_out();
        let status = inflater.decompress(input, &mut scratch[..room], FlushDecompress::None);
        let produced = usize::try_from(inflater.total_out() - before).unwrap_or(0);
        counts.bytes += produced as u64;
        counts.chars += scratch[..produced]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count() as u64;
        match status {
            Err(_) => return Ok(Inflated::Corrupt),
            Ok(Status::StreamEnd) => return Ok(Inflated::Complete(counts)),
            Ok(Status::Ok | Status::BufError) => {}
        }
        let input_left = inflater.total_in() < data.len() as u64;
        if counts.bytes >= MAX_TEXT_CHUNK {
            if input_left {
                return Err(format!(
                    "`{chunk}` chunk inflates past {} MiB (Pillow: \"Decompressed data too large\")",
                    MAX_TEXT_CHUNK >> 20
                ));
            }
            return Ok(Inflated::Complete(counts));
        }
        if produced == 0 && !input_left {
            // Truncated stream: all input used, no more output.
            return Ok(Inflated::Complete(counts));
        }
        if produced == 0 && inflater.total_in() == consumed as u64 {
            // No progress at all (cannot happen with output room left); stop rather than spin.
            return Ok(Inflated::Complete(counts));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use flate2::Compression;
    use flate2::write::ZlibEncoder;

    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    const CANVAS: Canvas = Canvas {
        width: 10,
        height: 10,
    };

    #[test]
    fn inflation_stops_at_the_cap() {
        let at_cap = zlib(&vec![b'a'; 1 << 20]);
        let over = zlib(&vec![b'a'; (1 << 20) + 1]);
        assert_eq!(
            inflate_capped(&at_cap, "zTXt"),
            Ok(Inflated::Complete(Counts {
                bytes: 1 << 20,
                chars: 1 << 20
            }))
        );
        assert!(
            inflate_capped(&over, "zTXt")
                .unwrap_err()
                .contains("too large")
        );
        assert_eq!(inflate_capped(b"not zlib", "zTXt"), Ok(Inflated::Corrupt));
        let truncated = &at_cap[..at_cap.len() / 2];
        assert!(matches!(
            inflate_capped(truncated, "zTXt"),
            Ok(Inflated::Complete(_))
        ));
    }

    #[test]
    fn an_iccp_bomb_is_refused_and_a_small_profile_passes() {
        let mut chunk = b"icc\0\0".to_vec();
        chunk.extend(zlib(&vec![0; 64 << 20]));
        let mut state = ChunkState::default();
        assert!(state.check(b"iCCP", &chunk, CANVAS).is_err());
        let mut small = b"icc\0\0".to_vec();
        small.extend(zlib(&[1, 2, 3]));
        assert_eq!(state.check(b"iCCP", &small, CANVAS), Ok(()));
        assert!(state.check(b"iCCP", b"icc\0\x01xx", CANVAS).is_err());
        assert!(state.check(b"iCCP", b"", CANVAS).is_err());
    }

    #[test]
    fn text_memory_adds_up_over_chunks() {
        let mut chunk = b"k\0\0".to_vec();
        chunk.extend(zlib(&vec![b'x'; 1 << 20]));
        let mut state = ChunkState::default();
        for _ in 0..64 {
            assert_eq!(state.check(b"zTXt", &chunk, CANVAS), Ok(()));
        }
        assert!(state.check(b"zTXt", &chunk, CANVAS).is_err());
        // Without a key, Pillow does not count the text.
        let mut keyless = ChunkState::default();
        let text = vec![b'v'; 1 << 20];
        for _ in 0..70 {
            assert_eq!(keyless.check(b"tEXt", &text, CANVAS), Ok(()));
        }
    }

    #[test]
    fn frames_must_fit_the_canvas_in_sequence() {
        let fctl = |seq: u32, w: u32, h: u32, x: u32, y: u32| {
            let mut data = Vec::new();
            for v in [seq, w, h, x, y] {
                data.extend(v.to_be_bytes());
            }
            data.extend([0, 1, 0, 100, 0, 0]);
            data
        };
        let mut state = ChunkState::default();
        assert_eq!(state.check(b"fcTL", &fctl(0, 10, 10, 0, 0), CANVAS), Ok(()));
        assert!(state.check(b"fcTL", &fctl(2, 1, 1, 0, 0), CANVAS).is_err());
        let mut state = ChunkState::default();
        assert!(
            state
                .check(b"fcTL", &fctl(0, 11, 10, 0, 0), CANVAS)
                .is_err()
        );
        let mut state = ChunkState::default();
        assert!(
            state
                .check(b"fcTL", &fctl(0, 5, 5, u32::MAX, 0), CANVAS)
                .is_err()
        );
        assert!(
            ChunkState::default()
                .check(b"fcTL", &[0; 25], CANVAS)
                .is_err()
        );
    }

    #[test]
    fn actl_edge_cases_follow_pillow() {
        let actl = |n: u32| [n.to_be_bytes(), 0u32.to_be_bytes()].concat();
        let mut state = ChunkState::default();
        state.check(b"acTL", &actl(2), CANVAS).unwrap();
        assert!(state.animated());
        state.check(b"acTL", &actl(2), CANVAS).unwrap();
        assert!(!state.animated(), "a second acTL voids both");
        let mut state = ChunkState::default();
        state.check(b"acTL", &actl(0x8000_0001), CANVAS).unwrap();
        assert!(!state.animated());
        assert!(
            ChunkState::default()
                .check(b"acTL", &[0; 7], CANVAS)
                .is_err()
        );
    }
}
