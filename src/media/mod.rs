//! Images: data URIs, their base64 payloads, and what the bytes really are.

pub mod budget;
pub mod bytes;
pub mod data_uri;
pub mod examples;
pub mod faces;
pub mod header;
pub mod jpeg;
pub mod png;
pub mod png_chunks;
pub mod probe;
pub mod webp;
