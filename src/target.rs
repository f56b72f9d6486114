//! Per-platform profiles. Where the spec's sources disagree, the rule asks the profile,
//! and the rule's docs say which source each profile follows.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// The platform the file will be uploaded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// OpenAI fine-tuning API.
    #[default]
    #[value(name = "openai")]
    OpenAi,
    /// Azure OpenAI (AI Foundry) fine-tuning.
    Azure,
}

const MB: u64 = 1_000_000;

/// Base64 characters of the largest image the platform accepts (10 MiB, spec §3.2): 4 per
/// 3 bytes, rounded up, and a `/` (1 character in 64) may be written `\/` in JSON.
const MAX_IMAGE_BASE64: u64 = limits::MAX_IMAGE_BYTES.div_ceil(3) * 4 * 65 / 64;
/// The data URI's prefix (`data:image/jpeg;base64,`) and the JSON of an image part.
const IMAGE_PART_OVERHEAD: u64 = 256;
/// Text and structure of one example, beyond its images: 64 MiB, a thousand times a
/// maximal example (65,536 tokens of a few bytes each, even written as `\uXXXX`); text past
/// the token limit is truncated by the platform, so no valid example needs more.
const TEXT_ALLOWANCE: u64 = 64 << 20;

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::OpenAi => "openai",
            Target::Azure => "azure",
        }
    }

    /// The model vision fine-tuning uses by default: gpt-4o-2024-08-06, the only vision
    /// model on OpenAI and one of two on Azure (spec §4).
    pub fn vision_model(self) -> crate::tokens::Model {
        crate::tokens::Model::Gpt4o
    }

    /// Images allowed in one example (spec §3.2: OAI-VFT 10, AZ-VFT table 64).
    pub fn max_images_per_example(self) -> usize {
        match self {
            Target::OpenAi => 10,
            Target::Azure => 64,
        }
    }

    /// The largest file the platform accepts at all (spec §1 F4/F5): OpenAI's Uploads API
    /// takes 8 GB; Azure's API takes files under 512 MB.
    pub fn max_file_bytes(self) -> u64 {
        match self {
            Target::OpenAi => 8_000 * MB,
            Target::Azure => 512 * MB,
        }
    }

    /// The longest line a valid example for this target can be: its maximum of images, each as
    /// large as allowed and base64-encoded, plus [`TEXT_ALLOWANCE`], and never more than the
    /// largest file the platform accepts. OpenAI: 10 images, 209,106,114 bytes; Azure: the
    /// 512 MB file limit (64 images would be 976 MB).
    pub fn max_line_bytes(self) -> u64 {
        let images = self.max_images_per_example() as u64;
        (images * (MAX_IMAGE_BASE64 + IMAGE_PART_OVERHEAD) + TEXT_ALLOWANCE)
            .min(self.max_file_bytes())
    }

    /// Above this, the simple upload path refuses the file (spec §1 F4/F5): OpenAI's
    /// Files API stops at 512 MB, the Azure Foundry portal at 200 MB.
    pub fn simple_upload_bytes(self) -> u64 {
        match self {
            Target::OpenAi => 512 * MB,
            Target::Azure => 200 * MB,
        }
    }

    /// Where the simple limit applies, for messages.
    pub fn simple_upload_path(self) -> &'static str {
        match self {
            Target::OpenAi => "the Files API (512 MB)",
            Target::Azure => "the Foundry portal (200 MB)",
        }
    }

    /// Where files above the simple limit can still go, for help texts.
    pub fn large_upload_path(self) -> &'static str {
        match self {
            Target::OpenAi => "upload it in parts with the Uploads API (up to 8 GB)",
            Target::Azure => "upload it through the REST API (under 512 MB)",
        }
    }
}

/// Limits the user tightened (`[limits]` in the configuration); `None` keeps the
/// platform's. The accessors give the effective limit: the stricter of the two.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub max_images_per_example: Option<usize>,
    pub max_image_bytes: Option<u64>,
    pub min_examples: Option<u64>,
}

impl Limits {
    pub fn max_images_per_example(&self, target: Target) -> usize {
        let platform = target.max_images_per_example();
        self.max_images_per_example
            .map_or(platform, |n| n.min(platform))
    }

    pub fn max_image_bytes(&self) -> u64 {
        self.max_image_bytes
            .map_or(limits::MAX_IMAGE_BYTES, |n| n.min(limits::MAX_IMAGE_BYTES))
    }

    pub fn min_examples(&self) -> u64 {
        self.min_examples
            .map_or(limits::MIN_EXAMPLES, |n| n.max(limits::MIN_EXAMPLES))
    }
}

/// Limits that hold on every target.
pub mod limits {
    /// Minimum examples per file (spec §1 F3).
    pub const MIN_EXAMPLES: u64 = 10;
    /// Maximum examples containing images per file (spec §3.2).
    pub const MAX_IMAGE_EXAMPLES: u64 = 50_000;
    /// The per-image limit, read as 10 MiB: the larger reading of "10 MB", so vft never
    /// calls an image too large that the platform may accept (spec §3.2, §10.10).
    pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;
    /// The smaller reading of "10 MB"; images between the two get a warning.
    pub const MAX_IMAGE_BYTES_DECIMAL: u64 = 10_000_000;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_bound_follows_the_target() {
        assert_eq!(Target::OpenAi.max_line_bytes(), 209_106_114);
        assert_eq!(
            Target::Azure.max_line_bytes(),
            Target::Azure.max_file_bytes()
        );
        assert!(crate::input::reader::DEFAULT_MAX_LINE_BYTES >= Target::Azure.max_line_bytes());
    }
}
