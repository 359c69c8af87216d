//! The `fake-pinecone` binary as a demo or workflow starts it: it prints
//! its URL, writes its port file, serves the seeded world, and refuses a
//! bad duration.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn request(addr: &str, method: &str, target: &str, key: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nApi-Key: {key}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serves_a_seeded_world_and_tells_where() {
    let dir = std::env::temp_dir().join(format!("fake-pinecone-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let child = Command::new(env!("CARGO_BIN_EXE_fake-pinecone"))
        .args([
            "--api-key",
            "k",
            "--ready-after",
            "200ms",
            "--records",
            "10",
        ])
        .arg("--port-file")
        .arg(&port_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let mut url = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let addr = url.trim().strip_prefix("http://").unwrap().to_owned();
    let port = std::fs::read_to_string(&port_file).unwrap();
    assert!(addr.ends_with(&format!(":{port}")), "{addr} vs {port}");

    let backups = request(&addr, "GET", "/indexes/prod/backups", "k", "");
    assert!(backups.starts_with("HTTP/1.1 200"), "{backups}");
    assert_eq!(backups.matches("\"backup_id\"").count(), 3);
    assert!(backups.contains("\"status\":\"Failed\""));
    let created = request(&addr, "POST", "/indexes/prod/backups", "k", "{}");
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    assert!(created.contains("\"status\":\"Initializing\""));
    assert!(created.contains("\"record_count\":10"));
    let denied = request(&addr, "GET", "/backups", "other", "");
    assert!(denied.starts_with("HTTP/1.1 401"), "{denied}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refuses_a_duration_with_units_out_of_order() {
    let output = Command::new(env!("CARGO_BIN_EXE_fake-pinecone"))
        .args(["--ready-after", "1m1h"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("'1m1h': each unit may appear once, largest first"),
        "{stderr}"
    );
}
