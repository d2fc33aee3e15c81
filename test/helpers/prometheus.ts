// The real Prometheus (Debian package `prometheus`) as the oracle of the text format:
// one loopback HTTP server serves every body, one prometheus process scrapes each as
// its own job, and what it stored is read back through its HTTP API. A body it could
// not parse is `up == 0` (Prometheus rejects the whole scrape on the first error).
// Missing binary = a clear error, never a silent skip: CI must install the package.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "./ports.js";

const PROMETHEUS_PACKAGE = "prometheus";

/** The series Prometheus adds for every target; bodies under test must not use these names. */
const REPORT_SERIES = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
];

export interface ScrapedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ScrapeVerdict {
  up: boolean;
  /** what Prometheus says the last scrape held (0 when it failed) */
  samplesScraped: number;
  /** the stored series, without job/instance (empty when the scrape failed) */
  samples: ScrapedSample[];
}

function findPrometheus(): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"];
  for (const d of dirs) {
    const p = join(d, "prometheus");
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw new Error(
    `Prometheus binary not found (looked for prometheus in PATH). ` +
      `Install the Debian package: apt-get update && apt-get install -y ${PROMETHEUS_PACKAGE}`,
  );
}

/**
 * Scrapes every body (id → bytes) once with a real Prometheus and returns its verdicts.
 * The bodies' timestamps are parsed but not honoured (`honor_timestamps: false`), so
 * samples of any age land at scrape time and one instant query sees them all.
 */
export async function scrapeWithPrometheus(
  bodies: ReadonlyMap<string, Buffer>,
  timeoutMs = 60_000,
): Promise<Map<string, ScrapeVerdict>> {
  const bin = findPrometheus();
  const ids = [...bodies.keys()];
  const byPath = new Map(ids.map((id, i) => [`/b/${i}`, bodies.get(id)!]));
  const server: Server = createServer((req, res) => {
    const body = byPath.get(req.url ?? "");
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dir = mkdtempSync(join(tmpdir(), "watchdog-prom-"));
  const jobs = ids.map(
    (id, i) =>
      `  - job_name: ${JSON.stringify(id)}\n    honor_timestamps: false\n    metrics_path: /b/${i}\n` +
      `    static_configs: [{targets: [${JSON.stringify(target)}]}]\n`,
  );
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n${jobs.join("")}`,
  );
  const port = await freePort();
  const api = `http://127.0.0.1:${port}/api/v1`;
  let out = "";
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const state = { exited: false };
  const exit = new Promise<void>((r) => {
    child.once("exit", () => {
      state.exited = true;
      r();
    });
    child.once("error", (e) => {
      out += `${e.message}\n`;
      state.exited = true;
      r();
    });
  });

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = await fetch(`${api}/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(5000) });
    const j = (await r.json()) as { status: string; data?: { result: never[] }; error?: string };
    if (j.status !== "success" || !j.data) throw new Error(`Prometheus query ${q} failed: ${j.error ?? r.status}`);
    return j.data.result;
  };

  try {
    // Every job scraped at least twice: the first scrape of a job may predate the server's readiness.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (state.exited) throw new Error(`Prometheus exited:\n${out}`);
      try {
        const r = await query("count_over_time(up[1m]) >= 2");
        if (r.length === ids.length) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape all ${ids.length} jobs in time:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const up = new Map((await query("up")).map((s) => [s.metric["job"]!, s.value[1] === "1"]));
    const scraped = new Map((await query("scrape_samples_scraped")).map((s) => [s.metric["job"]!, Number(s.value[1])]));
    const notReport = `__name__!~"${REPORT_SERIES.join("|")}"`;
    const verdicts = new Map<string, ScrapeVerdict>();
    for (const id of ids) {
      const isUp = up.get(id) ?? false;
      const samples: ScrapedSample[] = [];
      if (isUp) {
        for (const s of await query(`{job=${JSON.stringify(id)},${notReport}}`)) {
          const { __name__: name, job: _job, instance: _instance, ...labels } = s.metric;
          samples.push({ name: name!, labels, value: apiNumber(s.value[1]) });
        }
      }
      verdicts.set(id, { up: isUp, samplesScraped: scraped.get(id) ?? 0, samples });
    }
    return verdicts;
  } finally {
    if (!state.exited && child.pid) {
      process.kill(child.pid, "SIGTERM");
      const t = setTimeout(() => {
        if (!state.exited && child.pid) process.kill(child.pid, "SIGKILL");
      }, 5000);
      await exit;
      clearTimeout(t);
    }
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The API spells values as Go does: `+Inf`, `-Inf`, `NaN`, or a decimal. */
function apiNumber(v: string): number {
  if (v === "+Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  return Number(v);
}
