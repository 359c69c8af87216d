//! A stand-in for Pinecone's control plane: an HTTP/1.1 server on
//! 127.0.0.1, written on `std::net` so that every byte, pause and reset can
//! be scripted. Each connection serves one request and closes.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// 0-based order of arrival.
    pub index: usize,
    /// Time since the server started.
    pub at: Duration,
    /// `GET`, ...
    pub method: String,
    /// The request target exactly as sent (path and query, still encoded).
    pub target: String,
    /// Header names and values as sent.
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` or chunked), empty when there is none.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A well-formed response; `Content-Length` and `Connection: close` are
    /// added unless `headers` already has them.
    Http {
        /// Status code.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// Body bytes.
        body: Vec<u8>,
    },
    /// These bytes, exactly, then a normal close.
    Raw(Vec<u8>),
    /// These bytes, then an abrupt reset (RST).
    Reset(Vec<u8>),
    /// Read the request and never answer.
    Hang,
    /// The first `at_once` bytes at once, then the rest one byte at a
    /// time, pausing `every` between them.
    Trickle {
        /// What to send.
        bytes: Vec<u8>,
        /// How many leading bytes go out without delay.
        at_once: usize,
        /// Pause between the later bytes.
        every: Duration,
    },
}

impl Reply {
    /// `200` with a realistic BackupModel in the given status.
    pub fn backup(status: &str) -> Reply {
        Reply::json(200, sample_backup(status))
    }

    /// A JSON response.
    pub fn json(status: u16, body: Value) -> Reply {
        Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// A plain-text (or any raw body) response.
    pub fn text(status: u16, body: &str) -> Reply {
        Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// Pinecone's JSON error shape.
    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            json!({"error": {"code": code, "message": message}, "status": status}),
        )
    }

    /// Every byte of `reply` trickled, pausing `every` between bytes.
    pub fn trickle(reply: &Reply, every: Duration) -> Reply {
        Reply::Trickle {
            bytes: reply.to_bytes(),
            at_once: 0,
            every,
        }
    }

    /// The head of `reply` at once, then its body trickled.
    pub fn trickle_body(reply: &Reply, every: Duration) -> Reply {
        let bytes = reply.to_bytes();
        let at_once = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(0, |end| end + 4);
        Reply::Trickle {
            bytes,
            at_once,
            every,
        }
    }

    /// Adds a header to an `Http` reply.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Http { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// The bytes of an `Http` reply as sent on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Reply::Http {
                status,
                headers,
                body,
            } => {
                let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(*status));
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                if !has("content-length") && !has("transfer-encoding") {
                    head.push_str(&format!("Content-Length: {}\r\n", body.len()));
                }
                if !has("connection") {
                    head.push_str("Connection: close\r\n");
                }
                head.push_str("\r\n");
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(body);
                bytes
            }
            Reply::Raw(bytes) | Reply::Reset(bytes) | Reply::Trickle { bytes, .. } => bytes.clone(),
            Reply::Hang => Vec::new(),
        }
    }
}

/// Decodes `%XX` escapes in a path segment (invalid escapes stay as they are).
pub fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The id of the specs' example backup, which `sample_backup` describes.
pub const SAMPLE_BACKUP_ID: &str = "670e8400-e29b-41d4-a716-446655440000";

/// The example BackupModel of Pinecone's db_control specs (2025-04 to
/// 2026-04, `GET /backups/{backup_id}` 200 example), in the given status.
pub fn sample_backup(status: &str) -> Value {
    json!({
        "backup_id": SAMPLE_BACKUP_ID,
        "cloud": "aws",
        "created_at": "2024-03-15T10:30:00Z",
        "description": "Monthly backup of production index",
        "dimension": 1536,
        "metric": "cosine",
        "name": "backup_2024_03_15",
        "namespace_count": 3,
        "record_count": 120000,
        "region": "us-east-1",
        "size_bytes": 10000000,
        "source_index_id": "670e8400-e29b-41d4-a716-446655440001",
        "source_index_name": "my-index",
        "status": status,
        "tags": {"environment": "production", "type": "monthly"}
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        412 => "Precondition Failed",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// Decides the reply to each request.
#[derive(Clone)]
pub struct Script(Arc<Responder>);

impl Script {
    /// Replies in order of arrival; the last one repeats forever.
    pub fn sequence(replies: Vec<Reply>) -> Script {
        assert!(!replies.is_empty(), "a sequence needs at least one reply");
        Script(Arc::new(move |request: &Recorded| {
            replies[request.index.min(replies.len() - 1)].clone()
        }))
    }

    /// The same reply to every request.
    pub fn always(reply: Reply) -> Script {
        Script::sequence(vec![reply])
    }

    /// `Initializing` until `after` has passed since the server started,
    /// then `final_status` (e.g. `Ready`); the `backup_id` echoes the path.
    pub fn settles_after(after: Duration, final_status: &str) -> Script {
        let final_status = final_status.to_owned();
        Script(Arc::new(move |request: &Recorded| {
            let status = if request.at < after {
                "Initializing"
            } else {
                &final_status
            };
            let mut backup = sample_backup(status);
            // After any API-gateway prefix.
            if let Some((_, id)) = request.target.rsplit_once("/backups/") {
                backup["backup_id"] = Value::String(percent_decode(id));
            }
            Reply::json(200, backup)
        }))
    }

    /// Any function of the request.
    pub fn from_fn(respond: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Script {
        Script(Arc::new(respond))
    }

    /// Answers `401 Invalid API key` (plain text, as Pinecone's auth layer
    /// does) unless the request carries `Api-Key: key`.
    pub fn requiring_api_key(self, key: &str) -> Script {
        let key = key.to_owned();
        Script(Arc::new(move |request: &Recorded| {
            if request.header("api-key") == Some(key.as_str()) {
                (self.0)(request)
            } else {
                Reply::text(401, "Invalid API key")
            }
        }))
    }

    fn reply(&self, request: &Recorded) -> Reply {
        (self.0)(request)
    }

    /// The reply this script gives to `request`, without a server: for
    /// scripts built on other scripts, and for testing them.
    pub fn respond(&self, request: &Recorded) -> Reply {
        self.reply(request)
    }
}

struct Shared {
    script: Script,
    started: Instant,
    requests: Mutex<Vec<Recorded>>,
    /// Bytes of each reply the client accepted before the connection ended.
    delivered: Mutex<Vec<usize>>,
    stopping: AtomicBool,
    release: (Mutex<bool>, Condvar),
}

/// A running fake control plane. Dropping it stops the server and releases
/// hung connections.
pub struct FakeControlPlane {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl FakeControlPlane {
    /// Starts on a free port of 127.0.0.1.
    pub fn start(script: Script) -> FakeControlPlane {
        Self::bind("127.0.0.1:0", script).expect("bind 127.0.0.1")
    }

    /// Starts on the given address.
    pub fn bind(addr: &str, script: Script) -> io::Result<FakeControlPlane> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script,
            started: Instant::now(),
            requests: Mutex::new(Vec::new()),
            delivered: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
            release: (Mutex::new(false), Condvar::new()),
        });
        let for_acceptor = Arc::clone(&shared);
        let acceptor = thread::spawn(move || {
            for stream in listener.incoming() {
                if for_acceptor.stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&for_acceptor);
                thread::spawn(move || serve(stream, &shared));
            }
        });
        Ok(FakeControlPlane {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// `http://127.0.0.1:PORT`, for `--api-host`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }

    /// How many bytes of the reply to request `index` the client took
    /// before it closed the connection (kernel buffers included).
    pub fn bytes_delivered(&self, index: usize) -> usize {
        self.shared.delivered.lock().unwrap()[index]
    }
}

