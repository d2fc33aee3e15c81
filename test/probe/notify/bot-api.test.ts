import { describe, expect, it } from "vitest";
import { readBotAnswer, type RawAnswer } from "../../../probe/notify/bot-api.js";

const bot = (status: number, body: Record<string, unknown>): RawAnswer => ({
  status,
  body: JSON.stringify(body),
  contentType: "application/json",
});
const refusal = (status: number, description: string, extra: Record<string, unknown> = {}) =>
  bot(status, { ok: false, error_code: status, description, ...extra });

describe("readBotAnswer: only the Bot API's own answer is a verdict", () => {
  it.each<[string, RawAnswer, string]>([
    ["sent", bot(200, { ok: true, result: { message_id: 1 } }), "sent"],
    ["chat not found", refusal(400, "Bad Request: chat not found"), "config"],
    ["wrong token", refusal(401, "Unauthorized"), "config"],
    ["blocked", refusal(403, "Forbidden: bot was blocked by the user"), "config"],
    ["malformed token", refusal(404, "Not Found"), "config"],
    ["bad HTML", refusal(400, "Bad Request: can't parse entities: Unsupported start tag"), "parse"],
    ["too long", refusal(400, "Bad Request: message is too long"), "refused"],
    ["Telegram 500", refusal(500, "Internal Server Error"), "server_error"],
    ["429", refusal(429, "Too Many Requests: retry after 5", { parameters: { retry_after: 5 } }), "rate_limited"],
    ["proxy 200 page", { status: 200, body: "<html>policy</html>", contentType: "text/html" }, "not_bot_api"],
    ["proxy 302", { status: 302, body: "", contentType: "text/html" }, "not_bot_api"],
    ["gateway 404", { status: 404, body: "<h1>404 Not Found</h1>", contentType: "text/html" }, "not_bot_api"],
    ["JSON without ok", bot(403, { error: "forbidden by policy" }), "not_bot_api"],
    ["ok that is not a boolean", bot(200, { ok: "true" }), "not_bot_api"],
    ["a JSON array", { status: 200, body: "[true]" }, "not_bot_api"],
    ["cut JSON", { status: 200, body: '{"ok":tr' }, "not_bot_api"],
  ])("%s", (_name, answer, kind) => {
    expect(readBotAnswer(answer).kind).toBe(kind);
  });

  it("says what answered when it was not the Bot API", () => {
    const v = readBotAnswer({
      status: 302,
      body: "<html>\n  <a href=x>Found</a>\n</html>",
      contentType: "text/html; charset=utf-8",
    });
    expect(v).toEqual({ kind: "not_bot_api", why: "HTTP 302 text/html: <html> <a href=x>Found</a> </html>" });
    expect(readBotAnswer({ status: 404, body: "" })).toEqual({ kind: "not_bot_api", why: "HTTP 404 (empty body)" });
  });

  it("reads retry_after of any size, and none when it is missing or absurd", () => {
    const ra = (v: unknown) => readBotAnswer(refusal(429, "Too Many Requests", { parameters: { retry_after: v } }));
    expect(ra(2_200_000)).toMatchObject({ kind: "rate_limited", retryAfterMs: 2_200_000_000 });
    expect(ra(-1)).toMatchObject({ retryAfterMs: null });
    expect(ra("7")).toMatchObject({ retryAfterMs: null });
    expect(readBotAnswer(bot(429, { ok: false, error_code: 429, description: "x", parameters: null }))).toMatchObject({
      retryAfterMs: null,
    });
    expect(readBotAnswer({ status: 429, body: '{"ok":false,"parameters":{"retry_after":1e400}}' })).toMatchObject({
      retryAfterMs: null,
    });
  });
});
