//! Fetch outcomes on disk, so a re-run (in CI, say) does not download unchanged images.
//!
//! One small JSON file per URL, named by a hash of the URL, holding the probe of the body
//! (never the body) and the response's `ETag` / `Last-Modified`. The next fetch of the URL
//! sends them back (`If-None-Match` / `If-Modified-Since`); a `304 Not Modified` reuses the
//! stored probe. Only image responses with a validator are stored. Entries are written to a
//! temporary file and renamed into place, so readers never see half an entry; an entry
//! that does not read back (corrupt, another version, another URL) is ignored.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::header::{self, HeaderMap, HeaderName};
use serde::{Deserialize, Serialize};

use super::Body;
use crate::media::probe::{Format, Header, MODES, Probe};

/// Bumped when the entry layout or the probe's meaning changes.
const VERSION: u32 = 1;

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
    defect: Option<String>,
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

    fn path(&self, url: &str, deep: bool) -> PathBuf {
        let key = fnv1a(url.as_bytes(), u8::from(deep));
        self.dir.join(format!("{key:032x}.json"))
    }

    /// The stored outcome for `url`, when there is a readable one.
    pub(crate) fn load(&self, url: &str, deep: bool) -> Option<Cached> {
        let text = fs::read(self.path(url, deep)).ok()?;
        let entry: Entry = serde_json::from_slice(&text).ok()?;
        if entry.version != VERSION || entry.url != url || entry.deep != deep {
            return None;
        }
        let format = match entry.format {
            Some(name) => Some(Format::from_name(&name)?),
            None => None,
        };
        let mode = match entry.mode {
            Some(name) => Some(*MODES.iter().find(|m| **m == name)?),
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
                    defect: entry.defect,
                    over_budget: None,
                }),
            },
        })
    }

    /// Stores the outcome of a response with validators; failures to write are ignored
    /// (the cache only saves time).
    pub(crate) fn store(&self, url: &str, deep: bool, validators: &Validators, body: &Body) {
        let Some(probe) = body.probe.as_ref().filter(|_| !validators.is_empty()) else {
            return;
        };
        let entry = Entry {
            version: VERSION,
            url: url.to_owned(),
            deep,
            validators: validators.clone(),
            len: body.len,
            content_type: body.content_type.clone(),
            format: probe.format.map(|f| f.name().to_owned()),
            mode: probe.header.mode.map(str::to_owned),
            width: probe.header.width,
            height: probe.header.height,
            animated: probe.header.animated,
            defect: probe.defect.clone(),
        };
        let Ok(json) = serde_json::to_vec(&entry) else {
            return;
        };
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let temp = self.dir.join(format!(".tmp-{}-{n}", std::process::id()));
        let written = fs::File::create(&temp).and_then(|mut file| {
            file.write_all(&json)?;
            file.sync_all()
        });
        if written.is_err() || fs::rename(&temp, self.path(url, deep)).is_err() {
            let _ = fs::remove_file(&temp);
        }
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
                    mode: Some("L"),
                    width: 3,
                    height: 2,
                    animated: false,
                },
                defect: None,
                over_budget: None,
            }),
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
        assert!(cache.load(url, false).is_none());
        cache.store(url, false, &validators(), &body());
        let cached = cache.load(url, false).unwrap();
        assert_eq!(cached.body, body());
        assert_eq!(cached.validators, validators());
        // `--deep` results are kept apart.
        assert!(cache.load(url, true).is_none());
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn ignores_corrupt_entries_and_responses_without_validators() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let url = "https://example.com/b.png";
        cache.store(url, false, &Validators::default(), &body());
        assert!(cache.load(url, false).is_none());
        fs::write(cache.path(url, false), b"{not json").unwrap();
        assert!(cache.load(url, false).is_none());
        cache.store(url, false, &validators(), &body());
        let text = fs::read_to_string(cache.path(url, false)).unwrap();
        fs::write(cache.path(url, false), text.replace("\"L\"", "\"XYZ\"")).unwrap();
        assert!(cache.load(url, false).is_none());
    }
}
