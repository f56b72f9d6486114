//! Re-encoding one data-URI image as the platform takes it: JPEG or PNG, RGB or RGBA, one
//! frame, upright, within the byte limit.
//!
//! The choices, for `vft fix`'s docs:
//! - **Format.** PNG when the picture has transparency or comes from a lossless format (PNG,
//!   GIF, BMP, TIFF, ICO, lossless WEBP), so no detail is lost; JPEG at quality 92 when it
//!   comes from a lossy one (JPEG, lossy WEBP): re-encoding a photograph as PNG would only
//!   make it larger.
//! - **Mode.** RGB, or RGBA when some pixel is not opaque (a palette with `tRNS`, grayscale
//!   with alpha). 16-bit samples become 8-bit. CMYK and YCCK JPEGs are converted by the
//!   JPEG decoder (zune-jpeg), Adobe's inverted CMYK included.
//! - **Orientation.** The EXIF orientation is applied to the pixels first, so what the model
//!   sees is upright once the metadata is gone; all other metadata is dropped, the ICC
//!   profile is kept with `keep_icc`.
//! - **Frames.** An animated image keeps its first frame.
//! - **Size.** Over the limit, a PNG without transparency is tried as JPEG; then the image is
//!   downscaled (aspect ratio kept, Lanczos) until it fits, never below the short side its
//!   `detail` needs: 512 px for `low`, 768 px for `high` and `auto`.

use std::fmt::Write as _;
use std::io::Cursor;

use base64::Engine as _;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{AnimationDecoder as _, DynamicImage, ImageDecoder, ImageEncoder, ImageReader, Limits};

use crate::media::data_uri;
use crate::media::probe::{Format, ProbeDepth, probe};
use crate::numbers::thousands;
use crate::tokens::Model;
use crate::tokens::image::Detail;
use crate::tokens::image::image_tokens;

/// JPEG quality of re-encoded photographs: visually lossless for training.
const JPEG_QUALITY: u8 = 92;
/// Memory one decode may take: a 10 MB image of 60 Mpx (RGBA, 16-bit) fits.
const MAX_DECODE_ALLOC: u64 = 1 << 30;
/// Downscaling steps tried before giving up.
const MAX_SCALE_STEPS: usize = 8;

/// How to re-encode.
#[derive(Debug, Clone, Copy)]
pub struct ImageSettings {
    /// The largest image the output may hold, in bytes.
    pub max_bytes: u64,
    /// Keep the ICC colour profile (otherwise dropped with the other metadata).
    pub keep_icc: bool,
    /// Downscale every image to what the platform makes of it for its `detail`
    /// (`--fit-detail`), for the model the tokens are counted for.
    pub fit_detail: Option<Model>,
}

/// A re-encoded image and what was done to it.
#[derive(Debug, Clone)]
pub struct Repaired {
    /// The new `data:` URI.
    pub uri: String,
    /// What changed, for the fix report: "GIF P 48×32 → PNG RGBA".
    pub note: String,
}

/// The bytes of the image of `uri` (a `data:` URL) and their format, if vft can decode it.
fn load(uri: &str) -> Result<(Vec<u8>, Format), String> {
    let parsed = data_uri::parse(uri).map_err(|error| format!("malformed data URI: {error}"))?;
    let bytes = data_uri::decode_base64(parsed.payload.as_bytes())
        .ok_or("the base64 payload does not decode")?;
    let format = Format::sniff(&bytes).ok_or("the bytes are no known image format")?;
    if !format.is_decodable() {
        return Err(format!("vft cannot decode {} images", format.name()));
    }
    Ok((bytes, format))
}

/// With `--fit-detail`: the image of `uri` downscaled to the size the platform would scale
/// it to for `detail` (`low`: within 512×512; `high` and `auto`: within 2048×2048, then 768
/// px on the short side), in its own family of format; `None` when it is no larger, when the
/// smaller file would not be smaller, or when the size would change its tokens.
pub fn fit_to_detail(
    uri: &str,
    detail: Detail,
    model: Model,
    settings: ImageSettings,
) -> Result<Option<Repaired>, String> {
    let (bytes, format) = load(uri)?;
    if !format.is_supported() {
        return Ok(None);
    }
    let source = decode(&bytes, format, settings.keep_icc)?;
    let (width, height) = (source.image.width(), source.image.height());
    let (w, h) = detail_size(width, height, detail);
    if (w, h) == (width, height)
        || image_tokens(w, h, detail, model) != image_tokens(width, height, detail, model)
    {
        return Ok(None);
    }
    let (picture, alpha) = normalise(source.image.resize_exact(w, h, FilterType::Lanczos3));
    let as_jpeg = !alpha && is_lossy(&bytes, format);
    let encoded = encode(&picture, as_jpeg, source.icc.as_deref())?;
    if encoded.len() >= bytes.len() {
        return Ok(None);
    }
    let out = if as_jpeg { Format::Jpeg } else { Format::Png };
    Ok(Some(Repaired {
        uri: data_uri_of(out, &encoded),
        note: format!(
            "fit to `detail`: {width}×{height} → {w}×{h}, {} → {} bytes",
            thousands(bytes.len() as u64),
            thousands(encoded.len() as u64)
        ),
    }))
}

