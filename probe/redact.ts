// Masks secrets in command lines before any channel (stream, Telegram, logs, /metrics)
// sees them. Pure. The rules lean on the *name* next to a value (a flag, an env-style
// NAME=, a header, a URL's userinfo), so test names, paths and `-k` expressions stay
// readable: only a value that sits where a secret sits is replaced by `***`.
const MASK = "***";

/** Last name segments that describe *where* a secret is, not the secret itself. */
const EXEMPT_LAST = new Set([
  "file",
  "files",
  "path",
  "dir",
  "url",
  "uri",
  "host",
  "port",
  "type",
  "name",
  "names",
  "stdin",
  "prompt",
  "env",
  "mode",
  "method",
  "length",
  "len",
  "ttl",
  "expiry",
  "expires",
  "timeout",
  "command",
  "cmd",
  "helper",
  "sock",
  "socket",
  "count",
  "size",
  "format",
]);
/** A name ending in one of these nouns names a secret (`--token`, `DB_PASS`, `X-Auth`). */
const SECRET_LAST = new Set([
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "pass",
  "secret",
  "secrets",
  "token",
  "apikey",
  "auth",
  "credential",
  "credentials",
  "cookie",
  "sas",
  "sig",
  "signature",
  "privatekey",
  "secretkey",
  "accesskey",
]);
/** Compound words that end in a secret noun (`PGPASSWORD`, `accesstoken`, `clientsecret`). */
const SECRET_SUFFIX = /(password|passwd|passphrase|secret|token|apikey)$/;
/** A secret noun anywhere in the name, unless the last segment is exempt (`SECRET_KEY_BASE`). */
const SECRET_ANYWHERE = new Set(["password", "passwd", "passphrase", "secret"]);
/** `key` alone is too common in flags (`--key client.pem`, `--sort-key`); these qualify it. */
const KEY_QUALIFIERS = new Set([
  "api",
  "access",
  "secret",
  "private",
  "master",
  "encryption",
  "signing",
  "account",
  "subscription",
  "client",
  "auth",
  "license",
  "service",
  "deploy",
  "admin",
  "app",
  "storage",
]);

/** `ACCESS_TOKEN` → [access, token]; `apiKey` → [api, key]; `--client-secret` → [client, secret]. */
function segments(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((s) => s.length > 0);
}

/**
 * Does this name (of a flag, env variable, header or query parameter) hold a secret?
 * `strictKey`: a bare `key` is only a secret when qualified (`--api-key`, not `--key`);
 * env-style names (`STRIPE_KEY=`) are not strict.
 */
export function isSecretName(name: string, strictKey = true): boolean {
  const segs = segments(name);
  const last = segs[segs.length - 1];
  if (last === undefined || EXEMPT_LAST.has(last)) return false;
  if (segs[0] === "no" && segs.length > 1) return false; // `--no-password` is a switch
  if (SECRET_LAST.has(last) || SECRET_SUFFIX.test(last)) return true;
  if (last === "key" || last === "keys") {
    if (!strictKey) return true;
    const prev = segs[segs.length - 2];
    return prev !== undefined && KEY_QUALIFIERS.has(prev);
  }
  return segs.some((s) => SECRET_ANYWHERE.has(s));
}

// Every scan below is a single pass: a regex such as /['"`);,]*$/ retries from each
// position of a run of quotes, which is quadratic on a hostile command line.
const HEAD_CHARS = "'\"`(";
const TAIL_CHARS = "'\"`);,";

/** Length of the run of quote-like characters that opens `s`. */
function headLen(s: string): number {
  let i = 0;
  while (i < s.length && HEAD_CHARS.includes(s.charAt(i))) i++;
  return i;
}

/** `s` without the run of closing quotes, brackets and commas at its end. */
function stripTail(s: string): string {
  let j = s.length;
  while (j > 0 && TAIL_CHARS.includes(s.charAt(j - 1))) j--;
  return s.slice(0, j);
}

