//! The configuration parser and the merge with the command line on arbitrary text, as
//! `vft.toml` and as `pyproject.toml`: an error is rendered, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vft::config::{ConfigFile, Overrides, Settings};

fuzz_target!(|input: (String, bool)| {
    let (text, pyproject) = input;
    let name = if pyproject {
        "pyproject.toml"
    } else {
        "vft.toml"
    };
    match ConfigFile::parse(Path::new(name), text) {
        Ok(file) => match Settings::resolve(file.as_ref(), &Overrides::default()) {
            Ok(settings) => drop(settings.describe()),
            Err(error) => drop(error.render(false)),
        },
        Err(error) => drop(error.render(false)),
    }
});
