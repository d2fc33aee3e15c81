// Stream fuzz (issue 7, "Hostile inputs"): 10,000 random frames against the real server
// on loopback, written byte by byte on raw sockets (so opcodes, masking, RSV bits,
// fragmentation and lengths can be wrong in ways `ws` would never send), from
// authenticated and unauthenticated clients, while a well-behaved `ws` client must keep
// receiving every broadcast, in order. Seed printed; reproduce with FUZZ_SEED=<n>.
//
// Close codes. docs/protocol.md: anything but {"type":"ping"} — a binary frame, invalid
// JSON, an unknown type, a frame over 1 KiB — closes with 1008; the server maps ws's own
// 1009 (too big) and 1007 (invalid UTF-8) to 1008 as well. What the message rules do not
// cover is the WebSocket layer below messages, where ws answers as RFC 6455 says:
// a bad opcode, a continuation with nothing to continue, an unmasked frame, RSV bits,
// a fragmented or >125-byte control frame, a new message inside a fragmented one, a
// close frame with a 1-byte body or an invalid code → 1002 (protocol error), not 1008.
// Accepted as ws accepts them: control frames between fragments, unsolicited pongs,
// a non-minimal length encoding, and extra fields on a ping ({"type":"ping","x":1}; the
// schema ignores unknown keys, as "fields may be added" suggests). A valid close frame
// is echoed with its own code.
import { randomBytes } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Snapshot } from "../../../probe/protocol.js";
import { startServer, type ServerHandle } from "../../../probe/server/http.js";
import { int, mulberry32, pick, randomSeed, type Rng } from "../../soak/prng.js";
import { connect, get, type TestClient } from "./client.js";
import { makeDecision, makeHello, makeSnapshot } from "./fixtures.js";

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomSeed();
const FRAMES = 10_000;
const PARALLEL = 8;
const STEP_MS = 5000; // bound on each wait; a miss is reported, never a hang
const TOKEN = "fuzz-token-0123456789abcdef";
const PING = Buffer.from('{"type":"ping"}');

/** One client frame as bytes; masked unless told otherwise. `len` overrides the declared length. */
function frame(
  op: number,
  payload: Buffer,
  o: { fin?: boolean; mask?: boolean; rsv?: number; len?: bigint; wide?: boolean } = {},
): Buffer {
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | op;
  const m = (o.mask ?? true) ? 0x80 : 0;
  const n = o.len ?? BigInt(payload.length);
  let head: Buffer;
  if (n < 126n && !o.wide) head = Buffer.from([b0, m | Number(n)]);
  else if (n < 65536n) {
    head = Buffer.from([b0, m | 126, 0, 0]);
    head.writeUInt16BE(Number(n), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = m | 127;
    head.writeBigUInt64BE(n, 2);
  }
  if (!m) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  return Buffer.concat([head, key, Buffer.from(payload.map((x, i) => x ^ key[i % 4]!))]);
}
const u16 = (code: number, rest: Buffer = Buffer.alloc(0)) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, rest]);
};

interface Frames {
  bytes: Buffer;
  n: number;
}
const one = (bytes: Buffer): Frames => ({ bytes, n: 1 });
const many = (fs: Buffer[]): Frames => ({ bytes: Buffer.concat(fs), n: fs.length });

/** Frames a well-behaved client may send: the connection must stay open. */
function validFrames(r: Rng): Frames {
  switch (int(r, 0, 5)) {
    case 0:
      return one(frame(1, PING));
    case 1:
      return one(frame(1, Buffer.concat([PING, Buffer.alloc(int(r, 0, 1024 - PING.length), 0x20)]))); // up to exactly 1 KiB
    case 2: {
      // fragmented, with a control frame between the pieces
      const cut = int(r, 1, PING.length - 1);
      return many([
        frame(1, PING.subarray(0, cut), { fin: false }),
        frame(9, randomBytes(int(r, 0, 125))),
        frame(0, PING.subarray(cut)),
      ]);
    }
    case 3:
      return one(frame(9, randomBytes(int(r, 0, 125)))); // ping
    case 4:
      return one(frame(10, randomBytes(int(r, 0, 125)))); // unsolicited pong
    default:
      return one(r() < 0.5 ? frame(1, PING, { wide: true }) : frame(1, Buffer.from('{"type":"ping","x":1}')));
  }
}

const WRONG_SHAPES = [
  '{"type":"pong"}',
  '{"type":"PING"}',
  '{"type":null}',
  "[]",
  '[{"type":"ping"}]',
  "42",
  '"ping"',
  "true",
  "null",
  '{"type":["ping"]}',
  "{}",
  '{"kind":"ping"}',
  '{"type":"subscribe","topic":"*"}',
];
const BAD_UTF8 = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]];

