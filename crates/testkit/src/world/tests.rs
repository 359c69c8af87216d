//! The world over HTTP, through a tiny std::net client: what a waiter
//! would see, and whether each answer has the shape its spec gives.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use super::shapes::{self, Kind};
use super::*;

const MS: Duration = Duration::from_millis(1);
const KEY: &str = "test-key";

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body, checked against the schema it must follow.
    fn shaped(&self, kind: Kind) -> Value {
        let body = self.json();
        let problems = shapes::check(&body, kind);
        assert!(problems.is_empty(), "{body:#}\n{problems:#?}");
        body
    }
}

/// One request on its own connection; the server closes after answering.
fn call(
    host: &str,
    method: &str,
    target: &str,
    key: Option<&str>,
    body: Option<&[u8]>,
) -> io::Result<Response> {
    let mut stream = TcpStream::connect(host.trim_start_matches("http://"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
    if let Some(key) = key {
        head.push_str(&format!("Api-Key: {key}\r\n"));
    }
    head.push_str("X-Pinecone-Api-Version: 2025-10\r\n");
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.unwrap_or_default())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no response head"))?;
    let text = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    })
}

fn get(world: &FakePinecone, target: &str) -> Response {
    call(&world.url(), "GET", target, Some(KEY), None).unwrap()
}

fn post(world: &FakePinecone, target: &str, body: Value) -> Response {
    let body = body.to_string();
    call(
        &world.url(),
        "POST",
        target,
        Some(KEY),
        Some(body.as_bytes()),
    )
    .unwrap()
}

fn stats(host: &str) -> Response {
    call(
        host,
        "POST",
        "/describe_index_stats",
        Some(KEY),
        Some(b"{}"),
    )
    .unwrap()
}

/// A world with `prod` (1000 + 200 records in two namespaces), the key
/// required, and its clock frozen so a test moves time itself.
fn world_with(settings: Settings) -> FakePinecone {
    let world = FakePinecone::start_with(Settings {
        api_key: Some(KEY.into()),
        ..settings
    });
    world.freeze_clock();
    world.add_index(
        IndexSeed::new("prod")
            .namespace("", 1000)
            .namespace("eu", 200),
    );
    world
}

fn world() -> FakePinecone {
    world_with(Settings::default())
}

fn error_code(response: &Response) -> String {
    let body = response.shaped(shapes::ERROR_RESPONSE);
    assert_eq!(body["status"], json!(response.status));
    body["error"]["code"].as_str().unwrap().to_owned()
}

// ---- backups ---------------------------------------------------------------

#[test]
fn a_created_backup_moves_through_its_timeline_and_shows_in_every_list() {
    let world = world();
    let created = post(
        &world,
        "/indexes/prod/backups",
        json!({"name": "nightly", "description": "before deploy"}),
    );
    assert_eq!(created.status, 201);
    let backup = created.shaped(shapes::BACKUP_MODEL);
    assert_eq!(backup["status"], "Initializing");
    assert_eq!(backup["name"], "nightly");
    assert_eq!(backup["description"], "before deploy");
    assert_eq!(backup["source_index_name"], "prod");
    assert_eq!(backup["record_count"], 1200);
    assert_eq!(backup["namespace_count"], 2);
    assert_eq!(backup["created_at"], json!(rfc3339(world.wall_now())));
    let id = backup["backup_id"].as_str().unwrap();

    let status = |world: &FakePinecone| {
        get(world, &format!("/backups/{id}")).shaped(shapes::BACKUP_MODEL)["status"].clone()
    };
    world.advance(50 * MS);
    assert_eq!(status(&world), "Pending");
    world.advance(50 * MS);
    assert_eq!(status(&world), "Ready");

    let of_index = get(&world, "/indexes/prod/backups").shaped(shapes::BACKUP_LIST);
    let of_project = get(&world, "/backups").shaped(shapes::BACKUP_LIST);
    for list in [&of_index, &of_project] {
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        assert_eq!(list["data"][0]["backup_id"], json!(id));
        assert!(list.get("pagination").is_none(), "{list}");
    }
    assert_eq!(world.backups_of("prod")[0].status, "Ready");
}

#[test]
fn a_create_answers_200_like_2026_07_when_set() {
    let world = world_with(Settings::version_2026_07());
    let created = post(&world, "/indexes/prod/backups", json!({}));
    assert_eq!(created.status, 200);
    let backup = created.shaped(shapes::BACKUP_MODEL);
    assert!(backup.get("name").is_none());
}

