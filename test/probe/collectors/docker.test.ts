import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ContainerSchema, SignalSchema } from "../../../probe/protocol.js";
import {
  chooseApiVersion,
  DockerApiError,
  DockerClient,
  DockerReadOnlyError,
  MAX_API_VERSION,
} from "../../../probe/collectors/docker-api.js";
import {
  assessContainers,
  createDockerSource,
  healthFromStatus,
  selectShown,
  type Observed,
} from "../../../probe/collectors/docker.js";
import type { Source, SourceOutput } from "../../../probe/source.js";
import {
  startFakeDocker,
  summaryOf,
  inspectOf,
  type FakeContainer,
  type FakeDocker,
} from "../../helpers/fake-docker.js";

const T0 = Date.parse("2026-06-15T03:00:00Z");

function baseContainers(): FakeContainer[] {
  return [
    { id: "a".repeat(64), name: "orchestrator", state: "running", health: "healthy", restarts: 0 },
    { id: "b".repeat(64), name: "redis", state: "running", restarts: 2 },
    { id: "c".repeat(64), name: "worker", state: "exited", exitCode: 137 },
    { id: "d".repeat(64), name: "unrelated", state: "running" },
    { id: "e".repeat(64), name: "crashy", state: "restarting", restarts: 9 },
    { id: "f".repeat(64), name: "old-job", state: "exited" },
  ];
}

let fake: FakeDocker;
beforeAll(async () => {
  fake = await startFakeDocker({ containers: baseContainers() });
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  fake.mode = "ok";
  fake.apiVersion = "1.47";
  fake.minApiVersion = "1.24";
  fake.containers = baseContainers();
  await fake.up();
  fake.requests.length = 0;
});

function collect(src: Source, now = T0): Promise<SourceOutput> {
  return src.collect({ now, signal: new AbortController().signal });
}

function sig(out: SourceOutput, key: string) {
  const s = out.signals.find((x) => x.key === key);
  if (!s) throw new Error(`no signal ${key} in ${out.signals.map((x) => x.key).join(", ")}`);
  return s;
}

describe("DockerClient is read-only", () => {
  it("refuses any method but GET and nothing reaches the socket", async () => {
    const client = new DockerClient({ socketPath: fake.socketPath, timeoutMs: 2000 });
    for (const m of ["POST", "DELETE", "PUT", "HEAD", "get"]) {
      await expect(client.request(m as "GET", "/containers/x/kill")).rejects.toBeInstanceOf(DockerReadOnlyError);
    }
    await expect(client.request("POST" as "GET", "/containers/create")).rejects.toThrow(/refusing POST.*read-only/);
    expect(fake.requests).toEqual([]);
  });

  it("a whole source tick sends nothing but GET", async () => {
    const src = createDockerSource(
      { socket: fake.socketPath, containers: ["orchestrator", "worker", "ghost"] },
      { timeoutMs: 3000 },
    );
    await collect(src);
    await collect(src, T0 + 15_000);
    expect(fake.requests.length).toBeGreaterThan(2);
    expect(fake.requests.every((r) => r.method === "GET")).toBe(true);
  });
});

describe("API version negotiation", () => {
  it("speaks the daemon's version from /_ping, prefixed on every path", async () => {
    const client = new DockerClient({ socketPath: fake.socketPath, timeoutMs: 2000 });
    await client.listContainers();
    expect(fake.requests.map((r) => r.path)).toEqual(["/_ping", "/v1.47/containers/json?all=1"]);
    await client.listContainers();
    expect(fake.requests.filter((r) => r.path === "/_ping")).toHaveLength(1); // negotiated once
  });

  it("caps at the newest version it knows, and falls back when the header is missing", () => {
    expect(chooseApiVersion("1.99")).toBe(MAX_API_VERSION);
    expect(chooseApiVersion("1.41")).toBe("1.41");
    expect(chooseApiVersion(undefined)).toBe("1.44");
    expect(chooseApiVersion("garbage")).toBe("1.44");
    expect(chooseApiVersion("1.41", { max: "1.40" })).toBe("1.40");
    expect(chooseApiVersion("1.41", { min: "1.44" })).toBe("1.44");
  });

  it("re-negotiates after a daemon upgrade refuses the old version", async () => {
    fake.apiVersion = "1.41";
    const src = createDockerSource({ socket: fake.socketPath, containers: ["orchestrator"] }, { timeoutMs: 3000 });
    await collect(src);
    // the daemon is upgraded under the running probe: 1.41 is now too old
    fake.apiVersion = "1.52";
    fake.minApiVersion = "1.44";
    await expect(collect(src)).rejects.toThrow(/too old/);
    const out = await collect(src);
    expect(sig(out, "container_down:orchestrator").active).toBe(false);
    expect(fake.requests.at(-1)!.path).toMatch(/^\/v1\.52\/containers\/[0-9a-f]{64}\/json$/);
  });

  it("with no Api-Version header, learns the daemon's maximum from its refusal", async () => {
    const old = await startFakeDocker({ containers: baseContainers(), apiVersion: "1.41", noVersionHeader: true });
    try {
      const src = createDockerSource({ socket: old.socketPath, containers: ["orchestrator"] }, { timeoutMs: 3000 });
      await expect(collect(src)).rejects.toThrow(/too new/);
      const out = await collect(src);
      expect(sig(out, "container_down:orchestrator").active).toBe(false);
      expect(old.requests.some((r) => r.path.startsWith("/v1.41/"))).toBe(true);
    } finally {
      await old.close();
    }
  });
});

