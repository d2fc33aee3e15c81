import { describe, expect, it } from "vitest";
import { Drain } from "../../../probe/notify/drain.js";

/** A queue of numbers whose steps finish when the test says so. */
function harness() {
  const queue: number[] = [];
  const done: number[] = [];
  const errors: unknown[] = [];
  let release: (() => void) | null = null;
  let failNext = false;
  const drain = new Drain({
    async step() {
      const n = queue.shift();
      if (n === undefined) return false;
      await new Promise<void>((r) => {
        release = r;
      });
      if (failNext) {
        failNext = false;
        throw new Error(`step ${n} broke`);
      }
      done.push(n);
      return true;
    },
    pending: () => queue.length,
    onError: (e) => errors.push(e),
  });
  const settle = () => new Promise((r) => setImmediate(r));
  const next = async () => {
    for (let i = 0; i < 20 && !release; i++) await settle();
    const r = release!;
    release = null;
    r();
    await settle();
  };
  return {
    drain,
    queue,
    done,
    errors,
    next,
    settle,
    failNext: () => {
      failNext = true;
    },
  };
}

describe("Drain", () => {
  it("works the queue in order, one item at a time, never on the caller's turn", async () => {
    const h = harness();
    h.queue.push(1, 2, 3);
    h.drain.kick();
    h.drain.kick(); // a second kick while running starts no second worker
    expect(h.done).toEqual([]);
    await h.next();
    await h.next();
    await h.next();
    expect(h.done).toEqual([1, 2, 3]);
  });

  it("flush waits until the queue is empty", async () => {
    const h = harness();
    h.queue.push(1, 2);
    h.drain.kick();
    let flushed = false;
    const f = h.drain.flush(10_000).then(() => {
      flushed = true;
    });
    await h.next();
    expect(flushed).toBe(false);
    await h.next();
    await f;
    expect(h.done).toEqual([1, 2]);
  });

  it("a step that throws is reported, and the rest of the queue still goes", async () => {
    const h = harness();
    h.queue.push(1, 2);
    h.failNext();
    h.drain.kick();
    await h.next();
    await h.next();
    expect(h.errors).toHaveLength(1);
    expect(h.done).toEqual([2]);
  });

  it("stop interrupts, waits for the worker, cleans up, wakes flush, and no kick starts it again", async () => {
    const h = harness();
    h.queue.push(1, 2);
    h.drain.kick();
    const flushed = h.drain.flush(10_000);
    await h.settle();
    const order: string[] = [];
    const stopped = h.drain.stop(
      () => {
        order.push("interrupt");
      },
      () => {
        order.push(`after, ${h.queue.length} left`);
      },
    );
    expect(h.drain.stopped).toBe(true);
    await h.next(); // the step in flight finishes
    await stopped;
    await flushed;
    expect(order).toEqual(["interrupt", "after, 1 left"]);
    h.drain.kick();
    await h.settle();
    expect(h.done).toEqual([1]);
  });
});
