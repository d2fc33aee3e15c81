// Bearer-token check for the stream. Both sides are hashed first so the comparison
// runs over equal-length digests in constant time: neither the token's content nor
// its length leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";

const BEARER_RE = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header, or null when absent or malformed. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== "string") return null;
  const m = BEARER_RE.exec(header);
  return m ? m[1]! : null;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** True when the header carries exactly `token`. An empty expected token never matches. */
export function authorized(header: string | string[] | undefined, token: string): boolean {
  const given = bearerToken(header);
  // Always hash and compare, even for a missing header, so the work done does not depend on input.
  const ok = timingSafeEqual(digest(given ?? ""), digest(token));
  return ok && given !== null && token.length > 0;
}
