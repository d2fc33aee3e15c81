// postJson: the one POST both notification channels make, and how its failures read in their logs.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postFailure, postJson } from "../../../probe/notify/http.js";

let server: http.Server;
let url: string;
let requests = 0;
const target = "POST test endpoint";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    if (req.url === "/hang") return; // read, never answered
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/huge") return res.end(`{"ok":true,"pad":"${"x".repeat(300 * 1024)}"}`);
      res.writeHead(req.headers["content-type"] === "application/json" ? 200 : 415, {
        "content-type": "application/json",
      });
      res.end(`{"ok":true,"got":${Buffer.concat(chunks).toString("utf8")}}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("postJson", () => {
  it("posts JSON and returns the status, body and content type", async () => {
    expect(await postJson(`${url}/x`, { a: 1 }, { timeoutMs: 5000, target })).toEqual({
      status: 200,
      body: '{"ok":true,"got":{"a":1}}',
      contentType: "application/json",
    });
  });

  it("cuts an oversized answer at 256 KiB instead of failing", async () => {
    const r = await postJson(`${url}/huge`, {}, { timeoutMs: 5000, target });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(256 * 1024);
  });

  it("rejects an already aborted signal without sending, and reads as a cancelled request", async () => {
    const before = requests;
    const ac = new AbortController();
    ac.abort();
    const e = await postJson(`${url}/x`, {}, { timeoutMs: 5000, signal: ac.signal, target }).catch((x: unknown) => x);
    expect(postFailure(e, 5000)).toEqual({ timeout: false, text: "request cancelled", stage: "connect" });
    await new Promise((r) => setTimeout(r, 50));
    expect(requests).toBe(before);
  });

  it("cuts off a server that never answers, and says so as the channels always have", async () => {
    const e = await postJson(`${url}/hang`, {}, { timeoutMs: 200, target }).catch((x: unknown) => x);
    expect(postFailure(e, 200)).toEqual({ timeout: true, text: "no answer within 200 ms", stage: "headers" });
    expect((e as Error).message).toBe("POST test endpoint: timed out after 0.2 s while waiting for the headers");
  });
});
