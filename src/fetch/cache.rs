//! Fetch outcomes on disk, so a re-run (in CI, say) does not download unchanged images.
//!
//! One small JSON file per URL, named by a hash of the URL, holding the probe of the body
//! (never the body) and the response's `ETag` / `Last-Modified`. The next fetch of the URL
//! sends them back (`If-None-Match` / `If-Modified-Since`); a `304 Not Modified` reuses the
//! stored probe. Only image responses with a validator are stored. Entries are written to a
//! temporary file and renamed into place, so readers never see half an entry; an entry
//! that does not read back (corrupt, another version, another URL) is ignored.
//!
//! The cache directory is not trusted more than the network: an entry is read only when
//! it is a regular file of at most [`MAX_ENTRY`] bytes, opened without following a symlink
//! and without blocking (a FIFO or device planted in its place is never read), and its
//! content is re-validated field by field (schema, version, URL, and a probe that is
//! consistent and printable) before it is used; anything else is a miss.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::header::{self, HeaderMap, HeaderName};
use serde::{Deserialize, Serialize};

use super::outcome::{Body, READ_LIMIT};
use crate::media::faces::{Face, FaceHit};
use crate::media::header::{ColorMode, DefectKind, Header, ImageDefect};
use crate::media::probe::{Format, Probe, ProbeDepth};

/// An entry is a few hundred bytes; anything larger is not one.
pub const MAX_ENTRY: u64 = 16 * 1024;

/// A stored content type or defect longer than this is not one vft wrote.
const MAX_TEXT: usize = 1_000;

/// Bumped when the entry layout or the probe's meaning changes.
const VERSION: u32 = 3;

/// Validators are at most this long (they go back into request headers).
const MAX_VALIDATOR: usize = 512;

pub(crate) struct Cache {
    dir: PathBuf,
    temp_counter: AtomicU64,
}

/// A stored outcome and what revalidates it.
#[derive(Debug, Clone)]
pub(crate) struct Cached {
    pub(crate) validators: Validators,
    pub(crate) body: Body,
}

/// `ETag` and `Last-Modified` of a response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Validators {
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Validators {
    pub(crate) fn of(headers: &HeaderMap) -> Self {
        let get = |name: HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| v.len() <= MAX_VALIDATOR)
                .map(str::to_owned)
        };
        Self {
            etag: get(header::ETAG),
            last_modified: get(header::LAST_MODIFIED),
        }
    }

    fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    pub(crate) fn conditional_headers(&self) -> impl Iterator<Item = (HeaderName, &str)> {
        let etag = self.etag.as_deref().map(|v| (header::IF_NONE_MATCH, v));
        let date = self
            .last_modified
            .as_deref()
            .map(|v| (header::IF_MODIFIED_SINCE, v));
        etag.into_iter().chain(date)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    version: u32,
    url: String,
    deep: bool,
    validators: Validators,
    len: u64,
    content_type: Option<String>,
    format: Option<String>,
    mode: Option<String>,
    width: u32,
    height: u32,
    animated: bool,
    /// The defect's kind and detail.
    defect: Option<(String, String)>,
    /// Whether the body was screened for faces, and the surest face found: x, y, width,
    /// height, score, and how many faces there were.
    screened: bool,
    face: Option<(u32, u32, u32, u32, f32, u32)>,
}

impl Cache {
    /// Opens (creating) the cache directory; `None` when it cannot be created.
    pub(crate) fn open(dir: &Path) -> Option<Self> {
        fs::create_dir_all(dir).ok()?;
        Some(Self {
            dir: dir.to_owned(),
            temp_counter: AtomicU64::new(0),
        })
    }

    fn path(&self, url: &str, depth: ProbeDepth) -> PathBuf {
        let key = fnv1a(url.as_bytes(), u8::from(depth == ProbeDepth::Pixels));
        self.dir.join(format!("{key:032x}.json"))
    }

