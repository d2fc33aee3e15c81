// The manifest and the code agree: every command a menu or the welcome view names is
// declared and registered, the view id matches, icons exist, activation is lazy.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localProbeEnv } from "../../../extension/settings.js";

const root = join(import.meta.dirname, "../../..");
/** The parts of package.json these tests read. */
interface Manifest {
  activationEvents: string[];
  main: string;
  icon: string;
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: {
    commands: Array<{ command: string; category?: string }>;
    menus: Record<string, Array<{ command: string; when: string }>>;
    viewsWelcome: Array<{ contents: string }>;
    views: { watchdog: Array<{ id: string }> };
    viewsContainers: { activitybar: Array<{ id: string; icon: string }> };
    configuration: { properties: Record<string, { default?: unknown }> };
  };
}
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
const nls = JSON.parse(readFileSync(join(root, "package.nls.json"), "utf8")) as Record<string, string>;
const declared = pkg.contributes.commands.map((c) => c.command);

describe("package.json contributes", () => {
  // The status-bar alarm must show without opening the sidebar, yet never delay start-up:
  // after start-up finishes, not on `*`. VS Code infers onView/onCommand from contributes.
  it("activates once start-up has finished, never on *", () => {
    expect(pkg.activationEvents).toEqual(["onStartupFinished"]);
    expect(pkg.main).toBe("./dist/extension.js");
  });

  it("registers every declared command, and declares every registered one", () => {
    const src = readFileSync(join(root, "extension/commands/index.ts"), "utf8");
    const registered = [...src.matchAll(/command\("(watchdog\.\w+)"/g)].map((m) => m[1]);
    if (src.includes("command(FOCUS_COMMAND")) registered.push("watchdog.focus");
    expect([...registered].sort()).toEqual([...declared].sort());
    for (const c of pkg.contributes.commands) expect(c.category).toBe("%category%");
  });

  it("points menus and welcome buttons at declared commands only", () => {
    const menus = Object.values(pkg.contributes.menus).flat();
    expect(menus.length).toBeGreaterThan(10);
    for (const m of menus) {
      expect(declared).toContain(m.command);
      expect(m.when).toMatch(/^view == watchdog\.probes/);
    }
    const welcome = nls[pkg.contributes.viewsWelcome[0]!.contents.replace(/%/g, "")]!;
    const links = [...welcome.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
    expect(links).toEqual(["watchdog.connect", "watchdog.startLocalProbe", "watchdog.openSettings"]);
    for (const l of links) expect(declared).toContain(l);
  });

  it("matches the ids the code uses", () => {
    const tree = readFileSync(join(root, "extension/views/tree.ts"), "utf8");
    const viewId = /VIEW_ID = "([^"]+)"/.exec(tree)?.[1];
    expect(pkg.contributes.views.watchdog[0]!.id).toBe(viewId);
    expect(pkg.contributes.viewsContainers.activitybar[0]!.id).toBe("watchdog");
  });

  it("ships its icons: a 128×128 PNG for the marketplace and an SVG for the activity bar", () => {
    const png = readFileSync(join(root, pkg.icon));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    expect(readFileSync(join(root, pkg.contributes.viewsContainers.activitybar[0]!.icon), "utf8")).toMatch(/^<svg/);
  });

  it("declares the settings the code reads, with defaults the code accepts", () => {
    const props = pkg.contributes.configuration.properties;
    expect(Object.keys(props).sort()).toEqual([
      "watchdog.localProbe.autoStart",
      "watchdog.localProbe.env",
      "watchdog.notifications.enabled",
      "watchdog.probes",
    ]);
    expect(localProbeEnv(props["watchdog.localProbe.env"]!.default)).toEqual({
      env: { WATCHDOG_PROC_ENABLED: "true" },
      errors: [],
    });
    expect(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations).toContain("watchdog.probes");
  });
});