#[test]
fn a_backup_can_end_in_a_failed_status() {
    let world = world_with(Settings {
        backup_timeline: Timeline::backup(10 * MS, "Failed"),
        ..Settings::default()
    });
    let id = world.create_backup("prod", Some("n"));
    world.advance(10 * MS);
    assert_eq!(world.backup(&id).unwrap().status, "Failed");
    assert_eq!(
        get(&world, &format!("/backups/{id}")).json()["status"],
        "Failed"
    );
}

#[test]
fn an_unknown_index_is_404_not_found_for_create_list_and_describe() {
    let world = world();
    for response in [
        post(&world, "/indexes/nope/backups", json!({"name": "x"})),
        get(&world, "/indexes/nope/backups"),
        get(&world, "/indexes/nope"),
    ] {
        assert_eq!(response.status, 404);
        assert_eq!(error_code(&response), "NOT_FOUND");
        assert_eq!(response.json()["error"]["message"], "Index nope not found.");
    }
    assert!(world.backups().is_empty());
}

#[test]
fn a_body_that_is_not_a_create_backup_request_is_422_and_creates_nothing() {
    let world = world();
    for body in [
        &b"not json"[..],
        b"[]",
        br#"{"name": 7}"#,
        br#"{"description": {}}"#,
        b"",
    ] {
        let response = call(
            &world.url(),
            "POST",
            "/indexes/prod/backups",
            Some(KEY),
            Some(body),
        )
        .unwrap();
        assert_eq!(response.status, 422, "{}", String::from_utf8_lossy(body));
        assert_eq!(error_code(&response), "UNPROCESSABLE_ENTITY");
    }
    assert!(world.backups().is_empty());
}

#[test]
fn past_the_backup_quota_a_create_gets_the_specs_403() {
    let world = world_with(Settings {
        backup_quota: Some(1),
        ..Settings::default()
    });
    assert_eq!(post(&world, "/indexes/prod/backups", json!({})).status, 201);
    let refused = post(&world, "/indexes/prod/backups", json!({}));
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json(),
        json!({"error": {"code": "FORBIDDEN",
            "message": "Increase your quota or upgrade to create more backups."}, "status": 403})
    );
    assert_eq!(world.backups().len(), 1);
}

#[test]
fn another_api_key_gets_401_and_changes_nothing() {
    let world = world();
    let body = br#"{"name":"x"}"#;
    for key in [None, Some("wrong")] {
        let response = call(
            &world.url(),
            "POST",
            "/indexes/prod/backups",
            key,
            Some(body),
        )
        .unwrap();
        assert_eq!(response.status, 401);
        assert_eq!(response.text(), "Invalid API key");
    }
    world.configure(|s| s.unauthorized_as_json = true);
    let response = call(&world.url(), "GET", "/backups", Some("wrong"), None).unwrap();
    assert_eq!(error_code(&response), "UNAUTHENTICATED");
    let host = world.index("prod").unwrap().host;
    let response = call(
        &host,
        "POST",
        "/describe_index_stats",
        Some("wrong"),
        Some(b"{}"),
    )
    .unwrap();
    assert_eq!(response.status, 401);
    assert!(world.backups().is_empty());
}

#[test]
fn seeded_backups_keep_their_created_at_status_and_counts() {
    let world = world();
    let old = world.timestamp_ago(Duration::from_secs(2 * 86_400));
    world.add_backup(BackupSeed::of("prod").id("old").name("n1").created_at(&old));
    world.add_backup(BackupSeed::of("prod").id("undated").status("Ready"));
    world.add_backup(
        BackupSeed::of("prod")
            .id("failed")
            .status("Failed")
            .counts(7, 2),
    );
    let list = get(&world, "/indexes/prod/backups").shaped(shapes::BACKUP_LIST);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data[0]["created_at"], json!(old));
    assert!(data[1].get("created_at").is_none());
    assert_eq!(data[2]["status"], "Failed");
    assert_eq!(data[2]["record_count"], 7);
    assert_eq!(data[2]["namespace_count"], 2);
    assert_eq!(data[0]["record_count"], 1200);
}

// ---- pagination ------------------------------------------------------------

