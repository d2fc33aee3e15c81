// One JSON line per event on stdout: easy to read in `docker logs`, easy to parse.
// Callers never pass secrets; the Telegram client redacts its own URLs.
export type LogLine = Record<string, unknown> & { event: string };
export type Logger = (level: "info" | "warn" | "error", line: LogLine) => void;

export function jsonLogger(write: (s: string) => void = (s) => process.stdout.write(s)): Logger {
  return (level, line) => {
    try {
      write(JSON.stringify({ ts: new Date().toISOString(), level, ...line }) + "\n");
    } catch {
      /* a closed stdout must not stop the probe */
    }
  };
}
