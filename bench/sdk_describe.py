"""One-shot contender: the official Pinecone Python SDK, as a user would write it.

    PINECONE_API_KEY=... sdk_describe.py HOST BACKUP_ID

Prints the backup's status (e.g. `Ready`). `HOST` keeps its scheme: the SDK
sends plain HTTP to `http://127.0.0.1:PORT` as given (it only adds `https://`
when no scheme is present), so it talks to the local fake control plane.
The import is part of the measurement, because a user's script pays it too.
"""

import os
import sys

from pinecone import Pinecone


def main() -> None:
    host, backup_id = sys.argv[1], sys.argv[2]
    pc = Pinecone(api_key=os.environ["PINECONE_API_KEY"], host=host)
    print(pc.describe_backup(backup_id=backup_id).status)


if __name__ == "__main__":
    main()
