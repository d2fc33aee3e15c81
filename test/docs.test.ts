// docs/ names files and folders of the repository; a rename must not leave them pointing at nothing.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const docs = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"));

/** `probe/…`, `extension/…`, `test/…` paths quoted in backticks. */
function repoPaths(md: string): string[] {
  return [...md.matchAll(/`((?:probe|extension|test|docs|l10n|scripts|bench)\/[\w./-]*)`/g)].map((m) => m[1]!);
}

describe.each(docs)("docs/%s", (doc) => {
  const text = readFileSync(join(root, "docs", doc), "utf8");

  it("names only paths that exist", () => {
    const paths = repoPaths(text);
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it("links only to documents that exist", () => {
    const links = [...text.matchAll(/\]\(([\w./-]+\.md)\)/g)].map((m) => m[1]!);
    expect(links.filter((l) => !existsSync(join(root, "docs", l)))).toEqual([]);
  });
});

function textFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "fixtures" ? [] : textFiles(p);
    return /\.(ts|mts|mjs|js|md|json|sh|yml)$/.test(e.name) ? [p] : [];
  });
}

it("the README links to both documents", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  expect(readme).toContain("(docs/protocol.md)");
  expect(readme).toContain("(docs/architecture.md)");
});

it("no source, test, script or document points outside the repository", () => {
  const needle = "../" + "shared/";
  const files = [
    join(root, "README.md"),
    ...["probe", "extension", "test", "scripts", "bench", "docs"].flatMap((d) => textFiles(join(root, d))),
  ];
  expect(files.length).toBeGreaterThan(100);
  expect(files.filter((f) => readFileSync(f, "utf8").includes(needle)).map((f) => f.slice(root.length + 1))).toEqual(
    [],
  );
});
