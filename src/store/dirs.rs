//! Where the data directory is, who the user is, and the permissions we keep on both.

use std::fs;
use std::path::{Path, PathBuf};

/// Environment variable that overrides the data directory (also read by `--data-dir`).
pub const DATA_DIR_ENV: &str = "SPINEWATCH_DATA_DIR";

/// The data directory: the `--data-dir` flag, else `SPINEWATCH_DATA_DIR`, else the platform's
/// local data directory (Linux `~/.local/share/spinewatch`; Windows the local, not roaming,
/// app-data folder, because case files must not follow a user to other workstations).
pub fn data_dir(cli_override: Option<&Path>) -> PathBuf {
    if let Some(dir) = cli_override {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "spinewatch")
        .map(|d| d.data_local_dir().to_path_buf())
        // No home directory at all (a bare service account): the working directory.
        .unwrap_or_else(|| PathBuf::from("spinewatch-data"))
}

/// The user named in locks and the audit trail: the operating-system account of the
/// process's uid (never `$USER`, which anyone can set); a uid without an account entry is
/// named `uid 1234`. Windows has no uid: `USERNAME` there.
pub fn user_name() -> String {
    #[cfg(unix)]
    {
        os_account(unsafe { libc::getuid() })
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME")
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "unknown".to_string())
    }
}

/// The account name of `uid` from the password database (`getpwuid_r`).
#[cfg(unix)]
pub fn os_account(uid: libc::uid_t) -> String {
    let mut buf = vec![0 as libc::c_char; 4096];
    loop {
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call; `buf` outlives the use of `pwd`.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return format!("uid {uid}");
        }
        // SAFETY: pw_name points into `buf`, NUL-terminated by getpwuid_r.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        let name = name.to_string_lossy().trim().to_string();
        return if name.is_empty() {
            format!("uid {uid}")
        } else {
            name
        };
    }
}

/// Creates the directory (0700 on Unix, set at creation) if it is missing.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Checks the directory and, when it was open to others, the files we own in it:
/// group/other access is removed with a warning (file names only, never content). Behind a
/// 0700 directory nobody else reaches the files, so they are not walked on every start (that
/// would stat 30,000 files on a big ward); case files are checked as they are read instead,
/// see [`fix_open_file`].
#[cfg(unix)]
pub fn check_permissions(dir: &Path, our_file: impl Fn(&str) -> bool) -> Vec<String> {
    let mut warnings = Vec::new();
    let Ok(meta) = fs::metadata(dir) else {
        return warnings;
    };
    if !fix_mode(dir, &meta, 0o700, "data directory", &mut warnings) {
        return warnings;
    }
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !our_file(name) {
                continue;
            }
            // Relative to the open directory, without following links.
            if let Ok(meta) = entry.metadata()
                && meta.is_file()
            {
                fix_mode(&entry.path(), &meta, 0o600, "file", &mut warnings);
            }
        }
    }
    warnings
}

/// Removes group/other access from `path`; returns whether it had any.
#[cfg(unix)]
fn fix_mode(
    path: &Path,
    meta: &fs::Metadata,
    want: u32,
    what: &str,
    warnings: &mut Vec<String>,
) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return false;
    }
    warnings.push(
        match fs::set_permissions(path, fs::Permissions::from_mode(want)) {
            Ok(()) => format!(
                "{what} {} was readable by others ({mode:o}); set to {want:o}",
                path.display()
            ),
            Err(e) => format!(
                "{what} {} is readable by others ({mode:o}) and cannot be fixed: {e}",
                path.display()
            ),
        },
    );
    true
}

/// Checks a case file just opened for reading (its metadata comes with the open handle, so
/// this costs nothing extra); a loose mode is fixed and reported.
#[cfg(unix)]
pub fn fix_open_file(file: &fs::File, meta: &fs::Metadata, path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return None;
    }
    Some(
        match file.set_permissions(fs::Permissions::from_mode(0o600)) {
            Ok(()) => format!(
                "file {} was readable by others ({mode:o}); set to 600",
                path.display()
            ),
            Err(e) => format!(
                "file {} is readable by others ({mode:o}) and cannot be fixed: {e}",
                path.display()
            ),
        },
    )
}

#[cfg(not(unix))]
pub fn fix_open_file(_file: &fs::File, _meta: &fs::Metadata, _path: &Path) -> Option<String> {
    None
}

#[cfg(not(unix))]
pub fn check_permissions(_dir: &Path, _our_file: impl Fn(&str) -> bool) -> Vec<String> {
    // Windows: the local app-data folder is private to the user by its ACL.
    Vec::new()
}
