//! VFT4xx: limits on the whole file.

pub mod file_too_large;
pub mod file_too_large_for_simple_upload;
pub mod model_cannot_train_method;
pub mod too_few_examples;
pub mod too_many_image_examples;
pub mod too_many_skipped_image_examples;
pub mod wrong_file_format;
pub mod wrong_method;
