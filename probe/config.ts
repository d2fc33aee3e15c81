// The probe's whole configuration: one zod schema over the WATCHDOG_* environment, parsed
// once at start-up; `Config` is what it outputs. Every bad value is reported with its
// variable name, all of them at once; the caller exits with code 2.
// Pure: takes an env object, never reads process.env or the disk itself.
// zod/mini, as in protocol.ts: classic zod was ~750 KB of a 1 MB dist/probe.js.
import * as z from "zod/mini";
import * as v from "./config-values.js";

export type { Dep, ProcPattern } from "./config-values.js";
export { splitPatterns } from "./config-values.js";

/** The documented default of each variable that has one (.env.example, the README). */
const documented = z.registry<{ default: string }>();

/** One variable's text through `parse`; blank text is refused (unset it to get the default). */
function text<T>(parse: v.ValueParser<T>, def?: string) {
  return z.pipe(
    z.string(),
    z.transform((raw: string, ctx): T => {
      const refuse = (why: string): never => {
        ctx.issues.push({ code: "custom", message: why, input: raw });
        return z.NEVER;
      };
      if (raw.trim() === "") return refuse(`is empty; unset it to use the default${def ? ` (${def})` : ""}`);
      return parse(raw, refuse);
    }),
  );
}
/** Unset means `def`, which goes through the same parser as a value the user gives. */
function withDefault<T>(parse: v.ValueParser<T>, def: string) {
  return z.prefault(text(parse, def), def).register(documented, { default: def });
}
function optional<T>(parse: v.ValueParser<T>) {
  return z.optional(text(parse));
}

const VARIABLES = {
  WATCHDOG_ENABLED: withDefault(v.bool, "true"),
  WATCHDOG_TICK_S: withDefault(v.num({ gt: 0, max: 86_400 }), "15"),
  WATCHDOG_METRICS_URL: optional(v.httpUrl),
  WATCHDOG_METRICS_TIMEOUT_S: withDefault(v.num({ gt: 0, max: 3600 }), "5"),
  WATCHDOG_ORCH_DOWN_TICKS: withDefault(v.num({ int: true, min: 1, max: 10_000 }), "3"),
  WATCHDOG_METRIC_RULES: optional(v.metricRules),
  WATCHDOG_COOLDOWN_S: withDefault(v.num({ min: 0, max: 31_536_000 }), "1800"),
  WATCHDOG_PROC_ENABLED: withDefault(v.bool, "false"),
  WATCHDOG_PROC_ROOT: withDefault(v.absPath, "/proc"),
  WATCHDOG_PROC_AGE_MIN: withDefault(v.num({ min: 0, max: 525_600 }), "60"),
  WATCHDOG_PROC_PATTERNS: withDefault(v.patterns, "pytest"),
  WATCHDOG_PROC_COOLDOWN_S: withDefault(v.num({ min: 0, max: 31_536_000 }), "1800"),
  WATCHDOG_DISK_CEILING_ENABLED: withDefault(v.bool, "false"),
  // above the 2-point hysteresis gap, or a firing ceiling could never clear
  WATCHDOG_DISK_CEILING_PCT: withDefault(v.num({ gt: 2, max: 100 }), "97"),
  WATCHDOG_DISK_PATHS: withDefault(v.absPaths, "/"),
  WATCHDOG_DOCKER_SOCKET: optional(v.absPath),
  WATCHDOG_CONTAINERS: optional(v.nonEmptyList),
  WATCHDOG_DEPS: optional(v.deps),
  WATCHDOG_DEPS_TIMEOUT_S: withDefault(v.num({ gt: 0, max: 3600 }), "3"),
  WATCHDOG_DEPS_DOWN_TICKS: withDefault(v.num({ int: true, min: 1, max: 10_000 }), "3"),
  WATCHDOG_SOURCE_TIMEOUT_S: withDefault(v.num({ gt: 0, max: 3600 }), "10"),
  WATCHDOG_TELEGRAM_BOT_TOKEN: optional(v.botToken),
  WATCHDOG_TELEGRAM_CHAT_ID: optional(v.chatId),
  WATCHDOG_TELEGRAM_API_URL: withDefault(v.httpUrl, "https://api.telegram.org"),
  WATCHDOG_TELEGRAM_OUTBOX_MAX: withDefault(v.num({ int: true, min: 1, max: 100_000 }), "200"),
  WATCHDOG_ALERTMANAGER_URL: optional(v.httpUrl),
  WATCHDOG_LANG: withDefault(v.lang, "en"),
  WATCHDOG_WS_ENABLED: withDefault(v.bool, "true"),
  WATCHDOG_WS_HOST: withDefault(v.host, "127.0.0.1"),
  WATCHDOG_WS_PORT: withDefault(v.num({ int: true, min: 0, max: 65_535 }), "8787"),
  WATCHDOG_WS_TOKEN: optional(v.secret),
  WATCHDOG_WS_TOKEN_FILE: optional(v.absPath),
  WATCHDOG_STDIN_LIFELINE: withDefault(v.bool, "false"),
};

