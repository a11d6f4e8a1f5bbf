"""`python -m api.migrate` (`make migrate`): apply the database migrations with the migration
login, which owns the schema: PCL_MIGRATION_DATABASE_URL (else PCL_DATABASE_URL, as in
development). In production the API's own login has no DDL rights and only checks the schema
is at head (bot.adapters.db.migrations.prepare_schema). Reads only the URL and the record keys
(PCL_ENCRYPTION_KEYS, for a migration that re-encrypts), not the app's other settings."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from bot.adapters.db.migrations import upgrade_to_head


def main(environ: Mapping[str, str] = os.environ) -> int:
    url = environ.get("PCL_MIGRATION_DATABASE_URL") or environ.get("PCL_DATABASE_URL")
    if not url:
        print("migrate: set PCL_MIGRATION_DATABASE_URL (the migration login)", file=sys.stderr)
        return 2
    upgrade_to_head(url, environ.get("PCL_ENCRYPTION_KEYS"))
    print("migrate: the database is at head")
    return 0


if __name__ == "__main__":
    sys.exit(main())
