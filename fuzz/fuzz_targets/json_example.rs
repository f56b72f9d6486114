//! The borrowed JSON parser and the example view over it: any text either parses or is
//! rejected, and whatever parses can be viewed as an example without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vft::example::Example;
use vft::json::Document;
use vft::media::examples::probe_images;
use vft::media::probe::ProbeDepth;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = Document::parse(text) else {
        return;
    };
    let value = document.root();
    let _ = value.describe();
    if let Some(root) = value.as_object() {
        let example = Example::new(root);
        let probes = probe_images(&example, ProbeDepth::Headers);
        assert_eq!(probes.len(), example.images.len());
        let _ = example.roles().count();
    }
});
