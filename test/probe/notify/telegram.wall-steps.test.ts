// The Telegram channel spaces its requests by elapsed time: a wall clock stepped back an
// hour between two messages must not hold the second one for an hour.
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { silentLogger } from "../../../probe/log.js";
import { createTelegram } from "../../../probe/notify/telegram.js";
import { startFakeTelegram, type FakeTelegram } from "../../helpers/fake-telegram.js";

let fake: FakeTelegram;
beforeAll(async () => {
  fake = await startFakeTelegram();
});
afterAll(() => fake.close());
afterEach(() => {
  vi.useRealTimers();
});

it("a wall-clock step back between two messages leaves the spacing at the minimum interval", async () => {
  const waits: number[] = [];
  // the channel's own clock (no `now` given); only the waits are recorded, and end at once
  const tg = createTelegram(
    { botToken: fake.token, chatId: "1", apiUrl: fake.apiUrl, outboxMax: 10 },
    {
      log: silentLogger,
      minIntervalMs: 1000,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    },
  );
  vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-06-15T12:00:00Z") });
  tg.enqueue({ key: "a", action: "alert", html: "a", plain: "a" });
  await tg.flush(5000);
  vi.setSystemTime(Date.parse("2026-06-15T11:00:00Z"));
  tg.enqueue({ key: "b", action: "alert", html: "b", plain: "b" });
  await tg.flush(5000);
  await tg.stop();
  expect(fake.messages.map((m) => m.text)).toEqual(["a", "b"]);
  expect(waits.length).toBeGreaterThan(0);
  for (const w of waits) expect(w).toBeLessThanOrEqual(1000);
});
