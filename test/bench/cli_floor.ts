/**
 * The CLI row's floor: what `meshrpc call` cannot leave out, with no meshrpc
 * code. It checks the control socket and its directory as the CLI does
 * (node:fs `lstatSync`: a socket of this user, in a directory other users
 * cannot write to), POSTs a CBOR request over the Unix socket with `fetch`,
 * and prints the answer as hex. Runs on Bun and Deno, compiled or not.
 *
 *   cli_floor SOCKET HEX_CBOR_REQUEST
 */
import { lstatSync } from "node:fs";

const [socket, hex] = process.argv.slice(-2);
const dir = socket.slice(0, socket.lastIndexOf("/"));
const info = lstatSync(socket);
if (!info.isSocket() || info.uid !== process.getuid!() || (lstatSync(dir).mode & 0o022) !== 0) {
  throw new Error(`${socket} is not this user's control socket`);
}
const body = new Uint8Array(hex.length / 2);
for (let i = 0; i < body.length; i++) body[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
const init = { method: "POST", body, headers: { "content-type": "application/cbor" } };
const g = globalThis as { Deno?: { createHttpClient(o: object): unknown } };
const extra = g.Deno ? { client: g.Deno.createHttpClient({ proxy: { transport: "unix", path: socket } }) } : { unix: socket };
// No top-level await: the reference programs are compiled as CommonJS, as the hello world is.
fetch("http://meshrpc/call", { ...init, ...extra } as RequestInit)
  .then((res) => res.arrayBuffer())
  .then((bytes) => console.log(Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("")));