    /// The stored outcome for `url`, when there is a readable, valid one; with `faces`, only
    /// one that was screened for faces (the body is not stored, so it cannot be screened
    /// after a `304`).
    pub(crate) fn load(&self, url: &str, depth: ProbeDepth, faces: bool) -> Option<Cached> {
        let text = read_entry(&self.path(url, depth))?;
        let entry: Entry = serde_json::from_slice(&text).ok()?;
        if entry.version != VERSION
            || entry.url != url
            || entry.deep != (depth == ProbeDepth::Pixels)
            || (faces && !entry.screened)
        {
            return None;
        }
        if !entry.is_consistent() {
            return None;
        }
        let format = match entry.format {
            Some(name) => Some(Format::from_name(&name)?),
            None => None,
        };
        let mode = match entry.mode {
            Some(name) => Some(ColorMode::from_name(&name)?),
            None => None,
        };
        let defect = match entry.defect {
            Some((kind, detail)) => Some(ImageDefect {
                kind: DefectKind::from_name(&kind)?,
                detail: detail.into(),
            }),
            None => None,
        };
        Some(Cached {
            validators: entry.validators,
            body: Body {
                len: entry.len,
                at_least: false,
                content_type: entry.content_type,
                probe: Some(Probe {
                    format,
                    header: Header {
                        mode,
                        width: entry.width,
                        height: entry.height,
                        animated: entry.animated,
                    },
                    defect,
                    over_budget: None,
                }),
                screened: entry.screened,
                faces: entry
                    .face
                    .map(|(x, y, width, height, score, count)| FaceHit {
                        best: Face {
                            x,
                            y,
                            width,
                            height,
                            score,
                        },
                        count,
                    }),
            },
        })
    }

    /// Stores the outcome of a response with validators; failures to write are ignored
    /// (the cache only saves time).
    pub(crate) fn store(&self, url: &str, depth: ProbeDepth, validators: &Validators, body: &Body) {
        let Some(probe) = body.probe.as_ref().filter(|_| !validators.is_empty()) else {
            return;
        };
        let entry = Entry {
            version: VERSION,
            url: url.to_owned(),
            deep: depth == ProbeDepth::Pixels,
            validators: validators.clone(),
            len: body.len,
            content_type: body.content_type.clone(),
            format: probe.format.map(|f| f.name().to_owned()),
            mode: probe.header.mode.map(|m| m.name().to_owned()),
            width: probe.header.width,
            height: probe.header.height,
            animated: probe.header.animated,
            defect: probe
                .defect
                .as_ref()
                .map(|d| (d.kind.name().to_owned(), d.detail.clone().into_owned())),
            screened: body.screened,
            face: body.faces.map(|hit| {
                let f = hit.best;
                (f.x, f.y, f.width, f.height, f.score, hit.count)
            }),
        };
        let Ok(json) = serde_json::to_vec(&entry) else {
            return;
        };
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let temp = self.dir.join(format!(".tmp-{}-{n}", std::process::id()));
        // `create_new`: never write through a file (or symlink) planted at that name.
        let written = fs::File::create_new(&temp).and_then(|mut file| {
            file.write_all(&json)?;
            file.sync_all()
        });
        if written.is_err() || fs::rename(&temp, self.path(url, depth)).is_err() {
            let _ = fs::remove_file(&temp);
        }
    }
}

/// The bytes of the entry at `path` when it is a regular file of at most [`MAX_ENTRY`]
/// bytes, opened without following a symlink and without blocking on a FIFO.
fn read_entry(path: &Path) -> Option<Vec<u8>> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if !fs::symlink_metadata(path).ok()?.file_type().is_file() {
        return None;
    }
    let file = options.open(path).ok()?;
    // Judged on the opened file itself, so a swap after the check changes nothing.
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() || metadata.len() > MAX_ENTRY {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_ENTRY + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_ENTRY).then_some(bytes)
}

/// Text that can go into a message or a header: printable, without control characters.
fn is_printable(text: &str, max: usize) -> bool {
    text.len() <= max && !text.chars().any(char::is_control)
}

