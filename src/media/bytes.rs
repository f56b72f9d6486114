//! Image bytes as the header walkers read them: already in memory, or a validated base64
//! payload decoded on demand. A walk reads chunk and segment headers only, so probing a
//! multi-megabyte data URI decodes a few hundred bytes of it instead of all of it.

use std::borrow::Cow;
use std::ops::Range;

use super::data_uri;

/// The bytes of one image.
#[derive(Debug, Clone, Copy)]
pub enum ImageBytes<'a> {
    /// Bytes in memory (a fetched body, or a decoded payload).
    Decoded(&'a [u8]),
    /// A payload [`data_uri::validate_base64`] accepted, and its decoded length.
    Base64 { payload: &'a [u8], len: usize },
}

impl<'a> ImageBytes<'a> {
    /// A payload that [`data_uri::validate_base64`] accepted, with the length it returned.
    pub fn base64(payload: &'a [u8], decoded_len: usize) -> Self {
        ImageBytes::Base64 {
            payload,
            len: decoded_len,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ImageBytes::Decoded(bytes) => bytes.len(),
            ImageBytes::Base64 { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes in `range`, or `None` when it runs past the end.
    pub fn read(&self, range: Range<usize>) -> Option<Cow<'a, [u8]>> {
        if range.start > range.end || range.end > self.len() {
            return None;
        }
        match *self {
            ImageBytes::Decoded(bytes) => Some(Cow::Borrowed(&bytes[range])),
            ImageBytes::Base64 { payload, .. } => {
                // Every 4 symbols hold 3 bytes: decode the whole quads that cover the range.
                let first_quad = range.start / 3;
                let end_quad = range.end.div_ceil(3);
                let symbols = payload.get(first_quad * 4..(end_quad * 4).min(payload.len()))?;
                let mut decoded = data_uri::decode_base64(symbols)?;
                let skip = range.start - first_quad * 3;
                decoded.truncate(skip + range.len());
                decoded.drain(..skip);
                Some(Cow::Owned(decoded))
            }
        }
    }

    /// Up to `n` bytes from the start.
    pub fn prefix(&self, n: usize) -> Cow<'a, [u8]> {
        self.read(0..n.min(self.len())).unwrap_or_default()
    }

    /// Every byte, decoding the payload if need be.
    pub fn all(&self) -> Option<Cow<'a, [u8]>> {
        match *self {
            ImageBytes::Decoded(bytes) => Some(Cow::Borrowed(bytes)),
            ImageBytes::Base64 { payload, .. } => data_uri::decode_base64(payload).map(Cow::Owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn reads_any_range_of_a_payload_as_the_decoded_bytes() {
        for len in [0usize, 1, 2, 3, 4, 5, 7, 64, 100] {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 % 251).to_le_bytes()[0]).collect();
            let text = STANDARD.encode(&data);
            let lazy = ImageBytes::base64(text.as_bytes(), len);
            let eager = ImageBytes::Decoded(&data);
            assert_eq!(lazy.len(), len);
            for start in 0..=len + 1 {
                for end in start..=len + 1 {
                    assert_eq!(
                        lazy.read(start..end),
                        eager.read(start..end),
                        "{len}: {start}..{end}"
                    );
                }
            }
            assert_eq!(lazy.all().as_deref(), Some(&data[..]));
        }
    }

    #[test]
    fn a_reversed_range_is_none() {
        let bytes = ImageBytes::Decoded(b"abc");
        #[allow(clippy::reversed_empty_ranges)] // the case under test
        let reversed = 2..1;
        assert_eq!(bytes.read(reversed), None);
        assert_eq!(bytes.prefix(10).as_ref(), b"abc");
    }
}
