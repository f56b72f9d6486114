//! What fetching one URL for its bytes gives (`vft fix --inline-urls`): the bytes, holding
//! their share of the byte budget, or the outcome that says why there are none.

use super::body_buffer::BodyBuffer;
use super::budget::Reservation;
#[cfg(doc)]
use super::outcome::READ_LIMIT;
use super::outcome::{Body, Outcome};

/// What fetching one URL for its bytes gave ([`Fetcher::submit_bytes`](super::Fetcher::submit_bytes)).
#[derive(Debug)]
pub enum Download {
    /// A body read whole, under [`READ_LIMIT`](super::READ_LIMIT).
    Bytes(Fetched),
    /// Anything else: a failure, not fetched, or a body over the limit (not read whole).
    Outcome(Outcome),
}

/// A body kept whole. Its bytes count against the fetcher's byte budget until this is
/// dropped, so the bodies held at once stay within [`Config::body_bytes`](super::Config::body_bytes).
#[derive(Debug)]
pub struct Fetched {
    pub body: Body,
    /// In its own mapping, unmapped when dropped (see `body_buffer`).
    pub(super) bytes: BodyBuffer,
    pub(super) _held: Reservation,
}

impl Fetched {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}
