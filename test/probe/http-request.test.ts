// httpRequest against real loopback servers: every way a request can go wrong ends in one
// error naming the target and the stage, within the deadline, and nothing is left hanging.
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpRequestError, httpRequest, type RequestOptions } from "../../probe/http-request.js";

let server: http.Server;
let base: string;
const seen: Array<{ method: string; url: string; body: string }> = [];
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", body: Buffer.concat(chunks).toString("utf8") });
    const route = (req.url ?? "/").split("?")[0];
    if (route === "/hang") return; // read, never answered
    if (route === "/drip" || route === "/drip-503") {
      // headers at once, then a byte every 50 ms, forever (until the client goes)
      res.writeHead(route === "/drip" ? 200 : 503, { "content-type": "text/plain" });
      const t = setInterval(() => res.write("x"), 50);
      res.on("close", () => clearInterval(t));
      return;
    }
    if (route === "/big") return void res.end("y".repeat(64 * 1024));
    if (route === "/cut") {
      // promises 1000 bytes, sends 10, hangs up
      res.writeHead(200, { "content-length": "1000" });
      res.write("0123456789");
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "x-route": route ?? "" });
    res.end(JSON.stringify({ ok: true, echo: seen.at(-1)?.body ?? "" }));
  });
}

beforeAll(async () => {
  process.on("uncaughtException", onUncaught);
  server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  process.off("uncaughtException", onUncaught);
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  expect(uncaught).toEqual([]);
});

const get = (url: string, over: Partial<RequestOptions> = {}) =>
  httpRequest({ method: "GET", url, timeoutMs: 5000, maxBodyBytes: 1024 * 1024, ...over });

/** The one error a request failed with. */
async function failure(p: Promise<unknown>): Promise<HttpRequestError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HttpRequestError);
  return e as HttpRequestError;
}

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("httpRequest: answers", () => {
  it("posts a body and returns the status, headers and body", async () => {
    const ans = await httpRequest({
      method: "POST",
      url: `${base}/echo`,
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
      timeoutMs: 5000,
      maxBodyBytes: 1024,
    });
    expect(ans.status).toBe(200);
    expect(ans.headers["x-route"]).toBe("/echo");
    expect(JSON.parse(ans.body)).toEqual({ ok: true, echo: '{"a":1}' });
    expect(seen.at(-1)).toMatchObject({ method: "POST", url: "/echo" });
  });

  it("with readBody false, answers at the headers and does not wait for a body that never ends", async () => {
    const ans = await get(`${base}/drip-503`, { timeoutMs: 2000, readBody: (s) => s < 300 });
    expect(ans).toMatchObject({ status: 503, body: "" });
  });

  it("cutting keeps the first maxBodyBytes of a big body", async () => {
    const ans = await get(`${base}/big`, { maxBodyBytes: 1000, overCap: "cut" });
    expect(ans.body).toBe("y".repeat(1000));
  });

  it("speaks over a unix socket (the Docker Engine API)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "http-request-"));
    const sock = path.join(dir, "api.sock");
    const unix = http.createServer(handler);
    try {
      await new Promise<void>((r) => unix.listen(sock, r));
      const ans = await get("/v1.47/_ping?x=1", { socketPath: sock });
      expect(ans.status).toBe(200);
      expect(seen.at(-1)?.url).toBe("/v1.47/_ping?x=1");
      const e = await failure(get("/hang", { socketPath: sock, timeoutMs: 200 }));
      expect(e.message).toBe(`GET unix:${sock}/hang: timed out after 0.2 s while waiting for the headers`);
    } finally {
      unix.closeAllConnections();
      await new Promise<void>((r) => unix.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("httpRequest: one error naming the target and the stage", () => {
  it("headers that never come: a timeout while waiting for the headers", async () => {
    const e = await failure(get(`${base}/hang`, { timeoutMs: 300 }));
    expect(e).toMatchObject({ failure: "timeout", stage: "headers", target: `GET ${base}/hang`, status: null });
    expect(e.message).toBe(`GET ${base}/hang: timed out after 0.3 s while waiting for the headers`);
  });

  it("a body that trickles past the deadline: a timeout while reading the body", async () => {
    const e = await failure(get(`${base}/drip`, { timeoutMs: 300 }));
    expect(e).toMatchObject({ failure: "timeout", stage: "body", status: 200 });
    expect(e.message).toBe(`GET ${base}/drip: timed out after 0.3 s while reading the body`);
  });

  it("a body over the cap", async () => {
    const e = await failure(get(`${base}/big`, { maxBodyBytes: 1024 }));
    expect(e).toMatchObject({ failure: "too-large", stage: "body", status: 200 });
    expect(e.message).toBe(`GET ${base}/big: body over 1 KiB while reading the body`);
  });

  it("a connection closed mid-body", async () => {
    const e = await failure(get(`${base}/cut`));
    expect(e).toMatchObject({ failure: "closed", stage: "body", detail: "connection closed mid-body" });
  });

  it("an abort while waiting: aborted at that stage, and the server sees the connection go", async () => {
    const ac = new AbortController();
    const p = get(`${base}/hang`, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    const e = await failure(p);
    expect(e).toMatchObject({ failure: "aborted", stage: "headers" });
    expect(e.message).toBe(`GET ${base}/hang: aborted while waiting for the headers`);
  });

  it("an abort before the start sends nothing", async () => {
    const before = seen.length;
    const ac = new AbortController();
    ac.abort();
    const e = await failure(get(`${base}/echo`, { signal: ac.signal }));
    expect(e).toMatchObject({ failure: "aborted", stage: "connect" });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length).toBe(before);
  });

  it("a refused connection: a network error while connecting, with its code", async () => {
    const port = await closedPort();
    const e = await failure(get(`http://127.0.0.1:${port}/metrics`));
    expect(e).toMatchObject({ failure: "network", stage: "connect", code: "ECONNREFUSED" });
    expect(e.message).toMatch(
      new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/metrics: .*ECONNREFUSED.* while connecting$`),
    );
  });

  it("a missing unix socket: ENOENT while connecting", async () => {
    const e = await failure(get("/_ping", { socketPath: "/nonexistent/docker.sock", target: "docker GET /_ping" }));
    expect(e).toMatchObject({ failure: "network", stage: "connect", code: "ENOENT", target: "docker GET /_ping" });
  });

  it("names the target without credentials or query, or as the caller says", async () => {
    const e = await failure(get(`http://user:s3cret@127.0.0.1:${await closedPort()}/x?token=abc`));
    expect(e.message).not.toMatch(/s3cret|user|token=abc/);
    const named = await failure(get(`${base}/hang?key=k`, { timeoutMs: 100, target: "POST Telegram sendMessage" }));
    expect(named.message).toBe("POST Telegram sendMessage: timed out after 0.1 s while waiting for the headers");
  });

  it("a URL it cannot request fails at once", async () => {
    expect(await failure(get("not a url"))).toMatchObject({ failure: "invalid", detail: "invalid URL" });
    expect(await failure(get("ftp://127.0.0.1/x"))).toMatchObject({
      failure: "invalid",
      detail: "unsupported protocol ftp:",
    });
  });

  it("many failures at once leave no socket open on the server", async () => {
    const all = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => get(`${base}/${i % 2 ? "hang" : "drip"}`, { timeoutMs: 200 })),
    );
    expect(all.every((r) => r.status === "rejected")).toBe(true);
    let open = Infinity;
    for (let i = 0; i < 50 && open > 0; i++) {
      open = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
      if (open > 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(open).toBe(0);
  });
});
