// Human words for what the probe sends under internal names: alert kinds, pytest command
// lines, long reasons. Pure; every remote string still passes through `plain`.
import type { Alert } from "../../probe/protocol.js";
import { plain, type Translate } from "./format.js";

/** `head…tail`: both ends of a command line say more than its middle (the interpreter's path, options). */
export function middleTruncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return "…".slice(0, max);
  const tail = Math.floor((max - 1) / 2);
  return s.slice(0, max - 1 - tail) + "…" + s.slice(s.length - tail);
}

/** Breaks text into lines of at most `width` characters at spaces (a hover is narrow); long words are cut. */
export function wrapLines(text: string, width = 80): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    let cur = "";
    for (const word of line.split(" ")) {
      let w = word;
      while (w.length > width) {
        if (cur !== "") out.push(cur);
        out.push(w.slice(0, width));
        w = w.slice(width);
        cur = "";
      }
      if (cur === "") cur = w;
      else if (cur.length + 1 + w.length <= width) cur += " " + w;
      else {
        out.push(cur);
        cur = w;
      }
    }
    out.push(cur);
  }
  return out.join("\n");
}

const PYTEST = /(^|\/)(py\.?test)(-[\d.]+)?$/;
/** Options whose value is a path the harness chose, not what the developer asked to run. */
const NOISE = /^--(basetemp|rootdir|junit-?xml|cache-dir|confcutdir)(=|$)/;

/**
 * What a developer recognises in a pytest command line: `pytest tests/test_x.py -k slow`,
 * without the interpreter's path or `-m`. Any other command line is returned as it is.
 */
export function testTarget(argv: readonly string[], cmdline: string, comm: string): string {
  let at = -1;
  for (let i = 0; i < argv.length && at < 0; i++) {
    const a = argv[i] ?? "";
    if (PYTEST.test(a)) at = i;
    else if (a === "-m" && argv[i + 1] !== undefined && /^py\.?test$/.test(argv[i + 1] ?? "")) at = i + 1;
  }
  if (at < 0) {
    const c = cmdline.trim();
    return c === "" ? `[${comm}]` : c;
  }
  const args: string[] = [];
  for (let i = at + 1; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (NOISE.test(a)) {
      if (!a.includes("=")) i++;
      continue;
    }
    args.push(a);
  }
  return ["pytest", ...args].join(" ");
}

/** The alert as a row label: "Orphaned test process 23688", "Orchestrator down". */
export function alertTitle(a: Pick<Alert, "kind" | "entity">, t: Translate): string {
  const e = plain(a.entity, 80);
  switch (a.kind) {
    case "orch_down":
      return t("Orchestrator down");
    case "proc_blocking":
      return t("Orphaned test process {0}", e);
    case "disk_ceiling":
      return t("Disk almost full: {0}", e);
    case "container_down":
      return t("Container down: {0}", e);
    case "container_unhealthy":
      return t("Container unhealthy: {0}", e);
    case "dep_down":
      return t("Dependency down: {0}", e);
    case "source_error":
      return t("Check failing: {0}", e);
    default:
      // a metric rule names its own kind; shown as the probe sent it
      return e === "" ? plain(a.kind, 60) : `${plain(a.kind, 60)}: ${e}`;
  }
}

/** The kind in a few lower-case words, for the status bar: "orchestrator down", "orphaned pytest". */
export function kindName(kind: string, t: Translate): string {
  switch (kind) {
    case "orch_down":
      return t("orchestrator down");
    case "proc_blocking":
      return t("orphaned pytest");
    case "disk_ceiling":
      return t("disk almost full");
    case "container_down":
      return t("container down");
    case "container_unhealthy":
      return t("container unhealthy");
    case "dep_down":
      return t("dependency down");
    case "source_error":
      return t("check failing");
    default:
      return plain(kind, 40);
  }
}

/** Sorts alert keys as a person reads them: by kind, then entity with numbers as numbers (2426 before 23688). */
export function compareAlerts(a: Pick<Alert, "kind" | "entity">, b: Pick<Alert, "kind" | "entity">): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.entity.localeCompare(b.entity, "en", { numeric: true });
}
