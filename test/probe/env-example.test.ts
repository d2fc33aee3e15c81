// .env.example and the README table are the user's view of the canon: keep them in step with config.ts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_DEFAULTS, ENV_NAMES } from "../../probe/config.js";

const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("the configuration canon as users see it", () => {
  it.each(ENV_NAMES)(".env.example lists %s with its default", (name) => {
    const def = ENV_DEFAULTS[name];
    if (def === undefined) expect(example).toMatch(new RegExp(`^# ${name}=`, "m"));
    else expect(example).toMatch(new RegExp(`^${name}=${def.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"));
  });

  it.each(ENV_NAMES)("the README's table documents %s", (name) => {
    const row = readme.split("\n").find((l) => l.startsWith(`| \`${name}\``));
    expect(row, `README row for ${name}`).toBeDefined();
    const def = ENV_DEFAULTS[name];
    expect(row).toContain(def === undefined ? "unset" : `\`${def}\``);
  });
});
