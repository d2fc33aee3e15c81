// How a failure reads in a signal, a log line or the stream: the errno code (ECONNREFUSED,
// ENOENT…) up front when the message does not already carry it, never a stack.
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message || e.name;
    return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
  }
  return String(e);
}
