// Pins what the wire schemas accept and refuse (../../shared/PROTOCOL.md). The example frames
// are copied from the document: if the schema and the contract drift apart, this fails.
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ClientMessageSchema,
  HelloSchema,
  MAX_PROCESSES,
  ServerMessageSchema,
  SnapshotSchema,
  type HostState,
  type ProcessInfo,
  type ServerMessage,
  type Snapshot,
} from "../../probe/protocol.js";

const HELLO = `{"type":"hello","protocol":1,
 "probe":{"version":"0.1.0","hostname":"ci-runner-3","pid":7,"startedAt":"2026-06-15T02:14:17.000Z"},
 "config":{"enabled":true,"tickS":15,"orchDownTicks":3,"cooldownS":1800,
           "proc":{"enabled":true,"ageMin":60,"patterns":["pytest"],"cooldownS":1800},
           "telegram":{"enabled":true}}}`;

const SNAPSHOT = `{"type":"snapshot","seq":42,"at":"2026-06-15T03:00:00.000Z","tickMs":3.1,"enabled":true,
 "sources":[{"name":"proc","ok":true,"error":null,"ms":2.4}],
 "orch":{"configured":true,"up":false,"failures":3,"threshold":3,
         "lastOkAt":"2026-06-15T02:59:15.000Z","lastError":"connect ECONNREFUSED 10.0.0.5:8000"},
 "processes":[{"pid":4242,"ppid":1,"comm":"python","state":"S","ageS":7260,
               "startedAt":"2026-06-15T00:59:00.000Z","orphaned":true,"blocking":true,
               "argv":["python","-m","pytest","tests/","--token=***"],
               "cmdline":"python -m pytest tests/ --token=***"}],
 "processesTruncated":0,
 "signals":[{"key":"proc_blocking:4242","kind":"proc_blocking","entity":"4242","active":true,
             "severity":"critical","title":"pytest 4242 running for 2h 1m","detail":"…"}],
 "alerts":[{"key":"proc_blocking:4242","kind":"proc_blocking","entity":"4242","firing":true,
            "since":"2026-06-15T02:59:00.000Z","lastNotifiedAt":"2026-06-15T02:59:00.000Z",
            "cooldownUntil":"2026-06-15T03:29:00.000Z","notifications":1}],
 "host":{"disk":[{"path":"/","usedPct":71.2}],"load":[0.4,0.3,0.2]},
 "containers":[{"name":"orchestrator","state":"running","health":"healthy","restarts":0}],
 "deps":[{"name":"postgres","target":"db:5432","up":true,"ms":0.8}]}`;

const DECISION = `{"type":"decision","seq":43,"at":"2026-06-15T02:59:00.000Z","key":"proc_blocking:4242",
 "kind":"proc_blocking","entity":"4242","action":"alert",
 "text":"pytest 4242 running for 2h 1m …","delivery":{"telegram":"queued"}}`;

const snapshot = (): Snapshot => JSON.parse(SNAPSHOT) as Snapshot;
const proc = (): ProcessInfo => snapshot().processes[0]!;

/** The failing paths, so a test names the field that failed, not just "it failed". */
function rejected(
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; code: string }[] } } },
  v: unknown,
) {
  const r = schema.safeParse(v);
  expect(r.success, `accepted ${JSON.stringify(v).slice(0, 120)}`).toBe(false);
  return r.error!.issues.map((i) => `${i.path.join(".")} ${i.code}`);
}

describe("the PROTOCOL.md examples", () => {
  it.each([
    ["hello", HELLO],
    ["snapshot", SNAPSHOT],
    ["decision", DECISION],
  ])("%s parses to exactly the document's frame", (type, text) => {
    const r = ServerMessageSchema.safeParse(JSON.parse(text));
    expect(r.success).toBe(true);
    expect(r.data).toEqual(JSON.parse(text));
    expect(r.data?.type).toBe(type);
  });

  it("the client's ping parses; anything else a client sends does not", () => {
    expect(ClientMessageSchema.safeParse({ type: "ping" }).success).toBe(true);
    expect(rejected(ClientMessageSchema, { type: "pong" })).toEqual(["type invalid_union"]);
  });

  it("a field a newer probe adds is accepted and dropped (fields may be added)", () => {
    const r = SnapshotSchema.safeParse({ ...snapshot(), gpu: { util: 3 } });
    expect(r.success).toBe(true);
    expect(r.data).toEqual(snapshot());
  });

  it("null where the contract allows it; an offset other than Z is a valid timestamp", () => {
    const s = snapshot();
    const withNulls = {
      ...s,
      host: null,
      orch: { ...s.orch, up: null, lastOkAt: null, lastError: null },
      processes: [{ ...proc(), startedAt: null }],
      deps: [{ ...s.deps[0]!, up: null, ms: null }],
      containers: [{ ...s.containers[0]!, health: null }],
      at: "2026-06-15T05:00:00+02:00",
    };
    expect(SnapshotSchema.safeParse(withNulls).success).toBe(true);
  });
});

