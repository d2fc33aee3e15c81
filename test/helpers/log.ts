// A real probe logger whose lines land in an array (parsed back from the JSON it wrote),
// so tests see exactly what `docker logs` would show.
import { jsonLogger, type Logger } from "../../probe/log.js";

export type LogLine = Record<string, unknown> & { ts: string; level: string; event: string; component?: string };

export function captureLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { log: jsonLogger((s) => lines.push(JSON.parse(s) as LogLine)), lines };
}
