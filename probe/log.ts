// The probe's one logger: a JSON line per event on stdout, easy to read in `docker logs`
// and to filter with jq. Each part of the probe logs through a child that names it in
// `component` (main, loop, source, telegram, alertmanager, http, stream).
// Levels: error for a failure nobody recovers from by waiting (a lost alert, a server
// error); warn for one that is expected and recovered (a source timing out, a retry,
// a refused client); info for the rest.
export type Level = "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger whose lines say `component` (replacing the parent's) and carry `fields` too. */
  child(component: string, fields?: LogFields): Logger;
  /** A logger that writes `***` wherever one of these strings (8 characters or more) would appear in a line. */
  hiding(secrets: ReadonlyArray<string | null | undefined>): Logger;
}

/** Shorter strings are not hidden: they would blank out ordinary text (a port, a word) and guard little. */
const MIN_SECRET_CHARS = 8;

/** Keys every line has, in this order; fields cannot overwrite them. */
const RESERVED = new Set(["ts", "level", "component", "event"]);

interface Scope {
  write: (line: string) => void;
  component: string | null;
  fields: LogFields;
  /** each secret as it appears inside a JSON string */
  secrets: readonly string[];
}

export function jsonLogger(write: (line: string) => void = (s) => process.stdout.write(s)): Logger {
  return scoped({ write, component: null, fields: {}, secrets: [] });
}

/** Logs nothing: for parts started without a logger (tests, tools). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  hiding: () => silentLogger,
};

function scoped(scope: Scope): Logger {
  const emit = (level: Level, event: string, fields?: LogFields) => {
    try {
      const rec: LogFields = { ts: new Date().toISOString(), level };
      if (scope.component !== null) rec["component"] = scope.component;
      rec["event"] = event;
      for (const src of [scope.fields, fields ?? {}])
        for (const [k, v] of Object.entries(src)) if (!RESERVED.has(k)) rec[k] = v;
      let line = JSON.stringify(rec);
      for (const s of scope.secrets) line = line.split(s).join("***");
      scope.write(line + "\n");
    } catch {
      /* a closed stdout or an unserializable field must not stop the probe */
    }
  };
  return {
    info: (event, fields) => emit("info", event, fields),
    warn: (event, fields) => emit("warn", event, fields),
    error: (event, fields) => emit("error", event, fields),
    child: (component, fields = {}) => scoped({ ...scope, component, fields: { ...scope.fields, ...fields } }),
    hiding: (secrets) => {
      const more = secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_CHARS);
      // as JSON.stringify writes it inside a string, so quotes or backslashes in a secret still match
      const encoded = more.map((s) => JSON.stringify(s).slice(1, -1));
      // longest first: a secret that contains another is hidden whole
      const all = [...scope.secrets, ...encoded].sort((a, b) => b.length - a.length);
      return scoped({ ...scope, secrets: all });
    },
  };
}
