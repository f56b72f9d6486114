//! Where `vft fix` writes: files that appear under their final name only once complete.
//!
//! Each file is written to a temporary file in the destination's directory (so the rename
//! is atomic: same file system), synced, read back and compared with what was written
//! (length and CRC-32), and only then renamed over the destination. A failure or a kill at
//! any point leaves the destination as it was; the temporary file is removed on drop (a
//! killed process leaves a hidden `.NAME.vft-*` file, never a half-written `NAME`).

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written, renamed into place by [`Staged::commit`].
pub struct Staged {
    destination: PathBuf,
    writer: BufWriter<NamedTempFile>,
    crc: crc32fast::Hasher,
    len: u64,
}

impl Staged {
    /// Starts writing what will become `destination`.
    pub fn create(destination: &Path) -> io::Result<Self> {
        let dir = match destination.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = destination
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy());
        let prefix = format!(".{name}.vft-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // A new file gets the permissions any new file gets (0666 less the umask), not the
        // temporary file's private 0600; an existing one keeps its own (see `commit`).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(dir)?;
        Ok(Self {
            destination: destination.to_owned(),
            writer: BufWriter::with_capacity(1 << 20, temp),
            crc: crc32fast::Hasher::new(),
            len: 0,
        })
    }

    /// Syncs, reads back, compares, and renames over the destination (keeping its
    /// permissions when it exists). On error the destination is untouched.
    pub fn commit(self) -> io::Result<()> {
        let Staged {
            destination,
            writer,
            crc,
            len,
        } = self;
        let temp = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        temp.as_file().sync_all()?;
        let (read_len, read_crc) = checksum(temp.path())?;
        let written = crc.finalize();
        if read_len != len || read_crc != written {
            return Err(io::Error::other(format!(
                "read back {read_len} bytes (CRC-32 {read_crc:08x}) of the {len} written ({written:08x})"
            )));
        }
        if let Ok(metadata) = fs::metadata(&destination) {
            fs::set_permissions(temp.path(), metadata.permissions())?;
        }
        temp.persist(&destination).map_err(|error| error.error)?;
        sync_dir(&destination);
        Ok(())
    }
}

impl Write for Staged {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.writer.write(buf)?;
        self.crc.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

fn checksum(path: &Path) -> io::Result<(u64, u32)> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0; 1 << 20];
    let mut len = 0;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok((len, crc.finalize()));
        }
        crc.update(&buf[..n]);
        len += n as u64;
    }
}

/// Makes the rename durable: syncs the directory (Unix; elsewhere a no-op).
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        // A directory that cannot be synced still holds the renamed file.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_under_the_final_name_before_commit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out.jsonl");
        let mut staged = Staged::create(&out).expect("create");
        staged.write_all(b"{}\n").expect("write");
        assert!(!out.exists());
        staged.commit().expect("commit");
        assert_eq!(fs::read(&out).expect("read"), b"{}\n");
    }

    #[test]
    fn a_dropped_file_leaves_the_destination_and_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out.jsonl");
        fs::write(&out, b"original\n").expect("write");
        let mut staged = Staged::create(&out).expect("create");
        staged.write_all(b"half").expect("write");
        drop(staged);
        assert_eq!(fs::read(&out).expect("read"), b"original\n");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
