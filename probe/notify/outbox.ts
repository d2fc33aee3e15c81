// The bounded queue of messages waiting for Telegram. Pure data structure: no I/O.
//
// When full, something must go, in this order: the oldest reminder (`repeat`: the
// person already got the alert), then the oldest alert. A recovery is never evicted,
// because it is the only message that tells someone they can stop worrying.
//
// The bound: if the box is full of recoveries only, a new recovery is still accepted
// and the box grows past `max`. That growth is limited by the source of recoveries:
// each one ends a firing that the loop started with an alert, so extra recoveries
// appear only while Telegram is unreachable AND more than `max` distinct firings end
// in that time; every message is at most 4096 characters (twice: html + plain), so
// even 10,000 of them stay in the tens of megabytes. Alerts and reminders can never
// push the box past `max`.
import type { Action } from "../protocol.js";

export interface Queued {
  action: Action;
}

export interface PushResult<T> {
  /** messages that were dropped to make room (possibly the pushed one itself) */
  evicted: T[];
  /** true when a recovery was accepted beyond the bound */
  overBound: boolean;
}

export class Outbox<T extends Queued> {
  private items: T[] = [];
  maxDepth = 0;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error(`outbox: max must be at least 1, got ${max}`);
  }

  get length(): number {
    return this.items.length;
  }

  push(item: T): PushResult<T> {
    const evicted: T[] = [];
    let overBound = false;
    if (this.items.length >= this.max) {
      // The pushed message is the newest candidate of its kind.
      const victim = this.oldest("repeat", item) ?? this.oldest("alert", item);
      if (victim === item) return { evicted: [item], overBound: false };
      if (victim) {
        this.items.splice(this.items.indexOf(victim), 1);
        evicted.push(victim);
      } else {
        overBound = true;
      }
    }
    this.items.push(item);
    this.maxDepth = Math.max(this.maxDepth, this.items.length);
    return { evicted, overBound };
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  /** Drops everything still waiting and returns it (used on stop, for the count). */
  drain(): T[] {
    const all = this.items;
    this.items = [];
    return all;
  }

  snapshot(): readonly T[] {
    return this.items;
  }

  private oldest(action: Action, incoming: T): T | undefined {
    return this.items.find((m) => m.action === action) ?? (incoming.action === action ? incoming : undefined);
  }
}
