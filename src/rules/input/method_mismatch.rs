use crate::input::JsonPointer;
use crate::method::Family;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

declare_rule! {
    /// ## What it does
    /// Finds a line in another training method's format than its file: a chat line
    /// (`messages`) in a DPO file, a DPO line (`input`, `preferred_output`,
    /// `non_preferred_output`) in an SFT or RFT file. The file's method is `--method`, or
    /// with `--method auto` (the default) the one its first example's shape says. The
    /// line gets no other finding: the method's rules would only repeat this one.
    ///
    /// ## Why is this bad?
    /// A fine-tuning job trains one method, and the platform validates every line against
    /// that method's format: "Input file … is in the fine-tune-chat format, but the
    /// specified fine-tuning job is not using 'supervised' as the training method
    /// (provided method=dpo)".
    ///
    /// ## Example
    /// ```jsonl
    /// {"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [{"role": "assistant", "content": "Hello!"}], "non_preferred_output": [{"role": "assistant", "content": "What?"}]}
    /// {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
    /// ```
    ///
    /// ## How to fix
    /// Keep one method per file: move the line to a file of its method, or convert it.
    ///
    /// ## Source
    /// Spec §12 ("Mixed formats"; DPO and RFT formats); `src/method.rs` says how the
    /// method is decided.
    code: "VFT010",
    name: "method-mismatch",
    category: Input,
    severity: Error,
    summary: "A line is in another training method's format than its file",
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    let LineEvent::WrongMethod { line, file } = *event else {
        return;
    };
    let help = match Family::of(file) {
        Family::Preference => {
            "a DPO file holds only `{\"input\": …, \"preferred_output\": […], \"non_preferred_output\": […]}` lines: move this line to a file of its own method"
        }
        Family::Chat => {
            "this file's lines are `{\"messages\": […]}` examples: move this DPO line to a DPO file"
        }
    };
    report
        .at(
            JsonPointer::root(),
            format!(
                "line is in {}, but the file is {} (decided from its first example, or `--method`)",
                line.format_name(),
                file.name().to_ascii_uppercase()
            ),
        )
        .help(help);
}
