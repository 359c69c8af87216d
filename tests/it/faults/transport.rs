//! Transport faults: refused, reset, silent and trickling servers, and the
//! framings HTTP allows. Retryable ones are retried; the deadline holds.

use std::time::Duration;

use testkit::{FakeControlPlane, Reply, Script};

use super::{Expected, case, check, deadline_bound};
use crate::support::{Run, backup_body, closed_port_url, waiter};

fn ready_after(fault: Reply) -> Vec<Reply> {
    vec![fault, Reply::backup("Ready")]
}

/// Ready on the second request, after the fault.
fn ready() -> Expected {
    Expected::ready(2..=2)
}

#[test]
fn connection_refused_until_the_deadline_is_a_timeout() {
    let run = waiter(&closed_port_url())
        .args(["--timeout", "500ms"])
        .run();
    run.assert_result(3, "timeout")
        .assert_error_contains("deadline of 500ms passed")
        .assert_error_contains("Connection refused");
    assert!(
        run.elapsed < deadline_bound(Duration::from_millis(500)),
        "{}",
        run.describe()
    );
}

#[test]
fn a_host_that_never_resolved_is_not_retried_past_its_limit() {
    // Issue 8: a typo in the host was retried for the whole timeout. Within
    // a timeout shorter than a minute it is retried until the deadline,
    // then exit 6 (the one-minute limit itself is a poller unit test).
    let run = waiter("https://backup-wait-test.invalid")
        .args(["--timeout", "800ms"])
        .run();
    run.assert_result(6, "error")
        .assert_error_contains("cannot resolve backup-wait-test.invalid: no address after ");
    let attempts: u32 = run.output("attempts").parse().unwrap();
    assert!(attempts > 1, "lookups are retried\n{}", run.describe());
    assert!(
        run.elapsed < deadline_bound(Duration::from_millis(800)),
        "{}",
        run.describe()
    );
}

#[test]
fn a_reset_in_the_middle_of_the_headers_is_retried() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Ty".to_vec();
    let run = case(ready_after(Reply::Reset(cut)), &[], ready());
    assert!(run.stderr.contains("attempt 1: "), "{}", run.describe());
}

#[test]
fn a_reset_in_the_middle_of_the_body_is_retried() {
    let mut bytes = Reply::backup("Ready").to_bytes();
    bytes.truncate(bytes.len() - 40);
    case(ready_after(Reply::Reset(bytes)), &[], ready());
}

#[test]
fn a_close_before_the_promised_length_is_retried() {
    let mut bytes = Reply::backup("Ready").to_bytes();
    bytes.truncate(bytes.len() - 40);
    case(ready_after(Reply::Raw(bytes)), &[], ready());
}

#[test]
fn a_response_that_is_not_http_is_retried() {
    case(
        ready_after(Reply::Raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec())),
        &[],
        ready(),
    );
}

#[test]
fn a_silent_server_is_cut_by_the_request_timeout_and_retried() {
    let run = case(
        ready_after(Reply::Hang),
        &["--request-timeout", "200ms"],
        ready(),
    );
    assert!(
        run.stderr.contains("attempt 1: timed out"),
        "{}",
        run.describe()
    );
}

/// Runs against a server that always gives `reply`, with a 1 s deadline and
/// a request timeout far beyond it: only the deadline can end the run.
fn deadline_holds_against(reply: Reply) -> (FakeControlPlane, Run) {
    let server = FakeControlPlane::start(Script::always(reply));
    let run = waiter(&server.url())
        .args(["--timeout", "1s", "--request-timeout", "30s"])
        .run();
    run.assert_result(3, "timeout");
    assert!(
        run.elapsed < deadline_bound(Duration::from_secs(1)),
        "{}",
        run.describe()
    );
    (server, run)
}

#[test]
fn a_silent_server_cannot_hold_the_process_past_the_deadline() {
    let (server, run) = deadline_holds_against(Reply::Hang);
    check(
        &run,
        &server,
        &Expected {
            code: 3,
            result: "timeout",
            error: "timed out",
            requests: 1..=2,
        },
    );
}

#[test]
fn headers_trickled_past_the_deadline_cannot_hold_the_process() {
    deadline_holds_against(Reply::trickle(
        &Reply::backup("Ready"),
        Duration::from_millis(100),
    ));
}

#[test]
fn a_body_trickled_past_the_deadline_cannot_hold_the_process() {
    deadline_holds_against(Reply::trickle_body(
        &Reply::backup("Ready"),
        Duration::from_millis(60),
    ));
}

#[test]
fn a_slow_but_steady_answer_within_the_request_timeout_is_accepted() {
    case(
        vec![Reply::trickle(
            &Reply::backup("Ready"),
            Duration::from_millis(1),
        )],
        &[],
        Expected::ready(1..=1),
    );
}

