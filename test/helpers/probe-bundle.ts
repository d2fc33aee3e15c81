// The probe as users run it: probe/main.ts bundled by esbuild into one CommonJS file, as
// scripts/build.mjs does, into a folder the test owns (never a stale dist/).
import { build } from "esbuild";

export async function buildProbeBundle(outfile: string): Promise<void> {
  await build({
    entryPoints: ["probe/main.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile,
    logLevel: "silent",
  });
}
