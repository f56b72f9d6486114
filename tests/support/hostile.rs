//! Shared by `tests/hostile.rs` and `tests/hostile_memory.rs`: generators for hostile inputs
//! and a runner that measures the child's peak memory.
#![allow(clippy::unwrap_used, dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::ZlibEncoder;

/// What one run of vft did.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
    /// Peak resident memory of the child (VmHWM), in bytes.
    pub(crate) peak_rss: u64,
    pub(crate) elapsed: Duration,
}

impl Run {
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Exit code 0 or 1 (a verdict), and no panic.
    pub(crate) fn assert_verdict(&self) {
        assert!(
            matches!(self.code, Some(0 | 1)),
            "exit {:?}, stderr: {}",
            self.code,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
    }

    #[allow(clippy::print_stderr)]
    pub(crate) fn assert_peak_under(&self, mib: u64) {
        // Shown with `--nocapture`: the measured figures the README and notes quote.
        eprintln!(
            "peak RSS {} MiB (bound {mib} MiB), {:.1} s",
            self.peak_rss >> 20,
            self.elapsed.as_secs_f64()
        );
        assert!(
            self.peak_rss < mib << 20,
            "peak RSS {} MiB, bound {mib} MiB",
            self.peak_rss >> 20
        );
    }
}

/// What a run's standard input is fed.
pub(crate) enum Feed {
    Bytes(Vec<u8>),
    /// `len` copies of `byte`, written a chunk at a time: gigabytes of input cost the test
    /// process a megabyte, not the gigabytes.
    Repeated {
        byte: u8,
        len: usize,
    },
}

impl Feed {
    fn write_to(self, pipe: &mut impl std::io::Write) -> std::io::Result<()> {
        match self {
            Feed::Bytes(data) => pipe.write_all(&data),
            Feed::Repeated { byte, len } => {
                let chunk = vec![byte; len.min(1 << 20)];
                let mut left = len;
                while left > 0 {
                    let n = left.min(chunk.len());
                    pipe.write_all(&chunk[..n])?;
                    left -= n;
                }
                Ok(())
            }
        }
    }
}

/// Runs vft with `args` in `dir`, feeding `stdin`, and samples `/proc/<pid>/status` for
/// the peak resident set (VmHWM only grows, so the last sample is the peak up to then).
pub(crate) fn run_vft(
    args: &[&str],
    dir: &Path,
    stdin: Option<Vec<u8>>,
    envs: &[(&str, &str)],
) -> Run {
    run_vft_fed(args, dir, stdin.map(Feed::Bytes), envs)
}

/// [`run_vft`], with standard input fed from `stdin`.
pub(crate) fn run_vft_fed(
    args: &[&str],
    dir: &Path,
    stdin: Option<Feed>,
    envs: &[(&str, &str)],
) -> Run {
    let start = Instant::now();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("vft"))
        .args(args)
        .current_dir(dir)
        .envs(envs.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let feeder = stdin.map(|feed| {
        let mut pipe = child.stdin.take().unwrap();
        // vft may stop reading early (a broken pipe then is not the test's failure).
        thread::spawn(move || drop(feed.write_to(&mut pipe)))
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut buf).unwrap();
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut err, &mut buf).unwrap();
        buf
    });
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_rss = 0;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_rss = peak_rss.max(kb * 1024);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        thread::sleep(Duration::from_millis(5));
    };
    if let Some(feeder) = feeder {
        feeder.join().unwrap();
    }
    Run {
        code: status.code(),
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
        peak_rss,
        elapsed: start.elapsed(),
    }
}

pub(crate) fn png_chunk(kind: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
    chunk.extend(kind);
    chunk.extend(data);
    chunk.extend(crc32fast::hash(&[&kind[..], data].concat()).to_be_bytes());
    chunk
}

/// zlib of `n` zero bytes, streamed (never holds the zeros).
pub(crate) fn zlib_zeros(n: usize) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    let block = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let take = left.min(block.len());
        encoder.write_all(&block[..take]).unwrap();
        left -= take;
    }
    encoder.finish().unwrap()
}

/// A valid all-black RGB PNG of `side`² pixels (a few hundred KB for 13000²), with
/// `ancillary` chunks before the image data.
pub(crate) fn black_png(side: u32, ancillary: &[Vec<u8>]) -> Vec<u8> {
    let row = 1 + 3 * side as usize;
    let mut ihdr = Vec::new();
    ihdr.extend(side.to_be_bytes());
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(*b"IHDR", &ihdr));
    for chunk in ancillary {
        png.extend(chunk);
    }
    png.extend(png_chunk(*b"IDAT", &zlib_zeros(row * side as usize)));
    png.extend(png_chunk(*b"IEND", b""));
    png
}

/// An iCCP chunk whose profile inflates to `n` bytes.
pub(crate) fn iccp_bomb(n: usize) -> Vec<u8> {
    png_chunk(*b"iCCP", &[&b"icc\0\0"[..], &zlib_zeros(n)].concat())
}

/// One example line per image: a user message with the image, an assistant reply.
pub(crate) fn image_lines(mime: &str, images: &[&[u8]]) -> String {
    let mut jsonl = String::new();
    for image in images {
        let line = serde_json::json!({"messages": [
            {"role": "system", "content": "s"},
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": format!("data:{mime};base64,{}", STANDARD.encode(image))}}]},
            {"role": "assistant", "content": "ok"}]});
        writeln!(jsonl, "{line}").unwrap();
    }
    jsonl
}

/// A small valid example whose user text is `text`.
pub(crate) fn text_line(text: &str) -> String {
    serde_json::json!({"messages": [
        {"role": "system", "content": "s"},
        {"role": "user", "content": text},
        {"role": "assistant", "content": "ok"}]})
    .to_string()
}

/// What the local server answers: a status, headers and a body sent `pace.0` bytes at a
/// time with `pace.1` between them (the whole body at once without a pace).
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) pace: Option<(usize, Duration)>,
}

/// An HTTP/1.1 server on 127.0.0.1 for one test: each connection gets `answer` for the
/// request's path, on a thread of its own. Returns the base URL.
pub(crate) fn local_server(answer: fn(&str) -> Answer) -> String {
    use std::io::BufRead as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                let _ = reader.read_line(&mut request);
                let path = request.split(' ').nth(1).unwrap_or("/").to_owned();
                let mut header = String::new();
                while reader.read_line(&mut header).unwrap_or(0) > 2 {
                    header.clear();
                }
                let reply = answer(&path);
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nConnection: close\r\nContent-Length: {}\r\n",
                    reply.status,
                    reply.body.len()
                );
                for (name, value) in &reply.headers {
                    let _ = write!(head, "{name}: {value}\r\n");
                }
                head.push_str("\r\n");
                // The client hangs up when it has had enough: not an error here.
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let (size, pause) = reply
                    .pace
                    .unwrap_or((reply.body.len().max(1), Duration::ZERO));
                for chunk in reply.body.chunks(size) {
                    if stream
                        .write_all(chunk)
                        .and_then(|()| stream.flush())
                        .is_err()
                    {
                        return;
                    }
                    thread::sleep(pause);
                }
            });
        }
    });
    base
}

/// One example line per URL: a user message with the image, an assistant reply.
pub(crate) fn url_lines(urls: &[String]) -> String {
    let mut jsonl = String::new();
    for url in urls {
        let line = serde_json::json!({"messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]},
            {"role": "assistant", "content": "ok"}]});
        writeln!(jsonl, "{line}").unwrap();
    }
    jsonl
}
