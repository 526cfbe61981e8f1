#!/usr/bin/env bash
# `make load`: gunicorn on PostgreSQL, loopback only, then `manage.py loadtest` for DURATION seconds.
# LOAD_DATABASE_URL picks the database (default: a database of its own on the local PostgreSQL,
# created and filled with the demo on first use); WORKERS, PORT and DURATION as below.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DATABASE_URL="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/khuyenhoc_load}"
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
DEBUG=1 $BIN/python manage.py load_demo >/dev/null   # fills only what is missing
$BIN/python manage.py collectstatic --noinput >/dev/null

$BIN/gunicorn khuyenhoc.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/dang-nhap/" && break; sleep 0.2; done
$BIN/python manage.py loadtest --url "http://127.0.0.1:$PORT" --duration "$DURATION" "$@"
