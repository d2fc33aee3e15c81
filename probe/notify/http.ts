// The JSON POST both notification channels make, over the probe's one bounded request
// (../http-request.ts), and how its failures read in their logs.
import type http from "node:http";
import { HttpRequestError, httpRequest, type Stage } from "../http-request.js";
import { errorText } from "../errors.js";

export interface PostAnswer {
  status: number;
  body: string;
  /** the content-type header, if any (a proxy's HTML page says text/html) */
  contentType: string | null;
}

export interface PostOptions {
  timeoutMs: number;
  agent?: http.Agent;
  signal?: AbortSignal;
  /** how errors name the endpoint: never with a token in it */
  target: string;
}

/** Bodies above this are cut, not refused: every answer we read is a small JSON object. */
const MAX_BODY = 256 * 1024;

/** Resolves with any status; rejects with an HttpRequestError when no whole answer came. */
export async function postJson(url: string, payload: unknown, opts: PostOptions): Promise<PostAnswer> {
  const ans = await httpRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(payload),
    timeoutMs: opts.timeoutMs,
    maxBodyBytes: MAX_BODY,
    overCap: "cut",
    agent: opts.agent,
    signal: opts.signal,
    target: opts.target,
  });
  const type = ans.headers["content-type"];
  return { status: ans.status, body: ans.body, contentType: typeof type === "string" ? type : null };
}

export interface PostFailure {
  timeout: boolean;
  /** `no answer within 15000 ms`, `request cancelled`, `connect ECONNREFUSED 10.0.0.5:9093`… */
  text: string;
  /** how far the request got, when known */
  stage: Stage | null;
}

export function postFailure(e: unknown, timeoutMs: number): PostFailure {
  if (!(e instanceof HttpRequestError)) return { timeout: false, text: errorText(e), stage: null };
  const text =
    e.failure === "timeout"
      ? `no answer within ${timeoutMs} ms`
      : e.failure === "aborted"
        ? "request cancelled"
        : e.detail;
  return { timeout: e.failure === "timeout", text, stage: e.stage };
}
