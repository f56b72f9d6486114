//! Image URLs against a local HTTP server that each test starts on 127.0.0.1: what vft
//! reports for each thing a server can answer, retries, redirects, limits, the address
//! policy, the cache. Nothing here touches the internet.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

mod common;
#[path = "support/hostile.rs"]
mod hostile;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Write as _};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use vft::diagnostic::Diagnostic;
use vft::engine::Options;
use vft::fetch::guard::Lookup;
use vft::fetch::{Config, Download, Failure, Fetcher, NetworkVerdict, Outcome, Unverified};
use vft::target::Target;

/// What the server answers.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    delay: Duration,
    /// Send `Content-Length` (otherwise the body ends when the connection closes).
    length: bool,
    /// Send the body this many bytes at a time, pausing between them.
    pace: Option<(usize, Duration)>,
}

impl Reply {
    fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
            length: true,
            pace: None,
        }
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    fn image(name: &str, content_type: &str) -> Self {
        let bytes = std::fs::read(common::fixtures().join("images").join(name)).unwrap();
        Reply::new(200, bytes).header("Content-Type", content_type)
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HashMap<String, String>,
}

type Route = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A tiny threaded HTTP/1.1 server; `route` gets the request and how many times its path
/// was asked for (1 on the first request).
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(route: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let route: Arc<Route> = Arc::new(route);
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (route, log) = (Arc::clone(&route), Arc::clone(&log));
                std::thread::spawn(move || serve(stream, &*route, &log));
            }
        });
        Self { addr, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self, path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .count()
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, route: &Route, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let request = Seen { path, headers };
    let count = {
        let mut log = log.lock().unwrap();
        log.push(request.clone());
        log.iter().filter(|s| s.path == request.path).count()
    };
    let reply = route(&request, count);
    std::thread::sleep(reply.delay);
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    if reply.length {
        let _ = write!(head, "Content-Length: {}\r\n", reply.body.len());
    }
    for (name, value) in &reply.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let mut stream = stream;
    // The client may hang up early (a body over the limit): not an error here.
    let _ = stream.write_all(head.as_bytes());
    match reply.pace {
        None => {
            let _ = stream.write_all(&reply.body);
        }
        Some((size, pause)) => {
            for chunk in reply.body.chunks(size) {
                if stream
                    .write_all(chunk)
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
                std::thread::sleep(pause);
            }
        }
    }
}

/// The routes most tests use.
fn standard_routes(seen: &Seen, count: usize) -> Reply {
    match seen.path.as_str() {
        "/flaky.png" if count == 1 => Reply::new(500, "oops"),
        "/limited.png" if count == 1 => Reply::new(429, "slow down").header("Retry-After", "1"),
        "/rgb.png" | "/flaky.png" | "/limited.png" => Reply::image("rgb.png", "image/png"),
        "/rgb.jpg" => Reply::image("rgb.jpg", "image/jpeg"),
        // Four tiles: more than the least an image of unknown size is counted with.
        "/large.png" => {
            Reply::new(200, hostile::black_png(1024, &[])).header("Content-Type", "image/png")
        }
        "/gray.png" => Reply::image("gray.png", "image/png"),
        "/face.jpg" => Reply::image("faces/astronaut.jpg", "image/jpeg"),
        "/still.gif" => Reply::image("still.gif", "image/gif"),
        "/text-plain.png" => Reply::image("rgb.png", "text/plain"),
        "/page.html" => Reply::new(200, "<!doctype html><title>cat</title><img src=cat.png>")
            .header("Content-Type", "text/html; charset=utf-8"),
        "/forbidden.png" => Reply::new(403, "no"),
        "/always-503.png" => Reply::new(503, "down"),
        "/moved.png" => Reply::new(302, "").header("Location", "/gray.png"),
        "/loop-a" => Reply::new(301, "").header("Location", "/loop-b"),
        "/loop-b" => Reply::new(301, "").header("Location", "/loop-a"),
        "/to-metadata" => {
            Reply::new(302, "").header("Location", "http://169.254.169.254/latest/meta-data/")
        }
        "/to-file" => Reply::new(302, "").header("Location", "file:///etc/passwd"),
        path if path.starts_with("/chain/") => {
            let n: u32 = path["/chain/".len()..].parse().unwrap();
            Reply::new(302, "").header("Location", format!("/chain/{}", n + 1))
        }
        "/slow.png" => Reply {
            delay: Duration::from_secs(3),
            ..Reply::image("rgb.png", "image/png")
        },
        // 100 bytes, one every 200 ms: 20 s for the whole body.
        "/trickle.png" => Reply {
            pace: Some((1, Duration::from_millis(200))),
            ..Reply::new(200, vec![0x89; 100]).header("Content-Type", "image/png")
        },
        "/busy.png" => Reply::new(429, "later").header("Retry-After", "999999"),
        "/busy-1s.png" => Reply::new(429, "later").header("Retry-After", "1"),
        path if path.starts_with("/slow/") => Reply {
            delay: Duration::from_secs(3),
            ..Reply::image("rgb.png", "image/png")
        },
        // 4 MiB bodies sent in 256 KiB pieces, 20 ms apart (about 0.3 s each).
        path if path.starts_with("/4mib/") => {
            let mut body = b"\x89PNG\r\n\x1a\n".to_vec();
            body.resize(4 << 20, 0);
            Reply {
                pace: Some((256 << 10, Duration::from_millis(20))),
                ..Reply::new(200, body).header("Content-Type", "image/png")
            }
        }
        "/huge.png" => huge(true),
        "/huge-unannounced.png" => huge(false),
        _ => Reply::new(404, "not found"),
    }
}

