// Settings the commands write and the wiring reads. Pure: validation of what the user
// types into input boxes, and the new `watchdog.probes` value built from it.
import type { Translate } from "./views/format.js";
import { LOCAL_PROBE_NAME } from "./connection/settings.js";

export const SECTION = "watchdog";
export const PROBES = "probes";
export const NOTIFICATIONS_ENABLED = "notifications.enabled";
export const LOCAL_AUTOSTART = "localProbe.autoStart";
export const LOCAL_ENV = "localProbe.env";

export interface DirectEntry {
  name: string;
  url: string;
}

export interface SshEntry {
  name: string;
  ssh: { host: string; port: number; username: string; identityFile?: string; remotePort: number; remoteHost?: string };
  hostKeyFingerprint?: string;
}

/** Names already used in the raw `watchdog.probes` value (entries we cannot read are skipped). */
export function probeNames(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((e: unknown) =>
    typeof e === "object" && e !== null && typeof (e as { name?: unknown }).name === "string"
      ? [(e as { name: string }).name]
      : [],
  );
}

export function validateName(name: string, taken: readonly string[], t: Translate): string | undefined {
  const n = name.trim();
  if (n === "") return t("Enter a name for the probe.");
  // the same rules as `watchdog.probes` itself (connection/settings.ts), so what the
  // command writes is always accepted when read back
  if (n.length > 64) return t("Use at most 64 characters.");
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(n)) return t("Leave control characters out of the name.");
  if (n === LOCAL_PROBE_NAME) return t('"local" is reserved for the probe the extension starts.');
  if (taken.some((x) => x.trim() === n)) return t("A probe named {0} already exists.", n);
  return undefined;
}

export function validateWsUrl(url: string, t: Translate): string | undefined {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return t("Enter a URL such as ws://127.0.0.1:8787/v1/stream.");
  }
  if (u.protocol !== "ws:" && u.protocol !== "wss:") return t("The URL must start with ws:// or wss://.");
  // the token lives in SecretStorage; a URL with credentials would put it in settings.json
  if (u.username !== "" || u.password !== "")
    return t('Leave credentials out of the URL; use "Set Token for a Probe".');
  return undefined;
}

export function validatePort(text: string, t: Translate): string | undefined {
  const n = Number(text.trim());
  return Number.isInteger(n) && n >= 1 && n <= 65_535 ? undefined : t("Enter a port between 1 and 65535.");
}

export function validateRequired(text: string, t: Translate): string | undefined {
  return text.trim() === "" ? t("This field is required.") : undefined;
}

/** The setting with one more entry; entries we do not understand are kept as they were. */
export function withProbe(raw: unknown, entry: DirectEntry | SshEntry): unknown[] {
  return [...(Array.isArray(raw) ? (raw as unknown[]) : []), entry];
}

export function directEntry(name: string, url: string): DirectEntry {
  return { name: name.trim(), url: url.trim() };
}

export function sshEntry(i: {
  name: string;
  host: string;
  port: string;
  username: string;
  identityFile: string;
  remotePort: string;
}): SshEntry {
  const ssh: SshEntry["ssh"] = {
    host: i.host.trim(),
    port: Number(i.port.trim()),
    username: i.username.trim(),
    remotePort: Number(i.remotePort.trim()),
  };
  if (i.identityFile.trim() !== "") ssh.identityFile = i.identityFile.trim();
  return { name: i.name.trim(), ssh };
}

/** `watchdog.localProbe.env`: only WATCHDOG_* names with string (or number/boolean) values pass. */
export function localProbeEnv(raw: unknown): { env: Record<string, string>; errors: string[] } {
  const env: Record<string, string> = {};
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { env, errors };
  if (typeof raw !== "object" || Array.isArray(raw))
    return { env, errors: ["watchdog.localProbe.env: expected an object of WATCHDOG_* variables"] };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^WATCHDOG_[A-Z0-9_]+$/.test(k))
      errors.push(`watchdog.localProbe.env: ${k} is not a WATCHDOG_* variable; ignored`);
    else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") env[k] = String(v);
    else errors.push(`watchdog.localProbe.env.${k}: expected a string; ignored`);
  }
  return { env, errors };
}
