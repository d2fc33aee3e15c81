// Driving the code-server workbench in Debian's Chromium the way a person does: keyboard
// into the command palette, clicks on tree rows, reading what the status bar shows.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { waitFor } from "./wait.js";

const CHROMIUM = process.env.E2E_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
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

export async function newPage(browser: Browser, locale?: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1480, height: 860 }, deviceScaleFactor: 1, locale });
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

// Runs in the page. A string, not a function: tsx's keepNames would wrap inner functions
// in a `__name` helper that does not exist in the page (and this project compiles without DOM types).
const READ_STATUS = `(() => {
  const items = Array.from(document.querySelectorAll(".statusbar .statusbar-item"));
  const el = items.find((e) => /watchdog/i.test(e.id) || /watchdog/i.test(e.getAttribute("aria-label") || "") || /watchdog/i.test(e.innerText));
  if (!el) return undefined;
  const inner = el.querySelector(".statusbar-item-label") || el;
  const colours = [el, inner].map((e) => getComputedStyle(e).backgroundColor);
  const background = colours.find((c) => c !== "rgba(0, 0, 0, 0)" && c !== "transparent") || colours[0];
  return { text: el.innerText.replace(/\\s+/g, " ").trim(), classes: String(el.className), background };
})()`;

/** The extension's status-bar item (the entry named "Watchdog"), read as a person sees it. */
export async function readStatus(page: Page): Promise<Status | undefined> {
  return await page.evaluate<Status | undefined>(READ_STATUS);
}

/** `rgb(199, 46, 15)` → [199, 46, 15] */
function rgb(css: string): [number, number, number] | null {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Red-dominant: the theme's statusBarItem.errorBackground, not the blue/purple bar or yellow warning. */
export function looksRed(css: string): boolean {
  const c = rgb(css);
  return c !== null && c[0] >= 150 && c[1] < 100 && c[2] < 100;
}

export async function waitStatus(
  page: Page,
  what: string,
  ok: (s: Status) => boolean,
  timeoutMs: number,
): Promise<Status> {
  let last: Status | undefined;
  return waitFor(
    `the status bar to show ${what}`,
    async () => {
      last = await readStatus(page);
      return last && ok(last) ? last : undefined;
    },
    {
      timeoutMs,
      describe: () =>
        last ? `"${last.text}" (${last.classes}; ${last.background})` : "no Watchdog item in the status bar",
    },
  );
}

/** Runs a palette command by its title, the way a person types it after F1. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator(".quick-input-widget .quick-input-box input");
  for (let attempt = 0; attempt < 3; attempt++) {
    await page
      .locator(".monaco-workbench")
      .click({ position: { x: 640, y: 300 }, trial: true })
      .catch(() => undefined);
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
  await page
    .locator(".quick-input-widget")
    .waitFor({ state: "hidden", timeout: 15_000 })
    .catch(() => {
      throw new Error(`the input box for ${what} did not close`);
    });
}

/** The rows shown in the side bar (the Watchdog container is the only one open there). */
export function sidebarRows(page: Page): Locator {
  return page.locator(".part.sidebar .monaco-list-row");
}

const READ_ROWS = `Array.from(document.querySelectorAll(".part.sidebar .monaco-list-row")).map((e) => {
  const name = e.querySelector(".label-name");
  const desc = e.querySelector(".label-description");
  const text = name ? name.innerText + (desc && desc.innerText ? " " + desc.innerText : "") : e.innerText;
  return text.replace(/\\s+/g, " ").trim();
})`;

/** Each visible side-bar row as a person reads it: "label description", whitespace folded. */
async function rowTexts(page: Page): Promise<string[]> {
  return await page.evaluate<string[]>(READ_ROWS);
}

/** Replaces the user settings the way a person does: in the settings.json editor, then save. */
export async function editUserSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await runCommand(page, "Preferences: Open User Settings (JSON)");
  const editor = page.locator(".editor-instance .monaco-editor").first();
  await editor.waitFor({ state: "visible", timeout: 15_000 }).catch(() => {
    throw new Error("the user settings.json editor did not open");
  });
  await editor.locator(".view-lines").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // one line: the editor's auto-indent has nothing to act on; closers it adds are cut below
  await page.keyboard.insertText(JSON.stringify(settings));
  await page.keyboard.press("Control+Shift+End");
  await page.keyboard.press("Delete");
  await page.keyboard.press("Control+S");
  await page
    .locator(".tabs-container .tab.active.dirty")
    .waitFor({ state: "detached", timeout: 10_000 })
    .catch(() => {
      throw new Error("settings.json stayed unsaved after Ctrl+S");
    });
}

/** `act` runs before each look: what a person does while waiting (unfold a group…). */
export async function waitRows(
  page: Page,
  what: string,
  ok: (rows: string[]) => boolean,
  timeoutMs: number,
  act?: () => Promise<unknown>,
): Promise<string[]> {
  let last: string[] = [];
  return waitFor(
    `the Watchdog view to show ${what}`,
    async () => {
      if (act) await act();
      last = await rowTexts(page);
      return ok(last) ? last : undefined;
    },
    { timeoutMs, describe: () => (last.length ? last.map((r) => `[${r}]`).join(" ") : "no rows in the side bar") },
  );
}

/** Clicks a collapsed side-bar row whose label is `label` (a person unfolding a group); false if there is none. */
export async function expandRow(page: Page, label: string): Promise<boolean> {
  const row = sidebarRows(page)
    .and(page.locator('[aria-expanded="false"]'))
    .filter({
      has: page.locator(".label-name", { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }),
    })
    .first();
  if ((await row.count()) === 0) return false;
  await row.click({ timeout: 5000 });
  return true;
}

/** Opens the Watchdog container from its activity-bar icon, as a person clicks it. */
export async function openWatchdogView(page: Page): Promise<void> {
  const icon = page
    .locator(
      ".part.activitybar .action-item a[aria-label^='Watchdog'], .part.activitybar .action-item a[aria-label*='Watchdog']",
    )
    .first();
  await icon.waitFor({ state: "visible", timeout: 30_000 }).catch(() => {
    throw new Error("no Watchdog icon in the activity bar (is the extension installed?)");
  });
  // clicking the icon of the container already shown would hide the side bar
  const selected = (await page.locator(".part.activitybar .action-item.checked a[aria-label*='Watchdog']").count()) > 0;
  if (!selected) await icon.click();
  await page.locator(".part.sidebar").waitFor({ state: "visible", timeout: 15_000 });
}

/** Drags the side bar's edge to `width` px, as a person widens it to read whole rows. */
export async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator(".part.sidebar").boundingBox();
  if (!box || box.width >= width) return;
  const edgeX = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(edgeX - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/** Dismisses notification toasts (they would cover the editor in a screenshot). */
export async function clearNotifications(page: Page): Promise<void> {
  if ((await page.locator(".notifications-toasts .notification-toast").count()) === 0) return;
  await runCommand(page, "Notifications: Clear All Notifications");
  await page
    .locator(".notifications-toasts .notification-toast")
    .first()
    .waitFor({ state: "detached", timeout: 5000 })
    .catch(() => undefined);
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
