//! Face screening: does an image show a frontal face the platform would screen out?
//!
//! Both platforms drop, without failing the job, training images that show people, faces,
//! children or CAPTCHAs (OpenAI: "Images containing the following will be excluded from your
//! dataset and not used for training: People, Faces, Children, CAPTCHAs"; Azure: "The
//! screening uses face detection only"). This module predicts the face case locally with
//! rustface, a pure-Rust port of the SeetaFace frontal detector (funnel-structured cascade,
//! BSD-2-Clause), whose 1.2 MB model is embedded from `models/`: nothing is fetched at run time.
//!
//! [`screen`] decodes encoded bytes within [`DECODE_MAX_ALLOC`], shrinks the image in
//! grayscale so its long side is at most [`SCREEN_LONG_SIDE`], and runs [`detect_faces`];
//! boxes come back in the original image's pixels. The detector's window is 40 px, so the
//! smallest face found is 40 px in the working image: 1/16 of the long side (64 px in a
//! 1024 px photo). Smaller faces are missed; a larger working image costs time roughly
//! with its area (CPU per 1024 px photo, release build: 48 ms at 320, 86 ms at 480, 140 ms
//! at 640; decoding and shrinking a 12-megapixel JPEG adds about 40 ms and 50 MB peak).
//!
//! A false alarm is worse than a miss here (the warning predicts a skip), so [`MIN_SCORE`] is
//! well above the detector's usual 2.0. Frontal detection misses people seen from the side or
//! behind, rotated, masked or small, and says nothing of children without visible faces or
//! CAPTCHAs; `fixtures/images/faces/expected.json` labels such cases "hard" and
//! `tests/faces.rs` measures them.

use std::cell::RefCell;
use std::fmt;
use std::io::Cursor;
use std::sync::OnceLock;

use image::{DynamicImage, GrayImage, ImageFormat, ImageReader, Limits};
use rustface::{Detector, ImageData, Model};

use super::budget;
use super::bytes::ImageBytes;
use super::data_uri;
use super::header::ColorMode;
use super::probe::{self, Format, Probe};

/// Long side, in pixels, of the image the detector runs on.
pub const SCREEN_LONG_SIDE: u32 = 640;

/// Memory one decode may allocate: 192 MiB holds a 64-megapixel RGB photo, past any camera's
/// JPEG under the platforms' 10 MB file limit, while a decompression bomb is refused from its
/// header before any pixel buffer exists.
pub const DECODE_MAX_ALLOC: u64 = 192 << 20;

/// Lowest detector score reported as a face. SeetaFace's own default is 2.0; frontal faces
/// in the labelled set score far above this, and textures, animals and objects below it.
pub const MIN_SCORE: f32 = 5.0;

/// The detector's window: no face smaller than this (in the working image) is found, and an
/// image narrower than this holds none.
const WINDOW: u32 = 40;

/// The SeetaFace frontal model rustface ships (its `model/seeta_fd_frontal_v1.0.bin`).
static MODEL_BYTES: &[u8] = include_bytes!("../../models/seeta_fd_frontal_v1.0.bin");

/// One detected face: a box in the pixels of the image it was found in, and the detector's
/// confidence (≥ [`MIN_SCORE`]; higher is surer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Face {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub score: f32,
}

impl Face {
    /// Whether the point lies inside the box.
    pub fn contains(&self, x: u32, y: u32) -> bool {
        (self.x..self.x + self.width).contains(&x) && (self.y..self.y + self.height).contains(&y)
    }
}

/// What screening found in one image, kept small (a fetched URL's is cached): the surest
/// face and how many there are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceHit {
    pub best: Face,
    pub count: u32,
}

impl FaceHit {
    /// The hit of a screening's faces (surest first, as [`screen`] returns them); `None`
    /// when there is none.
    pub fn of(faces: &[Face]) -> Option<Self> {
        Some(Self {
            best: *faces.first()?,
            count: u32::try_from(faces.len()).unwrap_or(u32::MAX),
        })
    }
}

/// Why an image could not be screened. The caller reports the image as not screened, never
/// as free of faces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenError {
    /// Only JPEG, PNG and WEBP are decoded (the formats the platform accepts).
    UnsupportedFormat,
    /// Decoding would allocate more than [`DECODE_MAX_ALLOC`].
    TooLarge,
    /// The pixel data does not decode.
    Undecodable(String),
}

impl fmt::Display for ScreenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScreenError::UnsupportedFormat => f.write_str("only JPEG, PNG and WEBP are screened"),
            ScreenError::TooLarge => write!(
                f,
                "decoding would need more than {} MiB",
                DECODE_MAX_ALLOC >> 20
            ),
            ScreenError::Undecodable(why) => write!(f, "pixel data does not decode: {why}"),
        }
    }
}