impl Drop for FakeControlPlane {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let (released, wakeup) = &self.shared.release;
        *released.lock().unwrap() = true;
        wakeup.notify_all();
        // Wake the blocking accept() so the thread sees `stopping`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(request) = read_request(&mut stream, shared) else {
        return;
    };
    let reply = shared.script.reply(&request);
    let delivered = |count: usize| shared.delivered.lock().unwrap()[request.index] = count;
    match reply {
        Reply::Http { .. } | Reply::Raw(_) => {
            let bytes = reply.to_bytes();
            let mut sent = 0;
            for chunk in bytes.chunks(64 * 1024) {
                if stream.write_all(chunk).is_err() {
                    break;
                }
                sent += chunk.len();
            }
            delivered(sent);
            let _ = stream.flush();
        }
        Reply::Reset(bytes) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        }
        Reply::Hang => {
            let (released, wakeup) = &shared.release;
            let mut released = released.lock().unwrap();
            while !*released {
                released = wakeup.wait(released).unwrap();
            }
        }
        Reply::Trickle {
            bytes,
            at_once,
            every,
        } => {
            let at_once = at_once.min(bytes.len());
            if stream.write_all(&bytes[..at_once]).is_err() {
                return;
            }
            for &byte in &bytes[at_once..] {
                if shared.stopping.load(Ordering::SeqCst) || stream.write_all(&[byte]).is_err() {
                    break;
                }
                let _ = stream.flush();
                thread::sleep(every);
            }
        }
    }
}