/// The size the platform scales a `width`×`height` image to for `detail`.
fn detail_size(width: u32, height: u32, detail: Detail) -> (u32, u32) {
    let (w, h) = (f64::from(width), f64::from(height));
    let scale = match detail {
        Detail::Low => (512.0 / w.max(h)).min(1.0),
        Detail::High | Detail::Auto => {
            let fit = (2048.0 / w.max(h)).min(1.0);
            fit * (768.0 / (w.min(h) * fit)).min(1.0)
        }
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let scaled = |side: f64| ((side * scale).round() as u32).max(1);
    (scaled(w), scaled(h))
}

/// `data:<mime>;base64,<bytes>`.
pub fn data_uri_of(format: Format, encoded: &[u8]) -> String {
    let mut uri = String::with_capacity(encoded.len() * 4 / 3 + 32);
    uri.push_str("data:");
    uri.push_str(format.mime());
    uri.push_str(";base64,");
    base64::engine::general_purpose::STANDARD.encode_string(encoded, &mut uri);
    uri
}

/// Re-encodes the image of `uri` (a `data:` URL). `Err` says why it cannot be done.
pub fn repair(uri: &str, detail: Detail, settings: ImageSettings) -> Result<Repaired, String> {
    let (bytes, format) = load(uri)?;
    // The `image` crate's ICO decoder refuses icons whose embedded PNG is not RGBA:
    // such an icon's largest PNG is decoded as a PNG.
    let (bytes, format) = match (format, largest_png_in_ico(&bytes)) {
        (Format::Ico, Some(png)) => (png.to_vec(), Format::Png),
        _ => (bytes, format),
    };
    let source = decode(&bytes, format, settings.keep_icc)?;
    let (mut picture, alpha) = normalise(source.image);
    let mut as_jpeg = !alpha && is_lossy(&bytes, format);
    let mut encoded = encode(&picture, as_jpeg, source.icc.as_deref())?;
    if encoded.len() as u64 > settings.max_bytes && !alpha && !as_jpeg {
        as_jpeg = true;
        encoded = encode(&picture, as_jpeg, source.icc.as_deref())?;
    }
    let (width, height) = (picture.width(), picture.height());
    let mut scaled = None;
    let mut steps = 0;
    while encoded.len() as u64 > settings.max_bytes {
        steps += 1;
        let floor = min_short_side(detail);
        let short = picture.width().min(picture.height());
        if steps > MAX_SCALE_STEPS || short <= floor {
            return Err(format!(
                "it does not fit in {} bytes even at {}×{} (the `detail` needs a short side of {floor} px)",
                settings.max_bytes,
                picture.width(),
                picture.height()
            ));
        }
        // Bytes scale about with the pixel count; aim a little under the limit.
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let factor = ((settings.max_bytes as f64 / encoded.len() as f64).sqrt() * 0.95).min(0.9);
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let factor = factor.max(f64::from(floor) / f64::from(short));
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let (w, h) = (
            ((f64::from(width) * factor).round() as u32).max(1),
            ((f64::from(height) * factor).round() as u32).max(1),
        );
        picture = picture.resize_exact(w, h, FilterType::Lanczos3);
        scaled = Some((w, h));
        encoded = encode(&picture, as_jpeg, source.icc.as_deref())?;
    }

    let out_format = if as_jpeg { Format::Jpeg } else { Format::Png };
    let mut note = format!(
        "{} {} {width}×{height} → {} {}",
        format.name(),
        source.mode,
        out_format.name(),
        if alpha { "RGBA" } else { "RGB" }
    );
    if let Some((w, h)) = scaled {
        let percent = u64::from(w) * 100 / u64::from(width.max(1));
        let _ = write!(note, ", downscaled to {w}×{h} ({percent}%)");
    }
    if source.frames_dropped {
        note.push_str(", first frame kept");
    }
    if source.rotated {
        note.push_str(", EXIF orientation applied");
    }
    Ok(Repaired {
        uri: data_uri_of(out_format, &encoded),
        note,
    })
}

/// The short side below which `detail` loses what the model would see: `low` looks at
/// 512×512, `high` tiles the image scaled to 768 px on its short side.
pub fn min_short_side(detail: Detail) -> u32 {
    match detail {
        Detail::Low => 512,
        Detail::High | Detail::Auto => 768,
    }
}

struct Decoded {
    image: DynamicImage,
    /// Pillow's name of the source's mode, as far as the decoder tells it.
    mode: &'static str,
    icc: Option<Vec<u8>>,
    rotated: bool,
    frames_dropped: bool,
}

fn decode(bytes: &[u8], format: Format, keep_icc: bool) -> Result<Decoded, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| format!("cannot read it: {error}"))?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|error| format!("cannot decode it: {error}"))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = if keep_icc {
        decoder.icc_profile().ok().flatten()
    } else {
        None
    };
    // Pillow's name, from vft's own header walkers (the decoder expands palettes); for
    // the formats they do not walk, from the decoder (GIF is a palette format).
    let mode = match probe(bytes, ProbeDepth::Headers).header.mode {
        Some(mode) => mode.name(),
        None if format == Format::Gif => "P",
        None => match decoder.color_type() {
            image::ColorType::L8 => "L",
            image::ColorType::La8 | image::ColorType::La16 => "LA",
            image::ColorType::L16 => "I;16",
            image::ColorType::Rgba8 | image::ColorType::Rgba16 | image::ColorType::Rgba32F => {
                "RGBA"
            }
            _ => "RGB",
        },
    };
    let mut image = DynamicImage::from_decoder(decoder)
        .map_err(|error| format!("cannot decode it: {error}"))?;
    let rotated = orientation != image::metadata::Orientation::NoTransforms;
    image.apply_orientation(orientation);
    Ok(Decoded {
        image,
        mode,
        icc,
        rotated,
        frames_dropped: is_animated(bytes, format),
    })
}

