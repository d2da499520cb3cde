# Developer commands. CI runs `bash tests/run.sh` (the README's test command),
# which runs `make lint` first and then everything `make all` does; these
# targets run one part at a time against an existing build. See CONTRIBUTING.md.
#
# The Python test environment (rotel, pytest, the linters, ...) is made by
# tests/peers/install.sh; `make venv` makes or refreshes it.

VENV    ?= $(CURDIR)/.venv-test
PYTHON  := $(VENV)/bin/python
# pytest-xdist workers for the pytest targets (as tests/run.sh); 0 runs the
# tests in one process, for debugging (`make test-e2e PYTEST_WORKERS=0`).
PYTEST_WORKERS ?= 2
PYTEST  := OTELMETRICS_TEST_VENV=$(VENV) $(PYTHON) -m pytest --import-mode=importlib -q -p no:cacheprovider \
           -n $(PYTEST_WORKERS)
CARGO   ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: all venv build fmt lint lint-rust lint-py lint-structure test-rust test-py test-c test-e2e test-julia test-packaging drift python-package bindings fuzz-short

all:
	bash tests/run.sh

venv:
	OTELMETRICS_TEST_VENV=$(VENV) bash tests/peers/install.sh >/dev/null

build:
	$(CARGO) build --release

# Rewrites the code in the house style (Rust only: the Python is checked by ruff, not reformatted).
fmt:
	$(CARGO) fmt
	cd fuzz && $(CARGO) fmt

lint: lint-rust lint-py lint-structure

lint-rust:
	$(CARGO) fmt --check
	cd fuzz && $(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets --quiet -- -D warnings

lint-py: venv
	$(VENV)/bin/ruff check bindings/python tools tests benches/python examples/python
	cd bindings/python && $(VENV)/bin/mypy

# No module of src/ uses a layer above it (docs/architecture.md); every
# repository path the documentation cites exists.
lint-structure:
	python3 tools/check_layers.py
	python3 tools/check_doc_paths.py

test-rust: build
	$(CARGO) test --release

test-py: build venv python-package
	$(PYTEST) bindings/python/tests

test-c: build venv python-package
	$(PYTEST) tests/c tests/lifecycle

test-e2e: build venv python-package
	$(PYTEST) tests/e2e

test-julia: build venv python-package
	$(PYTEST) bindings/julia/check/tests

# Slow: builds cargo-c the first time (tests/peers/install-cargo-c.sh).
test-packaging: build venv python-package
	$(PYTEST) tests/packaging

# Generated files that must match their sources: the header (pinned cbindgen),
# the typed instrument functions, the bindings' declarations.
drift: build venv python-package
	$(PYTEST) tests/packaging/test_artifacts.py -k "not gen_bindings" bindings/python/tests/test_header_matches_ffi.py
	$(PYTEST) tests/packaging/test_artifacts.py -k gen_bindings    # bindings: `make bindings` regenerates them
	cargo run -q --release --manifest-path tools/gen-prometheus-proto/Cargo.toml -- . $${TMPDIR:-/tmp} \
	  && diff -u src/export/prometheus/client_model.rs $${TMPDIR:-/tmp}/client_model.rs    # `cargo run` it with no out dir to regenerate

# The suites import the installed package (as CI does), not bindings/python/src:
# reinstall it into the venv, with the library just built, before they run.
python-package:
	bash tests/peers/install-python-package.sh $(VENV)

# Regenerates the bindings' declarations (Python ctypes, Julia @ccall) from the header.
bindings: venv
	$(PYTHON) tools/gen_bindings.py

fuzz-short:
	OTELMETRICS_FUZZ_SEED=1 bash fuzz/run-short.sh $${OTELMETRICS_FUZZ_SECONDS:-20}
