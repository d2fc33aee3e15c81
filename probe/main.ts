// The probe's entry: parse the environment, start, stop cleanly on SIGTERM/SIGINT.
// Exit codes: 0 stopped by a signal, 2 bad configuration, 1 failed to start.
import { readFile } from "node:fs/promises";
import type { Probe } from "./app.js";
import { exitProcess, stopScanThreads } from "./collectors/proc-thread.js";
import { runAsProcScanWorker } from "./collectors/proc-worker.js";
import { jsonLogger } from "./log.js";
import { errorText } from "./errors.js";
import { resolveToken } from "./server/token.js";

async function main(): Promise<void> {
  // Loaded here, not at the top: the bundle's proc scan worker loads this same file and,
  // this way, never initialises the server, the senders or the schemas (~15 MiB less).
  const [{ startProbe }, { parseConfig }] = await Promise.all([import("./app.js"), import("./config.js")]);
  const root = jsonLogger();
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`orchestrator-watchdog: bad configuration:\n${parsed.errors.map((e) => `  ${e}\n`).join("")}`);
    process.exit(2);
  }
  const cfg = parsed.config;

  let token: string | null = null;
  if (cfg.ws.enabled) {
    const t = await resolveToken(cfg.ws, (p) => readFile(p, "utf8"));
    if (!t.ok) {
      process.stderr.write(`orchestrator-watchdog: bad configuration:\n  ${t.error}\n`);
      process.exit(2);
    }
    token = t.token;
    if (t.source === "generated") {
      // Printed once, on stderr and not in the JSON log, so a newcomer can connect.
      process.stderr.write(`WATCHDOG_WS_TOKEN is not set; generated for this run: ${t.token}\n`);
    }
  }

  const log = root.hiding([token, cfg.telegram.botToken]).child("main");
  // Handlers go in before "listening" is logged: whoever reads that line may signal at once.
  let probe: Probe | null = null;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    const how = signal === "SIGINT" ? "SIGINT" : "SIGTERM";
    // a tick waiting on a scan ends now rather than at the scan's deadline
    stopScanThreads();
    // Whatever happens, be gone within a second.
    setTimeout(() => exitProcess(0, how), 600).unref();
    void (probe?.stop() ?? Promise.resolve()).finally(() => exitProcess(0, how));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (cfg.stdinLifeline) {
    process.stdin.on("end", () => stop("stdin closed"));
    process.stdin.on("error", () => stop("stdin closed"));
    process.stdin.resume();
  }

  probe = await startProbe(cfg, { log: root, token });
  log.info("listening", {
    url: probe.url,
    enabled: cfg.enabled,
    tickS: cfg.tickS,
    sources: probe.sourceNames,
    telegram: probe.telegram.enabled,
  });
}

// The same file serves as the proc scan worker thread (proc-thread.ts starts it).
if (!runAsProcScanWorker())
  main().catch((e: unknown) => {
    process.stderr.write(`orchestrator-watchdog: failed to start: ${errorText(e)}\n`);
    exitProcess(1);
  });
