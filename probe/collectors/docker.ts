// The docker source: expected containers (WATCHDOG_CONTAINERS) and their health, read
// through the GET-only client. One list per tick, then an inspect only of the containers
// shown (the expected ones and the few that are visibly in trouble), so it stays cheap.
import type { Config } from "../config.js";
import type { ContainerInfo, Signal } from "../protocol.js";
import { makeSignal } from "../signals.js";
import { SIGNAL_EN, type SignalTexts } from "../signal-texts.js";
import type { Source } from "../source.js";
import { DockerClient, type ContainerInspect, type ContainerSummary } from "./docker-api.js";

/** Unexpected containers shown because they are unhealthy/restarting/dead, at most. */
const MAX_EXTRAS = 20;
const INSPECT_CONCURRENCY = 8;
const COMPOSE_SERVICE = "com.docker.compose.service";

export interface Observed {
  summary: ContainerSummary;
  /** null when the inspect found the container gone: the list's data stands in */
  inspect: ContainerInspect | null;
}

export interface RestartMemo {
  id: string;
  restarts: number;
  /** the last time the count went up between two ticks, and by how much */
  lastIncrease: { at: number; by: number } | null;
}

/** "/orchestrator" → "orchestrator"; links ("/a/b") are not names. */
function containerName(s: ContainerSummary): string {
  const names = s.Names ?? [];
  const own = names.find((n) => n.lastIndexOf("/") === 0) ?? names[0];
  return own ? own.replace(/^\//, "") : s.Id.slice(0, 12);
}

/** Health as the list's Status text shows it: "Up 5 minutes (healthy)". */
export function healthFromStatus(status: string | null | undefined): string | null {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status ?? "");
  if (!m) return null;
  return m[1] === "health: starting" ? "starting" : m[1]!;
}

function looksTroubled(s: ContainerSummary): boolean {
  const st = s.State.toLowerCase();
  return st === "restarting" || st === "dead" || healthFromStatus(s.Status) === "unhealthy";
}

/** The containers an expected name stands for: its exact name, else a compose service of that name. */
function matchExpected(name: string, list: ContainerSummary[]): ContainerSummary[] {
  const exact = list.filter((s) => containerName(s) === name);
  if (exact.length) return exact;
  return list.filter((s) => s.Labels?.[COMPOSE_SERVICE] === name);
}

/** What to inspect and show: every match of an expected name, then troubled extras. */
export function selectShown(
  expected: string[],
  list: ContainerSummary[],
): { summary: ContainerSummary; expectedAs: string | null }[] {
  const out: { summary: ContainerSummary; expectedAs: string | null }[] = [];
  const taken = new Set<string>();
  for (const name of expected) {
    for (const s of matchExpected(name, list)) {
      if (taken.has(s.Id)) continue;
      taken.add(s.Id);
      out.push({ summary: s, expectedAs: name });
    }
  }
  const extras = list
    .filter((s) => !taken.has(s.Id) && looksTroubled(s))
    .sort((a, b) => containerName(a).localeCompare(containerName(b)))
    .slice(0, MAX_EXTRAS);
  for (const s of extras) out.push({ summary: s, expectedAs: null });
  return out;
}

function toContainerInfo(o: Observed): ContainerInfo {
  const health = o.inspect?.State.Health?.Status ?? healthFromStatus(o.summary.Status);
  return {
    name: containerName(o.summary),
    state: (o.inspect?.State.Status ?? o.summary.State).toLowerCase(),
    health: health && health !== "none" ? health : null,
    restarts: o.inspect?.RestartCount ?? 0,
  };
}

export interface Assessment {
  containers: ContainerInfo[];
  signals: Signal[];
  memo: Map<string, RestartMemo>;
}

/**
 * Pure: expected names + what was observed → snapshot rows and signals.
 * A restart-count increase since the previous tick is remembered per container and
 * told in the detail of that container's signals (restarts itself stays the count).
 */
