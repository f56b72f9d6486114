//! What a check run needs to know, one copy of each setting.

use crate::fetch;
use crate::input::BatchLimits;
use crate::media::probe::ProbeDepth;
use crate::method::MethodChoice;
use crate::rules::RulePlan;
use crate::target::{Limits, Target};
use crate::tokens::Model;

/// What a check run needs to know: one copy of each setting.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // independent settings, each its own flag
pub struct Options {
    pub target: Target,
    /// The model tokens are counted for (`--model`; by default the target's vision model).
    pub model: Model,
    /// Whether `model` was given (`--model`), not the target's default: only a given
    /// model is checked against the file's method.
    pub model_given: bool,
    /// How deep images are probed (`--deep` decodes every pixel).
    pub depth: ProbeDepth,
    pub plan: RulePlan,
    /// Limits the configuration tightened (the platform's by default).
    pub limits: Limits,
    pub batches: BatchLimits,
    /// How image URLs are fetched, and the address policy that applies to them offline too.
    pub fetch: fetch::Config,
    /// Fetch image URLs; without, they are checked offline (syntax and literal address).
    pub online: bool,
    /// The training method (`--method`): fixed, or decided per file.
    pub method: MethodChoice,
    /// Screen images for faces (`--faces on`): data URIs on the worker pool, fetched
    /// URLs once their body is read.
    pub faces: bool,
    /// Report every info finding on its line (`--info-per-line`); by default a rule's
    /// info findings are one diagnostic per file, with the count and the first lines.
    pub info_per_line: bool,
}

impl Options {
    pub fn new(target: Target) -> Self {
        Self {
            target,
            model: target.vision_model(),
            model_given: false,
            depth: ProbeDepth::Headers,
            plan: RulePlan::all(),
            limits: Limits::default(),
            batches: BatchLimits {
                max_line_bytes: target.max_line_bytes(),
                ..BatchLimits::default()
            },
            fetch: fetch::Config::default(),
            online: false,
            method: MethodChoice::Auto,
            faces: false,
            info_per_line: false,
        }
    }
}
