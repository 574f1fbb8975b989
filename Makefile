# meshrpc — the two commands a newcomer needs are `make demo` and `make test`.
# Only Node.js and npm are assumed: Bun and Deno come from npm (devDependencies).

BUN  := node_modules/.bin/bun
DENO := node_modules/.bin/deno
SOURCES := $(shell find cmd lib -name '*.ts' 2>/dev/null)
# Tests are type-checked too, except the file whose check must fail (test/unit/rpc_typed.test.ts runs it).
TEST_SOURCES := $(shell find test -name '*.ts' ! -path 'test/unit/typed/wrong_argument.ts' 2>/dev/null)

.PHONY: all deps build test unit check demo bench reliability clean

all: build

# npm ci, once per lockfile change.
node_modules/.deps: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.deps

# The single executable (Bun runtime included); Deno runs the same sources.
# --splitting keeps each subcommand's modules (cmd/meshrpc.ts imports them with import())
# out of the code loaded at every start: `meshrpc call` does not load the node or hono.
# JIT_POLICY: the executable starts with JavaScriptCore's tier-up thresholds that many times
# higher, so start-up and link set-up code (run a few times, then never) is not compiled; a node
# goes back to the normal thresholds at its first call (lib/runtime/bun.ts, startupDone).
# --no-compile-autoload-*: an executable reads no bunfig.toml (whose `preload` would run its
# code) and no .env from the directory it is run in; its settings come from flags and the environment.
JIT_POLICY := 4
dist/meshrpc: node_modules/.deps $(SOURCES) Makefile
	@mkdir -p dist
	$(BUN) build --compile --splitting --minify --bytecode --format=esm \
		--compile-jit-policy=$(JIT_POLICY) --define MESHRPC_START_JIT_POLICY=$(JIT_POLICY) \
		--no-compile-autoload-bunfig --no-compile-autoload-dotenv \
		cmd/meshrpc.ts --outfile dist/meshrpc

build: dist/meshrpc

# Type-check the sources and tests with Deno (the same code must run there), lint, and
# check the layering and file sizes (test/unit/architecture.test.ts).
check: deps
	$(DENO) check cmd/ lib/ $(TEST_SOURCES)
	$(DENO) lint cmd/ lib/ test/
	$(BUN) test test/unit/architecture.test.ts

# Every test: unit, integration (real daemons from source under Bun and Deno,
# and from dist/meshrpc), cross-runtime.
test: deps build check
	$(BUN) test --timeout 60000

unit: deps
	$(BUN) test test/unit

demo: build
	./examples/demo.sh

# meshrpc next to Erlang/OTP, a bare HTTP server and a hello world, measured in one run
# (test/bench/run.ts; FLAVOR=deno for Deno nodes); JSON in test/bench/out/bench.json.
FLAVOR ?= binary
bench: build
	$(BUN) run test/bench/run.ts --flavor $(FLAVOR)
	$(BUN) run test/bench/elixir_interop.ts

# The hardening suite (test/reliability/README.md): a table of figures, exit 1 when a bound breaks.
reliability: build
	$(BUN) run test/reliability/run.ts --json test/reliability/out/reliability.json

clean:
	rm -rf dist
