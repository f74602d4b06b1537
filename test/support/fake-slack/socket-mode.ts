/**
 * The Socket Mode side of the fake Slack: the WebSocket at `/link/` that a URL from
 * `apps.connections.open` opens, the envelopes sent down it and the acks that come back.
 * FakeSlack owns one and exposes it through its own methods.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { withDeadline } from '../wait';
import { isObject, type EnvelopeAck, type EnvelopeType, type JsonObject, type SendEnvelopeOptions } from './records';

/** What the link needs from the fake around it. */
export interface SocketModeHost {
  readonly appId: string;
  recordTraffic(route: string, raw: string, contentType: string): void;
  /** Wakes waiters: a connection opened or closed, or an ack came in. */
  changed(): void;
}

interface PendingAck {
  resolve(ack: EnvelopeAck): void;
  reject(error: Error): void;
}

export class SocketModeLink {
  private readonly sockets = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly connections = new Set<WebSocket>();
  private connectionsOpened = 0;
  private readonly pendingAcks = new Map<string, PendingAck>();
  private ackLog: EnvelopeAck[] = [];

  constructor(private readonly host: SocketModeHost) {}

  get openCount(): number {
    return this.connections.size;
  }

  get openedCount(): number {
    return this.connectionsOpened;
  }

  acks(): EnvelopeAck[] {
    return structuredClone(this.ackLog);
  }

  forgetAcks(): void {
    this.ackLog = [];
  }

  /** A WebSocket URL for `apps.connections.open`, good for one connection. */
  connectionUrl(baseUrl: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    const wsUrl = baseUrl.replace(/^http/, 'ws');
    return `${wsUrl}/link/?ticket=${ticket}&app_id=${this.host.appId}`;
  }

  send(type: EnvelopeType, payload: JsonObject, options: SendEnvelopeOptions): Promise<EnvelopeAck> {
    const socket = [...this.connections].at(-1);
    if (!socket) {
      return Promise.reject(new Error('no Socket Mode client is connected to the fake Slack (await waitForConnection() first)'));
    }
    const envelopeId = randomUUID();
    const acceptsResponsePayload =
      options.acceptsResponsePayload ?? (type === 'slash_commands' || (type === 'interactive' && payload.type !== 'block_actions'));
    const envelope: JsonObject = { envelope_id: envelopeId, type, payload, accepts_response_payload: acceptsResponsePayload };
    if (options.retryAttempt !== undefined) envelope.retry_attempt = options.retryAttempt;
    if (options.retryReason !== undefined) envelope.retry_reason = options.retryReason;

    const acked = new Promise<EnvelopeAck>((resolve, reject) => this.pendingAcks.set(envelopeId, { resolve, reject }));
    socket.send(JSON.stringify(envelope));
    const timeoutMs = options.ackTimeoutMs ?? 3_000;
    return withDeadline(acked, timeoutMs, `the ack of ${type} envelope ${envelopeId}`).finally(() =>
      this.pendingAcks.delete(envelopeId),
    );
  }

  disconnect(reason: string): void {
    const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack-applink' } });
    for (const socket of this.connections) socket.send(message);
  }

  drop(): void {
    for (const socket of this.connections) socket.terminate();
  }

  /** Fails every envelope still waiting for its ack and closes every connection. */
  close(): void {
    for (const [id, pending] of this.pendingAcks) pending.reject(new Error(`fake Slack stopped before envelope ${id} was acked`));
    this.pendingAcks.clear();
    for (const socket of this.connections) socket.terminate();
    this.connections.clear();
    this.sockets.close();
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake-slack');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      // Only a URL fresh from apps.connections.open opens a connection, once.
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.connections.add(ws);
    this.connectionsOpened += 1;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(data.toString());
    });
    ws.on('close', () => {
      this.connections.delete(ws);
      this.host.changed();
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections.size,
        debug_info: { host: 'fake-slack-applink', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: this.host.appId },
      }),
    );
    this.host.changed();
  }

  private receive(raw: string): void {
    this.host.recordTraffic('WS /link/', raw, 'application/json');
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isObject(message) || typeof message.envelope_id !== 'string') return;
    const ack: EnvelopeAck = { envelope_id: message.envelope_id };
    if (isObject(message.payload)) ack.payload = message.payload;
    this.ackLog.push(ack);
    this.pendingAcks.get(ack.envelope_id)?.resolve(ack);
    this.host.changed();
  }
}