function randomJson(r: Rng, depth = 0): unknown {
  const k = int(r, 0, depth > 2 ? 3 : 5);
  if (k === 0) return int(r, -1e6, 1e6);
  if (k === 1) return randomBytes(int(r, 0, 12)).toString("base64");
  if (k === 2) return r() < 0.5;
  if (k === 3) return null;
  if (k === 4) return Array.from({ length: int(r, 0, 4) }, () => randomJson(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = int(r, 0, 4); i > 0; i--) o[pick(r, ["type", "kind", "seq", "data", "ping"])] = randomJson(r, depth + 1);
  if (o.type === "ping") o.type = "pong";
  return o;
}

/** An offence and the close code the server must answer it with. */
function offence(r: Rng): Frames & { code: number; what: string } {
  const textOf = (s: string) => Buffer.from(s, "utf8");
  const cases: Array<() => Frames & { code: number; what: string }> = [
    () => ({ ...one(frame(2, r() < 0.5 ? PING : randomBytes(int(r, 0, 1024)))), code: 1008, what: "binary frame" }),
    () => ({
      ...one(
        frame(
          1,
          textOf(
            pick(r, [
              "{type: ping",
              "",
              '{"type":',
              "ping",
              "{}}",
              randomBytes(int(r, 1, 200))
                .toString("latin1")
                .replace(/[^\x20-\x7e]/g, "x") + "{",
            ]),
          ),
        ),
      ),
      code: 1008,
      what: "invalid JSON",
    }),
    () => ({
      ...one(frame(1, textOf(r() < 0.5 ? pick(r, WRONG_SHAPES) : JSON.stringify(randomJson(r))))),
      code: 1008,
      what: "JSON of a wrong shape",
    }),
    () => ({
      ...one(frame(pick(r, [1, 2]), Buffer.concat([PING, Buffer.alloc(int(r, 1025, 9000) - PING.length, 0x20)]))),
      code: 1008,
      what: "frame over 1 KiB",
    }),
    () => ({
      ...many([frame(1, Buffer.alloc(700, 0x20), { fin: false }), frame(0, Buffer.alloc(int(r, 325, 2000), 0x20))]),
      code: 1008,
      what: "fragments over 1 KiB",
    }),
    () => ({
      ...one(frame(1, Buffer.alloc(0), { len: pick(r, [2000n, 1n << 40n, 1n << 63n]) })),
      code: 1008,
      what: "declared length over 1 KiB",
    }),
    () => ({
      ...one(frame(1, Buffer.concat([textOf('{"type":"'), Buffer.from(pick(r, BAD_UTF8)), textOf('"}')]))),
      code: 1008,
      what: "invalid UTF-8",
    }),
    () => ({
      ...many([frame(1, Buffer.from([0x22, 0xe2, 0x82]), { fin: false }), frame(0, Buffer.from([0x28, 0x22]))]),
      code: 1008,
      what: "invalid UTF-8 across fragments",
    }),
    () => ({ ...one(frame(8, u16(1000, Buffer.from(pick(r, BAD_UTF8))))), code: 1008, what: "close reason not UTF-8" }),
    () => ({
      ...one(frame(pick(r, [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), randomBytes(int(r, 0, 50)))),
      code: 1002,
      what: "reserved opcode",
    }),
    () => ({ ...one(frame(0, PING)), code: 1002, what: "continuation with nothing to continue" }),
    () => ({ ...one(frame(pick(r, [1, 2, 9]), PING, { mask: false })), code: 1002, what: "unmasked frame" }),
    () => ({ ...one(frame(1, PING, { rsv: int(r, 1, 7) })), code: 1002, what: "RSV bits set" }),
    () => ({
      ...one(frame(9, randomBytes(int(r, 0, 20)), { fin: false })),
      code: 1002,
      what: "fragmented control frame",
    }),
    () => ({
      ...one(frame(pick(r, [9, 10]), randomBytes(int(r, 126, 400)))),
      code: 1002,
      what: "control frame over 125 bytes",
    }),
    () => ({
      ...many([frame(1, PING.subarray(0, 5), { fin: false }), frame(pick(r, [1, 2]), PING)]),
      code: 1002,
      what: "new message inside a fragmented one",
    }),
    () => ({
      ...one(frame(8, u16(pick(r, [0, 999, 1004, 1005, 1006, 1015, 2000, 2999, 5000, 65535])))),
      code: 1002,
      what: "close with an invalid code",
    }),
    () => ({ ...one(frame(8, Buffer.from([0x03]))), code: 1002, what: "close with a 1-byte body" }),
  ];
  if (r() < 0.05) {
    const code = pick(r, [1000, 1001, 3000, 4000, 4999]);
    return { ...one(frame(8, u16(code))), code, what: `clean close ${code}` };
  }
  return pick(r, cases)();
}

/** A raw client: writes what it is told, parses the server's frames, answers its close. */
class Raw {
  status: number | null = null;
  closeCode: number | null = null;
  ended = false;
  private readonly pongs = new Set<string>();
  private buf = Buffer.alloc(0);
  private headDone = false;
  private readonly socket: net.Socket;
  private wake: () => void = () => undefined;

  constructor(port: number, auth: string | null, path = "/v1/stream", pipelined?: Buffer) {
    this.socket = net.connect(port, "127.0.0.1");
    this.socket.on("error", () => undefined); // the server may close while we still write
    this.socket.on("data", (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
      this.wake();
    });
    this.socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    const head = [
      `GET ${path} HTTP/1.1`,
      "Host: 127.0.0.1",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      ...(auth === null ? [] : [`Authorization: ${auth}`]),
    ];
    this.socket.write(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), pipelined ?? Buffer.alloc(0)]));
  }

  write(b: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(b);
  }
  gotPong(payload: string): boolean {
    return this.pongs.has(payload);
  }
  destroy(): void {
    this.socket.destroy();
  }

  async until(pred: () => boolean): Promise<boolean> {
    const deadline = Date.now() + STEP_MS;
    while (!pred()) {
      if (this.ended || Date.now() > deadline) return pred();
      await new Promise<void>((res) => {
        this.wake = res;
        setTimeout(res, 50);
      });
    }
    return true;
  }

  private parse(): void {
    if (!this.headDone) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(this.buf.subarray(0, end).toString("latin1"))?.[1] ?? 0);
      this.buf = this.buf.subarray(end + 4);
      this.headDone = true;
      if (this.status !== 101) return;
    }
    while (this.buf.length >= 2) {
      const op = this.buf[0]! & 0x0f;
      let len = this.buf[1]! & 0x7f,
        at = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        at = 10;
      }
      if (this.buf.length < at + len) return;
      const payload = this.buf.subarray(at, at + len);
      this.buf = this.buf.subarray(at + len);
      if (op === 10) this.pongs.add(payload.toString("latin1"));
      if (op === 8 && this.closeCode === null) {
        this.closeCode = len >= 2 ? payload.readUInt16BE(0) : 1005;
        this.write(frame(8, len >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0))); // complete the closing handshake
        this.socket.end();
      }
    }
  }
}

