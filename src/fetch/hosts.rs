//! What the fetcher learns about each host during a run, and from it about the network.
//!
//! - **Concurrency**: at most `per_host` requests in flight to one host (host and port),
//!   and only one until the host has answered once, so a host that does not answer costs
//!   one wait, not one per request in flight.
//! - **Dead hosts fail fast**: once a host fails to resolve, refuses connections, or
//!   cannot be connected to (no route, connect timeout), every later URL on it fails at
//!   once with the same failure, for the rest of the run. Per-URL failures (an HTTP
//!   status, a redirect loop, a body that is no image) say nothing about the host.
//! - **The network verdict** ([`NetworkVerdict`]): the network is unreachable when at
//!   least one host was tried and no host answered. A host answers when a connection is
//!   made (whatever follows: an HTTP status, a TLS error, a broken read) or refused (a
//!   refusal is a reply from the host or a firewall in front of it). DNS failures, connect
//!   timeouts and "no route" errors are not answers.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Instant;

use super::outcome::Failure;
use super::sync::lock;

/// Whether this machine could reach the network, from the fetches made so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkVerdict {
    /// No host was tried yet (no URL, or only URLs refused before any connection).
    Untried,
    /// At least one host answered.
    Reachable,
    /// Hosts were tried and none answered.
    Unreachable(NoNetwork),
}

/// Evidence that the network is unreachable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoNetwork {
    /// Hosts tried, none of which answered.
    pub hosts: usize,
    /// The first host that failed, and how.
    pub host: String,
    pub failure: Failure,
}

impl fmt::Display for NoNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let others = match self.hosts {
            0 | 1 => String::new(),
            2 => " and 1 other host".to_owned(),
            n => format!(" and {} other hosts", n - 1),
        };
        let how = self.failure.to_string();
        let how = how.strip_prefix("cannot be fetched: ").unwrap_or(&how);
        write!(
            f,
            "no host answered (`{}`{others}): {how}; this machine seems to have no network",
            self.host
        )
    }
}

impl Failure {
    /// Whether this failure is the host's, not the URL's: every URL on the host fails
    /// the same way.
    pub fn is_host_failure(&self) -> bool {
        matches!(
            self,
            Failure::Dns(_) | Failure::Refused | Failure::ConnectTimeout | Failure::Connect(_)
        )
    }

    /// Whether this failure means nothing answered (see the module docs): what a machine
    /// without network gets for every URL.
    pub fn is_network_failure(&self) -> bool {
        self.is_host_failure() && *self != Failure::Refused
    }
}

#[derive(Debug, Default)]
struct Host {
    active: usize,
    answered: bool,
    dead: Option<Failure>,
}

#[derive(Debug, Default)]
struct Book {
    hosts: HashMap<String, Host>,
    /// Any host answered.
    answered: bool,
    /// Hosts dead without ever answering, and the first of them.
    silent_dead: usize,
    first_dead: Option<(String, Failure)>,
}

/// The hosts of one run; shared by the fetch threads.
#[derive(Debug)]
pub(crate) struct Hosts {
    per_host: usize,
    book: Mutex<Book>,
    freed: Condvar,
}

/// A slot for one request to a host; dropping it frees the slot.
pub(crate) struct Permit<'h> {
    hosts: &'h Hosts,
    key: String,
}

impl Hosts {
    pub(crate) fn new(per_host: usize) -> Self {
        Self {
            per_host: per_host.max(1),
            book: Mutex::new(Book::default()),
            freed: Condvar::new(),
        }
    }

    /// Waits for a slot to `key` (`host:port`) and takes it; the host's failure when it is
    /// dead; [`Failure::Timeout`] when `deadline` passes first.
    pub(crate) fn acquire(
        &self,
        key: &str,
        deadline: Option<Instant>,
    ) -> Result<Permit<'_>, Failure> {
        let mut book = lock(&self.book);
        loop {
            let host = book.hosts.entry(key.to_owned()).or_default();
            if let Some(failure) = &host.dead {
                return Err(failure.clone());
            }
            let max = if host.answered { self.per_host } else { 1 };
            if host.active < max {
                host.active += 1;
                return Ok(Permit {
                    hosts: self,
                    key: key.to_owned(),
                });
            }
            book = match deadline {
                None => self
                    .freed
                    .wait(book)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Failure::Timeout);
                    }
                    self.freed
                        .wait_timeout(book, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    /// What the hosts tried so far say about the network.
    pub(crate) fn verdict(&self) -> NetworkVerdict {
        let book = lock(&self.book);
        if book.answered {
            return NetworkVerdict::Reachable;
        }
        match &book.first_dead {
            Some((host, failure)) => NetworkVerdict::Unreachable(NoNetwork {
                hosts: book.silent_dead,
                host: host.clone(),
                failure: failure.clone(),
            }),
            None => NetworkVerdict::Untried,
        }
    }

    pub(crate) fn any_answered(&self) -> bool {
        lock(&self.book).answered
    }
}

impl Permit<'_> {
    /// The host answered: it may now have `per_host` requests in flight.
    pub(crate) fn answered(&self) {
        let mut book = lock(&self.hosts.book);
        book.answered = true;
        if let Some(host) = book.hosts.get_mut(&self.key) {
            host.answered = true;
        }
        drop(book);
        self.hosts.freed.notify_all();
    }

