// The signal that says a delivery channel refuses the probe's messages, so the editor
// (and Alertmanager) learn what Telegram itself cannot tell anyone. Pure.
//
// It is raised only for a configuration error (a wrong token or chat, a blocked bot):
// a proxy's page or a Telegram outage is retried and shows in the logs and /metrics.
// app.ts never sends this signal's decisions through Telegram: the alert would wait
// behind the very messages it is about, and its recovery would announce an alert
// nobody there received.
import type { Signal } from "../protocol.js";
import type { SignalTexts } from "../signal-texts.js";
import { makeSignal } from "../signals.js";
import type { TelegramStats } from "./telegram.js";

const DELIVERY_FAILING = "delivery_failing";
const TELEGRAM_ENTITY = "telegram";

export function telegramDeliverySignal(s: Pick<TelegramStats, "configError" | "depth">, t: SignalTexts): Signal {
  if (s.configError === null)
    return makeSignal(DELIVERY_FAILING, TELEGRAM_ENTITY, false, "info", t.deliveryWorks("Telegram"));
  return makeSignal(
    DELIVERY_FAILING,
    TELEGRAM_ENTITY,
    true,
    "critical",
    t.deliveryFailingTitle("Telegram", s.configError),
    t.deliveryFailingDetail(s.depth),
  );
}

/** True for the decisions that must not go through Telegram (see above). */
export function aboutTelegramDelivery(sig: Pick<Signal, "kind" | "entity">): boolean {
  return sig.kind === DELIVERY_FAILING && sig.entity === TELEGRAM_ENTITY;
}