type Conn =
  | { auth: true; valid: Frames[]; bad: ReturnType<typeof offence> }
  | { auth: false; header: string | null; path: string; frames: Frames[] };

/** The whole run, drawn from the seed: connections until exactly FRAMES frames. */
function plan(r: Rng): Conn[] {
  const conns: Conn[] = [];
  let left = FRAMES;
  while (left > 0) {
    if (r() < 0.12 || left < 3) {
      const frames: Frames[] = [];
      for (let i = Math.min(left, int(r, 1, 5)); i > 0; i--) frames.push(r() < 0.3 ? validFrames(r) : offence(r));
      // a frame group may hold several frames: cut the list to the budget
      while (frames.reduce((s, f) => s + f.n, 0) > left) frames.pop();
      if (frames.length === 0) frames.push(one(frame(1, PING)));
      left -= frames.reduce((s, f) => s + f.n, 0);
      const header = pick(r, [
        null,
        "Bearer wrong-token",
        `Bearer ${TOKEN}x`,
        `Basic ${Buffer.from(`u:${TOKEN}`).toString("base64")}`,
        "Bearer",
        `bearer  ${TOKEN.slice(1)}`,
        TOKEN,
      ]);
      conns.push({ auth: false, header, path: r() < 0.2 ? `/v1/stream?token=${TOKEN}` : "/v1/stream", frames });
      continue;
    }
    const bad = offence(r);
    const valid: Frames[] = [];
    let budget = left - bad.n - 1; // the sentinel ping is a frame too
    for (let i = int(r, 0, 20); i > 0; i--) {
      const v = validFrames(r);
      if (v.n > budget) break;
      valid.push(v);
      budget -= v.n;
    }
    if (budget < 0) continue;
    left = budget;
    conns.push({ auth: true, valid, bad });
  }
  return conns;
}