/// Follows `pagination.next` to the end; answers the pages' sizes and the
/// last page's body.
fn walk_pages(world: &FakePinecone, path: &str, limit: Option<usize>) -> (Vec<usize>, Value) {
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut query = Vec::new();
        if let Some(limit) = limit {
            query.push(format!("limit={limit}"));
        }
        if let Some(token) = &token {
            query.push(format!("paginationToken={}", token.replace('=', "%3D")));
        }
        let target = format!("{path}?{}", query.join("&"));
        let page = get(world, &target);
        assert_eq!(page.status, 200, "{}", page.text());
        let body = page.json();
        sizes.push(body["data"].as_array().unwrap().len());
        match body["pagination"]["next"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => return (sizes, body),
        }
        assert!(sizes.len() < 20, "pagination does not end");
    }
}

#[test]
fn lists_paginate_with_limit_and_pagination_token() {
    let world = world();
    for i in 0..25 {
        world.add_backup(BackupSeed::of("prod").name(&format!("b{i}")));
    }
    world.add_backup(BackupSeed::of("other"));
    let (sizes, last) = walk_pages(&world, "/indexes/prod/backups", None);
    assert_eq!(sizes, [10, 10, 5]);
    assert!(last.get("pagination").is_none());
    let (sizes, _) = walk_pages(&world, "/indexes/prod/backups", Some(7));
    assert_eq!(sizes, [7, 7, 7, 4]);
    let (sizes, _) = walk_pages(&world, "/backups", Some(100));
    assert_eq!(sizes, [26]);

    world.configure(|s| {
        *s = Settings {
            api_key: Some(KEY.into()),
            ..Settings::version_2026_07()
        }
    });
    let (sizes, last) = walk_pages(&world, "/indexes/prod/backups", None);
    assert_eq!(sizes, [25]);
    assert_eq!(last["pagination"], Value::Null);
}

#[test]
fn a_bad_limit_or_token_is_400() {
    let world = world();
    world.add_backup(BackupSeed::of("prod"));
    world.add_backup(BackupSeed::of("prod"));
    let first = get(&world, "/backups?limit=1").json();
    let token = first["pagination"]["next"]
        .as_str()
        .unwrap()
        .replace('=', "%3D");
    for target in [
        "/backups?limit=0".to_owned(),
        "/backups?limit=101".to_owned(),
        "/backups?limit=ten".to_owned(),
        "/backups?paginationToken=garbage".to_owned(),
        // A token of another list.
        format!("/indexes/prod/backups?paginationToken={token}"),
        format!("/restore-jobs?paginationToken={token}"),
    ] {
        let response = get(&world, &target);
        assert_eq!(response.status, 400, "{target}");
        assert_eq!(error_code(&response), "INVALID_ARGUMENT");
    }
    let second = get(&world, &format!("/backups?limit=1&paginationToken={token}"));
    assert_eq!(second.status, 200);
}

#[test]
fn repeat_next_paging_serves_a_token_seen_before() {
    let world = world();
    world.add_backup(BackupSeed::of("prod"));
    world.configure(|s| {
        s.paging.insert(ListKind::IndexBackups, Paging::RepeatNext);
    });
    let first = get(&world, "/indexes/prod/backups").json();
    let token = first["pagination"]["next"].as_str().unwrap().to_owned();
    let target = format!(
        "/indexes/prod/backups?paginationToken={}",
        token.replace('=', "%3D")
    );
    for _ in 0..3 {
        assert_eq!(
            get(&world, &target).json()["pagination"]["next"],
            json!(token)
        );
    }
    // Other lists are untouched.
    assert!(get(&world, "/backups").json().get("pagination").is_none());
}

#[test]
fn endless_paging_never_repeats_a_token() {
    let world = world();
    world.configure(|s| {
        s.paging.insert(ListKind::RestoreJobs, Paging::Endless);
    });
    let mut seen = std::collections::HashSet::new();
    let mut target = "/restore-jobs".to_owned();
    for _ in 0..5 {
        let page = get(&world, &target).shaped(shapes::RESTORE_JOB_LIST);
        let next = page["pagination"]["next"].as_str().unwrap().to_owned();
        assert!(seen.insert(next.clone()), "{next} repeated");
        target = format!("/restore-jobs?paginationToken={}", next.replace('=', "%3D"));
    }
}

// ---- faults ----------------------------------------------------------------

