import { describe, expect, it } from "vitest";
import { WallAnchor, type Clock } from "../../probe/clock.js";

function pair(wall: number, mono: number): Clock {
  return { wallMs: () => wall, monoMs: () => mono, setTimeout: () => null, clearTimeout: () => undefined };
}

describe("WallAnchor", () => {
  it("keeps labels steady through sub-second wobble between the clocks", () => {
    const a = new WallAnchor();
    expect(a.observe(pair(1_000_000, 500))).toBe(500);
    const before = a.wallOf(400);
    a.observe(pair(1_015_001, 15_500.4)); // Date.now() is whole ms, performance.now() is not
    expect(a.wallOf(400)).toBe(before);
    expect(before).toBe(999_900);
  });

  it("follows a step of the wall clock, keeping the distance between instants", () => {
    const a = new WallAnchor();
    a.observe(pair(1_000_000, 500));
    a.observe(pair(1_000_000 + 10_000 - 3_600_000, 10_500));
    expect(a.wallOf(10_500)).toBe(1_010_000 - 3_600_000);
    expect(a.wallOf(10_500) - a.wallOf(500)).toBe(10_000);
  });
});