describe(`stream fuzz, seed ${SEED} (reproduce: FUZZ_SEED=${SEED})`, () => {
  let server: ServerHandle;
  let latest: Snapshot = makeSnapshot(1, 2);
  beforeAll(async () => {
    console.log(`stream fuzz: seed ${SEED}`);
    server = await startServer({
      host: "127.0.0.1",
      port: 0,
      token: TOKEN,
      hello: makeHello,
      snapshot: () => latest,
      alive: () => true,
      metricsText: () => "",
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it(`survives ${FRAMES} hostile frames, closes each offender with its code, and keeps streaming to a good client`, async () => {
    const good: TestClient = connect(server.url, TOKEN);
    await good.received(2);
    const sent: Array<{ type: string; seq: number }> = [];
    let seq = 2;
    const ticker = setInterval(() => {
      const msg = seq % 7 === 0 ? makeDecision(seq++, "alert") : (latest = makeSnapshot(seq++, 2));
      sent.push({ type: msg.type, seq: msg.seq });
      server.broadcast(msg);
      good.ws.send('{"type":"ping"}'); // the well-behaved client pings too
    }, 10);
    try {
      await fuzz(sent, good, () => {
        clearInterval(ticker);
        return seq;
      });
    } finally {
      clearInterval(ticker);
      good.ws.terminate();
    }
  }, 120_000);

  /** Runs the planned connections; `stop` ends the broadcasts and returns the next seq. */
  async function fuzz(sent: Array<{ type: string; seq: number }>, good: TestClient, stop: () => number): Promise<void> {
    const conns = plan(mulberry32(SEED));
    const problems: string[] = [];
    const tally = { frames: 0, auth: 0, unauth: 0, policy: 0, byCode: {} as Record<number, number> };
    const runOne = async (c: Conn, id: number) => {
      if (!c.auth) {
        const raw = new Raw(server.port, c.header, c.path, Buffer.concat(c.frames.map((f) => f.bytes)));
        tally.frames += c.frames.reduce((s, f) => s + f.n, 0);
        tally.unauth++;
        await raw.until(() => raw.ended);
        if (raw.status !== 401 || !raw.ended)
          problems.push(`#${id} unauthenticated (${c.header ?? "no header"}): HTTP ${raw.status}, ended ${raw.ended}`);
        raw.destroy();
        return;
      }
      const raw = new Raw(server.port, `Bearer ${TOKEN}`);
      tally.auth++;
      const sentinel = `s${id}`;
      if (!(await raw.until(() => raw.status !== null)) || raw.status !== 101) {
        problems.push(`#${id}: upgrade answered ${raw.status}`);
        raw.destroy();
        return;
      }
      raw.write(Buffer.concat([...c.valid.map((f) => f.bytes), frame(9, Buffer.from(sentinel))]));
      tally.frames += c.valid.reduce((s, f) => s + f.n, 0) + 1;
      if (!(await raw.until(() => raw.gotPong(sentinel)))) {
        problems.push(`#${id}: closed (${raw.closeCode}) or silent after ${c.valid.length} valid frame groups`);
        raw.destroy();
        return;
      }
      raw.write(c.bad.bytes);
      tally.frames += c.bad.n;
      await raw.until(() => raw.closeCode !== null);
      tally.byCode[raw.closeCode ?? 0] = (tally.byCode[raw.closeCode ?? 0] ?? 0) + 1;
      if (raw.closeCode === 1008) tally.policy++;
      if (raw.closeCode !== c.bad.code)
        problems.push(`#${id} ${c.bad.what}: closed with ${raw.closeCode}, expected ${c.bad.code}`);
      await raw.until(() => raw.ended);
      raw.destroy();
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < conns.length) {
          const i = next++;
          await runOne(conns[i]!, i);
        }
      }),
    );
    // the good client saw every broadcast, in order, and is still connected
    const seq = stop();
    sent.push({ type: "snapshot", seq });
    server.broadcast(makeSnapshot(seq, 2));
    await good.received(2 + sent.length);
    console.log(
      `stream fuzz: ${tally.frames} frames on ${conns.length} connections (${tally.auth} authenticated, ${tally.unauth} refused with 401), ` +
        `closes ${JSON.stringify(tally.byCode)}, ${sent.length} broadcasts received in order`,
    );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(tally.frames).toBe(FRAMES);
    expect(good.invalid).toEqual([]);
    expect(good.frames.slice(2).map((f) => ({ type: f.type, seq: (f as { seq: number }).seq }))).toEqual(sent);
    expect(good.ws.readyState).toBe(good.ws.OPEN);
    const st = server.stats();
    expect(st.rejectedUnauthorized).toBe(tally.unauth);
    expect(st.accepted).toBe(tally.auth + 1);
    expect(st.closedPolicy).toBe(tally.policy);
    expect((await get(server.port, "/healthz")).status).toBe(200);
  }
});
