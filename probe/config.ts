// The probe's whole configuration: environment variables, parsed once at start-up.
// Every bad value is reported with its variable name; the caller exits with code 2.
// Pure: takes an env object, never reads process.env or the disk itself.
import { z } from "zod";
import { parseMetricRules, type MetricRule } from "./metric-rules.js";

export interface Dep {
  name: string;
  host: string;
  port: number;
}
export type ProcPattern =
  { kind: "substring"; text: string; source: string } | { kind: "regex"; re: RegExp; source: string };

const BOOL_TRUE = new Set(["true", "1", "yes", "on"]);
const BOOL_FALSE = new Set(["false", "0", "no", "off"]);

const bool = z.string().transform((v, ctx) => {
  const s = v.trim().toLowerCase();
  if (BOOL_TRUE.has(s)) return true;
  if (BOOL_FALSE.has(s)) return false;
  ctx.addIssue({ code: "custom", message: `expected true or false, got "${v}"` });
  return z.NEVER;
});

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
function num(opts: { min?: number; max?: number; int?: boolean; gt?: number }) {
  return z.string().transform((v, ctx) => {
    const s = v.trim();
    if (!NUMBER_RE.test(s)) {
      ctx.addIssue({ code: "custom", message: `expected a number, got "${v}"` });
      return z.NEVER;
    }
    const n = Number(s);
    const fail = (why: string) => {
      ctx.addIssue({ code: "custom", message: `${why}, got ${s}` });
      return z.NEVER;
    };
    if (opts.int && !Number.isInteger(n)) return fail("expected a whole number");
    if (opts.gt !== undefined && !(n > opts.gt)) return fail(`must be greater than ${opts.gt}`);
    if (opts.min !== undefined && n < opts.min) return fail(`must be at least ${opts.min}`);
    if (opts.max !== undefined && n > opts.max) return fail(`must be at most ${opts.max}`);
    return n;
  });
}

function httpUrl() {
  return z.string().transform((v, ctx) => {
    let u: URL;
    try {
      u = new URL(v.trim());
    } catch {
      ctx.addIssue({ code: "custom", message: `not a valid URL: "${v}"` });
      return z.NEVER;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `must be an http:// or https:// URL, got "${u.protocol}"` });
      return z.NEVER;
    }
    return u.toString();
  });
}

function list(v: string): string[] {
  return v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Splits `pytest,/py\.test|tox,x/i` on commas that are outside a /regex/. */
export function splitPatterns(v: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < v.length) {
    while (i < v.length && /[\s,]/.test(v[i]!)) i++;
    if (i >= v.length) break;
    let j = i;
    if (v[i] === "/") {
      j = i + 1;
      while (j < v.length && v[j] !== "/") j += v[j] === "\\" ? 2 : 1;
      j++;
      while (j < v.length && /[a-z]/i.test(v[j]!)) j++;
      // a regex token ends at a comma or the end; anything else makes it a substring
      if (j < v.length && v[j] !== ",") while (j < v.length && v[j] !== ",") j++;
    } else {
      while (j < v.length && v[j] !== ",") j++;
    }
    const tok = v.slice(i, j).trim();
    if (tok) out.push(tok);
    i = j + 1;
  }
  return out;
}

const patterns = z.string().transform((v, ctx) => {
  const toks = splitPatterns(v);
  if (toks.length === 0) {
    ctx.addIssue({ code: "custom", message: "needs at least one pattern" });
    return z.NEVER;
  }
  const out: ProcPattern[] = [];
  for (const t of toks) {
    const m = /^\/(.*)\/([a-z]*)$/is.exec(t);
    if (!m) {
      out.push({ kind: "substring", text: t, source: t });
      continue;
    }
    try {
      out.push({ kind: "regex", re: new RegExp(m[1]!, m[2]!.replace(/[gy]/g, "")), source: t });
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `invalid regex ${t}: ${(e as Error).message}` });
      return z.NEVER;
    }
  }
  return out;
});

