# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# Test processes (pytest-xdist); each gets its own test database. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

.PHONY: run test install bench bench-tests load lint format clean backup restore

$(STAMP): pyproject.toml scripts/sysdeps.sh
	@bash scripts/sysdeps.sh
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "khuyenhoc needs Python 3.11 (found %d.%d)" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "  Cổng khuyến học đang chạy tại http://127.0.0.1:$(PORT)  (Ctrl+C để dừng)"
	@echo "  Đăng nhập: hagiang / tuyenquang / taybac / trunguong — mật khẩu khuyenhoc-demo"
	@echo ""
	@# The import's background tasks need a worker: one runs beside the server and stops with it.
	@# With TASKS_BACKEND=rq the worker is RQ's, on the Redis at REDIS_URL.
	@set -e; \
	if [ "$${TASKS_BACKEND:-database}" = rq ]; then \
		$(BIN)/python manage.py rqworker default --job-class django_tasks_rq.Job & \
	else \
		$(BIN)/python manage.py db_worker --queue-name default & \
	fi; \
	worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

# Pages against their bare SQL at demo and national size, on a throw-away database of the configured
# kind (DATABASE_URL): prints a table, writes bench.json. `make bench-tests` runs the timed pytest marks.
bench: install
	$(BIN)/python manage.py bench --json bench.json

# Mixed readers and writers against gunicorn on PostgreSQL, loopback only (scripts/load.sh).
load: install
	bash scripts/load.sh

bench-tests: install
	$(BIN)/pytest -q -m benchmark -s --no-header -p no:randomly

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make backup` writes a dump of the configured database (and an archive of MEDIA_ROOT) to BACKUP_DIR;
# `make restore FILE=backups/khuyenhoc-….dump` puts one back, replacing what is there.
backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/khuyenhoc-YYYYmmdd-HHMMSS.dump"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" --yes

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
