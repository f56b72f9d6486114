//! JPEG: a marker walk from SOI to EOI.
//!
//! Colour mode follows Pillow: one component is `L`, three `RGB`, four `CMYK` (Adobe YCCK
//! included). Pillow's `load()` refuses a file that ends before EOI, so vft requires EOI.
//!
//! The walk reads the segments up to the first scan. A file that ends in EOI is complete;
//! only one that does not (truncated, or with bytes after EOI) is walked through every scan
//! to find where it ends, which needs every byte. Damage inside the entropy-coded data is
//! found by `--deep`, which decodes it.

use super::bytes::ImageBytes;
use super::header::{ColorMode, Defect, DefectKind, Header};

const EOI: [u8; 2] = [0xFF, 0xD9];

pub fn read(bytes: &ImageBytes<'_>) -> Result<Header, Defect> {
    match walk(bytes, None) {
        Walk::Done(result) => result,
        Walk::NeedsScan => match bytes.all() {
            Some(all) => match walk(&ImageBytes::Decoded(&all), Some(&all)) {
                Walk::Done(result) => result,
                Walk::NeedsScan => Err(Defect::new(
                    None,
                    DefectKind::Malformed,
                    "scan data cannot be walked",
                )),
            },
            None => Err(Defect::new(
                None,
                DefectKind::Undecodable,
                "image data does not decode",
            )),
        },
    }
}

enum Walk {
    Done(Result<Header, Defect>),
    /// The file does not end in EOI: its scans must be walked byte by byte.
    NeedsScan,
}

/// Walks the markers; `all` (every byte, in memory) lets it walk through scans.
fn walk(bytes: &ImageBytes<'_>, all: Option<&[u8]>) -> Walk {
    let byte = |at: usize| bytes.read(at..at + 1).map(|b| b[0]);
    let mut pos = 2; // after SOI
    let mut header: Option<Header> = None;
    let fail = |header: Option<Header>, kind: DefectKind, problem: String| {
        Walk::Done(Err(Defect::new(header, kind, problem)))
    };
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while byte(pos) == Some(0xFF) && byte(pos + 1) == Some(0xFF) {
            pos += 1;
        }
        let (Some(0xFF), Some(marker)) = (byte(pos), byte(pos + 1)) else {
            return match byte(pos) {
                None => fail(
                    header,
                    DefectKind::Truncated,
                    "file ends before its end-of-image marker (truncated)".into(),
                ),
                Some(_) => fail(
                    header,
                    DefectKind::Malformed,
                    format!("expected a marker at byte {pos}"),
                ),
            };
        };
        pos += 2;
        match marker {
            0xD9 => break,                  // EOI
            0x01 | 0xD0..=0xD7 => continue, // standalone markers
            _ => {}
        }
        let Some(len) = bytes
            .read(pos..pos + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return fail(
                header,
                DefectKind::Truncated,
                "file ends inside a segment header (truncated)".into(),
            );
        };
        if len < 2 {
            return fail(
                header,
                DefectKind::Malformed,
                format!("segment length {len} at byte {pos} is invalid"),
            );
        }
        if pos + len > bytes.len() {
            return fail(
                header,
                DefectKind::Truncated,
                format!("segment `FF{marker:02X}` runs past the end of the file (truncated)"),
            );
        }
        let segment_start = pos + 2;
        pos += len;
        match marker {
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                let segment = bytes.read(segment_start..pos).unwrap_or_default();
                header = match read_frame(&segment) {
                    Ok(frame) => Some(frame),
                    Err(defect) => return Walk::Done(Err(defect)),
                };
            }
            0xDA => {
                let Some(frame) = header.clone() else {
                    return fail(
                        None,
                        DefectKind::Malformed,
                        "scan before any frame header".into(),
                    );
                };
                let Some(all) = all else {
                    let tail = bytes
                        .len()
                        .checked_sub(2)
                        .and_then(|at| bytes.read(at..at + 2));
                    return if tail.as_deref() == Some(&EOI[..]) {
                        Walk::Done(Ok(frame))
                    } else {
                        Walk::NeedsScan
                    };
                };
                let Some(next) = skip_entropy_coded(all, pos) else {
                    return fail(
                        header,
                        DefectKind::Truncated,
                        "file ends inside image data (truncated)".into(),
                    );
                };
                pos = next;
            }
            _ => {}
        }
    }
    Walk::Done(
        header.ok_or_else(|| Defect::new(None, DefectKind::Malformed, "no frame header (SOF)")),
    )
}

fn read_frame(segment: &[u8]) -> Result<Header, Defect> {
    if segment.len() < 6 {
        return Err(Defect::new(
            None,
            DefectKind::Malformed,
            "frame header is too short",
        ));
    }
    let height = u32::from(u16::from_be_bytes([segment[1], segment[2]]));
    let width = u32::from(u16::from_be_bytes([segment[3], segment[4]]));
    // A height of 0 (defined later by a DNL marker) is valid JPEG, but Pillow's `Image.open`
    // refuses any zero dimension ("cannot identify image file").
    if width == 0 || height == 0 {
        return Err(Defect::new(
            None,
            DefectKind::Malformed,
            format!("frame header declares {width}×{height} pixels"),
        ));
    }
    let mode = match segment[5] {
        1 => ColorMode::L,
        3 => ColorMode::Rgb,
        4 => ColorMode::Cmyk,
        n => {
            return Err(Defect::new(
                None,
                DefectKind::Malformed,
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