const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** `[A-Za-z0-9_.-]`: the characters after the first of a flag or env name. */
const isNameChar = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 95 || c === 46 || c === 45;

/** End of the name run `[A-Za-z0-9_.-]*` that starts at `i`. */
function nameEnd(s: string, i: number): number {
  while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
  return i;
}

/** `NAME=value` with NAME `[A-Za-z_][A-Za-z0-9_.-]*` from `from`: the index of `=`, or -1. */
function envEq(s: string, from: number): number {
  const c = s.charCodeAt(from);
  if (!(isAlpha(c) || c === 95)) return -1;
  const e = nameEnd(s, from + 1);
  return s.charCodeAt(e) === 61 ? e : -1;
}

/** The quote a word opens and does not close (`'two` of `'two words'`), if any. */
function openQuote(word: string): string | null {
  const q = word[0];
  if (q !== "'" && q !== '"') return null;
  return word.length > 1 && word.endsWith(q) ? null : q;
}

/**
 * Replaces a word by the mask but keeps the quotes around it (`'abc'` → `'***'`). In free
 * text a quoted value may span words: the state remembers the open quote so the next
 * words are masked up to the closing one.
 */
function maskWord(word: string, st?: State): string {
  const head = word.slice(0, headLen(word));
  const rest = word.slice(head.length);
  const tail = rest.slice(stripTail(rest).length);
  if (st) st.quote = openQuote(word);
  return head + MASK + tail;
}

/** A userinfo without a password is masked only when it looks like a token, not a login name. */
function tokenLike(user: string): boolean {
  if (/^(ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abpr]-|sk-|hf_)/i.test(user)) return true;
  return user.length >= 20 && /\d/.test(user) && /[a-z]/i.test(user);
}

const isSchemeChar = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 43 || c === 46 || c === 45;
/** Characters that end a URL's authority (`[\s/?#'"]`) or a query parameter (`[&#\s'"]`). */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return WIDE_SPACE.test(String.fromCharCode(c));
}
const WIDE_SPACE = /\s/;
const endsAuthority = (c: number): boolean => c === 47 || c === 63 || c === 35 || c === 39 || c === 34 || isSpace(c);
const endsParam = (c: number): boolean => c === 38 || c === 35 || c === 39 || c === 34 || isSpace(c);

/** The authority of `scheme://authority`, masked if it holds a password or a token. */
function maskAuthority(authority: string): string {
  const at = authority.lastIndexOf("@");
  if (at < 0) return authority;
  const userinfo = authority.slice(0, at);
  const hostport = authority.slice(at);
  const colon = userinfo.indexOf(":");
  if (colon >= 0) {
    const pass = userinfo.slice(colon + 1);
    return pass ? `${userinfo.slice(0, colon)}:${MASK}${hostport}` : authority;
  }
  return tokenLike(userinfo) ? `${MASK}${hostport}` : authority;
}

/**
 * Joined strings are ropes in V8 and charCodeAt walks the rope on every call: a scan over
 * one is quadratic-ish. Converting to a number flattens the string in place first.
 */
function flat(s: string): string {
  if (s.length > 256) Number(s);
  return s;
}

/** Masks the userinfo of every `scheme://` (scheme `[a-z][a-z0-9+.-]*`), one pass. */
function redactAuthorities(s: string): string {
  flat(s);
  let out = "";
  let done = 0; // s[0, done) is already in out
  let from = 0;
  for (;;) {
    const sep = s.indexOf("://", from);
    if (sep < 0) break;
    // the scheme is the run of scheme characters before `://`, from its first letter on;
    // the run cannot cross a `:`, so walking back is linear over the whole string
    let k = sep;
    while (k > done && isSchemeChar(s.charCodeAt(k - 1))) k--;
    while (k < sep && !isAlpha(s.charCodeAt(k))) k++;
    from = sep + 1;
    if (k === sep) continue;
    let e = sep + 3;
    while (e < s.length && !endsAuthority(s.charCodeAt(e))) e++;
    out += s.slice(done, sep + 3) + maskAuthority(s.slice(sep + 3, e));
    done = from = e;
  }
  return done === 0 ? s : out + s.slice(done);
}

