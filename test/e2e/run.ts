// End-to-end: the packed extension in a real VS Code (code-server 4.96.4) driven by Debian's
// Chromium, against a real probe watching the real /proc of this machine. Each step checks
// what a person would see and saves a screenshot under test-results/e2e/.
// Run: npx tsx test/e2e/run.ts   (after scripts/setup-e2e.sh and npm run package), or npm run test:e2e.
// Env: E2E_ONLY=1,2,3 (steps by number) · E2E_UPDATE_MEDIA=1 (README screenshots into media/) ·
// E2E_VERBOSE=1 (echo every process's output) · E2E_KEEP_TMP=1 · E2E_VSIX, E2E_CODE_SERVER_DIR, E2E_CHROMIUM.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import {
  assertInstalled,
  installVsix,
  startCodeServer,
  userSettings,
  workbenchUrl,
  writeUserSettings,
  type CodeServer,
} from "./code-server.js";
import { FakeMetrics } from "./fake-metrics.js";
import { startProbe, type RunningProbe } from "./probe-proc.js";
import { Procs } from "./procs.js";
import { startSleeper, SLEEPER_SECRET, type Sleeper } from "./sleeper.js";
import { startSshd, type Sshd } from "./ssh.js";
import { StepError, waitFor } from "./wait.js";
import {
  answerQuickInput,
  editUserSettings,
  launchBrowser,
  looksRed,
  newPage,
  openWatchdogView,
  openWorkbench,
  clearNotifications,
  expandRow,
  runCommand,
  Shots,
  sidebarRows,
  widenSidebar,
  waitQuickInputClosed,
  waitRows,
  waitStatus,
} from "./workbench.js";

const VSIX = resolve(process.env.E2E_VSIX ?? "dist/orchestrator-watchdog.vsix");
const OUT = resolve("test-results/e2e");
/** ticks are 1 s; a view change should follow within a few; this leaves room for a loaded 2-core CI */
const VIEW_MS = 30_000;
const PROBE_NAME = "ci-runner";
const SSH_PROBE_NAME = "ci-runner-ssh";
const ORCH_DOWN_TICKS = 2;

interface Ctx {
  procs: Procs;
  tmp: string;
  shots: Shots;
  token: string;
  metrics: FakeMetrics;
  probe: RunningProbe;
  probeEnv: Record<string, string>;
  sleeper: Sleeper;
  cs: CodeServer;
  browser: Browser;
  page: Page;
}

type Step = { name: string; run(c: Ctx): Promise<void> };

function probeEnv(metricsUrl: string, token: string, port: number, tmp: string): Record<string, string> {
  return {
    WATCHDOG_PROC_ENABLED: "true",
    // pytest runs of this e2e run only (their --basetemp is under its temp folder): other
    // pytest processes on a shared machine must not change what the steps expect
    WATCHDOG_PROC_PATTERNS: `/pytest .*${basename(tmp)}/`,
    WATCHDOG_PROC_AGE_MIN: "0.02",
    WATCHDOG_TICK_S: "1",
    WATCHDOG_ORCH_DOWN_TICKS: String(ORCH_DOWN_TICKS),
    WATCHDOG_METRICS_URL: metricsUrl,
    WATCHDOG_METRICS_TIMEOUT_S: "0.5",
    WATCHDOG_WS_PORT: String(port),
    WATCHDOG_WS_TOKEN: token,
  };
}

function ppidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

const hasPid = (pid: number) => (r: string) => r.startsWith(`${pid} ·`) || r.startsWith(`${pid} `);
const statusHas = (word: string) => (s: { text: string }) => s.text.includes(word);

/** The Watchdog: Set Token command from the palette, typing the token into its input box. */
async function setTokenFromPalette(page: Page, probeName: string, token: string, oneProbe: boolean): Promise<void> {
  await runCommand(page, "Watchdog: Set Token");
  if (!oneProbe)
    await answerQuickInput(page, { pick: probeName, what: `the probe to set the token of (${probeName})` });
  await answerQuickInput(page, { text: token, what: `the token of probe ${probeName}` });
  await waitQuickInputClosed(page, `the token of probe ${probeName}`);
}

