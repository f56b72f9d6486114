use crate::example::ImageSource;
use crate::media::data_uri::Base64Error;
use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Checks that a data URI's payload is strict standard base64: only `A–Z a–z 0–9 + /`,
    /// `=` padding only at the end, a length that is a multiple of 4. The message gives the
    /// position of the first bad character in the payload.
    ///
    /// ## Why is this bad?
    /// An image whose payload cannot be decoded is skipped ("invalid image format"). Common
    /// causes: URL-safe base64 (`-`, `_`), line breaks from `base64` without `-w 0`, a
    /// payload cut short.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO-w0KGgo"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Encode with standard base64 and no line breaks: `base64.b64encode(data).decode()`,
    /// or `base64 -w 0 image.png`.
    ///
    /// ## Source
    /// Spec §3.2 and §11 ("malformed base64 | error").
    code: "VFT205",
    name: "invalid-base64",
    category: Media,
    severity: Error,
    summary: "A data URI's payload is not valid base64",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for image in &example.images {
        let ImageSource::Data {
            uri,
            base64: Err(error),
        } = &image.source
        else {
            continue;
        };
        let (message, help) = match *error {
            Base64Error::InvalidByte { offset, byte } => {
                let shown = uri.payload[offset..]
                    .chars()
                    .next()
                    .map_or_else(String::new, |c| c.escape_debug().to_string());
                let help = match byte {
                    b'-' | b'_' => {
                        "this is URL-safe base64: encode with the standard alphabet (`base64.b64encode`)"
                    }
                    b'\n' | b'\r' | b' ' => {
                        "remove line breaks and spaces from the payload (`base64 -w 0`)"
                    }
                    _ => "encode the image with standard base64: `base64.b64encode(data).decode()`",
                };
                (
                    format!(
                        "invalid base64: character `{shown}` at position {} of the payload",
                        thousands(offset as u64 + 1)
                    ),
                    help,
                )
            }
            Base64Error::BadLength { len } => (
                format!(
                    "invalid base64: payload length {} is not a multiple of 4",
                    thousands(len as u64)
                ),
                "the payload is cut short or lacks its `=` padding: re-encode the image",
            ),
            Base64Error::MisplacedPadding { offset } => (
                format!(
                    "invalid base64: `=` padding at position {} of the payload, before its end",
                    thousands(offset as u64 + 1)
                ),
                "two payloads may have been joined: re-encode the image",
            ),
        };
        report.at(image.url_pointer(), message).help(help);
    }
}
