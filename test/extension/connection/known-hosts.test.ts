import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  fingerprintSha256,
  keyTypeOf,
  knownKeyTypes,
  matchHostKey,
  parseKnownHosts,
} from "../../../extension/connection/known-hosts.js";
import {
  decideHostKey,
  readTrustStore,
  withTrusted,
  type HostKeyQuestion,
} from "../../../extension/connection/host-trust.js";

const FIX = join(__dirname, "../../fixtures/ssh");
const pub = (name: string) => Buffer.from(readFileSync(join(FIX, `key-${name}.pub`), "utf8").split(" ")[1]!, "base64");
const A = pub("a");
const B = pub("b");
const C = pub("c");
const E = pub("e");
const entries = parseKnownHosts(readFileSync(join(FIX, "known_hosts"), "utf8"));
const ED = "ssh-ed25519";

const tmp = mkdtempSync(join(tmpdir(), "kh-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("parseKnownHosts", () => {
  it("keeps the nine well-formed entries and skips junk, bad base64, a type that lies, unknown markers", () => {
    expect(entries.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 15]);
    expect(entries.find((e) => e.line === 8)?.marker).toBe("revoked");
    expect(entries.find((e) => e.line === 9)?.marker).toBe("cert-authority");
    expect(entries.find((e) => e.line === 7)?.hosts.kind).toBe("hashed");
  });

  it("reads the key type inside a blob", () => {
    expect(keyTypeOf(A)).toBe(ED);
    expect(keyTypeOf(E)).toBe("ecdsa-sha2-nistp256");
    expect(keyTypeOf(Buffer.from([0, 0, 0, 200, 1]))).toBeNull();
  });
});

describe("matchHostKey", () => {
  it.each([
    ["plain host on port 22", "example.com", 22, A, "match"],
    ["second name on the same line", "192.0.2.10", 22, A, "match"],
    ["host names are case-insensitive", "EXAMPLE.com", 22, A, "match"],
    ["[host]:port entry", "example.com", 2222, B, "match"],
    ["a port nobody listed, bare name holds the key (ssh's check without port)", "example.com", 2223, A, "match"],
    ["a port nobody listed, bare name holds another key", "example.com", 2223, B, "unknown"],
    ["wildcard *", "ci.corp.example", 22, A, "match"],
    ["negation ! wins over the wildcard", "bad.corp.example", 22, A, "unknown"],
    ["wildcard ?, pattern case-folded", "node7.lab", 22, A, "match"],
    ["hashed |1| entry with a port", "10.0.0.7", 2200, A, "match"],
    ["hashed entry does not match another port", "10.0.0.7", 22, A, "unknown"],
    ["@cert-authority lines are not host keys", "www.example.com", 22, B, "unknown"],
    ["indented entry with a comment", "indented.example", 22, B, "match"],
    ["a line whose blob type lies was skipped", "typelie.example", 22, A, "unknown"],
  ])("%s", (_n, host, port, key, result) => {
    expect(matchHostKey(entries, host, port, ED, key as Buffer).result).toBe(result);
  });

  it("a different key of the same type is a CHANGED key, with where the old one is", () => {
    expect(matchHostKey(entries, "example.com", 22, ED, B)).toEqual({
      result: "mismatch",
      at: "known_hosts:3",
      knownType: ED,
      knownFingerprint: fingerprintSha256(A),
    });
    expect(matchHostKey(entries, "10.0.0.7", 2200, ED, B).result).toBe("mismatch");
    expect(matchHostKey(entries, "example.com", 2222, ED, A).result).toBe("mismatch");
  });

  it("@revoked refuses the key for every host, even one that lists it", () => {
    expect(matchHostKey(entries, "example.com", 22, ED, C)).toEqual({ result: "revoked", at: "known_hosts:8" });
  });

  it("a host known only with another key type is a CHANGED key, as OpenSSH says (the server picks the type)", () => {
    expect(matchHostKey(entries, "ecdsa.example", 22, ED, A)).toEqual({
      result: "mismatch",
      at: "known_hosts:10",
      knownType: "ecdsa-sha2-nistp256",
      knownFingerprint: fingerprintSha256(E),
    });
    expect(matchHostKey(entries, "ecdsa.example", 22, "ecdsa-sha2-nistp256", E).result).toBe("match");
    expect(knownKeyTypes(entries, "ecdsa.example", 22)).toEqual(["ecdsa-sha2-nistp256"]);
  });
});

