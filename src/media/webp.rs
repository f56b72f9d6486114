//! WEBP: the RIFF container and the first image chunk's header.
//!
//! Pillow reports `RGBA` when the file says it has alpha (the VP8X flag, or VP8L's
//! alpha bit) and `RGB` otherwise, and refuses files whose RIFF or chunk sizes run past the
//! end of the data.

use super::bytes::ImageBytes;
use super::header::{ColorMode, Defect, DefectKind, Header};

/// The bytes of an image chunk that the headers below read.
const IMAGE_HEADER_LEN: usize = 10;

pub fn read(bytes: &ImageBytes<'_>) -> Result<Header, Defect> {
    let riff = bytes.prefix(12);
    let Some(size) = riff.get(4..8) else {
        return Err(Defect::new(
            None,
            DefectKind::Truncated,
            "RIFF header is truncated",
        ));
    };
    let riff_size = u32::from_le_bytes(size.try_into().expect("4 bytes")) as usize;
    let riff_end = riff_size.saturating_add(8);
    if riff_end > bytes.len() {
        return Err(Defect::new(
            None,
            DefectKind::Truncated,
            format!(
                "RIFF size says {riff_end} bytes, the file has {} (truncated)",
                bytes.len()
            ),
        ));
    }
    let mut pos = 12;
    let mut header: Option<Header> = None;
    while pos + 8 <= riff_end {
        let Some(head) = bytes.read(pos..pos + 8) else {
            break; // unreachable: `pos + 8 <= riff_end <= len`
        };
        let kind: [u8; 4] = [head[0], head[1], head[2], head[3]];
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let data_end = pos + 8 + size;
        if data_end > riff_end {
            let name = String::from_utf8_lossy(&kind);
            return Err(Defect::new(
                header,
                DefectKind::Truncated,
                format!("chunk `{name}` runs past the end of the file (truncated)"),
            ));
        }
        // Only the first bytes of an image chunk say what it is; the rest is pixel data.
        let data = bytes
            .read(pos + 8..data_end.min(pos + 8 + IMAGE_HEADER_LEN))
            .unwrap_or_default();
        match &kind {
            b"VP8X" if data.len() >= 10 => {
                let flags = data[0];
                let (alpha, animated) = (flags & 0x10 != 0, flags & 0x02 != 0);
                let width = 1 + u32::from_le_bytes([data[4], data[5], data[6], 0]);
                let height = 1 + u32::from_le_bytes([data[7], data[8], data[9], 0]);
                let mode = if alpha {
                    ColorMode::Rgba
                } else {
                    ColorMode::Rgb
                };
                header = Some(Header {
                    mode: Some(mode),
                    width,
                    height,
                    animated,
                });
            }
            b"VP8 " if header.is_none() => header = Some(read_vp8(&data)?),
            b"VP8L" if header.is_none() => header = Some(read_vp8l(&data)?),
            _ => {}
        }
        pos = data_end + (size & 1);
    }
    let header = header.ok_or_else(|| {
        Defect::new(
            None,
            DefectKind::Malformed,
            "no image chunk (VP8, VP8L or VP8X)",
        )
    })?;
    // VP8X and VP8L store size - 1, so only a plain VP8 frame can say zero.
    if header.width == 0 {
        return Err(Defect::new(
            None,
            DefectKind::Malformed,
            "image chunk has no size",
        ));
    }
    Ok(header)
}

fn read_vp8(data: &[u8]) -> Result<Header, Defect> {
    if data.len() < 10 || data[3..6] != [0x9D, 0x01, 0x2A] {
        return Err(Defect::new(
            None,
            DefectKind::Malformed,
            "VP8 frame header is missing or broken",
        ));
    }
    let width = u32::from(u16::from_le_bytes([data[6], data[7]]) & 0x3FFF);
    let height = u32::from(u16::from_le_bytes([data[8], data[9]]) & 0x3FFF);
    Ok(Header {
        mode: Some(ColorMode::Rgb),
        width,
        height,
        animated: false,
    })
}

fn read_vp8l(data: &[u8]) -> Result<Header, Defect> {
    if data.len() < 5 || data[0] != 0x2F {
        return Err(Defect::new(
            None,
            DefectKind::Malformed,
            "VP8L header is missing or broken",
        ));
    }
    let bits = u32::from_le_bytes([data[1], data[2], data[3], data[4]]);
    let width = (bits & 0x3FFF) + 1;
    let height = ((bits >> 14) & 0x3FFF) + 1;
    let alpha = (bits >> 28) & 1 == 1;
    Ok(Header {
        mode: Some(if alpha {
            ColorMode::Rgba
        } else {
            ColorMode::Rgb
        }),
        width,
        height,
        animated: false,
    })
}