#[test]
fn reset_after_acting_creates_the_backup_but_the_client_sees_a_reset() {
    let world = world();
    world.fault(
        Fault::post("/indexes/prod/backups")
            .nth(1)
            .reset_after_acting(),
    );
    let body = br#"{"name":"nightly-1"}"#;
    let first = call(
        &world.url(),
        "POST",
        "/indexes/prod/backups",
        Some(KEY),
        Some(body),
    );
    assert!(first.is_err(), "expected a reset");
    let backups = world.backups_of("prod");
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].name.as_deref(), Some("nightly-1"));
    // The client looks before re-sending, and finds it.
    let list = get(&world, "/indexes/prod/backups").json();
    assert_eq!(list["data"][0]["name"], "nightly-1");
    // Only the first create was faulted.
    assert_eq!(post(&world, "/indexes/prod/backups", json!({})).status, 201);
    let creates = world.requests_to("POST", "/indexes/*/backups");
    assert_eq!(creates.len(), 2);
    assert!(creates[0].faulted && !creates[1].faulted);
    assert_eq!(creates[0].reply, Reply::Reset(Vec::new()));
    assert_eq!(creates[0].json().unwrap()["name"], "nightly-1");
    assert_eq!(creates[1].status(), Some(201));
}

#[test]
fn a_fault_instead_answers_without_touching_the_world() {
    let world = world();
    world.fault(
        Fault::post("/indexes/*/backups")
            .first(2)
            .instead(replies::internal_error()),
    );
    world.fault(Fault::get("/backups/*").instead(replies::quota_exceeded()));
    for _ in 0..2 {
        let response = post(&world, "/indexes/prod/backups", json!({}));
        assert_eq!(response.status, 500);
        assert_eq!(error_code(&response), "UNKNOWN");
    }
    assert!(world.backups().is_empty());
    assert_eq!(post(&world, "/indexes/prod/backups", json!({})).status, 201);
    let response = get(&world, "/backups/anything");
    assert_eq!(response.status, 429);
    assert_eq!(error_code(&response), "QUOTA_EXCEEDED");
    world.clear_faults();
    assert_eq!(get(&world, "/backups/anything").status, 404);
}

#[test]
fn hang_after_acting_creates_and_never_answers() {
    let world = world();
    world.fault(Fault::post("/indexes/prod/backups").after_acting(Reply::Hang));
    let mut stream = TcpStream::connect(world.addr()).unwrap();
    stream.set_read_timeout(Some(200 * MS)).unwrap();
    stream
        .write_all(b"POST /indexes/prod/backups HTTP/1.1\r\nApi-Key: test-key\r\nContent-Length: 2\r\n\r\n{}")
        .unwrap();
    let mut buf = [0u8; 1];
    let err = stream.read(&mut buf).unwrap_err();
    assert!(matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    ));
    assert_eq!(world.backups().len(), 1);
}

