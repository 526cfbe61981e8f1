#!/usr/bin/env bash
# `make load`: gunicorn on PostgreSQL, loopback only, then `manage.py loadtest` for DURATION seconds.
# LOAD_SIZE=national (default) fills the database with the whole tree (every 2022 district and
# commune, every 2025 commune) and ten years of generated returns, as `make bench` does at national
# size; LOAD_SIZE=demo with the demo alone. LOAD_DATABASE_URL picks the database (default: one of
# its own per size on the local PostgreSQL, created and filled on first use; later runs reuse it).
# WORKERS, PORT and DURATION as below.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SIZE="${LOAD_SIZE:-national}"
case "$SIZE" in
  national) DEFAULT_DB=khuyenhoc_load_national ;;
  demo) DEFAULT_DB=khuyenhoc_load ;;
  *) echo "LOAD_SIZE must be national or demo" >&2; exit 2 ;;
esac
export DATABASE_URL="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DEFAULT_DB}"
# Production settings, as a server behind a TLS proxy runs them (the load sends X-Forwarded-Proto).
export DEBUG=0
export ALLOWED_HOSTS="127.0.0.1,localhost"
export SECRET_KEY="${SECRET_KEY:-load-test-only-$(date +%s)}"
WORKERS="${WORKERS:-3}"
PORT="${LOAD_PORT:-8765}"
DURATION="${DURATION:-30}"

$BIN/python - <<'PY'
import os, urllib.parse, psycopg2
url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
if url.scheme.startswith("postgres"):
    admin = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as c:
        c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not c.fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
PY
$BIN/python manage.py migrate --noinput >/dev/null
if [ "$SIZE" = national ]; then
  echo "filling the national tree and ten years of returns (first run only takes a few minutes)…"
  DEBUG=1 $BIN/python manage.py load_demo --full >/dev/null   # fills only what is missing
  # Bench data, as `make bench` generates it: bulk rows for the associations with none, then ANALYZE.
  $BIN/python manage.py shell -c "from khuyenhoc import bench; from associations.data_version import bump_data_version; bench.generate_returns(); bump_data_version(); bench.analyze()"
else
  DEBUG=1 $BIN/python manage.py load_demo >/dev/null   # fills only what is missing
fi
$BIN/python manage.py collectstatic --noinput >/dev/null

$BIN/gunicorn khuyenhoc.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/dang-nhap/" && break; sleep 0.2; done
$BIN/python manage.py loadtest --url "http://127.0.0.1:$PORT" --duration "$DURATION" "$@"