    /// The host failed as a host (see [`Failure::is_host_failure`]): later requests to it
    /// fail at once with `failure`.
    pub(crate) fn dead(&self, failure: &Failure) {
        if failure == &Failure::Refused {
            self.answered();
        }
        let mut book = lock(&self.hosts.book);
        let Book {
            hosts,
            silent_dead,
            first_dead,
            ..
        } = &mut *book;
        if let Some(host) = hosts.get_mut(&self.key)
            && host.dead.is_none()
        {
            host.dead = Some(failure.clone());
            if !host.answered {
                *silent_dead += 1;
                let host = self.key.rsplit_once(':').map_or(&*self.key, |(h, _)| h);
                first_dead.get_or_insert_with(|| (host.to_owned(), failure.clone()));
            }
        }
        drop(book);
        self.hosts.freed.notify_all();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut book = lock(&self.hosts.book);
        if let Some(host) = book.hosts.get_mut(&self.key) {
            host.active = host.active.saturating_sub(1);
        }
        drop(book);
        self.hosts.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn one_request_until_the_host_answers_then_per_host() {
        let hosts = Hosts::new(2);
        let (now, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let run = |hosts: &Hosts| {
            std::thread::scope(|scope| {
                for _ in 0..8 {
                    scope.spawn(|| {
                        let _permit = hosts.acquire("host:80", None).unwrap();
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        now.fetch_sub(1, Ordering::SeqCst);
                    });
                }
                // Another host is not held back.
                assert!(hosts.acquire("other:80", None).is_ok());
            });
        };
        run(&hosts);
        assert_eq!(peak.load(Ordering::SeqCst), 1);
        hosts.acquire("host:80", None).unwrap().answered();
        run(&hosts);
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(hosts.verdict(), NetworkVerdict::Reachable);
    }

    #[test]
    fn a_dead_host_fails_at_once_and_silence_everywhere_is_no_network() {
        let hosts = Hosts::new(4);
        assert_eq!(hosts.verdict(), NetworkVerdict::Untried);
        let dns = Failure::Dns("a.example".to_owned());
        hosts.acquire("a.example:443", None).unwrap().dead(&dns);
        assert_eq!(
            hosts.acquire("a.example:443", None).err(),
            Some(dns.clone())
        );
        hosts
            .acquire("b.example:443", None)
            .unwrap()
            .dead(&Failure::ConnectTimeout);
        let NetworkVerdict::Unreachable(evidence) = hosts.verdict() else {
            panic!("{:?}", hosts.verdict());
        };
        assert_eq!((evidence.hosts, &*evidence.host), (2, "a.example"));
        assert_eq!(evidence.failure, dns);
        assert_eq!(
            evidence.to_string(),
            "no host answered (`a.example` and 1 other host): host `a.example` does not \
             resolve; this machine seems to have no network"
        );
        // A refusal is an answer: the host is dead, the network is not.
        hosts
            .acquire("127.0.0.1:9", None)
            .unwrap()
            .dead(&Failure::Refused);
        assert_eq!(hosts.verdict(), NetworkVerdict::Reachable);
        assert_eq!(
            hosts.acquire("127.0.0.1:9", None).err(),
            Some(Failure::Refused)
        );
    }

    #[test]
    fn waiting_for_a_slot_ends_at_the_deadline() {
        let hosts = Hosts::new(1);
        let _held = hosts.acquire("h:80", None).unwrap();
        let started = Instant::now();
        let waited = hosts.acquire("h:80", Some(started + Duration::from_millis(50)));
        assert_eq!(waited.err(), Some(Failure::Timeout));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn host_and_network_failures() {
        for failure in [
            Failure::Dns("h".to_owned()),
            Failure::ConnectTimeout,
            Failure::Connect("network is unreachable".to_owned()),
        ] {
            assert!(failure.is_host_failure() && failure.is_network_failure());
        }
        assert!(Failure::Refused.is_host_failure());
        assert!(!Failure::Refused.is_network_failure());
        for failure in [
            Failure::Status(404),
            Failure::Timeout,
            Failure::RedirectLoop,
            Failure::Tls("bad certificate".to_owned()),
        ] {
            assert!(!failure.is_host_failure() && !failure.is_network_failure());
        }
    }
}
