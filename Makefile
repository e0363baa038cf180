# reetrace: `make demo` serves the demo, `make test` runs every check. `make help` lists all.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PG_URL ?= postgres://postgres@127.0.0.1:5432/reetrace
DEMO_SCALE ?= small
# Extras installed with reetrace; CI adds `spark` (pyspark, needs Java) for the Spark tests.
EXTRAS ?= test

.PHONY: help install demo test test-sqlite test-postgres lint format schema bench messages fuzz clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[$(EXTRAS)]"
	touch $@

install: $(BIN)/.installed  ## create the virtualenv and install reetrace with its test tools

demo: install  ## migrate the SQLite default, load the demo data, print logins, serve on :8000
	$(BIN)/reetrace migrate --no-input -v0
	$(BIN)/reetrace demo --scale $(DEMO_SCALE) --out var/demo-data > var/demo-logins.txt
	$(BIN)/reetrace reconcile --partner var/demo-data/partner_imports.csv --format comext --json > var/demo-data/reconciliation.json
	$(BIN)/reetrace detect > /dev/null
	$(BIN)/reetrace chain keygen --if-missing
	$(BIN)/reetrace chain checkpoint
	@cat var/demo-logins.txt
	$(BIN)/reetrace runserver 127.0.0.1:8000

# The apps mypy checks (with django-stubs); docs/architecture.md says why not the others yet.
TYPED_APPS := core registry accounts ledger trace reporting

lint: install  ## ruff lint and format check, mypy on the typed apps, migrations up to date
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	REETRACE_VAR_DIR=$$(mktemp -d) $(BIN)/mypy $(addprefix src/reetrace/,$(TYPED_APPS))
	REETRACE_VAR_DIR=$$(mktemp -d) $(BIN)/reetrace makemigrations --check --dry-run

schema: install  ## regenerate the OpenAPI snapshot openapi/v1.json from the code (review the diff)
	$(BIN)/python -m tests.test_openapi

# e.g. BENCH_ARGS="--scale medium --database postgres://postgres@127.0.0.1:5432/postgres"
BENCH_ARGS ?= --scale small
bench: install  ## reetrace bench (default: small scale on SQLite); figures beside their baselines
	$(BIN)/reetrace bench $(BENCH_ARGS)

# Browser tests use a live server and flush the database after each test, so they run
# in a session of their own; the rest runs on two workers (tests of one xdist group, such
# as the Spark tests, on the same worker: one JVM).
PYTEST := $(BIN)/pytest -n 2 --dist loadgroup --ignore=tests/browser
PYTEST_BROWSER := $(BIN)/pytest tests/browser

test-sqlite: install  ## the suite on SQLite
	REETRACE_VAR_DIR=$$(mktemp -d) $(PYTEST)
	REETRACE_VAR_DIR=$$(mktemp -d) $(PYTEST_BROWSER)

test-postgres: install  ## the suite on PostgreSQL ($(PG_URL)); skips unless REETRACE_REQUIRE_POSTGRES=1
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		REETRACE_DATABASE_URL=$(PG_URL) $(PYTEST) && REETRACE_DATABASE_URL=$(PG_URL) $(PYTEST_BROWSER); \
	elif [ "$$REETRACE_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required (REETRACE_REQUIRE_POSTGRES=1) but $(PG_URL) is not reachable"; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL tests: $(PG_URL) is not reachable (set PG_URL to run them)"; \
	fi

test: lint test-sqlite test-postgres  ## everything CI runs: lint, SQLite suite, PostgreSQL suite

# schemathesis against a live server (gunicorn, DEBUG off) on the tiny demo data, once
# per demo role; e.g. FUZZ_ARGS="--database postgres://postgres@127.0.0.1:5432/postgres
# --examples 10 --max-time 15" (what CI runs). Exit status 1 on any failed check.
FUZZ_ARGS ?=
fuzz: install  ## fuzz the API from its OpenAPI document with every role's token (schemathesis)
	$(BIN)/python scripts/fuzz.py $(FUZZ_ARGS)

format: install  ## apply ruff's formatting and import order
	$(BIN)/ruff check --fix src tests scripts
	$(BIN)/ruff format src tests scripts

# Every app's strings go to portal/locale (the one catalogue); makemessages looks for
# a `locale` directory where it runs, hence the temporary link.
messages: install  ## refresh the zh-Hans catalogue from the code, then compile it
	cd src/reetrace && ln -sfn portal/locale locale && \
		../../$(BIN)/django-admin makemessages -l zh_Hans --no-location; \
		status=$$?; rm -f locale; exit $$status
	cd src/reetrace/portal && ../../../$(BIN)/django-admin compilemessages

clean:  ## remove the virtualenv and runtime files
	rm -rf $(VENV) var
