/**
 * The README's performance table from a `make bench` run:
 *
 *   bun run test/bench/markdown.ts [test/bench/out/bench.json]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/cluster.ts";
import { type Row, Table } from "./table.ts";

const file = process.argv[2] ?? join(ROOT, "test/bench/out/bench.json");
const { machine, rows } = JSON.parse(readFileSync(file, "utf8")) as { machine: Record<string, unknown>; rows: Row[] };
const table = new Table();
table.rows.push(...rows);
console.log(
  `${machine.flavor}, ${machine.date} (UTC): ${machine.nproc} × ${machine.cpu}, ${machine.ram_gib} GiB RAM, ` +
    `Bun ${machine.bun}, Erlang/OTP ${machine.otp ?? "not installed"}\n`,
);
console.log(table.markdown());
