//! A stateful fake Pinecone for demos and workflow self-tests: index `prod`
//! with records, three older backups of it, and backups, restores and
//! restored indexes that settle on a timeline scaled by `--ready-after`.
//!
//! ```text
//! fake-pinecone [--port N] [--port-file PATH] [--api-key KEY]
//!               [--ready-after 3s] [--final-status Ready|Failed]
//!               [--restore-status Completed|Failed|Cancelled]
//!               [--records 1200] [--stats-lag 1s] [--stats-never-match]
//!               [--api-version 2026-07] [--no-backups]
//! ```
//!
//! Prints `http://127.0.0.1:PORT` on stdout once listening (and writes the
//! port to `--port-file`), describes the world on stderr, and serves until
//! killed. Durations: `500ms`, `2s`, `10m`, `1h30m` or bare seconds.
//!
//! Timeline, with D = `--ready-after` (default 3s): a created backup is
//! `Initializing`, `Pending` from D/2, then `--final-status` from D; a
//! restore job is `Pending`, `InProgress` (50 %) from D/2, then
//! `--restore-status` from D; its index turns `Ready` D/2 after the job
//! completes, and its stats match once the index is ready (plus
//! `--stats-lag`).

use std::time::Duration;

use testkit::duration;
use testkit::world::{BackupSeed, FakePinecone, IndexSeed, Settings, Stats, Timeline};

struct Options {
    port: u16,
    port_file: Option<String>,
    api_key: Option<String>,
    ready_after: Duration,
    final_status: String,
    restore_status: String,
    records: u64,
    stats_lag: Option<Duration>,
    stats_never_match: bool,
    api_version: Option<String>,
    backups: bool,
}

fn main() {
    let options = parse_args(std::env::args().skip(1));
    let d = options.ready_after;
    let mut settings = match options.api_version.as_deref() {
        Some("2026-07") => Settings::version_2026_07(),
        _ => Settings::default(),
    };
    settings.api_key = options.api_key.clone();
    settings.backup_timeline = Timeline::backup(d, &options.final_status);
    settings.restore_job_timeline = Timeline::restore(d, &options.restore_status);
    settings.restored_index_timeline = Timeline::index(d / 2, "Ready");
    settings.stats = match (options.stats_never_match, options.stats_lag) {
        (true, _) => Stats::NeverMatch,
        (false, Some(lag)) => Stats::Lagging(lag),
        (false, None) => Stats::Exact,
    };

    let port = options.port;
    let world = FakePinecone::bind(&format!("127.0.0.1:{port}"), settings)
        .unwrap_or_else(|err| usage(&format!("cannot listen on port {port}: {err}")));
    let (main, books, films) = split(options.records);
    let host = world.add_index(
        IndexSeed::new("prod")
            .namespace("", main)
            .namespace("books", books)
            .namespace("films", films)
            .tag("environment", "production"),
    );
    if options.backups {
        let hour = Duration::from_secs(3600);
        for (name, age, status) in [
            ("nightly-older", 26 * hour, "Ready"),
            ("nightly", 3 * hour, "Ready"),
            ("nightly-broken", hour, "Failed"),
        ] {
            world.add_backup(
                BackupSeed::of("prod")
                    .name(name)
                    .description("Nightly backup of prod")
                    .created_at(&world.timestamp_ago(age))
                    .status(status),
            );
        }
    }

    if let Some(path) = &options.port_file {
        // Written whole then renamed, so a script polling for it never
        // reads half a number.
        let partial = format!("{path}.partial");
        std::fs::write(&partial, world.addr().port().to_string())
            .and_then(|()| std::fs::rename(&partial, path))
            .unwrap_or_else(|err| usage(&format!("cannot write {path}: {err}")));
    }
    eprintln!(
        "fake-pinecone: index prod ({} records in 3 namespaces, data plane {host}); {}; \
         new backups {} after {d:?}, restores {} after {d:?}",
        options.records,
        if options.backups {
            "backups nightly-older (26h, Ready), nightly (3h, Ready), nightly-broken (1h, Failed)"
        } else {
            "no backups"
        },
        options.final_status,
        options.restore_status,
    );
    println!("{}", world.url());
    loop {
        std::thread::park();
    }
}

/// `records` over the default namespace and two more, the remainder in the
/// default one.
fn split(records: u64) -> (u64, u64, u64) {
    let share = records / 3;
    (records - 2 * share, share, share)
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Options {
    let mut options = Options {
        port: 0,
        port_file: None,
        api_key: None,
        ready_after: Duration::from_secs(3),
        final_status: "Ready".to_owned(),
        restore_status: "Completed".to_owned(),
        records: 1200,
        stats_lag: None,
        stats_never_match: false,
        api_version: None,
        backups: true,
    };
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        let parse_duration =
            |text: String| duration::parse(&text).unwrap_or_else(|err| usage(&err));
        match flag.as_str() {
            "--port" => {
                options.port = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--port takes a number from 0 to 65535"))
            }
            "--port-file" => options.port_file = Some(value()),
            "--api-key" => options.api_key = Some(value()),
            "--ready-after" => options.ready_after = parse_duration(value()),
            "--final-status" => options.final_status = value(),
            "--restore-status" => options.restore_status = value(),
            "--records" => {
                options.records = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--records takes a whole number"))
            }
            "--stats-lag" => options.stats_lag = Some(parse_duration(value())),
            "--stats-never-match" => options.stats_never_match = true,
            "--api-version" => options.api_version = Some(value()),
            "--no-backups" => options.backups = false,
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown flag {other}")),
        }
    }
    options
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("fake-pinecone: {problem}");
    }
    eprintln!(
        "usage: fake-pinecone [--port N] [--port-file PATH] [--api-key KEY] [--ready-after 3s] \
         [--final-status Ready|Failed] [--restore-status Completed|Failed|Cancelled] \
         [--records 1200] [--stats-lag 1s] [--stats-never-match] [--api-version 2026-07] \
         [--no-backups]"
    );
    std::process::exit(if problem.is_empty() { 0 } else { 2 })
}
