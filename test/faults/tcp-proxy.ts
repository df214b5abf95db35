// A TCP relay between a process and a server that a test can hold: while
// held, no byte passes in either direction, so a call the process makes
// hangs as on a stalled network, and the test can act in that window (kill
// the process between two of its steps). What arrives while held is dropped,
// never delivered later.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** `127.0.0.1:PORT` to give the process in place of the server's address. */
  address: string;
  /** Stops forwarding on every connection, open or new. */
  hold(): void;
  /** Destroys every connection without forwarding what it held. */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const pairs = new Set<[Socket, Socket]>();
  let held = false;
  const server: Server = createServer((downstream) => {
    const upstream = connect({ host, port });
    const pair: [Socket, Socket] = [downstream, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!held) to.write(chunk);
      });
    forward(downstream, upstream);
    forward(upstream, downstream);
    const end = () => {
      pairs.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: ownPort } = server.address() as AddressInfo;
  const cutAll = () => {
    for (const [downstream, upstream] of pairs) {
      downstream.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    address: `127.0.0.1:${ownPort}`,
    hold() {
      held = true;
    },
    cutAll,
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
