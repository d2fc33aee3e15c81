// Bundles the probe (dist/probe.js, runs with plain `node`, no node_modules needed)
// and, when present, the extension (dist/extension.js, `vscode` left external).
import { build } from "esbuild";
import { existsSync } from "node:fs";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: false,
  logLevel: "warning",
  legalComments: "none",
};

await build({
  ...common,
  entryPoints: ["probe/main.ts"],
  outfile: "dist/probe.js",
  format: "cjs",
  banner: { js: "#!/usr/bin/env node" },
  // Whitespace and syntax only: ~336 → ~220 KB (ws is 125 KB of the unminified file) while
  // identifiers, and so the function names in a stack trace, stay as written.
  minifyWhitespace: true,
  minifySyntax: true,
});

if (existsSync("extension/extension.ts")) {
  await build({
    ...common,
    entryPoints: ["extension/extension.ts"],
    outfile: "dist/extension.js",
    format: "cjs",
    // ssh2's optional native helpers: it falls back to pure JS when they are absent.
    external: ["vscode", "cpu-features", "./crypto/build/Release/sshcrypto.node"],
    minify: true,
  });
}
console.log("built dist/probe.js" + (existsSync("extension/extension.ts") ? " and dist/extension.js" : ""));
