//! Fetching http(s) image URLs, the way the platform's fetcher will, and safely.
//!
//! [`Fetcher`] owns a pool of I/O threads, separate from the rayon pool that checks lines
//! and decodes images: the engine [`submits`](Fetcher::submit) every image URL as soon as
//! its line is read, so fetching overlaps checking, and [`waits`](Fetcher::wait) for the
//! results once the file is read. Each distinct URL is fetched once per run; only the
//! outcome (a [`Probe`], never the body) is kept.
//!
//! `vft fix --inline-urls` needs the bytes: [`Fetcher::submit_bytes`] queues a URL whose
//! body is kept whole (up to the image limit) for the worker that embeds it, which
//! [`takes`](Fetcher::take_bytes) it and drops it when done. Kept bodies count against
//! the byte budget until then, taking their share in the order of their tickets (see
//! [`budget`]), so memory is bounded by [`Config::body_bytes`], not by the number of URLs.
//!
//! - [`guard`]: the address policy (no loopback, private, link-local or metadata
//!   addresses; checked on the resolved address and on every redirect hop).
//! - [`client`]: one fetch: redirects followed by hand, retries with backoff on 429/5xx,
//!   a 10 MiB + 1 byte read limit, no decompression, a deadline on the whole request.
//! - [`hosts`]: per-host concurrency, dead hosts failing fast, the [`NetworkVerdict`].
//! - [`budget`]: the bytes of bodies in flight, bounded across threads; [`body_buffer`]:
//!   the mapping each body is read into.
//! - [`cache`]: outcomes on disk, revalidated with `ETag` / `Last-Modified`.
//!
//! Time is bounded three ways: [`Config::timeout`] for one request including its body,
//! [`Config::max_retry_wait`] for the waits between retries of one URL, and
//! [`Config::budget`] for all the fetching of one file ([`Fetcher::begin_file`]).

mod body_buffer;
mod budget;
pub mod cache;
pub mod client;
mod config;
mod download;
pub mod guard;
pub mod hosts;
mod outcome;
mod sync;

pub use self::config::{Config, DEFAULT_BODY_BYTES, DEFAULT_MAX_RETRY_WAIT, default_cache_dir};
pub use self::download::{Download, Fetched};
pub use self::hosts::{NetworkVerdict, NoNetwork};
pub use self::outcome::{Body, Failure, Outcome, READ_LIMIT, Unverified};

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use self::budget::ByteBudget;
use self::hosts::Hosts;
use self::sync::lock;

/// Fetches URLs on its own threads; see the module docs. The threads, the HTTP client and
/// the cache directory are set up on the first URL, so a run without URLs costs nothing.
pub struct Fetcher {
    config: Config,
    state: Arc<State>,
    pool: OnceLock<Result<Pool, String>>,
}

/// What the workers and the engine share.
struct State {
    results: Mutex<Results>,
    finished: Condvar,
    progress: ProgressBar,
    hosts: Arc<Hosts>,
    bytes: Arc<ByteBudget>,
    budget: Option<Duration>,
    /// When the current file's budget runs out; set by its first URL.
    deadline: Mutex<Option<Instant>>,
}

#[derive(Default)]
struct Results {
    /// `None` while the URL is queued or being fetched.
    outcomes: HashMap<Arc<str>, Option<Arc<Outcome>>>,
    pending: usize,
    /// Bodies kept for their bytes, by ticket; `None` while queued or being fetched.
    downloads: HashMap<u64, Option<Download>>,
    next_ticket: u64,
    /// The run is over: downloads that finish now are dropped.
    closed: bool,
}

/// A URL queued by [`Fetcher::submit_bytes`], to [`take`](Fetcher::take_bytes) once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

/// What a fetch thread does next.
enum Job {
    /// Fetch and probe (the outcome is kept).
    Probe(Arc<str>),
    /// Fetch and keep the body's bytes for the ticket.
    Bytes(u64, Arc<str>),
}

