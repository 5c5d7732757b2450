# Attune — the two commands a newcomer needs, and a few more.
#
#   make run    build and start Attune (embedded: SQLite, in-process bus; packs/ loaded)
#   make test   run the whole test suite (both store backends; starts/checks services)

CARGO ?= cargo

.PHONY: run test build release lint fmt migrate

run:
	$(CARGO) run -p attune -- server

test:
	scripts/test.sh

build:
	$(CARGO) build --workspace

release:
	$(CARGO) build --release -p attune

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

migrate:
	$(CARGO) run -p attune -- migrate
