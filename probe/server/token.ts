// Where the stream token comes from: WATCHDOG_WS_TOKEN, WATCHDOG_WS_TOKEN_FILE, or
// (when neither is set) a freshly generated one the caller prints once at start-up.
import { randomBytes } from "node:crypto";
import type { Config } from "../config.js";

/** Same rule as WATCHDOG_WS_TOKEN in config.ts: at least 16 characters, no whitespace. */
const MIN_TOKEN_CHARS = 16;

export type TokenResult =
  { ok: true; token: string; source: "env" | "file" | "generated" } | { ok: false; error: string };

/** 32 random bytes, base64url (43 characters): safe in a header, a URL and a shell. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Resolves the token from the parsed config. `readFile` reads a UTF-8 text file
 * (e.g. `(p) => fs.promises.readFile(p, "utf8")`). Never throws; an error names the variable.
 */
export async function resolveToken(
  ws: Config["ws"],
  readFile: (path: string) => string | Promise<string>,
  generate: () => string = generateToken,
): Promise<TokenResult> {
  if (ws.token !== null) return { ok: true, token: ws.token, source: "env" };
  if (ws.tokenFile === null) return { ok: true, token: generate(), source: "generated" };
  let text: string;
  try {
    text = await readFile(ws.tokenFile);
  } catch (e) {
    const code = (e as Partial<NodeJS.ErrnoException> | null)?.code;
    const why = code ?? (e instanceof Error ? e.message : String(e));
    return { ok: false, error: `WATCHDOG_WS_TOKEN_FILE: cannot read ${ws.tokenFile}: ${why}` };
  }
  const token = text.trim();
  // never echo the file's content: it is a secret
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    return {
      ok: false,
      error: `WATCHDOG_WS_TOKEN_FILE: ${ws.tokenFile} must hold one token of at least ${MIN_TOKEN_CHARS} characters with no spaces`,
    };
  }
  return { ok: true, token, source: "file" };
}