impl Entry {
    /// Whether the entry is one vft could have written: a probed body under the read
    /// limit, validators that are valid header values, printable text, and a probe whose
    /// parts agree (no header without a known format, a size for an image read whole).
    fn is_consistent(&self) -> bool {
        let validators = [&self.validators.etag, &self.validators.last_modified];
        let header_values_ok = validators.into_iter().flatten().all(|v| {
            v.len() <= MAX_VALIDATOR && v.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
        });
        let defect = self.defect.as_ref().map(|(_, detail)| detail);
        let texts_ok = [self.content_type.as_ref(), defect]
            .into_iter()
            .flatten()
            .all(|t| is_printable(t, MAX_TEXT));
        let walked = matches!(
            self.format.as_deref().and_then(Format::from_name),
            Some(Format::Png | Format::Jpeg | Format::Webp)
        );
        let no_header =
            self.mode.is_none() && self.width == 0 && self.height == 0 && !self.animated;
        let probe_ok = if walked {
            self.defect.is_some() || (self.width > 0 && self.height > 0)
        } else {
            no_header && self.defect.is_none()
        };
        // A face lies inside the image, with a real score, in a screened body.
        let face_ok = self.face.is_none_or(|(x, y, width, height, score, count)| {
            self.screened
                && count > 0
                && score.is_finite()
                && width > 0
                && height > 0
                && x.checked_add(width)
                    .is_some_and(|right| right <= self.width)
                && y.checked_add(height)
                    .is_some_and(|bottom| bottom <= self.height)
        });
        self.len < READ_LIMIT && header_values_ok && texts_ok && probe_ok && face_ok
    }
}

