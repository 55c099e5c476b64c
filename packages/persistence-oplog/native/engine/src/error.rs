//! The one place where delta-rs, kernel, arrow, parquet, object-store and io errors, and panics,
//! become pond codes.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::Path;

use deltalake::DeltaTableError;
use deltalake::arrow::error::ArrowError;
use deltalake::kernel::transaction::TransactionError;
use deltalake::parquet::errors::ParquetError;
use futures::FutureExt;

/// The codes a JS caller branches on; `as_ref` is the JS error's `code` property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// No table, version or data file where one was asked for.
    Enoent,
    /// A table already exists where one was to be created.
    Eexist,
    /// A bad argument, or a Delta table that is not a pond table.
    Einval,
    /// The log or a data file cannot be decoded, or a data file the log names is missing.
    Corrupt,
    /// The handle was closed.
    Closed,
    /// Another writer committed the requested version first; nothing was committed.
    VersionExists,
    /// Two copies of a pond have different histories, or a copy lost a version to a writer.
    Conflict,
    /// The disk (or the user's quota) is full.
    Enospc,
    /// The operating system refused an I/O operation, or the store a request.
    Io,
    /// Something this kind of location (a bucket) cannot do.
    Enotsup,
    /// The store did not answer in time, retries included.
    Etimedout,
    /// A bug or an unexpected state in the addon or in delta-rs.
    Internal,
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        match self {
            Code::Enoent => "ENOENT",
            Code::Eexist => "EEXIST",
            Code::Einval => "EINVAL",
            Code::Corrupt => "CORRUPT",
            Code::Closed => "CLOSED",
            Code::VersionExists => "VERSION_EXISTS",
            Code::Conflict => "CONFLICT",
            Code::Enospc => "ENOSPC",
            Code::Io => "IO",
            Code::Enotsup => "ENOTSUP",
            Code::Etimedout => "ETIMEDOUT",
            Code::Internal => "INTERNAL",
        }
    }
}

/// An error on its way to JavaScript: a code and a message that already holds the cause chain.
#[derive(Debug)]
pub struct PondError {
    pub code: Code,
    pub message: String,
}

pub type PondResult<T> = Result<T, PondError>;

impl PondError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn einval(message: impl Into<String>) -> Self {
        Self::new(Code::Einval, message)
    }

    pub fn enotsup(message: impl Into<String>) -> Self {
        Self::new(Code::Enotsup, message)
    }

    pub fn corrupt(message: impl Into<String>) -> Self {
        Self::new(Code::Corrupt, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Code::Internal, message)
    }

    pub fn closed() -> Self {
        Self::new(Code::Closed, "the table handle is closed")
    }

    /// Prefixes the message with what was being done, keeping the code.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl StdError for PondError {}

impl fmt::Display for PondError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_ref(), self.message)
    }
}

/// An error's text without the backtrace the kernel appends to some of its errors.
fn text_of(err: &dyn fmt::Display) -> String {
    let text = err.to_string();
    let cut = [
        "\n   0: ",
        "\ndisabled backtrace",
        "\nunsupported backtrace",
    ]
    .iter()
    .filter_map(|marker| text.find(marker))
    .min();
    match cut {
        Some(at) => text[..at].trim_end().to_string(),
        None => text,
    }
}

/// `error: source: source …`, skipping a source whose text the previous link already shows.
fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut out = text_of(err);
    let mut current = err.source();
    while let Some(source) = current {
        let text = text_of(source);
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        current = source.source();
    }
    out
}

/// What was being done when a delta-rs error occurred; a few variants mean different things per step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Loading or time-travelling a snapshot.
    Load,
    /// Writing version 0.
    Create,
    /// Writing the log entry of a data commit.
    Commit,
    /// Anything else (checkpoints, listings).
    Other,
}

