// The extension's logger over an array: each line is "level message", the message with its
// child prefixes, as the Watchdog output channel would show it.
import { rootLogger, type Logger } from "../../extension/log.js";

export function memoryLog(lines: string[] = []): { log: Logger; lines: string[] } {
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  const log = rootLogger({
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  });
  return { log, lines };
}
