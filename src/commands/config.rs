//! `vft config`: the effective configuration, each value with its origin.

use std::io::{self, Write};

use crate::cli::{ColorChoice, ConfigCommandArgs};
use crate::config::Settings;
use crate::exit::ExitStatus;

use super::{config_error, discovery_start};

pub fn run(args: &ConfigCommandArgs) -> io::Result<ExitStatus> {
    let start = discovery_start(args.file.as_deref());
    match Settings::load(&start, &args.config.overrides()) {
        Ok(settings) => {
            let mut out = io::stdout().lock();
            out.write_all(settings.describe().as_bytes())?;
            out.flush()?;
            Ok(ExitStatus::Success)
        }
        Err(error) => {
            config_error(&error, ColorChoice::Auto);
            Ok(ExitStatus::Error)
        }
    }
}