const deps = z.string().transform((v, ctx) => {
  const out: Dep[] = [];
  for (const item of list(v)) {
    const m = /^([A-Za-z0-9_.-]+)=(\[[0-9a-fA-F:]+\]|[^:\s\[\]]+):(\d{1,5})$/.exec(item);
    const port = m ? Number(m[3]) : 0;
    if (!m || port < 1 || port > 65535) {
      ctx.addIssue({ code: "custom", message: `expected name=host:port, got "${item}"` });
      return z.NEVER;
    }
    // the name is the signal's entity and the debounce's key: two targets cannot share it
    if (out.some((d) => d.name === m[1])) {
      ctx.addIssue({ code: "custom", message: `dependency name "${m[1]}" is used twice` });
      return z.NEVER;
    }
    out.push({ name: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ""), port });
  }
  return out;
});

const rules = z.string().transform((v, ctx) => {
  const r = parseMetricRules(v);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  }
  return r.rules;
});

const nonEmptyList = z.string().transform((v, ctx) => {
  const l = list(v);
  if (l.length === 0) {
    ctx.addIssue({ code: "custom", message: "needs at least one entry" });
    return z.NEVER;
  }
  return l;
});

const chatId = z.string().transform((v, ctx) => {
  const s = v.trim();
  if (!/^(-?\d+|@[A-Za-z0-9_]{5,})$/.test(s)) {
    ctx.addIssue({ code: "custom", message: `expected a numeric chat id or @channelname, got "${v}"` });
    return z.NEVER;
  }
  return s;
});

const botToken = z.string().transform((v, ctx) => {
  const s = v.trim();
  // never echo the value: it is a secret
  if (!/^\d+:[A-Za-z0-9_-]+$/.test(s)) {
    ctx.addIssue({ code: "custom", message: "expected a Bot API token of the form 123456:ABC-…" });
    return z.NEVER;
  }
  return s;
});

const secret = z.string().transform((v, ctx) => {
  const s = v.trim();
  if (s.length < 16 || /\s/.test(s)) {
    ctx.addIssue({ code: "custom", message: "must be at least 16 characters with no spaces" });
    return z.NEVER;
  }
  return s;
});

const host = z.string().transform((v, ctx) => {
  const s = v.trim();
  if (!/^[A-Za-z0-9_.:-]+$/.test(s)) {
    ctx.addIssue({ code: "custom", message: `not a host name or address: "${v}"` });
    return z.NEVER;
  }
  return s;
});

const path = z.string().transform((v, ctx) => {
  const s = v.trim();
  if (!s.startsWith("/")) {
    ctx.addIssue({ code: "custom", message: `expected an absolute path, got "${v}"` });
    return z.NEVER;
  }
  return s;
});

const absPaths = z.string().transform((v, ctx) => {
  const l = list(v);
  const bad = l.filter((p) => !p.startsWith("/"));
  if (l.length === 0 || bad.length) {
    ctx.addIssue({ code: "custom", message: `expected absolute paths, got "${v}"` });
    return z.NEVER;
  }
  return l;
});

