//! `vft rule CODE|NAME`: one rule's documentation.

use std::io::{self, Write};

use crate::exit::ExitStatus;
use crate::rules;

use super::tool_error;

pub fn run(code_or_name: &str) -> io::Result<ExitStatus> {
    let Some(rule) = rules::find(code_or_name) else {
        tool_error(&format!("no rule `{code_or_name}`; `vft rules` lists them"));
        return Ok(ExitStatus::Error);
    };
    let mut out = io::stdout().lock();
    writeln!(out, "# {} {}\n", rule.code, rule.name)?;
    writeln!(out, "{}\n", rule.summary)?;
    writeln!(
        out,
        "Default severity: {}. Category: {}.\n",
        rule.default_severity,
        rule.category.as_str()
    )?;
    write!(out, "{}", rule.documentation())?;
    out.flush()?;
    Ok(ExitStatus::Success)
}