export function assessContainers(
  expected: string[],
  shown: { observed: Observed; expectedAs: string | null }[],
  prev: ReadonlyMap<string, RestartMemo>,
  now: number,
  tx: SignalTexts = SIGNAL_EN,
): Assessment {
  const memo = new Map<string, RestartMemo>();
  const infos = shown.map(({ observed, expectedAs }) => {
    const info = toContainerInfo(observed);
    const before = prev.get(info.name);
    let lastIncrease = before && before.id === observed.summary.Id ? before.lastIncrease : null;
    if (before && before.id === observed.summary.Id && info.restarts > before.restarts) {
      lastIncrease = { at: now, by: info.restarts - before.restarts };
    }
    memo.set(info.name, { id: observed.summary.Id, restarts: info.restarts, lastIncrease });
    return { info, observed, expectedAs };
  });

  const signals: Signal[] = [];
  for (const name of expected) {
    const mine = infos.filter((i) => i.expectedAs === name);
    const restartNote = mine
      .map((i) => restartText(i.info, memo.get(i.info.name)!, tx))
      .filter(Boolean)
      .join("; ");
    const running = mine.filter((i) => i.info.state === "running");
    const down = running.length === 0;
    const what = mine.length === 0 ? tx.containerMissing : mine.map((i) => describe(i)).join(", ");
    signals.push(
      makeSignal(
        "container_down",
        name,
        down,
        "critical",
        tx.containerDownTitle(name, down, what),
        join(down ? tx.containerDownDetail(what) : what, restartNote),
      ),
    );

    const sick = running.filter((i) => i.info.health === "unhealthy");
    const streak = sick
      .map((i) => i.observed.inspect?.State.Health?.FailingStreak)
      .find((n) => typeof n === "number" && n > 0);
    signals.push(
      makeSignal(
        "container_unhealthy",
        name,
        sick.length > 0,
        "warning",
        tx.containerUnhealthyTitle(name, sick.length > 0, healthWord(mine, tx)),
        join(
          sick.length ? tx.containerHealthFailing(streak ?? null, sick.map(describe).join(", ")) : what,
          restartNote,
        ),
      ),
    );
  }

  // Expected names with no container still get a row, so the missing one is visible.
  const containers: ContainerInfo[] = [];
  for (const name of expected) {
    const mine = infos.filter((i) => i.expectedAs === name);
    if (mine.length === 0) containers.push({ name, state: "missing", health: null, restarts: 0 });
    for (const i of mine) containers.push(i.info);
  }
  for (const i of infos) if (i.expectedAs === null) containers.push(i.info);
  return { containers, signals, memo };
}

function healthWord(mine: { info: ContainerInfo }[], tx: SignalTexts): string {
  const words = [...new Set(mine.map((i) => i.info.health ?? tx.noHealthCheck))];
  return words.length ? words.join(", ") : tx.noContainer;
}

function describe(i: { info: ContainerInfo; observed: Observed }): string {
  const status = i.observed.summary.Status ? ` (${i.observed.summary.Status})` : "";
  return `${i.info.name} ${i.info.state}${status}`;
}

function restartText(info: ContainerInfo, m: RestartMemo, tx: SignalTexts): string {
  if (!m.lastIncrease) return "";
  return tx.containerRestarted(info.name, m.lastIncrease.by, new Date(m.lastIncrease.at).toISOString(), info.restarts);
}

function join(a: string, b: string): string {
  return b ? `${a}; ${b}` : a;
}

/** Runs `fn` over `items`, at most `limit` at a time, in order; after a failure it starts no more. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        failed = true; // the tick has failed: more GETs would only overlap the next one
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface DockerSourceOptions {
  timeoutMs: number;
  /** tests pass their own; default talks to cfg.socket */
  client?: DockerClient;
  texts?: SignalTexts;
}

export function createDockerSource(cfg: Config["docker"], opts: DockerSourceOptions): Source {
  if (!cfg.socket && !opts.client) throw new Error("docker source: WATCHDOG_DOCKER_SOCKET is not set");
  const client = opts.client ?? new DockerClient({ socketPath: cfg.socket!, timeoutMs: opts.timeoutMs });
  let memo = new Map<string, RestartMemo>();
  return {
    name: "docker",
    timeoutMs: opts.timeoutMs,
    async collect(ctx) {
      try {
        const list = await client.listContainers(ctx.signal);
        const shown = selectShown(cfg.containers, list);
        const observed = await mapLimit(shown, INSPECT_CONCURRENCY, async (s) => ({
          observed: { summary: s.summary, inspect: await client.inspectContainer(s.summary.Id, ctx.signal) },
          expectedAs: s.expectedAs,
        }));
        const a = assessContainers(cfg.containers, observed, memo, ctx.now, opts.texts);
        memo = a.memo;
        return { signals: a.signals, containers: a.containers };
      } catch (e) {
        // A daemon restarted or upgraded under us may speak another version now.
        client.resetVersion();
        throw e;
      }
    },
  };
}