describe("docker source", () => {
  it("reports expected containers plus the troubled ones, and signals down/unhealthy", async () => {
    fake.containers[0]!.health = "unhealthy";
    const src = createDockerSource(
      { socket: fake.socketPath, containers: ["orchestrator", "redis", "worker", "ghost"] },
      { timeoutMs: 3000 },
    );
    const out = await collect(src);
    for (const c of out.containers!) ContainerSchema.parse(c);
    for (const s of out.signals) SignalSchema.parse(s);
    expect(out.containers).toEqual([
      { name: "orchestrator", state: "running", health: "unhealthy", restarts: 0 },
      { name: "redis", state: "running", health: null, restarts: 2 },
      { name: "worker", state: "exited", health: null, restarts: 0 },
      { name: "ghost", state: "missing", health: null, restarts: 0 },
      { name: "crashy", state: "restarting", health: null, restarts: 9 },
    ]);
    expect(sig(out, "container_down:orchestrator").active).toBe(false);
    expect(sig(out, "container_unhealthy:orchestrator")).toMatchObject({
      active: true,
      title: "container orchestrator is unhealthy",
    });
    expect(sig(out, "container_unhealthy:orchestrator").detail).toMatch(/failing 3 times in a row/);
    expect(sig(out, "container_down:worker")).toMatchObject({ active: true, severity: "critical" });
    expect(sig(out, "container_down:worker").detail).toContain("Exited (137)");
    expect(sig(out, "container_down:ghost")).toMatchObject({
      active: true,
      title: "container ghost is not running: missing (no such container)",
    });
    // only what is shown is inspected; the healthy unrelated container and the old job are not
    const inspected = fake.requests
      .filter((r) => /\/containers\/[^/]+\/json/.test(r.path))
      .map((r) => r.path.split("/")[3]![0]);
    expect(inspected.sort()).toEqual(["a", "b", "c", "e"]);
    // an unexpected container never signals, it is only shown
    expect(out.signals.some((s) => s.entity === "crashy")).toBe(false);
  });

  it("matches a compose service name when no container has that exact name", async () => {
    fake.containers.push({
      id: "9".repeat(64),
      name: "stack-api-1",
      state: "running",
      health: "healthy",
      labels: { "com.docker.compose.service": "api" },
    });
    const src = createDockerSource({ socket: fake.socketPath, containers: ["api"] }, { timeoutMs: 3000 });
    const out = await collect(src);
    expect(out.containers![0]).toEqual({ name: "stack-api-1", state: "running", health: "healthy", restarts: 0 });
    expect(sig(out, "container_down:api").active).toBe(false);
  });

  it("recovers when the container comes back, and shows a restart increase between ticks", async () => {
    const src = createDockerSource({ socket: fake.socketPath, containers: ["worker"] }, { timeoutMs: 3000 });
    expect(sig(await collect(src), "container_down:worker").active).toBe(true);
    fake.containers[2] = { ...fake.containers[2]!, state: "running", restarts: 3 };
    const out = await collect(src, T0 + 15_000);
    expect(sig(out, "container_down:worker").active).toBe(false);
    expect(out.containers![0]!.restarts).toBe(3);
    expect(sig(out, "container_down:worker").detail).toMatch(
      /worker restarted 3× at 2026-06-15T03:00:15.000Z \(3 restarts in total\)/,
    );
    // the note stays on later ticks, so a person looking later still sees it
    expect(sig(await collect(src, T0 + 30_000), "container_down:worker").detail).toMatch(/restarted 3×/);
  });

  it("daemon down: a clear error naming the socket", async () => {
    await fake.down();
    const src = createDockerSource({ socket: fake.socketPath, containers: ["orchestrator"] }, { timeoutMs: 3000 });
    await expect(collect(src)).rejects.toThrow(/ENOENT.*docker\.sock does not exist/);
    await fake.up();
    expect(sig(await collect(src), "container_down:orchestrator").active).toBe(false);
  });

  it("slow daemon: gives up at its own timeout instead of hanging", async () => {
    fake.mode = "slow";
    const src = createDockerSource({ socket: fake.socketPath, containers: ["orchestrator"] }, { timeoutMs: 300 });
    await expect(collect(src)).rejects.toThrow(/GET \/_ping timed out after 0.3 s/);
  });

  it("stops when the loop aborts the tick", async () => {
    const client = new DockerClient({ socketPath: fake.socketPath, timeoutMs: 60_000 });
    await client.negotiate();
    fake.mode = "slow";
    const ac = new AbortController();
    const p = client.listContainers(ac.signal);
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toThrow(/aborted/);
  });

  it("a request made after the tick was aborted fails at once, sends nothing and raises nothing", async () => {
    // The loop aborts a source that overran; an inspect queued behind the one in flight
    // then starts with an already-aborted signal.
    const client = new DockerClient({ socketPath: fake.socketPath, timeoutMs: 60_000 });
    const ac = new AbortController();
    ac.abort();
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => {
      uncaught.push(e);
    };
    process.on("uncaughtException", onUncaught);
    try {
      await expect(client.request("GET", "/containers/json", ac.signal)).rejects.toThrow(
        /GET \/containers\/json aborted/,
      );
      // a destroyed request reports its hang-up on a later turn of the event loop
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it("after one inspect fails, starts no further inspects for a tick that has already failed", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const list = names.map((n, i) => summaryOf({ id: `${i}`.padStart(64, "0"), name: n, state: "running" }));
    const inspected: string[] = [];
    const client = {
      listContainers: async () => list,
      inspectContainer: async (id: string) => {
        inspected.push(id);
        if (inspected.length === 1) throw new DockerApiError("docker: inspect failed", 500, id);
        await new Promise((r) => setTimeout(r, 5));
        return null;
      },
      resetVersion: () => undefined,
    } as unknown as DockerClient;
    const src = createDockerSource({ socket: null, containers: names }, { timeoutMs: 3000, client });
    await expect(collect(src)).rejects.toThrow(/inspect failed/);
    await new Promise((r) => setTimeout(r, 100)); // the workers still out finish theirs
    expect(inspected).toHaveLength(8); // the ones already started (INSPECT_CONCURRENCY), none after
  });

  it("garbage and wrong shapes are errors that say what answered", async () => {
    const src = createDockerSource({ socket: fake.socketPath, containers: ["orchestrator"] }, { timeoutMs: 3000 });
    fake.mode = "garbage";
    await expect(collect(src)).rejects.toThrow(/\/containers\/json answered invalid JSON: "<html>/);
    fake.mode = "wrong-shape";
    await expect(collect(src)).rejects.toThrow(/\/containers\/json answered an unexpected shape/);
    fake.mode = "error500";
    await expect(collect(src)).rejects.toThrow(DockerApiError);
    await expect(collect(src)).rejects.toThrow(/HTTP 500: fake docker: internal error/);
  });
});

describe("pure parts", () => {
  it("reads health from the list's Status text", () => {
    expect(healthFromStatus("Up 5 minutes (healthy)")).toBe("healthy");
    expect(healthFromStatus("Up 1 second (health: starting)")).toBe("starting");
    expect(healthFromStatus("Up 2 hours (unhealthy)")).toBe("unhealthy");
    expect(healthFromStatus("Exited (0) 2 minutes ago")).toBeNull();
  });

  it("a container recreated under the same name does not count as restarts", () => {
    const c: FakeContainer = { id: "1".repeat(64), name: "w", state: "running", restarts: 5 };
    const obs = (x: FakeContainer): Observed => ({ summary: summaryOf(x) as never, inspect: inspectOf(x) as never });
    const first = assessContainers(["w"], [{ observed: obs(c), expectedAs: "w" }], new Map(), T0);
    const again = assessContainers(
      ["w"],
      [{ observed: obs({ ...c, id: "2".repeat(64), restarts: 7 }), expectedAs: "w" }],
      first.memo,
      T0 + 1,
    );
    expect(again.memo.get("w")!.lastIncrease).toBeNull();
    const third = assessContainers(
      ["w"],
      [{ observed: obs({ ...c, id: "2".repeat(64), restarts: 8 }), expectedAs: "w" }],
      again.memo,
      T0 + 2,
    );
    expect(third.memo.get("w")!.lastIncrease).toEqual({ at: T0 + 2, by: 1 });
  });

  it("keeps extras bounded", () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      summaryOf({ id: `${i}`.padStart(64, "0"), name: `r${i}`, state: "restarting" }),
    );
    expect(selectShown([], many as never)).toHaveLength(20);
  });
});