/// 128-bit FNV-1a: a stable file name for a URL (the entry repeats the URL, so a
/// collision reads as a miss, never as another URL's result).
fn fnv1a(bytes: &[u8], salt: u8) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013B;
    let mut hash = OFFSET;
    for &byte in std::iter::once(&salt).chain(bytes) {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Body {
        Body {
            len: 1234,
            at_least: false,
            content_type: Some("image/png".to_owned()),
            probe: Some(Probe {
                format: Some(Format::Png),
                header: Header {
                    mode: Some(ColorMode::L),
                    width: 3,
                    height: 2,
                    animated: false,
                },
                defect: None,
                over_budget: None,
            }),
            screened: false,
            faces: None,
        }
    }

    fn validators() -> Validators {
        Validators {
            etag: Some("\"abc\"".to_owned()),
            last_modified: None,
        }
    }

    #[test]
    fn stores_and_loads_a_probe() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let url = "https://example.com/a.png";
        assert!(cache.load(url, ProbeDepth::Headers, false).is_none());
        cache.store(url, ProbeDepth::Headers, &validators(), &body());
        let cached = cache.load(url, ProbeDepth::Headers, false).unwrap();
        assert_eq!(cached.body, body());
        assert_eq!(cached.validators, validators());
        // `--deep` results are kept apart.
        assert!(cache.load(url, ProbeDepth::Pixels, false).is_none());
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn face_screens_are_kept_and_unscreened_entries_miss_when_screening() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let url = "https://example.com/face.png";
        cache.store(url, ProbeDepth::Headers, &validators(), &body());
        // Stored without screening: a run that screens must fetch the body again.
        assert!(cache.load(url, ProbeDepth::Headers, true).is_none());
        let face = Face {
            x: 1,
            y: 0,
            width: 2,
            height: 2,
            score: 7.5,
        };
        let screened = Body {
            screened: true,
            faces: Some(FaceHit {
                best: face,
                count: 3,
            }),
            ..body()
        };
        cache.store(url, ProbeDepth::Headers, &validators(), &screened);
        assert_eq!(
            cache.load(url, ProbeDepth::Headers, true).unwrap().body,
            screened
        );
        // A face box outside the image is no entry vft wrote.
        let outside = Body {
            faces: Some(FaceHit {
                best: Face { x: 2, ..face },
                count: 1,
            }),
            ..screened
        };
        cache.store(url, ProbeDepth::Headers, &validators(), &outside);
        assert!(cache.load(url, ProbeDepth::Headers, true).is_none());
    }

    #[test]
    fn ignores_corrupt_entries_and_responses_without_validators() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let url = "https://example.com/b.png";
        cache.store(url, ProbeDepth::Headers, &Validators::default(), &body());
        assert!(cache.load(url, ProbeDepth::Headers, false).is_none());
        fs::write(cache.path(url, ProbeDepth::Headers), b"{not json").unwrap();
        assert!(cache.load(url, ProbeDepth::Headers, false).is_none());
        cache.store(url, ProbeDepth::Headers, &validators(), &body());
        let text = fs::read_to_string(cache.path(url, ProbeDepth::Headers)).unwrap();
        fs::write(
            cache.path(url, ProbeDepth::Headers),
            text.replace("\"L\"", "\"XYZ\""),
        )
        .unwrap();
        assert!(cache.load(url, ProbeDepth::Headers, false).is_none());
    }

    #[test]
    fn inconsistent_or_hostile_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let url = "https://example.com/c.png";
        cache.store(url, ProbeDepth::Headers, &validators(), &body());
        let good = fs::read_to_string(cache.path(url, ProbeDepth::Headers)).unwrap();
        assert!(cache.load(url, ProbeDepth::Headers, false).is_some());
        for (from, to) in [
            // A probe whose parts disagree: an image format read whole without a size.
            ("\"width\":3", "\"width\":0"),
            // No format, yet a header.
            ("\"format\":\"PNG\"", "\"format\":null"),
            // Larger than any body that is probed.
            ("\"len\":1234", "\"len\":99999999"),
            // Control characters in text that reaches the terminal or a header.
            ("image/png", "image/png\\u001b]0;pwned\\u0007"),
            ("\\\"abc\\\"", "\\\"a\\r\\nX-Evil: 1\\\""),
            // A field vft does not write.
            ("\"deep\":false", "\"deep\":false,\"extra\":1"),
        ] {
            assert!(good.contains(from), "{from} in {good}");
            fs::write(cache.path(url, ProbeDepth::Headers), good.replace(from, to)).unwrap();
            assert!(
                cache.load(url, ProbeDepth::Headers, false).is_none(),
                "{to}"
            );
        }
        // An entry padded past the size bound.
        let padded = format!(
            "{}{}",
            good,
            " ".repeat(usize::try_from(MAX_ENTRY).unwrap())
        );
        fs::write(cache.path(url, ProbeDepth::Headers), padded).unwrap();
        assert!(cache.load(url, ProbeDepth::Headers, false).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_fifos_and_devices_are_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let url = "https://example.com/d.png";
        cache.store(url, ProbeDepth::Headers, &validators(), &body());
        let path = cache.path(url, ProbeDepth::Headers);
        // A symlink to a valid entry is still refused: only the file itself counts.
        let real = dir.path().join("real.json");
        fs::rename(&path, &real).unwrap();
        let original = fs::read(&real).unwrap();
        std::os::unix::fs::symlink(&real, &path).unwrap();
        assert!(cache.load(url, ProbeDepth::Headers, false).is_none());
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        assert!(cache.load(url, ProbeDepth::Headers, false).is_none());
        fs::remove_file(&path).unwrap();
        // A FIFO would block a plain open for ever, waiting for a writer.
        let status = std::process::Command::new("mkfifo").arg(&path).status();
        if status.is_ok_and(|s| s.success()) {
            let started = std::time::Instant::now();
            assert!(cache.load(url, ProbeDepth::Headers, false).is_none());
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
        // Storing replaces whatever is at the entry's name, never writing through it.
        cache.store(url, ProbeDepth::Headers, &validators(), &body());
        assert!(cache.load(url, ProbeDepth::Headers, false).is_some());
        assert!(fs::symlink_metadata(&path).unwrap().is_file());
        assert_eq!(fs::read(&real).unwrap(), original);
    }
}
