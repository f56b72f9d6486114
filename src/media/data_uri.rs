//! `data:` URIs (RFC 2397) as the platform takes them: `data:<mime>;base64,<payload>`.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// A syntactically valid base64 data URI, borrowed from the URL string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataUri<'a> {
    /// The declared media type, e.g. `image/png`, as written.
    pub mime: &'a str,
    /// The base64 text after the comma.
    pub payload: &'a str,
    /// Byte offset of `payload` within the URL.
    pub payload_offset: usize,
}

/// Why a `data:` URL is not of the form `data:<mime>;base64,<payload>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataUriError {
    /// No `,` separates the header from the payload.
    MissingComma,
    /// The header does not end in `;base64` (RFC 2397 allows percent-encoded text).
    NotBase64,
    /// No `type/subtype` media type before the parameters.
    MissingMime,
    /// The media type is not `type/subtype`.
    MalformedMime(String),
    /// The payload is empty.
    EmptyPayload,
}

impl fmt::Display for DataUriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataUriError::MissingComma => f.write_str("no `,` between the header and the payload"),
            DataUriError::NotBase64 => f.write_str("the header does not end in `;base64`"),
            DataUriError::MissingMime => f.write_str("no media type after `data:`"),
            DataUriError::MalformedMime(mime) => {
                write!(f, "media type `{mime}` is not `type/subtype`")
            }
            DataUriError::EmptyPayload => f.write_str("the payload after `,` is empty"),
        }
    }
}

/// Parses `url`, which must start with `data:` (case-insensitive, per RFC 2397).
pub fn parse(url: &str) -> Result<DataUri<'_>, DataUriError> {
    let header_start = "data:".len();
    let comma = url.find(',').ok_or(DataUriError::MissingComma)?;
    let header = &url[header_start..comma];
    let params = header
        .strip_suffix(";base64")
        .or_else(|| header.strip_suffix(";BASE64"))
        .ok_or(DataUriError::NotBase64)?;
    let mime = params.split(';').next().unwrap_or_default().trim();
    if mime.is_empty() {
        return Err(DataUriError::MissingMime);
    }
    let well_formed = mime.split_once('/').is_some_and(|(kind, sub)| {
        !kind.is_empty()
            && !sub.is_empty()
            && !sub.contains('/')
            && !mime.contains(char::is_whitespace)
    });
    if !well_formed {
        return Err(DataUriError::MalformedMime(mime.to_owned()));
    }
    let payload = &url[comma + 1..];
    if payload.is_empty() {
        return Err(DataUriError::EmptyPayload);
    }
    Ok(DataUri {
        mime,
        payload,
        payload_offset: comma + 1,
    })
}

/// Why a payload is not well-formed standard base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base64Error {
    /// A byte outside `A–Z a–z 0–9 + /` and final padding, at this byte offset of the payload.
    InvalidByte { offset: usize, byte: u8 },
    /// The length is not a multiple of 4 (Python: "Incorrect padding").
    BadLength { len: usize },
    /// `=` somewhere other than the last one or two places, at this byte offset.
    MisplacedPadding { offset: usize },
}

/// Checks `payload` is strict standard base64 (what Python's `b64decode(…, validate=True)`
/// accepts) and returns the decoded length, without decoding.
pub fn validate_base64(payload: &[u8]) -> Result<u64, Base64Error> {
    let body_len = payload.len()
        - payload
            .iter()
            .rev()
            .take(2)
            .take_while(|&&b| b == b'=')
            .count();
    let body = &payload[..body_len];
    if let Some(offset) = (!all_alphabet(body))
        .then(|| first_non_alphabet(body))
        .flatten()
    {
        let byte = payload[offset];
        return Err(if byte == b'=' {
            Base64Error::MisplacedPadding { offset }
        } else {
            Base64Error::InvalidByte { offset, byte }
        });
    }
    if payload.len() % 4 != 0 {
        return Err(Base64Error::BadLength { len: payload.len() });
    }
    let padding = payload.len() - body_len;
    Ok((payload.len() / 4 * 3 - padding) as u64)
}

/// Decodes a payload that [`validate_base64`] accepted. Python's decoder ignores the unused
/// low bits of the last symbol (`"AB=="`), so this one does too; the `base64` crate's
/// `STANDARD` engine would refuse such payloads and leave the image unprobed.
pub fn decode_base64(payload: &[u8]) -> Option<Vec<u8>> {
    const PYTHON_LIKE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    PYTHON_LIKE.decode(payload).ok()
}

/// Whether every byte is in the base64 alphabet. base64-simd checks the whole quads (with
/// AVX2, SSE4.1 or NEON, picked at run time); quads that end in `=` would pass its check as
/// padding, so they and the last bytes are left to [`first_non_alphabet`].
fn all_alphabet(bytes: &[u8]) -> bool {
    let (quads, rest) = bytes.split_at(bytes.len() / 4 * 4);
    let padded = quads.iter().rev().take(2).any(|&b| b == b'=');
    !padded && base64_simd::STANDARD.check(quads).is_ok() && first_non_alphabet(rest).is_none()
}

