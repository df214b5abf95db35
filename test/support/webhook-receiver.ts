import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP receiver on a free port that records every POST and answers `status()` (200 unless changed). */
export async function startWebhookReceiver(): Promise<{ url: string; posts: ReceivedPost[]; status: number; stop(): Promise<void> }> {
  const posts: ReceivedPost[] = [];
  const receiver = {
    url: '',
    posts,
    status: 200,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      posts.push({ headers: req.headers, body });
      res.statusCode = receiver.status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/asset-requests`;
  return receiver;
}