/** Fills `c` as it goes, so whatever was started before a failure is still stopped. */
async function setup(procs: Procs, c: Partial<Ctx>): Promise<Ctx> {
  assertInstalled();
  if (!existsSync(VSIX)) throw new Error(`no VSIX at ${VSIX}: run npm run package first`);
  const tmp = (c.tmp = mkdtempSync(join(tmpdir(), "watchdog-e2e-")));
  const shots = new Shots(OUT);
  const token = randomBytes(24).toString("hex");

  const metrics = (c.metrics = new FakeMetrics());
  await metrics.start();
  const sleeper = await startSleeper(procs, tmp);
  const env = probeEnv(metrics.url, token, 0, tmp);
  const probe = await startProbe(procs, env);
  const pinnedEnv = { ...env, WATCHDOG_WS_PORT: String(probe.port) };

  const userDataDir = join(tmp, "user-data");
  const extensionsDir = join(tmp, "extensions");
  await installVsix(VSIX, extensionsDir, userDataDir);
  writeUserSettings(userDataDir, { "watchdog.probes": [{ name: PROBE_NAME, url: probe.url }] });
  const cs = await startCodeServer(procs, { userDataDir, extensionsDir, folder: join(tmp, "workspace") });

  const browser = (c.browser = await launchBrowser());
  const page = (c.page = await newPage(browser));
  await openWorkbench(page, workbenchUrl(cs));
  await openWatchdogView(page);
  await widenSidebar(page, 800);
  // code-server keeps secrets in memory per window: the token is typed in, as a user does
  await setTokenFromPalette(page, PROBE_NAME, token, true);
  return { procs, tmp, shots, token, metrics, probe, probeEnv: pinnedEnv, sleeper, cs, browser, page };
}

/**
 * Waits for alert `key` to show as recovered (unfolding the "Recovered" group the way a
 * person would, once it appears) while `also` holds for the rows.
 */
async function waitRecovered(page: Page, key: string, also: (rows: string[]) => boolean, what: string): Promise<void> {
  await waitRows(
    page,
    what,
    (rows) => also(rows) && rows.some((r) => r.startsWith(key) && /recovered/.test(r)),
    VIEW_MS,
    async () => {
      await expandRow(page, "Recovered");
    },
  );
}