#[test]
fn a_fault_can_trickle_or_send_raw_bytes_on_any_listener() {
    let world = world();
    let host = world.index("prod").unwrap().host;
    world.fault(
        Fault::post("/describe_index_stats")
            .nth(1)
            .instead(Reply::Raw(
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{\"na".to_vec(),
            )),
    );
    let truncated = stats(&host);
    assert_eq!(truncated.body, b"{\"na");
    world.fault(
        Fault::on("*", "/indexes/prod")
            .instead(Reply::trickle_body(&Reply::json(200, json!({"x": 1})), MS)),
    );
    assert_eq!(get(&world, "/indexes/prod").json(), json!({"x": 1}));
    assert_eq!(stats(&host).status, 200);
}

// ---- indexes and the data plane ---------------------------------------------

#[test]
fn a_seeded_index_is_described_with_a_loopback_host_that_serves_its_stats() {
    let world = world();
    world.add_index(
        IndexSeed::new("staging")
            .dimension(8)
            .timeline(Timeline::index(10 * MS, "Ready"))
            .tag("env", "staging"),
    );
    let model = get(&world, "/indexes/prod").shaped(shapes::INDEX_MODEL);
    assert_eq!(model["status"], json!({"ready": true, "state": "Ready"}));
    let host = model["host"].as_str().unwrap().to_owned();
    assert!(host.starts_with("127.0.0.1:"), "{host}");
    assert_ne!(host, world.addr().to_string());
    let body = stats(&host).shaped(shapes::INDEX_DESCRIPTION);
    assert_eq!(body["totalVectorCount"], 1200);
    assert_eq!(
        body["namespaces"],
        json!({"": {"vectorCount": 1000}, "eu": {"vectorCount": 200}})
    );
    assert_eq!(body["dimension"], 1536);

    let staging = get(&world, "/indexes/staging").shaped(shapes::INDEX_MODEL);
    assert_eq!(
        staging["status"],
        json!({"ready": false, "state": "Initializing"})
    );
    assert_eq!(staging["tags"], json!({"env": "staging"}));
    world.advance(10 * MS);
    assert_eq!(
        get(&world, "/indexes/staging").json()["status"]["ready"],
        true
    );
    let list = get(&world, "/indexes").shaped(shapes::INDEX_LIST);
    assert_eq!(list["indexes"].as_array().unwrap().len(), 2);
    // Each index has its own data plane.
    let staging_host = staging["host"].as_str().unwrap();
    assert_eq!(stats(staging_host).json()["dimension"], 8);
}

#[test]
fn the_data_plane_answers_only_describe_index_stats() {
    let world = world();
    let host = world.index("prod").unwrap().host;
    let wrong = call(&host, "GET", "/describe_index_stats", Some(KEY), None).unwrap();
    assert_eq!(wrong.status, 405);
    let unknown = call(&host, "POST", "/query", Some(KEY), Some(b"{}")).unwrap();
    assert_eq!(unknown.status, 404);
    let bad = call(
        &host,
        "POST",
        "/describe_index_stats",
        Some(KEY),
        Some(b"{"),
    )
    .unwrap();
    assert_eq!(bad.status, 400);
    bad.shaped(shapes::RPC_STATUS);
    // The control plane does not answer it.
    assert_eq!(post(&world, "/describe_index_stats", json!({})).status, 404);
}

// ---- restores --------------------------------------------------------------

fn ready_backup(world: &FakePinecone) -> String {
    world.add_backup(BackupSeed::of("prod").name("nightly"))
}

#[test]
fn a_restore_creates_a_job_and_an_index_that_come_ready_in_order() {
    let world = world();
    let backup = ready_backup(&world);
    let accepted = post(
        &world,
        &format!("/backups/{backup}/create-index"),
        json!({"name": "drill-1", "tags": {"run": "42"}, "deletion_protection": "disabled"}),
    );
    assert_eq!(accepted.status, 202);
    let ids = accepted.shaped(shapes::CREATE_INDEX_FROM_BACKUP_RESPONSE);
    let job_id = ids["restore_job_id"].as_str().unwrap().to_owned();
    let index_id = ids["index_id"].as_str().unwrap().to_owned();

    let job = || get(&world, &format!("/restore-jobs/{job_id}")).shaped(shapes::RESTORE_JOB_MODEL);
    let index = || get(&world, "/indexes/drill-1").shaped(shapes::INDEX_MODEL);
    let pending = job();
    assert_eq!(pending["status"], "Pending");
    assert_eq!(pending["percent_complete"], json!(0.0));
    assert_eq!(pending["backup_id"], json!(backup));
    assert_eq!(pending["target_index_name"], "drill-1");
    assert_eq!(pending["target_index_id"], json!(index_id));
    assert!(pending.get("completed_at").is_none());
    assert_eq!(
        index()["status"],
        json!({"ready": false, "state": "Initializing"})
    );
    assert_eq!(index()["tags"], json!({"run": "42"}));
    let host = index()["host"].as_str().unwrap().to_owned();
    assert_eq!(stats(&host).json()["totalVectorCount"], 0);

    world.advance(50 * MS);
    assert_eq!(job()["status"], "InProgress");
    assert_eq!(job()["percent_complete"], json!(50.0));
    world.advance(50 * MS);
    let done = job();
    assert_eq!(done["status"], "Completed");
    assert_eq!(done["percent_complete"], json!(100.0));
    assert!(done["completed_at"].is_string());
    assert_eq!(index()["status"]["state"], "Initializing");
    world.advance(50 * MS);
    assert_eq!(index()["status"], json!({"ready": true, "state": "Ready"}));
    let counts = stats(&host).shaped(shapes::INDEX_DESCRIPTION);
    assert_eq!(counts["totalVectorCount"], 1200);
    assert_eq!(counts["namespaces"].as_object().unwrap().len(), 2);

    let snapshot = world.index("drill-1").unwrap();
    assert_eq!(snapshot.id, index_id);
    assert_eq!(snapshot.restored_from.as_deref(), Some(backup.as_str()));
    assert_eq!((snapshot.vector_count, snapshot.namespace_count), (1200, 2));
    let jobs = get(&world, "/restore-jobs").shaped(shapes::RESTORE_JOB_LIST);
    assert_eq!(jobs["data"][0]["restore_job_id"], json!(job_id));
}

#[test]
fn a_restore_into_an_existing_name_is_409_and_changes_nothing() {
    let world = world();
    let backup = ready_backup(&world);
    let response = post(
        &world,
        &format!("/backups/{backup}/create-index"),
        json!({"name": "prod"}),
    );
    assert_eq!(response.status, 409);
    assert_eq!(error_code(&response), "ALREADY_EXISTS");
    assert!(world.restore_jobs().is_empty());
    assert_eq!(world.indexes().len(), 1);
}

#[test]
fn a_restore_of_a_backup_that_is_not_ready_is_412_unless_allowed() {
    let world = world();
    let backup = world.create_backup("prod", None);
    let target = format!("/backups/{backup}/create-index");
    let response = post(&world, &target, json!({"name": "early"}));
    assert_eq!(response.status, 412);
    assert_eq!(error_code(&response), "FAILED_PRECONDITION");
    assert_eq!(
        response.json()["error"]["message"],
        json!(format!("Backup {backup} is not completed"))
    );
    world.advance(100 * MS);
    assert_eq!(post(&world, &target, json!({"name": "later"})).status, 202);
    world.configure(|s| s.restore_needs_ready_backup = false);
    let fresh = world.create_backup("prod", None);
    let response = post(
        &world,
        &format!("/backups/{fresh}/create-index"),
        json!({"name": "anyway"}),
    );
    assert_eq!(response.status, 202);
}

#[test]
fn a_create_index_request_is_checked_like_pinecone_does() {
    let world = world();
    let backup = ready_backup(&world);
    let target = format!("/backups/{backup}/create-index");
    for (body, status, code) in [
        (json!({}), 422, "UNPROCESSABLE_ENTITY"),
        (json!({"name": 1}), 422, "UNPROCESSABLE_ENTITY"),
        (
            json!({"name": "ok", "tags": {"a": 1}}),
            422,
            "UNPROCESSABLE_ENTITY",
        ),
        (
            json!({"name": "ok", "deletion_protection": "maybe"}),
            422,
            "UNPROCESSABLE_ENTITY",
        ),
        (json!({"name": "Bad_Name"}), 400, "INVALID_ARGUMENT"),
        (json!({"name": "a".repeat(46)}), 400, "INVALID_ARGUMENT"),
    ] {
        let response = post(&world, &target, body.clone());
        assert_eq!(response.status, status, "{body}");
        assert_eq!(error_code(&response), code, "{body}");
    }
    let response = post(&world, "/backups/nope/create-index", json!({"name": "x"}));
    assert_eq!(response.status, 404);
    assert_eq!(
        response.json()["error"]["message"],
        "Backup nope not found."
    );
    assert!(world.restore_jobs().is_empty());
    let response = post(
        &world,
        &target,
        json!({"name": "locked", "deletion_protection": "enabled"}),
    );
    assert_eq!(response.status, 202);
    assert_eq!(
        world.index("locked").unwrap().deletion_protection,
        "enabled"
    );
}

#[test]
fn delete_index_removes_an_unprotected_index_and_keeps_its_backups() {
    let world = world();
    let backup = ready_backup(&world);
    let delete = |name: &str| {
        call(
            &world.url(),
            "DELETE",
            &format!("/indexes/{name}"),
            Some(KEY),
            None,
        )
        .unwrap()
    };
    for (name, protection) in [("scratch", "disabled"), ("locked", "enabled")] {
        let accepted = post(
            &world,
            &format!("/backups/{backup}/create-index"),
            json!({"name": name, "deletion_protection": protection}),
        );
        assert_eq!(accepted.status, 202);
    }

    let refused = delete("locked");
    assert_eq!(refused.status, 403);
    assert_eq!(error_code(&refused), "FORBIDDEN");
    assert!(world.index("locked").is_some());

    let deleted = delete("scratch");
    assert_eq!(deleted.status, 202);
    assert!(deleted.body.is_empty());
    assert!(world.index("scratch").is_none());
    assert_eq!(get(&world, "/indexes/scratch").status, 404);
    assert_eq!(world.backups().len(), 1);
    assert_eq!(world.restore_jobs().len(), 2);

    let gone = delete("scratch");
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["error"]["message"], "Index scratch not found.");
    let wrong = call(&world.url(), "PATCH", "/indexes/prod", Some(KEY), None).unwrap();
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("GET, DELETE"));
}

