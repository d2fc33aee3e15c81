// One JSON POST with a hard deadline, for the notification channels. Uses node:http(s)
// directly so that a hanging server is cut off by our own timer (not only an idle
// timeout) and so that a channel can be stopped mid-request.
import http from "node:http";
import https from "node:https";

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface PostOptions {
  timeoutMs: number;
  agent?: http.Agent;
  signal?: AbortSignal;
}

/** Bodies above this are cut: every answer we read is a small JSON object. */
const MAX_BODY = 256 * 1024;

export class HttpTimeout extends Error {}

export function postJson(url: string, payload: unknown, opts: PostOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error("invalid URL"));
      return;
    }
    const data = Buffer.from(JSON.stringify(payload));
    const mod = u.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (err: Error | null, ans?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(ans!);
    };
    const req = mod.request(
      u,
      {
        method: "POST",
        agent: opts.agent,
        headers: { "content-type": "application/json", "content-length": data.length, accept: "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on("end", () =>
          finish(null, {
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_BODY),
          }),
        );
        res.on("error", (e) => finish(e));
        res.on("aborted", () => finish(new Error("response aborted")));
      },
    );
    const timer = setTimeout(() => {
      const e = new HttpTimeout(`no answer within ${opts.timeoutMs} ms`);
      finish(e);
      req.destroy(e);
    }, opts.timeoutMs);
    const onAbort = () => {
      const e = new Error("request cancelled");
      finish(e);
      req.destroy(e);
    };
    // before any destroy(): a request destroyed with an error emits it, and with no listener that would crash the process
    req.on("error", (e) => finish(e));
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    req.end(data);
  });
}
