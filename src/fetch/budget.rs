//! A budget of bytes for response bodies in flight, shared by every fetch thread, so the
//! memory bodies take is bounded whatever the number of threads: 64 threads reading
//! 10 MiB bodies would otherwise hold 640 MiB.
//!
//! A body reserves its declared length (or the whole read limit when the server declares
//! none) before it is read, and gives it back when it has been probed and dropped. A
//! reservation is taken whole, never piecemeal, so threads cannot each hold part of the
//! budget and wait for one another.
//!
//! Bodies kept for their bytes (`vft fix --inline-urls`) are held until the worker that
//! embeds them drops them, so the budget could fill with bodies of lines no worker has
//! reached while every worker waits for a body that cannot be read. They take their share
//! *in turn*: each has a ticket, numbered in the order of the lines, and only the lowest
//! ticket still waiting may take the last [`floor`](ByteBudget::new) bytes. The line the
//! workers need first can then always be read, so the run never waits for ever.

use std::collections::BTreeSet;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::outcome::Failure;
use super::sync::lock;

#[derive(Debug)]
pub(crate) struct ByteBudget {
    total: u64,
    /// Kept free for the lowest waiting ticket while any ticket waits.
    floor: u64,
    state: Mutex<Usage>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct Usage {
    used: u64,
    peak: u64,
    /// Tickets of bodies to keep that have not taken their share yet.
    waiting: BTreeSet<u64>,
    /// The run is over: nothing more is reserved.
    closed: bool,
}

/// Bytes taken from the budget until dropped.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Arc<ByteBudget>,
    bytes: u64,
}

/// How long a wait without a deadline sleeps before it looks again (the budget may have
/// been closed by then).
const IDLE_WAIT: Duration = Duration::from_millis(200);

impl ByteBudget {
    /// A budget of `total` bytes; never less than `floor` (one body must always fit).
    pub(crate) fn new(total: u64, floor: u64) -> Self {
        Self {
            total: total.max(floor),
            floor,
            state: Mutex::new(Usage::default()),
            freed: Condvar::new(),
        }
    }

    /// Waits until `bytes` are free and takes them; [`Failure::Timeout`] when `deadline`
    /// passes first.
    pub(crate) fn reserve(
        self: &Arc<Self>,
        bytes: u64,
        deadline: Instant,
    ) -> Result<Reservation, Failure> {
        self.take(bytes, None, Some(deadline))
    }

    /// Queues `ticket`: a body to keep, whose share [`reserve_in_turn`](Self::reserve_in_turn)
    /// takes later. Tickets are queued in the order their bodies will be used.
    pub(crate) fn enqueue(&self, ticket: u64) {
        lock(&self.state).waiting.insert(ticket);
    }

    /// Takes `bytes` for the body of `ticket` (queued first), in turn: while a lower ticket
    /// waits, the last `floor` bytes are kept for it. [`Failure::Timeout`] when `deadline`
    /// passes first; without one it waits as long as the budget is open.
    pub(crate) fn reserve_in_turn(
        self: &Arc<Self>,
        bytes: u64,
        ticket: u64,
        deadline: Option<Instant>,
    ) -> Result<Reservation, Failure> {
        let taken = self.take(bytes, Some(ticket), deadline);
        if taken.is_err() {
            self.forget(ticket);
        }
        taken
    }

    /// Dequeues `ticket` without a reservation (its fetch ended before its body).
    pub(crate) fn forget(&self, ticket: u64) {
        if lock(&self.state).waiting.remove(&ticket) {
            self.freed.notify_all();
        }
    }

    /// Ends the run: waiting reservations fail at once, and no more are made.
    pub(crate) fn close(&self) {
        lock(&self.state).closed = true;
        self.freed.notify_all();
    }

    fn take(
        self: &Arc<Self>,
        bytes: u64,
        ticket: Option<u64>,
        deadline: Option<Instant>,
    ) -> Result<Reservation, Failure> {
        let bytes = bytes.min(self.total);
        let mut state = lock(&self.state);
        loop {
            if state.closed {
                return Err(Failure::Connect("the run ended first".to_owned()));
            }
            // Past this, only the lowest waiting ticket may go.
            let first = state.waiting.first().copied();
            let limit = if first.is_none() || first == ticket {
                self.total
            } else {
                self.total - self.floor
            };
            if state.used + bytes <= limit {
                break;
            }
            let wait = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Failure::Timeout);
                    }
                    left
                }
                None => IDLE_WAIT,
            };
            state = self
                .freed
                .wait_timeout(state, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.used += bytes;
        state.peak = state.peak.max(state.used);
        if let Some(ticket) = ticket {
            state.waiting.remove(&ticket);
        }
        drop(state);
        if ticket.is_some() {
            // The next ticket may now go first.
            self.freed.notify_all();
        }
        Ok(Reservation {
            budget: Arc::clone(self),
            bytes,
        })
    }

    /// The most bytes reserved at once so far.
    pub(crate) fn peak(&self) -> u64 {
        lock(&self.state).peak
    }
}

impl Reservation {
    /// Gives back what is over `bytes` (a body smaller than was reserved for it).
    pub(crate) fn shrink_to(&mut self, bytes: u64) {
        if bytes < self.bytes {
            lock(&self.budget.state).used -= self.bytes - bytes;
            self.bytes = bytes;
            self.budget.freed.notify_all();
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        lock(&self.budget.state).used -= self.bytes;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_never_exceed_the_budget() {
        let budget = Arc::new(ByteBudget::new(100, 10));
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
        let budget = Arc::new(ByteBudget::new(10, 1));
        let far = Instant::now() + Duration::from_secs(30);
        let _held = budget.reserve(10, far).unwrap();
        let soon = Instant::now() + Duration::from_millis(30);
        assert_eq!(budget.reserve(1, soon).err(), Some(Failure::Timeout));
    }

    #[test]
    fn the_last_share_is_kept_for_the_lowest_waiting_ticket() {
        let budget = Arc::new(ByteBudget::new(30, 10));
        for ticket in 0..4 {
            budget.enqueue(ticket);
        }
        let soon = || Some(Instant::now() + Duration::from_millis(30));
        // Tickets 1 and 2 fill all but the floor; 3 may not take it while 0 waits.
        let one = budget.reserve_in_turn(10, 1, soon()).unwrap();
        let _two = budget.reserve_in_turn(10, 2, soon()).unwrap();
        assert_eq!(
            budget.reserve_in_turn(10, 3, soon()).err(),
            Some(Failure::Timeout)
        );
        // A ticket that gave up is no longer waited for.
        assert!(!lock(&budget.state).waiting.contains(&3));
        // The lowest takes the floor.
        let zero = budget.reserve_in_turn(10, 0, soon()).unwrap();
        assert_eq!(budget.peak(), 30);
        drop((zero, one));
        // Shrinking gives the rest back.
        budget.enqueue(4);
        let mut four = budget.reserve_in_turn(20, 4, soon()).unwrap();
        four.shrink_to(5);
        assert_eq!(lock(&budget.state).used, 15);
    }

    #[test]
    fn closing_ends_waits_without_a_deadline() {
        let budget = Arc::new(ByteBudget::new(10, 10));
        let _held = budget.reserve(10, Instant::now() + Duration::from_secs(30));
        budget.enqueue(7);
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| budget.reserve_in_turn(10, 7, None));
            std::thread::sleep(Duration::from_millis(50));
            budget.close();
            assert!(waiter.join().unwrap().is_err());
        });
        assert!(lock(&budget.state).waiting.is_empty());
    }
}
