use crate::diagnostic::FixAction;
use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

declare_rule! {
    /// ## What it does
    /// Finds empty lines and lines holding only whitespace. The final newline of the file
    /// is not a blank line.
    ///
    /// ## Why is this bad?
    /// JSON Lines has no blank lines: every line must be one complete JSON object. No source
    /// says the platform skips them, so vft treats them as the parse error they are to a
    /// strict reader.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [...]}
    ///
    /// {"messages": [...]}
    /// ```
    ///
    /// ## How to fix
    /// Delete the blank lines, e.g. `grep -v '^[[:space:]]*$' in.jsonl > out.jsonl`.
    ///
    /// ## Fix
    /// Safe: `vft fix` leaves blank lines out.
    ///
    /// ## Source
    /// Spec §1 F1 and F8 (F8 is UNVERIFIED: "error on empty non-final lines").
    code: "VFT004",
    name: "blank-line",
    category: Input,
    severity: Error,
    fix: Safe,
    summary: "A line is empty or only whitespace",
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    let LineEvent::Blank { lines } = *event else {
        return;
    };
    // A run of empty lines is one finding however long: a flood of newlines costs one.
    if lines > 1 {
        report
            .line(format!("{} blank lines from here on", thousands(lines)))
            .help("delete them: every line must hold one JSON object")
            .fix(FixAction::DropLine);
    } else {
        report
            .line("blank line")
            .help("delete it: every line must hold one JSON object")
            .fix(FixAction::DropLine);
    }
}
