// A read-only client of the Docker Engine API over its unix socket.
// The only request it can send is GET: anyone who can talk to that socket can create
// containers (root on the host), so the watchdog must never be the one doing it.
import http from "node:http";
import * as z from "zod/mini";
import english from "zod/v4/locales/en.js";
import { errorText } from "../errors.js";
import { HttpRequestError, httpRequest } from "../http-request.js";

/** Newest API version whose container fields this client has been read against. */
export const MAX_API_VERSION = "1.52";
/** Spoken when /_ping names no version (a proxy that strips headers). */
const FALLBACK_API_VERSION = "1.44";
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class DockerReadOnlyError extends Error {
  override name = "DockerReadOnlyError";
}

export class DockerApiError extends Error {
  override name = "DockerApiError";
  constructor(
    message: string,
    readonly status: number | null,
    readonly path: string,
  ) {
    super(message);
  }
}

export interface DockerResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface DockerClientOptions {
  socketPath: string;
  /** per request; a request still running after this is destroyed */
  timeoutMs: number;
}

const SummarySchema = z.object({
  Id: z.string(),
  Names: z.nullish(z.array(z.string())),
  Image: z.nullish(z.string()),
  State: z.string(),
  Status: z.nullish(z.string()),
  Labels: z.nullish(z.record(z.string(), z.string())),
});
const ContainerListSchema = z.array(SummarySchema);

const ContainerInspectSchema = z.object({
  Id: z.string(),
  Name: z.nullish(z.string()),
  RestartCount: z.nullish(z.int().check(z.nonnegative())),
  State: z.object({
    Status: z.string(),
    Running: z.nullish(z.boolean()),
    Health: z.nullish(z.object({ Status: z.string(), FailingStreak: z.nullish(z.number()) })),
  }),
});

export type ContainerSummary = z.infer<typeof SummarySchema>;
export type ContainerInspect = z.infer<typeof ContainerInspectSchema>;

/** "1.47" → [1, 47]; anything else → null. */
function parseApiVersion(v: unknown): [number, number] | null {
  if (typeof v !== "string") return null;
  const m = /^\s*(\d+)\.(\d+)\s*$/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function cmpVersion(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

export interface VersionBounds {
  /** from a daemon's "client version X is too old. Minimum supported API version is Y" */
  min?: string | null;
  /** from a daemon's "client version X is too new. Maximum supported API version is Y" */
  max?: string | null;
}

/**
 * The version to speak: the daemon's own, capped at the newest this client knows,
 * and kept inside any bounds the daemon has told us about in a refusal.
 */
export function chooseApiVersion(daemon: unknown, bounds: VersionBounds = {}): string {
  const d = parseApiVersion(daemon);
  const known = parseApiVersion(MAX_API_VERSION)!;
  let v = d ? (cmpVersion(d, known) > 0 ? known : d) : parseApiVersion(FALLBACK_API_VERSION)!;
  const max = parseApiVersion(bounds.max);
  if (max && cmpVersion(v, max) > 0) v = max;
  const min = parseApiVersion(bounds.min);
  if (min && cmpVersion(v, min) < 0) v = min;
  return `${v[0]}.${v[1]}`;
}

/** zod/mini loads no messages of its own: without these an issue would read only "Invalid input". */
const zodMessages = { error: english().localeError };

/** Parses a JSON body against a schema; garbage gets an error naming the path. */
function parseBody<T>(schema: z.ZodMiniType<T>, body: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DockerApiError(`docker: ${what} answered invalid JSON: ${preview(body)}`, 200, what);
  }
  const r = schema.safeParse(json, zodMessages);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new DockerApiError(
      `docker: ${what} answered an unexpected shape (${issue.path.join(".") || "body"}: ${issue.message})`,
      200,
      what,
    );
  }
  return r.data;
}

function preview(s: string): string {
  const t = s.replace(/\s+/g, " ").trim();
  return JSON.stringify(t.length > 80 ? `${t.slice(0, 80)}…` : t);
}

/** The daemon's error body is `{"message": "..."}`; fall back to the raw text. */
function daemonMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { message?: unknown } | null;
    if (typeof j?.message === "string") return j.message;
  } catch {
    /* not JSON */
  }
  return preview(body);
}

export class DockerClient {
  private version: string | null = null;
  /** learned from a "too old"/"too new" refusal, so re-negotiation does not repeat it */
  private readonly bounds: VersionBounds = {};

  constructor(private readonly opts: DockerClientOptions) {}

  /** Forget the negotiated version: the next call pings again (after any failure). */
  resetVersion(): void {
    this.version = null;
  }

