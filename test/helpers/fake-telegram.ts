// A local stand-in for the Telegram Bot API (no outside network here): a real HTTP
// server on 127.0.0.1 that answers `POST /bot<token>/sendMessage` the way
// https://core.telegram.org/bots/api documents it, records what it received, and can
// be told to misbehave (429, 5xx, parse errors, a wrong chat or token, a blocked bot,
// a proxy's HTML page, connection resets, hangs).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";

export type FakeAnswer =
  | { kind: "ok" }
  /** 429 Too Many Requests with parameters.retry_after */
  | { kind: "retry_after"; seconds: number }
  /** any other status with the Bot API error body, e.g. 500, 502, 403 */
  | { kind: "status"; status: number; description?: string }
  /** 400 can't parse entities, whatever the text */
  | { kind: "parse_error" }
  /** the Bot API's own refusals when the configuration is wrong, word for word */
  | { kind: "chat_not_found" }
  | { kind: "unauthorized" }
  | { kind: "blocked" }
  /** not the Bot API: a proxy or gateway in front of it answers with an HTML page (a 302 to a login page) */
  | { kind: "proxy_html"; status: 200 | 302 | 404 | 502 }
  /** the connection is destroyed without an answer */
  | { kind: "reset" }
  /** the request is read and never answered */
  | { kind: "hang" };

export interface FakeRequest {
  at: number;
  method: string;
  tokenOk: boolean;
  body: Record<string, unknown> | null;
  /** what the fake did: an HTTP status, "reset" or "hang" */
  answer: number | "reset" | "hang";
}

export interface FakeMessage {
  at: number;
  messageId: number;
  chatId: string | number;
  /** the text as sent (with markup when parse_mode is HTML) */
  text: string;
  /** the text a reader sees (tags removed, entities decoded) */
  visible: string;
  parseMode: string | null;
  disableWebPagePreview: boolean;
}

export interface FakeTelegram {
  /** base URL to use as WATCHDOG_TELEGRAM_API_URL */
  apiUrl: string;
  token: string;
  port: number;
  requests: FakeRequest[];
  messages: FakeMessage[];
  /** queues answers for the next authorized sendMessage requests, in order */
  script(...answers: FakeAnswer[]): void;
  waitFor(pred: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What a corporate proxy or a gateway sends instead of the Bot API's JSON. */
const PROXY_PAGES: Record<200 | 302 | 404 | 502, string> = {
  200: "<!DOCTYPE html>\n<html><head><title>Access policy</title></head><body><h1>Please accept the acceptable use policy</h1></body></html>\n",
  302: '<html><head><title>302 Found</title></head><body><a href="https://proxy.corp.example/login">Found</a></body></html>\n',
  404: "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
  502: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
};

/** Bot API limit on a message's visible text. */
const MAX_TEXT = 4096;

/** Tags Telegram's HTML parse mode accepts. */
const TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "tg-emoji",
  "code",
  "pre",
  "blockquote",
]);

/**
 * Checks text as Telegram's HTML parse mode does: only supported tags, properly
 * nested and closed; `<`, `>` and `&` only as markup or as `&lt;` `&gt;` `&amp;`
 * `&quot;` / numeric entities. (Telegram tolerates a lone `&` in some positions;
 * this fake is stricter on purpose, so unescaped output fails the tests.)
 */
export function checkTelegramHtml(text: string): { ok: true; visible: string } | { ok: false; error: string } {
  const stack: string[] = [];
  let visible = "";
  const off = (i: number) => Buffer.byteLength(text.slice(0, i));
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "<") {
      const end = text.indexOf(">", i);
      if (end < 0) return { ok: false, error: `Can't find end of the tag starting at byte offset ${off(i)}` };
      const inner = text.slice(i + 1, end);
      if (inner.startsWith("/")) {
        const name = inner.slice(1).trim().toLowerCase();
        const open = stack.pop();
        if (open === undefined) return { ok: false, error: `Unexpected end tag at byte offset ${off(i)}` };
        if (open !== name)
          return {
            ok: false,
            error: `Unmatched end tag at byte offset ${off(i)}, expected "</${open}>", found "</${name}>"`,
          };
      } else {
        const m = /^([a-zA-Z][a-zA-Z0-9-]*)(\s[^]*)?$/.exec(inner);
        if (!m) return { ok: false, error: `Unexpected end of name token at byte offset ${off(i)}` };
        const name = m[1]!.toLowerCase();
        if (!TAGS.has(name)) return { ok: false, error: `Unsupported start tag "${name}" at byte offset ${off(i)}` };
        stack.push(name);
      }
      i = end + 1;
      continue;
    }
    if (c === ">")
      return { ok: false, error: `Character '>' is reserved and must be escaped with "&gt;" (byte offset ${off(i)})` };
    if (c === "&") {
      const m = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/.exec(text.slice(i, i + 12));
      if (!m) return { ok: false, error: `Character '&' must be escaped with "&amp;" (byte offset ${off(i)})` };
      const e = m[1]!;
      const cp = e.startsWith("#x") ? parseInt(e.slice(2), 16) : e.startsWith("#") ? parseInt(e.slice(1), 10) : 0;
      // String.fromCodePoint throws past U+10FFFF, which would crash the fake's request handler
      if (cp > 0x10ffff) return { ok: false, error: `Invalid character entity "${m[0]}" (byte offset ${off(i)})` };
      visible +=
        e === "lt" ? "<" : e === "gt" ? ">" : e === "amp" ? "&" : e === "quot" ? '"' : String.fromCodePoint(cp);
      i += m[0].length;
      continue;
    }
    visible += c;
    i++;
  }
  const open = stack.pop();
  if (open !== undefined) return { ok: false, error: `Can't find end tag corresponding to start tag "${open}"` };
  return { ok: true, visible };
}

