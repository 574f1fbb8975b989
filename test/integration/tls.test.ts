/**
 * --tls-cert/--tls-key: the HTTP endpoint speaks HTTPS, and links between
 * TLS nodes dial wss:// (trusting the test certificate via NODE_EXTRA_CA_CERTS).
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Cluster, FIXTURES } from "../support/cluster.ts";

setDefaultTimeout(30_000);

const CERT = join(FIXTURES, "tls/cert.pem");
const KEY = join(FIXTURES, "tls/key.pem");
const TLS = ["--tls-cert", CERT, "--tls-key", KEY];

const cluster = new Cluster();
afterAll(() => cluster.cleanup());

test("TLS nodes serve HTTPS and link over wss", async () => {
  const env = { NODE_EXTRA_CA_CERTS: CERT };
  const a = await cluster.start("a@localhost", { args: TLS, env });
  await cluster.start("b@localhost", { args: TLS, env });
  const res = await fetch(`https://localhost:${a.port}/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": "application/json" },
    body: JSON.stringify({ node: "b@localhost", module: "node", function: "self" }),
    tls: { ca: await Bun.file(CERT).text() },
  });
  expect(await res.json()).toEqual({ ok: "b@localhost" });
  const plain = await fetch(`http://127.0.0.1:${a.port}/health`).then(() => "answered", () => "refused");
  expect(plain).toBe("refused");
  const nodes = await cluster.cli(["nodes", "--node", "a@localhost"]);
  expect(nodes.stdout).toBe("b@localhost\n");
});

test("a TLS flag without its pair is a usage error", async () => {
  const r = await cluster.cli(["start", "--sname", "c@localhost", "--tls-cert", CERT]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("--tls-cert and --tls-key go together");
});

test("a missing or malformed certificate stops the start with a message that names it", async () => {
  const missing = await cluster.cli(["start", "--sname", "d@localhost", "--listen", "127.0.0.1", "--tls-cert", "/nonexistent.pem", "--tls-key", KEY]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("Cannot read --tls-cert /nonexistent.pem");
  const garbage = await cluster.cli(["start", "--sname", "e@localhost", "--listen", "127.0.0.1", "--tls-cert", KEY, "--tls-key", CERT]);
  expect(garbage.code).toBe(1);
  expect(garbage.stderr).toContain("--tls-cert and --tls-key must be a PEM certificate and its private key");
});
