//! JPEG: a marker walk from SOI to EOI, through every scan.
//!
//! Colour mode follows Pillow: one component is `L`, three `RGB`, four `CMYK` (Adobe YCCK
//! included). Pillow's `load()` refuses a file that ends before EOI, so vft requires EOI.

use super::probe::{Defect, Header};

pub fn read(bytes: &[u8]) -> Result<Header, Defect> {
    let mut pos = 2; // after SOI
    let mut header: Option<Header> = None;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while bytes.get(pos) == Some(&0xFF) && bytes.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(pos), bytes.get(pos + 1)) else {
            return Err(match bytes.get(pos) {
                None => Defect::new(
                    header,
                    "file ends before its end-of-image marker (truncated)",
                ),
                Some(_) => Defect::new(header, format!("expected a marker at byte {pos}")),
            });
        };
        pos += 2;
        match marker {
            0xD9 => break,                  // EOI
            0x01 | 0xD0..=0xD7 => continue, // standalone markers
            _ => {}
        }
        let Some(len) = bytes
            .get(pos..pos + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return Err(Defect::new(
                header,
                "file ends inside a segment header (truncated)",
            ));
        };
        if len < 2 {
            return Err(Defect::new(
                header,
                format!("segment length {len} at byte {pos} is invalid"),
            ));
        }
        let Some(segment) = bytes.get(pos + 2..pos + len) else {
            return Err(Defect::new(
                header,
                format!("segment `FF{marker:02X}` runs past the end of the file (truncated)"),
            ));
        };
        pos += len;
        match marker {
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                header = Some(read_frame(segment)?);
            }
            0xDA => {
                if header.is_none() {
                    return Err(Defect::new(None, "scan before any frame header"));
                }
                pos = skip_entropy_coded(bytes, pos).ok_or_else(|| {
                    Defect::new(header.clone(), "file ends inside image data (truncated)")
                })?;
            }
            _ => {}
        }
    }
    header.ok_or_else(|| Defect::new(None, "no frame header (SOF)"))
}

fn read_frame(segment: &[u8]) -> Result<Header, Defect> {
    if segment.len() < 6 {
        return Err(Defect::new(None, "frame header is too short"));
    }
    let height = u32::from(u16::from_be_bytes([segment[1], segment[2]]));
    let width = u32::from(u16::from_be_bytes([segment[3], segment[4]]));
    let mode = match segment[5] {
        1 => "L",
        3 => "RGB",
        4 => "CMYK",
        n => {
            return Err(Defect::new(
                None,
                format!("{n} colour components is not a mode Pillow reads"),
            ));
        }
    };
    Ok(Header {
        mode: Some(mode),
        width,
        height,
        animated: false,
    })
}

/// From the start of entropy-coded data, the position of the next marker that is not a
/// stuffed zero or a restart marker, or `None` if the data runs to the end.
fn skip_entropy_coded(bytes: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        pos += memchr::memchr(0xFF, bytes.get(pos..)?)?;
        match bytes.get(pos + 1)? {
            0x00 | 0xD0..=0xD7 | 0xFF => pos += 1,
            _ => return Some(pos),
        }
    }
}