const steps: Step[] = [
  {
    name: "1 view shows the probe connected and the pytest row with its pid",
    async run(c) {
      await waitRows(
        c.page,
        `probe ${PROBE_NAME} connected`,
        (rows) => rows.some((r) => r.startsWith(PROBE_NAME) && /connected/.test(r) && !/disconnected/.test(r)),
        VIEW_MS,
      );
      const rows = await waitRows(
        c.page,
        `a process row for pid ${c.sleeper.pid}`,
        (rows) => rows.some(hasPid(c.sleeper.pid)),
        VIEW_MS,
      );
      const row = rows.find(hasPid(c.sleeper.pid))!;
      if (!row.includes("pytest"))
        throw new StepError(`the row for pid ${c.sleeper.pid} does not show its pytest command line: "${row}"`);
      // double-forked, its parent is init (pid 1) unless a subreaper adopted it
      const orphan = ppidOf(c.sleeper.pid) === 1;
      await waitRows(
        c.page,
        `pid ${c.sleeper.pid} as blocking${orphan ? " and orphaned" : ""}`,
        (rs) => rs.some((r) => hasPid(c.sleeper.pid)(r) && /blocking/.test(r) && (!orphan || /orphaned/.test(r))),
        VIEW_MS,
      );
      await c.shots.take(c.page, "1-connected-process-row");
    },
  },
  {
    name: "2 status bar shows the alarm on the error background",
    async run(c) {
      const s = await waitStatus(c.page, "the proc_blocking alarm", (s) => s.text.includes("proc_blocking"), VIEW_MS);
      if (!/error-kind/.test(s.classes) && !looksRed(s.background)) {
        throw new StepError(
          `the alarm "${s.text}" is not on the error background (classes "${s.classes}", background ${s.background})`,
        );
      }
      await clearNotifications(c.page);
      await c.shots.take(c.page, "2-status-bar-alarm");
      if (process.env.E2E_UPDATE_MEDIA === "1")
        copyFileSync(join(OUT, "2-status-bar-alarm.png"), resolve("media/screenshot-sidebar.png"));
    },
  },
  {
    name: "3 clicking the row opens the command-line document with the redacted argv",
    async run(c) {
      await sidebarRows(c.page)
        .filter({ hasText: `${c.sleeper.pid} ·` })
        .first()
        .click();
      const text = await waitFor(
        "the command-line document to open in an editor",
        async () => {
          const t = await c.page
            .locator(".editor-instance .monaco-editor .view-lines")
            .first()
            .innerText({ timeout: 2000 });
          const norm = t.replace(/\u00a0/g, " ");
          return norm.includes("pytest") ? norm : undefined;
        },
        {
          timeoutMs: VIEW_MS,
          describe: async () =>
            (await c.page.locator(".tabs-container .tab").allInnerTexts()).join(" | ") || "no editor tab",
        },
      );
      for (const arg of ["python", "-m", "pytest", "tests/test_slow.py", "--token=***", "--basetemp="]) {
        if (!text.split("\n").some((l) => l.trim() === arg || l.includes(arg)))
          throw new StepError(`the document does not list the argument "${arg}":\n${text}`);
      }
      if (text.includes(SLEEPER_SECRET))
        throw new StepError(`the document shows the secret "${SLEEPER_SECRET}" unredacted:\n${text}`);
      if (!text.includes(String(c.sleeper.pid)))
        throw new StepError(`the document does not name pid ${c.sleeper.pid}:\n${text}`);
      await clearNotifications(c.page);
      await c.shots.take(c.page, "3-command-line-document");
      if (process.env.E2E_UPDATE_MEDIA === "1")
        copyFileSync(join(OUT, "3-command-line-document.png"), resolve("media/screenshot-cmdline.png"));
    },
  },
  {
    name: `4 /metrics down for ${ORCH_DOWN_TICKS} ticks shows orch_down, restarting it clears it`,
    async run(c) {
      await c.metrics.stop();
      await waitStatus(c.page, "orch_down", statusHas("orch_down"), VIEW_MS);
      await waitRows(
        c.page,
        "orch_down firing and the orchestrator down",
        (rows) =>
          rows.some((r) => r.startsWith("orch_down") && /firing/.test(r)) &&
          rows.some((r) => /^Orchestrator down/.test(r)),
        VIEW_MS,
      );
      await c.shots.take(c.page, "4a-orch-down");
      await c.metrics.start();
      await waitStatus(
        c.page,
        "no orch_down once /metrics answers again",
        (s) => !s.text.includes("orch_down"),
        VIEW_MS,
      );
      await waitRecovered(
        c.page,
        "orch_down",
        (rows) => rows.some((r) => /^Orchestrator up/.test(r)),
        "the orchestrator up and orch_down recovered",
      );
      await c.shots.take(c.page, "4b-orch-up");
    },
  },
  {
    name: "5 killing the process removes its row, its alert recovers, the status bar goes quiet",
    async run(c) {
      process.kill(c.sleeper.pid, "SIGTERM");
      const key = `proc_blocking:${c.sleeper.pid}`;
      await waitRecovered(
        c.page,
        key,
        (rows) => !rows.some(hasPid(c.sleeper.pid)),
        `pid ${c.sleeper.pid} gone and ${key} recovered`,
      );
      const s = await waitStatus(
        c.page,
        "quiet (no alarm)",
        (s) => !/proc_blocking|orch_down/.test(s.text) && !/disconnected|stale/.test(s.text),
        VIEW_MS,
      );
      if (/error-kind|warning-kind/.test(s.classes) || looksRed(s.background))
        throw new StepError(
          `the quiet status bar "${s.text}" still has a coloured background (${s.classes}; ${s.background})`,
        );
      await c.shots.take(c.page, "5-recovered-quiet");
    },
  },
  {
    name: "6 stopping the probe shows the connection lost, restarting it reconnects",
    async run(c) {
      await c.procs.stop(c.probe.proc);
      await waitStatus(c.page, "the connection lost", (s) => /disconnected/.test(s.text), VIEW_MS);
      await waitRows(
        c.page,
        `probe ${PROBE_NAME} disconnected or retrying`,
        (rows) => rows.some((r) => r.startsWith(PROBE_NAME) && /retrying|disconnected|connecting/.test(r)),
        VIEW_MS,
      );
      await c.shots.take(c.page, "6a-connection-lost");
      c.probe = await startProbe(c.procs, c.probeEnv, "probe-restarted");
      // the client backs off up to 30 s between tries; allow one full back-off
      await waitRows(
        c.page,
        `probe ${PROBE_NAME} connected again`,
        (rows) => rows.some((r) => r.startsWith(PROBE_NAME) && /connected/.test(r) && !/disconnected/.test(r)),
        45_000,
      );
      await waitStatus(c.page, "quiet after reconnecting", (s) => !/disconnected|stale/.test(s.text), VIEW_MS);
      await c.shots.take(c.page, "6b-reconnected");
    },
  },
  {
    name: "7 through an SSH tunnel to a real sshd: connected, process row, alarm",
    async run(c) {
      let sshd: Sshd | undefined;
      try {
        sshd = await startSshd(c.procs);
        const sleeper = await startSleeper(c.procs, join(c.tmp, "ssh-sleeper"));
        await editUserSettings(
          c.page,
          userSettings({
            "watchdog.probes": [
              {
                name: SSH_PROBE_NAME,
                ssh: {
                  host: "127.0.0.1",
                  port: sshd.port,
                  username: sshd.username,
                  identityFile: sshd.identityFile,
                  remotePort: c.probe.port,
                },
                hostKeyFingerprint: sshd.hostKeyFingerprint,
              },
            ],
          }),
        );
        await runCommand(c.page, "View: Close All Editors");
        await waitRows(
          c.page,
          `probe ${SSH_PROBE_NAME} listed`,
          (rows) => rows.some((r) => r.startsWith(SSH_PROBE_NAME)),
          VIEW_MS,
        );
        await setTokenFromPalette(c.page, SSH_PROBE_NAME, c.token, true);
        await waitRows(
          c.page,
          `probe ${SSH_PROBE_NAME} connected through the tunnel`,
          (rows) => rows.some((r) => r.startsWith(SSH_PROBE_NAME) && /connected/.test(r) && !/disconnected/.test(r)),
          VIEW_MS,
        );
        await waitRows(
          c.page,
          `a process row for pid ${sleeper.pid} through the tunnel`,
          (rows) => rows.some(hasPid(sleeper.pid)),
          VIEW_MS,
        );
        const s = await waitStatus(
          c.page,
          "the proc_blocking alarm through the tunnel",
          statusHas("proc_blocking"),
          VIEW_MS,
        );
        if (!/error-kind/.test(s.classes) && !looksRed(s.background))
          throw new StepError(`the alarm "${s.text}" is not on the error background (${s.classes}; ${s.background})`);
        await c.shots.take(c.page, "7-ssh-tunnel");
        await c.procs.stop(sleeper.proc);
      } catch (e) {
        if (sshd)
          throw new StepError(
            `${(e as Error).message}\n  sshd said:\n${sshd.helper.log().split("\n").slice(-10).join("\n")}`,
          );
        throw e;
      } finally {
        await sshd?.helper.stop();
      }
    },
  },
];