impl std::error::Error for ScreenError {}

/// Decodes `bytes` (in `format`) and returns the frontal faces it shows, boxes in the
/// original image's pixels, surest first.
pub fn screen(bytes: &[u8], format: Format) -> Result<Vec<Face>, ScreenError> {
    screen_at(bytes, format, SCREEN_LONG_SIDE)
}

/// [`screen`] on a working image whose long side is at most `long_side` (the cost
/// measurements compare sizes; the rule uses [`SCREEN_LONG_SIDE`]).
pub fn screen_at(bytes: &[u8], format: Format, long_side: u32) -> Result<Vec<Face>, ScreenError> {
    let decoded = decode(bytes, format)?;
    let (width, height) = (decoded.width(), decoded.height());
    let working = shrink(&decoded, long_side.max(WINDOW));
    drop(decoded);
    let faces = detect_faces(&working);
    // Back to original pixels: the same factor on both axes (shrink keeps the aspect ratio
    // up to rounding, which moves a box by under one working pixel).
    let scale = f64::from(width.max(height)) / f64::from(working.width().max(working.height()));
    Ok(faces
        .into_iter()
        .map(|face| rescale(face, scale, width, height))
        .collect())
}

/// Screens one probed image for the face rule: only an image the platform would otherwise
/// train (JPEG, PNG or WEBP, RGB or RGBA, not defective, within Pillow's pixel limit: any
/// other is skipped already), decoded within the process's decode budget
/// ([`budget::decode_budget`], shared with `--deep`) so parallel screens cannot exhaust
/// memory. `None` when no face is found or the image is not screened.
pub fn screen_probed(bytes: &ImageBytes<'_>, probe: &Probe) -> Option<FaceHit> {
    let format = probe.format.filter(|f| f.is_supported())?;
    let trainable = probe.defect.is_none()
        && matches!(probe.header.mode, Some(ColorMode::Rgb | ColorMode::Rgba))
        && probe.pixels() > 0
        && probe.pixels() <= probe::MAX_PIXELS;
    if !trainable {
        return None;
    }
    // The decoded pixels (RGBA at most), the grey copy, and a payload decoded whole.
    let needed = probe.pixels().saturating_mul(5) + bytes.len() as u64;
    let _permit = budget::decode_budget().acquire(needed).ok()?;
    let faces = match bytes {
        ImageBytes::Decoded(bytes) => screen(bytes, format),
        ImageBytes::Base64 { payload, .. } => screen(&data_uri::decode_base64(payload)?, format),
    };
    FaceHit::of(&faces.ok()?)
}

/// Frontal faces in a grayscale image, boxes in its pixels, surest first. Runs at the
/// image's own size: call [`screen`], or shrink first, for large images.
pub fn detect_faces(image: &GrayImage) -> Vec<Face> {
    // rustface panics on an empty image; one narrower than the window holds no face.
    if image.width() < WINDOW || image.height() < WINDOW {
        return Vec::new();
    }
    let data = ImageData::new(image.as_raw(), image.width(), image.height());
    let mut faces: Vec<Face> = DETECTOR.with(|detector| {
        detector
            .borrow_mut()
            .detect(&data)
            .into_iter()
            .filter_map(|info| clip(info.bbox(), info.score(), image.width(), image.height()))
            .collect()
    });
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    faces
}

thread_local! {
    /// rustface's detector keeps scratch buffers and is not `Send`: one per worker thread,
    /// built from one parsed model.
    static DETECTOR: RefCell<Box<dyn Detector>> = RefCell::new(new_detector());
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        rustface::read_model(MODEL_BYTES).expect("the embedded model parses (tested)")
    })
}

fn new_detector() -> Box<dyn Detector> {
    let mut detector = rustface::create_detector_with_model(model().clone());
    detector.set_score_thresh(f64::from(MIN_SCORE));
    // rustface's example settings: 0.8 between pyramid levels, a 4 px stride.
    detector.set_pyramid_scale_factor(0.8);
    detector.set_slide_window_step(4, 4);
    detector.set_min_face_size(WINDOW);
    detector
}

/// A detector box clipped to the image, or `None` when nothing of it is inside.
fn clip(bbox: &rustface::Rectangle, score: f64, width: u32, height: u32) -> Option<Face> {
    let x0 = i64::from(bbox.x()).clamp(0, i64::from(width));
    let y0 = i64::from(bbox.y()).clamp(0, i64::from(height));
    let x1 = (i64::from(bbox.x()) + i64::from(bbox.width())).clamp(0, i64::from(width));
    let y1 = (i64::from(bbox.y()) + i64::from(bbox.height())).clamp(0, i64::from(height));
    let to_u32 = |v: i64| u32::try_from(v).ok();
    #[allow(clippy::cast_possible_truncation)] // a detector score is a small number
    let score = score as f32;
    (x1 > x0 && y1 > y0).then_some(())?;
    Some(Face {
        x: to_u32(x0)?,
        y: to_u32(y0)?,
        width: to_u32(x1 - x0)?,
        height: to_u32(y1 - y0)?,
        score,
    })
}

