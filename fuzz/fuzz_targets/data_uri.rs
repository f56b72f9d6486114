//! Data URIs and their base64 payloads: the validator's length is the decoder's, and the
//! lazy reader returns exactly the decoded bytes for any range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vft::media::bytes::ImageBytes;
use vft::media::data_uri;

fuzz_target!(|input: (String, u16, u16)| {
    let (url, a, b) = input;
    let url = format!("data:{url}");
    let Ok(uri) = data_uri::parse(&url) else {
        return;
    };
    assert_eq!(&url[uri.payload_offset..], uri.payload);
    let payload = uri.payload.as_bytes();
    let validated = data_uri::validate_base64(payload);
    let decoded = data_uri::decode_base64(payload);
    let Ok(len) = validated else {
        return;
    };
    let decoded = decoded.expect("a payload the validator accepts decodes");
    assert_eq!(
        decoded.len() as u64,
        len,
        "validated length is the decoded length"
    );
    let lazy = ImageBytes::base64(payload, decoded.len());
    let eager = ImageBytes::Decoded(&decoded);
    let (start, end) = (usize::from(a.min(b)), usize::from(a.max(b)));
    assert_eq!(lazy.read(start..end), eager.read(start..end));
    assert_eq!(lazy.all().as_deref(), Some(&decoded[..]));
});
