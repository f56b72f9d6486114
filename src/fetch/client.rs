//! One fetch, as the platform's fetcher would make it, within bounds: redirects followed by
//! hand (each hop checked by the address policy), retries with exponential backoff on 429
//! and 5xx honouring `Retry-After`, connect and total timeouts, at most
//! [`READ_LIMIT`](super::READ_LIMIT) bytes read, and no decompression (`Accept-Encoding:
//! identity`, and reqwest is built without gzip, brotli or deflate).

use std::collections::HashSet;
use std::error::Error;
use std::io::{self, Read};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::Response;
use reqwest::header::{self, HeaderMap, HeaderValue};

use super::cache::{Cache, Cached, Validators};
use super::guard::{self, GuardedResolver, NotPublic, Unresolvable, UrlProblem};
use super::{Body, Config, Failure, Limiter, Outcome, Permit, READ_LIMIT};
use crate::media::probe::{self, ProbeDepth};

/// Redirect hops followed at most (browsers and reqwest's default policy use 10 too).
pub const MAX_REDIRECTS: usize = 10;

/// The first wait before a retry when the server names none; doubled on each retry.
const BACKOFF: Duration = Duration::from_millis(500);

/// Content types longer than this are cut (they only ever go into a message).
const MAX_CONTENT_TYPE: usize = 100;

pub(crate) struct Client {
    http: reqwest::blocking::Client,
    config: Config,
    hosts: Limiter,
    cache: Option<Cache>,
}

impl Client {
    pub(crate) fn new(config: Config) -> Result<Self, String> {
        let http = reqwest::blocking::Client::builder()
            // A proxy would resolve names itself, out of the guard's reach.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: config.allow_private,
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
            hosts: Limiter::new(config.per_host),
            cache,
            config,
        })
    }

    /// Fetches `raw` and probes the body.
    pub(crate) fn fetch(&self, raw: &str) -> Outcome {
        match self.try_fetch(raw) {
            Ok(body) => Outcome::Body(body),
            Err(failure) => Outcome::Failed(failure),
        }
    }

    fn try_fetch(&self, raw: &str) -> Result<Body, Failure> {
        let allow_private = self.config.allow_private;
        let mut url = guard::parse(raw, allow_private).map_err(Failure::from)?;
        let cached = self
            .cache
            .as_ref()
            .and_then(|c| c.load(raw, self.config.depth));
        let mut visited = HashSet::from([url.clone()]);
        for _ in 0..=MAX_REDIRECTS {
            let (response, _permit) = self.send(&url, cached.as_ref())?;
            let status = response.status();
            if status == reqwest::StatusCode::NOT_MODIFIED {
                return cached.map(|c| c.body).ok_or(Failure::Status(304));
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
            let body = read_body(response, self.config.depth)?;
            if let Some(cache) = &self.cache {
                cache.store(raw, self.config.depth, &validators, &body);
            }
            return Ok(body);
        }
        Err(Failure::TooManyRedirects(MAX_REDIRECTS))
    }

    /// Sends one GET, retrying on 429 and 5xx; returns the response with the host permit,
    /// held until the body is read.
    fn send(&self, url: &Url, cached: Option<&Cached>) -> Result<(Response, Permit<'_>), Failure> {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let mut attempt = 0;
        loop {
            let permit = self.hosts.acquire(&host);
            let mut request = self
                .http
                .get(url.clone())
                .header(header::ACCEPT, "image/*,*/*;q=0.8")
                .header(header::ACCEPT_ENCODING, "identity");
            if let Some(cached) = cached {
                for (name, value) in cached.validators.conditional_headers() {
                    request = request.header(name, value);
                }
            }
            let response = request.send().map_err(|e| classify(&e))?;
            let status = response.status();
            let retryable =
                status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if !retryable || attempt >= self.config.retries {
                return Ok((response, permit));
            }
            let wait = retry_after(response.headers())
                .unwrap_or(BACKOFF * 2u32.saturating_pow(attempt))
                .min(self.config.max_retry_wait);
            drop((response, permit));
            std::thread::sleep(wait);
            attempt += 1;
        }
    }
}

/// `Retry-After` in seconds (the HTTP-date form falls back to the backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    seconds.parse::<u64>().ok().map(Duration::from_secs)
}

/// Reads at most [`READ_LIMIT`] bytes and probes them.
fn read_body(response: Response, depth: ProbeDepth) -> Result<Body, Failure> {
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(media_type);
    let declared = response.content_length();
    if let Some(len) = declared.filter(|&n| n >= READ_LIMIT) {
        return Ok(Body {
            len,
            at_least: false,
            content_type,
            probe: None,
        });
    }
    let capacity = declared.unwrap_or(64 * 1024).min(READ_LIMIT);
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    response
        .take(READ_LIMIT)
        .read_to_end(&mut bytes)
        .map_err(|e| classify_read(&e))?;
    let len = bytes.len() as u64;
    if len >= READ_LIMIT {
        return Ok(Body {
            len,
            at_least: true,
            content_type,
            probe: None,
        });
    }
    Ok(Body {
        len,
        at_least: false,
        content_type,
        probe: Some(probe::probe(&bytes, depth)),
    })
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
        return failure;
    }
    if error.is_timeout() {
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
