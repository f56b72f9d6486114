//! What the header walkers read from an image, and what they find wrong with it: plain
//! data shared by the walkers (`png`, `jpeg`, `webp`) and the prober.

use std::borrow::Cow;
use std::fmt;

/// A colour mode, in Pillow's terms (the platform's rules speak Pillow: "RGB or RGBA").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColorMode {
    Rgb,
    Rgba,
    /// 8-bit grayscale (and 2- and 4-bit PNG grayscale, which Pillow reads as `L`).
    L,
    /// Grayscale with alpha.
    La,
    /// 1-bit black and white.
    Bilevel,
    /// Palette (also with a `tRNS` transparency chunk).
    P,
    /// 16-bit grayscale.
    I16,
    /// CMYK (CMYK and YCCK JPEGs).
    Cmyk,
}

impl ColorMode {
    pub const ALL: [ColorMode; 8] = [
        ColorMode::Rgb,
        ColorMode::Rgba,
        ColorMode::L,
        ColorMode::La,
        ColorMode::Bilevel,
        ColorMode::P,
        ColorMode::I16,
        ColorMode::Cmyk,
    ];

    /// Pillow's name for the mode: `RGB`, `RGBA`, `L`, `LA`, `1`, `P`, `I;16`, `CMYK`.
    pub fn name(self) -> &'static str {
        match self {
            ColorMode::Rgb => "RGB",
            ColorMode::Rgba => "RGBA",
            ColorMode::L => "L",
            ColorMode::La => "LA",
            ColorMode::Bilevel => "1",
            ColorMode::P => "P",
            ColorMode::I16 => "I;16",
            ColorMode::Cmyk => "CMYK",
        }
    }

    /// The mode [`ColorMode::name`] names.
    pub fn from_name(name: &str) -> Option<ColorMode> {
        ColorMode::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether the platform takes it: "Your images must be in the RGB or RGBA image mode."
    pub fn is_supported(self) -> bool {
        matches!(self, ColorMode::Rgb | ColorMode::Rgba)
    }
}

impl fmt::Display for ColorMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the header parsers read from one supported image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub mode: Option<ColorMode>,
    pub width: u32,
    pub height: u32,
    pub animated: bool,
}

/// What kind of defect keeps the platform from loading an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefectKind {
    /// The file ends early.
    Truncated,
    /// A chunk fails its checksum.
    Checksum,
    /// The structure is broken: a missing or invalid header, chunk or segment.
    Malformed,
    /// The data does not decode.
    Undecodable,
}

impl DefectKind {
    pub const ALL: [DefectKind; 4] = [
        DefectKind::Truncated,
        DefectKind::Checksum,
        DefectKind::Malformed,
        DefectKind::Undecodable,
    ];

    /// A stable name (the fetch cache stores it).
    pub fn name(self) -> &'static str {
        match self {
            DefectKind::Truncated => "truncated",
            DefectKind::Checksum => "checksum",
            DefectKind::Malformed => "malformed",
            DefectKind::Undecodable => "undecodable",
        }
    }

    pub fn from_name(name: &str) -> Option<DefectKind> {
        DefectKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Why the platform cannot load an image: its kind, and what exactly, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDefect {
    pub kind: DefectKind,
    pub detail: Cow<'static, str>,
}

impl fmt::Display for ImageDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

/// A structural defect found while walking a file, with what was read before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    /// The header, when it was read and can be trusted.
    pub header: Option<Header>,
    pub problem: ImageDefect,
}

impl Defect {
    pub fn new(
        header: Option<Header>,
        kind: DefectKind,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            header,
            problem: ImageDefect {
                kind,
                detail: detail.into(),
            },
        }
    }
}
