//! One fetch, as the platform's fetcher would make it, within bounds: redirects followed by
//! hand (each hop checked by the address policy), retries with exponential backoff on 429
//! and 5xx honouring `Retry-After` up to a total wait per URL, connect and total timeouts,
//! at most [`READ_LIMIT`](super::outcome::READ_LIMIT) bytes read, and no decompression
//! (`Accept-Encoding: identity`, and reqwest is built without gzip, brotli or deflate).
//!
//! Each request has a deadline, `timeout` after it starts (sooner when the file's budget
//! ends sooner). reqwest's blocking timeout applies to each read separately, so a body
//! sent a byte at a time would never time out: the body is read in chunks and the
//! deadline checked after each one. A body that trickles in thus costs the timeout plus at
//! most one gap between two chunks; one that stops entirely costs at most twice the
//! timeout (reqwest's per-read wait).

use std::collections::HashSet;
use std::error::Error;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::blocking::Response;
use reqwest::header::{self, HeaderMap, HeaderValue};

use super::body_buffer::BodyBuffer;
use super::budget::{ByteBudget, Reservation};
use super::cache::{Cache, Cached, Validators};
use super::config::Config;
use super::download::{Download, Fetched};
use super::guard::{self, GuardedResolver, NotPublic, Unresolvable, UrlProblem};
use super::hosts::{Hosts, Permit};
use super::outcome::{Body, Failure, Outcome, READ_LIMIT, Unverified};
use crate::media::bytes::ImageBytes;
use crate::media::{faces, probe};

/// Redirect hops followed at most (browsers and reqwest's default policy use 10 too).
pub const MAX_REDIRECTS: usize = 10;

/// The first wait before a retry when the server names none; doubled on each retry.
const BACKOFF: Duration = Duration::from_millis(500);

/// Content types longer than this are cut (they only ever go into a message).
const MAX_CONTENT_TYPE: usize = 100;

pub(crate) struct Client {
    http: reqwest::blocking::Client,
    hosts: Arc<Hosts>,
    bytes: Arc<ByteBudget>,
    cache: Option<Cache>,
    config: Config,
}

/// A body's bytes, with the share of the byte budget they hold.
type KeptBytes = (BodyBuffer, Reservation);

/// Bytes asked of the socket at a time (the deadline is checked between reads).
const CHUNK: usize = 64 * 1024;

