//! `IndexStats`: a `describe_index_stats` answer (db_data 2025-10 and
//! 2026-04, `IndexDescription`), and `Counts`, the comparison of what a
//! restored index holds with what its backup says it held.
//!
//! Reading the answer:
//! - Field names are camelCase as in the spec (`namespaces.*.vectorCount`,
//!   `totalVectorCount`); the snake_case spellings are read too when the
//!   camelCase one is absent, because Pinecone is not consistent (the spec's
//!   own example says `index_fullness`).
//! - The data plane writes its answers with proto3's JSON mapping, which
//!   leaves out zero values and may write 64-bit integers as strings. So an
//!   absent `namespaces` is no namespace, an absent `vectorCount` is 0, an
//!   absent `totalVectorCount` is the sum over the namespaces (0 when there
//!   are none), and a count may be a number or a string of digits.
//!   Anything else where a count belongs (a negative or fractional number,
//!   other text, an object) is refused.
//! - Every field is kept for `--json`.
//!
//! Counting namespaces, to compare with the backup's `namespace_count`:
//! every namespace the answer lists counts once, except the default
//! namespace when it holds no vectors. The default namespace is named `""`
//! in this answer (the spec's example lists `"": {"vectorCount": 50000}`)
//! and `__default__` in the newer namespace operations; both names are the
//! same namespace and count once together. It exists in every index
//! (requests without a namespace use it), so listing it empty says nothing
//! about what was restored, while a named namespace is listed only once
//! something created it, even if it is empty now.
//!
//! Pure: nothing here does I/O.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::Backup;
use super::fields::{kind_of, object};
use crate::config::quoted;

/// The names of the default namespace: `""` in `describe_index_stats`,
/// `__default__` in the namespace operations (2025-10 and later).
pub const DEFAULT_NAMESPACE_NAMES: [&str; 2] = ["", "__default__"];

/// A `describe_index_stats` answer.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexStats {
    fields: Map<String, Value>,
    namespaces: BTreeMap<String, u64>,
    total: u64,
}

impl IndexStats {
    /// Checks a parsed JSON body against `IndexDescription` (nothing in it
    /// is required) and reads the counts.
    pub fn from_value(value: Value) -> Result<IndexStats, String> {
        let fields = object(value, "IndexDescription")?;
        let mut namespaces = BTreeMap::new();
        match either(&fields, "namespaces", "namespaces") {
            None | Some(Value::Null) => {}
            Some(Value::Object(listed)) => {
                for (name, summary) in listed {
                    let count = match summary {
                        Value::Null => 0,
                        Value::Object(summary) => {
                            match either(summary, "vectorCount", "vector_count") {
                                None => 0,
                                Some(count) => read_count(count).map_err(|why| {
                                    format!(
                                        "not an IndexDescription: namespace {}: vectorCount {why}",
                                        quoted(name)
                                    )
                                })?,
                            }
                        }
                        other => {
                            return Err(format!(
                                "not an IndexDescription: namespace {} is {}, expected an object",
                                quoted(name),
                                kind_of(other)
                            ));
                        }
                    };
                    namespaces.insert(name.clone(), count);
                }
            }
            Some(other) => {
                return Err(format!(
                    "not an IndexDescription: `namespaces` is {}, expected an object",
                    kind_of(other)
                ));
            }
        }
        let total = match either(&fields, "totalVectorCount", "total_vector_count") {
            None => namespaces.values().sum(),
            Some(count) => read_count(count)
                .map_err(|why| format!("not an IndexDescription: totalVectorCount {why}"))?,
        };
        for (camel, snake, want) in [
            ("dimension", "dimension", Kind::Count),
            ("indexFullness", "index_fullness", Kind::Number),
            ("metric", "metric", Kind::Text),
            ("vectorType", "vector_type", Kind::Text),
        ] {
            if let Some(value) = either(&fields, camel, snake) {
                want.check(value)
                    .map_err(|why| format!("not an IndexDescription: {camel} {why}"))?;
            }
        }
        Ok(IndexStats {
            fields,
            namespaces,
            total,
        })
    }

    /// `totalVectorCount`, or the sum over the namespaces when it is absent.
    pub fn total_vector_count(&self) -> u64 {
        self.total
    }

    /// Every listed namespace and its vector count, in name order.
    pub fn namespaces(&self) -> impl Iterator<Item = (&str, u64)> {
        self.namespaces
            .iter()
            .map(|(name, &count)| (name.as_str(), count))
    }