export async function startFakeTelegram(opts: { token?: string; now?: () => number } = {}): Promise<FakeTelegram> {
  const token = opts.token ?? "123456:TEST-fake_token_abcdefghijklmnop";
  const now = opts.now ?? (() => Date.now());
  const requests: FakeRequest[] = [];
  const messages: FakeMessage[] = [];
  const queue: FakeAnswer[] = [];
  const sockets = new Set<Socket>();
  let nextId = 1;

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const data = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
    res.end(data);
  };
  const fail = (res: http.ServerResponse, status: number, description: string, extra: Record<string, unknown> = {}) =>
    send(res, status, { ok: false, error_code: status, description, ...extra });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec((req.url ?? "").split("?")[0]!);
      const tokenOk = m !== null && m[1] === token;
      const method = m?.[2]?.toLowerCase() ?? "";
      let body: Record<string, unknown> | null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      } catch {
        body = null;
      }
      const rec: FakeRequest = { at: now(), method, tokenOk, body, answer: 200 };
      requests.push(rec);
      const answer = (status: number) => {
        rec.answer = status;
      };

      if (!m) {
        answer(404);
        return fail(res, 404, "Not Found");
      }
      if (!tokenOk) {
        answer(401);
        return fail(res, 401, "Unauthorized");
      }
      if (method !== "sendmessage") {
        answer(404);
        return fail(res, 404, "Not Found");
      }
      if (req.method !== "POST" && req.method !== "GET") {
        answer(405);
        return fail(res, 405, "Method Not Allowed");
      }

      const scripted = queue.shift();
      if (scripted?.kind === "reset") {
        rec.answer = "reset";
        req.socket.destroy();
        return;
      }
      if (scripted?.kind === "hang") {
        rec.answer = "hang";
        return;
      }
      if (scripted?.kind === "retry_after") {
        answer(429);
        return fail(res, 429, `Too Many Requests: retry after ${scripted.seconds}`, {
          parameters: { retry_after: scripted.seconds },
        });
      }
      if (scripted?.kind === "status") {
        answer(scripted.status);
        return fail(
          res,
          scripted.status,
          scripted.description ?? (scripted.status >= 500 ? "Internal Server Error" : "Bad Request"),
        );
      }
      if (scripted?.kind === "chat_not_found") {
        answer(400);
        return fail(res, 400, "Bad Request: chat not found");
      }
      if (scripted?.kind === "unauthorized") {
        answer(401);
        return fail(res, 401, "Unauthorized");
      }
      if (scripted?.kind === "blocked") {
        answer(403);
        return fail(res, 403, "Forbidden: bot was blocked by the user");
      }
      if (scripted?.kind === "proxy_html") {
        answer(scripted.status);
        const page = PROXY_PAGES[scripted.status];
        res.writeHead(scripted.status, {
          "content-type": "text/html; charset=utf-8",
          "content-length": Buffer.byteLength(page),
          ...(scripted.status === 302 ? { location: "https://proxy.corp.example/login?next=%2Fbot" } : {}),
        });
        return res.end(page);
      }
      if (scripted?.kind === "parse_error") {
        answer(400);
        return fail(res, 400, 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0');
      }

      const chatId = body?.chat_id;
      const text = body?.text;
      if (chatId === undefined || chatId === null || chatId === "") {
        answer(400);
        return fail(res, 400, "Bad Request: chat_id is empty");
      }
      if (typeof text !== "string" || text.trim() === "") {
        answer(400);
        return fail(res, 400, "Bad Request: message text is empty");
      }
      const parseMode = typeof body?.parse_mode === "string" ? body.parse_mode : null;
      let visible = text;
      if (parseMode !== null) {
        if (parseMode.toLowerCase() !== "html") {
          answer(400);
          return fail(res, 400, `Bad Request: unsupported parse_mode "${parseMode}"`);
        }
        const chk = checkTelegramHtml(text);
        if (!chk.ok) {
          answer(400);
          return fail(res, 400, `Bad Request: can't parse entities: ${chk.error}`);
        }
        visible = chk.visible;
      }
      if (visible.length > MAX_TEXT) {
        answer(400);
        return fail(res, 400, "Bad Request: message is too long");
      }
      const messageId = nextId++;
      messages.push({
        at: rec.at,
        messageId,
        chatId: chatId as string | number,
        text,
        visible,
        parseMode,
        disableWebPagePreview: body?.disable_web_page_preview === true,
      });
      send(res, 200, {
        ok: true,
        result: {
          message_id: messageId,
          from: {
            id: Number(token.split(":")[0]),
            is_bot: true,
            first_name: "Watchdog (fake)",
            username: "watchdog_fake_bot",
          },
          chat: { id: chatId, type: "private" },
          date: Math.floor(rec.at / 1000),
          text: visible,
        },
      });
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    apiUrl: `http://127.0.0.1:${port}`,
    token,
    port,
    requests,
    messages,
    script: (...answers) => {
      queue.push(...answers);
    },
    async waitFor(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > deadline)
          throw new Error(
            `fake Telegram: condition not met within ${timeoutMs} ms (${requests.length} requests, ${messages.length} messages)`,
          );
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
