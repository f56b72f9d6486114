use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ImageView;

declare_rule! {
    /// ## What it does
    /// With `--faces on` (or `faces = "on"` in the configuration), decodes each image the
    /// platform would otherwise train (JPEG, PNG or WEBP in RGB or RGBA: data URIs on the
    /// worker pool, URL images once fetched), shrinks it to 640 px on its long side, runs a
    /// frontal face detector on it (rustface, SeetaFace's frontal cascade, embedded in the
    /// binary) and reports an image in which it finds a face: where (box, in the image's
    /// pixels) and how sure the detector is (its score; 5.0 is the lowest reported).
    ///
    /// ## Why is this bad?
    /// Both platforms screen training images and drop, without failing the job, those that
    /// show people or faces: "Images containing the following will be excluded from your
    /// dataset and not used for training: People, Faces, Children, CAPTCHAs" (OpenAI's
    /// vision fine-tuning guide); Azure's screening "uses face detection only". The example
    /// then trains without the image, or as text only; on Azure, more than 200 skipped image
    /// examples fail the whole file. This is a prediction, not the platform's own verdict:
    /// the forecast counts these skips as *probable*, apart from the certain ones.
    ///
    /// Measured on the committed labelled set (`fixtures/images/faces/`, 20 public-domain
    /// and CC0 images; `cargo test --test faces -- --nocapture`): precision 6/6 (no false
    /// alarm on photos of objects, animals, a cat, textures, text, space), recall 6/9 (the
    /// three misses: a face rotated 90°, a face half covered, a person a few pixels tall).
    /// vft cannot predict what frontal face detection does not see: people from the side or
    /// behind, small or partly hidden, children without a visible face, CAPTCHAs, or any
    /// other content policy. A grayscale or otherwise skipped image is not screened: it is
    /// skipped already.
    ///
    /// Cost: about 15–140 ms of CPU per photo (decoding, then the detector on at most
    /// 640 px), against microseconds for the header checks, which is why it is off by
    /// default (README, Performance).
    ///
    /// ## Example
    /// A portrait of a customer in a product photo set, or a screenshot with a webcam inset.
    ///
    /// ## How to fix
    /// Crop or blur the face, use another image, or drop the example; if the example must
    /// train, expect it to train without the image.
    ///
    /// ## Source
    /// Spec §9.1 (image exclusions: people, faces, children, CAPTCHAs; both targets; "a
    /// validator cannot detect people/faces/children offline": frontal faces it can, with
    /// the accuracy above) and §8 (Azure's 200-skip threshold). The detector's accuracy is vft's own measurement,
    /// above; which detector the platform runs is not published (UNVERIFIED).
    code: "VFT220",
    name: "image-shows-face",
    category: Media,
    severity: Warning,
    effect: MaySkipImage(Face),
    summary: "An image shows a face, so the platform will probably skip it",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    let Some(hit) = image.faces else { return };
    let face = hit.best;
    let others = match hit.count {
        0 | 1 => String::new(),
        2 => " and 1 more face".to_owned(),
        n => format!(" and {} more faces", n - 1),
    };
    report
        .at(
            image.pointer.clone(),
            format!(
                "image shows a face at {}×{} px from ({}, {}) (score {:.1}){others}: the platform will probably skip it",
                face.width, face.height, face.x, face.y, face.score
            ),
        )
        .help("crop or blur the face, or use another image; the example trains without it");
}