/// A PNG signature followed by 11 MB of zeros.
fn huge(length: bool) -> Reply {
    let mut body = b"\x89PNG\r\n\x1a\n".to_vec();
    body.resize(11_000_000, 0);
    Reply {
        length,
        ..Reply::new(200, body).header("Content-Type", "image/png")
    }
}

/// A valid example whose one image has `url`.
fn line(url: &str) -> String {
    serde_json::json!({"messages": [
        {"role": "system", "content": "Describe the image."},
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]},
        {"role": "assistant", "content": "A square."},
    ]})
    .to_string()
}

/// A file of one example per URL, padded to 10 examples with text-only ones.
fn jsonl(urls: &[String]) -> tempfile::NamedTempFile {
    let mut lines: Vec<String> = urls.iter().map(|u| line(u)).collect();
    while lines.len() < 10 {
        lines.push(
            serde_json::json!({"messages": [
                {"role": "system", "content": "s"},
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "hello"},
            ]})
            .to_string(),
        );
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), lines.join("\n") + "\n").unwrap();
    file
}

fn test_config() -> Config {
    Config {
        allow_private: true,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(10),
        ..Config::default()
    }
}

/// Checks `urls` through the library with `config`; the diagnostics about images.
fn check_urls(urls: &[String], config: Config) -> Vec<Diagnostic> {
    let file = jsonl(urls);
    let options = Options {
        fetch: config,
        online: true,
        ..Options::new(Target::OpenAi)
    };
    let (diagnostics, _) = common::check_file_with(file.path(), &options, 2);
    diagnostics
        .into_iter()
        .filter(|d| d.rule.code.starts_with("VFT2") || d.rule.code.starts_with("VFT4"))
        .collect()
}

/// The one diagnostic for a single URL.
fn only(server: &Server, path: &str) -> Diagnostic {
    let diagnostics = check_urls(&[server.url(path)], test_config());
    assert_eq!(diagnostics.len(), 1, "{}", common::concise(&diagnostics));
    diagnostics.into_iter().next().unwrap()
}

#[test]
fn good_png_and_jpeg_pass() {
    let server = Server::start(standard_routes);
    let diagnostics = check_urls(
        &[server.url("/rgb.png"), server.url("/rgb.jpg")],
        test_config(),
    );
    assert!(diagnostics.is_empty(), "{}", common::concise(&diagnostics));
    assert_eq!((server.hits("/rgb.png"), server.hits("/rgb.jpg")), (1, 1));
}

#[test]
fn a_grayscale_png_behind_a_url_gets_the_colour_mode_rule() {
    let server = Server::start(standard_routes);
    let d = only(&server, "/gray.png");
    assert_eq!(d.rule.code, "VFT213");
    assert_eq!(
        d.full_message(),
        format!(
            "image URL `{}`: PNG image is in mode `L` (grayscale), not RGB or RGBA",
            server.url("/gray.png")
        )
    );
    assert_eq!(d.location.line, Some(1));
    assert_eq!(
        d.location
            .pointer
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("/messages/1/content/0/image_url/url")
    );
    assert!(d.location.column.is_some());
}

#[test]
fn a_gif_is_an_unsupported_format() {
    let server = Server::start(standard_routes);
    let d = only(&server, "/still.gif");
    assert_eq!(d.rule.code, "VFT211");
    assert!(
        d.message.ends_with("image is GIF, not JPEG, PNG or WEBP"),
        "{}",
        d.message
    );
}

#[test]
fn error_statuses_name_the_status() {
    let server = Server::start(standard_routes);
    for (path, status) in [
        ("/missing.png", "404 Not Found"),
        ("/forbidden.png", "403 Forbidden"),
    ] {
        let d = only(&server, path);
        assert_eq!(d.rule.code, "VFT217");
        assert_eq!(
            d.message,
            format!("image URL `{}` returns HTTP {status}", server.url(path))
        );
        assert!(d.help.as_deref().unwrap().contains("data URI"));
    }
    // 4xx other than 429 are not retried.
    assert_eq!(server.hits("/forbidden.png"), 1);
}

#[test]
fn a_500_is_retried_and_the_second_answer_counts() {
    let server = Server::start(standard_routes);
    let diagnostics = check_urls(&[server.url("/flaky.png")], test_config());
    assert!(diagnostics.is_empty(), "{}", common::concise(&diagnostics));
    assert_eq!(server.hits("/flaky.png"), 2);
}

#[test]
fn a_5xx_that_persists_is_reported_after_the_retries() {
    let server = Server::start(standard_routes);
    let config = Config {
        retries: 2,
        ..test_config()
    };
    let diagnostics = check_urls(&[server.url("/always-503.png")], config);
    assert_eq!(diagnostics.len(), 1);
    assert!(
        diagnostics[0]
            .message
            .ends_with("returns HTTP 503 Service Unavailable")
    );
    assert_eq!(server.hits("/always-503.png"), 3);
}

