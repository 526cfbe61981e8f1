#!/usr/bin/env bash
# System packages khuyenhoc needs on Debian 12: Pango for WeasyPrint (PDF reports), Chromium for
# the browser test, and PostgreSQL's client tools for backups. Installs them when run as root with
# apt-get; otherwise prints the command.
set -euo pipefail

missing=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# `manage.py backup`/`restore` on PostgreSQL run pg_dump and pg_restore.
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Cài gói hệ thống / installing system packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive bash -c "$cmd" >/tmp/khuyenhoc-apt.log 2>&1 || {
    echo "apt-get failed; see /tmp/khuyenhoc-apt.log" >&2
    exit 1
  }
else
  echo "Thiếu gói hệ thống / missing system packages: ${missing[*]}" >&2
  echo "Run as root:  sudo bash -c '$cmd'" >&2
  exit 1
fi
