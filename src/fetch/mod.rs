//! Fetching http(s) image URLs, the way the platform's fetcher will, and safely.
//!
//! [`Fetcher`] owns a pool of I/O threads, separate from the rayon pool that checks lines
//! and decodes images: the engine [`submits`](Fetcher::submit) every image URL as soon as
//! its line is read, so fetching overlaps checking, and [`waits`](Fetcher::wait) for the
//! results once the file is read. Each distinct URL is fetched once per run; only the
//! outcome (a [`Probe`], never the body) is kept.
//!
//! - [`guard`]: the address policy (no loopback, private, link-local or metadata
//!   addresses; checked on the resolved address and on every redirect hop).
//! - [`client`]: one fetch: redirects followed by hand, retries with backoff on 429/5xx,
//!   a 10 MiB + 1 byte read limit, no decompression.
//! - [`cache`]: outcomes on disk, revalidated with `ETag` / `Last-Modified`.

pub mod cache;
pub mod client;
pub mod guard;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::media::probe::{Probe, ProbeDepth};
use crate::target::limits::MAX_IMAGE_BYTES;

use self::guard::NotPublic;

/// Bytes read of a body at most: one more than the image limit, to tell "at the limit"
/// from "over it".
pub const READ_LIMIT: u64 = MAX_IMAGE_BYTES + 1;

/// How to fetch.
#[derive(Debug, Clone)]
pub struct Config {
    /// I/O threads.
    pub jobs: usize,
    /// Requests in flight to one host (host and port) at most.
    pub per_host: usize,
    pub connect_timeout: Duration,
    /// For one request, from connecting to the end of the body.
    pub timeout: Duration,
    /// Retries of a request answered 429 or 5xx.
    pub retries: u32,
    /// The longest wait before a retry, whatever `Retry-After` asks.
    pub max_retry_wait: Duration,
    /// Lift the address policy (for testing against a local server).
    pub allow_private: bool,
    /// How deep fetched images are probed (`--deep` decodes every pixel).
    pub depth: ProbeDepth,
    /// Where to keep the cache; `None` for no cache.
    pub cache_dir: Option<PathBuf>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            jobs: 64,
            per_host: 32,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: 3,
            max_retry_wait: Duration::from_secs(30),
            allow_private: false,
            depth: ProbeDepth::Headers,
            cache_dir: None,
            progress: false,
        }
    }
}

/// The user's cache directory for fetch results (`~/.cache/vft/urls` on Linux).
pub fn default_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|dir| dir.join("vft").join("urls"))
}

/// What fetching one URL gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A successful response; its body was read, whole or up to [`READ_LIMIT`].
    Body(Body),
    Failed(Failure),
}

/// A successful response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The body's length; with `at_least`, only a lower bound (the read stopped).
    pub len: u64,
    pub at_least: bool,
    /// The `Content-Type` header's media type, without parameters.
    pub content_type: Option<String>,
    /// What the bytes are; `None` when the body is over the limit and was not read whole.
    pub probe: Option<Probe>,
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

/// Fetches URLs on its own threads; see the module docs. The threads, the HTTP client and
/// the cache directory are set up on the first URL, so a run without URLs costs nothing.
pub struct Fetcher {
    config: Config,
    state: Arc<State>,
    pool: OnceLock<Result<Pool, String>>,
}

/// What the workers and the engine share.
struct State {
    results: Mutex<HashMap<Arc<str>, Option<Arc<Outcome>>>>,
    finished: Condvar,
    progress: ProgressBar,
}

struct Pool {
    jobs: Mutex<Option<mpsc::Sender<Arc<str>>>>,
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
            config,
            state: Arc::new(State {
                results: Mutex::new(HashMap::new()),
                finished: Condvar::new(),
                progress,
            }),
            pool: OnceLock::new(),
        }
    }

    fn start(&self) -> Result<Pool, String> {
        let client = Arc::new(client::Client::new(self.config.clone())?);
        let (sender, receiver) = mpsc::channel::<Arc<str>>();
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
        if results.contains_key(url) {
            return;
        }
        let url: Arc<str> = url.into();
        results.insert(Arc::clone(&url), None);
        drop(results);
        self.state.progress.inc_length(1);
        match self.pool.get_or_init(|| self.start()) {
            Ok(pool) => {
                if let Some(sender) = lock(&pool.jobs).as_ref() {
                    // Workers end only when the sender is dropped, so the send succeeds.
                    let _ = sender.send(url);
                }
            }
            Err(error) => {
                let outcome = Outcome::Failed(Failure::Connect(error.clone()));
                self.state.finish(url, outcome);
            }
        }
    }

    /// The outcome for `url`, waiting for it (submitting it if it was not).
    pub fn wait(&self, url: &str) -> Arc<Outcome> {
        let mut results = lock(&self.state.results);
        loop {
            match results.get(url) {
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
    fn finish(&self, url: Arc<str>, outcome: Outcome) {
        lock(&self.results).insert(url, Some(Arc::new(outcome)));
        self.finished.notify_all();
        self.progress.inc(1);
    }
}

impl Drop for Fetcher {
    fn drop(&mut self) {
        if let Some(Ok(pool)) = self.pool.get() {
            lock(&pool.jobs).take();
            for worker in lock(&pool.workers).drain(..) {
                let _ = worker.join();
            }
        }
        self.state.progress.finish_and_clear();
    }
}

fn work(state: &State, client: &client::Client, receiver: &Mutex<mpsc::Receiver<Arc<str>>>) {
    loop {
        let next = lock(receiver).recv();
        let Ok(url) = next else { return };
        let outcome = client.fetch(&url);
        state.finish(url, outcome);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// At most `max` permits per key at a time.
pub(crate) struct Limiter {
    max: usize,
    active: Mutex<HashMap<String, usize>>,
    freed: Condvar,
}

pub(crate) struct Permit<'l> {
    limiter: &'l Limiter,
    key: String,
}

impl Limiter {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            active: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
        }
    }

    /// Waits until `key` has a free slot and takes it; dropping the permit frees it.
    pub(crate) fn acquire(&self, key: &str) -> Permit<'_> {
        let mut active = lock(&self.active);
        while active.get(key).copied().unwrap_or(0) >= self.max {
            active = self
                .freed
                .wait(active)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *active.entry(key.to_owned()).or_default() += 1;
        Permit {
            limiter: self,
            key: key.to_owned(),
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut active = lock(&self.limiter.active);
        if let Some(count) = active.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                active.remove(&self.key);
            }
        }
        drop(active);
        self.limiter.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn limiter_caps_concurrency_per_key() {
        let limiter = Limiter::new(2);
        let (now, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let _permit = limiter.acquire("host:80");
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                });
            }
            // Another key is not held back.
            let _other = limiter.acquire("other:80");
        });
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert!(lock(&limiter.active).is_empty());
    }
}
