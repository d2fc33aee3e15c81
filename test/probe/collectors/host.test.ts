import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ceilingActive, createHostSource, diskUsedPct, type StatfsResult } from "../../../probe/collectors/host.js";
import { HostSchema, SignalSchema } from "../../../probe/protocol.js";
import { TickLoop, type DecisionEvent } from "../../../probe/loop.js";
import type { SourceOutput } from "../../../probe/source.js";

const dir = mkdtempSync(join(tmpdir(), "host-src-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctx = () => ({ now: Date.now(), signal: new AbortController().signal });

/** A statfs whose used % per path the test sets (1000 blocks, no root reserve). */
function fakeStatfs(used: Record<string, number>) {
  return async (p: string): Promise<StatfsResult> => {
    const pct = used[p];
    if (pct === undefined)
      throw Object.assign(new Error(`ENOENT: no such file or directory, statfs '${p}'`), { code: "ENOENT" });
    return { bsize: 4096, blocks: 1000, bfree: 1000 - pct * 10, bavail: 1000 - pct * 10 };
  };
}

function sig(out: SourceOutput, key: string) {
  return out.signals.find((s) => s.key === key);
}

describe("diskUsedPct", () => {
  it("computes like df: root-reserved blocks count as neither used nor available", () => {
    // 1000 blocks, 100 free of which 50 are reserved for root: used 900 / (900 + 50)
    expect(diskUsedPct({ bsize: 4096, blocks: 1000, bfree: 100, bavail: 50 })).toBe(94.7);
    expect(diskUsedPct({ bsize: 4096, blocks: 0, bfree: 0, bavail: 0 })).toBe(0);
  });

  it("agrees with df on real paths", async () => {
    for (const p of ["/", dir]) {
      const df = Number(
        execFileSync("df", ["--output=pcent", p], { encoding: "utf8" }).split("\n")[1]!.replace("%", "").trim(),
      );
      const out = await createHostSource(
        { ceilingEnabled: false, ceilingPct: 97, paths: [p] },
        { timeoutMs: 1000 },
      ).collect(ctx());
      HostSchema.parse(out.host);
      // df rounds up to a whole percent; usage may move a little between the two reads
      expect(Math.abs(out.host!.disk[0]!.usedPct - df)).toBeLessThanOrEqual(1.5);
      expect(out.signals).toEqual([]); // ceiling off: no opinion on disk_ceiling
    }
  });
});

describe("ceilingActive hysteresis", () => {
  it("fires at the threshold, clears only 2 points below it", () => {
    expect(ceilingActive(false, 96.9, 97)).toBe(false);
    expect(ceilingActive(false, 97, 97)).toBe(true);
    expect(ceilingActive(true, 96, 97)).toBe(true);
    expect(ceilingActive(true, 95.1, 97)).toBe(true);
    expect(ceilingActive(true, 95, 97)).toBe(false);
  });

  it("never flips on a wobble smaller than the gap", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.array(fc.double({ min: -0.99, max: 0.99, noNaN: true }), { maxLength: 50 }),
        (threshold, wobble) => {
          // a disk hovering around threshold - 1 (inside the band) keeps whatever state it had
          for (const start of [false, true]) {
            let active = start;
            for (const w of wobble) active = ceilingActive(active, threshold - 1 + w, threshold);
            if (active !== start) return false;
          }
          return true;
        },
      ),
    );
  });
});

