/**
 * `npm run playground`: build the page (playground/build.ts) and serve playground/dist on
 * http://localhost:5178 (PORT=… or --port … for another; 0 picks a free one) with a tiny node:http
 * static server. Only GET/HEAD of files inside the directory are answered.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlayground } from './build.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
};

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serve the files of dir on 127.0.0.1:port (0: a free port). */
export function serveStatic(dir: string, port = 0): Promise<RunningServer> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      try {
        if (!(await stat(file)).isFile()) throw new Error('not a file');
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    })();
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      const p = typeof a === 'object' && a ? a.port : port;
      ok({ url: `http://localhost:${p}/`, server, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--port');
  const port = Number(i >= 0 ? process.argv[i + 1] : (process.env['PORT'] ?? 5178));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`playground: the port must be an integer from 0 to 65535, got "${i >= 0 ? process.argv[i + 1] : process.env['PORT']}"`);
    process.exit(2);
  }
  const { outDir: dir } = await buildPlayground();
  const s = await serveStatic(dir, port);
  console.log(`eomkit playground: ${s.url}  (Ctrl-C to stop)`);
}