impl Client {
    pub(crate) fn new(
        config: Config,
        hosts: Arc<Hosts>,
        bytes: Arc<ByteBudget>,
    ) -> Result<Self, String> {
        let http = reqwest::blocking::Client::builder()
            // A proxy would resolve names itself, out of the guard's reach.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: config.allow_private,
                lookup: Arc::clone(&config.lookup),
            }))
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .pool_max_idle_per_host(config.per_host)
            .user_agent(concat!("vft/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let cache = config.cache_dir.as_deref().and_then(Cache::open);
        Ok(Self {
            http,
            hosts,
            bytes,
            cache,
            config,
        })
    }

    /// Fetches `raw` and probes the body; `budget` is when the file's fetch budget ends.
    pub(crate) fn fetch(&self, raw: &str, budget: Option<Instant>) -> Outcome {
        match self.try_fetch(raw, budget, None) {
            Ok((body, _)) => Outcome::Body(body),
            Err(failure) => failed(failure, budget),
        }
    }

    /// Fetches `raw` and keeps its body's bytes, for `ticket` (queued in the byte budget):
    /// its share of the budget is taken in turn before the request is sent, so a fetch
    /// never holds a host's connection while it waits for the budget. The cache is not
    /// read (it holds no bytes), only written.
    pub(crate) fn fetch_bytes(&self, raw: &str, budget: Option<Instant>, ticket: u64) -> Download {
        let held = match self.bytes.reserve_in_turn(READ_LIMIT, ticket, budget) {
            Ok(held) => held,
            Err(failure) => return Download::Outcome(failed(failure, budget)),
        };
        match self.try_fetch(raw, budget, Some(held)) {
            Ok((body, Some((bytes, held)))) => Download::Bytes(Fetched {
                body,
                bytes,
                _held: held,
            }),
            Ok((body, None)) => Download::Outcome(Outcome::Body(body)),
            Err(failure) => Download::Outcome(failed(failure, budget)),
        }
    }

    /// The body, and with `held` (a reservation for its bytes) the bytes themselves.
    fn try_fetch(
        &self,
        raw: &str,
        budget: Option<Instant>,
        mut held: Option<Reservation>,
    ) -> Result<(Body, Option<KeptBytes>), Failure> {
        let allow_private = self.config.allow_private;
        let mut url = guard::parse(raw, allow_private).map_err(Failure::from)?;
        let cached = self
            .cache
            .as_ref()
            .filter(|_| held.is_none())
            .and_then(|c| c.load(raw, self.config.depth, self.config.faces.is_some()));
        let mut visited = HashSet::from([url.clone()]);
        // The waits between retries, for the whole URL (every hop).
        let mut retry_wait_left = self.config.max_retry_wait;
        for _ in 0..=MAX_REDIRECTS {
            let (response, deadline, _permit) =
                self.send(&url, cached.as_ref(), budget, &mut retry_wait_left)?;
            let status = response.status();
            if status == reqwest::StatusCode::NOT_MODIFIED {
                return cached.map(|c| (c.body, None)).ok_or(Failure::Status(304));
            }
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or(Failure::Status(status.as_u16()))?;
                guard::check_url(&next, allow_private).map_err(Failure::from)?;
                if !visited.insert(next.clone()) {
                    return Err(Failure::RedirectLoop);
                }
                url = next;
                continue;
            }
            if !status.is_success() {
                return Err(Failure::Status(status.as_u16()));
            }
            let validators = Validators::of(response.headers());
            let (body, kept) = self.read_body(response, deadline, held.take())?;
            if let Some(cache) = &self.cache {
                cache.store(raw, self.config.depth, &validators, &body);
            }
            return Ok((body, kept));
        }
        Err(Failure::TooManyRedirects(MAX_REDIRECTS))
    }

    /// Sends one GET, retrying on 429 and 5xx while `retry_wait_left` allows; returns the
    /// response with its deadline and the host permit, held until the body is read.
    fn send(
        &self,
        url: &Url,
        cached: Option<&Cached>,
        budget: Option<Instant>,
        retry_wait_left: &mut Duration,
    ) -> Result<(Response, Instant, Permit<'_>), Failure> {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let mut attempt = 0;
        loop {
            let permit = self.hosts.acquire(&host, budget)?;
            let started = Instant::now();
            let deadline = budget.map_or(started + self.config.timeout, |end| {
                end.min(started + self.config.timeout)
            });
            let left = deadline.saturating_duration_since(started);
            if left.is_zero() {
                return Err(Failure::Timeout);
            }
            let mut request = self
                .http
                .get(url.clone())
                .timeout(left)
                .header(header::ACCEPT, "image/*,*/*;q=0.8")
                .header(header::ACCEPT_ENCODING, "identity");
            if let Some(cached) = cached {
                for (name, value) in cached.validators.conditional_headers() {
                    request = request.header(name, value);
                }
            }
            let response = match request.send() {
                Ok(response) => response,
                Err(error) => {
                    let failure = classify(&error);
                    let out_of_budget = budget.is_some_and(|end| Instant::now() >= end);
                    if failure.is_host_failure() && !out_of_budget {
                        permit.dead(&failure);
                    } else if matches!(failure, Failure::Tls(_) | Failure::Read(_)) {
                        // A connection was made (a timeout may or may not have had one).
                        permit.answered();
                    }
                    return Err(failure);
                }
            };
            permit.answered();
            let status = response.status();
            let retryable =
                status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if !retryable || attempt >= self.config.retries {
                return Ok((response, deadline, permit));
            }
            let wait =
                retry_after(response.headers()).unwrap_or(BACKOFF * 2u32.saturating_pow(attempt));
            let wait_ends = Instant::now() + wait;
            // A wait longer than what is left (of the URL's retry waits, or of the file's
            // budget) is not made: the server's answer stands.
            if wait > *retry_wait_left || budget.is_some_and(|end| wait_ends >= end) {
                return Ok((response, deadline, permit));
            }
            *retry_wait_left -= wait;
            drop((response, permit));
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// Reads at most [`READ_LIMIT`] bytes by `deadline`, within the byte budget, and
    /// probes them. With `held` (the budget already taken for them), the bytes are kept
    /// and returned with their share of the budget, when the body was read whole.
    fn read_body(
        &self,
        mut response: Response,
        deadline: Instant,
        held: Option<Reservation>,
    ) -> Result<(Body, Option<KeptBytes>), Failure> {
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(media_type);
        let declared = response.content_length();
        let unread = |len: u64, at_least: bool, content_type: Option<String>| Body {
            len,
            at_least,
            content_type,
            probe: None,
            screened: false,
            faces: None,
        };
        if let Some(len) = declared.filter(|&n| n >= READ_LIMIT) {
            return Ok((unread(len, false, content_type), None));
        }
        let expected = declared.unwrap_or(READ_LIMIT);
        let keep = held.is_some();
        let mut reservation = match held {
            Some(mut held) => {
                held.shrink_to(expected);
                held
            }
            None => self.bytes.reserve(expected, deadline)?,
        };
        // Allocated once at what was reserved (a mapping: see `body_buffer`); pages never
        // written cost no memory.
        let cap = usize::try_from(expected).unwrap_or(usize::MAX);
        let mut bytes = BodyBuffer::with_capacity(cap).map_err(|e| classify_read(&e))?;
        loop {
            if Instant::now() >= deadline {
                return Err(Failure::Timeout);
            }
            if bytes.room() == 0 {
                break;
            }
            let n = bytes
                .read_from(&mut response, CHUNK)
                .map_err(|e| classify_read(&e))?;
            if n == 0 {
                break;
            }
        }
        let len = bytes.len() as u64;
        if len >= READ_LIMIT {
            return Ok((unread(len, true, content_type), None));
        }
        let probe = probe::probe(&bytes, self.config.depth);
        let faces = self.config.faces.as_ref().and_then(|pool| {
            pool.install(|| faces::screen_probed(&ImageBytes::Decoded(&bytes), &probe))
        });
        let body = Body {
            len,
            at_least: false,
            content_type,
            probe: Some(probe),
            screened: self.config.faces.is_some(),
            faces,
        };
        if !keep {
            return Ok((body, None));
        }
        reservation.shrink_to(len);
        Ok((body, Some((bytes, reservation))))
    }
}

/// What a failure means for the outcome: one of the file's budget is "not verified".
fn failed(failure: Failure, budget: Option<Instant>) -> Outcome {
    match failure {
        Failure::Timeout | Failure::ConnectTimeout
            if budget.is_some_and(|end| Instant::now() >= end) =>
        {
            Outcome::NotVerified(Unverified::Budget)
        }
        failure => Outcome::Failed(failure),
    }
}

/// `Retry-After` in seconds (the HTTP-date form falls back to the backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    seconds.parse::<u64>().ok().map(Duration::from_secs)
}

