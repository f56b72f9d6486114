use crate::models;
use crate::numbers::count;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;
use crate::target::Target;
use crate::tokens::Model;

declare_rule! {
    /// ## What it does
    /// With `--model` naming a model that cannot be fine-tuned with images on the target
    /// (gpt-4o-mini, gpt-4.1-mini or gpt-4.1-nano anywhere; gpt-4.1 on OpenAI), reports a
    /// file whose examples have images: once per file, with how many examples have images
    /// and the first one's line, naming the model and the models that take images there.
    ///
    /// ## Why is this bad?
    /// Vision fine-tuning works with few models. OpenAI: "Use with … `gpt-4o-2024-08-06`"
    /// only (OAI-VFT). Azure: "Vision fine-tuning is supported for the following models
    /// only": gpt-4o 2024-08-06 and gpt-4.1 2025-04-14, the only two its model table lists
    /// as "Text and vision to text" (gpt-4o-mini, gpt-4.1-mini, gpt-4.1-nano are "Text to
    /// text"; AZ-VFT, AZ-MODELS). A job for another model with images in its file cannot
    /// train them; the spec makes `image_url` parts with any other model an error. What
    /// the platform then does (rejects the file, or drops the images) is UNVERIFIED.
    ///
    /// ## Example
    /// `vft check --model gpt-4o-mini train.jsonl` on a file with `image_url` parts.
    ///
    /// ## How to fix
    /// Train a model that takes images (`--model gpt-4o-2024-08-06`; on Azure also
    /// `gpt-4.1-2025-04-14`), or remove the images for a text-only model.
    ///
    /// ## Source
    /// Spec §4 (vision fine-tuning model support; "`image_url` parts with any other target
    /// model = error"), §12 "Vision SFT models"; the table in `src/models.rs`.
    code: "VFT230",
    name: "image-needs-vision-model",
    category: Media,
    severity: Error,
    methods: [Sft],
    summary: "The file has images, but the chosen model cannot be fine-tuned with images",
    check: Check::File(check),
}

fn check(file: &FileFacts, report: &mut Report<'_>) {
    let Some(model) = file.model else { return };
    if file.examples_with_images == 0 || models::takes_images(model, file.target) {
        return;
    }
    let have = match file.examples_with_images {
        1 => "1 example has images".to_owned(),
        n => format!("{} have images", count(n, "example", "examples")),
    };
    let first = match (file.first_image_line, file.examples_with_images) {
        (None, _) => String::new(),
        (Some(line), 1) => format!(" (line {line})"),
        (Some(line), _) => format!(" (the first on line {line})"),
    };
    let platform = match file.target {
        Target::OpenAi => "OpenAI",
        Target::Azure => "Azure",
    };
    let takes: Vec<&str> = models::image_models(file.target).map(Model::name).collect();
    report
        .file(format!(
            "{have}{first}, but {} cannot be fine-tuned with images on {platform}; models that can: {}",
            model.name(),
            takes.join(", ")
        ))
        .help(format!(
            "train {} (`--model {}`), or remove the images to train {} on text only",
            takes.join(" or "),
            takes.first().copied().unwrap_or_default(),
            model.name()
        ));
}
