//! What an image's bytes are, the way the platform sees them: format from the bytes (not
//! the label), colour mode in Pillow's terms, dimensions, animation, and defects.
//!
//! The reference is Pillow: the platform's rules speak its language ("RGB or RGBA image
//! mode"), and `fixtures/images/expected.json` records its verdict on every fixture image.
//! Headers are read by small parsers (`png`, `jpeg`, `webp` beside this file), because the
//! `image` crate expands palettes and converts CMYK while decoding and so cannot say what
//! mode the file is in. `--deep` also decodes every pixel (the `png` crate for PNG, set as
//! Pillow reads; the `image` crate for JPEG and WEBP).

use std::io::Cursor;

use super::budget::{self, Budget, OverBudget};
use super::bytes::ImageBytes;
use super::header::{DefectKind, Header, ImageDefect};
use super::{jpeg, png, webp};

/// How many leading bytes identify a format.
const SNIFF_LEN: usize = 4096;

/// Pillow's decompression-bomb limit: `Image.open` refuses images over twice
/// `Image.MAX_IMAGE_PIXELS` (89,478,485) pixels.
pub const MAX_PIXELS: u64 = 2 * 89_478_485;

/// What the `png` crate may hold besides its rows while decoding (chunk buffers): the
/// ancillary chunks it would inflate are skipped, so this covers only chunks it keeps raw.
const PNG_CHUNK_ALLOWANCE: u64 = 16 << 20;

/// A container format, identified from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
    Tiff,
    Avif,
    Heic,
    Ico,
    Svg,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 11] = [
        Format::Jpeg,
        Format::Png,
        Format::Webp,
        Format::Gif,
        Format::Bmp,
        Format::Tiff,
        Format::Avif,
        Format::Heic,
        Format::Ico,
        Format::Svg,
        Format::Pdf,
    ];

    /// The format [`Format::name`] names.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WEBP",
            Format::Gif => "GIF",
            Format::Bmp => "BMP",
            Format::Tiff => "TIFF",
            Format::Avif => "AVIF",
            Format::Heic => "HEIC",
            Format::Ico => "ICO",
            Format::Svg => "SVG",
            Format::Pdf => "PDF",
        }
    }

    /// Whether the platform accepts it: "Images must be JPEG, PNG, or WEBP format."
    pub fn is_supported(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::Webp)
    }

    /// Whether vft can decode it to re-encode it (`vft fix`): the `image` crate's decoders
    /// as vft is built. AVIF and HEIC need C libraries; SVG and PDF are no raster images.
    pub fn is_decodable(self) -> bool {
        matches!(
            self,
            Format::Jpeg
                | Format::Png
                | Format::Webp
                | Format::Gif
                | Format::Bmp
                | Format::Tiff
                | Format::Ico
        )
    }

    /// The media types that name this format; the first is the canonical one.
    fn mime_types(self) -> &'static [&'static str] {
        match self {
            Format::Jpeg => &["image/jpeg", "image/jpg", "image/pjpeg"],
            Format::Png => &["image/png", "image/apng"],
            Format::Webp => &["image/webp"],
            Format::Gif => &["image/gif"],
            Format::Bmp => &["image/bmp", "image/x-ms-bmp"],
            Format::Tiff => &["image/tiff"],
            Format::Avif => &["image/avif"],
            Format::Heic => &["image/heic", "image/heif"],
            Format::Ico => &["image/x-icon", "image/vnd.microsoft.icon"],
            Format::Svg => &["image/svg+xml"],
            Format::Pdf => &["application/pdf"],
        }
    }

    /// The canonical media type, for a data URI's label.
    pub fn mime(self) -> &'static str {
        self.mime_types()[0]
    }

    /// Whether a declared MIME type (`image/jpg`, `IMAGE/PNG`, …) names this format.
    pub fn matches_mime(self, mime: &str) -> bool {
        self.mime_types()
            .iter()
            .any(|m| m.eq_ignore_ascii_case(mime))
    }

    /// Identifies the format from the first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        if starts(b"\xFF\xD8\xFF") {
            return Some(Format::Jpeg);
        }
        if starts(png::SIGNATURE) {
            return Some(Format::Png);
        }
        if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            return Some(Format::Webp);
        }
        if starts(b"GIF87a") || starts(b"GIF89a") {
            return Some(Format::Gif);
        }
        if starts(b"BM") && bytes.len() >= 26 {
            return Some(Format::Bmp);
        }
        if starts(b"II*\0") || starts(b"MM\0*") {
            return Some(Format::Tiff);
        }
        if starts(b"\0\0\x01\0") && bytes.len() >= 22 {
            return Some(Format::Ico);
        }
        if starts(b"%PDF-") {
            return Some(Format::Pdf);
        }
        if bytes.get(4..8) == Some(b"ftyp") {
            return iso_bmff_brand(bytes);
        }
        looks_like_svg(bytes).then_some(Format::Svg)
    }
}

