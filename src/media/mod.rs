//! Image sources: data URIs and their base64 payloads.

pub mod data_uri;
