import { describe, expect, test } from "bun:test";
import {
  alive2Request,
  alive2Response,
  namesResponse,
  portPleaseRequest,
  portResponse,
  readAlive2Request,
  readNames,
  readPortResponse,
} from "../../lib/erlang/epmd_protocol.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
const bytes = (h: string) => Uint8Array.from(h.split(" "), (x) => parseInt(x, 16));

// The bytes below were seen on the wire against OTP 25.2.3's epmd and erl (shared/ERLANG_DIST.md §1).
describe("the port mapper's bytes", () => {
  test("ALIVE2_REQ is what OTP's epmd accepted from us", () => {
    const req = alive2Request({
      name: "ts",
      port: 37659,
      type: "normal",
      protocol: 0,
      highestVersion: 6,
      lowestVersion: 6,
      extra: new Uint8Array(0),
    });
    expect(hex(req)).toBe("00 0f 78 93 1b 4d 00 00 06 00 06 00 02 74 73 00 00");
    expect(readAlive2Request(req.subarray(3))).toMatchObject({ name: "ts", port: 37659, type: "normal" });
  });

  test("PORT2_RESP as epmd sent it for an erl node reads back", () => {
    const entry = readPortResponse(bytes("8f 3d 4d 00 00 06 00 05 00 02 65 78 00 00"));
    expect(entry).toMatchObject({ name: "ex", port: 36669, type: "normal", highestVersion: 6, lowestVersion: 5 });
    expect(hex(portResponse(entry))).toBe("77 00 8f 3d 4d 00 00 06 00 05 00 02 65 78 00 00");
    expect(hex(portResponse(undefined))).toBe("77 01");
  });

  test("PORT_PLEASE2_REQ, ALIVE2_X_RESP and NAMES", () => {
    expect(hex(portPleaseRequest("ex"))).toBe("00 03 7a 65 78");
    expect(hex(alive2Response(true, 0x6b0d2ba5))).toBe("76 00 6b 0d 2b a5");
    expect(hex(alive2Response(false, 5))).toBe("76 01 00 00 00 00");
    const names = namesResponse(4369, [{ name: "tsh", port: 37163 }]);
    expect(hex(names.subarray(0, 4))).toBe("00 00 11 11");
    expect(readNames(names.subarray(4))).toEqual([{ name: "tsh", port: 37163 }]);
  });

  test("malformed entries read as undefined", () => {
    expect(readPortResponse(bytes("8f 3d 4d 00"))).toBeUndefined();
    expect(readPortResponse(bytes("8f 3d 99 00 00 06 00 05 00 02 65 78 00 00"))).toBeUndefined();
    expect(readAlive2Request(bytes("8f 3d 4d 00 00 06 00 05 00 09 65 78 00 00"))).toBeUndefined();
  });
});
