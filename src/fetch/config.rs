//! How to fetch: threads, timeouts, budgets, the address policy and the cache.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::media::probe::ProbeDepth;

use super::guard::{Lookup, SystemLookup};

/// The default total wait between retries of one URL.
pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

/// The default byte budget of bodies in flight: 24 bodies at the 10 MiB limit.
pub const DEFAULT_BODY_BYTES: u64 = 256 << 20;

/// How to fetch.
#[derive(Debug, Clone)]
pub struct Config {
    /// I/O threads.
    pub jobs: usize,
    /// Requests in flight to one host (host and port) at most.
    pub per_host: usize,
    pub connect_timeout: Duration,
    /// For one request (one attempt of one redirect hop), from connecting to the end of
    /// the body, however slowly it comes.
    pub timeout: Duration,
    /// Retries of a request answered 429 or 5xx.
    pub retries: u32,
    /// The waits between retries of one URL add up to this at most: a `Retry-After` that
    /// asks for more than is left is not waited for, and the 429 or 5xx is the outcome.
    pub max_retry_wait: Duration,
    /// All the fetching of one file takes this at most (from its first URL, see
    /// [`Fetcher::begin_file`]); URLs not fetched by then are
    /// [`NotVerified`](Outcome::NotVerified). `None`: no bound.
    pub budget: Option<Duration>,
    /// Bytes of response bodies held at once by all fetch threads together (at least
    /// [`READ_LIMIT`]).
    pub body_bytes: u64,
    /// How host names are resolved (the system's resolver; tests give their own). The
    /// address policy applies to whatever it returns.
    pub lookup: Arc<dyn Lookup>,
    /// Lift the address policy (for testing against a local server).
    pub allow_private: bool,
    /// How deep fetched images are probed (`--deep` decodes every pixel).
    pub depth: ProbeDepth,
    /// Screen fetched images for faces (`--faces on`), on this pool (the engine's
    /// workers: screening is CPU work, the fetch threads only wait for it).
    pub faces: Option<Arc<rayon::ThreadPool>>,
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
            max_retry_wait: DEFAULT_MAX_RETRY_WAIT,
            budget: None,
            body_bytes: DEFAULT_BODY_BYTES,
            lookup: Arc::new(SystemLookup),
            allow_private: false,
            depth: ProbeDepth::Headers,
            faces: None,
            cache_dir: None,
            progress: false,
        }
    }
}

/// The user's cache directory for fetch results (`~/.cache/vft/urls` on Linux).
pub fn default_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|dir| dir.join("vft").join("urls"))
}