    /// The namespaces that count against the backup's `namespace_count`
    /// (module docs): all listed ones, the default namespace once and only
    /// when it holds vectors.
    pub fn namespace_count(&self) -> u64 {
        let mut named = 0;
        let mut default_vectors = 0;
        for (name, count) in self.namespaces() {
            if DEFAULT_NAMESPACE_NAMES.contains(&name) {
                default_vectors += count;
            } else {
                named += 1;
            }
        }
        named + u64::from(default_vectors > 0)
    }

    /// `dimension`, when present as a number.
    pub fn dimension(&self) -> Option<u64> {
        self.fields.get("dimension").and_then(Value::as_u64)
    }

    /// The whole answer as a JSON value.
    pub fn as_json(&self) -> Value {
        Value::Object(self.fields.clone())
    }
}

/// The camelCase field, else its snake_case spelling; `null` is absent.
fn either<'a>(fields: &'a Map<String, Value>, camel: &str, snake: &str) -> Option<&'a Value> {
    [camel, snake]
        .iter()
        .filter_map(|name| fields.get(*name))
        .find(|value| !value.is_null())
}

/// A count: a non-negative integer, or its decimal digits as a string
/// (proto3's JSON form of int64). `null` is 0, as proto3 leaves zero out.
fn read_count(value: &Value) -> Result<u64, String> {
    match value {
        Value::Null => Ok(0),
        Value::Number(number) => number
            .as_u64()
            .ok_or_else(|| format!("is {number}, expected a whole number of at least 0")),
        Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => text
            .parse()
            .map_err(|_| format!("is {}, too large", quoted(text))),
        Value::String(text) => Err(format!(
            "is the string {}, expected a whole number",
            quoted(text)
        )),
        other => Err(format!("is {}, expected a whole number", kind_of(other))),
    }
}

/// The JSON type a field must have when present.
#[derive(Clone, Copy)]
enum Kind {
    Count,
    Number,
    Text,
}

impl Kind {
    fn check(self, value: &Value) -> Result<(), String> {
        match (self, value) {
            (Kind::Count, value) => read_count(value).map(|_| ()),
            (Kind::Number, Value::Number(_)) | (Kind::Text, Value::String(_)) => Ok(()),
            (Kind::Number, other) => Err(format!("is {}, expected a number", kind_of(other))),
            (Kind::Text, other) => Err(format!("is {}, expected a string", kind_of(other))),
        }
    }
}

/// What the backup says the restored index must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// The backup's `record_count`.
    pub records: u64,
    /// The backup's `namespace_count`.
    pub namespaces: u64,
}

impl Expected {
    /// Reads `record_count` and `namespace_count` from a backup; both are
    /// optional in the spec (and `null` until `Ready` in 2026-07's schedule
    /// history), so a backup without them cannot be checked.
    pub fn from_backup(backup: &Backup) -> Result<Expected, String> {
        let count = |field: &str| match backup.integer(field) {
            Some(count) if count >= 0 => Ok(count as u64),
            Some(count) => Err(format!("the backup's {field} is {count}, not a count")),
            None => Err(format!(
                "the backup does not report its {field}, so the restored data cannot be \
                 compared with it"
            )),
        };
        Ok(Expected {
            records: count("record_count")?,
            namespaces: count("namespace_count")?,
        })
    }
}

/// The backup's counts beside a restored index's stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// The backup's `record_count`.
    pub expected_records: u64,
    /// The backup's `namespace_count`.
    pub expected_namespaces: u64,
    /// The index's `totalVectorCount`.
    pub seen_records: u64,
    /// The index's namespaces, counted as `IndexStats::namespace_count`.
    pub seen_namespaces: u64,
}

impl Counts {
    /// Compares a backup's counts with the stats of the index restored
    /// from it.
    pub fn compare(expected: Expected, stats: &IndexStats) -> Counts {
        Counts {
            expected_records: expected.records,
            expected_namespaces: expected.namespaces,
            seen_records: stats.total_vector_count(),
            seen_namespaces: stats.namespace_count(),
        }
    }

    /// Whether both counts equal the backup's.
    pub fn matches(&self) -> bool {
        self.seen_records == self.expected_records
            && self.seen_namespaces == self.expected_namespaces
    }

