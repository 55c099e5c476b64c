//! Paths inside the table, built only from checked parts and opened without following a symbolic
//! link anywhere in the pond's own tree: a pond someone sent is untrusted input, and a link in it
//! (a tarball can carry one) must never lead a read, a write or a delete outside it. The table
//! root itself is the user's choice and may be a link; what is inside it may not.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{PondError, PondResult, from_io};
use crate::schema::PARTITION_COLUMN;

/// Checks a data file path taken from the log: `part_id=…/<file>`, two plain components, as pond
/// and every Delta writer lay out a table partitioned by `part_id`. The message says why not.
pub fn check_data_file_path(relative: &str) -> Result<(), String> {
    let plain = |name: &str| !name.is_empty() && name != "." && name != "..";
    let (dir, file) = match relative.split_once('/') {
        Some((dir, file)) if plain(dir) && plain(file) && !file.contains('/') => (dir, file),
        _ => return Err("not a partition directory and a file name".to_string()),
    };
    if !dir.starts_with(&format!("{PARTITION_COLUMN}=")) {
        return Err(format!("not in a {PARTITION_COLUMN}= directory"));
    }
    if file.contains('\0') || dir.contains('\0') {
        return Err("contains NUL".to_string());
    }
    Ok(())
}

/// `root/relative` for a data file path from the log; CORRUPT naming it when it is not one.
pub fn data_file(root: &Path, relative: &str) -> PondResult<PathBuf> {
    check_data_file_path(relative).map_err(|why| {
        PondError::corrupt(format!(
            "data file path {relative:?} in the log of {}: {why}",
            root.display()
        ))
    })?;
    Ok(root.join(relative))
}

fn link_inside(path: &Path) -> PondError {
    PondError::corrupt(format!(
        "{} is a symbolic link inside the pond; pond does not follow links in its own directories",
        path.display()
    ))
}

/// Whether `dir` (a directory of the table, e.g. `_delta_log` or a partition) exists as a real
/// directory: false when it does not exist, CORRUPT when it is a link or something else.
pub fn real_dir(dir: &Path) -> PondResult<bool> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => Err(link_inside(dir)),
        Ok(meta) if meta.is_dir() => Ok(true),
        Ok(_) => Err(PondError::corrupt(format!(
            "{} is not a directory",
            dir.display()
        ))),
        // Its parent is a file, not a directory: there is no such directory either.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(false),
        Err(e) => Err(from_io(e, "inspecting", dir)),
    }
}

/// Checks that no part of `root/relative` (a `/`-separated path pond built from checked names)
/// is a link, that its directories are directories and that it is a regular file when it
/// exists, or a directory with `dir`. For stores reached by path (object_store's local one)
/// rather than through the opens above.
pub fn check_inside(root: &Path, relative: &str, dir: bool) -> PondResult<()> {
    let mut path = root.to_path_buf();
    let parts: Vec<&str> = relative.split('/').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        if i + 1 < parts.len() || dir {
            if !real_dir(&path)? {
                return Ok(());
            }
            continue;
        }
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(link_inside(&path)),
            Ok(meta) if !meta.is_file() => {
                return Err(PondError::corrupt(format!(
                    "{} is not a regular file",
                    path.display()
                )));
            }
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {}
            Err(e) => return Err(from_io(e, "inspecting", &path)),
        }
    }
    Ok(())
}

/// The partition directory of a data file path that passed `data_file`.
fn partition_dir(path: &Path) -> PondResult<&Path> {
    path.parent()
        .ok_or_else(|| PondError::internal(format!("{} has no directory", path.display())))
}

/// Opens a file of the table for reading without following a link: `O_NOFOLLOW` for the file
/// itself, `O_NONBLOCK` so that a FIFO cannot hang the open, and only a regular file is read.
/// Its directories are the caller's to check. `None` when it does not exist.
pub fn open_regular(path: &Path) -> PondResult<Option<File>> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path);
    let file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(link_inside(path)),
        Err(e) => return Err(from_io(e, "opening", path)),
    };
    let meta = file
        .metadata()
        .map_err(|e| from_io(e, "inspecting", path))?;
    if !meta.is_file() {
        return Err(PondError::corrupt(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    Ok(Some(file))
}

/// Opens data file `relative` (from the log) for reading: its path checked, its partition
/// directory and itself not links. A missing file is CORRUPT: the log names it.
pub fn open_data_file(root: &Path, relative: &str) -> PondResult<File> {
    let path = data_file(root, relative)?;
    let missing = || PondError::corrupt(format!("data file {} is missing", path.display()));
    if !real_dir(partition_dir(&path)?)? {
        return Err(missing());
    }
    open_regular(&path)?.ok_or_else(missing)
}

/// Creates data file `relative` (pond's own new path), making its partition directory if needed:
/// never through a link, never over an existing file. Returns the file and whether the directory
/// was made.
pub fn create_data_file(root: &Path, relative: &str) -> PondResult<(File, bool)> {
    let path = data_file(root, relative)?;
    let dir = partition_dir(&path)?;
    let made = !real_dir(dir)?;
    if made {
        match std::fs::create_dir(dir) {
            Ok(()) => {}
            // Another commit made it meanwhile: it must still be a real directory.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                real_dir(dir)?;
            }
            Err(e) => return Err(from_io(e, "creating partition directory", dir)),
        }
    }
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&path)
        .map_err(|e| from_io(e, "creating data file", &path))?;
    Ok((file, made))
}

