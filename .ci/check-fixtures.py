#!/usr/bin/env python3
"""Checks that the fixtures under tests/fixtures/ still equal the examples in
Pinecone's specs they were copied or assembled from (see
tests/fixtures/README.md):

- verbatim copies of response examples (backups, restore-job lists, indexes,
  index stats) must equal the example;
- fixtures assembled from a schema's per-property `example` values (restore
  job, create-index request and response) must equal that assembly;
- the 2026-07 restore jobs, for which the spec has no examples, must
  type-check against the RestoreJobModel of the 2026-07 excerpt, when that
  excerpt is present.

Usage: check-fixtures.py SPEC_DIR
"""
import datetime
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures"
CONTROL_VERSIONS = ["2025-04", "2025-10", "2026-04"]
DATA_VERSIONS = ["2025-10", "2026-04"]
EXCERPT_2026_07 = "db_control_2026-07.backup-excerpt.yaml"


def as_json(value):
    """YAML turns unquoted timestamps into datetimes; the spec text is ISO 8601 UTC."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def response_examples(spec, path, method="get", status="200"):
    content = spec["paths"][path][method]["responses"][status]["content"]
    return {name: example["value"] for name, example in content["application/json"]["examples"].items()}


def property_examples(schema):
    """A schema's per-property `example` values, assembled into one object."""
    return {name: prop["example"] for name, prop in schema["properties"].items() if "example" in prop}


def fixture(relative):
    return json.loads((FIXTURES / relative).read_text())


class Checker:
    def __init__(self):
        self.failures = 0

    def equal(self, relative, expected, origin):
        if as_json(expected) != fixture(relative):
            print(f"fixture {relative} differs from {origin}", file=sys.stderr)
            self.failures += 1
        else:
            print(f"fixture {relative} matches {origin}")

    def problems(self, relative, problems, origin):
        if problems:
            for problem in problems:
                print(f"fixture {relative}: {problem} ({origin})", file=sys.stderr)
            self.failures += 1
        else:
            print(f"fixture {relative} type-checks against {origin}")


JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict}


def type_problems(value, schema):
    """What keeps `value` from being a `schema` object: unknown or missing
    fields, wrong types, values outside min/max or the x-enum."""
    problems = []
    properties = schema["properties"]
    for name in schema.get("required", []):
        if name not in value:
            problems.append(f"required field {name} is missing")
    for name, field in value.items():
        prop = properties.get(name)
        if prop is None:
            problems.append(f"field {name} is not in the schema")
            continue
        if field is None:
            if not prop.get("nullable"):
                problems.append(f"field {name} is null but not nullable")
            continue
        want = JSON_TYPES.get(prop.get("type"))
        if want and (not isinstance(field, want) or isinstance(field, bool) != (prop["type"] == "boolean")):
            problems.append(f"field {name} is {type(field).__name__}, expected {prop['type']}")
            continue
        if "minimum" in prop and field < prop["minimum"]:
            problems.append(f"field {name} is below {prop['minimum']}")
        if "maximum" in prop and field > prop["maximum"]:
            problems.append(f"field {name} is above {prop['maximum']}")
        if "x-enum" in prop and field not in prop["x-enum"]:
            problems.append(f"field {name} is {field!r}, not one of {prop['x-enum']}")
    return problems


def main():
    spec_dir = pathlib.Path(sys.argv[1])
    check = Checker()
    for version in CONTROL_VERSIONS:
        name = f"db_control_{version}.oas.yaml"
        spec = yaml.safe_load((spec_dir / name).read_text())
        schemas = spec["components"]["schemas"]

        backup = response_examples(spec, "/backups/{backup_id}")["backup"]
        check.equal(f"backups/{version}.json", backup, name)

        jobs = response_examples(spec, "/restore-jobs")
        for example, relative in [
            ("paginated-restore-jobs", "restore-jobs/list-paginated.json"),
            ("non-paginated-restore-jobs", "restore-jobs/list-non-paginated.json"),
            ("no-restore-jobs", "restore-jobs/list-empty.json"),
        ]:
            check.equal(relative, jobs[example], f"{name} GET /restore-jobs example {example}")
        check.equal(
            "restore-jobs/model.json",
            property_examples(schemas["RestoreJobModel"]),
            f"{name} RestoreJobModel property examples",
        )

        indexes = response_examples(spec, "/indexes/{index_name}")
        check.equal(f"indexes/{version}-serverless.json", indexes["movie-recommendations-serverless"], name)
        check.equal(f"indexes/{version}-pod.json", indexes["movie-recommendations-pod"], name)

        check.equal(
            "create-index/response.json",
            property_examples(schemas["CreateIndexFromBackupResponse"]),
            f"{name} CreateIndexFromBackupResponse property examples",
        )
        request = schemas["CreateIndexFromBackupRequest"]["properties"]
        check.equal(
            "create-index/request.json",
            {
                "name": request["name"]["example"],
                "tags": schemas["IndexTags"]["example"],
                "deletion_protection": schemas["DeletionProtection"]["default"],
            },
            f"{name} CreateIndexFromBackupRequest name example, IndexTags example, DeletionProtection default",
        )

    for version in DATA_VERSIONS:
        name = f"db_data_{version}.oas.yaml"
        spec = yaml.safe_load((spec_dir / name).read_text())
        check.equal(
            f"index-stats/{version}.json",
            spec["components"]["schemas"]["IndexDescription"]["example"],
            f"{name} IndexDescription example",
        )

    excerpt_path = spec_dir / EXCERPT_2026_07
    if excerpt_path.exists():
        excerpt = yaml.safe_load(excerpt_path.read_text())
        model = excerpt["components"]["schemas"]["RestoreJobModel"]
        for relative in ["restore-jobs/model-2026-07.json", "restore-jobs/model-2026-07-pending.json"]:
            check.problems(relative, type_problems(fixture(relative), model), f"{EXCERPT_2026_07} RestoreJobModel")
    else:
        print(f"skipped the 2026-07 restore jobs: no {EXCERPT_2026_07} in {spec_dir}")

    sys.exit(1 if check.failures else 0)


if __name__ == "__main__":
    main()