#[test]
fn reset_after_acting_on_create_index_leaves_the_job_and_the_index() {
    let world = world();
    let backup = ready_backup(&world);
    world.fault(
        Fault::post("/backups/*/create-index")
            .nth(1)
            .reset_after_acting(),
    );
    let body = br#"{"name":"drill-2"}"#;
    let target = format!("/backups/{backup}/create-index");
    assert!(call(&world.url(), "POST", &target, Some(KEY), Some(body)).is_err());
    let jobs = world.restore_jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].target_index_name, "drill-2");
    assert_eq!(jobs[0].backup_id, backup);
    assert!(world.index("drill-2").is_some());
    // A blind re-send meets the index the first one made.
    let again = call(&world.url(), "POST", &target, Some(KEY), Some(body)).unwrap();
    assert_eq!(again.status, 409);
    assert_eq!(world.restore_jobs().len(), 1);
}

#[test]
fn percent_complete_follows_the_2026_07_style_when_set() {
    let world = world_with(Settings::version_2026_07());
    let backup = ready_backup(&world);
    let (job_id, _) = world.restore(&backup, "drill-3");
    let job = || {
        get(&world, &format!("/restore-jobs/{job_id}")).shaped(shapes::RESTORE_JOB_MODEL_2026_07)
    };
    for _ in 0..2 {
        let body = job();
        assert!(body.get("percent_complete").is_none(), "{body}");
        assert_eq!(body["completed_at"], Value::Null);
        world.advance(50 * MS);
    }
    let done = job();
    assert_eq!(done["status"], "Completed");
    assert_eq!(done["percent_complete"], json!(100));
    assert!(done["completed_at"].is_string());
    let list = get(&world, "/restore-jobs").json();
    assert_eq!(list["pagination"], Value::Null);
}

