// One bounded HTTP request, the only way the probe talks HTTP out (Telegram, Alertmanager,
// the orchestrator's /metrics, the Docker socket). One deadline covers connect, headers
// AND body, so a server that drips bytes forever is cut off too, not only an idle one;
// the body has a size cap; the caller's AbortSignal cancels it. It never hangs and fails
// with one HttpRequestError that names the target and the stage it got to.
import http from "node:http";
import https from "node:https";
import { errorText } from "./errors.js";

/** How far the exchange got: connecting, waiting for the answer's headers, reading its body. */
export type Stage = "connect" | "headers" | "body";

/**
 * timeout: the deadline passed · aborted: the caller's signal · too-large: the body passed
 * the cap · closed: the connection ended mid-body · network: a socket error before the
 * answer (see `code`) · invalid: a URL this module cannot request.
 */
export type Failure = "timeout" | "aborted" | "too-large" | "closed" | "network" | "invalid";

const STAGE_TEXT: Record<Stage, string> = {
  connect: "while connecting",
  headers: "while waiting for the headers",
  body: "while reading the body",
};

export class HttpRequestError extends Error {
  override name = "HttpRequestError";
  constructor(
    /** what was requested, as it may be shown: `GET http://orch:9000/metrics` */
    readonly target: string,
    readonly stage: Stage,
    readonly failure: Failure,
    /** the short cause without the target: `timed out after 0.3 s`, `ECONNREFUSED: connect …` */
    readonly detail: string,
    /** the errno code of a network failure (ECONNREFUSED, ENOENT…) */
    readonly code: string | null = null,
    /** the status, when the headers had come */
    readonly status: number | null = null,
  ) {
    super(`${target}: ${detail} ${STAGE_TEXT[stage]}`);
  }
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the body as it came (a parser that must see invalid UTF-8 reads this) */
  bytes: Buffer;
  /** the body decoded as UTF-8 (invalid sequences become U+FFFD) */
  readonly body: string;
}

export interface RequestOptions {
  method: "GET" | "POST";
  /** an http(s) URL; with `socketPath`, the request's path and query (sent as given) */
  url: string;
  /** a unix socket to send the request over (the Docker Engine API) */
  socketPath?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** the deadline of the whole exchange: connect, headers and body */
  timeoutMs: number;
  maxBodyBytes: number;
  /** over the cap: fail (the default), or keep the first maxBodyBytes and read the rest away */
  overCap?: "fail" | "cut";
  /** false: answer as soon as the headers come, with an empty body (e.g. an error status) */
  readBody?: (status: number) => boolean;
  /** a keep-alive agent; default none (a fresh connection per request) */
  agent?: http.Agent;
  signal?: AbortSignal;
  /** how errors name the target; default: the method and the URL without credentials or query */
  target?: string;
}

export function httpRequest(o: RequestOptions): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const dest = destination(o);
    if (dest instanceof HttpRequestError) {
      reject(dest);
      return;
    }
    const { target } = dest;
    // Checked before the request exists: nothing is sent for a request cancelled already.
    if (o.signal?.aborted) {
      reject(new HttpRequestError(target, "connect", "aborted", "aborted"));
      return;
    }

    let stage: Stage = "connect";
    let status: number | null = null;
    let done = false;
    const fail = (failure: Failure, detail: string, code: string | null = null) =>
      finish(new HttpRequestError(target, stage, failure, detail, code, status));
    function finish(err: HttpRequestError | null, answer?: HttpAnswer): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      if (err || !answer) {
        req.destroy();
        reject(err ?? new HttpRequestError(target, stage, "closed", "no answer"));
      } else resolve(answer);
    }
    const onAbort = () => fail("aborted", "aborted");

    const body = o.body === undefined ? undefined : Buffer.from(o.body);
    const headers = { ...o.headers, ...(body ? { "content-length": body.length } : {}) };
    const req =
      "socketPath" in dest
        ? http.request({ socketPath: dest.socketPath, path: dest.path, method: o.method, headers, agent: false })
        : (dest.url.protocol === "https:" ? https : http).request(dest.url, {
            method: o.method,
            headers,
            agent: o.agent ?? false,
          });
    // Before anything can destroy it: a request destroyed with no error listener crashes the process.
    req.on("error", (e: NodeJS.ErrnoException) =>
      fail("network", errorText(e), typeof e.code === "string" ? e.code : null),
    );
    const timer = setTimeout(() => fail("timeout", `timed out after ${seconds(o.timeoutMs)}`), o.timeoutMs);
    o.signal?.addEventListener("abort", onAbort, { once: true });

    req.on("socket", (socket) => {
      // a pooled keep-alive socket is connected already
      if (!socket.connecting) stage = "headers";
      else socket.once("connect", () => (stage = "headers"));
    });
    req.on("response", (res) => {
      stage = "body";
      status = res.statusCode ?? 0;
      const answer = (raw: Buffer): HttpAnswer => {
        // decoded on first read, once: the metrics source reads only the bytes
        let text: string | undefined;
        return {
          status: status ?? 0,
          headers: res.headers,
          bytes: raw,
          get body() {
            return (text ??= raw.toString("utf8"));
          },
        };
      };
      if (o.readBody && !o.readBody(status)) {
        finish(null, answer(Buffer.alloc(0)));
        // the body is not wanted: do not keep a connection open to drain it
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (done) return;
        const room = o.maxBodyBytes - size;
        size += c.length;
        if (room >= c.length) chunks.push(c);
        else if (o.overCap === "cut") {
          if (room > 0) chunks.push(c.subarray(0, room));
        } else fail("too-large", `body over ${bytes(o.maxBodyBytes)}`);
      });
      res.on("end", () => finish(null, answer(Buffer.concat(chunks))));
      // the answer's stream errs only when the connection breaks before the end of the body
      res.on("error", (e: NodeJS.ErrnoException) =>
        fail("closed", "connection closed mid-body", typeof e.code === "string" ? e.code : null),
      );
      // closed without an error, before the end of the body (a no-op once finished)
      res.on("close", () => fail("closed", "connection closed mid-body"));
    });
    req.end(body);
  });
}

type Destination = { target: string } & ({ url: URL } | { socketPath: string; path: string });

/** Where the request goes, and how errors name it; an error for a URL it cannot request. */
function destination(o: RequestOptions): Destination | HttpRequestError {
  if (o.socketPath !== undefined) {
    // the path as given: Docker's paths are sent verbatim, with no URL normalization
    const target = o.target ?? `${o.method} unix:${o.socketPath}${o.url.split("?")[0]}`;
    if (!o.url.startsWith("/")) return new HttpRequestError(target, "connect", "invalid", "invalid URL");
    return { target, socketPath: o.socketPath, path: o.url };
  }
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    return new HttpRequestError(o.target ?? `${o.method} (invalid URL)`, "connect", "invalid", "invalid URL");
  }
  const target = o.target ?? `${o.method} ${shownUrl(url)}`;
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return new HttpRequestError(target, "connect", "invalid", `unsupported protocol ${url.protocol}`);
  return { target, url };
}

/** The URL as it may be shown: no user, password or query (where tokens tend to live). */
function shownUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(2))} s`;
}

export function bytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