/// A box from the working image in the original's pixels, kept inside the original.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "values are non-negative and clamped to the image's u32 size"
)]
fn rescale(face: Face, scale: f64, width: u32, height: u32) -> Face {
    let map = |v: u32, limit: u32| (f64::from(v) * scale).round().min(f64::from(limit)) as u32;
    let x = map(face.x, width);
    let y = map(face.y, height);
    let right = map(face.x + face.width, width);
    let bottom = map(face.y + face.height, height);
    Face {
        x,
        y,
        width: right - x,
        height: bottom - y,
        score: face.score,
    }
}

fn decode(bytes: &[u8], format: Format) -> Result<DynamicImage, ScreenError> {
    let format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Webp => ImageFormat::WebP,
        _ => return Err(ScreenError::UnsupportedFormat),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(DECODE_MAX_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|error| match error {
        image::ImageError::Limits(_) => ScreenError::TooLarge,
        other => ScreenError::Undecodable(other.to_string()),
    })
}

/// The image in grayscale with its long side at most `long_side`. `thumbnail` averages
/// whole source pixels into each output pixel: much quicker than a filtered resize on a
/// large photo, and as good for a detector working on 40 px windows.
fn shrink(image: &DynamicImage, long_side: u32) -> GrayImage {
    let (width, height) = (image.width(), image.height());
    let long = width.max(height);
    if long <= long_side {
        return image.to_luma8();
    }
    let fit = |side: u32| {
        let scaled = u64::from(side) * u64::from(long_side) / u64::from(long);
        u32::try_from(scaled).unwrap_or(long_side).max(1)
    };
    image.thumbnail_exact(fit(width), fit(height)).to_luma8()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_parses() {
        assert!(rustface::read_model(MODEL_BYTES).is_ok());
    }

    #[test]
    fn tiny_and_empty_images_hold_no_face() {
        assert!(detect_faces(&GrayImage::new(0, 0)).is_empty());
        assert!(detect_faces(&GrayImage::new(39, 400)).is_empty());
        assert!(detect_faces(&GrayImage::from_pixel(64, 64, image::Luma([128]))).is_empty());
    }

    #[test]
    fn shrink_keeps_small_images_and_bounds_large_ones() {
        let small = DynamicImage::new_rgb8(300, 200);
        assert_eq!(shrink(&small, SCREEN_LONG_SIDE).dimensions(), (300, 200));
        let wide = DynamicImage::new_rgb8(2000, 500);
        assert_eq!(shrink(&wide, SCREEN_LONG_SIDE).dimensions(), (640, 160));
        let tall = DynamicImage::new_luma8(10, 5000);
        assert_eq!(shrink(&tall, SCREEN_LONG_SIDE).dimensions(), (1, 640));
    }

    #[test]
    fn rescale_maps_boxes_back_inside_the_original() {
        let face = Face {
            x: 600,
            y: 10,
            width: 40,
            height: 40,
            score: 9.0,
        };
        let big = rescale(face, 2.0, 1280, 200);
        assert_eq!((big.x, big.y, big.width, big.height), (1200, 20, 80, 80));
        // A box reaching past the edge (rounding) is cut at the edge.
        let cut = rescale(face, 2.0, 1250, 90);
        assert_eq!((cut.x, cut.width, cut.y, cut.height), (1200, 50, 20, 70));
    }

    #[test]
    fn clip_drops_boxes_outside_and_cuts_those_across_the_edge() {
        let outside = rustface::Rectangle::new(-50, 5, 40, 40);
        assert_eq!(clip(&outside, 9.0, 100, 100), None);
        let across = rustface::Rectangle::new(-10, 80, 40, 40);
        let face = clip(&across, 9.0, 100, 100).expect("partly inside");
        assert_eq!((face.x, face.y, face.width, face.height), (0, 80, 30, 20));
    }

    #[test]
    fn formats_other_than_the_platforms_are_not_decoded() {
        assert_eq!(
            screen(b"GIF89a", Format::Gif),
            Err(ScreenError::UnsupportedFormat)
        );
        assert!(matches!(
            screen(b"\xFF\xD8\xFF\xE0 not a jpeg", Format::Jpeg),
            Err(ScreenError::Undecodable(_))
        ));
    }
}
