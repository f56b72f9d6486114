//! A budget of bytes for response bodies in flight, shared by every fetch thread, so the
//! memory bodies take is bounded whatever the number of threads: 64 threads reading
//! 10 MiB bodies would otherwise hold 640 MiB.
//!
//! A body reserves its declared length (or the whole read limit when the server declares
//! none) before it is read, and gives it back when it has been probed and dropped. A
//! reservation is taken whole, never piecemeal, so threads cannot each hold part of the
//! budget and wait for one another.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Instant;

use super::outcome::Failure;
use super::sync::lock;

#[derive(Debug)]
pub(crate) struct ByteBudget {
    total: u64,
    state: Mutex<Usage>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct Usage {
    used: u64,
    peak: u64,
}

/// Bytes taken from the budget until dropped.
#[derive(Debug)]
pub(crate) struct Reservation<'b> {
    budget: &'b ByteBudget,
    bytes: u64,
}

impl ByteBudget {
    /// A budget of `total` bytes; never less than `floor` (one body must always fit).
    pub(crate) fn new(total: u64, floor: u64) -> Self {
        Self {
            total: total.max(floor),
            state: Mutex::new(Usage::default()),
            freed: Condvar::new(),
        }
    }

    /// Waits until `bytes` are free and takes them; [`Failure::Timeout`] when `deadline`
    /// passes first.
    pub(crate) fn reserve(
        &self,
        bytes: u64,
        deadline: Instant,
    ) -> Result<Reservation<'_>, Failure> {
        let bytes = bytes.min(self.total);
        let mut state = lock(&self.state);
        while state.used + bytes > self.total {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::Timeout);
            }
            state = self
                .freed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.used += bytes;
        state.peak = state.peak.max(state.used);
        Ok(Reservation {
            budget: self,
            bytes,
        })
    }

    /// The most bytes reserved at once so far.
    pub(crate) fn peak(&self) -> u64 {
        lock(&self.state).peak
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        lock(&self.budget.state).used -= self.bytes;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn reservations_never_exceed_the_budget() {
        let budget = ByteBudget::new(100, 10);
        let far = Instant::now() + Duration::from_secs(30);
        std::thread::scope(|scope| {
            for _ in 0..16 {
                scope.spawn(|| {
                    let _taken = budget.reserve(30, far).unwrap();
                    std::thread::sleep(Duration::from_millis(10));
                });
            }
        });
        assert_eq!(budget.peak(), 90);
        assert_eq!(lock(&budget.state).used, 0);
        // More than the budget is clamped to it, so it still fits alone.
        assert!(budget.reserve(1_000, far).is_ok());
        assert_eq!(ByteBudget::new(1, 10).total, 10);
    }

    #[test]
    fn a_full_budget_times_out_at_the_deadline() {
        let budget = ByteBudget::new(10, 1);
        let far = Instant::now() + Duration::from_secs(30);
        let _held = budget.reserve(10, far).unwrap();
        let soon = Instant::now() + Duration::from_millis(30);
        assert_eq!(budget.reserve(1, soon).err(), Some(Failure::Timeout));
    }
}
