//! The PNG header walker on arbitrary bytes, in memory and as a lazily decoded base64
//! payload: both give the same verdict, and nothing panics.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use vft::media::bytes::ImageBytes;
use vft::media::png;

fuzz_target!(|data: &[u8]| {
    let eager = png::read(&ImageBytes::Decoded(data));
    let text = STANDARD.encode(data);
    let lazy = png::read(&ImageBytes::base64(text.as_bytes(), data.len()));
    assert_eq!(eager, lazy, "a payload reads as its bytes");
});