/// AVIF and HEIC share the ISO base media file format; the brands tell them apart.
fn iso_bmff_brand(bytes: &[u8]) -> Option<Format> {
    let size = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let brands = bytes.get(8..size.clamp(12, bytes.len().max(12)))?;
    let has = |brand: &[u8]| brands.chunks(4).any(|b| b == brand);
    if has(b"avif") || has(b"avis") {
        Some(Format::Avif)
    } else if [
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
    ]
    .iter()
    .any(|b| has(*b))
    {
        Some(Format::Heic)
    } else {
        None
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start();
    (text.starts_with("<?xml") || text.starts_with("<svg") || text.starts_with("<!doctype svg"))
        && text.contains("<svg")
}

/// How deep a probe looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProbeDepth {
    /// Headers and structure only: time and memory bounded by the byte length.
    #[default]
    Headers,
    /// Every pixel decoded as well (`--deep`).
    Pixels,
}

/// The outcome of probing one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `None` when the bytes are no image format vft knows.
    pub format: Option<Format>,
    pub header: Header,
    /// Why the platform cannot load the image (truncated, corrupt).
    pub defect: Option<ImageDefect>,
    /// `--deep` did not decode the pixels: decoding needs more memory than the whole decode
    /// budget ([`budget::decode_budget`]). Not a defect of the image; a limit of vft.
    pub over_budget: Option<OverBudget>,
}

impl Probe {
    pub fn pixels(&self) -> u64 {
        u64::from(self.header.width) * u64::from(self.header.height)
    }
}

/// Probes `bytes` in memory (a fetched body). See [`probe_image`].
pub fn probe(bytes: &[u8], depth: ProbeDepth) -> Probe {
    probe_image(&ImageBytes::Decoded(bytes), depth)
}

/// Probes an image. At [`ProbeDepth::Headers`] only headers are read (a data URI's payload is decoded
/// only where a header is); time and memory are bounded by the byte length, never by the
/// declared dimensions. At [`ProbeDepth::Pixels`] every pixel is decoded within the
/// process's decode budget (see [`probe_image_within`]), and images Pillow refuses as
/// decompression bombs are skipped.
pub fn probe_image(bytes: &ImageBytes<'_>, depth: ProbeDepth) -> Probe {
    probe_image_within(
        bytes,
        (depth == ProbeDepth::Pixels).then(budget::decode_budget),
    )
}

/// [`probe_image`], decoding pixels (when `deep` is `Some`) within that budget: the decode
/// waits until the memory it needs is free, and an image needing more than the whole
/// budget is not decoded ([`Probe::over_budget`]).
pub fn probe_image_within(bytes: &ImageBytes<'_>, deep: Option<&Budget>) -> Probe {
    let format = Format::sniff(&bytes.prefix(SNIFF_LEN));
    let parsed = match format {
        Some(Format::Png) => png::read(bytes),
        Some(Format::Jpeg) => jpeg::read(bytes),
        Some(Format::Webp) => webp::read(bytes),
        _ => {
            return Probe {
                format,
                header: Header::default(),
                defect: None,
                over_budget: None,
            };
        }
    };
    let (header, defect) = match parsed {
        Ok(header) => (header, None),
        Err(structural) => (
            structural.header.unwrap_or_default(),
            Some(structural.problem),
        ),
    };
    let mut probe = Probe {
        format,
        header,
        defect,
        over_budget: None,
    };
    if let Some(budget) = deep
        && probe.defect.is_none()
        && probe.pixels() <= MAX_PIXELS
    {
        match decode_pixels(bytes, &probe.header, format, budget) {
            Ok(()) => {}
            Err(Undecoded::Defect(detail)) => {
                probe.defect = Some(ImageDefect {
                    kind: DefectKind::Undecodable,
                    detail: detail.into(),
                });
            }
            Err(Undecoded::OverBudget(over)) => probe.over_budget = Some(over),
        }
    }
    probe
}

/// Why `--deep` did not decode an image.
enum Undecoded {
    Defect(String),
    OverBudget(OverBudget),
}

