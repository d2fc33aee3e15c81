// How a connection attempt reaches a probe's stream: a URL plus, for SSH, the socket factory
// ws uses instead of a TCP connect. The direct kind lives here; ssh.ts and the local probe
// (manager.ts, through local-probe-supervisor.ts) make the others.
import type { ClientRequestArgs } from "node:http";
import type { Duplex } from "node:stream";
import { STREAM_PATH } from "../../probe/protocol.js";
import type { Logger } from "../log.js";

export type CreateConnection = (
  options: ClientRequestArgs,
  cb: (err: Error | null, socket?: Duplex) => void,
) => Duplex | undefined;

export interface DialResult {
  url: string;
  createConnection?: CreateConnection;
  /** tears the transport down (the SSH connection); called once, after the socket is gone */
  release(): void;
}

/** A dial failure that retrying cannot fix (host key refused, no key, bad settings): → `failed`. */
export class FatalDialError extends Error {}

export interface Dialer {
  /** `signal` aborts when the attempt is abandoned (stop, reconnect, dispose) */
  dial(signal: AbortSignal): Promise<DialResult>;
}

/** A bare `ws://host:port` means the probe's stream path; an explicit path is kept (reverse proxies). */
export function streamUrl(url: string): string {
  const u = new URL(url);
  if (u.pathname === "" || u.pathname === "/") u.pathname = STREAM_PATH;
  return u.toString();
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\./.test(host);
}

/** A probe reached at its URL. Plain ws:// to another machine works, with a warning: the token crosses in clear. */
export function directDialer(name: string, rawUrl: string, log: Logger): Dialer {
  let url: string;
  try {
    url = streamUrl(rawUrl);
  } catch (e) {
    const err = new FatalDialError(`probe "${name}": bad url: ${errText(e)}`);
    return { dial: () => Promise.reject(err) };
  }
  const u = new URL(url);
  if (u.protocol === "ws:" && !isLoopback(u.hostname)) {
    log.warn(
      `probe "${name}": ${u.host} is reached over plain ws://, so its token crosses the network unencrypted; prefer wss:// or an SSH tunnel`,
    );
  }
  return { dial: () => Promise.resolve({ url, release() {} }) };
}

export function errText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
