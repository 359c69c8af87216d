//! A fake Pinecone control plane for demos, workflow self-tests and
//! benchmarks: `GET /backups/{id}` answers `Initializing` until the backup
//! settles, then `Ready` (or `--final-status`).
//!
//! ```text
//! fake-control-plane [--port N] [--ready-after 3s|500ms] [--final-status Failed]
//!                    [--api-key KEY] [--port-file PATH]
//! ```
//! Prints `http://127.0.0.1:PORT` on stdout once listening and serves until
//! killed. With `--api-key`, other keys get `401 Invalid API key`.

use std::time::Duration;

use testkit::{FakeControlPlane, Script};

fn main() {
    let mut port = 0u16;
    let mut ready_after = Duration::ZERO;
    let mut final_status = "Ready".to_owned();
    let mut api_key: Option<String> = None;
    let mut port_file: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--port" => {
                port = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--port takes a number"))
            }
            "--ready-after" => ready_after = parse_duration(&value()),
            "--final-status" => final_status = value(),
            "--api-key" => api_key = Some(value()),
            "--port-file" => port_file = Some(value()),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown flag {other}")),
        }
    }
    let mut script = Script::settles_after(ready_after, &final_status);
    if let Some(key) = &api_key {
        script = script.requiring_api_key(key);
    }
    let server = FakeControlPlane::bind(&format!("127.0.0.1:{port}"), script)
        .unwrap_or_else(|err| usage(&format!("cannot listen on port {port}: {err}")));
    if let Some(path) = port_file {
        std::fs::write(&path, server.addr().port().to_string())
            .unwrap_or_else(|err| usage(&format!("cannot write {path}: {err}")));
    }
    println!("{}", server.url());
    loop {
        std::thread::park();
    }
}

/// `3s`, `1.5s`, `500ms` or bare seconds.
fn parse_duration(text: &str) -> Duration {
    let (number, scale) = match text.strip_suffix("ms") {
        Some(millis) => (millis, 0.001),
        None => (text.strip_suffix('s').unwrap_or(text), 1.0),
    };
    number
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && *value >= 0.0)
        .map(|value| Duration::from_secs_f64(value * scale))
        .unwrap_or_else(|| usage(&format!("'{text}' is not a duration like 3s or 500ms")))
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("fake-control-plane: {problem}");
    }
    eprintln!(
        "usage: fake-control-plane [--port N] [--ready-after 3s] [--final-status Ready|Failed] \
         [--api-key KEY] [--port-file PATH]"
    );
    std::process::exit(if problem.is_empty() { 0 } else { 2 })
}