/** Variable name → [schema, default]. Defaults are strings so they go through the same parser. */
const CANON = {
  WATCHDOG_ENABLED: [bool, "true"],
  WATCHDOG_TICK_S: [num({ gt: 0, max: 86_400 }), "15"],
  WATCHDOG_METRICS_URL: [httpUrl(), undefined],
  WATCHDOG_METRICS_TIMEOUT_S: [num({ gt: 0, max: 3600 }), "5"],
  WATCHDOG_ORCH_DOWN_TICKS: [num({ int: true, min: 1, max: 10_000 }), "3"],
  WATCHDOG_METRIC_RULES: [rules, undefined],
  WATCHDOG_COOLDOWN_S: [num({ min: 0, max: 31_536_000 }), "1800"],
  WATCHDOG_PROC_ENABLED: [bool, "false"],
  WATCHDOG_PROC_ROOT: [path, "/proc"],
  WATCHDOG_PROC_AGE_MIN: [num({ min: 0, max: 525_600 }), "60"],
  WATCHDOG_PROC_PATTERNS: [patterns, "pytest"],
  WATCHDOG_PROC_COOLDOWN_S: [num({ min: 0, max: 31_536_000 }), "1800"],
  WATCHDOG_DISK_CEILING_ENABLED: [bool, "false"],
  // above the 2-point hysteresis gap, or a firing ceiling could never clear
  WATCHDOG_DISK_CEILING_PCT: [num({ gt: 2, max: 100 }), "97"],
  WATCHDOG_DISK_PATHS: [absPaths, "/"],
  WATCHDOG_DOCKER_SOCKET: [path, undefined],
  WATCHDOG_CONTAINERS: [nonEmptyList, undefined],
  WATCHDOG_DEPS: [deps, undefined],
  WATCHDOG_DEPS_TIMEOUT_S: [num({ gt: 0, max: 3600 }), "3"],
  WATCHDOG_DEPS_DOWN_TICKS: [num({ int: true, min: 1, max: 10_000 }), "3"],
  WATCHDOG_SOURCE_TIMEOUT_S: [num({ gt: 0, max: 3600 }), "10"],
  WATCHDOG_TELEGRAM_BOT_TOKEN: [botToken, undefined],
  WATCHDOG_TELEGRAM_CHAT_ID: [chatId, undefined],
  WATCHDOG_TELEGRAM_API_URL: [httpUrl(), "https://api.telegram.org"],
  WATCHDOG_TELEGRAM_OUTBOX_MAX: [num({ int: true, min: 1, max: 100_000 }), "200"],
  WATCHDOG_ALERTMANAGER_URL: [httpUrl(), undefined],
  WATCHDOG_LANG: [
    z.string().transform((v, ctx) => {
      const s = v.trim().toLowerCase();
      if (s !== "en" && s !== "ru") {
        ctx.addIssue({ code: "custom", message: `expected en or ru, got "${v}"` });
        return z.NEVER;
      }
      return s as "en" | "ru";
    }),
    "en",
  ],
  WATCHDOG_WS_ENABLED: [bool, "true"],
  WATCHDOG_WS_HOST: [host, "127.0.0.1"],
  WATCHDOG_WS_PORT: [num({ int: true, min: 0, max: 65_535 }), "8787"],
  WATCHDOG_WS_TOKEN: [secret, undefined],
  WATCHDOG_WS_TOKEN_FILE: [path, undefined],
  WATCHDOG_STDIN_LIFELINE: [bool, "false"],
} as const;

export type EnvName = keyof typeof CANON;
export const ENV_NAMES = Object.keys(CANON) as EnvName[];
/** Defaults as documented in .env.example and the README (undefined = unset). */
export const ENV_DEFAULTS: Record<EnvName, string | undefined> = Object.fromEntries(
  ENV_NAMES.map((n) => [n, CANON[n][1]]),
) as Record<EnvName, string | undefined>;