export type EnvName = keyof typeof VARIABLES;
export const ENV_NAMES = Object.keys(VARIABLES) as EnvName[];
/** Defaults as documented in .env.example and the README (undefined = unset). */
export const ENV_DEFAULTS = Object.fromEntries(
  ENV_NAMES.map((n) => [n, documented.get(VARIABLES[n])?.default]),
) as Record<EnvName, string | undefined>;

/** Checks across variables. They run even when some variable failed, so that every error shows at once. */
const acrossVariables = z.superRefine<Record<string, unknown>>(
  (env, ctx) => {
    const refuse = (name: string, message: string) =>
      ctx.issues.push({ code: "custom", message, input: env, path: [name] });
    for (const name of Object.keys(env)) {
      if (name.startsWith("WATCHDOG_") && !(name in VARIABLES)) {
        refuse(name, "unknown variable (a typo?); known ones are listed in .env.example");
      }
    }
    const failed = new Set(ctx.issues.map((i) => i.path?.[0]));
    const given = (name: EnvName) => env[name] !== undefined && !failed.has(name);
    const telegramFailed = [...failed].some((n) => typeof n === "string" && n.startsWith("WATCHDOG_TELEGRAM_"));
    if (!telegramFailed && given("WATCHDOG_TELEGRAM_BOT_TOKEN") !== given("WATCHDOG_TELEGRAM_CHAT_ID")) {
      refuse(
        "WATCHDOG_TELEGRAM_CHAT_ID",
        "WATCHDOG_TELEGRAM_BOT_TOKEN and WATCHDOG_TELEGRAM_CHAT_ID must be set together",
      );
    }
    if (given("WATCHDOG_WS_TOKEN") && given("WATCHDOG_WS_TOKEN_FILE")) {
      refuse("WATCHDOG_WS_TOKEN_FILE", "set either WATCHDOG_WS_TOKEN or WATCHDOG_WS_TOKEN_FILE, not both");
    }
  },
  { when: () => true },
);

/** The environment → the probe's configuration. Other variables than WATCHDOG_* pass untouched. */
const ConfigSchema = z.pipe(
  z.looseObject(VARIABLES).check(acrossVariables),
  z.transform((e) => ({
    enabled: e.WATCHDOG_ENABLED,
    tickS: e.WATCHDOG_TICK_S,
    metrics: {
      url: e.WATCHDOG_METRICS_URL ?? null,
      timeoutS: e.WATCHDOG_METRICS_TIMEOUT_S,
      downTicks: e.WATCHDOG_ORCH_DOWN_TICKS,
      rules: e.WATCHDOG_METRIC_RULES ?? [],
    },
    cooldownS: e.WATCHDOG_COOLDOWN_S,
    proc: {
      enabled: e.WATCHDOG_PROC_ENABLED,
      root: e.WATCHDOG_PROC_ROOT,
      ageMin: e.WATCHDOG_PROC_AGE_MIN,
      patterns: e.WATCHDOG_PROC_PATTERNS,
      cooldownS: e.WATCHDOG_PROC_COOLDOWN_S,
    },
    disk: {
      ceilingEnabled: e.WATCHDOG_DISK_CEILING_ENABLED,
      ceilingPct: e.WATCHDOG_DISK_CEILING_PCT,
      paths: e.WATCHDOG_DISK_PATHS,
    },
    docker: { socket: e.WATCHDOG_DOCKER_SOCKET ?? null, containers: e.WATCHDOG_CONTAINERS ?? [] },
    deps: {
      targets: e.WATCHDOG_DEPS ?? [],
      timeoutS: e.WATCHDOG_DEPS_TIMEOUT_S,
      downTicks: e.WATCHDOG_DEPS_DOWN_TICKS,
    },
    sourceTimeoutS: e.WATCHDOG_SOURCE_TIMEOUT_S,
    telegram: {
      botToken: e.WATCHDOG_TELEGRAM_BOT_TOKEN ?? null,
      chatId: e.WATCHDOG_TELEGRAM_CHAT_ID ?? null,
      apiUrl: e.WATCHDOG_TELEGRAM_API_URL.replace(/\/+$/, ""),
      outboxMax: e.WATCHDOG_TELEGRAM_OUTBOX_MAX,
    },
    alertmanagerUrl: e.WATCHDOG_ALERTMANAGER_URL ?? null,
    lang: e.WATCHDOG_LANG,
    ws: {
      enabled: e.WATCHDOG_WS_ENABLED,
      host: e.WATCHDOG_WS_HOST,
      port: e.WATCHDOG_WS_PORT,
      token: e.WATCHDOG_WS_TOKEN ?? null,
      tokenFile: e.WATCHDOG_WS_TOKEN_FILE ?? null,
    },
    /** exit when stdin closes: the editor that started this probe is gone */
    stdinLifeline: e.WATCHDOG_STDIN_LIFELINE,
  })),
);

export type Config = z.output<typeof ConfigSchema>;
export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const r = ConfigSchema.safeParse(env);
  if (r.success) return { ok: true, config: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${String(i.path[0] ?? "environment")}: ${i.message}`) };
}
