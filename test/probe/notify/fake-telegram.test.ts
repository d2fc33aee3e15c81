// The fake Bot API must be at least as strict as Telegram, or the channel's tests prove nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTelegramHtml, startFakeTelegram, type FakeTelegram } from "../../helpers/fake-telegram.js";
import { postJson } from "../../../probe/notify/http.js";

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(async () => {
  await fake.close();
});

const send = (body: Record<string, unknown>, token = fake.token) =>
  postJson(`${fake.apiUrl}/bot${token}/sendMessage`, body, { timeoutMs: 5000, target: "POST fake Bot API" });

describe("fake Bot API", () => {
  it("accepts a message and answers like the Bot API", async () => {
    const r = await send({ chat_id: 42, text: "<b>hi</b> &amp; bye", parse_mode: "HTML" });
    expect(r.status).toBe(200);
    const j = JSON.parse(r.body) as unknown;
    expect(j).toMatchObject({ ok: true, result: { message_id: 1, chat: { id: 42 }, text: "hi & bye" } });
    expect(fake.messages[0]).toMatchObject({ visible: "hi & bye", parseMode: "HTML" });
  });

  it("answers the Bot API's own words for a wrong chat, a wrong token, a blocked bot", async () => {
    fake.script({ kind: "chat_not_found" }, { kind: "unauthorized" }, { kind: "blocked" });
    const got = [];
    for (let i = 0; i < 3; i++) {
      const r = await send({ chat_id: 42, text: "x" });
      got.push([r.status, JSON.parse(r.body) as unknown]);
    }
    expect(got).toEqual([
      [400, { ok: false, error_code: 400, description: "Bad Request: chat not found" }],
      [401, { ok: false, error_code: 401, description: "Unauthorized" }],
      [403, { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" }],
    ]);
  });

  it.each([200, 302, 404] as const)("plays a proxy answering %i with an HTML page", async (status) => {
    fake.script({ kind: "proxy_html", status });
    const r = await send({ chat_id: 42, text: "x" });
    expect(r.status).toBe(status);
    expect(r.contentType).toMatch(/^text\/html/);
    expect(r.body).toMatch(/^<(!DOCTYPE )?html/i);
    expect(() => JSON.parse(r.body) as unknown).toThrow();
  });

  it("answers 401 Unauthorized for a wrong token", async () => {
    const r = await send({ chat_id: 42, text: "x" }, "1:nope");
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
  });

  it("answers 400 can't parse entities for bad HTML, and 'too long' above 4096 visible characters", async () => {
    const bad = await send({ chat_id: 42, text: "a <foo> b", parse_mode: "HTML" });
    expect(bad.status).toBe(400);
    expect((JSON.parse(bad.body) as { description: string }).description).toMatch(
      /^Bad Request: can't parse entities: Unsupported start tag "foo"/,
    );
    const long = await send({ chat_id: 42, text: "x".repeat(4097) });
    expect(JSON.parse(long.body)).toMatchObject({ error_code: 400, description: "Bad Request: message is too long" });
    const fits = await send({ chat_id: 42, text: `<b>${"&lt;".repeat(4096)}</b>`, parse_mode: "HTML" });
    expect(fits.status).toBe(200);
  });

  it("answers scripted 429 with parameters.retry_after", async () => {
    fake.script({ kind: "retry_after", seconds: 3 });
    const r = await send({ chat_id: 42, text: "x" });
    expect(r.status).toBe(429);
    expect(JSON.parse(r.body)).toEqual({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 3",
      parameters: { retry_after: 3 },
    });
  });

  it("checks HTML the way Telegram does", () => {
    expect(checkTelegramHtml("<b>a</b> <i>b</i> <code>c</code> &lt;&gt;&amp;&quot;&#65;")).toEqual({
      ok: true,
      visible: 'a b c <>&"A',
    });
    for (const bad of [
      "a < b",
      "a > b",
      "<b>x",
      "<b>x</i>",
      "x </b>",
      "R&D",
      "<script>x</script>",
      "&#9999999;",
      "&#x110000;",
    ]) {
      expect(checkTelegramHtml(bad).ok, bad).toBe(false);
    }
  });
});
