// The HTTP side of the server: auth before upgrade, the client cap, /healthz, /metrics, 404.
import { afterEach, describe, expect, it } from "vitest";
import { MAX_CLIENTS, STREAM_PATH } from "../../../probe/protocol.js";
import {
  METRICS_CONTENT_TYPE,
  startServer,
  type ServerHandle,
  type ServerOptions,
} from "../../../probe/server/http.js";
import { connect, get, rawUpgrade, until, type TestClient } from "./client.js";
import { makeHello, makeSnapshot } from "./fixtures.js";
import { captureLog } from "../../helpers/log.js";

const TOKEN = "test-token-0123456789abcdef";
let server: ServerHandle | null = null;
const clients: TestClient[] = [];
const { log, lines: logs } = captureLog();

async function start(over: Partial<ServerOptions> = {}): Promise<ServerHandle> {
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    token: TOKEN,
    hello: makeHello,
    snapshot: () => makeSnapshot(1),
    alive: () => true,
    metricsText: () => "# HELP watchdog_up x\n# TYPE watchdog_up gauge\nwatchdog_up 1\n",
    log: log.child("http"),
    ...over,
  });
  return server;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = null;
  logs.length = 0;
});

describe("stream auth", () => {
  const cases: Array<[string, Record<string, string>]> = [
    ["no Authorization header", {}],
    ["a wrong token", { Authorization: "Bearer test-token-0123456789abcdeX" }],
    ["a prefix of the token", { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ["the token plus a character", { Authorization: `Bearer ${TOKEN}x` }],
    ["another scheme", { Authorization: `Basic ${TOKEN}` }],
    ["the bare token", { Authorization: TOKEN }],
    ["an empty bearer", { Authorization: "Bearer " }],
  ];
  for (const [name, headers] of cases) {
    it(`refuses ${name} with 401 before the upgrade`, async () => {
      const s = await start();
      const r = await rawUpgrade(s.port, STREAM_PATH, headers);
      expect(r.upgraded).toBe(false);
      expect(r.status).toBe(401);
      expect(r.headers["www-authenticate"]).toBe("Bearer");
      expect(s.clientCount()).toBe(0);
      expect(s.stats().rejectedUnauthorized).toBe(1);
      expect(s.stats().accepted).toBe(0);
      expect(JSON.stringify(logs)).not.toContain(TOKEN.slice(0, 12));
      expect(logs).toContainEqual(
        expect.objectContaining({ level: "warn", component: "http", event: "stream_rejected" }),
      );
    });
  }

  it("a real ws client with a wrong token gets 401 and never opens", async () => {
    const s = await start();
    const c = connect(s.url, "wrong-token-0123456789abcdef");
    clients.push(c);
    await expect(c.opened).rejects.toThrow(/401/);
    expect(c.frames).toEqual([]);
  });

  it("accepts the right token (scheme case-insensitive) and upgrades", async () => {
    const s = await start();
    const r = await rawUpgrade(s.port, STREAM_PATH, { Authorization: `bearer ${TOKEN}` });
    expect(r.status).toBe(101);
    expect(r.upgraded).toBe(true);
    expect(s.stats().accepted).toBe(1);
  });

  it("answers a plain GET of the stream path with 401 without a token and 426 with one", async () => {
    const s = await start();
    expect((await get(s.port, STREAM_PATH)).status).toBe(401);
    const r = await get(s.port, STREAM_PATH, "GET", { Authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(426);
    expect(s.stats().accepted).toBe(0);
  });
});

describe("client cap", () => {
  it(`accepts ${MAX_CLIENTS} clients, refuses the next with 503, and takes one again after a client leaves`, async () => {
    const s = await start();
    for (let i = 0; i < MAX_CLIENTS; i++) clients.push(connect(s.url, TOKEN));
    await Promise.all(clients.map((c) => c.received(2)));
    expect(s.clientCount()).toBe(MAX_CLIENTS);

    const r = await rawUpgrade(s.port, STREAM_PATH, { Authorization: `Bearer ${TOKEN}` });
    expect(r.upgraded).toBe(false);
    expect(r.status).toBe(503);
    expect(s.stats().rejectedFull).toBe(1);
    expect(s.clientCount()).toBe(MAX_CLIENTS);

    clients[0]!.ws.close();
    await clients[0]!.closed;
    await until(() => s.clientCount() === MAX_CLIENTS - 1, "the server to see the client leave");
    const again = connect(s.url, TOKEN);
    clients.push(again);
    await again.received(2);
    expect(again.frames.map((f) => f.type)).toEqual(["hello", "snapshot"]);
  });
});

describe("plain endpoints", () => {
  it("/healthz answers 200 ok while the loop is alive, 503 when not", async () => {
    let alive = true;
    const s = await start({ alive: () => alive });
    const ok = await get(s.port, "/healthz");
    expect(ok.status).toBe(200);
    expect(ok.body.trim()).toBe("ok");
    alive = false;
    expect((await get(s.port, "/healthz")).status).toBe(503);
  });

  it("/healthz says in one line why the loop is not alive", async () => {
    let verdict = { ok: true, reason: "last completed tick 7 ended 2 s ago; no tick running" };
    const s = await start({ alive: () => verdict });
    expect(await get(s.port, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    verdict = { ok: false, reason: "tick 8 started 95 s ago, waiting on proc;\r\nlast completed tick 7" };
    expect(await get(s.port, "/healthz")).toMatchObject({
      status: 503,
      body: "tick loop not alive: tick 8 started 95 s ago, waiting on proc; last completed tick 7\n",
    });
  });

  it("/healthz answers 503 when the liveness callback throws", async () => {
    const s = await start({
      alive: () => {
        throw new Error("boom");
      },
    });
    expect(await get(s.port, "/healthz")).toMatchObject({
      status: 503,
      body: "tick loop not alive: liveness check failed: boom\n",
    });
  });

  it("/metrics serves the renderer's text as Prometheus exposition", async () => {
    const s = await start();
    const r = await get(s.port, "/metrics");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe(METRICS_CONTENT_TYPE);
    expect(r.body).toContain("watchdog_up 1\n");
  });

  it("/metrics answers 500 (and the server stays up) when rendering fails", async () => {
    const s = await start({
      metricsText: () => {
        throw new Error("renderer broke");
      },
    });
    expect((await get(s.port, "/metrics")).status).toBe(500);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        component: "http",
        event: "metrics_render_failed",
        error: "renderer broke",
      }),
    );
    expect((await get(s.port, "/healthz")).status).toBe(200);
  });

  for (const [method, path] of [
    ["GET", "/"],
    ["GET", "/v1/streams"],
    ["GET", "/metrics/x"],
    ["POST", "/healthz"],
    ["GET", "/v2/stream"],
  ] as const) {
    it(`${method} ${path} → 404`, async () => {
      const s = await start();
      expect((await get(s.port, path, method)).status).toBe(404);
    });
  }

  it("a WebSocket upgrade on another path → 404, nothing upgraded", async () => {
    const s = await start();
    const r = await rawUpgrade(s.port, "/v1/other", { Authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(404);
    expect(r.upgraded).toBe(false);
    expect(s.stats().accepted).toBe(0);
  });
});

describe("listening", () => {
  it("reports the real port when asked for port 0", async () => {
    const s = await start();
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`ws://127.0.0.1:${s.port}${STREAM_PATH}`);
  });

  it("rejects with the address when the port is taken", async () => {
    const s = await start();
    await expect(
      startServer({
        host: "127.0.0.1",
        port: s.port,
        token: TOKEN,
        hello: makeHello,
        snapshot: () => makeSnapshot(1),
        alive: () => true,
        metricsText: () => "",
      }),
    ).rejects.toThrow(`127.0.0.1:${s.port}: EADDRINUSE`);
  });
});
