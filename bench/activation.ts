// Extension activation cost: in a fresh Node process, load dist/extension.js and run
// activate() against a stand-in `vscode` module (the real one exists only inside the
// editor), median of several processes. Reference, measured the same way in the same
// run: loading the `ws` package alone. Run `npm run package` (or `npm run build`) first.
//
//   npx tsx bench/activation.ts [--runs 9]
import { fork } from "node:child_process";
import Module, { createRequire } from "node:module";
import { resolve } from "node:path";

const runsAt = process.argv.indexOf("--runs");
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 9;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Any property is a callable, constructible stand-in; the few values activate() reads are real. */
function stub(name = "vscode"): unknown {
  const fn = function () {
    return stub(`${name}()`);
  };
  const props = new Map<PropertyKey, unknown>();
  return new Proxy(fn, {
    set(_t, prop, value) {
      props.set(prop, value);
      return true;
    },
    get(_t, prop) {
      if (props.has(prop)) return props.get(prop);
      if (prop === "then") return undefined; // not a thenable
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === "t") return (msg: string) => msg;
      if (prop === "get") return (_k: string, def?: unknown) => def;
      if (prop === "extensionPath" || prop === "extensionUri") return process.cwd();
      if (prop === "subscriptions") return [];
      return stub(`${name}.${String(prop)}`);
    },
    construct() {
      return stub(`new ${name}`) as object;
    },
  });
}

/** The module object: its top-level names enumerable, as the bundle's import helper copies them. */
function vscodeModule(): Record<string, unknown> {
  const names = [
    "window",
    "workspace",
    "commands",
    "l10n",
    "env",
    "Uri",
    "EventEmitter",
    "TreeItem",
    "ThemeColor",
    "ThemeIcon",
    "Disposable",
    "StatusBarAlignment",
    "TreeItemCollapsibleState",
    "ConfigurationTarget",
    "MarkdownString",
    "ProgressLocation",
    "ViewColumn",
    "languages",
    "extensions",
    "version",
  ];
  return Object.fromEntries(names.map((n) => [n, stub(n)]));
}

async function child(mode: string): Promise<void> {
  const load = (Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })._load;
  (Module as unknown as { _load: unknown })._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? vscodeModule() : load.call(this, request, ...rest);
  };
  const t0 = performance.now();
  if (mode === "extension") {
    // CommonJS on purpose: the editor loads dist/extension.js with require(), so must we.
    const ext = createRequire(import.meta.url)(resolve("dist/extension.js")) as {
      activate(ctx: unknown): unknown;
      deactivate?(): unknown;
    };
    await ext.activate(stub("context"));
  } else {
    createRequire(import.meta.url)(resolve("node_modules/ws"));
  }
  process.send!({ ms: performance.now() - t0 });
  process.exit(0);
}

function measure(mode: string): Promise<number> {
  return new Promise((res, rej) => {
    const c = fork(process.argv[1]!, ["--child", mode], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      execArgv: process.execArgv,
    });
    c.on("message", (m: { ms: number }) => res(m.ms));
    c.on("exit", (code) => {
      if (code) rej(new Error(`${mode} child exited ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const ext: number[] = [],
    ref: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ext.push(await measure("extension"));
    ref.push(await measure("reference"));
  }
  const a = median(ext),
    r = median(ref);
  console.log(
    `extension activation (load dist/extension.js + activate()), median of ${RUNS} fresh processes: ${a.toFixed(1)} ms`,
  );
  console.log(
    `  reference, loading the ws package alone: ${r.toFixed(1)} ms; ratio ${(a / r).toFixed(1)}×   (goal: activation < 100 ms)`,
  );
  console.log("BENCH " + JSON.stringify({ bench: "activation", runs: RUNS, activateMs: a, referenceMs: r }));
}

const i = process.argv.indexOf("--child");
if (i > 0)
  child(process.argv[i + 1]!).catch((e) => {
    console.error(e);
    process.exit(1);
  });
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
