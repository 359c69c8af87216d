//! Getting rendered text out of the process without ever being held by it.
//!
//! A sink can never hold the process: it is checked before the wait, and
//! writing it is bounded in time. `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`
//! are opened once, before the first request, without blocking
//! ([`FileSink::open`]); at the end each gets one `write_all` on a helper
//! thread that the caller waits for at most a time limit ([`within`]). A FIFO
//! with no reader, a pipe nobody reads or a hung network file system costs
//! at most that limit and a message saying so, never a hung job. An
//! abandoned helper thread dies with the process.
//!
//! stdout and stderr get the same treatment: [`BoundedWriter`] for `--json`,
//! and [`LineQueue`] for the log, which must not block the wait loop even
//! for a moment, so it hands lines to a writer thread through a bounded
//! queue and drops (and counts) lines when the queue is full.
//!
//! This module decides nothing about what is written or what a failure means;
//! `app` does.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use crate::config::HumanDuration;

/// How long one sink may take to be written at the end of a run. A local
/// file or a pipe that is being read takes microseconds; this only matters
/// for a sink that is stuck, and several sinks must still fit between
/// GitHub's SIGINT and its SIGTERM 7.5 s later.
pub const TIME_LIMIT: Duration = Duration::from_secs(2);

/// How many log lines may wait for a slow stderr before lines are dropped.
pub const LOG_QUEUE_LINES: usize = 1024;

/// Opens `path` for appending (creating it) without ever blocking: on unix
/// the open is non-blocking, so a FIFO with no reader fails at once (ENXIO)
/// instead of waiting for one. The returned file is blocking again, so a
/// slow reader is waited for (within a time limit) rather than refused.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|err| explain(err, path))?;
    #[cfg(unix)]
    set_blocking(&file)?;
    Ok(file)
}

/// Replaces errno texts that say nothing to a workflow author: ENXIO ("No
/// such device or address") is what a FIFO without reader and a socket give.
fn explain(err: io::Error, path: &Path) -> io::Error {
    #[cfg(unix)]
    if err.raw_os_error() == Some(libc::ENXIO) {
        use std::os::unix::fs::FileTypeExt;
        // Reading the metadata of a FIFO or socket does not block.
        let what = match std::fs::metadata(path).map(|m| m.file_type()) {
            Ok(kind) if kind.is_fifo() => "it is a FIFO with no reader",
            Ok(kind) if kind.is_socket() => "it is a socket, which cannot be opened as a file",
            _ => return err,
        };
        return io::Error::new(err.kind(), what);
    }
    #[cfg(not(unix))]
    let _ = path;
    err
}

/// Clears `O_NONBLOCK`, which was only wanted for the open itself.
#[cfg(unix)]
fn set_blocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is an open descriptor owned by `file` for this whole
    // call; F_GETFL and F_SETFL only read and set its status flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Runs `work` on a helper thread and waits for it at most `limit`. On time
/// out the thread is left behind (it ends with the process) and the error
/// says how long was waited.
pub fn within<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let (done, result) = mpsc::sync_channel(1);
    thread::Builder::new()
        .name("sink-writer".into())
        .spawn(move || {
            // The receiver is gone only if the caller gave up already.
            let _ = done.send(work());
        })?;
    match result.recv_timeout(limit) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "still blocked after {} (is anything reading it?)",
                HumanDuration(limit)
            ),
        )),
        Err(RecvTimeoutError::Disconnected) => Err(io::Error::other("the writing thread stopped")),
    }
}

/// One of the files GitHub names in the environment, checked before the wait.
#[derive(Debug)]
pub enum FileSink {
    /// The variable is not set: nothing to write.
    Unset,
    /// Opened for appending; written once at the end.
    Open {
        /// Where it is.
        path: PathBuf,
        /// The open file.
        file: File,
    },
    /// It cannot be opened for appending.
    Unusable {
        /// Where it is.
        path: PathBuf,
        /// Why it cannot be opened.
        reason: io::Error,
    },
}

impl FileSink {
    /// Opens the file at `path`, if any, with [`open_append`], waiting at
    /// most `limit` (an open can hang too, on a stuck network file system).
    pub fn open(path: Option<&Path>, limit: Duration) -> FileSink {
        let Some(path) = path else {
            return FileSink::Unset;
        };
        let path = path.to_path_buf();
        let opening = path.clone();
        match within(limit, move || open_append(&opening)) {
            Ok(file) => FileSink::Open { path, file },
            Err(reason) => FileSink::Unusable { path, reason },
        }
    }

