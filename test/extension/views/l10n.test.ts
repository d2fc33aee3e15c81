// Every user-facing string has an English and a Russian entry: t("…") literals in
// extension/ → l10n bundles; %key% in package.json → package.nls files.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const json = (p: string) => JSON.parse(readFileSync(join(root, p), "utf8")) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function messages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sources(join(root, "extension"))) {
    // t("…") and t('…') (a message that itself holds double quotes)
    for (const m of readFileSync(file, "utf8").matchAll(/\bt\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')/g)) {
      const text = m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2]!.replace(/\\(.)/g, "$1");
      found.set(text, file.slice(root.length + 1));
    }
  }
  return found;
}

const placeholders = (s: string) => [...new Set(s.match(/\{\d+\}/g) ?? [])].sort();

describe("l10n bundles", () => {
  const used = messages();
  const en = json("l10n/bundle.l10n.json");
  const ru = json("l10n/bundle.l10n.ru.json");

  it("finds the strings (the scan itself works)", () => {
    expect(used.size).toBeGreaterThan(100);
    expect(used.has("Orchestrator")).toBe(true);
  });

  it('has an English and a Russian entry for every t("…") in extension/', () => {
    const missing = [...used].filter(([m]) => !(m in ru) || !(m in en)).map(([m, f]) => `${f}: ${m}`);
    expect(missing).toEqual([]);
  });

  it("keeps no entries nobody uses", () => {
    expect(Object.keys(ru).filter((k) => !used.has(k))).toEqual([]);
    expect(Object.keys(en).filter((k) => !used.has(k))).toEqual([]);
  });

  it("keeps every {n} placeholder in the translation", () => {
    const wrong = Object.entries(ru).filter(([k, v]) => placeholders(k).join() !== placeholders(v).join());
    expect(wrong).toEqual([]);
  });
});

describe("package.nls", () => {
  const pkg = readFileSync(join(root, "package.json"), "utf8");
  const keys = [...new Set([...pkg.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]!))];
  const en = json("package.nls.json");
  const ru = json("package.nls.ru.json");

  it("resolves every %key% in package.json in English and Russian", () => {
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.filter((k) => !(k in en))).toEqual([]);
    expect(keys.filter((k) => !(k in ru))).toEqual([]);
  });

  it("has the same keys in both files", () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });
});

/** Latin words a Russian text keeps: names, tools and terms written as they are. */
const KEEP_LATIN = new Set([
  "Telegram",
  "SSH",
  "VS",
  "Code",
  "WebSocket",
  "Watchdog",
  "Orchestrator",
  "pytest",
  "CI",
  "PID",
  "pid",
  "ppid",
  "kill",
  "TERM",
  "init",
  "local",
  "false",
  "SHA256",
  "known_hosts",
  "ssh-keygen",
  "lf",
]);

/** The Latin words of a Russian text that are neither kept names nor data (code, URLs, variables, links). */
function englishLeft(ru: string): string[] {
  const text = ru.replace(/`[^`]*`|\]\(command:[^)]*\)|\b\w+:\/\/\S*|\{\d+\}/g, " ");
  return (text.match(/[A-Za-z][A-Za-z0-9_./-]*/g) ?? [])
    .map((w) => w.replace(/[.-]+$/, ""))
    .filter((w) => !KEEP_LATIN.has(w) && !/[_./0-9]/.test(w)); // WATCHDOG_*, watchdog.probes, paths
}

describe("Russian texts", () => {
  const en = json("l10n/bundle.l10n.json");
  const ru = json("l10n/bundle.l10n.ru.json");

  it("every English message has a Russian one", () => {
    expect(Object.keys(en).filter((k) => !(k in ru))).toEqual([]);
  });

  it("no English word of the template is left in a Russian message or in package.nls.ru.json", () => {
    const left = [...Object.entries(ru), ...Object.entries(json("package.nls.ru.json"))]
      .map(([k, v]) => ({ k, words: englishLeft(v) }))
      .filter((x) => x.words.length > 0);
    expect(left).toEqual([]);
  });

  it("the check finds English where it is left", () => {
    expect(englishLeft("Пробы: 3 failed, see the Watchdog output")).toEqual(["failed", "see", "the", "output"]);
    expect(englishLeft("Задать `watchdog.probes` на ws://127.0.0.1:8787 (WATCHDOG_WS_PORT) в VS Code")).toEqual([]);
  });

  it("says зонд for a probe, not проба (which reads as a sample)", () => {
    const all = [...Object.values(ru), ...Object.values(json("package.nls.ru.json"))].join("\n");
    expect(all).not.toMatch(/проб[аыуеой]/i);
    expect(all).not.toMatch(/такт|пауз/i);
  });
});
