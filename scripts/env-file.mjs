// `npm start`'s reading of ./.env: Node's own parser (quotes, `# comments`, multi-line
// values), so a value never keeps its inline comment.
import { parseEnv } from "node:util";

// Node 20.20 reads `export NAME=…` itself; older 20.x releases took `export NAME` as the name.
const parsesExport = parseEnv("export A=1").A === "1";

/**
 * The variables of a .env text.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseEnvFile(text) {
  return parseEnv(parsesExport ? text : text.replace(/^([ \t]*)export[ \t]+(?=[A-Za-z_])/gm, "$1"));
}

/**
 * `env` with the file's variables added; a variable already set in `env` wins.
 * @param {Record<string, string | undefined>} env
 * @param {string} text
 * @returns {Record<string, string | undefined>}
 */
export function withEnvFile(env, text) {
  return { ...parseEnvFile(text), ...definedOnly(env) };
}

/** @param {Record<string, string | undefined>} env */
function definedOnly(env) {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}
