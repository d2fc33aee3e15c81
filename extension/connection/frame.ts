// One inbound WebSocket frame → a validated ServerMessage, a reason to drop it, or a reason to
// skip it (docs/protocol.md, "Forward compatibility": a newer probe's message types are skipped,
// and a hello of a newer major version ends the connection instead of failing validation). Pure. The reason never carries more of the frame than a short, escaped prefix: frames hold
// command lines, and the log is not the place to reproduce remote text at length.
import english from "zod/v4/locales/en.js";
import { MAX_PROCESSES, PROTOCOL_VERSION, ServerMessageSchema, type ServerMessage } from "../../probe/protocol.js";

const PREFIX_CHARS = 40;
/** zod/mini loads no messages of its own: without these a reason would read only "Invalid input". */
const messages = { error: english().localeError };

export type FrameResult =
  | { ok: true; msg: ServerMessage; skip?: undefined }
  /** invalid: dropped and counted */
  | { ok: false; reason: string; skip?: undefined }
  /** a message type this client does not know (a newer probe's): skipped, not an error */
  | { ok: false; reason: string; skip: "unknown-type" }
  /** a hello of a newer major protocol: this client cannot read the probe */
  | { ok: false; reason: string; skip: "newer-protocol"; protocol: number };

/** Every message type of the protocol; a type missing here fails to compile. */
const KNOWN_TYPES: Record<ServerMessage["type"], true> = { hello: true, snapshot: true, decision: true };

function framePrefix(text: string): string {
  const cut = text.length > PREFIX_CHARS ? text.slice(0, PREFIX_CHARS) + "…" : text;
  return JSON.stringify(cut);
}

/** Cheap guards before zod walks the value: a list far over the probe's own cap is hostile, not data. */
function oversizedList(v: Record<string, unknown>): string | null {
  if (v.type === "snapshot" && Array.isArray(v.processes) && v.processes.length > MAX_PROCESSES) {
    return `snapshot.processes has ${v.processes.length} entries (the probe sends at most ${MAX_PROCESSES})`;
  }
  return null;
}

export function parseServerFrame(data: string | Buffer, isBinary: boolean, bytes: number): FrameResult {
  if (isBinary) return { ok: false, reason: `binary frame of ${bytes} bytes (the protocol is JSON text)` };
  const text = typeof data === "string" ? data : data.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: `invalid JSON (${bytes} bytes, starts ${framePrefix(text)})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: `not a JSON object (${bytes} bytes, starts ${framePrefix(text)})` };
  }
  const v = value as Record<string, unknown>;
  const type = typeof v.type === "string" ? JSON.stringify(v.type.slice(0, PREFIX_CHARS)) : "missing";
  if (typeof v.type === "string" && !Object.hasOwn(KNOWN_TYPES, v.type)) {
    return { ok: false, skip: "unknown-type", reason: `skipped a frame of unknown type ${type} (${bytes} bytes)` };
  }
  if (v.type === "hello" && Number.isSafeInteger(v.protocol) && (v.protocol as number) > PROTOCOL_VERSION) {
    const protocol = v.protocol as number;
    return {
      ok: false,
      skip: "newer-protocol",
      protocol,
      reason: `this probe speaks protocol ${protocol}; update the extension (it speaks ${PROTOCOL_VERSION})`,
    };
  }
  const big = oversizedList(v);
  if (big) return { ok: false, reason: `${type} frame rejected: ${big}` };
  const r = ServerMessageSchema.safeParse(value, messages);
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    const more = r.error.issues.length > 3 ? ` (+${r.error.issues.length - 3} more)` : "";
    return { ok: false, reason: `type ${type} frame of ${bytes} bytes failed the schema: ${first.join("; ")}${more}` };
  }
  return { ok: true, msg: r.data };
}
