# Every target creates .venv and installs what it needs into it: a clean clone needs only Python 3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
# make test runs the test files on this many processes (pytest-xdist; a file stays on one).
TEST_JOBS ?= 2

.PHONY: install demo test test-browser bench lint clean bytecode

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q -e ".[test,bench,lint]"
	touch $(STAMP)

install: $(STAMP)

# The project's own modules compiled ahead (pip compiles the dependencies, not an editable
# project): where PYTHONDONTWRITEBYTECODE is set (CI, containers) every process would compile
# them from source at start-up, and each crawl starts two (about 0.13 s of CPU each).
bytecode: $(STAMP)
	$(PY) -m compileall -q -j 0 newsarchive spiders pipelines tests bench

demo: $(STAMP)
	$(PY) -m tests.demo

test: bytecode
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# The browser tests (tests/test_browser.py) in headless Debian chromium, installed when missing.
test-browser: $(STAMP)
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	$(PY) -m pytest -q tests/test_browser.py $(PYTEST_ARGS)

bench: bytecode
	$(PY) -m bench

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data/*.db data/*.db-* data/logs build *.egg-info
