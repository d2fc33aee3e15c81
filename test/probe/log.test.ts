// The probe's logger: one JSON line per event, a component per part, no secret ever written.
import { describe, expect, it } from "vitest";
import { jsonLogger, silentLogger } from "../../probe/log.js";
import { captureLog } from "../helpers/log.js";

describe("jsonLogger", () => {
  it("writes one JSON line per event: time, level, component, event, then the fields", () => {
    const out: string[] = [];
    const log = jsonLogger((s) => out.push(s));
    log.child("telegram").warn("retry", { waitMs: 1000, error: "HTTP 502" });
    expect(out).toHaveLength(1);
    expect(out[0]!.endsWith("\n")).toBe(true);
    expect(out[0]!.split("\n")).toHaveLength(2);
    const line = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(["ts", "level", "component", "event", "waitMs", "error"]);
    expect(line).toMatchObject({ level: "warn", component: "telegram", event: "retry", waitMs: 1000 });
    expect(Number.isNaN(Date.parse(String(line.ts)))).toBe(false);
  });

  it("a child replaces the component and keeps the parent's fields; fields cannot forge the fixed keys", () => {
    const { log, lines } = captureLog();
    const src = log.child("loop", { probe: "a" }).child("source", { source: "proc" });
    src.error("source_error", { error: "EACCES", level: "info", component: "x", event: "y", ts: "z" });
    log.info("listening");
    expect(lines[0]).toMatchObject({
      level: "error",
      component: "source",
      event: "source_error",
      probe: "a",
      source: "proc",
    });
    expect(lines[0]!.ts).not.toBe("z");
    expect(lines[1]).not.toHaveProperty("component");
  });

  it("hides every secret it was given, wherever it appears, even with characters JSON escapes", () => {
    const { log, lines } = captureLog();
    const token = 'tok"en\\with-quotes-1234';
    const hidden = log.hiding([token, "123456:ABCdef_bot_token", null, ""]).child("telegram");
    hidden.error("failed", {
      error: `POST https://api.telegram.org/bot123456:ABCdef_bot_token/sendMessage`,
      nested: { header: `Bearer ${token}` },
      list: [token],
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain("ABCdef_bot_token");
    expect(JSON.stringify(lines[0]!.nested)).not.toContain("with-quotes");
    expect(lines[0]).toMatchObject({ error: "POST https://api.telegram.org/bot***/sendMessage", list: ["***"] });
  });

  it("never throws: not for a field it cannot serialize, nor for a writer that fails", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { log, lines } = captureLog();
    expect(() => log.error("x", { cyclic, big: 1n })).not.toThrow();
    expect(lines).toEqual([]);
    const broken = jsonLogger(() => {
      throw new Error("EPIPE");
    });
    expect(() => broken.info("x")).not.toThrow();
    expect(() => silentLogger.child("a").hiding(["s"]).error("x")).not.toThrow();
  });
});
