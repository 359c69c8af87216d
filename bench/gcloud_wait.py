"""Waiting contender: the schedule of gcloud's operation waiter, scaled down.

    PINECONE_API_KEY=... gcloud_wait.py URL BACKUP_ID --scale 100 --seed N

gcloud's `waiter.WaitFor` (googlecloudsdk/api_lib/util/waiter.py, with
`retry.Retryer` from googlecloudsdk/core/util/retry.py) sleeps 1 s before the
first poll, then after poll n (from 0) sleeps
`min(2000 ms * 1.4**n + random() * 1000 ms, 180000 ms)`: additive jitter on
a deterministic exponential, not the equal jitter with a floor that
pinecone-backup-wait uses, so it cannot be reproduced with the waiter's
flags. Every duration here is divided by `--scale`. gcloud also gives up
after 30 minutes by default (`max_wait_ms`); that limit is left out so the
long waits can be compared. Standard library only.

Prints one JSON line: {"attempts":N,"status":"Ready"}.
"""

import argparse
import http.client
import json
import os
import random
import time
import urllib.parse

PRE_START_SLEEP_MS = 1000
SLEEP_MS = 2000
MULTIPLIER = 1.4
JITTER_MS = 1000
CEILING_MS = 180_000


def describe(url: urllib.parse.SplitResult, backup_id: str, key: str) -> str:
    """The backup's status, or `error` for any failure (then it is retried)."""
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        conn.request(
            "GET",
            f"{url.path.rstrip('/')}/backups/{backup_id}",
            headers={"Api-Key": key, "X-Pinecone-API-Version": "2025-04"},
        )
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            return "error"
        return str(json.loads(body).get("status", "error"))
    except (OSError, ValueError, http.client.HTTPException):
        return "error"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("backup_id")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    key = os.environ["PINECONE_API_KEY"]
    rng = random.Random(args.seed)
    seconds_per_ms = 1 / (1000 * args.scale)

    time.sleep(PRE_START_SLEEP_MS * seconds_per_ms)
    attempts = 0
    retrial = 0
    while True:
        attempts += 1
        status = describe(url, args.backup_id, key)
        if status == "Ready":
            break
        wait_ms = min(SLEEP_MS * MULTIPLIER**retrial + rng.random() * JITTER_MS, CEILING_MS)
        time.sleep(wait_ms * seconds_per_ms)
        retrial += 1
    print(json.dumps({"attempts": attempts, "status": status}))


if __name__ == "__main__":
    main()
