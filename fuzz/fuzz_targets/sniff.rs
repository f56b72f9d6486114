//! Format sniffing and header probing for every format (GIF, BMP, TIFF, … are sniffed
//! only) on arbitrary bytes, without decoding pixels.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vft::media::probe::{self, Format};

fuzz_target!(|data: &[u8]| {
    let probe = probe::probe(data, probe::ProbeDepth::Headers);
    assert_eq!(probe.format, Format::sniff(&data[..data.len().min(4096)]));
    if let Some(format) = probe.format {
        assert_eq!(Format::from_name(format.name()), Some(format));
    }
});
