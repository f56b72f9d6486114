//! Windows of a regular file mapped into memory, so lines are checked where the page cache
//! holds them instead of being copied out of it by `read` first.
//!
//! The only `unsafe` code of vft (`tests/architecture.rs` holds it to this file).
//!
//! The assumption it rests on: **the file is not truncated while vft reads it.** Bytes of
//! a mapping past the end of a file that shrank fault (`SIGBUS`) instead of reading as an
//! error. vft maps only regular files, read-only and shared, one window per batch of
//! lines, and reads standard input, pipes, devices and small files with `read`. A file
//! that grows while it is read is read up to the length it had when it was opened.

#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::ops::Deref;

use memmap2::{Mmap, MmapOptions};

/// Files shorter than this are read: mapping costs more than copying a few pages.
pub(super) const MIN_MAPPED_LEN: u64 = 1 << 20;

/// A regular file to map, and its length when it was opened.
#[derive(Debug)]
pub(super) struct MappedFile {
    file: File,
    len: u64,
}

impl MappedFile {
    /// `file`, when it is a regular file of at least `min_len` bytes; else gives it back,
    /// to be read.
    pub(super) fn new(file: File, min_len: u64) -> Result<Self, File> {
        match file.metadata() {
            Ok(meta) if meta.is_file() && meta.len() >= min_len => Ok(Self {
                len: meta.len(),
                file,
            }),
            _ => Err(file),
        }
    }

    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// The `len` bytes from `offset` (which must lie within the file), read-only.
    pub(super) fn window(&self, offset: u64, len: usize) -> io::Result<Window> {
        if len == 0 {
            return Ok(Window(None));
        }
        let in_file = offset
            .checked_add(len as u64)
            .is_some_and(|end| end <= self.len);
        if !in_file {
            return Err(io::Error::other("window past the end of the mapped file"));
        }
        // SAFETY: the mapping is read-only and shared, of a range of a regular file that
        // lay within the file when it was opened (checked above); vft never writes to the
        // file. Another process could still change or truncate it while it is mapped:
        // changed bytes are read as they are (no worse than a file changed between two
        // `read`s), and the truncation is the documented assumption of this module.
        let map = unsafe { MmapOptions::new().offset(offset).len(len).map(&self.file)? };
        Ok(Window(Some(map)))
    }
}

/// A mapped range of the file (empty when its length is 0).
#[derive(Debug)]
pub(super) struct Window(Option<Mmap>);

impl Deref for Window {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0.as_deref().unwrap_or_default()
    }
}
