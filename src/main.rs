use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    vft::run(vft::cli::Cli::parse()).into()
}
