import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { TcpProxy } from '../../support/tcp-proxy';
import { waitFor } from '../../support/wait';

/** A server that answers every chunk with `echo:` and the chunk. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('data', (chunk) => socket.write(`echo:${chunk.toString()}`));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** A client through the proxy that collects what it receives, and how it ended. */
async function client(proxy: TcpProxy) {
  const socket = new Socket();
  const seen = { text: '', error: undefined as NodeJS.ErrnoException | undefined, closed: false };
  socket.on('data', (chunk) => (seen.text += chunk.toString()));
  socket.on('error', (error) => (seen.error = error));
  socket.on('close', () => (seen.closed = true));
  socket.connect(proxy.port, '127.0.0.1');
  await once(socket, 'connect');
  return { socket, seen };
}

describe('TcpProxy', () => {
  let echo: { server: Server; port: number };
  let proxy: TcpProxy;

  beforeEach(async () => {
    echo = await echoServer();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: echo.port });
  });

  afterEach(async () => {
    await proxy.close();
    echo.server.close();
  });

  test('forwards both ways; paused, it holds what a client sends, and delivers it in order on resume', async () => {
    const { socket, seen } = await client(proxy);
    socket.write('one');
    await waitFor(() => seen.text === 'echo:one', { description: 'the first echo' });

    proxy.pause();
    socket.write('two');
    await waitFor(() => proxy.heldBytes === 3, { description: 'the bytes held' });
    expect(seen.text).toBe('echo:one');

    proxy.resume();
    await waitFor(() => seen.text === 'echo:oneecho:two', { description: 'the held bytes echoed' });
    expect(proxy.heldBytes).toBe(0);
    socket.destroy();
  });

  test('pauseOn passes bytes until a client sends the text, then holds from there', async () => {
    const { socket, seen } = await client(proxy);
    proxy.pauseOn('STOP');
    socket.write('go');
    await waitFor(() => seen.text === 'echo:go', { description: 'the bytes before the text' });
    socket.write('STOP here');
    await waitFor(() => proxy.heldBytes === 'STOP here'.length, { description: 'the text held' });
    proxy.resume();
    await waitFor(() => seen.text === 'echo:goecho:STOP here', { description: 'the held text echoed' });
    socket.destroy();
  });

  test('resetAll resets every open connection; new ones are forwarded', async () => {
    const first = await client(proxy);
    await waitFor(() => proxy.connectionCount === 1, { description: 'the connection open' });
    proxy.resetAll();
    await waitFor(() => first.seen.closed, { description: 'the connection closed' });
    expect(first.seen.error?.code).toBe('ECONNRESET');

    const second = await client(proxy);
    second.socket.write('again');
    await waitFor(() => second.seen.text === 'echo:again', { description: 'an echo on a new connection' });
    second.socket.destroy();
  });
});
