%% The Erlang side of `make bench` (test/bench/erlang.ts): the same rows as
%% meshrpc's test/bench/modules/Bench.ts, with erpc/rpc between nodes of this
%% host. Prints `pid NODE OSPID` for each peer, then `row KEY VALUE` lines.
%% Arguments: calls per row, the three warm-ups of test/bench/warmup.ts
%% (sequential calls, casts, multicalls), then the peers.
-module(meshbench).
-export([main/1, echo/1, ticks_init/0, tick/0, ticks/0]).

echo(X) -> X.

%% A public counter that outlives the rpc process that creates it.
ticks_init() ->
    Self = self(),
    case whereis(meshbench_ticks_owner) of
        undefined ->
            spawn(fun() ->
                register(meshbench_ticks_owner, self()),
                ets:new(meshbench_ticks, [named_table, public, {write_concurrency, true}]),
                ets:insert(meshbench_ticks, {n, 0}),
                Self ! ready,
                receive stop -> ok end
            end),
            receive ready -> ok end;
        _ ->
            ets:insert(meshbench_ticks, {n, 0}), ok
    end.

tick() -> ets:update_counter(meshbench_ticks, n, 1).
ticks() -> ets:lookup_element(meshbench_ticks, n, 2).

main([CallsS, SeqWarmS, CastWarmS, MultiWarmS | PeersS]) ->
    N = list_to_integer(CallsS),
    [SeqWarm, CastWarm, MultiWarm] = [list_to_integer(S) || S <- [SeqWarmS, CastWarmS, MultiWarmS]],
    Peers = [list_to_atom(P) || P <- PeersS],
    [F | _] = Peers,
    [wait_pong(P, 100) || P <- Peers],
    [io:format("pid ~s ~s~n", [P, rpc:call(P, os, getpid, [])]) || P <- Peers],
    io:format("otp ~s~n", [erlang:system_info(otp_release)]),
    Small = <<"hello">>,
    %% The same warm-up as test/bench/run.ts gives meshrpc.
    seq(F, Small, N),
    par(F, Small, 20000, 16),
    seq(F, payload(65536), 2000),
    seq(F, Small, SeqWarm),
    row(echo_small, N / seq(F, Small, N)),
    row(echo_64k, 65536 * 2000 / seq(F, payload(65536), 2000) / 1.0e6),
    row(echo_1m, 1048576 * 300 / seq(F, payload(1048576), 300) / 1.0e6),
    [row(list_to_atom("inflight_" ++ integer_to_list(W)), N * 4 / par(F, Small, N * 4, W)) || W <- [16, 64, 256]],
    casts(F, CastWarm),
    row(cast, casts(F, N * 4)),
    [par(P, Small, 20000, 16) || P <- tl(Peers)],
    multi(Peers, Small, MultiWarm),
    row(multicall, N / multi(Peers, Small, N)),
    halt().

wait_pong(P, 0) -> error({no_pong, P});
wait_pong(P, K) ->
    case net_adm:ping(P) of
        pong -> ok;
        pang -> timer:sleep(100), wait_pong(P, K - 1)
    end.

row(Key, Value) -> io:format("row ~s ~.3f~n", [Key, float(Value)]).

payload(Size) -> crypto:strong_rand_bytes(Size).

seconds(Fun) ->
    T = erlang:monotonic_time(nanosecond),
    Fun(),
    (erlang:monotonic_time(nanosecond) - T) / 1.0e9.

%% Seconds for K sequential echoes of V.
seq(F, V, K) ->
    seconds(fun() -> [V = erpc:call(F, meshbench, echo, [V]) || _ <- lists:seq(1, K)] end).

%% Seconds for K echoes, W callers at a time.
par(F, V, K, W) ->
    Self = self(),
    seconds(fun() ->
        [spawn(fun() -> [V = erpc:call(F, meshbench, echo, [V]) || _ <- lists:seq(1, K div W)], Self ! done end)
         || _ <- lists:seq(1, W)],
        [receive done -> ok end || _ <- lists:seq(1, W)]
    end).

%% Casts executed per second: K rpc:cast, timed until the peer counted them all.
casts(F, K) ->
    ok = rpc:call(F, meshbench, ticks_init, []),
    S = seconds(fun() ->
        [true = rpc:cast(F, meshbench, tick, []) || _ <- lists:seq(1, K)],
        wait_ticks(F, K)
    end),
    K / S.

wait_ticks(F, K) ->
    case rpc:call(F, meshbench, ticks, []) of
        C when C >= K -> ok;
        _ -> timer:sleep(1), wait_ticks(F, K)
    end.

%% Seconds for K sequential multicalls over Peers.
multi(Peers, V, K) ->
    Want = [{ok, V} || _ <- Peers],
    seconds(fun() -> [Want = erpc:multicall(Peers, meshbench, echo, [V]) || _ <- lists:seq(1, K)] end).
