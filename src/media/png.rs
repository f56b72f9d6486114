//! PNG: a chunk walk from the signature to IEND, as Pillow reads it.
//!
//! Pillow checks the CRC of the chunks before the first IDAT while opening and loads an
//! image whose later CRCs are wrong or whose IEND is missing, so vft does the same; a chunk
//! that runs past the end of the data is truncation, which Pillow's `load()` refuses.

use super::bytes::ImageBytes;
use super::header::{ColorMode, Defect, DefectKind, Header};
use super::png_chunks::{Canvas, ChunkState};

/// The chunks Pillow interprets after IHDR ([`ChunkState::check`]): others are not read.
const INTERPRETED: [&[u8; 4]; 6] = [b"iCCP", b"tEXt", b"zTXt", b"iTXt", b"acTL", b"fcTL"];

pub const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

pub fn read(bytes: &ImageBytes<'_>) -> Result<Header, Defect> {
    let mut pos = SIGNATURE.len();
    let mut header: Option<Header> = None;
    let mut seen_idat = false;
    let mut chunks = ChunkState::default();
    // After the image data, `load()` reads chunks until IEND or the next frame's fcTL.
    let mut after_idat = false;
    let mut next_frame = false;
    while pos < bytes.len() {
        let Some(head) = bytes.read(pos..pos + 8) else {
            return Err(Defect::new(
                header,
                DefectKind::Truncated,
                "file ends inside a chunk header (truncated)",
            ));
        };
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
        let name = || String::from_utf8_lossy(&kind).into_owned();
        let end = pos + 12 + len;
        if end > bytes.len() {
            return Err(Defect::new(
                header,
                DefectKind::Truncated,
                format!(
                    "chunk `{}` runs past the end of the file (truncated)",
                    name()
                ),
            ));
        }
        if header.is_none() && &kind != b"IHDR" {
            return Err(Defect::new(
                None,
                DefectKind::Malformed,
                format!("first chunk is `{}`, not `IHDR`", name()),
            ));
        }
        if seen_idat || &kind == b"IDAT" {
            // From the first IDAT on, Pillow checks chunk lengths but no CRC, and interprets
            // the chunks after the image data until the next frame.
            seen_idat = true;
            if &kind == b"IEND" {
                break;
            }
            after_idat |= &kind != b"IDAT";
            next_frame |= &kind == b"fcTL" && chunks.animated();
            if after_idat && !next_frame && INTERPRETED.contains(&&kind) {
                let header = header.clone().unwrap_or_default();
                let Some(data) = bytes.read(pos + 8..end - 4) else {
                    return Err(Defect::new(
                        Some(header),
                        DefectKind::Undecodable,
                        "chunk data does not decode",
                    ));
                };
                let canvas = Canvas {
                    width: header.width,
                    height: header.height,
                };
                if let Err(problem) = chunks.check(&kind, &data, canvas) {
                    return Err(Defect::new(Some(header), DefectKind::Malformed, problem));
                }
            }
            pos = end;
            continue;
        }
        // Before the first IDAT, Pillow verifies each chunk's CRC (over type and data).
        let Some(chunk) = bytes.read(pos + 4..end) else {
            return Err(Defect::new(
                header,
                DefectKind::Undecodable,
                "chunk data does not decode",
            ));
        };
        let (typed_data, stored) = chunk.split_at(chunk.len() - 4);
        let data = &typed_data[4..];
        if crc32fast::hash(typed_data) != u32::from_be_bytes(stored.try_into().expect("4 bytes")) {
            return Err(Defect::new(
                header.filter(|_| &kind != b"IHDR"),
                DefectKind::Checksum,
                format!("chunk `{}` fails its CRC check", name()),
            ));
        }
        match (&kind, header.as_mut()) {
            (b"IHDR", _) => header = Some(read_ihdr(data)?),
            (b"IEND", _) => break,
            (kind, Some(h)) if INTERPRETED.contains(&kind) => {
                let canvas = Canvas {
                    width: h.width,
                    height: h.height,
                };
                if let Err(problem) = chunks.check(kind, data, canvas) {
                    return Err(Defect::new(Some(h.clone()), DefectKind::Malformed, problem));
                }
                h.animated = chunks.animated();
            }
            _ => {}
        }
        pos = end;
    }
    let header =
        header.ok_or_else(|| Defect::new(None, DefectKind::Malformed, "no `IHDR` chunk"))?;
    if !seen_idat {
        return Err(Defect::new(
            Some(header),
            DefectKind::Malformed,
            "no `IDAT` chunk: the file holds no pixel data",
        ));
    }
    Ok(header)
}

fn read_ihdr(data: &[u8]) -> Result<Header, Defect> {
    if data.len() != 13 {
        return Err(Defect::new(
            None,
            DefectKind::Malformed,
            format!("`IHDR` is {} bytes, not 13", data.len()),
        ));
    }
    let width = u32::from_be_bytes(data[0..4].try_into().expect("4 bytes"));
    let height = u32::from_be_bytes(data[4..8].try_into().expect("4 bytes"));
    let (depth, color_type) = (data[8], data[9]);
    let mode = match (color_type, depth) {
        (0, 1) => ColorMode::Bilevel,
        (0, 2 | 4 | 8) => ColorMode::L,
        (0, 16) => ColorMode::I16,
        (2, 8 | 16) => ColorMode::Rgb,
        (3, 1 | 2 | 4 | 8) => ColorMode::P,
        (4, 8 | 16) => ColorMode::La,
        (6, 8 | 16) => ColorMode::Rgba,
        _ => {
            return Err(Defect::new(
                None,
                DefectKind::Malformed,
                format!("colour type {color_type} with bit depth {depth} is not valid PNG"),
            ));
        }
    };
    if width == 0 || height == 0 {
        return Err(Defect::new(
            None,
            DefectKind::Malformed,
            format!("declared size {width}×{height} is empty"),
        ));
    }
    Ok(Header {
        mode: Some(mode),
        width,
        height,
        animated: false,
    })
}
