// `npm start` reads ./.env through scripts/env-file.mjs: what a user writes there is what the probe gets.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEnvFile, withEnvFile } from "../../scripts/env-file.mjs";

const sample = readFileSync(new URL("../fixtures/env/sample.env", import.meta.url), "utf8");

describe("parseEnvFile", () => {
  const env = parseEnvFile(sample);

  it("drops an inline comment after an unquoted value", () => {
    expect(env.WATCHDOG_TICK_S).toBe("5");
  });

  it("reads `export NAME=value` lines, indented or not", () => {
    expect(env.WATCHDOG_LANG).toBe("ru");
    expect(env.WATCHDOG_PROC_PATTERNS).toBe("pytest,/tox/i");
    expect(Object.keys(env).filter((k) => k.startsWith("export"))).toEqual([]);
  });

  it("unquotes values and keeps a # inside quotes", () => {
    expect(env.WATCHDOG_TELEGRAM_CHAT_ID).toBe("-100123");
    expect(env.WATCHDOG_WS_TOKEN).toBe("a token # with a hash inside quotes");
  });

  it("trims around the = and skips commented-out lines", () => {
    expect(env.WATCHDOG_METRICS_URL).toBe("http://orch:8000/metrics");
    expect(env).not.toHaveProperty("WATCHDOG_COOLDOWN_S");
  });

  it("keeps an empty value empty (the probe then says the variable is empty)", () => {
    expect(env.WATCHDOG_WS_HOST).toBe("");
  });
});

describe("withEnvFile", () => {
  it("lets a variable already set in the environment win over the file", () => {
    const env = withEnvFile({ WATCHDOG_TICK_S: "30", PATH: "/bin", UNSET: undefined }, sample);
    expect(env.WATCHDOG_TICK_S).toBe("30");
    expect(env.WATCHDOG_LANG).toBe("ru");
    expect(env.PATH).toBe("/bin");
  });
});
