//! Exit statuses, as ruff and most linters use them.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: no finding at error severity.
    Success,
    /// 1: at least one error-severity finding.
    Failure,
    /// 2: vft could not do its job (unreadable input, bad arguments, unknown rule).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}