#[test]
fn a_cancelled_job_leaves_an_index_that_failed_to_initialize() {
    let world = world_with(Settings {
        restore_job_timeline: Timeline::restore(20 * MS, "Cancelled"),
        ..Settings::default()
    });
    let backup = ready_backup(&world);
    let (job_id, _) = world.restore(&backup, "drill-4");
    world.advance(20 * MS);
    assert_eq!(world.restore_job(&job_id).unwrap().status, "Cancelled");
    let index = get(&world, "/indexes/drill-4").shaped(shapes::INDEX_MODEL);
    assert_eq!(
        index["status"],
        json!({"ready": false, "state": "InitializationFailed"})
    );
}

#[test]
fn an_index_can_fail_to_initialize_after_its_job_completes() {
    let world = world_with(Settings {
        restored_index_timeline: Timeline::index(10 * MS, "InitializationFailed"),
        ..Settings::default()
    });
    let backup = ready_backup(&world);
    world.restore(&backup, "drill-5");
    world.advance(Duration::from_secs(1));
    let index = world.index("drill-5").unwrap();
    assert_eq!(
        (index.state.as_str(), index.ready),
        ("InitializationFailed", false)
    );
}

#[test]
fn stats_lag_behind_a_restore_or_never_match() {
    let world = world_with(Settings {
        stats: Stats::Lagging(200 * MS),
        ..Settings::default()
    });
    let backup = ready_backup(&world);
    world.restore(&backup, "lagging");
    world.configure(|s| s.stats = Stats::NeverMatch);
    world.restore(&backup, "short");
    // Job done at 100 ms, index ready 50 ms later.
    world.advance(150 * MS);
    let total = |name: &str| {
        stats(&world.index(name).unwrap().host).json()["totalVectorCount"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(total("lagging"), 0);
    assert_eq!(total("short"), 1199);
    world.advance(200 * MS);
    assert_eq!(total("lagging"), 1200);
    world.advance(Duration::from_secs(3600));
    assert_eq!(total("short"), 1199);
}

#[test]
fn restore_jobs_list_every_job_and_paginate() {
    let world = world();
    let backup = ready_backup(&world);
    for i in 0..12 {
        world.add_restore_job(
            RestoreJobSeed::new("someone-elses", &format!("other-{i}"))
                .created_at("2024-03-15T10:30:00Z"),
        );
    }
    world.restore(&backup, "mine");
    let (sizes, _) = walk_pages(&world, "/restore-jobs", Some(5));
    assert_eq!(sizes, [5, 5, 3]);
    let last = get(&world, "/restore-jobs?limit=100").shaped(shapes::RESTORE_JOB_LIST);
    let data = last["data"].as_array().unwrap();
    assert_eq!(data[0]["created_at"], "2024-03-15T10:30:00Z");
    assert_eq!(data[0]["status"], "Completed");
    assert_eq!(data[12]["target_index_name"], "mine");
    assert_eq!(data[12]["backup_id"], json!(backup));
}

#[test]
fn an_unknown_restore_job_is_404() {
    let world = world();
    let response = get(&world, "/restore-jobs/nope");
    assert_eq!(response.status, 404);
    assert_eq!(
        response.json()["error"]["message"],
        "Restore job nope not found."
    );
}

// ---- the server itself -----------------------------------------------------

#[test]
fn every_request_is_recorded_with_its_headers_and_body() {
    let world = world();
    post(&world, "/indexes/prod/backups", json!({"name": "n"}));
    get(&world, "/indexes/prod/backups?limit=3");
    let host = world.index("prod").unwrap().host;
    stats(&host);
    let log = world.exchanges();
    assert_eq!(log.len(), 3);
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(log[0].request.header("api-key"), Some(KEY));
    assert_eq!(
        log[0].request.header("x-pinecone-api-version"),
        Some("2025-10")
    );
    assert_eq!(log[0].json(), Some(json!({"name": "n"})));
    assert_eq!(log[1].query("limit").as_deref(), Some("3"));
    assert_eq!(log[1].path(), "/indexes/prod/backups");
    assert_eq!(log[1].endpoint, Endpoint::ControlPlane);
    assert_eq!(
        log[2].endpoint,
        Endpoint::DataPlane {
            index: "prod".into()
        }
    );
    assert_eq!(world.count("*", "/indexes/prod/backups"), 2);
    assert_eq!(world.count("POST", "/describe_index_stats"), 1);
}

#[test]
fn wrong_methods_and_unknown_paths_are_refused() {
    let world = world();
    let response = call(
        &world.url(),
        "DELETE",
        "/indexes/prod/backups",
        Some(KEY),
        None,
    )
    .unwrap();
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("GET, POST"));
    assert_eq!(get(&world, "/nothing/here").status, 404);
    assert_eq!(world.backups().len(), 0);
}

#[test]
fn a_scaled_clock_runs_world_time_faster() {
    let world = FakePinecone::start();
    world.set_time_scale(60_000.0);
    std::thread::sleep(10 * MS);
    assert!(world.now() >= Duration::from_secs(600), "{:?}", world.now());
}

#[test]
fn dropping_the_world_closes_every_listener() {
    let world = world();
    let host = world.index("prod").unwrap().host;
    let url = world.url();
    world.fault(Fault::get("/backups").instead(Reply::Hang));
    let hung = std::thread::spawn({
        let url = url.clone();
        move || call(&url, "GET", "/backups", Some(KEY), None)
    });
    std::thread::sleep(50 * MS);
    drop(world);
    assert!(
        hung.join().unwrap().is_err(),
        "the hung request ends without an answer"
    );
    assert!(TcpStream::connect(url.trim_start_matches("http://")).is_err());
    assert!(TcpStream::connect(&host).is_err());
}

#[test]
fn with_a_visibility_lag_new_objects_are_404_and_unlisted_for_a_while() {
    let world = world_with(Settings {
        visibility_lag: 30 * MS,
        ..Settings::default()
    });
    let backup = post(&world, "/indexes/prod/backups", json!({"name": "n"})).json();
    let id = backup["backup_id"].as_str().unwrap().to_owned();
    assert_eq!(get(&world, &format!("/backups/{id}")).status, 404);
    assert_eq!(
        get(&world, "/indexes/prod/backups").json()["data"],
        json!([])
    );
    world.advance(30 * MS);
    assert_eq!(get(&world, &format!("/backups/{id}")).status, 200);
    assert_eq!(
        get(&world, "/backups").json()["data"][0]["backup_id"],
        json!(id)
    );

    world.advance(100 * MS);
    let target = format!("/backups/{id}/create-index");
    let ids = post(&world, &target, json!({"name": "drill"})).json();
    let job = ids["restore_job_id"].as_str().unwrap();
    assert_eq!(get(&world, &format!("/restore-jobs/{job}")).status, 404);
    assert_eq!(get(&world, "/indexes/drill").status, 404);
    assert_eq!(get(&world, "/restore-jobs").json()["data"], json!([]));
    // The name is taken at once all the same.
    assert_eq!(post(&world, &target, json!({"name": "drill"})).status, 409);
    world.advance(30 * MS);
    assert_eq!(get(&world, &format!("/restore-jobs/{job}")).status, 200);
    assert_eq!(get(&world, "/indexes/drill").status, 200);
}