/// Deletes data file `relative` (from the log): false when it is already gone. Never deletes
/// through a linked partition directory (CORRUPT) nor anything but a file.
pub fn remove_data_file(root: &Path, relative: &str) -> PondResult<bool> {
    let path = data_file(root, relative)?;
    if !real_dir(partition_dir(&path)?)? {
        return Ok(false);
    }
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => {
            return Err(PondError::corrupt(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(from_io(e, "inspecting", &path)),
    }
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(from_io(e, "deleting", &path)),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::error::Code;
    use std::io::{Read, Write};
    use std::os::unix::fs::symlink;

    /// A fresh directory under the system's temporary directory, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new() -> Self {
            let dir = std::env::temp_dir().join(format!("pond-confined-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir(&dir).expect("scratch directory");
            Self(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn data_file_paths_are_a_partition_and_a_name() {
        assert!(check_data_file_path("part_id=abc/part-0.parquet").is_ok());
        assert!(check_data_file_path("part_id=a%2Fb/part-0.parquet").is_ok());
        for bad in [
            "/etc/passwd",
            "../x.parquet",
            "part_id=a/../../x.parquet",
            "part_id=a/b/c.parquet",
            "part_id=a",
            "other=a/x.parquet",
            "_delta_log/00000000000000000000.json",
            "part_id=a/./x.parquet",
            "part_id=a/x\0.parquet",
            "",
        ] {
            assert!(check_data_file_path(bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn a_linked_partition_directory_is_never_followed() {
        let scratch = Scratch::new();
        let (root, outside) = (scratch.0.join("pond"), scratch.0.join("outside"));
        std::fs::create_dir_all(&root).expect("root");
        std::fs::create_dir_all(&outside).expect("outside");
        std::fs::write(outside.join("victim.parquet"), b"host file").expect("victim");
        symlink(&outside, root.join("part_id=p")).expect("link");

        let corrupt = |result: PondResult<()>| result.expect_err("refused").code == Code::Corrupt;
        assert!(corrupt(
            open_data_file(&root, "part_id=p/victim.parquet").map(drop)
        ));
        assert!(corrupt(
            remove_data_file(&root, "part_id=p/victim.parquet").map(drop)
        ));
        assert!(corrupt(
            create_data_file(&root, "part_id=p/new.parquet").map(drop)
        ));
        assert!(outside.join("victim.parquet").exists());
        assert!(!outside.join("new.parquet").exists());
    }

    #[test]
    fn a_linked_or_special_file_is_not_read() {
        let scratch = Scratch::new();
        let root = scratch.0.join("pond");
        std::fs::create_dir_all(root.join("part_id=p")).expect("partition");
        std::fs::write(scratch.0.join("host"), b"secret").expect("host file");
        symlink(scratch.0.join("host"), root.join("part_id=p/link.parquet")).expect("link");
        symlink("/dev/zero", root.join("part_id=p/zero.parquet")).expect("link");
        let fifo = root.join("part_id=p/fifo.parquet");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        for name in ["link.parquet", "zero.parquet"] {
            let err = open_data_file(&root, &format!("part_id=p/{name}")).expect_err(name);
            assert_eq!(err.code, Code::Corrupt, "{name}: {}", err.message);
            assert!(err.message.contains("symbolic link"), "{}", err.message);
        }
        if status.is_ok_and(|s| s.success()) {
            let err = open_data_file(&root, "part_id=p/fifo.parquet").expect_err("fifo");
            assert!(
                err.message.contains("not a regular file"),
                "{}",
                err.message
            );
        }
        let missing = open_data_file(&root, "part_id=p/gone.parquet").expect_err("missing");
        assert_eq!(missing.code, Code::Corrupt);
    }

    #[test]
    fn files_are_created_read_and_removed_inside_real_directories() {
        let scratch = Scratch::new();
        let (mut file, made) = create_data_file(&scratch.0, "part_id=q/a.parquet").expect("create");
        assert!(made);
        file.write_all(b"rows").expect("write");
        drop(file);
        let (_, made) = create_data_file(&scratch.0, "part_id=q/b.parquet").expect("create");
        assert!(!made);
        assert!(create_data_file(&scratch.0, "part_id=q/a.parquet").is_err());
        let mut text = String::new();
        open_data_file(&scratch.0, "part_id=q/a.parquet")
            .expect("open")
            .read_to_string(&mut text)
            .expect("read");
        assert_eq!(text, "rows");
        assert!(remove_data_file(&scratch.0, "part_id=q/a.parquet").expect("remove"));
        assert!(!remove_data_file(&scratch.0, "part_id=q/a.parquet").expect("gone"));
        assert!(!remove_data_file(&scratch.0, "part_id=none/a.parquet").expect("no partition"));
        std::fs::write(scratch.0.join("file"), b"").expect("file");
        assert!(!real_dir(&scratch.0.join("file/_delta_log")).expect("under a file"));
    }
}