describe("host source", () => {
  it("reports every path and the load averages", async () => {
    const src = createHostSource(
      { ceilingEnabled: true, ceilingPct: 97, paths: ["/", "/data"] },
      { timeoutMs: 1000, statfs: fakeStatfs({ "/": 40, "/data": 98 }), loadavg: () => [0.123, 0.456, 0.789] },
    );
    const out = await src.collect(ctx());
    expect(src.name).toBe("host");
    expect(out.host).toEqual({
      disk: [
        { path: "/", usedPct: 40 },
        { path: "/data", usedPct: 98 },
      ],
      load: [0.12, 0.46, 0.79],
    });
    expect(sig(out, "disk_ceiling:/")!.active).toBe(false);
    expect(sig(out, "disk_ceiling:/data")).toMatchObject({
      active: true,
      severity: "critical",
      title: "disk /data at 98% (ceiling 97%)",
    });
    expect(sig(out, "disk_ceiling:/data")!.detail).toContain("clears at 95%");
    for (const s of out.signals) SignalSchema.parse(s);
  });

  it("a path that cannot be read is its own error; the others still report", async () => {
    const used: Record<string, number> = { "/": 50 };
    const src = createHostSource(
      { ceilingEnabled: false, ceilingPct: 97, paths: ["/", "/mnt/typo"] },
      { timeoutMs: 1000, statfs: fakeStatfs(used) },
    );
    const out = await src.collect(ctx());
    expect(out.host!.disk).toEqual([{ path: "/", usedPct: 50 }]);
    expect(out.skipped).toEqual({ disk_path_unreadable: 1 });
    const err = sig(out, "source_error:host:/mnt/typo")!;
    expect(err).toMatchObject({ active: true, kind: "source_error", entity: "host:/mnt/typo" });
    expect(err.title).toBe(
      "host: cannot read disk usage of /mnt/typo: ENOENT: no such file or directory, statfs '/mnt/typo'",
    );
    // once the path exists, the error clears
    used["/mnt/typo"] = 10;
    const again = await src.collect(ctx());
    expect(sig(again, "source_error:host:/mnt/typo")!.active).toBe(false);
    expect(again.host!.disk).toHaveLength(2);
    expect(sig(await src.collect(ctx()), "source_error:host:/mnt/typo")).toBeUndefined();
  });

  it("a real missing path gives ENOENT from the real statfs", async () => {
    const src = createHostSource(
      { ceilingEnabled: true, ceilingPct: 97, paths: [dir, join(dir, "nope")] },
      { timeoutMs: 1000 },
    );
    const out = await src.collect(ctx());
    expect(out.host!.disk.map((d) => d.path)).toEqual([dir]);
    expect(sig(out, `source_error:host:${join(dir, "nope")}`)!.title).toMatch(/ENOENT/);
  });

  it("through the loop: one alert on crossing, no flap while hovering, one recovery below the band", async () => {
    const used: Record<string, number> = { "/": 90 };
    const src = createHostSource(
      { ceilingEnabled: true, ceilingPct: 97, paths: ["/"] },
      { timeoutMs: 1000, statfs: fakeStatfs(used), loadavg: () => [0, 0, 0] },
    );
    const decisions: DecisionEvent[] = [];
    const loop = new TickLoop({
      enabled: true,
      tickS: 15,
      sources: [src],
      cooldownFor: () => 1800,
      orchIdle: { configured: false, up: null, failures: 0, threshold: 3, lastOkAt: null, lastError: null },
      onDecision: (d) => decisions.push(d),
    });
    for (const pct of [90, 97, 96.5, 97.2, 95.5, 96.9, 95, 96]) {
      used["/"] = pct;
      await loop.tick();
    }
    expect(decisions.map((d) => `${d.action}@${d.signal.key}`)).toEqual([
      "alert@disk_ceiling:/",
      "recovery@disk_ceiling:/",
    ]);
  });

  it("a statfs that hangs (a dead NFS mount) is not started again while it is still out", async () => {
    // Each call would hold one of libuv's four pool threads, which DNS lookups and file
    // reads share; ticks that time out and retry must not pile them up.
    const calls: string[] = [];
    let release: ((r: StatfsResult) => void) | null = null;
    const statfs = (p: string) => {
      calls.push(p);
      if (p === "/nfs" && !release)
        return new Promise<StatfsResult>((r) => {
          release = r;
        });
      return fakeStatfs({ "/": 10, "/nfs": 50 })(p);
    };
    const src = createHostSource(
      { ceilingEnabled: false, ceilingPct: 97, paths: ["/", "/nfs"] },
      { timeoutMs: 1000, statfs, loadavg: () => [0, 0, 0] },
    );
    const ticks: Promise<SourceOutput>[] = [];
    for (let i = 0; i < 3; i++) {
      ticks.push(src.collect(ctx())); // the loop gave up on the previous one and ticks again
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(calls.filter((p) => p === "/nfs")).toHaveLength(1);
    expect(calls.filter((p) => p === "/")).toHaveLength(3); // a path that answered is asked every tick
    release!({ bsize: 4096, blocks: 1000, bfree: 500, bavail: 500 });
    for (const out of await Promise.all(ticks))
      expect(out.host!.disk).toEqual([
        { path: "/", usedPct: 10 },
        { path: "/nfs", usedPct: 50 },
      ]);
    await src.collect(ctx()); // answered: the next tick asks again
    expect(calls.filter((p) => p === "/nfs")).toHaveLength(2);
  });

  it("an unreadable path does not clear a firing ceiling", async () => {
    const used: Record<string, number> = { "/data": 99 };
    const src = createHostSource(
      { ceilingEnabled: true, ceilingPct: 97, paths: ["/data"] },
      { timeoutMs: 1000, statfs: fakeStatfs(used) },
    );
    expect(sig(await src.collect(ctx()), "disk_ceiling:/data")!.active).toBe(true);
    delete used["/data"];
    const out = await src.collect(ctx());
    expect(sig(out, "disk_ceiling:/data")).toMatchObject({
      active: true,
      title: "disk /data at unknown (unreadable) (ceiling 97%)",
    });
  });
});
