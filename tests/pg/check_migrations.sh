#!/usr/bin/env bash
# check_migrations.sh SQL_DIR: every SQLite migration after 013 has its
# PostgreSQL twin under the same number in SQL_DIR/pg (sql/pg/001 holds what
# SQLite's 001 to 013 make). A migration landed without one would leave a
# PostgreSQL site behind the code that reads it.
set -euo pipefail
sql=${1:?usage: $0 SQL_DIR}
missing=0
for f in "$sql"/[0-9][0-9][0-9]_*.sql; do
  n=$(basename "$f" | cut -c1-3)
  [ "$((10#$n))" -le 13 ] && continue
  if ! compgen -G "$sql/pg/${n}_*.sql" >/dev/null; then
    echo "sql/$(basename "$f") has no PostgreSQL twin sql/pg/${n}_*.sql: write one (same" \
         "tables and columns; see sql/pg/001_initial.sql for how SQLite's forms translate)" >&2
    missing=1
  fi
done
exit $missing