/// Maps a delta-rs error by variant; `subject` names the table or file involved.
pub fn from_delta(err: DeltaTableError, step: Step, subject: &str) -> PondError {
    let text = chain(&err);
    let code = match &err {
        DeltaTableError::NotATable(_) => Code::Enoent,
        DeltaTableError::InvalidVersion(_) => Code::Enoent,
        DeltaTableError::VersionAlreadyExists(_) => match step {
            Step::Create => Code::Eexist,
            _ => Code::VersionExists,
        },
        DeltaTableError::Transaction { source } => match source {
            TransactionError::VersionAlreadyExists(_) => match step {
                Step::Create => Code::Eexist,
                _ => Code::VersionExists,
            },
            // With retries disabled, losing the race for a version surfaces as "attempts exhausted".
            TransactionError::MaxCommitAttempts(_) => match step {
                Step::Create => Code::Eexist,
                _ => Code::VersionExists,
            },
            TransactionError::ObjectStore { source } => object_store_code(source),
            _ => Code::Internal,
        },
        DeltaTableError::ObjectStore { source } => object_store_code(source),
        DeltaTableError::Io { source } => io_code(source),
        DeltaTableError::KernelError(kernel) => kernel_code(kernel),
        DeltaTableError::Parquet { .. }
        | DeltaTableError::Arrow { .. }
        | DeltaTableError::InvalidJsonLog { .. }
        | DeltaTableError::InvalidStatsJson { .. }
        | DeltaTableError::NoSchema
        | DeltaTableError::MetadataError(_)
        | DeltaTableError::InvalidData { .. } => Code::Corrupt,
        DeltaTableError::SchemaMismatch { .. }
        | DeltaTableError::InvalidTableLocation(_)
        | DeltaTableError::InvalidPartitionFilter { .. }
        | DeltaTableError::PartitionError { .. }
        | DeltaTableError::VersionDowngrade { .. }
        | DeltaTableError::UnsupportedColumnMapping { .. }
        | DeltaTableError::MissingFeature { .. } => Code::Einval,
        _ => match step {
            // Whatever else fails while reading the log means the log cannot be trusted.
            Step::Load => Code::Corrupt,
            _ => Code::Internal,
        },
    };
    PondError::new(code, format!("{subject}: {text}"))
}

fn kernel_code(err: &delta_kernel::Error) -> Code {
    use delta_kernel::Error as K;
    match err {
        K::Backtraced { source, .. } => kernel_code(source),
        K::FileNotFound(_) | K::MissingVersion => Code::Enoent,
        K::IOError(io) => io_code(io),
        K::ObjectStore(os) => object_store_code(os),
        K::InvalidUrl(_) | K::InvalidTableLocation(_) | K::Unsupported(_) => Code::Einval,
        K::InternalError(_) | K::JoinFailure(_) | K::Cancelled => Code::Internal,
        // Malformed JSON, Arrow/Parquet decode failures, missing protocol or metadata, bad
        // checkpoints, non-contiguous log: the log is unreadable.
        _ => Code::Corrupt,
    }
}

pub fn object_store_code(err: &deltalake::ObjectStoreError) -> Code {
    use deltalake::ObjectStoreError as O;
    match err {
        O::NotFound { .. } => Code::Enoent,
        O::AlreadyExists { .. } => Code::Eexist,
        O::InvalidPath { .. } => Code::Einval,
        O::JoinError { .. } | O::NotImplemented { .. } | O::NotSupported { .. } => Code::Internal,
        _ if disk_full(err) => Code::Enospc,
        _ if timed_out(err) => Code::Etimedout,
        _ => Code::Io,
    }
}

/// Whether a request timing out is somewhere in the cause chain (the HTTP client's timeout
/// error says so only in its text).
fn timed_out(err: &(dyn StdError + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        let io_timeout = err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
        if io_timeout || err.to_string().contains("timed out") {
            return true;
        }
        current = err.source();
    }
    false
}

/// Whether a full disk is somewhere in the cause chain (the object store wraps io errors).
fn disk_full(err: &(dyn StdError + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io_code(io) == Code::Enospc
        {
            return true;
        }
        current = err.source();
    }
    false
}

fn io_code(err: &std::io::Error) -> Code {
    match err.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Code::Enospc,
        std::io::ErrorKind::NotFound => Code::Enoent,
        std::io::ErrorKind::AlreadyExists => Code::Eexist,
        std::io::ErrorKind::InvalidInput => Code::Einval,
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => Code::Corrupt,
        _ => Code::Io,
    }
}

/// An io error on `path`.
pub fn from_io(err: std::io::Error, what: &str, path: &Path) -> PondError {
    PondError::new(
        io_code(&err),
        format!("{what} {}: {}", path.display(), chain(&err)),
    )
}

