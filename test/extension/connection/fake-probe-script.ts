// fake-probe-main.ts bundled into `dir` as a script the local-probe code can start with node.
import { join } from "node:path";
import { build } from "esbuild";

export async function bundleFakeProbeMain(dir: string): Promise<string> {
  const script = join(dir, "probe.cjs");
  await build({
    entryPoints: [join(import.meta.dirname, "fake-probe-main.ts")],
    outfile: script,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "error",
  });
  return script;
}