struct Pool {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    pub fn new(config: Config) -> Self {
        let progress = if config.progress {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("fetching image URLs {wide_bar} {pos}/{len} {eta}")
            {
                bar.set_style(style);
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        Self {
            state: Arc::new(State {
                results: Mutex::new(Results::default()),
                finished: Condvar::new(),
                progress,
                hosts: Arc::new(Hosts::new(config.per_host)),
                bytes: Arc::new(ByteBudget::new(config.body_bytes, READ_LIMIT)),
                budget: config.budget,
                deadline: Mutex::new(None),
            }),
            config,
            pool: OnceLock::new(),
        }
    }

    fn start(&self) -> Result<Pool, String> {
        let client = Arc::new(client::Client::new(
            self.config.clone(),
            Arc::clone(&self.state.hosts),
            Arc::clone(&self.state.bytes),
        )?);
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut workers = Vec::new();
        for i in 0..self.config.jobs.max(1) {
            let (state, client, receiver) = (
                Arc::clone(&self.state),
                Arc::clone(&client),
                Arc::clone(&receiver),
            );
            let worker = std::thread::Builder::new()
                .name(format!("vft-fetch-{i}"))
                .spawn(move || work(&state, &client, &receiver))
                .map_err(|e| format!("cannot start fetch threads: {e}"))?;
            workers.push(worker);
        }
        Ok(Pool {
            jobs: Mutex::new(Some(sender)),
            workers: Mutex::new(workers),
        })
    }

    /// Queues `url` unless it was seen before in this run.
    pub fn submit(&self, url: &str) {
        let mut results = lock(&self.state.results);
        if results.outcomes.contains_key(url) {
            return;
        }
        let url: Arc<str> = url.into();
        results.outcomes.insert(Arc::clone(&url), None);
        results.pending += 1;
        drop(results);
        if let Err(error) = self.queue(Job::Probe(Arc::clone(&url))) {
            let outcome = Outcome::Failed(Failure::Connect(error));
            self.state.finish(&url, outcome);
        }
    }

    /// Queues `url` to be fetched and its body kept whole, for one
    /// [`take_bytes`](Self::take_bytes). Every call fetches (the bytes are not shared), and
    /// the bodies are read in the order of the calls as far as the byte budget goes: call
    /// it in the order the bodies will be taken.
    pub fn submit_bytes(&self, url: &str) -> Ticket {
        let mut results = lock(&self.state.results);
        let ticket = results.next_ticket;
        results.next_ticket += 1;
        results.downloads.insert(ticket, None);
        drop(results);
        self.state.bytes.enqueue(ticket);
        if let Err(error) = self.queue(Job::Bytes(ticket, url.into())) {
            self.state.bytes.forget(ticket);
            let outcome = Outcome::Failed(Failure::Connect(error));
            self.state.deliver(ticket, Download::Outcome(outcome));
        }
        Ticket(ticket)
    }

    /// The body of `ticket`, waiting for it; each ticket is taken once (a second take is
    /// a failure, not a wait).
    pub fn take_bytes(&self, ticket: Ticket) -> Download {
        let mut results = lock(&self.state.results);
        loop {
            let Some(slot) = results.downloads.get_mut(&ticket.0) else {
                let failure = Failure::Connect("taken twice".to_owned());
                return Download::Outcome(Outcome::Failed(failure));
            };
            if let Some(download) = slot.take() {
                results.downloads.remove(&ticket.0);
                return download;
            }
            results = self
                .state
                .finished
                .wait(results)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Gives up `ticket` without its body: a body already read is dropped now, one still
    /// coming when it comes.
    pub fn release_bytes(&self, ticket: Ticket) {
        let abandoned = lock(&self.state.results).downloads.remove(&ticket.0);
        drop(abandoned);
    }

    /// Starts the file's budget and hands `job` to the fetch threads (started on the
    /// first job); `Err` when they cannot start.
    fn queue(&self, job: Job) -> Result<(), String> {
        if let Some(budget) = self.state.budget {
            lock(&self.state.deadline).get_or_insert_with(|| Instant::now() + budget);
        }
        self.state.progress.inc_length(1);
        match self.pool.get_or_init(|| self.start()) {
            Ok(pool) => {
                if let Some(sender) = lock(&pool.jobs).as_ref() {
                    // Workers end only when the sender is dropped, so the send succeeds.
                    let _ = sender.send(job);
                }
                Ok(())
            }
            Err(error) => Err(error.clone()),
        }
    }

    /// The outcome for `url`, waiting for it (submitting it if it was not).
    ///
    /// A URL that failed the way every URL fails on a machine without network (see
    /// [`Failure::is_network_failure`]) waits until another host answers or every
    /// submitted URL is done: when none answered, its outcome is
    /// [`Outcome::NotVerified`]`(`[`Unverified::NoNetwork`]`)` and [`Fetcher::network`]
    /// says why.
    pub fn wait(&self, url: &str) -> Arc<Outcome> {
        let outcome = self.wait_fetched(url);
        if let Outcome::Failed(failure) = &*outcome
            && failure.is_network_failure()
            && matches!(self.settled_network(), NetworkVerdict::Unreachable(_))
        {
            return Arc::new(Outcome::NotVerified(Unverified::NoNetwork));
        }
        outcome
    }

    /// What the fetches so far say about the network; final once every submitted URL is
    /// done (a `Reachable` verdict is final at once).
    pub fn network(&self) -> NetworkVerdict {
        self.state.hosts.verdict()
    }

    /// Starts a new file: its [`Config::budget`] runs from its first URL.
    pub fn begin_file(&self) {
        lock(&self.state.deadline).take();
    }

    /// The most bytes of bodies held at once so far (within [`Config::body_bytes`]).
    pub fn peak_body_bytes(&self) -> u64 {
        self.state.bytes.peak()
    }

    /// The network verdict once a host answered or nothing is pending.
    fn settled_network(&self) -> NetworkVerdict {
        let mut results = lock(&self.state.results);
        while results.pending > 0 && !self.state.hosts.any_answered() {
            results = self
                .state
                .finished
                .wait(results)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(results);
        self.network()
    }

    fn wait_fetched(&self, url: &str) -> Arc<Outcome> {
        let mut results = lock(&self.state.results);
        loop {
            match results.outcomes.get(url) {
                Some(Some(outcome)) => return Arc::clone(outcome),
                Some(None) => {
                    results = self
                        .state
                        .finished
                        .wait(results)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                None => {
                    drop(results);
                    self.submit(url);
                    results = lock(&self.state.results);
                }
            }
        }
    }

    /// Clears the progress bar once every queued URL is done (it is drawn again when
    /// more come).
    pub fn pause_progress(&self) {
        let progress = &self.state.progress;
        if progress.position() >= progress.length().unwrap_or(0) {
            progress.finish_and_clear();
            progress.reset();
        }
    }
}

impl State {
    fn finish(&self, url: &str, outcome: Outcome) {
        let mut guard = lock(&self.results);
        let results = &mut *guard;
        if let Some(slot) = results.outcomes.get_mut(url)
            && slot.is_none()
        {
            results.pending -= 1;
            *slot = Some(Arc::new(outcome));
        }
        drop(guard);
        // Counted before the waiters wake: one of them may clear the bar once every URL
        // is done (`pause_progress`), and a count that came after would draw it again.
        self.progress.inc(1);
        self.finished.notify_all();
    }

    /// Hands a kept body to its ticket's taker (dropped when the run is over).
    fn deliver(&self, ticket: u64, download: Download) {
        let mut results = lock(&self.results);
        if !results.closed
            && let Some(slot) = results.downloads.get_mut(&ticket)
        {
            *slot = Some(download);
        }
        drop(results);
        self.finished.notify_all();
        self.progress.inc(1);
    }
}

impl Drop for Fetcher {
    fn drop(&mut self) {
        // Bodies nobody took give their budget back, and fetches waiting for it stop.
        let untaken = {
            let mut results = lock(&self.state.results);
            results.closed = true;
            std::mem::take(&mut results.downloads)
        };
        drop(untaken);
        self.state.bytes.close();
        if let Some(Ok(pool)) = self.pool.get() {
            lock(&pool.jobs).take();
            for worker in lock(&pool.workers).drain(..) {
                let _ = worker.join();
            }
        }
        self.state.progress.finish_and_clear();
    }
}

fn work(state: &State, client: &client::Client, receiver: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        let next = lock(receiver).recv();
        let Ok(job) = next else { return };
        let deadline = *lock(&state.deadline);
        let out_of_time = deadline.is_some_and(|d| Instant::now() >= d);
        match job {
            Job::Probe(url) => {
                let outcome = if out_of_time {
                    Outcome::NotVerified(Unverified::Budget)
                } else {
                    client.fetch(&url, deadline)
                };
                state.finish(&url, outcome);
            }
            Job::Bytes(ticket, url) => {
                let download = if out_of_time || lock(&state.results).closed {
                    state.bytes.forget(ticket);
                    Download::Outcome(Outcome::NotVerified(Unverified::Budget))
                } else {
                    client.fetch_bytes(&url, deadline, ticket)
                };
                state.deliver(ticket, download);
            }
        }
    }
}
