import { describe, expect, it } from "vitest";
import { DecisionSchema, HelloSchema, MAX_PROCESSES, SnapshotSchema } from "../../../probe/protocol.js";
import { makeDecision, makeHello, makeSnapshot } from "./fixtures.js";

describe("test fixtures follow the protocol", () => {
  it("hello, a full snapshot and decisions parse with the wire schemas", () => {
    expect(HelloSchema.parse(makeHello())).toEqual(makeHello());
    const s = makeSnapshot(3, MAX_PROCESSES);
    expect(SnapshotSchema.parse(s)).toEqual(s);
    expect(s.processes).toHaveLength(MAX_PROCESSES);
    expect(s.signals.length).toBeGreaterThan(100); // a busy host: many blocking processes
    for (const a of ["alert", "repeat", "recovery"] as const)
      expect(DecisionSchema.parse(makeDecision(5, a)).action).toBe(a);
  });
});