    /// Why the file cannot be written, if it cannot.
    pub fn problem(&self) -> Option<SinkError> {
        match self {
            FileSink::Unusable { path, reason } => Some(SinkError {
                path: path.clone(),
                reason: io::Error::new(reason.kind(), reason.to_string()),
            }),
            _ => None,
        }
    }

    /// Appends `text` in one `write_all`, waiting at most `limit`.
    /// `Unset` writes nothing; `Unusable` returns its reason.
    pub fn append_within(self, text: String, limit: Duration) -> Result<(), SinkError> {
        match self {
            FileSink::Unset => Ok(()),
            FileSink::Unusable { path, reason } => Err(SinkError { path, reason }),
            FileSink::Open { path, mut file } => within(limit, move || {
                file.write_all(text.as_bytes())?;
                file.flush()
            })
            .map_err(|reason| SinkError { path, reason }),
        }
    }
}

/// A file sink that could not be written: where, and why.
#[derive(Debug)]
pub struct SinkError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: io::Error,
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

/// A writer whose every write finishes within a time limit or fails, for
/// stdout. After one write times out, later ones fail at once: the stream
/// is stuck and waiting again would only add up.
pub struct BoundedWriter<W> {
    inner: Arc<Mutex<W>>,
    limit: Duration,
    stuck: bool,
}

impl<W: Write + Send + 'static> BoundedWriter<W> {
    /// Wraps `inner`; each write or flush waits at most `limit`.
    pub fn new(inner: W, limit: Duration) -> Self {
        BoundedWriter {
            inner: Arc::new(Mutex::new(inner)),
            limit,
            stuck: false,
        }
    }

    fn run(
        &mut self,
        work: impl FnOnce(&mut W) -> io::Result<()> + Send + 'static,
    ) -> io::Result<()> {
        if self.stuck {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "an earlier write is still blocked",
            ));
        }
        let inner = Arc::clone(&self.inner);
        let result = within(self.limit, move || {
            work(&mut inner.lock().unwrap_or_else(PoisonError::into_inner))
        });
        if matches!(&result, Err(err) if err.kind() == io::ErrorKind::TimedOut) {
            self.stuck = true;
        }
        result
    }
}

impl<W: Write + Send + 'static> Write for BoundedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let bytes = buf.to_vec();
        self.run(move |inner| inner.write_all(&bytes))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.run(|inner| inner.flush())
    }
}

/// The log's way out: complete lines go through a bounded queue to a thread
/// that writes them, so writing a line never blocks. When the queue is full
/// (stderr is not being read), the line is dropped and counted; the count is
/// reported once the queue drains. [`LineQueue::close_within`] flushes it at
/// exit, for at most a time limit.
pub struct LineQueue {
    queue: Option<SyncSender<Vec<u8>>>,
    partial: Vec<u8>,
    dropped: Arc<AtomicUsize>,
    drained: Receiver<()>,
}

impl LineQueue {
    /// Starts the writer thread for `out`, with room for `capacity` lines.
    pub fn spawn<W: Write + Send + 'static>(mut out: W, capacity: usize) -> LineQueue {
        let (queue, lines) = mpsc::sync_channel::<Vec<u8>>(capacity);
        let (signal_drained, drained) = mpsc::sync_channel(1);
        let dropped = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&dropped);
        let writer = move || {
            // Write errors are ignored: a closed stderr must not change the result.
            for line in lines {
                let _ = out.write_all(&line).and_then(|()| out.flush());
            }
            let dropped = counted.load(Ordering::Relaxed);
            if dropped > 0 {
                let _ = writeln!(
                    out,
                    "warning: {dropped} log line{} dropped because stderr was not being read",
                    if dropped == 1 { " was" } else { "s were" }
                )
                .and_then(|()| out.flush());
            }
            let _ = signal_drained.send(());
        };
        // Without a thread (the system refused one) lines go nowhere rather
        // than risk blocking: the queue's receiver is dropped with `writer`.
        let _ = thread::Builder::new()
            .name("log-writer".into())
            .spawn(writer);
        LineQueue {
            queue: Some(queue),
            partial: Vec::new(),
            dropped,
            drained,
        }
    }

    /// Lines dropped so far because the queue was full.
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::Relaxed)
    }

    fn send(&mut self, line: Vec<u8>) {
        let Some(queue) = &self.queue else {
            return;
        };
        match queue.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            // No writer thread: nothing can be written, nothing to count.
            Err(TrySendError::Disconnected(_)) => self.queue = None,
        }
    }

    /// Sends any unfinished line, closes the queue and waits at most `limit`
    /// for the writer to drain it. Returns whether it drained in time.
    pub fn close_within(mut self, limit: Duration) -> bool {
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            self.send(rest);
        }
        if self.queue.take().is_none() {
            return true;
        }
        self.drained.recv_timeout(limit).is_ok()
    }
}

