#!/usr/bin/env python3
"""Checks that tests/fixtures/backups/*.json still equal the BackupModel
examples in Pinecone's control-plane specs (see tests/fixtures/README.md).

Usage: check-fixtures.py SPEC_DIR
"""
import datetime
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
VERSIONS = ["2025-04", "2025-10", "2026-04"]


def as_json(value):
    """YAML turns unquoted timestamps into datetimes; the spec text is ISO 8601 UTC."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def main():
    spec_dir = pathlib.Path(sys.argv[1])
    failures = 0
    for version in VERSIONS:
        spec = yaml.safe_load((spec_dir / f"db_control_{version}.oas.yaml").read_text())
        example = spec["paths"]["/backups/{backup_id}"]["get"]["responses"]["200"][
            "content"]["application/json"]["examples"]["backup"]["value"]
        fixture = json.loads((ROOT / "tests/fixtures/backups" / f"{version}.json").read_text())
        if as_json(example) != fixture:
            print(f"fixture {version}.json differs from the spec example", file=sys.stderr)
            failures += 1
        else:
            print(f"fixture {version}.json matches db_control_{version}.oas.yaml")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
