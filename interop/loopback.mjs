// What both interop servers share: the log line, the integer arguments, and the loopback
// HTTP server whose handler is attached once the port is known. The server stops when stdin
// closes (so it goes away with the test process), on SIGTERM and on SIGINT.

import * as http from 'node:http';

/** One timestamped line on stderr. */
export function log(line) {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/** `value` as an integer 0..max, or exit 2 with a message naming `script` and `--name`. */
export function integerArg(script, name, value, max) {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n < 0 || n > max || String(n) !== value.trim()) {
    process.stderr.write(`${script}: --${name} must be an integer 0..${max}, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

/**
 * Listens on 127.0.0.1:`port`, then calls `attach(origin)` with `http://127.0.0.1:PORT`; it
 * returns `{ handler, url }`: the request handler, and the URL printed as the one stdout line
 * `listening on URL`. The URLs a server names contain the port, which is known only once the
 * socket is bound; no request can arrive before the line is printed, because nobody knows the
 * port yet.
 */
export function serveOnLoopback(port, attach) {
  const listener = http.createServer();
  let shuttingDown = false;
  const shutdown = (reason, code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`shutting down: ${reason}`);
    listener.close();
    listener.closeAllConnections?.();
    process.exit(code);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume();

  listener.on('error', (err) => {
    log(`listen error: ${err.stack ?? err}`);
    process.exit(1);
  });
  listener.listen(port, '127.0.0.1', () => {
    const { handler, url } = attach(`http://127.0.0.1:${listener.address().port}`);
    listener.on('request', handler);
    process.stdout.write(`listening on ${url}\n`);
  });
}