/// To 8-bit RGB, or RGBA when a pixel is not opaque; says which.
fn normalise(image: DynamicImage) -> (DynamicImage, bool) {
    if image.color().has_alpha() {
        let rgba = image.into_rgba8();
        if rgba.pixels().any(|p| p.0[3] != u8::MAX) {
            return (DynamicImage::ImageRgba8(rgba), true);
        }
        return (
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).into_rgb8()),
            false,
        );
    }
    match image {
        DynamicImage::ImageRgb8(_) => (image, false),
        other => (DynamicImage::ImageRgb8(other.into_rgb8()), false),
    }
}

fn encode(image: &DynamicImage, as_jpeg: bool, icc: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let (width, height, color) = (image.width(), image.height(), image.color());
    let result = if as_jpeg {
        let mut encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        if let Some(icc) = icc {
            // An encoder that cannot carry the profile drops it; the pixels are what matter.
            let _ = encoder.set_icc_profile(icc.to_vec());
        }
        encoder.write_image(image.as_bytes(), width, height, color.into())
    } else {
        // zlib's level 6, as Pillow saves PNGs: `Best` took 83% of `vft fix`'s time for
        // PNGs 17% smaller (benches/bench.py, the fix case).
        let mut encoder =
            PngEncoder::new_with_quality(&mut out, CompressionType::Level(6), PngFilter::Adaptive);
        if let Some(icc) = icc {
            let _ = encoder.set_icc_profile(icc.to_vec());
        }
        encoder.write_image(image.as_bytes(), width, height, color.into())
    };
    result.map_err(|error| format!("cannot encode it: {error}"))?;
    Ok(out)
}

/// Whether the source is a lossy format (JPEG, lossy WEBP): re-encoded as JPEG, not PNG.
fn is_lossy(bytes: &[u8], format: Format) -> bool {
    format == Format::Jpeg || (format == Format::Webp && is_lossy_webp(bytes))
}

/// A lossy WEBP holds a `VP8 ` chunk (lossless ones `VP8L`), possibly after `VP8X`.
fn is_lossy_webp(bytes: &[u8]) -> bool {
    memchr::memmem::find(&bytes[..bytes.len().min(4096)], b"VP8 ").is_some()
}

/// Whether the source has more frames than the one decoded: APNG (`acTL`), animated WEBP
/// (`ANIM`), and GIF with a second image descriptor after the first frame's data.
fn is_animated(bytes: &[u8], format: Format) -> bool {
    let head = &bytes[..bytes.len().min(1 << 16)];
    match format {
        Format::Png => memchr::memmem::find(head, b"acTL").is_some(),
        Format::Webp => memchr::memmem::find(head, b"ANIM").is_some(),
        Format::Gif => image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
            .is_ok_and(|decoder| decoder.into_frames().take(2).count() > 1),
        _ => false,
    }
}

/// The largest PNG-encoded entry of an ICO file (`ICONDIR` + 16-byte `ICONDIRENTRY`s).
fn largest_png_in_ico(bytes: &[u8]) -> Option<&[u8]> {
    let count = usize::from(u16::from_le_bytes([*bytes.get(4)?, *bytes.get(5)?]));
    (0..count)
        .filter_map(|i| {
            let entry = bytes.get(6 + 16 * i..6 + 16 * (i + 1))?;
            let pixels = |b: u8| if b == 0 { 256 } else { u32::from(b) };
            let area = pixels(entry[0]) * pixels(entry[1]);
            let size = u32::from_le_bytes(entry[8..12].try_into().ok()?) as usize;
            let offset = u32::from_le_bytes(entry[12..16].try_into().ok()?) as usize;
            let data = bytes.get(offset..offset.checked_add(size)?)?;
            data.starts_with(b"\x89PNG\r\n\x1a\n")
                .then_some((area, data))
        })
        .max_by_key(|(area, _)| *area)
        .map(|(_, data)| data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_sizes_are_the_platforms() {
        // OpenAI's vision guide: 2048×4096 at `high` is scaled to 1024×2048, then 768×1536.
        assert_eq!(detail_size(2048, 4096, Detail::High), (768, 1536));
        assert_eq!(detail_size(4032, 3024, Detail::Low), (512, 384));
        assert_eq!(detail_size(400, 300, Detail::Auto), (400, 300));
    }
}
