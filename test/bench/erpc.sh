#!/usr/bin/env bash
# The anchor of `make bench`: Erlang's own erpc:call between two nodes on this
# machine, the same shape as test/bench/calls.ts (sequential, then 64 callers).
# Skipped when Erlang is not installed (apt-get install erlang-base).
set -euo pipefail
calls=${1:-5000}
if ! command -v erl >/dev/null; then
  echo "erpc: skipped (no erl; apt-get install erlang-base to compare)"
  exit 0
fi
# A private epmd port, so that nothing of the host's Erlang setup is touched.
export ERL_EPMD_PORT=$((43000 + RANDOM % 1000))
cookie=bench$RANDOM
# Our own epmd (relaxed: it may be killed while names are still registered).
epmd -daemon -relaxed_command_check
erl -sname fuga@localhost -setcookie "$cookie" -noshell -detached
stop() {
  erl -sname stopper@localhost -setcookie "$cookie" -noshell -eval "rpc:call(fuga@localhost, init, stop, []), halt()."
  for _ in $(seq 50); do epmd -names | grep -q fuga || break; sleep 0.1; done
  epmd -kill >/dev/null
}
trap stop EXIT
erl -sname hoge@localhost -setcookie "$cookie" -noshell -eval "
  N = $calls,
  F = fuga@localhost,
  pong = (fun W(0) -> pang; W(K) -> case net_adm:ping(F) of pong -> pong; _ -> timer:sleep(100), W(K-1) end end)(50),
  Call = fun() -> <<\"hello\">> = erpc:call(F, erlang, hd, [[<<\"hello\">>]]) end,
  [Call() || _ <- lists:seq(1, 1000)],
  Time = fun() -> T = erlang:monotonic_time(nanosecond), Call(), erlang:monotonic_time(nanosecond) - T end,
  Summary = fun(What, Samples, WallNs) ->
    S = lists:sort(Samples), L = length(S),
    P = fun(Q) -> lists:nth(min(L, trunc(Q * L) + 1), S) / 1000 end,
    io:format(\"~-26s~8B~10B~10B~10B~n\", [What, L, round(P(0.5)), round(P(0.99)), round(L / (WallNs / 1.0e9))])
  end,
  io:format(\"Erlang/OTP ~s erpc:call, erlang:hd([<<\\\"hello\\\">>])~n\", [erlang:system_info(otp_release)]),
  io:format(\"~-26s~8s~10s~10s~10s~n\", [\"what\", \"calls\", \"p50 us\", \"p99 us\", \"calls/s\"]),
  T0 = erlang:monotonic_time(nanosecond),
  Seq = [Time() || _ <- lists:seq(1, N)],
  Summary(\"node->node sequential\", Seq, erlang:monotonic_time(nanosecond) - T0),
  Self = self(), PerWorker = N * 4 div 64,
  T1 = erlang:monotonic_time(nanosecond),
  [spawn(fun() -> Self ! {done, [Time() || _ <- lists:seq(1, PerWorker)]} end) || _ <- lists:seq(1, 64)],
  Par = lists:append([receive {done, S} -> S end || _ <- lists:seq(1, 64)]),
  Summary(\"node->node 64 in flight\", Par, erlang:monotonic_time(nanosecond) - T1),
  halt()."
