//! Images: data URIs, their base64 payloads, and what the bytes really are.

pub mod bytes;
pub mod data_uri;
pub mod faces;
pub mod jpeg;
pub mod png;
pub mod probe;
pub mod webp;
