//! PNG: a chunk walk from the signature to IEND, as Pillow reads it.
//!
//! Pillow checks the CRC of the chunks before the first IDAT while opening and loads an
//! image whose later CRCs are wrong or whose IEND is missing, so vft does the same; a chunk
//! that runs past the end of the data is truncation, which Pillow's `load()` refuses.

use super::probe::{Defect, Header};

pub const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

pub fn read(bytes: &[u8]) -> Result<Header, Defect> {
    let mut pos = SIGNATURE.len();
    let mut header: Option<Header> = None;
    let mut seen_idat = false;
    while pos < bytes.len() {
        let Some(head) = bytes.get(pos..pos + 8) else {
            return Err(Defect::new(
                header,
                "file ends inside a chunk header (truncated)",
            ));
        };
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = &head[4..8];
        let name = String::from_utf8_lossy(kind).into_owned();
        let end = pos + 12 + len;
        if end > bytes.len() {
            return Err(Defect::new(
                header,
                format!("chunk `{name}` runs past the end of the file (truncated)"),
            ));
        }
        let data = &bytes[pos + 8..pos + 8 + len];
        if header.is_none() && kind != b"IHDR" {
            return Err(Defect::new(
                None,
                format!("first chunk is `{name}`, not `IHDR`"),
            ));
        }
        if !seen_idat && kind != b"IDAT" {
            let stored = u32::from_be_bytes(bytes[end - 4..end].try_into().expect("4 bytes"));
            let mut crc = crc32fast::Hasher::new();
            crc.update(kind);
            crc.update(data);
            if crc.finalize() != stored {
                return Err(Defect::new(
                    header.filter(|_| kind != b"IHDR"),
                    format!("chunk `{name}` fails its CRC check"),
                ));
            }
        }
        match kind {
            b"IHDR" => header = Some(read_ihdr(data)?),
            b"acTL" if !seen_idat => {
                if let (Some(h), Some(frames)) = (header.as_mut(), data.get(..4)) {
                    h.animated = u32::from_be_bytes(frames.try_into().expect("4 bytes")) > 1;
                }
            }
            b"IDAT" => seen_idat = true,
            b"IEND" => break,
            _ => {}
        }
        pos = end;
    }
    let header = header.ok_or_else(|| Defect::new(None, "no `IHDR` chunk"))?;
    if !seen_idat {
        return Err(Defect::new(
            Some(header),
            "no `IDAT` chunk: the file holds no pixel data",
        ));
    }
    Ok(header)
}

fn read_ihdr(data: &[u8]) -> Result<Header, Defect> {
    if data.len() != 13 {
        return Err(Defect::new(
            None,
            format!("`IHDR` is {} bytes, not 13", data.len()),
        ));
    }
    let width = u32::from_be_bytes(data[0..4].try_into().expect("4 bytes"));
    let height = u32::from_be_bytes(data[4..8].try_into().expect("4 bytes"));
    let (depth, color_type) = (data[8], data[9]);
    let mode = match (color_type, depth) {
        (0, 1) => "1",
        (0, 2 | 4 | 8) => "L",
        (0, 16) => "I;16",
        (2, 8 | 16) => "RGB",
        (3, 1 | 2 | 4 | 8) => "P",
        (4, 8 | 16) => "LA",
        (6, 8 | 16) => "RGBA",
        _ => {
            return Err(Defect::new(
                None,
                format!("colour type {color_type} with bit depth {depth} is not valid PNG"),
            ));
        }
    };
    if width == 0 || height == 0 {
        return Err(Defect::new(
            None,
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