/// A Parquet error while reading a data file: the file is damaged unless the OS failed us.
pub fn from_parquet_read(err: ParquetError, path: &Path) -> PondError {
    let code = match &err {
        ParquetError::External(inner) => match inner.downcast_ref::<std::io::Error>() {
            Some(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => io_code(io),
            _ => Code::Corrupt,
        },
        ParquetError::NYI(_) => Code::Einval,
        _ => Code::Corrupt,
    };
    PondError::new(
        code,
        format!("data file {}: {}", path.display(), chain(&err)),
    )
}

/// A Parquet error while writing a data file.
pub fn from_parquet_write(err: ParquetError, path: &Path) -> PondError {
    let code = match &err {
        ParquetError::External(inner) => match inner.downcast_ref::<std::io::Error>() {
            Some(io) => io_code(io),
            None => Code::Internal,
        },
        ParquetError::ArrowError(_) => Code::Einval,
        _ => Code::Internal,
    };
    PondError::new(code, format!("writing {}: {}", path.display(), chain(&err)))
}

/// An Arrow error on rows coming from JavaScript (IPC decode, casts): the caller sent bad rows.
pub fn from_arrow_input(err: ArrowError, what: &str) -> PondError {
    let code = match &err {
        ArrowError::IoError(_, io) => io_code(io),
        ArrowError::MemoryError(_) => Code::Internal,
        _ => Code::Einval,
    };
    PondError::new(code, format!("{what}: {}", chain(&err)))
}

/// An Arrow error on rows read from a data file: the file does not hold what the log says.
pub fn from_arrow_read(err: ArrowError, path: &Path) -> PondError {
    let code = match &err {
        ArrowError::IoError(_, io) => io_code(io),
        ArrowError::MemoryError(_) => Code::Internal,
        _ => Code::Corrupt,
    };
    PondError::new(
        code,
        format!("data file {}: {}", path.display(), chain(&err)),
    )
}

/// An Arrow error on stored bytes other than a data file (a directory record's content): the
/// table holds something pond did not write.
pub fn from_arrow_content(err: ArrowError, what: &str) -> PondError {
    let code = match &err {
        ArrowError::MemoryError(_) => Code::Internal,
        _ => Code::Corrupt,
    };
    PondError::new(code, format!("{what}: {}", chain(&err)))
}

/// An Arrow error while encoding results: our own bug.
pub fn from_arrow_internal(err: ArrowError, what: &str) -> PondError {
    PondError::internal(format!("{what}: {}", chain(&err)))
}

/// A line of a log entry that is not the JSON the Delta protocol requires.
pub fn from_log_json(err: serde_json::Error, path: &Path) -> PondError {
    PondError::corrupt(format!("log entry {}: {}", path.display(), chain(&err)))
}

/// A blocking task that panicked or was cancelled.
pub fn from_join(err: tokio::task::JoinError, what: &str) -> PondError {
    if err.is_panic() {
        PondError::internal(format!(
            "{what}: panicked: {}",
            panic_text(err.into_panic())
        ))
    } else {
        PondError::internal(format!("{what}: cancelled"))
    }
}

/// The text of a panic payload.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs an operation, turning a panic into an INTERNAL error instead of a crashed process.
pub async fn contained<T>(what: &str, op: impl Future<Output = PondResult<T>>) -> PondResult<T> {
    match AssertUnwindSafe(op).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => Err(panicked(what, payload)),
    }
}

/// `contained` for a synchronous operation.
pub fn contained_sync<T>(what: &str, op: impl FnOnce() -> PondResult<T>) -> PondResult<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(op)) {
        Ok(result) => result,
        Err(payload) => Err(panicked(what, payload)),
    }
}

fn panicked(what: &str, payload: Box<dyn std::any::Any + Send>) -> PondError {
    PondError::internal(format!("{what} panicked: {}", panic_text(payload)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_naming_the_call() {
        let sync = contained_sync::<()>("decode", || panic!("bad state"));
        let sync = sync.err().map(|e| (e.code, e.message));
        assert_eq!(
            sync,
            Some((Code::Internal, "decode panicked: bad state".into()))
        );
        let unit: PondResult<()> = Ok(());
        let async_call = futures::executor::block_on(contained("scan", async move {
            if unit.is_ok() {
                panic!("{} rows", 3);
            }
            unit
        }));
        let async_call = async_call.err().map(|e| (e.code, e.message));
        assert_eq!(
            async_call,
            Some((Code::Internal, "scan panicked: 3 rows".into()))
        );
        assert_eq!(Code::Internal.as_ref(), "INTERNAL");
    }

    #[test]
    fn a_full_disk_or_quota_is_enospc_however_deep_it_is_wrapped() {
        for errno in [libc::ENOSPC, libc::EDQUOT] {
            let full = || std::io::Error::from_raw_os_error(errno);
            assert_eq!(
                from_io(full(), "writing", Path::new("/p")).code,
                Code::Enospc
            );
            let wrapped = deltalake::ObjectStoreError::Generic {
                store: "pond",
                source: Box::new(full()),
            };
            assert_eq!(object_store_code(&wrapped), Code::Enospc);
            assert_eq!(Code::Enospc.as_ref(), "ENOSPC");
        }
        let other = std::io::Error::from_raw_os_error(libc::EACCES);
        assert_eq!(from_io(other, "writing", Path::new("/p")).code, Code::Io);
    }
}
