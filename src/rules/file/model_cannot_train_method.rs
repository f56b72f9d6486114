use crate::models;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;

use super::wrong_method::article;

declare_rule! {
    /// ## What it does
    /// Under `--method auto` (the default), where each file's method is known only from
    /// its examples, finds a file whose method the `--model` given cannot be fine-tuned
    /// with on the target: a DPO file with `--model gpt-4o-mini`, an RFT file with any
    /// model vft knows. It reports once, for the file, naming the model, the method and the
    /// models that take it. It says nothing without `--model` (the default model is only
    /// the one tokens are counted for), nor with a fixed `--method` (vft then refuses the
    /// model before reading any file).
    ///
    /// ## Why is this bad?
    /// The job cannot be created: the platform trains each method on its own models only.
    ///
    /// ## Example
    /// `vft check --model gpt-4o-mini train.jsonl` on a DPO file
    /// ```jsonl
    /// {"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [{"role": "assistant", "content": "Hello!"}], "non_preferred_output": [{"role": "assistant", "content": "What?"}]}
    /// ```
    ///
    /// ## How to fix
    /// Train the file on a model that takes its method (the message names them), or
    /// convert the file to a method the model takes.
    ///
    /// ## Source
    /// Spec §12 ("DPO models", "RFT models and limits"), as `src/models.rs` records it:
    /// OpenAI's DPO guide (developers.openai.com/api/docs/guides/direct-preference-optimization:
    /// gpt-4.1, gpt-4.1-mini, gpt-4.1-nano), Azure's
    /// (MicrosoftDocs/azure-ai-docs `fine-tuning-direct-preference-optimization.md`:
    /// gpt-4o-2024-08-06, gpt-4.1, gpt-4.1-mini) and RFT pages
    /// (`reinforcement-fine-tuning.md`: o4-mini-2025-04-16). gpt-4o-2024-08-06 for DPO on
    /// OpenAI is UNVERIFIED, so not reported.
    code: "VFT411",
    name: "model-cannot-train-method",
    category: File,
    severity: Error,
    summary: "The `--model` given cannot be fine-tuned with the file's training method",
    check: Check::File(check),
}

fn check(facts: &FileFacts, report: &mut Report<'_>) {
    // A fixed `--method` the model cannot train stops vft before any file; a file in
    // another method's format than a fixed one is `wrong-method`'s.
    let (Some(model), None) = (facts.model, facts.requested) else {
        return;
    };
    let Some(why) = models::unsupported(model, facts.method, facts.target) else {
        return;
    };
    report
        .file(format!(
            "this is {} file (`--method auto`), but {why}",
            article(facts.method)
        ))
        .help(format!(
            "train it on a model that takes {}, or convert it to a method {} takes",
            facts.method.name().to_ascii_uppercase(),
            model.name()
        ));
}
