# Attune — the two commands a newcomer needs, and a few more.
#
#   make run    build and start Attune (embedded: SQLite, in-process bus; packs/ loaded)
#   make test   run the whole test suite (both store backends; starts/checks services)

CARGO ?= cargo

.PHONY: run test build release lint fmt migrate web

# The web UI is built first (the binary compiles it in); the server and its sandbox helper
# (attune-sandbox, which every native action starts through) are built together; the
# server finds the helper beside itself.
run: web
	$(CARGO) build -p attune -p attune-runtime-native --bins
	$${CARGO_TARGET_DIR:-target}/debug/attune server

test:
	scripts/test.sh

build:
	$(CARGO) build --workspace

release: web
	$(CARGO) build --release -p attune -p attune-runtime-native --bins

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

web:
	scripts/build-web.sh

migrate:
	$(CARGO) run -p attune -- migrate
