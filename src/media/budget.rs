//! One budget of bytes for decoding pixels (`--deep`), shared by every thread.
//!
//! A decode first takes a [`Permit`] for the memory it will need and returns it when the
//! permit drops; while the budget is spent, other decodes wait. A decode that needs more
//! than the whole budget is never started: the caller reports the image as too large to
//! decode. So however many threads run, decoding holds at most the budget (plus what each
//! thread's estimate leaves out: a decoder's fixed-size tables, a few KB).

use std::sync::{Condvar, Mutex, OnceLock, PoisonError};

/// The default budget: enough for any image the platform accepts to be decoded one at a
/// time (a 10 MB JPEG of 89 M pixels needs about 270 MB), small enough that `--deep` on a
/// hostile file stays under half a gigabyte.
pub const DEFAULT_DECODE_BUDGET: u64 = 384 << 20;

/// A counting semaphore of bytes.
#[derive(Debug)]
pub struct Budget {
    capacity: u64,
    available: Mutex<u64>,
    returned: Condvar,
}

/// Bytes taken from a [`Budget`]; dropping the permit gives them back.
#[derive(Debug)]
pub struct Permit<'a> {
    budget: &'a Budget,
    bytes: u64,
}

/// A request for more bytes than the whole budget holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    pub needed: u64,
    pub capacity: u64,
}

impl Budget {
    pub const fn new(capacity: u64) -> Self {
        Self {
            capacity,
            available: Mutex::new(capacity),
            returned: Condvar::new(),
        }
    }

    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Takes `bytes`, waiting until that many are free; fails at once when `bytes` is more
    /// than the whole budget (waiting would never end).
    pub fn acquire(&self, bytes: u64) -> Result<Permit<'_>, OverBudget> {
        if bytes > self.capacity {
            return Err(OverBudget {
                needed: bytes,
                capacity: self.capacity,
            });
        }
        // A poisoned lock only means a thread panicked holding it; the count is still right
        // (it is updated in one statement).
        let mut available = self
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *available < bytes {
            available = self
                .returned
                .wait(available)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *available -= bytes;
        Ok(Permit {
            budget: self,
            bytes,
        })
    }

    /// Bytes not held by any permit now.
    pub fn available(&self) -> u64 {
        *self
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Permit<'_> {
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut available = self
            .budget
            .available
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *available += self.bytes;
        drop(available);
        self.budget.returned.notify_all();
    }
}

static DECODE_BUDGET: OnceLock<Budget> = OnceLock::new();

/// Sets the size of the process's decode budget; only the first call, before any decode,
/// counts. Returns whether this call set it.
pub fn set_decode_budget(bytes: u64) -> bool {
    DECODE_BUDGET.set(Budget::new(bytes)).is_ok()
}

/// The process's decode budget ([`DEFAULT_DECODE_BUDGET`] unless [`set_decode_budget`]).
pub fn decode_budget() -> &'static Budget {
    DECODE_BUDGET.get_or_init(|| Budget::new(DEFAULT_DECODE_BUDGET))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::thread;
    use std::time::Duration;

    use super::*;

    #[test]
    fn permits_return_their_bytes_when_dropped() {
        let budget = Budget::new(100);
        let a = budget.acquire(60).unwrap();
        assert_eq!(budget.available(), 40);
        let b = budget.acquire(40).unwrap();
        assert_eq!((a.bytes(), b.bytes(), budget.available()), (60, 40, 0));
        drop(a);
        drop(b);
        assert_eq!(budget.available(), 100);
    }

    #[test]
    fn a_request_over_the_whole_budget_fails_instead_of_waiting() {
        let budget = Budget::new(100);
        let _held = budget.acquire(100).unwrap();
        assert_eq!(
            budget.acquire(101).unwrap_err(),
            OverBudget {
                needed: 101,
                capacity: 100
            }
        );
    }

    #[test]
    fn threads_never_hold_more_than_the_budget_together() {
        let budget = Arc::new(Budget::new(100));
        let held = Arc::new(AtomicU64::new(0));
        let peak = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8u64)
            .map(|i| {
                let (budget, held, peak) = (budget.clone(), held.clone(), peak.clone());
                thread::spawn(move || {
                    for _ in 0..20 {
                        let bytes = 30 + i * 5;
                        let permit = budget.acquire(bytes).unwrap();
                        let now = held.fetch_add(bytes, Ordering::SeqCst) + bytes;
                        peak.fetch_max(now, Ordering::SeqCst);
                        thread::sleep(Duration::from_micros(200));
                        held.fetch_sub(bytes, Ordering::SeqCst);
                        drop(permit);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!((30..=100).contains(&peak), "peak {peak}");
        assert_eq!(budget.available(), 100);
    }
}