describe("what the schemas refuse", () => {
  it(`at most ${MAX_PROCESSES} processes`, () => {
    const many = (n: number) => ({
      ...snapshot(),
      processes: Array.from({ length: n }, (_, i) => ({ ...proc(), pid: i })),
    });
    expect(SnapshotSchema.safeParse(many(MAX_PROCESSES)).success).toBe(true);
    expect(rejected(SnapshotSchema, many(MAX_PROCESSES + 1))).toEqual(["processes too_big"]);
  });

  it.each([
    ["a negative pid", { pid: -1 }, "processes.0.pid too_small"],
    ["a fractional ppid", { ppid: 1.5 }, "processes.0.ppid invalid_type"],
    ["a negative age", { ageS: -0.5 }, "processes.0.ageS too_small"],
    ["a pid past 2^53", { pid: 2 ** 53 }, "processes.0.pid too_big"],
    ["argv as a string", { argv: "python -m pytest" }, "processes.0.argv invalid_type"],
  ])("a process with %s", (_n, over, issue) => {
    expect(rejected(SnapshotSchema, { ...snapshot(), processes: [{ ...proc(), ...over }] })).toEqual([issue]);
  });

  it.each(["2026-06-15 03:00:00Z", "2026-06-15T03:00:00", "2026-06-15", "1718420400000", "2026-13-15T03:00:00Z"])(
    "a timestamp that is not ISO-8601 with a zone: %s",
    (at) => {
      expect(rejected(SnapshotSchema, { ...snapshot(), at })).toEqual(["at invalid_format"]);
    },
  );

  it.each(["deps", "host", "processesTruncated", "orch"])(
    "a snapshot without %s (absent data is null or [], never omitted)",
    (field) => {
      const s: Record<string, unknown> = snapshot();
      delete s[field];
      expect(rejected(SnapshotSchema, s)).toEqual([`${field} invalid_type`]);
    },
  );

  it("a hello of another protocol version", () => {
    const h = JSON.parse(HELLO) as Record<string, unknown>;
    expect(rejected(HelloSchema, { ...h, protocol: 2 })).toEqual(["protocol invalid_value"]);
    expect(rejected(HelloSchema, { ...h, protocol: "1" })).toEqual(["protocol invalid_value"]);
    expect(rejected(ServerMessageSchema, { ...h, protocol: 2 })).toEqual(["protocol invalid_value"]);
  });

  it.each([
    ["an unknown type", { type: "exec", cmd: "rm -rf /" }, "type invalid_union"],
    [
      "an unknown severity",
      { ...snapshot(), signals: [{ ...snapshot().signals[0]!, severity: "fatal" }] },
      "signals.0.severity invalid_value",
    ],
    ["a zero threshold", { ...snapshot(), orch: { ...snapshot().orch, threshold: 0 } }, "orch.threshold too_small"],
    ["a string seq", { ...snapshot(), seq: "42" }, "seq invalid_type"],
    [
      "an unknown delivery",
      { ...JSON.parse(DECISION), delivery: { telegram: "maybe" } },
      "delivery.telegram invalid_value",
    ],
  ])("%s", (_n, v, issue) => {
    expect(rejected(ServerMessageSchema, v)).toEqual([issue]);
  });
});

it("the inferred types are the ones probe and extension code is written against", () => {
  expectTypeOf<Snapshot["host"]>().toEqualTypeOf<HostState | null>();
  expectTypeOf<ProcessInfo["startedAt"]>().toEqualTypeOf<string | null>();
  expectTypeOf<ProcessInfo["pid"]>().toEqualTypeOf<number>();
  expectTypeOf<ServerMessage["type"]>().toEqualTypeOf<"hello" | "snapshot" | "decision">();
  expectTypeOf<Extract<ServerMessage, { type: "hello" }>["protocol"]>().toEqualTypeOf<1>();
});
