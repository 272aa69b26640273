/**
 * A tiny forward proxy for tests: CONNECT tunnels and absolute-URI HTTP forwarding. It records the
 * host:port of every request it carries and the head of every response coming back from upstream
 * (read off the first bytes of a plain-HTTP tunnel), so a test can prove a request went through it and
 * what the server answered.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TestProxy {
  url: string;
  /** host:port of every tunnelled or forwarded request. */
  targets: string[];
  /** The headers of every upstream response (names in lower case). */
  heads: Array<Record<string, string>>;
  close(): Promise<void>;
}

function parseHead(text: string): Record<string, string> {
  const h: Record<string, string> = {};
  for (const line of text.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) h[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return h;
}

export async function startTestProxy(): Promise<TestProxy> {
  const targets: string[] = [];
  const heads: Array<Record<string, string>> = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const target = new URL(req.url!);
    targets.push(target.host);
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers: req.headers },
      (r) => {
        heads.push(Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)])));
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    targets.push(req.url!);
    const [host, port] = req.url!.split(':');
    const up = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      client.pipe(up);
      let buf = '';
      let done = false;
      up.on('data', (chunk: Buffer) => {
        if (!done) {
          buf += chunk.toString('latin1');
          const end = buf.indexOf('\r\n\r\n');
          if (end >= 0) {
            done = true;
            heads.push(parseHead(buf.slice(0, end)));
          }
        }
        client.write(chunk);
      });
      up.on('end', () => client.end());
    });
    sockets.add(up).add(client);
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    heads,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
