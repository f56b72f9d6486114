# Sourced by tests/pre-commit.sh and .ci/python: the settings of the release builds CI makes
# for the Rust hook and the wheel (one target directory, so a second run is incremental).
# Their binaries only check a few small files, so they are built for build time, not speed:
# opt-level 0, no LTO, 16 codegen units, no debug info. The hook's `cargo install` took
# 293 s at opt-level 1 and 100 s at opt-level 0 (cold, 2 cores). Users' builds (`cargo
# install`, `pip install .`) use Cargo.toml's profiles.
export CARGO_TARGET_DIR="${VFT_RELEASE_TARGET_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/pre-commit}"
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
