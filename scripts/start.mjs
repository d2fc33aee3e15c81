// `npm start`: build the probe, then run it on this machine with process scanning on.
// Reads ./.env when present. With no stream token set, generates one for this run and
// prints it once next to the stream URL, so a newcomer can connect straight away.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { withEnvFile } from "./env-file.mjs";

execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });

const env = existsSync(".env") ? withEnvFile(process.env, readFileSync(".env", "utf8")) : { ...process.env };
env.WATCHDOG_PROC_ENABLED ??= "true";
let generated = null;
if (!env.WATCHDOG_WS_TOKEN && !env.WATCHDOG_WS_TOKEN_FILE && env.WATCHDOG_WS_ENABLED !== "false") {
  generated = randomBytes(24).toString("base64url");
  env.WATCHDOG_WS_TOKEN = generated;
}

// the same V8 flag as the container image (see probe/deploy/Dockerfile)
const child = spawn(process.execPath, ["--max-semi-space-size=2", "dist/probe.js"], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
let buf = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (generated === null) return;
  buf += chunk.toString();
  for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) {
    let line;
    try {
      line = JSON.parse(buf.slice(0, i));
    } catch {
      continue;
    }
    if (line.event === "listening") {
      process.stdout.write(
        `\n  Stream:  ${line.url}\n  Token:   ${generated}\n` +
          `  (generated for this run; set WATCHDOG_WS_TOKEN to choose your own)\n\n`,
      );
      generated = null;
    }
  }
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
