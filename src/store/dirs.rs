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

/// The user named in locks and the audit trail: `$USER`, else the platform's equivalents.
pub fn user_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
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

/// Checks the directory and the files we own in it; group/other access is removed with a
/// warning. Returns the warnings (file names only, never content).
#[cfg(unix)]
pub fn check_permissions(dir: &Path, our_file: impl Fn(&str) -> bool) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut warnings = Vec::new();
    let mut fix = |path: &Path, meta: &fs::Metadata, want: u32, what: &str| {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 == 0 {
            return;
        }
        match fs::set_permissions(path, fs::Permissions::from_mode(want)) {
            Ok(()) => warnings.push(format!(
                "{what} {} was readable by others ({mode:o}); set to {want:o}",
                path.display()
            )),
            Err(e) => warnings.push(format!(
                "{what} {} is readable by others ({mode:o}) and cannot be fixed: {e}",
                path.display()
            )),
        }
    };
    if let Ok(meta) = fs::metadata(dir) {
        fix(dir, &meta, 0o700, "data directory");
    }
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !our_file(name) {
                continue;
            }
            // Relative to the open directory, without following links: cheap on 10,000 files.
            if let Ok(meta) = entry.metadata()
                && meta.is_file()
            {
                fix(&entry.path(), &meta, 0o600, "file");
            }
        }
    }
    warnings
}

#[cfg(not(unix))]
pub fn check_permissions(_dir: &Path, _our_file: impl Fn(&str) -> bool) -> Vec<String> {
    // Windows: the local app-data folder is private to the user by its ACL.
    Vec::new()
}
