// Stands in for dist/probe.js in the local-probe tests (bundled by the test with esbuild):
// serves the fake probe on WATCHDOG_WS_PORT with WATCHDOG_WS_TOKEN and logs the "listening"
// JSON line as the real probe does. FAKE_MAIN_MODE makes it misbehave.
import { writeFileSync } from "node:fs";
import { startFakeProbe } from "../../helpers/fake-probe.js";

async function main(): Promise<void> {
  const env = process.env;
  if (env.FAKE_MAIN_ENV_OUT) writeFileSync(env.FAKE_MAIN_ENV_OUT, JSON.stringify(env));
  if (env.FAKE_MAIN_PID_OUT) writeFileSync(env.FAKE_MAIN_PID_OUT, String(process.pid));
  const mode = env.FAKE_MAIN_MODE ?? "normal";
  if (mode === "exit-early") {
    process.stderr.write("config error: WATCHDOG_TICK_S: must be a number\n");
    process.exit(3);
  }
  const fake = await startFakeProbe({
    token: env.WATCHDOG_WS_TOKEN!,
    port: Number(env.WATCHDOG_WS_PORT ?? 0),
    hello: {
      probe: { version: "0.1.0", hostname: "local-fake", pid: process.pid, startedAt: new Date().toISOString() },
    },
  });
  if (mode === "ignore-term") process.on("SIGTERM", () => process.stdout.write('{"event":"sigterm-ignored"}\n'));
  else process.on("SIGTERM", () => void fake.stop().then(() => process.exit(0)));
  process.stdout.write(JSON.stringify({ level: "info", event: "starting" }) + "\n");
  if (mode !== "silent")
    process.stdout.write(JSON.stringify({ level: "info", event: "listening", url: fake.url }) + "\n");
  setInterval(() => fake.snapshot(), 200);
}

void main();
