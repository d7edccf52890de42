/** Test support: a TCP proxy that drops connections mid-response, as a network would (test/cli/api.test.ts, bench/follow-drops.ts). Free of vitest. */
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to the server that cuts each of the first `drops` connections after `cutAfter(n)`
 * bytes of response (mid-event: the byte counts fall where they fall), as a network would.
 */
export async function droppingProxy(
  port: number,
  drops: number,
  cutAfter: (n: number) => number,
): Promise<{ url: string; dropped: () => number; close: () => void }> {
  let connections = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((downstream) => {
    const n = connections++;
    const upstream = connect(port, '127.0.0.1');
    sockets.add(downstream).add(upstream);
    let sent = 0;
    downstream.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (n < drops && sent + chunk.length > cutAfter(n)) {
        downstream.write(chunk.subarray(0, cutAfter(n) - sent));
        dropped++;
        downstream.destroy();
        upstream.destroy();
        return;
      }
      sent += chunk.length;
      downstream.write(chunk);
    });
    upstream.on('end', () => downstream.end());
    for (const s of [downstream, upstream]) s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = proxy.address() as { port: number };
  return { url: `http://127.0.0.1:${proxyPort}`, dropped: () => dropped, close: () => (sockets.forEach((s) => s.destroy()), proxy.close()) };
}
