//! What fetching one URL gives: a body, a failure, or "not verified". Plain data, shared by
//! the client, the cache and the engine.

use std::fmt;

use crate::media::faces::FaceHit;
use crate::media::probe::Probe;
use crate::target::limits::MAX_IMAGE_BYTES;

use super::guard::NotPublic;

/// Bytes read of a body at most: one more than the image limit, to tell "at the limit"
/// from "over it".
pub const READ_LIMIT: u64 = MAX_IMAGE_BYTES + 1;

/// What fetching one URL gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A successful response; its body was read, whole or up to [`READ_LIMIT`].
    Body(Body),
    Failed(Failure),
    /// Not fetched: the URL was not checked, as under `--offline`; not the URL's fault.
    NotVerified(Unverified),
}

/// Why a URL was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unverified {
    /// The network is unreachable ([`Fetcher::network`] says why).
    NoNetwork,
    /// The file's [`Config::budget`] ran out first.
    Budget,
}

/// A successful response.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The body's length; with `at_least`, only a lower bound (the read stopped).
    pub len: u64,
    pub at_least: bool,
    /// The `Content-Type` header's media type, without parameters.
    pub content_type: Option<String>,
    /// What the bytes are; `None` when the body is over the limit and was not read whole.
    pub probe: Option<Probe>,
    /// Whether the body was screened for faces ([`Config::faces`](super::Config)).
    pub screened: bool,
    /// The faces screening found; `None` when none were (or it did not run).
    pub faces: Option<FaceHit>,
}

/// Why a URL gave no image: each is a reason the platform's fetcher fails as well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The URL does not parse.
    InvalidUrl(String),
    /// A redirect to a scheme other than http(s).
    Scheme(String),
    NotPublic(NotPublic),
    /// The host name does not resolve.
    Dns(String),
    /// Nothing listens at the address.
    Refused,
    Tls(String),
    /// No connection within the connect timeout.
    ConnectTimeout,
    /// The request (connected) did not end within the timeout.
    Timeout,
    /// Another connection failure.
    Connect(String),
    /// An error status, after retries for 429 and 5xx.
    Status(u16),
    TooManyRedirects(usize),
    RedirectLoop,
    /// The connection broke while reading the response.
    Read(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::InvalidUrl(why) => write!(f, "is not a valid URL: {why}"),
            Failure::Scheme(scheme) => write!(f, "redirects to a `{scheme}:` URL, not http(s)"),
            Failure::NotPublic(refusal) => write!(f, "is not publicly accessible: {refusal}"),
            Failure::Dns(host) => write!(f, "cannot be fetched: host `{host}` does not resolve"),
            Failure::Refused => f.write_str("cannot be fetched: the connection was refused"),
            Failure::Tls(why) => write!(f, "cannot be fetched: TLS error: {why}"),
            Failure::ConnectTimeout => f.write_str("cannot be fetched: connecting timed out"),
            Failure::Timeout => f.write_str("cannot be fetched: the request timed out"),
            Failure::Connect(why) => write!(f, "cannot be fetched: {why}"),
            Failure::Status(code) => {
                let reason = reqwest::StatusCode::from_u16(*code)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default();
                write!(f, "returns HTTP {code}{reason}")
            }
            Failure::TooManyRedirects(n) => write!(f, "redirects more than {n} times"),
            Failure::RedirectLoop => f.write_str("redirects in a loop"),
            Failure::Read(why) => {
                write!(f, "cannot be fetched: reading the response failed: {why}")
            }
        }
    }
}
