// The extension's one logger: the "Watchdog" LogOutputChannel in VS Code, anything with the
// same five methods in tests. Each part logs through a child that prefixes its name, so a
// line says where it came from. No `vscode` import: pure code and tests pass a fake sink.
//
// Levels, the same everywhere:
//   error  something failed and stays failed until someone acts (a command, a refused host key,
//          a listener that threw)
//   warn   handled but worth a look (not retrying, a crashed local probe that will be restarted,
//          plain ws:// across the network, a bad setting)
//   info   what a user would want in the log: connected, disconnected, started, token stored
//   debug  why: connection attempts, how a host key was accepted
//   trace  raw chatter (the local probe's own output lines)
// Never a token, nor a URL with credentials in it.

/** What the lines go to: a VS Code LogOutputChannel has these. */
export interface LogSink {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Logger extends LogSink {
  /** A logger whose lines carry `[name]` after this one's own prefix. */
  child(name: string): Logger;
}

/** The root logger over `sink`; its lines carry no prefix, its children's do. */
export function rootLogger(sink: LogSink): Logger {
  return prefixed(sink, "");
}

function prefixed(sink: LogSink, prefix: string): Logger {
  return {
    trace: (message) => sink.trace(prefix + message),
    debug: (message) => sink.debug(prefix + message),
    info: (message) => sink.info(prefix + message),
    warn: (message) => sink.warn(prefix + message),
    error: (message) => sink.error(prefix + message),
    child: (name) => prefixed(sink, `${prefix}[${name}] `),
  };
}
