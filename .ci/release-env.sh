# Sourced by tests/pre-commit.sh and .ci/python: the release build CI makes once and both
# reuse (same target directory, same settings). Its binary is only exercised on small
# files, so it is built for build time, not speed: no LTO, 16 codegen units, no debug info,
# opt-level 1 (opt-level 3 compiled the dependencies for minutes longer). Users' builds
# (`cargo install`, `pip install .`) use Cargo.toml's profiles.
export CARGO_TARGET_DIR="${VFT_RELEASE_TARGET_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/pre-commit}"
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
