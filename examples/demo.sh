#!/usr/bin/env bash
# `make demo`: the two-IEx-sessions scenario of Erlang, with meshrpc.
# Two nodes, hoge@localhost and fuga@localhost, share a cookie and a Person
# module; they ping, list and call each other, and curl calls through one to
# the other. Everything runs in a private runtime directory with its own port
# mapper port, and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

MESHRPC=${MESHRPC:-./dist/meshrpc}
export MESHRPC_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/meshrpc-demo.XXXXXX")
export MESHRPC_EPMD_PORT=${DEMO_EPMD_PORT:-43700}
export MESHRPC_COOKIE=   # the demo passes --cookie explicitly

# Prints the command as you would type it, then runs it.
run() {
  local shown=() a
  for a in "$@"; do
    case "$a" in *[\ \"\'\{]*) shown+=("'$a'") ;; *) shown+=("$a") ;; esac
  done
  printf '\n$ %s\n' "${shown[*]}"
  "$@"
}

cleanup() {
  set +e
  for n in hoge fuga; do "$MESHRPC" stop --node "$n@localhost" >/dev/null 2>&1; done
  # The nodes started a port mapper for this demo's port: stop it too.
  pid=$(curl -s "http://127.0.0.1:$MESHRPC_EPMD_PORT/health" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
  [ -n "$pid" ] && kill "$pid"
  rm -rf "$MESHRPC_RUNTIME_DIR"
}
trap cleanup EXIT

echo "# Two nodes with the same cookie (in two terminals you would drop --detach)"
run "$MESHRPC" start --sname hoge@localhost --cookie mycookie --modules examples/modules --listen 127.0.0.1 --detach
run "$MESHRPC" start --sname fuga@localhost --cookie mycookie --modules examples/modules --listen 127.0.0.1 --detach

echo; echo "# Node.ping(:\"fuga@localhost\") from hoge"
run "$MESHRPC" ping fuga@localhost --node hoge@localhost

echo; echo "# Node.list() on each"
run "$MESHRPC" nodes --node hoge@localhost
run "$MESHRPC" nodes --node fuga@localhost

echo; echo "# :rpc.call(:\"fuga@localhost\", Person, :say_hello, [node()]) from hoge, and back"
run "$MESHRPC" call fuga@localhost Person say_hello hoge@localhost --node hoge@localhost
run "$MESHRPC" call hoge@localhost Person say_hello fuga@localhost --node fuga@localhost

echo; echo "# The same call with curl, through hoge's HTTP port"
port=$("$MESHRPC" status --node hoge@localhost --format json | sed -n 's/.*"port": *\([0-9]*\).*/\1/p' | head -1)
run curl -s -H "authorization: Bearer mycookie" -H 'content-type: application/json' \
  -d '{"node":"fuga@localhost","module":"Person","function":"say_hello","args":["hoge@localhost"]}' \
  "http://127.0.0.1:$port/rpc"
echo

echo; echo "# erpc's outcomes are told apart: an unknown function is undef (exit 1)"
run "$MESHRPC" call fuga@localhost Person say_bye --node hoge@localhost || echo "(exit code $?)"

echo; echo "# Every node at once, as LiveDashboard gathers system info"
run "$MESHRPC" multicall node self --node hoge@localhost

echo; echo "# Stop both (each tells the other: nodedown)"
run "$MESHRPC" stop --node fuga@localhost
run "$MESHRPC" nodes --node hoge@localhost
run "$MESHRPC" stop --node hoge@localhost
