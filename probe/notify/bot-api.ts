// What a Telegram answer means for the message it carried. Pure.
//
// Only the Bot API itself can refuse a message, and it always answers with a JSON
// object holding a boolean `ok`. Anything else (a proxy's HTML page, a 302 to a login
// portal, a gateway's 404) is not Telegram's verdict: the message is retried, never
// dropped. Among genuine refusals, some say the message is bad (dropped), others that
// the configuration is (the bot token, the chat): those messages wait for a fix.

export type BotVerdict =
  | { kind: "sent" }
  /** 429: wait `retryAfterMs` when the Bot API said how long, else back off */
  | { kind: "rate_limited"; retryAfterMs: number | null; why: string }
  /** a Bot API answer with a 5xx status: Telegram's own trouble, transient */
  | { kind: "server_error"; why: string }
  /** 400 can't parse entities: the HTML was wrong, plain text may pass */
  | { kind: "parse"; why: string }
  /** the token or the chat is wrong (401, 403, 404, 400 chat not found…): wait for a fix */
  | { kind: "config"; why: string }
  /** the Bot API refused this message for good (too long, empty…) */
  | { kind: "refused"; why: string }
  /** no Bot API answer at all: a proxy or gateway spoke; transient */
  | { kind: "not_bot_api"; why: string };

export interface RawAnswer {
  status: number;
  body: string;
  contentType?: string | null;
}

/** 400 descriptions that blame the chat setting, not the message. */
const CHAT_CONFIG =
  /chat not found|chat_id is empty|group chat was upgraded to a supergroup|not enough rights|have no rights|bot is not a member|bot was kicked/i;

export function readBotAnswer(a: RawAnswer): BotVerdict {
  const json = botJson(a.body);
  if (!json) return { kind: "not_bot_api", why: notBotApiWhy(a) };
  if (json.ok === true) return { kind: "sent" };
  const desc = typeof json.description === "string" ? json.description : "";
  const why = `HTTP ${a.status}${desc ? `: ${desc}` : ""}`;
  if (a.status === 429) {
    const ra = json.parameters?.retry_after;
    const ok = typeof ra === "number" && Number.isFinite(ra * 1000) && ra >= 0;
    return { kind: "rate_limited", retryAfterMs: ok ? ra * 1000 : null, why };
  }
  if (a.status >= 500) return { kind: "server_error", why };
  if (a.status === 400 && /can't parse entities/i.test(desc)) return { kind: "parse", why };
  if (a.status === 401 || a.status === 403 || a.status === 404) return { kind: "config", why };
  if (a.status === 400 && CHAT_CONFIG.test(desc)) return { kind: "config", why };
  return { kind: "refused", why };
}

interface BotJson {
  ok: boolean;
  description?: unknown;
  parameters?: { retry_after?: unknown };
}

/** The body as a Bot API answer: a JSON object with a boolean `ok`; null for anything else. */
function botJson(body: string): BotJson | null {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.ok !== "boolean") return null;
  const p = o.parameters;
  const retryAfter = typeof p === "object" && p !== null ? (p as Record<string, unknown>).retry_after : undefined;
  return { ok: o.ok, description: o.description, parameters: { retry_after: retryAfter } };
}

/** `HTTP 302 text/html: <html><head><title>Login…` — enough to recognise the proxy. */
function notBotApiWhy(a: RawAnswer): string {
  const type = a.contentType ? ` ${a.contentType.split(";")[0]!.trim()}` : "";
  const head = a.body.replace(/\s+/g, " ").trim().slice(0, 160);
  return `HTTP ${a.status}${type}${head ? `: ${head}` : " (empty body)"}`;
}
