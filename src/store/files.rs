//! Opening the store's files without ever following a link: every case, log, lock and export
//! is opened with `O_NOFOLLOW` (and `O_NONBLOCK`, so a FIFO put in a file's place cannot hang
//! the open) and its type is checked on the open handle. A symlink, FIFO, socket, device or
//! directory in the place of one of our files is refused with what it is, and left alone.

use super::StoreError;
use super::atomic;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// How a path that is not a regular file is described.
fn what_is(path: &Path) -> &'static str {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => "a symbolic link",
        Ok(m) if m.is_dir() => "a directory",
        Ok(m) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                let t = m.file_type();
                if t.is_fifo() {
                    return "a FIFO";
                }
                if t.is_socket() {
                    return "a socket";
                }
                if t.is_block_device() || t.is_char_device() {
                    return "a device";
                }
            }
            let _ = m;
            "not a regular file"
        }
        Err(_) => "not a regular file",
    }
}

/// The error for a path that is not a regular file: `InvalidData`, saying what it is.
fn not_regular(path: &Path) -> io::Error {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{name} is {}, not a regular file; it is left alone",
            what_is(path)
        ),
    )
}

/// Whether an error says the path was not a regular file (a link, FIFO, directory …).
pub fn is_not_regular(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidData
}

fn no_follow(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Opens `path` with `options` (plus no-follow), then checks it is a regular file.
pub fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    no_follow(options);
    let file = match options.open(path) {
        Ok(f) => f,
        // ELOOP: the last component is a symlink. ENXIO: a FIFO with no reader opened for
        // writing. EISDIR: a directory opened for writing.
        #[cfg(unix)]
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::ELOOP) | Some(libc::ENXIO) | Some(libc::EISDIR)
            ) =>
        {
            return Err(not_regular(path));
        }
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Err(not_regular(path));
    }
    Ok(file)
}

/// Opens for reading; `Ok(None)` when the file does not exist.
pub fn open_read(path: &Path) -> io::Result<Option<File>> {
    match open(path, OpenOptions::new().read(true)) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The bytes of a regular file; `Ok(None)` when it does not exist.
pub fn read(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let Some(mut file) = open_read(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Options that create a file 0600 on Unix.
pub fn private_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Makes `dir` (inside the data directory) a private directory: created 0700, or, when it
/// exists, checked to be a real directory (not a link) and set to 0700.
pub fn private_subdir(dir: &Path) -> io::Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if m.permissions().mode() & 0o777 != 0o700 {
                    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
                }
            }
            Ok(())
        }
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is {}, not a directory; nothing is written into it",
                dir.display(),
                what_is(dir)
            ),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            builder.create(dir)?;
            // The umask may have taken bits away; never added any.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Writes `bytes` as `dir/name`, 0600, in a 0700 `dir` whatever the umask, atomically (a
/// link in `name`'s place is replaced, never followed). For exports. Returns the path.
pub fn write_private_atomic(
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> Result<std::path::PathBuf, StoreError> {
    private_subdir(dir).map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
    atomic::write_atomic(dir, name, bytes, None)?;
    Ok(dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_refused_without_touching_the_target() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::write(&outside, b"outside").unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let e = read(&link).unwrap_err();
        assert!(is_not_regular(&e), "{e}");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        let fifo = tmp.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read(&fifo).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert_eq!(fs::read(&outside).unwrap(), b"outside");
    }
}
