-- wrk script of `make bench`: POST /rpc calling rpc.echo("hello") as JSON.
wrk.method = "POST"
wrk.body = '{"module":"rpc","function":"echo","args":["hello"]}'
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer " .. os.getenv("BENCH_COOKIE")
