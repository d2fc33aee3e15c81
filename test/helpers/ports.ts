// A loopback port nothing listens on right now: bound once on 127.0.0.1, then released.
// Free for a server a test is about to start; refused for a client (a "closed port").
import { createServer, type AddressInfo } from "node:net";

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The same port, named for what the test does with it: connect and be refused. */
export function closedPort(): Promise<number> {
  return freePort();
}
