// `watchdog.probes` (the user's settings) → typed targets. Pure: one bad entry is reported
// with its index and field and never hides the good ones.
import { z } from "zod";
import type { ProbeTarget } from "./types.js";

/** Names are the key of a probe's token in SecretStorage and of its tree node. */
const NameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(64, "at most 64 characters")
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters");

const FingerprintSchema = z
  .string()
  .trim()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must look like "SHA256:" followed by 43 base64 characters (as `ssh-keygen -lf` prints it)');

const PortSchema = z.number().int().min(1).max(65_535);

const DirectSchema = z.strictObject({
  name: NameSchema,
  url: z
    .string()
    .trim()
    .refine((u) => {
      try {
        const p = new URL(u);
        return (p.protocol === "ws:" || p.protocol === "wss:") && p.hostname !== "";
      } catch {
        return false;
      }
    }, "must be a ws:// or wss:// URL"),
});

const SshSchema = z.strictObject({
  name: NameSchema,
  ssh: z.strictObject({
    host: z.string().trim().min(1, "must not be empty"),
    port: PortSchema.default(22),
    username: z.string().trim().min(1, "must not be empty"),
    identityFile: z.string().trim().min(1).optional(),
    remotePort: PortSchema,
    remoteHost: z.string().trim().min(1).optional(),
  }),
  hostKeyFingerprint: FingerprintSchema.optional(),
});

/** Reserved for the probe the extension starts on this machine. */
export const LOCAL_PROBE_NAME = "local";

function issuesText(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.length ? `${prefix}.${i.path.join(".")}` : prefix;
    return `${path}: ${i.message}`;
  });
}

export function parseProbeSettings(raw: unknown): { targets: ProbeTarget[]; errors: string[] } {
  const targets: ProbeTarget[] = [];
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { targets, errors };
  if (!Array.isArray(raw)) {
    return { targets, errors: ["watchdog.probes: must be a list of probes"] };
  }
  const seen = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const at = `watchdog.probes[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      errors.push(`${at}: must be an object with "name" and either "url" or "ssh"`);
      return;
    }
    const hasUrl = "url" in entry;
    const hasSsh = "ssh" in entry;
    if (hasUrl === hasSsh) {
      errors.push(`${at}: needs exactly one of "url" (direct ws:// or wss://) or "ssh" (tunnel)`);
      return;
    }
    let target: ProbeTarget;
    if (hasUrl) {
      const r = DirectSchema.safeParse(entry);
      if (!r.success) return void errors.push(...issuesText(at, r.error));
      target = { kind: "direct", name: r.data.name, url: r.data.url };
    } else {
      const r = SshSchema.safeParse(entry);
      if (!r.success) return void errors.push(...issuesText(at, r.error));
      const s = r.data.ssh;
      target = {
        kind: "ssh",
        name: r.data.name,
        ssh: {
          host: s.host,
          port: s.port,
          username: s.username,
          remotePort: s.remotePort,
          ...(s.identityFile !== undefined ? { identityFile: s.identityFile } : {}),
          ...(s.remoteHost !== undefined ? { remoteHost: s.remoteHost } : {}),
        },
        ...(r.data.hostKeyFingerprint !== undefined ? { hostKeyFingerprint: r.data.hostKeyFingerprint } : {}),
      };
    }
    if (target.name === LOCAL_PROBE_NAME) {
      errors.push(`${at}.name: "${LOCAL_PROBE_NAME}" is reserved for the probe started on this machine`);
      return;
    }
    if (seen.has(target.name)) {
      errors.push(`${at}.name: "${target.name}" is used by an earlier probe; names must be unique`);
      return;
    }
    seen.add(target.name);
    targets.push(target);
  });
  return { targets, errors };
}