async function main(): Promise<number> {
  const only = process.env.E2E_ONLY ? new Set(process.env.E2E_ONLY.split(",").map((s) => s.trim())) : null;
  const selected = steps.filter((s) => !only || only.has(s.name.split(" ")[0]!));
  // screenshots of an earlier run (FAILED-… ones above all) must not pass for this run's
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const procs = new Procs();
  const results: { name: string; ok: boolean; ms: number; error?: string }[] = [];
  let ctx: Ctx | undefined;
  const partial: Partial<Ctx> = {};
  const onSignal = (sig: string) => {
    console.error(`e2e: ${sig}, stopping everything`);
    void procs.stopAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const started = Date.now();
  try {
    try {
      console.log("e2e: setup (code-server, probe, fake /metrics, pytest sleeper, Chromium)");
      ctx = await setup(procs, partial);
      console.log(`e2e: setup done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      console.error(`e2e: setup FAILED: ${msg}`);
      if (partial.page) await new Shots(OUT).take(partial.page, "FAILED-setup");
      for (const s of selected)
        results.push({ name: s.name, ok: false, ms: 0, error: `setup failed: ${msg.split("\n")[0]}` });
    }
    if (ctx) {
      for (const s of selected) {
        const t0 = Date.now();
        try {
          await s.run(ctx);
          results.push({ name: s.name, ok: true, ms: Date.now() - t0 });
          console.log(`  ✓ ${s.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          results.push({ name: s.name, ok: false, ms: Date.now() - t0, error: msg });
          console.log(
            `  ✗ ${s.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n    ${msg.replace(/\n/g, "\n    ")}`,
          );
          await ctx.shots.take(ctx.page, `FAILED-${s.name.split(" ")[0]}`);
        }
      }
    }
  } finally {
    await partial.browser?.close().catch(() => undefined);
    await partial.metrics?.stop().catch(() => undefined);
    await procs.stopAll();
    if (partial.tmp && !process.env.E2E_KEEP_TMP) rmSync(partial.tmp, { recursive: true, force: true });
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (failed > 0 || process.env.E2E_VERBOSE) console.log(procs.tails());
  console.log(`e2e: ${((Date.now() - started) / 1000).toFixed(1)} s in all; screenshots in ${OUT}`);
  for (const r of results.filter((x) => !x.ok)) console.log(`FAILED: ${r.name}: ${r.error?.split("\n")[0]}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
