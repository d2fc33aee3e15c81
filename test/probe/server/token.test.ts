import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../probe/config.js";
import { generateToken, resolveToken } from "../../../probe/server/token.js";

const dir = mkdtempSync(join(tmpdir(), "watchdog-token-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const read = (p: string) => readFile(p, "utf8");
const ws = (token: string | null, tokenFile: string | null) => ({
  enabled: true,
  host: "127.0.0.1",
  port: 0,
  token,
  tokenFile,
});

describe("resolveToken", () => {
  it("uses WATCHDOG_WS_TOKEN as parsed by the config", async () => {
    const c = parseConfig({ WATCHDOG_WS_TOKEN: "  env-token-0123456789  " });
    if (!c.ok) throw new Error(c.errors.join("; "));
    expect(await resolveToken(c.config.ws, read)).toEqual({ ok: true, token: "env-token-0123456789", source: "env" });
  });

  it("reads WATCHDOG_WS_TOKEN_FILE and trims the trailing newline", async () => {
    const f = join(dir, "token");
    writeFileSync(f, "file-token-0123456789abcdef\n");
    expect(await resolveToken(ws(null, f), read)).toEqual({
      ok: true,
      token: "file-token-0123456789abcdef",
      source: "file",
    });
  });

  it("names the variable and the path when the file is missing", async () => {
    const f = join(dir, "absent");
    const r = await resolveToken(ws(null, f), read);
    expect(r).toEqual({ ok: false, error: `WATCHDOG_WS_TOKEN_FILE: cannot read ${f}: ENOENT` });
  });

  it("names the variable when the path is a directory", async () => {
    const r = await resolveToken(ws(null, dir), read);
    expect(r).toEqual({ ok: false, error: `WATCHDOG_WS_TOKEN_FILE: cannot read ${dir}: EISDIR` });
  });

  for (const [name, content] of [
    ["too short", "short-token\n"],
    ["empty", "\n"],
    ["two words", "abcdefgh ijklmnopqrstu\n"],
  ] as const) {
    it(`refuses a ${name} token file without echoing its content`, async () => {
      const f = join(dir, `bad-${name.replace(/\W/g, "")}`);
      writeFileSync(f, content);
      const r = await resolveToken(ws(null, f), read);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error).toMatch(/^WATCHDOG_WS_TOKEN_FILE: .* at least 16 characters/);
      if (content.trim()) expect(r.error).not.toContain(content.trim());
    });
  }

  it("generates one when neither variable is set", async () => {
    expect(await resolveToken(ws(null, null), read, () => "generated-0123456789")).toEqual({
      ok: true,
      token: "generated-0123456789",
      source: "generated",
    });
    const r = await resolveToken(ws(null, null), () => {
      throw new Error("must not read");
    });
    expect(r.ok && r.source === "generated" && r.token.length).toBe(43);
  });

  it("a readFile that throws a non-Error still gives a named error", async () => {
    const r = await resolveToken(ws(null, "/x"), () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
      throw "nope";
    });
    expect(r).toEqual({ ok: false, error: "WATCHDOG_WS_TOKEN_FILE: cannot read /x: nope" });
  });
});

describe("generateToken", () => {
  it("is 32 random bytes in base64url, different every time, and valid for the config", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const t = generateToken();
      expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(t, "base64url")).toHaveLength(32);
      seen.add(t);
    }
    expect(seen.size).toBe(50);
    expect(parseConfig({ WATCHDOG_WS_TOKEN: generateToken() }).ok).toBe(true);
  });
});
