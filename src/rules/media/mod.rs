//! VFT2xx: images and their sources.

pub mod animated_image;
pub mod corrupt_image;
pub mod image_count_disputed;
pub mod image_in_text_only_method;
pub mod image_mime_mismatch;
pub mod image_needs_vision_model;
pub mod image_outside_user_message;
pub mod image_shows_face;
pub mod image_size_ambiguous;
pub mod image_too_large;
pub mod image_too_many_pixels;
pub mod inaccessible_image_url;
pub mod invalid_base64;
pub mod invalid_image_detail;
pub mod malformed_data_uri;
pub mod private_image_url;
pub mod too_many_images;
pub mod unsupported_color_mode;
pub mod unsupported_image_format;
pub mod unsupported_image_url;
pub mod unverified_image_urls;
