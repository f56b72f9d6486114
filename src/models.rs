//! Which model takes which training method, per target: one table, with its sources
//! (`fixtures/realworld/RESEARCH.md` (e), read 2026-12-02; spec §12).
//!
//! - OpenAI SFT: every model vft knows (OAI-SFT "Use with", spec §0).
//! - OpenAI DPO: gpt-4.1, gpt-4.1-mini, gpt-4.1-nano (2025-04-14) in the current DPO guide;
//!   gpt-4o-2024-08-06 was the first DPO model in 2024 and is not listed now (UNVERIFIED).
//! - Azure DPO: gpt-4o-2024-08-06, gpt-4.1-2025-04-14, gpt-4.1-mini-2025-04-14
//!   (MicrosoftDocs/azure-ai-docs `fine-tuning-direct-preference-optimization.md`).
//! - RFT: o4-mini-2025-04-16 on both (Azure: gpt-5-2025-08-07 in private preview); no
//!   model vft knows takes it.
//!
//! - Vision SFT (which models take images): OpenAI gpt-4o-2024-08-06 only (OAI-VFT "Use
//!   with … `gpt-4o-2024-08-06`"); Azure gpt-4o 2024-08-06 and gpt-4.1 2025-04-14 (AZ-VFT
//!   "Vision fine-tuning is supported for the following models only"; AZ-MODELS lists
//!   only those two as "Text and vision to text", gpt-4o-mini, gpt-4.1-mini and
//!   gpt-4.1-nano as "Text to text"). Spec §4, §12 "Vision SFT models".

use clap::ValueEnum;

use crate::method::Method;
use crate::target::Target;
use crate::tokens::Model;

/// Why a run with RFT files shows no token cost: OpenAI prices reinforcement fine-tuning by
/// training time (OAI-PRICING, 2026: o4-mini-2025-04-16 "$100.00 / hour"), so the tokens
/// × epochs × price estimate does not apply.
pub const RFT_BILLING: &str = "no token cost: RFT is billed by training time, not per token (OpenAI: o4-mini $100 per hour of training)";

/// Whether a model can be trained with a method on a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    Yes,
    /// The platform's current docs do not list it.
    No,
    /// Sources disagree or are out of date.
    Unverified,
}

/// The model × method × target table.
pub fn supports(model: Model, method: Method, target: Target) -> Support {
    use Model::{Gpt4o, Gpt4oMini, Gpt41, Gpt41Mini, Gpt41Nano};
    match (method, target, model) {
        (Method::Sft, _, _)
        | (Method::Dpo, Target::OpenAi, Gpt41 | Gpt41Mini | Gpt41Nano)
        | (Method::Dpo, Target::Azure, Gpt4o | Gpt41 | Gpt41Mini) => Support::Yes,
        (Method::Dpo, Target::OpenAi, Gpt4o) => Support::Unverified,
        (Method::Dpo, Target::OpenAi, Gpt4oMini)
        | (Method::Dpo, Target::Azure, Gpt4oMini | Gpt41Nano)
        | (Method::Rft, _, _) => Support::No,
    }
}

/// Why `model` cannot be trained with `method` on `target`, or `None` when it can (or
/// the sources are unsure).
pub fn unsupported(model: Model, method: Method, target: Target) -> Option<String> {
    if supports(model, method, target) != Support::No {
        return None;
    }
    let takes = match method {
        Method::Rft => "o4-mini-2025-04-16".to_owned(),
        _ => Model::value_variants()
            .iter()
            .filter(|m| supports(**m, method, target) == Support::Yes)
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join(", "),
    };
    Some(format!(
        "{} cannot be fine-tuned with {} on {} (it takes: {takes})",
        model.name(),
        method.name().to_ascii_uppercase(),
        target.name()
    ))
}

/// Whether `model` can be fine-tuned with images (vision SFT) on `target`.
pub fn takes_images(model: Model, target: Target) -> bool {
    matches!(
        (target, model),
        (_, Model::Gpt4o) | (Target::Azure, Model::Gpt41)
    )
}

/// The models vft knows that take images on `target`, in table order.
pub fn image_models(target: Target) -> impl Iterator<Item = Model> {
    Model::value_variants()
        .iter()
        .copied()
        .filter(move |model| takes_images(*model, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_vision_models_take_images() {
        let names = |target| image_models(target).map(Model::name).collect::<Vec<_>>();
        assert_eq!(names(Target::OpenAi), ["gpt-4o-2024-08-06"]);
        assert_eq!(
            names(Target::Azure),
            ["gpt-4o-2024-08-06", "gpt-4.1-2025-04-14"]
        );
        // Every target's default model takes images.
        for target in [Target::OpenAi, Target::Azure] {
            assert!(takes_images(target.vision_model(), target));
        }
        assert!(!takes_images(Model::Gpt4oMini, Target::Azure));
        assert!(!takes_images(Model::Gpt41Mini, Target::OpenAi));
    }

    #[test]
    fn the_table_follows_the_docs() {
        assert_eq!(
            supports(Model::Gpt41Nano, Method::Dpo, Target::OpenAi),
            Support::Yes
        );
        assert_eq!(
            supports(Model::Gpt41Nano, Method::Dpo, Target::Azure),
            Support::No
        );
        assert_eq!(
            supports(Model::Gpt4o, Method::Dpo, Target::Azure),
            Support::Yes
        );
        assert_eq!(
            supports(Model::Gpt4o, Method::Dpo, Target::OpenAi),
            Support::Unverified
        );
        for &model in Model::value_variants() {
            assert_eq!(supports(model, Method::Sft, Target::Azure), Support::Yes);
            assert_eq!(supports(model, Method::Rft, Target::OpenAi), Support::No);
        }
    }

    #[test]
    fn unsupported_names_the_models_that_are() {
        let why = unsupported(Model::Gpt4oMini, Method::Dpo, Target::Azure).unwrap();
        assert!(
            why.contains("gpt-4o-2024-08-06, gpt-4.1-2025-04-14, gpt-4.1-mini-2025-04-14"),
            "{why}"
        );
        assert_eq!(unsupported(Model::Gpt4o, Method::Dpo, Target::OpenAi), None);
    }
}