impl Write for LineQueue {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // `writeln!` arrives in pieces; queue whole lines only, so a dropped
        // line never leaves half of itself behind.
        self.partial.extend_from_slice(buf);
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let rest = self.partial.split_off(end + 1);
            let line = std::mem::replace(&mut self.partial, rest);
            self.send(line);
        }
        Ok(buf.len())
    }

    /// Sends an unfinished line as it is: the only caller is the terminal's
    /// live status line, which is redrawn in place and never ends in `\n`.
    fn flush(&mut self) -> io::Result<()> {
        if !self.partial.is_empty() {
            let chunk = std::mem::take(&mut self.partial);
            self.send(chunk);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A writer that never returns, like a pipe whose reader never reads.
    struct BlocksForever;

    impl Write for BlocksForever {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            loop {
                thread::park();
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A writer whose bytes the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    const SHORT: Duration = Duration::from_millis(50);
    /// Far above SHORT, far below "forever": only a hang exceeds it.
    const HANG: Duration = Duration::from_secs(5);

    #[cfg(unix)]
    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[test]
    fn appends_without_truncating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        std::fs::write(&path, "before\n").unwrap();
        FileSink::open(Some(&path), HANG)
            .append_within("a<<D\n1\nD\n".into(), HANG)
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "before\na<<D\n1\nD\n"
        );
    }

    #[test]
    fn an_unset_sink_writes_nothing() {
        let sink = FileSink::open(None, HANG);
        assert!(sink.problem().is_none());
        sink.append_within("x".into(), SHORT).unwrap();
    }

    #[test]
    fn a_missing_directory_is_found_before_the_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/dir/out");
        let sink = FileSink::open(Some(&path), HANG);
        let problem = sink.problem().unwrap();
        assert_eq!(problem.reason.kind(), io::ErrorKind::NotFound);
        assert!(
            problem
                .to_string()
                .starts_with(&format!("{}: ", path.display()))
        );
        // And writing it later reports the same reason, not a new attempt.
        let err = sink.append_within("x".into(), SHORT).unwrap_err();
        assert_eq!(err.reason.kind(), io::ErrorKind::NotFound);
        assert!(!path.exists());
    }

    #[test]
    fn a_directory_is_unusable() {
        let dir = tempfile::tempdir().unwrap();
        assert!(FileSink::open(Some(dir.path()), HANG).problem().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_reader_fails_at_once_instead_of_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        mkfifo(&path);
        let started = Instant::now();
        let err = open_append(&path).unwrap_err();
        assert!(started.elapsed() < HANG);
        assert_eq!(err.to_string(), "it is a FIFO with no reader");
    }

    #[cfg(unix)]
    #[test]
    fn a_socket_is_unusable_and_said_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let err = open_append(&path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is a socket, which cannot be opened as a file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_with_a_reader_is_written_blocking() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        mkfifo(&path);
        // Read-write does not block, and counts as a reader.
        let mut reader = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let sink = FileSink::open(Some(&path), HANG);
        assert!(sink.problem().is_none(), "{:?}", sink.problem());
        // Larger than a pipe buffer: non-blocking would fail with EAGAIN.
        let text = "x".repeat(200_000);
        let reading = thread::spawn(move || {
            let mut buf = vec![0; 200_000];
            reader.read_exact(&mut buf).unwrap();
            buf.len()
        });
        sink.append_within(text, HANG).unwrap();
        assert_eq!(reading.join().unwrap(), 200_000);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_nobody_reads_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        mkfifo(&path);
        let _reader = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let started = Instant::now();
        let err = FileSink::open(Some(&path), HANG)
            .append_within("x".repeat(1 << 20), SHORT)
            .unwrap_err();
        assert!(started.elapsed() < HANG);
        assert_eq!(err.reason.kind(), io::ErrorKind::TimedOut);
        assert!(
            err.to_string()
                .ends_with("still blocked after 50ms (is anything reading it?)")
        );
    }

    #[test]
    fn within_gives_up_on_a_writer_that_blocks_forever() {
        let started = Instant::now();
        let err = within(SHORT, || BlocksForever.write_all(b"x")).unwrap_err();
        assert!(started.elapsed() < HANG);
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn within_returns_the_work_result() {
        assert_eq!(within(HANG, || Ok(7)).unwrap(), 7);
        let err = within(HANG, || -> io::Result<()> { Err(io::Error::other("no")) }).unwrap_err();
        assert_eq!(err.to_string(), "no");
    }

    #[test]
    fn bounded_writer_writes_through() {
        let out = Shared::default();
        let mut writer = BoundedWriter::new(out.clone(), HANG);
        writer.write_all(b"{\"result\":\"ready\"}\n").unwrap();
        writer.flush().unwrap();
        assert_eq!(out.text(), "{\"result\":\"ready\"}\n");
    }

    #[test]
    fn bounded_writer_gives_up_once_and_then_fails_fast() {
        let mut writer = BoundedWriter::new(BlocksForever, SHORT);
        let started = Instant::now();
        let err = writer.write_all(b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < HANG);
        // Stuck: no second wait.
        assert!(writer.flush().is_err());
        assert!(writer.write_all(b"y").is_err());
    }

    #[test]
    fn line_queue_keeps_lines_whole_and_in_order() {
        let out = Shared::default();
        let mut log = LineQueue::spawn(out.clone(), 16);
        write!(log, "attempt ").unwrap();
        let status = "Pending";
        // Arrives as three writes: text, argument, newline.
        writeln!(log, "1: status {status}").unwrap();
        log.write_all(b"two\nthree\nunfinished").unwrap();
        assert!(log.close_within(HANG));
        assert_eq!(
            out.text(),
            "attempt 1: status Pending\ntwo\nthree\nunfinished"
        );
    }

    #[test]
    fn line_queue_sends_an_unfinished_line_when_flushed() {
        let out = Shared::default();
        let mut log = LineQueue::spawn(out.clone(), 16);
        write!(log, "\r\x1b[Kstatus Pending").unwrap();
        log.flush().unwrap();
        write!(log, "\r\x1b[Kstatus Ready").unwrap();
        log.flush().unwrap();
        writeln!(log, "\r\x1b[Kdone").unwrap();
        assert!(log.close_within(HANG));
        assert_eq!(
            out.text(),
            "\r\x1b[Kstatus Pending\r\x1b[Kstatus Ready\r\x1b[Kdone\n"
        );
    }

    #[test]
    fn line_queue_never_blocks_and_counts_what_it_drops() {
        let mut log = LineQueue::spawn(BlocksForever, 4);
        let started = Instant::now();
        for n in 0..1000 {
            writeln!(log, "line {n}").unwrap();
        }
        assert!(started.elapsed() < HANG);
        // 4 queued and 1 taken by the stuck writer, at most.
        assert!(log.dropped() >= 995, "{}", log.dropped());
        let started = Instant::now();
        assert!(!log.close_within(SHORT));
        assert!(started.elapsed() < HANG);
    }

    #[test]
    fn line_queue_reports_dropped_lines_once_drained() {
        /// Holds every write until released, then writes through.
        struct Gate(Arc<Mutex<()>>, Shared);
        impl Write for Gate {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                let _open = self.0.lock().unwrap();
                self.1.write(buf)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let gate = Arc::new(Mutex::new(()));
        let closed = gate.lock().unwrap();
        let out = Shared::default();
        let mut log = LineQueue::spawn(Gate(Arc::clone(&gate), out.clone()), 2);
        for n in 0..10 {
            writeln!(log, "line {n}").unwrap();
        }
        let dropped = log.dropped();
        assert!((7..=8).contains(&dropped), "{dropped}");
        drop(closed);
        assert!(log.close_within(HANG));
        let text = out.text();
        assert!(text.starts_with("line 0\nline 1\n"), "{text}");
        assert!(
            text.ends_with(&format!(
                "warning: {dropped} log lines were dropped because stderr was not being read\n"
            )),
            "{text}"
        );
    }
}
