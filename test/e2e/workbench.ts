// Driving the code-server workbench in Debian's Chromium the way a person does: keyboard
// into the command palette, clicks on tree rows, reading what the status bar shows.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { waitFor } from "./wait.js";

export const CHROMIUM = process.env.E2E_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

export async function newPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Opens the workbench and waits until the status bar and the extension host are up. */
export async function openWorkbench(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await page.locator(".statusbar").waitFor({ state: "visible", timeout: 90_000 });
}

export interface Status {
  text: string;
  /** the item's classes, e.g. `statusbar-item … error-kind` */
  classes: string;
  /** computed background colour of the item */
  background: string;
}

/** The extension's status-bar item (the entry named "Watchdog"), read as a person sees it. */
export async function readStatus(page: Page): Promise<Status | undefined> {
  // runs in the page; typed loosely because this project compiles without the DOM library
  return page.evaluate(() => {
    const g = globalThis as any;
    const items: any[] = Array.from(g.document.querySelectorAll(".statusbar .statusbar-item"));
    const named = (e: any): boolean =>
      /watchdog/i.test(e.id) || /watchdog/i.test(e.getAttribute("aria-label") ?? "") || /watchdog/i.test(e.innerText);
    const el = items.find(named);
    if (!el) return undefined;
    const inner = el.querySelector(".statusbar-item-label") ?? el;
    const bg = (e: any): string => g.getComputedStyle(e).backgroundColor as string;
    const background = [el, inner].map(bg).find((c) => c !== "rgba(0, 0, 0, 0)" && c !== "transparent") ?? bg(el);
    return { text: String(el.innerText).replace(/\s+/g, " ").trim(), classes: String(el.className), background };
  });
}

/** `rgb(199, 46, 15)` → [199, 46, 15] */
export function rgb(css: string): [number, number, number] | null {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Red-dominant: the theme's statusBarItem.errorBackground, not the blue/purple bar or yellow warning. */
export function looksRed(css: string): boolean {
  const c = rgb(css);
  return c !== null && c[0] >= 150 && c[1] < 100 && c[2] < 100;
}

export async function waitStatus(page: Page, what: string, ok: (s: Status) => boolean, timeoutMs: number): Promise<Status> {
  let last: Status | undefined;
  return waitFor(`the status bar to show ${what}`, async () => {
    last = await readStatus(page);
    return last && ok(last) ? last : undefined;
  }, { timeoutMs, describe: () => (last ? `"${last.text}" (${last.classes}; ${last.background})` : "no Watchdog item in the status bar") });
}

/** Runs a palette command by its title, the way a person types it after F1. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator(".quick-input-widget .quick-input-box input");
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.locator(".monaco-workbench").click({ position: { x: 640, y: 300 }, trial: true }).catch(() => undefined);
    await page.keyboard.press("F1");
    try {
      await input.waitFor({ state: "visible", timeout: 5000 });
      break;
    } catch {
      if (attempt === 2) throw new Error(`the command palette did not open (F1) to run "${title}"`);
    }
  }
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: 15_000 }).catch(() => {
    throw new Error(`the command palette has no command "${title}"`);
  });
  await input.press("Enter");
}

/** Answers whatever the quick input asks next: picks `pick` if given, else types `text` and Enter. */
export async function answerQuickInput(page: Page, o: { pick?: string; text?: string; what: string }): Promise<void> {
  const widget = page.locator(".quick-input-widget");
  const input = widget.locator(".quick-input-box input");
  await input.waitFor({ state: "visible", timeout: 15_000 }).catch(() => {
    throw new Error(`no input box appeared for ${o.what}`);
  });
  if (o.pick !== undefined) {
    const row = widget.locator(".monaco-list-row", { hasText: o.pick }).first();
    await row.waitFor({ state: "visible", timeout: 15_000 }).catch(() => {
      throw new Error(`the picker for ${o.what} has no entry "${o.pick}"`);
    });
    await row.click();
    return;
  }
  await input.fill(o.text ?? "");
  await input.press("Enter");
}

export async function waitQuickInputClosed(page: Page, what: string): Promise<void> {
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 15_000 }).catch(() => {
    throw new Error(`the input box for ${what} did not close`);
  });
}

/** The rows shown in the side bar (the Watchdog container is the only one open there). */
export function sidebarRows(page: Page): Locator {
  return page.locator(".part.sidebar .monaco-list-row");
}

/** Each visible side-bar row as a person reads it: label and description, whitespace folded. */
export async function rowTexts(page: Page): Promise<string[]> {
  return sidebarRows(page).evaluateAll((els) => els.map((e) => String((e as unknown as { innerText: string }).innerText).replace(/\s+/g, " ").trim()));
}

export async function waitRows(page: Page, what: string, ok: (rows: string[]) => boolean, timeoutMs: number): Promise<string[]> {
  let last: string[] = [];
  return waitFor(`the Watchdog view to show ${what}`, async () => {
    last = await rowTexts(page);
    return ok(last) ? last : undefined;
  }, { timeoutMs, describe: () => (last.length ? last.map((r) => `[${r}]`).join(" ") : "no rows in the side bar") });
}

/** Opens the Watchdog container from its activity-bar icon, as a person clicks it. */
export async function openWatchdogView(page: Page): Promise<void> {
  const icon = page.locator(".part.activitybar .action-item a[aria-label^='Watchdog'], .part.activitybar .action-item a[aria-label*='Watchdog']").first();
  await icon.waitFor({ state: "visible", timeout: 30_000 }).catch(() => {
    throw new Error("no Watchdog icon in the activity bar (is the extension installed?)");
  });
  const selected = await icon.evaluate((a) => a.closest(".action-item")?.classList.contains("checked") ?? false);
  if (!selected) await icon.click();
  await page.locator(".part.sidebar").waitFor({ state: "visible", timeout: 15_000 });
}

export class Shots {
  readonly taken: string[] = [];
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  async take(page: Page, name: string): Promise<string> {
    const path = join(this.dir, `${name}.png`);
    await page.screenshot({ path, timeout: 15_000 }).catch(() => undefined);
    this.taken.push(path);
    return path;
  }
}