/// Reads one request head and records it. `None` for a connection that
/// sent nothing usable (such as the wake-up connect from `Drop`).
fn read_request(stream: &mut TcpStream, shared: &Shared) -> Option<Recorded> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).ok().filter(|n| *n > 0)?;
        head.extend_from_slice(&buf[..n]);
        // Not HTTP (a TLS ClientHello, say): answer as a real server does.
        if !head[0].is_ascii_uppercase() {
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return None;
        }
        if head.len() > 64 * 1024 {
            return None;
        }
    }
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let text = String::from_utf8_lossy(&head[..end]);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let body = read_body(stream, &headers, head[end..].to_vec());
    let mut requests = shared.requests.lock().unwrap();
    let request = Recorded {
        index: requests.len(),
        at: shared.started.elapsed(),
        method,
        target,
        headers,
        body,
    };
    requests.push(request.clone());
    shared.delivered.lock().unwrap().push(0);
    Some(request)
}

/// Reads the body that follows a request head (`Content-Length` or chunked),
/// starting from the bytes already read past the head. A body that never
/// completes is kept as far as it came: the request is still answered, as
/// the script decides.
fn read_body(stream: &mut TcpStream, headers: &[(String, String)], mut body: Vec<u8>) -> Vec<u8> {
    const LIMIT: usize = 1024 * 1024;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let chunked = header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let length = header("content-length").and_then(|v| v.parse::<usize>().ok());
    let complete = |body: &[u8]| match (chunked, length) {
        (true, _) => body.windows(5).any(|w| w == b"0\r\n\r\n"),
        (false, Some(length)) => body.len() >= length,
        (false, None) => true,
    };
    let mut buf = [0u8; 4096];
    while !complete(&body) && body.len() < LIMIT {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => body.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    match (chunked, length) {
        (true, _) => dechunk(&body),
        (false, Some(length)) => {
            body.truncate(length);
            body
        }
        (false, None) => Vec::new(),
    }
}

/// The payload of a chunked body (extensions and trailers dropped).
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&raw[..line_end]);
        let size = size.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            break;
        };
        let start = line_end + 2;
        if size == 0 || raw.len() < start + size {
            break;
        }
        out.extend_from_slice(&raw[start..start + size]);
        raw = &raw[(start + size + 2).min(raw.len())..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> String {
        let addr = url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(b"GET /backups/b1 HTTP/1.1\r\nHost: x\r\nApi-Key: k\r\n\r\n")
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn serves_a_sequence_and_records_requests() {
        let server = FakeControlPlane::start(Script::sequence(vec![
            Reply::backup("Initializing"),
            Reply::backup("Ready"),
        ]));
        assert!(get(&server.url()).contains("\"status\":\"Initializing\""));
        assert!(get(&server.url()).contains("\"status\":\"Ready\""));
        assert!(get(&server.url()).contains("\"status\":\"Ready\""));
        let requests = server.requests();
        assert_eq!(requests.len(), 3);
        assert_eq!(requests[0].target, "/backups/b1");
        assert_eq!(requests[0].header("API-KEY"), Some("k"));
    }

    #[test]
    fn records_request_bodies_by_length_and_chunked() {
        let server = FakeControlPlane::start(Script::always(Reply::text(200, "ok")));
        for request in [
            &b"POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"name\":1}"[..],
            b"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"na\r\n6\r\nme\":1}\r\n0\r\n\r\n",
            b"GET /c HTTP/1.1\r\n\r\n",
        ] {
            let mut stream = TcpStream::connect(server.addr()).unwrap();
            stream.write_all(request).unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
        }
        let bodies: Vec<Vec<u8>> = server.requests().into_iter().map(|r| r.body).collect();
        assert_eq!(
            bodies,
            vec![b"{\"name\":1}".to_vec(), b"{\"name\":1}".to_vec(), vec![]]
        );
    }

    #[test]
    fn http_replies_get_length_and_close_headers() {
        let bytes = Reply::text(503, "busy")
            .with_header("Retry-After", "2")
            .to_bytes();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 2\r\n\
             Content-Length: 4\r\nConnection: close\r\n\r\nbusy"
        );
    }

    #[test]
    fn requiring_an_api_key_answers_401_otherwise() {
        let server = FakeControlPlane::start(
            Script::always(Reply::backup("Ready")).requiring_api_key("other"),
        );
        assert!(get(&server.url()).starts_with("HTTP/1.1 401"));
    }
}
