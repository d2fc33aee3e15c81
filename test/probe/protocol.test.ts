// Pins what the wire schemas accept and refuse (docs/protocol.md). The example frames are
// read straight out of the document: an example that drifts from the schema fails here.
import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ClientMessageSchema,
  DecisionSchema,
  HelloSchema,
  MAX_PROCESSES,
  PingSchema,
  ServerMessageSchema,
  SnapshotSchema,
  type HostState,
  type ProcessInfo,
  type ServerMessage,
  type Snapshot,
} from "../../probe/protocol.js";

const DOC_PATH = new URL("../../docs/protocol.md", import.meta.url);
const DOC = readFileSync(DOC_PATH, "utf8");

/** Every ```json fenced block of the document, in order, with the line it starts on. */
function jsonBlocks(md: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  for (const m of md.matchAll(/^```json\n([\s\S]*?)^```$/gm)) {
    out.push({ line: md.slice(0, m.index).split("\n").length, text: m[1]! });
  }
  return out;
}

const SCHEMAS = { hello: HelloSchema, snapshot: SnapshotSchema, decision: DecisionSchema, ping: PingSchema };
type ExampleType = keyof typeof SCHEMAS;

const EXAMPLES = jsonBlocks(DOC).map(({ line, text }) => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`docs/protocol.md line ${line}: the json example does not parse: ${String(e)}`, { cause: e });
  }
  const type = (value as { type?: unknown }).type;
  return { line, text, value, type: typeof type === "string" ? type : JSON.stringify(type) };
});

function example(type: ExampleType): string {
  const e = EXAMPLES.find((x) => x.type === type);
  if (!e) throw new Error(`docs/protocol.md has no ${type} example`);
  return e.text;
}

const HELLO = example("hello");
const SNAPSHOT = example("snapshot");
const DECISION = example("decision");

/** Dotted paths of every field a schema declares (`[]` for list elements). */
function schemaPaths(schema: unknown, prefix = ""): string[] {
  const def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case "object":
      return Object.entries(def.shape as Record<string, unknown>).flatMap(([k, v]) => {
        const p = prefix ? `${prefix}.${k}` : k;
        return [p, ...schemaPaths(v, p)];
      });
    case "array":
      return schemaPaths(def.element, `${prefix}[]`);
    case "nullable":
    case "optional":
      return schemaPaths(def.innerType, prefix);
    default:
      return [];
  }
}

/** Dotted paths of every field present in a value (`[]` for list elements). */
function valuePaths(v: unknown, prefix = ""): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => valuePaths(x, `${prefix}[]`));
  if (typeof v !== "object" || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...valuePaths(x, p)];
  });
}

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

describe("the docs/protocol.md examples", () => {
  it("the document shows every message type", () => {
    expect(new Set(EXAMPLES.map((e) => e.type))).toEqual(new Set(Object.keys(SCHEMAS)));
  });

  it.each(EXAMPLES.map((e) => [`${e.type} (line ${e.line})`, e] as const))(
    "%s parses to exactly the document's frame",
    (_name, e) => {
      const schema = SCHEMAS[e.type as ExampleType];
      expect(schema, `no schema for the example's type ${e.type}`).toBeDefined();
      const r = schema.safeParse(e.value);
      expect(r.error?.issues ?? []).toEqual([]);
      // equal after parsing: the example holds no field the schema would drop
      expect(r.data).toEqual(e.value);
      if (e.type !== "ping") expect(ServerMessageSchema.safeParse(e.value).success).toBe(true);
    },
  );

  it.each(Object.keys(SCHEMAS) as ExampleType[])("every field of %s appears in an example", (type) => {
    const shown = new Set(EXAMPLES.filter((e) => e.type === type).flatMap((e) => valuePaths(e.value)));
    expect(schemaPaths(SCHEMAS[type]).filter((p) => !shown.has(p))).toEqual([]);
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
