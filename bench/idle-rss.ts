// The probe's memory at rest: the bundled probe (dist/probe.js, as deployed) with process
// scanning on, on this machine, ticking at the default 15 s with no client, and its RSS
// after a minute next to a bare `node` with the same flags started at the same moment.
// Both are ended by their own pids.
//
//   npm run build && npx tsx bench/idle-rss.ts [--seconds 60]
import { setTimeout as sleep } from "node:timers/promises";
import { end, mib, NODE_FLAGS, startBareNode, startProbe, statusBytes } from "./probe-process.js";

const at = process.argv.indexOf("--seconds");
const SECONDS = at > 0 ? Number(process.argv[at + 1]) : 60;
const GOAL_MIB = 55;

async function main(): Promise<void> {
  const bare = startBareNode();
  let probe: Awaited<ReturnType<typeof startProbe>> | null = null;
  try {
    probe = await startProbe({
      WATCHDOG_PROC_ENABLED: "true",
      WATCHDOG_WS_PORT: "0",
      WATCHDOG_WS_TOKEN: "bench-idle-token-0123456789abcdef",
    });
    await sleep(SECONDS * 1000);
    const rss = statusBytes(probe.child.pid!, "VmRSS");
    const hwm = statusBytes(probe.child.pid!, "VmHWM");
    const anon = statusBytes(probe.child.pid!, "RssAnon");
    const bareRss = statusBytes(bare.pid!, "VmRSS");
    console.log(
      `idle probe (node ${NODE_FLAGS.join(" ")}, proc on) after ${SECONDS} s: ${mib(rss)} MiB (peak ${mib(hwm)} MiB, own memory ${mib(anon)} MiB), ` +
        `bare node ${mib(bareRss)} MiB: ${(rss / bareRss).toFixed(2)}× (goal < ${GOAL_MIB} MiB)`,
    );
    console.log(
      "BENCH " +
        JSON.stringify({
          bench: "idle-rss",
          seconds: SECONDS,
          rssBytes: rss,
          hwmBytes: hwm,
          bareRssBytes: bareRss,
          anonBytes: anon,
        }),
    );
  } finally {
    end(probe?.child ?? null);
    end(bare);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
