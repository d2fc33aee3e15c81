// postJson: the one POST both notification channels make.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpTimeout, postJson } from "../../../probe/notify/http.js";

let server: http.Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    if (req.url === "/hang") return; // read, never answered
    req.resume();
    req.on("end", () => res.end('{"ok":true}'));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("postJson", () => {
  it("posts and returns the status and body", async () => {
    expect(await postJson(`${url}/x`, { a: 1 }, { timeoutMs: 5000 })).toEqual({ status: 200, body: '{"ok":true}' });
  });

  it("rejects an already aborted signal without sending, and without an uncaught error", async () => {
    const before = requests;
    const ac = new AbortController();
    ac.abort();
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      await expect(postJson(`${url}/x`, {}, { timeoutMs: 5000, signal: ac.signal })).rejects.toThrow(
        "request cancelled",
      );
      // the request's own error event fires on a later turn
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(requests).toBe(before);
  });

  it("cuts off a server that never answers with HttpTimeout", async () => {
    await expect(postJson(`${url}/hang`, {}, { timeoutMs: 200 })).rejects.toBeInstanceOf(HttpTimeout);
  });
});
