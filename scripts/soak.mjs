// `npm run soak [-- --seed N] [--ticks N] [--outbox N]`: the full fault-injection soak
// (10,000 ticks by default) in its own node with --expose-gc, so the heap figures come
// from real full collections. Exits with the soak's code (1 on any violation).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const child = spawn("npx", ["tsx", "--expose-gc", "test/soak/run.ts", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
child.on("error", (e) => {
  console.error(`soak: cannot start tsx: ${e.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