/// The offset of the first byte outside the base64 alphabet. Scans in fixed-size blocks of
/// branch-free compares, which the compiler vectorizes; only a failing block is re-scanned.
fn first_non_alphabet(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    #[inline]
    #[allow(clippy::needless_bitwise_bool)] // branch-free on purpose: it vectorizes
    fn is_alphabet(b: u8) -> bool {
        (b.wrapping_sub(b'A') < 26)
            | (b.wrapping_sub(b'a') < 26)
            | (b.wrapping_sub(b'0') < 10)
            | (b == b'+')
            | (b == b'/')
    }
    let mut blocks = bytes.chunks_exact(BLOCK);
    for (i, block) in blocks.by_ref().enumerate() {
        if !block.iter().fold(true, |ok, &b| ok & is_alphabet(b)) {
            return block
                .iter()
                .position(|&b| !is_alphabet(b))
                .map(|p| i * BLOCK + p);
        }
    }
    let tail_start = bytes.len() - blocks.remainder().len();
    blocks
        .remainder()
        .iter()
        .position(|&b| !is_alphabet(b))
        .map(|p| tail_start + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn parses_the_platform_form_and_parameters() {
        let uri = parse("data:image/png;base64,iVBORw0K").unwrap();
        assert_eq!(
            (uri.mime, uri.payload, uri.payload_offset),
            ("image/png", "iVBORw0K", 22)
        );
        assert_eq!(
            parse("data:image/jpeg;name=a.jpg;base64,AAAA")
                .unwrap()
                .mime,
            "image/jpeg"
        );
    }

    #[test]
    fn rejects_malformed_headers() {
        assert_eq!(
            parse("data:image/png;base64"),
            Err(DataUriError::MissingComma)
        );
        assert_eq!(parse("data:image/png,abc"), Err(DataUriError::NotBase64));
        assert_eq!(parse("data:;base64,AAAA"), Err(DataUriError::MissingMime));
        assert_eq!(
            parse("data:png;base64,AAAA"),
            Err(DataUriError::MalformedMime("png".into()))
        );
        assert_eq!(
            parse("data:image/png;base64,"),
            Err(DataUriError::EmptyPayload)
        );
    }

    #[test]
    fn decoded_length_matches_a_real_decoder() {
        for len in 0..200u32 {
            let data: Vec<u8> = (0..len)
                .map(|i: u32| i.wrapping_mul(37).to_le_bytes()[0])
                .collect();
            let text = STANDARD.encode(&data);
            assert_eq!(
                validate_base64(text.as_bytes()),
                Ok(u64::from(len)),
                "len {len}"
            );
        }
    }

    #[test]
    fn reports_the_first_bad_byte() {
        let mut text = "A".repeat(200);
        text.replace_range(150..151, "-");
        assert_eq!(
            validate_base64(text.as_bytes()),
            Err(Base64Error::InvalidByte {
                offset: 150,
                byte: b'-'
            })
        );
        assert_eq!(
            validate_base64(b"AA AA"),
            Err(Base64Error::InvalidByte {
                offset: 2,
                byte: b' '
            })
        );
        assert_eq!(
            validate_base64(b"AAA"),
            Err(Base64Error::BadLength { len: 3 })
        );
        assert_eq!(
            validate_base64(b"AA=A"),
            Err(Base64Error::MisplacedPadding { offset: 2 })
        );
        assert_eq!(
            validate_base64(b"A==="),
            Err(Base64Error::MisplacedPadding { offset: 1 })
        );
    }

    #[test]
    fn decodes_everything_it_validates_including_trailing_bits() {
        // `D` leaves non-zero unused bits; Python's `b64decode(..., validate=True)` accepts it.
        for payload in [&b"AB=="[..], b"ABD=", b"AAAD", b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCD"] {
            let len = validate_base64(payload).unwrap();
            assert_eq!(decode_base64(payload).map(|b| b.len() as u64), Some(len), "{payload:?}");
        }
        assert_eq!(decode_base64(b"AB==").unwrap(), [0x00]);
    }

    #[test]
    fn the_fast_check_agrees_with_the_byte_scan() {
        let mut samples: Vec<Vec<u8>> = ["", "A", "AB", "AAAA", "AB==", "ABC=", "AAAAAB==", "A=AA"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        let long = b"iVBORw0KGgo+/".repeat(40);
        for at in [0, 1, 63, 64, 255, long.len() - 1] {
            for byte in [b'=', b'-', b' ', b'"', 0x80, 0] {
                let mut bytes = long.clone();
                bytes[at] = byte;
                samples.push(bytes);
            }
        }
        samples.push(long);
        for sample in samples {
            assert_eq!(
                all_alphabet(&sample),
                first_non_alphabet(&sample).is_none(),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn agrees_with_the_base64_crate_on_what_is_valid() {
        let samples: [&[u8]; 8] = [
            b"", b"AAAA", b"AA==", b"AAA=", b"A===", b"AAAAA", b"AB+/", b"AB-_",
        ];
        for sample in samples {
            assert_eq!(
                validate_base64(sample).is_ok(),
                STANDARD.decode(sample).is_ok(),
                "{sample:?}"
            );
        }
    }
}