#[test]
fn a_429_waits_as_long_as_retry_after_says() {
    let server = Server::start(standard_routes);
    let started = Instant::now();
    let diagnostics = check_urls(&[server.url("/limited.png")], test_config());
    assert!(diagnostics.is_empty(), "{}", common::concise(&diagnostics));
    assert_eq!(server.hits("/limited.png"), 2);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[test]
fn redirects_are_followed_and_bounded() {
    let server = Server::start(standard_routes);
    // The target of the redirect is what gets checked.
    let d = only(&server, "/moved.png");
    assert_eq!(d.rule.code, "VFT213");
    assert_eq!(server.hits("/gray.png"), 1);

    let d = only(&server, "/loop-a");
    assert_eq!(d.rule.code, "VFT217");
    assert!(d.message.ends_with("redirects in a loop"), "{}", d.message);

    let d = only(&server, "/chain/0");
    assert!(
        d.message.ends_with("redirects more than 10 times"),
        "{}",
        d.message
    );
    assert_eq!(server.hits("/chain/11"), 0);
}

#[test]
fn redirects_are_checked_by_the_address_policy_and_scheme() {
    let server = Server::start(standard_routes);
    // Even with private addresses allowed (the server is on 127.0.0.1), metadata is not.
    let d = only(&server, "/to-metadata");
    assert_eq!(d.rule.code, "VFT218");
    assert!(
        d.message.contains("the cloud metadata address"),
        "{}",
        d.message
    );
    let d = only(&server, "/to-file");
    assert_eq!(d.rule.code, "VFT217");
    assert!(
        d.message
            .ends_with("redirects to a `file:` URL, not http(s)"),
        "{}",
        d.message
    );
}

#[test]
fn a_response_slower_than_the_timeout_is_reported() {
    let server = Server::start(standard_routes);
    let config = Config {
        timeout: Duration::from_millis(500),
        ..test_config()
    };
    let started = Instant::now();
    let diagnostics = check_urls(&[server.url("/slow.png")], config);
    assert_eq!(diagnostics.len(), 1);
    assert!(
        diagnostics[0]
            .message
            .ends_with("cannot be fetched: the request timed out"),
        "{}",
        diagnostics[0].message
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn a_body_over_10_mib_is_too_large_and_not_read_past_the_limit() {
    let server = Server::start(standard_routes);
    let d = only(&server, "/huge.png");
    assert_eq!(d.rule.code, "VFT206");
    assert!(
        d.message
            .contains("image is 11,000,000 bytes, over the 10 MB limit"),
        "{}",
        d.message
    );
    // Without Content-Length, the read stops one byte past the limit.
    let d = only(&server, "/huge-unannounced.png");
    assert_eq!(d.rule.code, "VFT206");
    assert!(
        d.message.contains("image is over 10,485,760 bytes"),
        "{}",
        d.message
    );
}

#[test]
fn an_html_page_is_not_an_image() {
    let server = Server::start(standard_routes);
    let d = only(&server, "/page.html");
    assert_eq!(d.rule.code, "VFT211");
    assert!(
        d.message
            .ends_with("response is an HTML page (`text/html`), not an image"),
        "{}",
        d.message
    );
}

#[test]
fn image_bytes_with_a_wrong_content_type_are_a_warning() {
    let server = Server::start(standard_routes);
    let d = only(&server, "/text-plain.png");
    assert_eq!(d.rule.code, "VFT212");
    assert_eq!(d.severity, vft::diagnostic::Severity::Warning);
    assert!(
        d.message
            .ends_with("response says `Content-Type`: `text/plain` but the bytes are PNG")
    );
}

#[test]
fn a_refused_connection_is_reported() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let diagnostics = check_urls(&[format!("http://127.0.0.1:{port}/a.png")], test_config());
    assert_eq!(diagnostics.len(), 1);
    assert!(
        diagnostics[0]
            .message
            .ends_with("the connection was refused"),
        "{}",
        diagnostics[0].message
    );
}

#[test]
fn identical_urls_are_fetched_once() {
    let server = Server::start(standard_routes);
    let url = server.url("/gray.png");
    let diagnostics = check_urls(&vec![url; 5], test_config());
    // Each line still gets its diagnostic, in line order.
    let lines: Vec<_> = diagnostics
        .iter()
        .map(|d| d.location.line.unwrap())
        .collect();
    assert_eq!(lines, [1, 2, 3, 4, 5]);
    assert_eq!(server.hits("/gray.png"), 1);
}

fn vft() -> Command {
    Command::cargo_bin("vft").unwrap()
}

fn json_lines(output: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn codes(values: &[Value]) -> Vec<&str> {
    values
        .iter()
        .filter(|v| v["type"] == "diagnostic")
        .map(|v| v["code"].as_str().unwrap())
        .collect()
}

#[test]
fn without_the_flag_no_request_reaches_a_private_address() {
    let server = Server::start(standard_routes);
    let file = jsonl(&[
        server.url("/rgb.png"),
        format!("http://localhost:{}/rgb.png", server.addr.port()),
    ]);
    let output = vft()
        .args(["check", "--no-cache", "--format", "json"])
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let values = json_lines(&output.stdout);
    assert_eq!(codes(&values), ["VFT218", "VFT218"]);
    assert!(
        values[0]["message"]
            .as_str()
            .unwrap()
            .contains("is a loopback address")
    );
    assert!(server.requests().is_empty());
}

#[test]
fn the_metadata_address_is_refused_even_with_the_flag() {
    let file =
        jsonl(&["http://169.254.169.254/latest/meta-data/iam/security-credentials/".to_owned()]);
    let output = vft()
        .args([
            "check",
            "--no-cache",
            "--allow-private-urls",
            "--format",
            "json",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(codes(&json_lines(&output.stdout)), ["VFT218"]);
}

#[test]
fn the_cli_fetches_with_the_flag_and_its_timeouts() {
    let server = Server::start(standard_routes);
    let file = jsonl(&[
        server.url("/gray.png"),
        server.url("/slow.png"),
        server.url("/rgb.png"),
    ]);
    let output = vft()
        .args([
            "check",
            "--no-cache",
            "--allow-private-urls",
            "--fetch-timeout",
            "0.5",
        ])
        .args(["--fetch-jobs", "2", "--format", "json"])
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let values = json_lines(&output.stdout);
    assert_eq!(codes(&values), ["VFT213", "VFT217"]);
    assert_eq!(values[1]["location"]["line"], 2);
    // No progress bar when stderr is not a terminal.
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn offline_sends_nothing_and_counts_the_urls() {
    let server = Server::start(standard_routes);
    let file = jsonl(&[
        server.url("/gray.png"),
        server.url("/rgb.png"),
        "https://example.com/a.png".to_owned(),
    ]);
    let output = vft()
        .args([
            "check",
            "--offline",
            "--allow-private-urls",
            "--format",
            "json",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let values = json_lines(&output.stdout);
    assert_eq!(codes(&values), ["VFT210"]);
    assert!(
        values[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("3 image URLs not fetched")
    );
    assert!(server.requests().is_empty());
}

#[test]
fn the_cache_revalidates_instead_of_downloading_again() {
    let etag = "\"v1\"";
    let server = Server::start(move |seen, _| {
        if seen.headers.get("if-none-match").map(String::as_str) == Some(etag) {
            return Reply::new(304, "");
        }
        match seen.path.as_str() {
            "/gray.png" => Reply::image("gray.png", "image/png").header("ETag", etag),
            _ => Reply::image("rgb.png", "image/png")
                .header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
        }
    });
    let cache = tempfile::tempdir().unwrap();
    let run = |cache: &Path| {
        let file = jsonl(&[server.url("/gray.png"), server.url("/rgb.png")]);
        let output = vft()
            .args([
                "check",
                "--allow-private-urls",
                "--format",
                "json",
                "--cache-dir",
            ])
            .arg(cache)
            .arg(file.path())
            .output()
            .unwrap();
        codes(&json_lines(&output.stdout))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let first = run(cache.path());
    assert_eq!(first, ["VFT213"]);
    let second = run(cache.path());
    assert_eq!(second, first);
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    // The second run sent the validators back and got 304 for the ETag one.
    let again: Vec<_> = requests.iter().skip(2).collect();
    assert!(again.iter().any(|r| r.path == "/gray.png"
        && r.headers.get("if-none-match").map(String::as_str) == Some(etag)));
    assert!(
        again
            .iter()
            .any(|r| r.path == "/rgb.png" && r.headers.contains_key("if-modified-since"))
    );

    // A corrupt cache is ignored, never fatal.
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"\0garbage").unwrap();
    }
    assert_eq!(run(cache.path()), ["VFT213"]);
}

/// Azure fails a file with more than 200 examples whose images are skipped; images behind
/// URLs that cannot be fetched count, once per example.
#[test]
fn unreachable_urls_count_toward_azures_skipped_examples_limit() {
    let server = Server::start(standard_routes);
    let check = |missing: usize| {
        let urls: Vec<String> = (0..missing)
            .map(|i| server.url(&format!("/missing-{i}.png")))
            .collect();
        let file = jsonl(&urls);
        let options = Options {
            fetch: test_config(),
            online: true,
            ..Options::new(Target::Azure)
        };
        let (diagnostics, _) = common::check_file_with(file.path(), &options, 2);
        diagnostics
            .iter()
            .filter(|d| d.rule.code == "VFT405")
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(check(200), Vec::<String>::new());
    let over = check(201);
    assert_eq!(over.len(), 1);
    assert!(
        over[0].starts_with("201 examples have images Azure will skip (lines 1, 2, 3,"),
        "{}",
        over[0]
    );
}

/// A fetched image's real size replaces the minimum its example was counted with while
/// the size was unknown, in `vft check`'s token figures.
#[test]
fn fetched_images_count_their_real_image_tokens() {
    use vft::tokens::Model;
    use vft::tokens::image::{Detail, image_tokens, unknown_bounds};

    let server = Server::start(standard_routes);
    let file = jsonl(&[server.url("/large.png")]);
    let tokens_with = |flags: &[&str]| {
        let output = vft()
            .args([
                "check",
                "--no-cache",
                "--allow-private-urls",
                "--format",
                "json",
            ])
            .args(flags)
            .arg(file.path())
            .output()
            .unwrap();
        json_lines(&output.stdout).pop().unwrap()["tokens"].clone()
    };
    let offline = tokens_with(&["--offline"]);
    let fetched = tokens_with(&[]);

    let (width, height) = (1024, 1024);
    // No `detail`: auto, counted as high.
    let real = image_tokens(width, height, Detail::Auto, Model::Gpt4o);
    let bounds = unknown_bounds(Detail::Auto, Model::Gpt4o);
    let minimum = bounds.least;
    assert!(real > minimum, "{width}×{height}: {real}");
    assert_eq!(offline["images_unknown"], 1);
    assert_eq!(fetched["images_unknown"], 0);
    assert_eq!(offline["image"].as_u64().unwrap(), u64::from(minimum));
    assert_eq!(fetched["image"].as_u64().unwrap(), u64::from(real));
    assert_eq!(
        fetched["total"].as_u64().unwrap() - offline["total"].as_u64().unwrap(),
        u64::from(real - minimum)
    );
    // Offline the figures are a range up to the largest image; fetched, one figure.
    let figure = |tokens: &Value, key: &str| tokens[key].as_u64().unwrap();
    assert_eq!(offline["images_unfetched"], 1);
    assert_eq!(
        figure(&offline, "total_high") - figure(&offline, "total"),
        u64::from(bounds.headroom())
    );
    assert_eq!(fetched["images_unfetched"], 0);
    assert_eq!(figure(&fetched, "total_high"), figure(&fetched, "total"));
    assert_eq!(figure(&fetched, "billed_high"), figure(&fetched, "billed"));
}

/// `vft stats` fetches image URLs too: the example's record waits for the fetch, so it
/// carries the image's real tokens, and the records stay in line order.
#[test]
fn stats_records_carry_fetched_image_sizes_in_line_order() {
    let server = Server::start(standard_routes);
    let file = jsonl(&[server.url("/large.png"), server.url("/missing.png")]);
    let records = |flags: &[&str]| {
        let output = vft()
            .args([
                "stats",
                "--format",
                "json",
                "--no-cache",
                "--allow-private-urls",
            ])
            .args(flags)
            .arg(file.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        json_lines(&output.stdout)
    };
    let offline = records(&["--offline"]);
    let fetched = records(&[]);
    let lines: Vec<u64> = fetched[..10]
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, (1..=10).collect::<Vec<_>>());
    // Line 1's image was fetched; line 2's is a 404, still of unknown size.
    assert_eq!(offline[0]["tokens"]["unknown_images"], 1);
    assert_eq!(fetched[0]["tokens"]["unknown_images"], 0);
    assert_eq!(fetched[1]["tokens"]["unknown_images"], 1);
    let image = |r: &Value| r["tokens"]["image"].as_u64().unwrap();
    assert!(image(&fetched[0]) > image(&offline[0]));
    assert_eq!(image(&fetched[1]), image(&offline[1]));
    // Offline each URL may cost up to the largest image. Fetched, the first has its size
    // and the 404 is skipped by the platform: no range is left.
    let total = |r: &Value, key: &str| r["tokens"][key].as_u64().unwrap();
    assert!(total(&offline[0], "total_high") > total(&offline[0], "total"));
    assert_eq!(offline[1]["tokens"]["unfetched_images"], 1);
    for record in &fetched[..2] {
        assert_eq!(record["tokens"]["unfetched_images"], 0);
        assert_eq!(total(record, "total_high"), total(record, "total"));
    }
    let totals = &fetched[10];
    assert_eq!(totals["type"], "totals");
    let sum: u64 = fetched[..10]
        .iter()
        .map(|r| r["tokens"]["total"].as_u64().unwrap())
        .sum();
    assert_eq!(totals["total"].as_u64().unwrap(), sum);
    assert_eq!(totals["images_unknown"], 1);
}

/// A resolver for tests: names it knows resolve to their address, after `delay`; every
/// other name fails as a resolver with no DNS server does. It never asks the system.
#[derive(Debug, Default)]
struct FakeDns {
    hosts: HashMap<String, IpAddr>,
    delay: Duration,
    asked: AtomicUsize,
}

impl Lookup for FakeDns {
    fn lookup(&self, host: &str) -> io::Result<Vec<IpAddr>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        match self.hosts.get(host) {
            Some(&ip) => Ok(vec![ip]),
            None => Err(io::Error::other("Temporary failure in name resolution")),
        }
    }
}

fn with_dns(dns: &Arc<FakeDns>, config: Config) -> Config {
    Config {
        lookup: Arc::clone(dns) as Arc<dyn Lookup>,
        ..config
    }
}

fn closed_port() -> u16 {
    // Bound then dropped: nothing listens there any more.
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_body_that_trickles_in_costs_the_timeout_not_its_length() {
    let server = Server::start(standard_routes);
    let fetcher = Fetcher::new(Config {
        timeout: Duration::from_secs(1),
        ..test_config()
    });
    let started = Instant::now();
    let outcome = fetcher.wait(&server.url("/trickle.png"));
    let took = started.elapsed();
    eprintln!("trickling body, timeout 1 s: {took:?}");
    assert_eq!(*outcome, Outcome::Failed(Failure::Timeout));
    // The body takes 20 s; the timeout plus one gap between bytes is what it may cost.
    assert!(took < Duration::from_millis(1_900), "{took:?}");
}

#[test]
fn a_retry_after_beyond_what_is_left_is_not_waited_for() {
    let server = Server::start(standard_routes);
    let fetcher = Fetcher::new(test_config());
    let started = Instant::now();
    let outcome = fetcher.wait(&server.url("/busy.png"));
    let took = started.elapsed();
    eprintln!("429 with Retry-After 999999: {took:?}");
    assert_eq!(*outcome, Outcome::Failed(Failure::Status(429)));
    assert_eq!(server.hits("/busy.png"), 1);
    assert!(took < Duration::from_secs(2), "{took:?}");

    // Waits add up to `max_retry_wait` per URL, whatever the number of retries.
    let fetcher = Fetcher::new(Config {
        retries: 10,
        max_retry_wait: Duration::from_millis(2_500),
        ..test_config()
    });
    let started = Instant::now();
    let outcome = fetcher.wait(&server.url("/busy-1s.png"));
    assert_eq!(*outcome, Outcome::Failed(Failure::Status(429)));
    assert_eq!(server.hits("/busy-1s.png"), 3);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

#[test]
fn urls_left_when_the_fetch_budget_ends_are_not_verified() {
    let server = Server::start(standard_routes);
    let fetcher = Fetcher::new(Config {
        budget: Some(Duration::from_secs(1)),
        jobs: 2,
        ..test_config()
    });
    let fast = server.url("/rgb.png");
    assert!(matches!(*fetcher.wait(&fast), Outcome::Body(_)));
    let slow: Vec<String> = (0..20).map(|i| server.url(&format!("/slow/{i}"))).collect();
    let started = Instant::now();
    for url in &slow {
        fetcher.submit(url);
    }
    for url in &slow {
        assert_eq!(
            *fetcher.wait(url),
            Outcome::NotVerified(Unverified::Budget),
            "{url}"
        );
    }
    let took = started.elapsed();
    eprintln!("20 URLs of 3 s each, 2 threads, budget 1 s: {took:?}");
    assert!(took < Duration::from_millis(2_500), "{took:?}");
    // The next file gets a budget of its own.
    fetcher.begin_file();
    assert!(matches!(
        *fetcher.wait(&server.url("/rgb.jpg")),
        Outcome::Body(_)
    ));
}

#[test]
fn a_refused_host_fails_fast_for_every_url_and_the_network_is_up() {
    let port = closed_port();
    let fetcher = Fetcher::new(test_config());
    let urls: Vec<String> = (0..1_000)
        .map(|i| format!("http://127.0.0.1:{port}/{i}.png"))
        .collect();
    let started = Instant::now();
    for url in &urls {
        fetcher.submit(url);
    }
    for url in &urls {
        assert_eq!(
            *fetcher.wait(url),
            Outcome::Failed(Failure::Refused),
            "{url}"
        );
    }
    eprintln!("1,000 URLs on a refused port: {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(5));
    // A refusal is an answer: the URLs are broken, the network is not.
    assert_eq!(fetcher.network(), NetworkVerdict::Reachable);
}

#[test]
fn without_dns_every_url_is_not_verified_after_one_lookup_per_host() {
    let dns = Arc::new(FakeDns {
        delay: Duration::from_millis(500),
        ..FakeDns::default()
    });
    let fetcher = Fetcher::new(with_dns(&dns, test_config()));
    let urls: Vec<String> = (0..1_000)
        .map(|i| format!("https://host-{}.example/{i}.png", i % 5))
        .collect();
    let started = Instant::now();
    for url in &urls {
        fetcher.submit(url);
    }
    for url in &urls {
        assert_eq!(
            *fetcher.wait(url),
            Outcome::NotVerified(Unverified::NoNetwork),
            "{url}"
        );
    }
    let took = started.elapsed();
    eprintln!("1,000 URLs on 5 hosts, no DNS (0.5 s per lookup): {took:?}");
    // One wait per host, not one per URL (1,000 × 0.5 s / 64 threads would be 8 s).
    assert_eq!(dns.asked.load(Ordering::SeqCst), 5);
    assert!(took < Duration::from_secs(3), "{took:?}");
    let NetworkVerdict::Unreachable(evidence) = fetcher.network() else {
        panic!("{:?}", fetcher.network());
    };
    assert_eq!(evidence.hosts, 5);
    assert!(evidence.host.starts_with("host-"), "{evidence}");
    assert!(matches!(evidence.failure, Failure::Dns(_)));
}

#[test]
fn a_dead_host_among_live_ones_is_a_broken_url_not_a_dead_network() {
    let server = Server::start(standard_routes);
    let dns = Arc::new(FakeDns {
        hosts: HashMap::from([("up.example".to_owned(), IpAddr::V4(Ipv4Addr::LOCALHOST))]),
        ..FakeDns::default()
    });
    let fetcher = Fetcher::new(with_dns(&dns, test_config()));
    let port = server.addr.port();
    let dead = "http://down.example/a.png";
    let missing = format!("http://up.example:{port}/missing.png");
    let good = format!("http://up.example:{port}/rgb.png");
    for url in [dead, &missing, &good] {
        fetcher.submit(url);
    }
    assert_eq!(
        *fetcher.wait(dead),
        Outcome::Failed(Failure::Dns("down.example".to_owned()))
    );
    assert_eq!(
        *fetcher.wait(&missing),
        Outcome::Failed(Failure::Status(404))
    );
    assert!(matches!(*fetcher.wait(&good), Outcome::Body(_)));
    assert_eq!(fetcher.network(), NetworkVerdict::Reachable);
    // Per-URL failures do not condemn their host.
    assert_eq!(server.hits("/missing.png"), 1);
    assert_eq!(server.hits("/rgb.png"), 1);
}

#[test]
fn urls_refused_before_any_connection_make_no_network_verdict() {
    let fetcher = Fetcher::new(test_config());
    let started = Instant::now();
    for i in 0..1_000 {
        let url = format!("https://cdn-{i}.invalid/a.png");
        assert_eq!(
            *fetcher.wait(&url),
            Outcome::Failed(Failure::Dns(format!("cdn-{i}.invalid")))
        );
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(fetcher.network(), NetworkVerdict::Untried);
}

#[test]
fn no_network_urls_count_as_not_fetched_in_the_report() {
    let dns = Arc::new(FakeDns::default());
    let urls: Vec<String> = (0..3)
        .map(|i| format!("https://img.example/{i}.png"))
        .collect();
    let diagnostics = check_urls(&urls, with_dns(&dns, test_config()));
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["VFT210"], "{}", common::concise(&diagnostics));
    // Why, and what to do: not `--offline`, which was not given.
    assert!(
        diagnostics[0]
            .message
            .starts_with("3 image URLs not fetched (the network cannot be reached)"),
        "{}",
        diagnostics[0].message
    );
    let help = diagnostics[0].help.as_deref().unwrap();
    assert!(help.contains("pass `--offline`"), "{help}");
}

#[test]
fn bodies_in_flight_stay_within_the_byte_budget() {
    let server = Server::start(standard_routes);
    let fetcher = Fetcher::new(Config {
        // The floor: one body at the read limit (10 MiB + 1), so two 4 MiB bodies.
        body_bytes: 0,
        jobs: 12,
        ..test_config()
    });
    let urls: Vec<String> = (0..12).map(|i| server.url(&format!("/4mib/{i}"))).collect();
    for url in &urls {
        fetcher.submit(url);
    }
    for url in &urls {
        let outcome = fetcher.wait(url);
        let Outcome::Body(body) = &*outcome else {
            panic!("{url}: {outcome:?}");
        };
        assert_eq!(body.len, 4 << 20);
    }
    let peak = fetcher.peak_body_bytes();
    eprintln!("12 bodies of 4 MiB, budget 10 MiB: peak {peak} bytes reserved");
    assert!(peak >= 4 << 20, "{peak}");
    assert!(peak <= vft::fetch::READ_LIMIT, "{peak}");
}

/// Bodies kept for their bytes (`vft fix --inline-urls`) are held until taken: they take
/// the budget in ticket order, so taking them in that order never waits for ever, and the
/// bodies held at once stay within the budget however many are queued.
#[test]
fn kept_bodies_are_read_in_turn_within_the_byte_budget() {
    let server = Server::start(standard_routes);
    let budget = 2 * vft::fetch::READ_LIMIT;
    let fetcher = Fetcher::new(Config {
        body_bytes: budget,
        jobs: 12,
        ..test_config()
    });
    let tickets: Vec<_> = (0..12)
        .map(|i| fetcher.submit_bytes(&server.url(&format!("/4mib/{i}"))))
        .collect();
    // The worker that takes them is slower than the fetch threads.
    for ticket in tickets {
        let Download::Bytes(whole) = fetcher.take_bytes(ticket) else {
            panic!("no bytes");
        };
        assert_eq!(whole.bytes().len(), 4 << 20);
        assert_eq!(&whole.bytes()[..4], b"\x89PNG");
        std::thread::sleep(Duration::from_millis(50));
    }
    let peak = fetcher.peak_body_bytes();
    assert!(peak > 4 << 20, "{peak}");
    assert!(peak <= budget, "{peak}");
    // A URL that gives no image says why.
    let missing = fetcher.submit_bytes(&server.url("/missing.png"));
    assert!(matches!(
        fetcher.take_bytes(missing),
        Download::Outcome(Outcome::Failed(Failure::Status(404)))
    ));
}

/// A run that ends before taking its bodies (an output error) does not wait for them.
#[test]
fn dropping_the_fetcher_with_bodies_untaken_ends_at_once() {
    let server = Server::start(standard_routes);
    let fetcher = Fetcher::new(Config {
        body_bytes: 0,
        jobs: 8,
        ..test_config()
    });
    let first = fetcher.submit_bytes(&server.url("/4mib/a"));
    for i in 0..8 {
        fetcher.submit_bytes(&server.url(&format!("/4mib/{i}")));
    }
    // One body is read and held; the next ones wait for the budget it holds.
    let held = fetcher.take_bytes(first);
    let started = Instant::now();
    drop(fetcher);
    drop(held);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn metadata_addresses_are_never_connected_to_even_by_name() {
    let metadata = [
        "169.254.169.254",
        "169.254.170.2",
        "100.100.100.200",
        "168.63.129.16",
        "192.0.0.192",
        "fd00:ec2::254",
        "fd20:ce::254",
        "fe80::a9fe:a9fe",
    ];
    let dns = Arc::new(FakeDns {
        hosts: metadata
            .iter()
            .enumerate()
            .map(|(i, ip)| (format!("rebind-{i}.example"), ip.parse().unwrap()))
            .collect(),
        ..FakeDns::default()
    });
    let fetcher = Fetcher::new(with_dns(&dns, test_config()));
    for (i, ip) in metadata.iter().enumerate() {
        let literal = if ip.contains(':') {
            format!("http://[{ip}]/latest/meta-data/")
        } else {
            format!("http://{ip}/latest/meta-data/")
        };
        for url in [
            literal,
            format!("http://rebind-{i}.example/latest/meta-data/"),
        ] {
            let outcome = fetcher.wait(&url);
            assert!(
                matches!(&*outcome, Outcome::Failed(Failure::NotPublic(_))),
                "{url}: {outcome:?}"
            );
        }
    }
    // Refused before any connection: nothing was tried.
    assert_eq!(fetcher.network(), NetworkVerdict::Untried);
}

#[test]
fn numeric_fetch_flags_have_upper_bounds() {
    let file = jsonl(&[]);
    for flags in [
        &["-j", "100000"][..],
        &["--fetch-retries", "100000"],
        &["--fetch-jobs", "100000"],
        &["--fetch-per-host", "5000"],
        &["--fetch-timeout", "999999"],
        &["--connect-timeout", "999999"],
        &["--fetch-budget", "0"],
    ] {
        let output = vft()
            .arg("check")
            .args(flags)
            .arg(file.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flags:?}");
    }
}

/// Without network, `vft check` reports no URL as broken: the URLs count as not verified
/// (as with `--offline`) and the run records once that it could not do the check (exit 2).
#[test]
fn without_network_urls_are_not_verified_and_the_check_cannot_be_done() {
    let dns = Arc::new(FakeDns::default());
    let urls: Vec<String> = (0..30)
        .map(|i| format!("https://cdn-{}.example/{i}.png", i % 3))
        .collect();
    let file = jsonl(&urls);
    let options = Options {
        fetch: with_dns(&dns, test_config()),
        online: true,
        ..Options::new(Target::OpenAi)
    };
    let (diagnostics, summary) = common::check_file_with(file.path(), &options, 2);
    assert!(
        !diagnostics.iter().any(|d| d.rule.code == "VFT217"),
        "{}",
        common::concise(&diagnostics)
    );
    let unverified: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.rule.code == "VFT210")
        .collect();
    assert_eq!(unverified.len(), 1, "{}", common::concise(&diagnostics));
    assert!(unverified[0].message.starts_with("30 image URLs"));
    assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
    assert!(
        summary.failures[0].starts_with("cannot reach the network")
            && summary.failures[0].contains("30 image URLs")
            && summary.failures[0].contains("--offline"),
        "{}",
        summary.failures[0]
    );
}

#[test]
fn the_forecast_counts_url_skips_and_screens_fetched_faces() {
    let server = Server::start(standard_routes);
    let file = jsonl(&[
        server.url("/rgb.jpg"),
        server.url("/missing.png"),
        server.url("/face.jpg"),
        server.url("/gray.png"),
    ]);
    let output = vft()
        .args(["check", "--no-cache", "--allow-private-urls"])
        .args(["--faces", "on", "--format", "json"])
        .arg(file.path())
        .output()
        .unwrap();
    let (status, diagnostics, summary) = common::json_records(&output);
    assert_eq!(status, 1);
    assert_eq!(codes(&diagnostics), ["VFT217", "VFT220", "VFT213"]);
    // The face rule names the URL and where the face is.
    let face = diagnostics[1]["message"].as_str().unwrap();
    assert!(
        face.contains("/face.jpg") && face.contains("score"),
        "{face}"
    );
    let forecast = &summary["forecast"];
    assert_eq!(forecast["examples_with_images"], 4);
    assert_eq!(forecast["keep_all_images"], 1);
    assert_eq!(forecast["lose_all_images"], 3);
    let reasons = &forecast["images_skipped_by_reason"];
    assert_eq!(
        [&reasons["url"], &reasons["face"], &reasons["mode"]],
        [1, 1, 1]
    );
    assert_eq!(forecast["azure_skip_threshold"]["certain"], 2);
    assert_eq!(forecast["azure_skip_threshold"]["probable"], 1);
    assert_eq!(forecast["images_unverified"], 0);
}

/// A fetch's finding shows the line with the URL underlined, as every other finding does
/// (the line is gone when the fetch ends: its excerpt is kept with the URL).
#[test]
fn url_findings_show_the_line_with_the_url_underlined() {
    let server = Server::start(standard_routes);
    let d = only(&server, "/page.html");
    let snippet = d.snippet.as_ref().expect("a URL finding has an excerpt");
    assert_eq!(
        &snippet.text[snippet.span.clone()],
        format!("\"{}\"", server.url("/page.html"))
    );
    let file = jsonl(&[server.url("/page.html")]);
    let output = vft()
        .args([
            "check",
            "--no-cache",
            "--allow-private-urls",
            "--color",
            "never",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let at = text.find("VFT211").unwrap_or_else(|| panic!("{text}"));
    let report = &text[at..text[at..].find("help:").map_or(text.len(), |end| at + end)];
    let url = server.url("/page.html");
    assert!(
        report.contains(&format!("{{\"url\":\"{url}\"}}")),
        "{report}"
    );
    assert!(
        report.contains("/messages/1/content/0/image_url/url"),
        "{report}"
    );
}
