# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench lint format clean

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
	@echo "  Cổng khuyến học đang chạy tại http://127.0.0.1:8000  (Ctrl+C để dừng)"
	@echo "  Đăng nhập: hagiang / taybac / trunguong — mật khẩu khuyenhoc-demo"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest -q

bench: install
	$(BIN)/pytest -q -m benchmark -s --no-header -p no:randomly

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