  /**
   * The single way out to the socket. `method` is typed "GET" and checked at run time
   * too, before anything is written, so no caller (or cast) can send anything else.
   */
  request(method: "GET", path: string, signal?: AbortSignal): Promise<DockerResponse> {
    // a cast or a plain-JS caller can get past the type
    if ((method as string) !== "GET") {
      return Promise.reject(
        new DockerReadOnlyError(
          `docker: refusing ${String(method)} ${path}: this client is read-only and only sends GET`,
        ),
      );
    }
    const { socketPath, timeoutMs } = this.opts;
    return httpRequest({
      method: "GET",
      url: path,
      socketPath,
      headers: { Host: "docker", Accept: "application/json", "User-Agent": "orchestrator-watchdog" },
      timeoutMs,
      maxBodyBytes: MAX_BODY_BYTES,
      signal,
      target: `docker GET ${path}`,
    }).catch((e: unknown) => {
      throw this.requestError(e, path);
    });
  }

  /** What went wrong, in the words a Docker user knows (the socket, the daemon, its group). */
  private requestError(e: unknown, path: string): Error {
    if (!(e instanceof HttpRequestError)) return new DockerApiError(`docker: GET ${path}: ${errorText(e)}`, null, path);
    switch (e.failure) {
      case "timeout":
        return new DockerApiError(`docker: GET ${path} timed out after ${this.opts.timeoutMs / 1000} s`, null, path);
      case "aborted":
        return new DockerApiError(`docker: GET ${path} aborted`, null, path);
      case "too-large":
        return new DockerApiError(`docker: GET ${path} answered more than ${MAX_BODY_BYTES} bytes`, e.status, path);
      case "closed":
        return new DockerApiError(`docker: GET ${path}: connection closed mid-answer`, e.status, path);
      default:
        return this.socketError(e, path);
    }
  }

  private socketError(e: HttpRequestError, path: string): Error {
    const sock = this.opts.socketPath;
    const why: Record<string, string> = {
      ENOENT: `socket ${sock} does not exist (is the Docker daemon running and the socket mounted?)`,
      ECONNREFUSED: `socket ${sock} refused the connection (daemon down?)`,
      EACCES: `permission denied on ${sock} (is the probe's user in the socket's group?)`,
      ECONNRESET: `the daemon closed the connection during GET ${path}`,
    };
    const text = e.code && why[e.code] ? `${e.code}: ${why[e.code]}` : `GET ${path}: ${e.detail}`;
    return new DockerApiError(`docker: ${text}`, null, path);
  }

  /** `GET /_ping` and pick the version from its `Api-Version` header. */
  async negotiate(signal?: AbortSignal): Promise<string> {
    const res = await this.request("GET", "/_ping", signal);
    if (res.status !== 200)
      throw new DockerApiError(
        `docker: GET /_ping answered HTTP ${res.status}: ${daemonMessage(res.body)}`,
        res.status,
        "/_ping",
      );
    this.version = chooseApiVersion(res.headers["api-version"], this.bounds);
    return this.version;
  }

  /** GET a versioned path (negotiating first if needed) and return the body of a 2xx. */
  async get(path: string, signal?: AbortSignal): Promise<DockerResponse> {
    const v = this.version ?? (await this.negotiate(signal));
    const full = `/v${v}${path}`;
    const res = await this.request("GET", full, signal);
    if (res.status >= 200 && res.status < 300) return res;
    const msg = daemonMessage(res.body);
    const min = /minimum supported API version is (\d+\.\d+)/i.exec(msg);
    if (min) this.bounds.min = min[1]!;
    const max = /maximum supported API version is (\d+\.\d+)/i.exec(msg);
    if (max) this.bounds.max = max[1]!;
    // the daemon may have been upgraded or downgraded under us
    if (/API version/i.test(msg)) this.resetVersion();
    throw new DockerApiError(`docker: GET ${full} answered HTTP ${res.status}: ${msg}`, res.status, full);
  }

  async listContainers(signal?: AbortSignal): Promise<ContainerSummary[]> {
    const res = await this.get("/containers/json?all=1", signal);
    return parseBody(ContainerListSchema, res.body, "/containers/json");
  }

  /** null when the container is gone (removed between the list and the inspect). */
  async inspectContainer(id: string, signal?: AbortSignal): Promise<ContainerInspect | null> {
    try {
      const res = await this.get(`/containers/${encodeURIComponent(id)}/json`, signal);
      return parseBody(ContainerInspectSchema, res.body, `/containers/${id}/json`);
    } catch (e) {
      if (e instanceof DockerApiError && e.status === 404) return null;
      throw e;
    }
  }
}
