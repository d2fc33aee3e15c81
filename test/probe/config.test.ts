import { describe, expect, it } from "vitest";
import { ENV_DEFAULTS, ENV_NAMES, parseConfig, splitPatterns } from "../../probe/config.js";
import { BUILTIN_KINDS } from "../../probe/signals.js";

function ok(env: Record<string, string>) {
  const r = parseConfig(env);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}
function errors(env: Record<string, string>): string[] {
  const r = parseConfig(env);
  if (r.ok) throw new Error("expected the config to be refused");
  return r.errors;
}

describe("parseConfig", () => {
  it("gives the canon's defaults with an empty environment", () => {
    const c = ok({});
    expect(c.enabled).toBe(true);
    expect(c.tickS).toBe(15);
    expect(c.metrics).toMatchObject({ url: null, timeoutS: 5, downTicks: 3, rules: [] });
    expect(c.cooldownS).toBe(1800);
    expect(c.proc).toMatchObject({ enabled: false, root: "/proc", ageMin: 60, cooldownS: 1800 });
    expect(c.proc.patterns.map((p) => p.source)).toEqual(["pytest"]);
    expect(c.disk).toEqual({ ceilingEnabled: false, ceilingPct: 97, paths: ["/"] });
    expect(c.docker).toEqual({ socket: null, containers: [] });
    expect(c.telegram).toMatchObject({ botToken: null, chatId: null, apiUrl: "https://api.telegram.org" });
    expect(c.lang).toBe("en");
    expect(c.ws).toMatchObject({ enabled: true, host: "127.0.0.1", port: 8787, token: null });
  });

  it("reads every variable of the canon", () => {
    const c = ok({
      WATCHDOG_ENABLED: "false",
      WATCHDOG_TICK_S: "2.5",
      WATCHDOG_METRICS_URL: "http://orch:8000/metrics",
      WATCHDOG_METRICS_TIMEOUT_S: "1",
      WATCHDOG_ORCH_DOWN_TICKS: "5",
      WATCHDOG_METRIC_RULES: "hung=orch_agent_hung>0",
      WATCHDOG_COOLDOWN_S: "60",
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_PROC_ROOT: "/host/proc",
      WATCHDOG_PROC_AGE_MIN: "0.5",
      WATCHDOG_PROC_PATTERNS: "pytest,/py\\.test|tox/i",
      WATCHDOG_PROC_COOLDOWN_S: "600",
      WATCHDOG_DISK_CEILING_ENABLED: "yes",
      WATCHDOG_DISK_CEILING_PCT: "95",
      WATCHDOG_DISK_PATHS: "/, /data",
      WATCHDOG_DOCKER_SOCKET: "/var/run/docker.sock",
      WATCHDOG_CONTAINERS: "orchestrator, redis",
      WATCHDOG_DEPS: "postgres=db:5432,redis=[::1]:6379",
      WATCHDOG_TELEGRAM_BOT_TOKEN: "123456:ABC-def_g",
      WATCHDOG_TELEGRAM_CHAT_ID: "-100123",
      WATCHDOG_TELEGRAM_API_URL: "http://127.0.0.1:9/",
      WATCHDOG_LANG: "ru",
      WATCHDOG_WS_HOST: "0.0.0.0",
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_WS_TOKEN: "0123456789abcdef0123",
    });
    expect(c.enabled).toBe(false);
    expect(c.tickS).toBe(2.5);
    expect(c.proc.ageMin).toBe(0.5);
    expect(c.metrics.rules[0]).toMatchObject({ name: "hung", metric: "orch_agent_hung", op: ">", value: 0 });
    const [sub, re] = c.proc.patterns;
    expect(sub).toMatchObject({ kind: "substring", text: "pytest" });
    expect(re?.kind === "regex" && re.re.exec("PY.TEST")?.text).toBe("PY.TEST");
    expect(c.disk.paths).toEqual(["/", "/data"]);
    expect(c.docker.containers).toEqual(["orchestrator", "redis"]);
    expect(c.deps.targets).toEqual([
      { name: "postgres", host: "db", port: 5432 },
      { name: "redis", host: "::1", port: 6379 },
    ]);
    expect(c.telegram.apiUrl).toBe("http://127.0.0.1:9");
    expect(c.lang).toBe("ru");
    expect(c.ws.port).toBe(0);
  });

  it("names every bad variable at once, with the reason", () => {
    const errs = errors({
      WATCHDOG_TICK_S: "abc",
      WATCHDOG_PROC_AGE_MIN: "-1",
      WATCHDOG_PROC_PATTERNS: "/(unclosed/",
      WATCHDOG_METRICS_URL: "not a url",
    });
    expect(errs).toHaveLength(4);
    expect(errs.find((e) => e.startsWith("WATCHDOG_TICK_S:"))).toMatch(/expected a number, got "abc"/);
    expect(errs.find((e) => e.startsWith("WATCHDOG_PROC_AGE_MIN:"))).toMatch(/at least 0/);
    expect(errs.find((e) => e.startsWith("WATCHDOG_PROC_PATTERNS:"))).toMatch(/invalid regex/);
    expect(errs.find((e) => e.startsWith("WATCHDOG_METRICS_URL:"))).toMatch(/not a valid URL/);
  });

  it("accepts /(a+)+$/ and matches it in one pass over a hostile command line", () => {
    const [p] = ok({ WATCHDOG_PROC_PATTERNS: "/(a+)+$/" }).proc.patterns;
    // JavaScript's RegExp does not return from this call (exponential backtracking)
    expect(p?.kind === "regex" && p.re.exec(`pytest ${"a".repeat(4096)}!`)).toBe(null);
    expect(p?.kind === "regex" && p.re.exec("pytest aaa")?.text).toBe("aaa");
  });

  it("refuses the regex syntax that needs backtracking, naming the variable and why", () => {
    for (const [pattern, why] of [
      ["/(a)\\1/", /backreference/],
      ["/(?=pytest)py/", /lookaround/],
      ["/(?<!x)pytest/", /lookaround/],
      ["/pytest/u", /flag u/],
    ] as const) {
      const errs = errors({ WATCHDOG_PROC_PATTERNS: pattern });
      expect(errs).toHaveLength(1);
      expect(errs[0]).toMatch(/^WATCHDOG_PROC_PATTERNS: invalid regex/);
      expect(errs[0]).toMatch(why);
    }
  });

  it("catches a typo in a variable name", () => {
    expect(errors({ WATCHDOG_TICKS: "5" })[0]).toMatch(/^WATCHDOG_TICKS: unknown variable/);
  });

  it("needs the Telegram token and chat id together, and never echoes the token", () => {
    expect(errors({ WATCHDOG_TELEGRAM_BOT_TOKEN: "123:abc" })[0]).toMatch(/^WATCHDOG_TELEGRAM_CHAT_ID: .*set together/);
    const bad = errors({ WATCHDOG_TELEGRAM_BOT_TOKEN: "hunter2 secret", WATCHDOG_TELEGRAM_CHAT_ID: "1" });
    expect(bad.join("\n")).not.toContain("hunter2");
  });

  it("refuses a metric rule named like a built-in signal kind, which would borrow its texts and cooldown", () => {
    expect(errors({ WATCHDOG_METRIC_RULES: "ok=a>1; orch_down=up==0" })[0]).toMatch(
      /^WATCHDOG_METRIC_RULES: rule name "orch_down" is a built-in signal kind/,
    );
    // every built-in kind, delivery_failing included: a new kind is covered when it is added
    for (const kind of BUILTIN_KINDS) {
      expect(errors({ WATCHDOG_METRIC_RULES: `${kind}=x>0` })[0]).toMatch(/built-in signal kind/);
    }
    expect(ok({ WATCHDOG_METRIC_RULES: "orch_down_long=up==0" }).metrics.rules.map((r) => r.name)).toEqual([
      "orch_down_long",
    ]);
  });

  it("refuses both a token and a token file", () => {
    expect(errors({ WATCHDOG_WS_TOKEN: "0123456789abcdef0", WATCHDOG_WS_TOKEN_FILE: "/run/secrets/t" })[0]).toMatch(
      /^WATCHDOG_WS_TOKEN_FILE:/,
    );
  });

  // Every variable of the canon, fed values no user could mean, fails with its own name.
  const BAD: Record<string, string[]> = {
    WATCHDOG_ENABLED: ["", " ", "maybe", "2"],
    WATCHDOG_STDIN_LIFELINE: ["", "when-closed"],
    WATCHDOG_TICK_S: ["", "abc", "-1", "0", "1e9", "NaN", "15s"],
    WATCHDOG_METRICS_URL: ["", "orch:8000/metrics", "ftp://x/metrics", "http://"],
    WATCHDOG_METRICS_TIMEOUT_S: ["", "0", "-5", "x"],
    WATCHDOG_ORCH_DOWN_TICKS: ["", "0", "1.5", "-3", "99999999"],
    WATCHDOG_METRIC_RULES: ["", "hung", "hung=orch_agent_hung", "hung=orch>x", "a=b>1;a=c>2"],
    WATCHDOG_COOLDOWN_S: ["", "-1", "forever"],
    WATCHDOG_PROC_ENABLED: ["", "enabled"],
    WATCHDOG_PROC_ROOT: ["", "proc", "./proc"],
    WATCHDOG_PROC_AGE_MIN: ["", "-0.5", "an hour", "1e12"],
    WATCHDOG_PROC_PATTERNS: ["", ",", "/[/", "/(?<x/"],
    WATCHDOG_PROC_COOLDOWN_S: ["", "-10", "abc"],
    WATCHDOG_DISK_CEILING_ENABLED: ["", "sure"],
    WATCHDOG_DISK_CEILING_PCT: ["", "0", "2", "101", "-5", "ninety"],
    WATCHDOG_DISK_PATHS: ["", "data", "/,relative"],
    WATCHDOG_DOCKER_SOCKET: ["", "docker.sock"],
    WATCHDOG_CONTAINERS: ["", ","],
    WATCHDOG_DEPS: ["", "db:5432", "pg=db", "pg=db:0", "pg=db:70000", "pg=db:54x", "pg=db:5432,pg=replica:5432"],
    WATCHDOG_TELEGRAM_API_URL: ["", "api.telegram.org", "mailto:x@y"],
    WATCHDOG_LANG: ["", "de", "english"],
    WATCHDOG_WS_HOST: ["", "local host", "http://127.0.0.1"],
    WATCHDOG_WS_PORT: ["", "-1", "65536", "80.5", "http"],
    WATCHDOG_WS_TOKEN: ["", "short", "has spaces in it ok"],
    WATCHDOG_WS_TOKEN_FILE: ["", "token.txt"],
  };
  for (const [name, values] of Object.entries(BAD)) {
    it.each(values)(`${name}=%j fails at start with its name`, (value) => {
      const errs = errors({ [name]: value });
      expect(errs.some((e) => e.startsWith(`${name}:`))).toBe(true);
    });
  }

  it("the list of bad values covers the whole canon", () => {
    const covered = new Set([
      ...Object.keys(BAD),
      "WATCHDOG_TELEGRAM_BOT_TOKEN",
      "WATCHDOG_TELEGRAM_CHAT_ID",
      "WATCHDOG_DEPS_TIMEOUT_S",
      "WATCHDOG_DEPS_DOWN_TICKS",
      "WATCHDOG_SOURCE_TIMEOUT_S",
      "WATCHDOG_TELEGRAM_OUTBOX_MAX",
      "WATCHDOG_ALERTMANAGER_URL",
      "WATCHDOG_WS_ENABLED",
      "WATCHDOG_STDIN_LIFELINE",
    ]);
    expect(ENV_NAMES.filter((n) => !covered.has(n))).toEqual([]);
  });

  it("each default parses", () => {
    const env = Object.fromEntries(Object.entries(ENV_DEFAULTS).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    expect(parseConfig(env).ok).toBe(true);
  });
});

describe("splitPatterns", () => {
  it.each([
    ["pytest", ["pytest"]],
    ["pytest, tox ,nox", ["pytest", "tox", "nox"]],
    ["/py\\.test,x/i,pytest", ["/py\\.test,x/i", "pytest"]],
    ["/a\\/b/", ["/a\\/b/"]],
    [",,", []],
  ])("%j → %j", (input, out) => {
    expect(splitPatterns(input)).toEqual(out);
  });
});
