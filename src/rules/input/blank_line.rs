use crate::rules::{Check, Finding, Position, RulePlan, declare_rule};

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
    /// ## Source
    /// Spec §1 F1 and F8 (F8 is UNVERIFIED: "error on empty non-final lines").
    code: "VFT004",
    name: "blank-line",
    category: Input,
    severity: Error,
    summary: "A line is empty or only whitespace",
    check: Check::Line,
}

/// A blank line, or a run of `lines` empty lines from this one on (one finding however
/// long the run: a flood of newlines costs one diagnostic).
pub fn finding(plan: &RulePlan, lines: u64) -> Option<Finding> {
    let message = if lines > 1 {
        format!(
            "{} blank lines from here on",
            crate::numbers::thousands(lines)
        )
    } else {
        "blank line".to_owned()
    };
    let mut finding = plan.finding(&RULE, message, Position::Line)?;
    finding.help(if lines > 1 {
        "delete them: every line must hold one JSON object"
    } else {
        "delete it: every line must hold one JSON object"
    });
    Some(finding)
}
