%% The mesh rows' Erlang reference (test/bench/erlang_mesh.ts): one node of
%% a mesh. `meshwatch:main([Size | Hub])` prints "ready" once the node runs,
%% connects to Hub (when given) until it answers, and prints "full T" (T in
%% os:system_time milliseconds) the first time nodes() lists Size - 1 others.
%% Erlang's default connect_all then does the rest: global connects every
%% pair. It runs until it is stopped.
-module(meshwatch).
-export([main/1]).

main([SizeS | Hub]) ->
    Size = list_to_integer(SizeS),
    ok = net_kernel:monitor_nodes(true),
    io:format("ready~n"),
    [spawn(fun() -> join(list_to_atom(H)) end) || H <- Hub],
    watch(Size - 1, false).

join(Hub) ->
    case net_adm:ping(Hub) of
        pong -> ok;
        pang -> timer:sleep(100), join(Hub)
    end.

watch(Others, true) ->
    receive _ -> watch(Others, true) end;
watch(Others, false) ->
    Full = length(nodes()) >= Others,
    Full andalso io:format("full ~p~n", [os:system_time(millisecond)]),
    receive _ -> watch(Others, Full) end.
