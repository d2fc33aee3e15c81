// `watchdog.probes` (the user's settings) → typed targets. Pure: one bad entry is reported
// with its index and field and never hides the good ones.
// zod/mini keeps activation cheap; it loads no messages of its own, so every parse passes the
// English locale (the same texts classic zod shows, e.g. "Invalid input: expected number, received string").
import * as z from "zod/mini";
import english from "zod/v4/locales/en.js";
import type { ProbeTarget } from "./types.js";

const messages = { error: english().localeError };

/** Names are the key of a probe's token in SecretStorage and of its tree node. */
const NameSchema = z.string().check(
  z.trim(),
  z.minLength(1, "must not be empty"),
  z.maxLength(64, "at most 64 characters"),
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  z.regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters"),
);

const FingerprintSchema = z
  .string()
  .check(
    z.trim(),
    z.regex(
      /^SHA256:[A-Za-z0-9+/]{43}=?$/,
      'must look like "SHA256:" followed by 43 base64 characters (as `ssh-keygen -lf` prints it)',
    ),
  );

const PortSchema = z
  .int()
  .check(z.gte(1, "must be a port number from 1 to 65535"), z.lte(65_535, "must be a port number from 1 to 65535"));

const nonEmpty = () => z.string().check(z.trim(), z.minLength(1, "must not be empty"));

const DirectSchema = z.strictObject({
  name: NameSchema,
  url: z.string().check(
    z.trim(),
    z.refine((u) => {
      try {
        const p = new URL(u);
        return (p.protocol === "ws:" || p.protocol === "wss:") && p.hostname !== "";
      } catch {
        return false;
      }
    }, "must be a ws:// or wss:// URL"),
  ),
});

const SshSchema = z.strictObject({
  name: NameSchema,
  ssh: z.strictObject({
    host: nonEmpty(),
    port: z._default(PortSchema, 22),
    username: nonEmpty(),
    identityFile: z.optional(nonEmpty()),
    remotePort: PortSchema,
    remoteHost: z.optional(nonEmpty()),
  }),
  hostKeyFingerprint: z.optional(FingerprintSchema),
});

/** Reserved for the probe the extension starts on this machine. */
export const LOCAL_PROBE_NAME = "local";

function issuesText(prefix: string, error: z.core.$ZodError): string[] {
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
      const r = DirectSchema.safeParse(entry, messages);
      if (!r.success) return void errors.push(...issuesText(at, r.error));
      target = { kind: "direct", name: r.data.name, url: r.data.url };
    } else {
      const r = SshSchema.safeParse(entry, messages);
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