#[test]
fn an_http_1_0_close_delimited_body_is_read_to_the_end() {
    let body = backup_body("Ready");
    let raw = format!("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{body}");
    let run = case(
        vec![Reply::Raw(raw.into_bytes())],
        &[],
        Expected::ready(1..=1),
    );
    assert_eq!(run.output("source_index_name"), "my-index");
}

#[test]
fn a_chunked_body_is_reassembled() {
    let body = backup_body("Ready");
    let (a, b) = body.split_at(body.len() / 2);
    let raw = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    let run = case(
        vec![Reply::Raw(raw.into_bytes())],
        &[],
        Expected::ready(1..=1),
    );
    assert_eq!(run.output("record_count"), "120000");
}

#[test]
fn a_broken_chunked_encoding_is_retried() {
    let raw =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nxx\r\n";
    case(
        ready_after(Reply::Raw(raw.as_bytes().to_vec())),
        &[],
        ready(),
    );
}

#[test]
fn an_unrequested_gzip_body_is_a_clear_error_not_a_retry_loop() {
    // gzip is not enabled: we never send Accept-Encoding, so a compressed
    // answer is a server bug, reported once. (1f 8b is the gzip magic.)
    let raw = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\nConnection: close\r\n\r\n\x1f\x8b\x08\x00".to_vec();
    case(
        vec![Reply::Raw(raw)],
        &[],
        Expected {
            code: 6,
            result: "error",
            error: "body is not UTF-8 text (Content-Encoding: gzip)",
            requests: 1..=1,
        },
    );
}

#[test]
fn tls_to_a_server_that_speaks_plain_http_fails_fast_suggesting_http() {
    // Issue 8: this said "received corrupt message of type InvalidContentType".
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let host = server.url().replace("http://", "");
    for api_host in [format!("https://{host}"), host] {
        let run = waiter(&api_host).run();
        run.assert_result(6, "error")
            .assert_error_contains("the server does not speak TLS")
            .assert_error_contains("use an http:// --api-host");
        assert!(!run.output("error").contains("InvalidContentType"));
        assert_eq!(run.output("attempts"), "1", "{}", run.describe());
    }
    assert_eq!(
        server.request_count(),
        0,
        "no HTTP request was made in the clear"
    );
}

/// A proxy that answers every CONNECT with `status` and no tunnel.
fn proxy_answering(status_line: &str) -> FakeControlPlane {
    let raw = format!(
        "HTTP/1.1 {status_line}\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    FakeControlPlane::start(Script::always(Reply::Raw(raw.into_bytes())))
}

/// A host that only the proxy could reach: nothing is resolved locally.
const BEHIND_PROXY: &str = "https://api.backup-wait-test.invalid";

#[test]
fn a_proxy_asking_for_credentials_is_exit_6_at_once_with_a_hint_issue_8() {
    let proxy = proxy_answering("407 Proxy Authentication Required");
    let address = proxy.addr();
    let run = waiter(BEHIND_PROXY)
        .env(
            "HTTPS_PROXY",
            format!("http://alice:pr0xy-s3cret@{address}"),
        )
        .run();
    run.assert_result(6, "error")
        .assert_error_contains("the proxy requires authentication (HTTP 407 to CONNECT)")
        .assert_error_contains("http://user:pass@host:port");
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "not retried\n{}", run.describe());
    assert_eq!(requests[0].method, "CONNECT");
    assert_eq!(requests[0].target, "api.backup-wait-test.invalid:443");
    for (what, text) in [
        ("stderr", &run.stderr),
        ("stdout", &run.stdout),
        ("outputs", &run.output_file),
        ("summary", &run.summary),
    ] {
        assert!(
            !text.contains("pr0xy-s3cret"),
            "proxy password in {what}\n{}",
            run.describe()
        );
    }
}

#[test]
fn a_proxy_gateway_error_is_retried_until_the_deadline() {
    let proxy = proxy_answering("502 Bad Gateway");
    let run = waiter(BEHIND_PROXY)
        .env("HTTPS_PROXY", format!("http://{}", proxy.addr()))
        .args(["--timeout", "300ms"])
        .run();
    run.assert_result(3, "timeout")
        .assert_error_contains("the proxy could not open a tunnel (HTTP 502 to CONNECT)");
    assert!(proxy.request_count() > 1, "{}", run.describe());
}

#[test]
fn a_proxy_refusing_the_tunnel_is_exit_6_at_once() {
    let proxy = proxy_answering("403 Forbidden");
    let run = waiter(BEHIND_PROXY)
        .env("HTTPS_PROXY", format!("http://{}", proxy.addr()))
        .run();
    run.assert_result(6, "error").assert_error_contains(
        "the proxy refused to open a tunnel to --api-host (HTTP 403 to CONNECT)",
    );
    assert_eq!(proxy.request_count(), 1);
}