export interface Config {
  enabled: boolean;
  tickS: number;
  metrics: { url: string | null; timeoutS: number; downTicks: number; rules: MetricRule[] };
  cooldownS: number;
  proc: { enabled: boolean; root: string; ageMin: number; patterns: ProcPattern[]; cooldownS: number };
  disk: { ceilingEnabled: boolean; ceilingPct: number; paths: string[] };
  docker: { socket: string | null; containers: string[] };
  deps: { targets: Dep[]; timeoutS: number; downTicks: number };
  sourceTimeoutS: number;
  telegram: { botToken: string | null; chatId: string | null; apiUrl: string; outboxMax: number };
  alertmanagerUrl: string | null;
  lang: "en" | "ru";
  ws: { enabled: boolean; host: string; port: number; token: string | null; tokenFile: string | null };
  /** exit when stdin closes: the editor that started this probe is gone */
  stdinLifeline: boolean;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

type Parsed = { -readonly [K in EnvName]: z.output<(typeof CANON)[K][0]> | undefined };

export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const errors: string[] = [];
  const p = {} as Record<string, unknown>;
  for (const name of ENV_NAMES) {
    const [schema, def] = CANON[name];
    const raw = env[name];
    if (raw !== undefined && raw.trim() === "") {
      errors.push(`${name}: is empty; unset it to use the default${def !== undefined ? ` (${def})` : ""}`);
      continue;
    }
    const value = raw ?? def;
    if (value === undefined) continue;
    const r = (schema as z.ZodType).safeParse(value);
    if (r.success) p[name] = r.data;
    else errors.push(`${name}: ${r.error.issues.map((i) => i.message).join("; ")}`);
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith("WATCHDOG_") && !(ENV_NAMES as string[]).includes(name)) {
      errors.push(`${name}: unknown variable (a typo?); known ones are listed in .env.example`);
    }
  }
  const c = p as Parsed;
  if (
    (c.WATCHDOG_TELEGRAM_BOT_TOKEN === undefined) !== (c.WATCHDOG_TELEGRAM_CHAT_ID === undefined) &&
    !errors.some((e) => e.startsWith("WATCHDOG_TELEGRAM_"))
  ) {
    errors.push(
      "WATCHDOG_TELEGRAM_CHAT_ID: WATCHDOG_TELEGRAM_BOT_TOKEN and WATCHDOG_TELEGRAM_CHAT_ID must be set together",
    );
  }
  if (c.WATCHDOG_WS_TOKEN !== undefined && c.WATCHDOG_WS_TOKEN_FILE !== undefined) {
    errors.push("WATCHDOG_WS_TOKEN_FILE: set either WATCHDOG_WS_TOKEN or WATCHDOG_WS_TOKEN_FILE, not both");
  }
  if (errors.length) return { ok: false, errors };

  return {
    ok: true,
    config: {
      enabled: c.WATCHDOG_ENABLED!,
      tickS: c.WATCHDOG_TICK_S!,
      metrics: {
        url: c.WATCHDOG_METRICS_URL ?? null,
        timeoutS: c.WATCHDOG_METRICS_TIMEOUT_S!,
        downTicks: c.WATCHDOG_ORCH_DOWN_TICKS!,
        rules: c.WATCHDOG_METRIC_RULES ?? [],
      },
      cooldownS: c.WATCHDOG_COOLDOWN_S!,
      proc: {
        enabled: c.WATCHDOG_PROC_ENABLED!,
        root: c.WATCHDOG_PROC_ROOT!,
        ageMin: c.WATCHDOG_PROC_AGE_MIN!,
        patterns: c.WATCHDOG_PROC_PATTERNS!,
        cooldownS: c.WATCHDOG_PROC_COOLDOWN_S!,
      },
      disk: {
        ceilingEnabled: c.WATCHDOG_DISK_CEILING_ENABLED!,
        ceilingPct: c.WATCHDOG_DISK_CEILING_PCT!,
        paths: c.WATCHDOG_DISK_PATHS!,
      },
      docker: { socket: c.WATCHDOG_DOCKER_SOCKET ?? null, containers: c.WATCHDOG_CONTAINERS ?? [] },
      deps: {
        targets: c.WATCHDOG_DEPS ?? [],
        timeoutS: c.WATCHDOG_DEPS_TIMEOUT_S!,
        downTicks: c.WATCHDOG_DEPS_DOWN_TICKS!,
      },
      sourceTimeoutS: c.WATCHDOG_SOURCE_TIMEOUT_S!,
      telegram: {
        botToken: c.WATCHDOG_TELEGRAM_BOT_TOKEN ?? null,
        chatId: c.WATCHDOG_TELEGRAM_CHAT_ID ?? null,
        apiUrl: c.WATCHDOG_TELEGRAM_API_URL!.replace(/\/+$/, ""),
        outboxMax: c.WATCHDOG_TELEGRAM_OUTBOX_MAX!,
      },
      alertmanagerUrl: c.WATCHDOG_ALERTMANAGER_URL ?? null,
      lang: c.WATCHDOG_LANG!,
      ws: {
        enabled: c.WATCHDOG_WS_ENABLED!,
        host: c.WATCHDOG_WS_HOST!,
        port: c.WATCHDOG_WS_PORT!,
        token: c.WATCHDOG_WS_TOKEN ?? null,
        tokenFile: c.WATCHDOG_WS_TOKEN_FILE ?? null,
      },
      stdinLifeline: c.WATCHDOG_STDIN_LIFELINE!,
    },
  };
}
