// The oracle for test/probe/redact.test.ts: probe/redact.ts as it was before its regexes were
// replaced by single-pass scanners (several of these regexes are quadratic on hostile text,
// a 128 KiB `?a?a…` takes seconds). Same rules, so on short inputs the outputs must be equal.
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
function isSecretName(name: string, strictKey = true): boolean {
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

const QUOTES_HEAD = /^['"`(]*/;
const QUOTES_TAIL = /['"`);,]*$/;

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
  const head = QUOTES_HEAD.exec(word)![0];
  const rest = word.slice(head.length);
  const tail = QUOTES_TAIL.exec(rest)![0];
  if (st) st.quote = openQuote(word);
  return head + MASK + tail;
}

/** A userinfo without a password is masked only when it looks like a token, not a login name. */
function tokenLike(user: string): boolean {
  if (/^(ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abpr]-|sk-|hf_)/i.test(user)) return true;
  return user.length >= 20 && /\d/.test(user) && /[a-z]/i.test(user);
}

const URL_AUTHORITY = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#'"]*)/gi;
const URL_QUERY_PARAM = /([?&;])([^=&#\s'"]+)=([^&#\s'"]*)/g;

/** `postgres://u:p@h` → `postgres://u:***@h`; `https://ghp_…@github.com` → `https://***@github.com`; `?token=x` → `?token=***`. */
export function redactUrls(s: string): string {
  if (!s.includes("://")) return s;
  let out = s.replace(URL_AUTHORITY, (all, scheme: string, authority: string) => {
    const at = authority.lastIndexOf("@");
    if (at < 0) return all;
    const userinfo = authority.slice(0, at);
    const hostport = authority.slice(at);
    const colon = userinfo.indexOf(":");
    if (colon >= 0) {
      const pass = userinfo.slice(colon + 1);
      return pass ? `${scheme}${userinfo.slice(0, colon)}:${MASK}${hostport}` : all;
    }
    return tokenLike(userinfo) ? `${scheme}${MASK}${hostport}` : all;
  });
  if (out.includes("?") || out.includes("&")) {
    out = out.replace(URL_QUERY_PARAM, (all, sep: string, name: string, value: string) =>
      value && isSecretName(name, false) ? `${sep}${name}=${MASK}` : all,
    );
  }
  return out;
}

const AUTH_SCHEMES = new Set(["bearer", "basic", "token", "digest", "negotiate", "bot", "apikey"]);
const HEADER_WORD = /^([A-Za-z][A-Za-z0-9-]*):(.*)$/;
const ENV_WORD = /^([A-Za-z_][A-Za-z0-9_.-]*)=([\s\S]*)$/;
const JAVA_PROP = /^(-D)([A-Za-z_][A-Za-z0-9_.-]*)=([\s\S]*)$/;
const LONG_FLAG = /^(--?[A-Za-z][A-Za-z0-9_.-]*)(=([\s\S]*))?$/;

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
  const core = word.replace(QUOTES_HEAD, "");
  const head = word.slice(0, word.length - core.length);
  if (pending === "headerValue") {
    if (AUTH_SCHEMES.has(core.replace(QUOTES_TAIL, "").toLowerCase())) {
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

function redactCore(core: string, st: State): string {
  if (/^bearer$/i.test(core)) {
    st.pending = "credential";
    return core;
  }
  if (st.tool === "curl" && (core === "-u" || core === "--user" || core === "--proxy-user" || core === "-U")) {
    st.curlUser = true;
    return core;
  }
  if (st.tool === "mysql" && /^-p[^\s]+$/.test(core) && !core.startsWith("-port"))
    return "-p" + maskWord(core.slice(2));
  const prop = JAVA_PROP.exec(core);
  if (prop) {
    const [, d, name, value] = prop;
    return `${d}${name}=${isSecretName(name!, false) && value ? maskWord(value, st) : redactUrls(value!)}`;
  }
  if (core.startsWith("-")) {
    const flag = LONG_FLAG.exec(core);
    // only long flags carry secrets by name; `-k expr`, `-p 8080` stay as they are
    if (!flag || !flag[1]!.startsWith("--")) return redactUrls(core);
    const name = flag[1]!;
    const value = flag[3];
    if (value === undefined) {
      if (isSecretName(name, true)) st.pending = "flagValue";
      return core;
    }
    if (isSecretName(name, true)) return value ? `${name}=${maskWord(value, st)}` : core;
    return `${name}=${redactCore(value, st)}`; // `--env=TOKEN=x`, `--header=Authorization:`
  }
  const env = ENV_WORD.exec(core);
  if (env) {
    const [, name, value] = env;
    if (isSecretName(name!, false) && value) return `${name}=${maskWord(value, st)}`;
    return `${name}=${redactUrls(value!)}`;
  }
  if (!core.includes("://")) {
    const header = HEADER_WORD.exec(core.replace(QUOTES_TAIL, ""));
    if (header && isSecretHeader(header[1]!)) {
      const value = core.slice(header[1]!.length + 1);
      if (value.replace(QUOTES_TAIL, "") === "") {
        st.pending = "headerValue";
        return core;
      }
      if (AUTH_SCHEMES.has(value.replace(QUOTES_TAIL, "").toLowerCase())) {
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