/** Masks `?name=value` / `&name=value` / `;name=value` when the name is a secret's, one pass. */
function redactQuery(s: string): string {
  flat(s);
  let out = "";
  let done = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 63 && c !== 38 && c !== 59) {
      i++;
      continue;
    }
    // the name is `[^=&#\s'"]+`; every `?` or `;` inside that run ends at the same place,
    // so when this start fails they all do and the scan resumes at the run's end
    let e = i + 1;
    while (e < s.length && s.charCodeAt(e) !== 61 && !endsParam(s.charCodeAt(e))) e++;
    if (e === i + 1 || s.charCodeAt(e) !== 61) {
      i = e;
      continue;
    }
    let v = e + 1;
    while (v < s.length && !endsParam(s.charCodeAt(v))) v++;
    const name = s.slice(i + 1, e);
    if (v > e + 1 && isSecretName(name, false)) {
      out += s.slice(done, e + 1) + MASK;
      done = v;
    }
    i = v;
  }
  return done === 0 ? s : out + s.slice(done);
}

/** `postgres://u:p@h` → `postgres://u:***@h`; `https://ghp_…@github.com` → `https://***@github.com`; `?token=x` → `?token=***`. */
export function redactUrls(s: string): string {
  if (!s.includes("://")) return s;
  const out = redactAuthorities(s);
  return out.includes("?") || out.includes("&") ? redactQuery(out) : out;
}

const AUTH_SCHEMES = new Set(["bearer", "basic", "token", "digest", "negotiate", "bot", "apikey"]);
const HEADER_WORD = /^([A-Za-z][A-Za-z0-9-]*):(.*)$/;

function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === "authorization" || n === "proxy-authorization" || isSecretName(name, true);
}

/** What the next word is, given this one. */
type Pending = null | "flagValue" | "headerValue" | "credential";

/** Programs whose short options carry secrets (`curl -u user:pw`, `mysql -ppw`). */
type Tool = null | "curl" | "mysql";
const MYSQL_TOOLS = new Set([
  "mysql",
  "mysqldump",
  "mysqladmin",
  "mariadb",
  "mariadb-dump",
  "mysqlimport",
  "mysqlcheck",
]);

function toolOf(word: string): Tool {
  const base = word.slice(word.lastIndexOf("/") + 1);
  if (base === "curl") return "curl";
  if (MYSQL_TOOLS.has(base)) return "mysql";
  return null;
}

interface State {
  pending: Pending;
  tool: Tool;
  curlUser: boolean;
  quote: string | null;
}

/** Redacts one whitespace-free word and says what the next word is. */
function redactWord(word: string, st: State): string {
  if (st.quote) {
    // still inside a masked quoted value
    if (word.endsWith(st.quote)) {
      st.quote = null;
      return MASK + word.slice(word.length - 1);
    }
    return MASK;
  }
  const pending = st.pending;
  st.pending = null;
  if (pending === "flagValue") {
    if (word.length > 1 && word.startsWith("-")) return redactWord(word, st); // the flag had no value
    return maskWord(word, st);
  }
  if (pending === "credential") return maskWord(word, st);
  const core = word.slice(headLen(word));
  const head = word.slice(0, word.length - core.length);
  if (pending === "headerValue") {
    if (AUTH_SCHEMES.has(stripTail(core).toLowerCase())) {
      st.pending = "credential";
      return word;
    }
    return maskWord(word, st);
  }
  if (st.curlUser) {
    st.curlUser = false;
    const c = core.indexOf(":");
    if (c > 0 && !core.startsWith("-")) return head + core.slice(0, c + 1) + maskWord(core.slice(c + 1), st);
  }
  const tool = toolOf(core);
  if (tool) {
    st.tool = tool;
    return word;
  }
  return head + redactCore(core, st);
}

