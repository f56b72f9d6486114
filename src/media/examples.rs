//! Probing the images an example carries in its line (valid data URIs).

use rayon::prelude::*;

use crate::example::{Example, ImagePart, ImageSource};
use crate::media::bytes::ImageBytes;
use crate::media::probe::{self, Probe, ProbeDepth};

/// Probes each image of `example` whose bytes are in the line (valid data URIs), in
/// parallel when there are several; `None` for the others.
pub fn probe_images(example: &Example<'_>, depth: ProbeDepth) -> Vec<Option<Probe>> {
    let probe_one = |image: &ImagePart<'_>| {
        let ImageSource::Data {
            uri,
            base64: Ok(len),
        } = &image.source
        else {
            return None;
        };
        // A decoded length that does not fit in memory cannot be probed; it is far over
        // the size limit anyway.
        let len = usize::try_from(*len).ok()?;
        let bytes = ImageBytes::base64(uri.payload.as_bytes(), len);
        Some(probe::probe_image(&bytes, depth))
    };
    if example.images.len() > 1 {
        example.images.par_iter().map(probe_one).collect()
    } else {
        example.images.iter().map(probe_one).collect()
    }
}