    /// "1200 of 1200 records in 3 of 3 namespaces".
    pub fn sentence(&self) -> String {
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        format!(
            "{} of {} record{} in {} of {} namespace{}",
            self.seen_records,
            self.expected_records,
            plural(self.expected_records),
            self.seen_namespaces,
            self.expected_namespaces,
            plural(self.expected_namespaces),
        )
    }

    /// The sentence for a progress line: as is when the counts match,
    /// "stats still lag: 0 of 1200 records…" while the index has less than
    /// the backup, "stats exceed the backup: …" when it has more of either.
    pub fn progress(&self) -> String {
        if self.matches() {
            self.sentence()
        } else if self.seen_records > self.expected_records
            || self.seen_namespaces > self.expected_namespaces
        {
            format!("stats exceed the backup: {}", self.sentence())
        } else {
            format!("stats still lag: {}", self.sentence())
        }
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stats(value: Value) -> IndexStats {
        IndexStats::from_value(value).unwrap()
    }

    fn counts(records: u64, namespaces: u64, stats: &IndexStats) -> Counts {
        Counts::compare(
            Expected {
                records,
                namespaces,
            },
            stats,
        )
    }

    #[test]
    fn the_spec_examples_parse() {
        for example in [
            include_str!("../../tests/fixtures/index-stats/2025-10.json"),
            include_str!("../../tests/fixtures/index-stats/2026-04.json"),
        ] {
            let stats = stats(serde_json::from_str(example).unwrap());
            assert_eq!(stats.total_vector_count(), 80_000);
            assert_eq!(
                stats.namespaces().collect::<Vec<_>>(),
                vec![("", 50_000), ("example-namespace-2", 30_000)]
            );
            assert_eq!(stats.namespace_count(), 2);
            assert_eq!(stats.dimension(), Some(1024));
            assert_eq!(stats.as_json()["index_fullness"], 0.4);
            assert!(counts(80_000, 2, &stats).matches());
        }
    }

    #[test]
    fn the_fakes_answer_parses() {
        let stats = stats(json!({
            "namespaces": {"": {"vectorCount": 1000}, "eu": {"vectorCount": 150}, "us": {"vectorCount": 50}},
            "dimension": 8, "indexFullness": 0.0, "totalVectorCount": 1200,
            "metric": "cosine", "vectorType": "dense"
        }));
        let counts = counts(1200, 3, &stats);
        assert!(counts.matches());
        assert_eq!(
            counts.sentence(),
            "1200 of 1200 records in 3 of 3 namespaces"
        );
        assert_eq!(
            counts.progress(),
            "1200 of 1200 records in 3 of 3 namespaces"
        );
        assert_eq!(counts.to_string(), counts.sentence());
    }

    #[test]
    fn absent_fields_are_zero_as_proto3_leaves_them_out() {
        let empty = stats(json!({}));
        assert_eq!(
            (empty.total_vector_count(), empty.namespace_count()),
            (0, 0)
        );
        let lagging = counts(1200, 3, &empty);
        assert!(!lagging.matches());
        assert_eq!(
            lagging.progress(),
            "stats still lag: 0 of 1200 records in 0 of 3 namespaces"
        );
        // A namespace without vectorCount, and no totalVectorCount: the
        // total is the sum over the namespaces.
        let partial = stats(json!({"namespaces": {"a": {}, "b": {"vectorCount": 7}, "c": null}}));
        assert_eq!(partial.total_vector_count(), 7);
        assert_eq!(partial.namespace_count(), 3);
        let null_total =
            stats(json!({"namespaces": {"a": {"vectorCount": 2}}, "totalVectorCount": null}));
        assert_eq!(null_total.total_vector_count(), 2);
    }

    #[test]
    fn counts_may_be_strings_of_digits_and_snake_case() {
        let stats = stats(json!({
            "namespaces": {"a": {"vector_count": "600"}, "b": {"vectorCount": "600"}},
            "total_vector_count": "1200"
        }));
        assert_eq!(stats.total_vector_count(), 1200);
        assert!(counts(1200, 2, &stats).matches());
        // camelCase wins when both are sent.
        let both = IndexStats::from_value(json!({"totalVectorCount": 5, "total_vector_count": 9}));
        assert_eq!(both.unwrap().total_vector_count(), 5);
    }

    #[test]
    fn the_default_namespace_counts_once_and_only_with_vectors() {
        let with_both_names = stats(json!({"namespaces": {
            "": {"vectorCount": 10}, "__default__": {"vectorCount": 5}, "eu": {"vectorCount": 1}
        }}));
        assert_eq!(with_both_names.namespace_count(), 2);
        let empty_default =
            stats(json!({"namespaces": {"": {"vectorCount": 0}, "eu": {"vectorCount": 4}}}));
        assert_eq!(empty_default.namespace_count(), 1);
        let absent_count = stats(json!({"namespaces": {"__default__": {}}}));
        assert_eq!(absent_count.namespace_count(), 0);
        // A named namespace counts even when empty (something created it).
        let empty_named = stats(json!({"namespaces": {"eu": {"vectorCount": 0}}}));
        assert_eq!(empty_named.namespace_count(), 1);
        let only_default =
            stats(json!({"namespaces": {"": {"vectorCount": 1200}}, "totalVectorCount": 1200}));
        assert!(counts(1200, 1, &only_default).matches());
    }

    #[test]
    fn counts_that_never_match_are_told_apart_from_lag() {
        // The fake's NeverMatch: one vector short, forever.
        let short = stats(
            json!({"namespaces": {"": {"vectorCount": 999}, "eu": {"vectorCount": 200}}, "totalVectorCount": 1199}),
        );
        let c = counts(1200, 2, &short);
        assert!(!c.matches());
        assert_eq!(
            c.progress(),
            "stats still lag: 1199 of 1200 records in 2 of 2 namespaces"
        );
        // The fake's MissingNamespace: the records, one namespace fewer.
        let missing =
            stats(json!({"namespaces": {"": {"vectorCount": 1200}}, "totalVectorCount": 1200}));
        assert!(!counts(1200, 2, &missing).matches());
        // More than the backup is a mismatch too, and said differently.
        let more = stats(json!({"namespaces": {"extra": {"vectorCount": 0}}}));
        let c = counts(0, 0, &more);
        assert!(!c.matches());
        assert_eq!(
            c.progress(),
            "stats exceed the backup: 0 of 0 records in 1 of 0 namespaces"
        );
        let one = counts(1, 1, &stats(json!({})));
        assert_eq!(one.sentence(), "0 of 1 record in 0 of 1 namespace");
    }

    #[test]
    fn wrong_shapes_are_refused_with_the_reason() {
        let err = |v: Value| IndexStats::from_value(v).unwrap_err();
        assert!(err(json!([])).contains("an array"));
        assert!(err(json!({"namespaces": []})).contains("`namespaces` is an array"));
        assert!(err(json!({"namespaces": {"a": 5}})).contains("namespace 'a' is a number"));
        assert!(err(json!({"namespaces": {"a": {"vectorCount": -1}}})).contains("is -1"));
        assert!(err(json!({"namespaces": {"a": {"vectorCount": 1.5}}})).contains("is 1.5"));
        assert!(err(json!({"totalVectorCount": "12a"})).contains("the string '12a'"));
        assert!(err(json!({"totalVectorCount": ""})).contains("the string ''"));
        assert!(err(json!({"totalVectorCount": "99999999999999999999999"})).contains("too large"));
        assert!(err(json!({"totalVectorCount": true})).contains("a boolean"));
        assert!(err(json!({"dimension": "x"})).contains("dimension"));
        assert!(err(json!({"indexFullness": "full"})).contains("indexFullness is a string"));
        assert!(err(json!({"metric": 1})).contains("metric is a number"));
        // Hostile text in an error stays on one line.
        let e = err(json!({"totalVectorCount": "1\n::error::x"}));
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn expected_counts_come_from_the_backup() {
        let backup = |v: Value| Backup::from_value(v).unwrap();
        let spec = backup(
            serde_json::from_str(include_str!("../../tests/fixtures/backups/2025-04.json"))
                .unwrap(),
        );
        assert_eq!(
            Expected::from_backup(&spec).unwrap(),
            Expected {
                records: 120_000,
                namespaces: 3
            }
        );
        let err = Expected::from_backup(&backup(json!({"status": "Ready", "record_count": 5})))
            .unwrap_err();
        assert!(err.contains("namespace_count"), "{err}");
        let err = Expected::from_backup(&backup(
            json!({"status": "Ready", "record_count": -5, "namespace_count": 1}),
        ))
        .unwrap_err();
        assert!(err.contains("-5"), "{err}");
    }
}