describe("against OpenSSH's own tools", () => {
  it("formats fingerprints exactly like ssh-keygen -lf", () => {
    for (const n of ["a", "b", "c", "e"]) {
      const out = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", join(FIX, `key-${n}.pub`)], {
        encoding: "utf8",
      });
      expect(fingerprintSha256(pub(n))).toBe(out.split(" ")[1]);
    }
  });

  it("matches entries hashed by ssh-keygen -H, and only for their own host and port", () => {
    const file = join(tmp, "known_hosts");
    const a = readFileSync(join(FIX, "key-a.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    const b = readFileSync(join(FIX, "key-b.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    writeFileSync(file, `probe.internal ${a}\n[127.0.0.1]:2222 ${b}\n[probe.internal]:2022 ${b}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("probe.internal");
    const hashed = parseKnownHosts(text);
    expect(hashed.every((e) => e.hosts.kind === "hashed")).toBe(true);
    expect(matchHostKey(hashed, "probe.internal", 22, ED, A).result).toBe("match");
    expect(matchHostKey(hashed, "127.0.0.1", 2222, ED, B).result).toBe("match");
    expect(matchHostKey(hashed, "probe.internal", 2022, ED, B).result).toBe("match");
    expect(matchHostKey(hashed, "probe.internal", 2022, ED, A).result).toBe("mismatch");
    expect(matchHostKey(hashed, "127.0.0.1", 22, ED, B).result).toBe("unknown");
  });
});

describe("decideHostKey", () => {
  const q = (over: Partial<HostKeyQuestion>): HostKeyQuestion => ({
    probe: "ci",
    host: "example.com",
    port: 22,
    keyType: ED,
    key: A,
    knownHosts: entries,
    trusted: {},
    acceptedOnce: new Set(),
    ...over,
  });

  it("a pinned fingerprint decides alone, both ways", () => {
    expect(decideHostKey(q({ key: B, pinned: fingerprintSha256(B) }))).toMatchObject({
      verdict: "accept",
      via: "pinned",
    });
    const refused = decideHostKey(q({ key: A, pinned: fingerprintSha256(B) }));
    expect(refused).toMatchObject({ verdict: "refuse" });
    expect(refused.verdict === "refuse" && refused.reason).toMatch(/CHANGED.*pinned hostKeyFingerprint/);
  });

  it("known_hosts match accepts; a changed key is refused with the ssh-keygen -R hint and both fingerprints", () => {
    expect(decideHostKey(q({}))).toMatchObject({ verdict: "accept", via: "known_hosts" });
    const d = decideHostKey(q({ key: B }));
    expect(d.verdict).toBe("refuse");
    if (d.verdict !== "refuse") return;
    expect(d.reason).toContain("CHANGED");
    expect(d.reason).toContain(fingerprintSha256(A));
    expect(d.reason).toContain(fingerprintSha256(B));
    expect(d.reason).toContain('ssh-keygen -R "example.com"');
  });

  it("a revoked key is refused", () => {
    expect(decideHostKey(q({ key: C }))).toMatchObject({
      verdict: "refuse",
      reason: expect.stringContaining("@revoked"),
    });
  });

  it("unknown → ask; trusted in the prompt → accept; trusted but changed → refuse; accepted once → accept", () => {
    const host = { host: "127.0.0.1", port: 2222 };
    expect(decideHostKey(q({ ...host }))).toMatchObject({ verdict: "ask", fingerprint: fingerprintSha256(A) });
    const trusted = withTrusted({}, "127.0.0.1", 2222, ED, fingerprintSha256(A));
    expect(decideHostKey(q({ ...host, trusted }))).toMatchObject({ verdict: "accept", via: "trusted" });
    expect(decideHostKey(q({ ...host, trusted, key: B }))).toMatchObject({
      verdict: "refuse",
      reason: expect.stringContaining("CHANGED"),
    });
    const once = new Set([`[127.0.0.1]:2222 ${fingerprintSha256(A)}`]);
    expect(decideHostKey(q({ ...host, acceptedOnce: once }))).toMatchObject({ verdict: "accept", via: "once" });
  });

  it("a host known only with another key type is refused like a changed key, even if trusted in a prompt before", () => {
    const host = { host: "ecdsa.example", port: 22 };
    const trusted = withTrusted({}, "ecdsa.example", 22, ED, fingerprintSha256(A));
    for (const d of [decideHostKey(q({ ...host })), decideHostKey(q({ ...host, trusted }))]) {
      expect(d).toMatchObject({ verdict: "refuse", cause: "changed", fingerprint: fingerprintSha256(A) });
      if (d.verdict !== "refuse") return;
      expect(d.reason).toContain("has CHANGED: known_hosts:10 has");
      expect(d.reason).toContain(`${fingerprintSha256(E)} (ecdsa-sha2-nistp256)`);
      expect(d.reason).toContain(`the server offered ${fingerprintSha256(A)} (ssh-ed25519)`);
      expect(d.reason).toContain('ssh-keygen -R "ecdsa.example"');
    }
  });

  it("a corrupt trust store reads as empty; trusting again replaces the key of that type", () => {
    expect(readTrustStore("junk")).toEqual({});
    expect(readTrustStore({ x: [{ keyType: 1 }], y: "z" })).toEqual({});
    const s1 = withTrusted({}, "h", 22, ED, "SHA256:old");
    const s2 = withTrusted(s1, "h", 22, ED, "SHA256:new");
    expect(s2).toEqual({ h: [{ keyType: ED, fingerprint: "SHA256:new" }] });
  });
});