/// `image/png; charset=…` → `image/png`.
fn media_type(value: &HeaderValue) -> Option<String> {
    let text = String::from_utf8_lossy(value.as_bytes());
    let media = text.split(';').next()?.trim();
    if media.is_empty() {
        return None;
    }
    let mut media: String = media.chars().take(MAX_CONTENT_TYPE).collect();
    media.make_ascii_lowercase();
    Some(media)
}

impl From<UrlProblem> for Failure {
    fn from(problem: UrlProblem) -> Self {
        match problem {
            UrlProblem::Invalid(why) => Failure::InvalidUrl(why),
            UrlProblem::Scheme(scheme) => Failure::Scheme(scheme),
            UrlProblem::NotPublic(refusal) => Failure::NotPublic(refusal),
            UrlProblem::Unresolvable(host) => Failure::Dns(host.0),
        }
    }
}

/// Names what went wrong from the error's chain of causes.
fn classify(error: &reqwest::Error) -> Failure {
    if let Some(failure) = classify_chain(error) {
        return match failure {
            Failure::Timeout if error.is_connect() => Failure::ConnectTimeout,
            failure => failure,
        };
    }
    if error.is_timeout() && error.is_connect() {
        Failure::ConnectTimeout
    } else if error.is_timeout() {
        Failure::Timeout
    } else if error.is_connect() {
        Failure::Connect(root_cause(error))
    } else {
        Failure::Read(root_cause(error))
    }
}

fn classify_read(error: &io::Error) -> Failure {
    if error.kind() == io::ErrorKind::TimedOut {
        return Failure::Timeout;
    }
    if let Some(inner) = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<reqwest::Error>())
    {
        return classify(inner);
    }
    classify_chain(error).unwrap_or_else(|| Failure::Read(root_cause(error)))
}

fn classify_chain(error: &(dyn Error + 'static)) -> Option<Failure> {
    let mut next: Option<&(dyn Error + 'static)> = Some(error);
    while let Some(error) = next {
        // An `io::Error`'s `source` skips the error it wraps: look at that one too.
        let wrapped = error
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            .map(|e| e as &(dyn Error + 'static));
        for candidate in [Some(error), wrapped].into_iter().flatten() {
            if let Some(refusal) = candidate.downcast_ref::<NotPublic>() {
                return Some(Failure::NotPublic(refusal.clone()));
            }
            if let Some(host) = candidate.downcast_ref::<Unresolvable>() {
                return Some(Failure::Dns(host.0.clone()));
            }
            if let Some(tls) = candidate.downcast_ref::<rustls::Error>() {
                return Some(Failure::Tls(tls.to_string()));
            }
        }
        if let Some(io) = error.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => return Some(Failure::Refused),
                io::ErrorKind::TimedOut => return Some(Failure::Timeout),
                _ => {}
            }
        }
        next = error.source();
    }
    None
}

/// The innermost cause's message (reqwest's outer messages repeat the URL).
fn root_cause(error: &(dyn Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static(" 2 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn media_type_drops_parameters() {
        let value = HeaderValue::from_static("Image/PNG; charset=binary");
        assert_eq!(media_type(&value).as_deref(), Some("image/png"));
        assert_eq!(media_type(&HeaderValue::from_static(" ; x")), None);
    }
}
