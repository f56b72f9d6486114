//! The buffer a fetched body is read into: its own anonymous memory mapping, unmapped when
//! dropped.
//!
//! Why not a `Vec`: glibc serves a freed block of several MiB back from the thread's
//! arena once its adaptive mmap threshold has risen past that size, and keeps it there, so
//! bodies read on dozens of fetch threads left freed buffers in dozens of arenas: 200
//! bodies of 10 MiB peaked at 381–513 MiB against the fetcher's 256 MiB byte budget, 204
//! MiB with `MALLOC_MMAP_THRESHOLD_` pinned. A mapping goes back to the kernel on drop, and
//! its pages cost memory only once written.

use std::io::{self, Read};
use std::ops::Deref;

use memmap2::MmapMut;

/// Up to `capacity` bytes read from a body.
#[derive(Debug)]
pub(crate) struct BodyBuffer {
    map: MmapMut,
    len: usize,
}

impl BodyBuffer {
    /// An empty buffer that holds at most `capacity` bytes (address space only, until
    /// written).
    pub(crate) fn with_capacity(capacity: usize) -> io::Result<Self> {
        // A mapping cannot be empty; a one-byte one costs a page of address space.
        let map = MmapMut::map_anon(capacity.max(1))?;
        Ok(Self { map, len: 0 })
    }

    /// Room left before the buffer is full.
    pub(crate) fn room(&self) -> usize {
        self.map.len() - self.len
    }

    /// One read of at most `limit` bytes from `from` straight into the buffer; 0 at the end
    /// of the body or when the buffer is full.
    pub(crate) fn read_from(&mut self, from: &mut impl Read, limit: usize) -> io::Result<usize> {
        let end = self.len + limit.min(self.room());
        let n = from.read(&mut self.map[self.len..end])?;
        self.len += n;
        Ok(n)
    }
}

impl Deref for BodyBuffer {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.map[..self.len]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_up_to_its_capacity_and_no_further() {
        let mut body: &[u8] = b"0123456789";
        let mut buffer = BodyBuffer::with_capacity(6).unwrap();
        assert_eq!(buffer.read_from(&mut body, 4).unwrap(), 4);
        assert_eq!(buffer.read_from(&mut body, 4).unwrap(), 2);
        assert_eq!(buffer.read_from(&mut body, 4).unwrap(), 0);
        assert_eq!(&*buffer, b"012345");
        assert_eq!(buffer.room(), 0);
    }

    #[test]
    fn an_empty_buffer_is_an_empty_slice() {
        let buffer = BodyBuffer::with_capacity(0).unwrap();
        assert!(buffer.is_empty());
    }
}
