//! VFT0xx: reading and parsing lines.

pub mod blank_line;
pub mod cr_line_ending;
pub mod crlf_line_ending;
pub mod duplicate_key;
pub mod example_not_object;
pub mod invalid_json;
pub mod invalid_utf8;
pub mod line_too_long;
pub mod method_mismatch;
pub mod missing_byte_order_mark;
pub mod unexpected_byte_order_mark;
