/**
 * A TCP proxy that a test puts in front of a server (PostgreSQL, a vendor) to cause network
 * faults for real, in the spirit of Shopify's toxiproxy:
 *
 * - `pause()`: connections are still accepted and bytes still taken in, but nothing is passed
 *   on, either way: to both ends the other side hangs, as a stalled server or network does.
 *   `pauseOn(text)` passes bytes on until a client sends `text`, then pauses from those bytes on.
 * - `resume()`: what was held is delivered in order, ends of stream included, and bytes flow again.
 * - `resetAll()`: every open connection is reset (RST), both sides.
 * - `close()`: stops listening and destroys every connection.
 */
import { createServer, type Server, Socket } from 'node:net';

/** What one side sent while the proxy held it: bytes, or the end of its stream. */
type Held = Buffer | 'end';

/** One client's connection and the proxy's connection to the server on its behalf. */
interface Link {
  client: Socket;
  server: Socket;
  /** Held from the client, for the server. */
  toServer: Held[];
  /** Held from the server, for the client. */
  toClient: Held[];
}

export interface ProxyTarget {
  host: string;
  port: number;
}

export class TcpProxy {
  private readonly links = new Set<Link>();
  private paused = false;
  private pauseText?: string;

  private constructor(
    private readonly server: Server,
    private readonly target: ProxyTarget,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards every connection to `target`. */
  static async start(target: ProxyTarget): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (client) => proxy.link(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** A proxy in front of the host and port of `url` (a `postgres://` or `http://` URL). */
  static forUrl(url: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(url);
    return TcpProxy.start({ host: hostname, port: Number(port) });
  }

  get port(): number {
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('the proxy is not listening');
    return address.port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  proxiedUrl(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  /** Connections open through the proxy right now. */
  get connectionCount(): number {
    return this.links.size;
  }

  /** Bytes that clients sent while the proxy was paused, not yet delivered to the server. */
  get heldBytes(): number {
    let bytes = 0;
    for (const link of this.links) for (const held of link.toServer) if (held !== 'end') bytes += held.length;
    return bytes;
  }

  pause(): void {
    this.paused = true;
  }

  /** Passes bytes on until a client sends `text` (e.g. `COMMIT`), then pauses, holding those bytes. */
  pauseOn(text: string): void {
    this.pauseText = text;
  }

  resume(): void {
    this.paused = false;
    this.pauseText = undefined;
    for (const link of this.links) {
      deliver(link.toServer.splice(0), link.server);
      deliver(link.toClient.splice(0), link.client);
    }
  }

  resetAll(): void {
    for (const link of [...this.links]) {
      link.client.resetAndDestroy();
      link.server.resetAndDestroy();
      this.links.delete(link);
    }
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const link of this.links) {
      link.client.destroy();
      link.server.destroy();
    }
    this.links.clear();
    await closed;
  }

  private link(client: Socket): void {
    const server = new Socket();
    const link: Link = { client, server, toServer: [], toClient: [] };
    this.links.add(link);
    const unlink = () => {
      client.destroy();
      server.destroy();
      this.links.delete(link);
    };
    // A side that fails or goes away takes the other with it, unless what it sent is still held.
    for (const socket of [client, server]) {
      socket.on('error', unlink);
      socket.on('close', () => {
        if (link.toClient.length === 0 && link.toServer.length === 0) unlink();
      });
    }
    this.forward(client, server, link.toServer, true);
    this.forward(server, client, link.toClient, false);
    server.connect(this.target.port, this.target.host);
  }

  /** Passes what `from` sends on to `to`, or holds it in `held` while the proxy is paused. */
  private forward(from: Socket, to: Socket, held: Held[], fromClient: boolean): void {
    from.on('data', (chunk: Buffer) => {
      if (fromClient && this.pauseText !== undefined && chunk.includes(this.pauseText)) this.paused = true;
      if (this.paused) held.push(chunk);
      else if (!to.destroyed) to.write(chunk);
    });
    from.on('end', () => {
      if (this.paused) held.push('end');
      else if (!to.destroyed) to.end();
    });
  }
}

function deliver(held: Held[], to: Socket): void {
  if (to.destroyed) return;
  for (const item of held) {
    if (item === 'end') to.end();
    else if (!to.writableEnded) to.write(item);
  }
}
