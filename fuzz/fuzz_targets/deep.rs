//! The `--deep` decoder on arbitrary bytes: memory stays within the decode budget (run
//! with `-rss_limit_mb`), and every image either decodes or gets a defect.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vft::media::probe;

fuzz_target!(|data: &[u8]| {
    let _ = probe::probe(data, probe::ProbeDepth::Pixels);
});