function redactCore(word: string, st: State): string {
  // `--env=--header=X` nests flags: a loop, not recursion, so a word of 32k `--a=` neither
  // overflows the stack nor rescans its tail once per level
  let prefix = "";
  let core = word;
  for (;;) {
    if (/^bearer$/i.test(core)) {
      st.pending = "credential";
      return prefix + core;
    }
    if (st.tool === "curl" && (core === "-u" || core === "--user" || core === "--proxy-user" || core === "-U")) {
      st.curlUser = true;
      return prefix + core;
    }
    if (
      st.tool === "mysql" &&
      core.startsWith("-p") &&
      !core.startsWith("-port") &&
      core.length > 2 &&
      !/\s/.test(core)
    )
      return prefix + "-p" + maskWord(core.slice(2));
    if (core.startsWith("-D")) {
      const eq = envEq(core, 2);
      if (eq >= 0) {
        const name = core.slice(2, eq);
        const value = core.slice(eq + 1);
        const masked = isSecretName(name, false) && value ? maskWord(value, st) : redactUrls(value);
        return `${prefix}-D${name}=${masked}`;
      }
    }
    if (!core.startsWith("-")) return prefix + redactPlain(core, st);
    // only long flags carry secrets by name; `-k expr`, `-p 8080` stay as they are
    const dashes = core.startsWith("--") ? 2 : 1;
    const e = isAlpha(core.charCodeAt(dashes)) ? nameEnd(core, dashes + 1) : -1;
    const flagLike = e > 0 && (e === core.length || core.charCodeAt(e) === 61);
    if (!flagLike || dashes === 1) return prefix + redactUrls(core);
    const name = core.slice(0, e);
    if (e === core.length) {
      if (isSecretName(name, true)) st.pending = "flagValue";
      return prefix + core;
    }
    const value = core.slice(e + 1);
    if (isSecretName(name, true)) return prefix + (value ? `${name}=${maskWord(value, st)}` : core);
    prefix += `${name}=`; // `--env=TOKEN=x`, `--header=Authorization:`
    core = value;
  }
}

/** A word that is not a flag: `NAME=value`, `Header: value`, or text that may hold URLs. */
function redactPlain(core: string, st: State): string {
  const eq = envEq(core, 0);
  if (eq >= 0) {
    const name = core.slice(0, eq);
    const value = core.slice(eq + 1);
    if (isSecretName(name, false) && value) return `${name}=${maskWord(value, st)}`;
    return `${name}=${redactUrls(value)}`;
  }
  if (!core.includes("://")) {
    const header = HEADER_WORD.exec(stripTail(core));
    if (header && isSecretHeader(header[1]!)) {
      const value = core.slice(header[1]!.length + 1);
      if (stripTail(value) === "") {
        st.pending = "headerValue";
        return core;
      }
      if (AUTH_SCHEMES.has(stripTail(value).toLowerCase())) {
        st.pending = "credential";
        return core;
      }
      return `${header[1]}:${maskWord(value, st)}`;
    }
  }
  return redactUrls(core);
}

function newState(): State {
  return { pending: null, tool: null, curlUser: false, quote: null };
}

/** Redacts free text (a cmdline joined by spaces, a shell script, a log line), keeping its spacing. */
export function redactText(s: string): string {
  return redactTextWith(s, newState());
}

function redactTextWith(s: string, st: State): string {
  if (s === "") return s;
  const parts = s.split(/(\s+)/);
  for (let i = 0; i < parts.length; i += 2) {
    if (parts[i]) parts[i] = redactWord(parts[i]!, st);
  }
  return parts.join("");
}

/** Redacts an argv: a secret flag's value is the next element, whatever it holds. */
export function redactArgv(argv: string[]): string[] {
  const st = newState();
  return argv.map((arg) => {
    if (st.pending === "flagValue" || st.pending === "credential") {
      if (!(st.pending === "flagValue" && arg.length > 1 && arg.startsWith("-"))) {
        st.pending = null;
        return arg === "" ? arg : MASK;
      }
    }
    return /\s/.test(arg) ? redactTextWith(arg, st) : redactWord(arg, st);
  });
}