impl From<String> for Undecoded {
    fn from(defect: String) -> Self {
        Undecoded::Defect(defect)
    }
}

/// Decodes every pixel (`--deep`), holding a permit from `budget` for the memory it needs.
fn decode_pixels(
    bytes: &ImageBytes<'_>,
    header: &Header,
    format: Option<Format>,
    budget: &Budget,
) -> Result<(), Undecoded> {
    let input = bytes.len() as u64;
    let pixels = u64::from(header.width) * u64::from(header.height);
    let need = match format {
        // Streamed row by row: two rows of up to 8 bytes a pixel (16-bit RGBA), the
        // decoder's chunk buffers, and the payload (decoded) plus its IEND-terminated copy.
        Some(Format::Png) => 16 * u64::from(header.width) + PNG_CHUNK_ALLOWANCE + 2 * input,
        // The `image` crate decodes the whole frame, and its JPEG and WEBP decoders hold
        // about as much again in component planes; 4 bytes a pixel is RGBA or CMYK.
        Some(Format::Jpeg | Format::Webp) => 2 * 4 * pixels + 2 * input,
        _ => return Ok(()),
    };
    let permit = budget.acquire(need).map_err(Undecoded::OverBudget)?;
    let all = bytes
        .all()
        .ok_or_else(|| "image data does not decode".to_owned())?;
    let result = match format {
        Some(Format::Png) => decode_png(&all, permit.bytes()),
        Some(Format::Jpeg) => decode_image(&all, image::ImageFormat::Jpeg, permit.bytes()),
        _ => decode_image(&all, image::ImageFormat::WebP, permit.bytes()),
    };
    drop(permit);
    result.map_err(Undecoded::Defect)
}

/// JPEG and WEBP through the `image` crate, allocating at most `max_alloc`.
fn decode_image(bytes: &[u8], format: image::ImageFormat, max_alloc: u64) -> Result<(), String> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(max_alloc);
    reader.limits(limits);
    reader
        .decode()
        .map(drop)
        .map_err(|e| format!("pixel data does not decode: {e}"))
}

/// PNG through the `png` crate itself, set as Pillow reads: checksums after the header
/// chunks (already verified by the walk) are not enforced, and IEND is not required.
/// Ancillary chunks are not inflated (the walk checked them as Pillow does), and rows are
/// decoded one at a time, so memory is two rows however tall the image.
fn decode_png(bytes: &[u8], max_alloc: u64) -> Result<(), String> {
    // The decoder needs a chunk after the last IDAT to know the data ended; Pillow needs
    // none, so a copy ending in an IEND chunk is decoded (bytes after IEND are ignored).
    const IEND: &[u8] = b"\0\0\0\0IEND\xAE\x42\x60\x82";
    let terminated = [bytes, IEND].concat();
    let limits = ::png::Limits {
        bytes: usize::try_from(max_alloc).unwrap_or(usize::MAX),
    };
    let mut decoder = ::png::Decoder::new_with_limits(Cursor::new(terminated.as_slice()), limits);
    decoder.ignore_checksums(true);
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_ignore_text_chunk(true);
    let fail = |e: ::png::DecodingError| format!("pixel data does not decode: {e}");
    let mut reader = decoder.read_info().map_err(fail)?;
    while reader.next_row().map_err(fail)?.is_some() {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats_from_magic_bytes() {
        assert_eq!(Format::sniff(b"\xFF\xD8\xFF\xE0"), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"GIF89a...."), Some(Format::Gif));
        assert_eq!(Format::sniff(b"%PDF-1.7"), Some(Format::Pdf));
        assert_eq!(
            Format::sniff(b"  <?xml version='1.0'?><svg/>"),
            Some(Format::Svg)
        );
        assert_eq!(
            Format::sniff(b"\0\0\0\x18ftypavif\0\0\0\0avifmif1"),
            Some(Format::Avif)
        );
        assert_eq!(
            Format::sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Some(Format::Heic)
        );
        assert_eq!(Format::sniff(b""), None);
        assert_eq!(Format::sniff(b"hello"), None);
    }

    #[test]
    fn mime_aliases_match() {
        assert!(Format::Jpeg.matches_mime("image/jpg"));
        assert!(Format::Png.matches_mime("IMAGE/PNG"));
        assert!(!Format::Png.matches_mime("image/jpeg"));
        assert_eq!(Format::Svg.mime(), "image/svg+xml");
    }
}
