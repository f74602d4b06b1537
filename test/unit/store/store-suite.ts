/**
 * The behaviour every Store must have, written once: the SQLite test runs it now and a
 * PostgreSQL test will run the very same cases. Nothing here may depend on one database;
 * what only SQLite has (WAL, its triggers, its migrations table) is tested beside it.
 *
 * Time is always an explicit Date from a fixed clock; nothing waits.
 */
import { addMilliseconds, addMinutes } from 'date-fns';
import type { AuditNote, NewAuditEntry } from '../../../src/model/audit';
import type { RequestQuery, Store } from '../../../src/model/ports';
import {
  announceGraceMs,
  finishedStatuses,
  type NewRequest,
  type RequestRecord,
  type RequestStatus,
  requestStatuses,
  type StoredTargetResult,
  type TransitionName,
  transitions,
} from '../../../src/model/request';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes whatever `open` made. */
  cleanup(): Promise<void>;
}

const t0 = new Date('2026-11-23T10:00:00.000Z');
const minutes = (n: number) => addMinutes(t0, n);
/** Requests made by `newRequest` expire here unless told otherwise. */
const expiry = minutes(15);

const transitionNames = Object.keys(transitions) as TransitionName[];

function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    id: 'R-000001',
    operation: 'revoke-access',
    requesterId: 'U_REQUESTER',
    channelId: 'C_OPS',
    parentId: 'a3f1c2d4-0000-4000-8000-000000000001',
    targetIds: ['session-1'],
    reason: 'incident 42',
    approvalsRequired: 1,
    status: 'pending',
    createdAt: t0,
    expiresAt: expiry,
    ...overrides,
  };
}

/** A failed target's result with every error field, to check the JSON round trip. */
const sampleResults: StoredTargetResult[] = [
  { targetId: 'session-1', status: 'succeeded', summary: 'revoked', idempotent: true },
  {
    targetId: 'session-2',
    status: 'failed',
    idempotent: true,
    error: {
      vendor: 'altostrat',
      kind: 'http',
      message: 'Session not found',
      status: 404,
      code: 'not_found',
      traceId: 'trace-123',
      docUrl: 'https://docs.example/errors#not_found',
      retryable: false,
      outcome: 'failed',
      attempts: 1,
    },
  },
  { targetId: 'session-3', status: 'unknown', idempotent: false },
];

/** The transitions that lead from pending to `target`, found in the lifecycle table itself. */
function pathFromPending(target: RequestStatus): TransitionName[] {
  const paths = new Map<RequestStatus, TransitionName[]>([['pending', []]]);
  const queue: RequestStatus[] = ['pending'];
  for (const status of queue) {
    for (const name of transitionNames) {
      const { from, to } = transitions[name];
      if ((from as readonly RequestStatus[]).includes(status) && !paths.has(to)) {
        paths.set(to, [...paths.get(status)!, name]);
        queue.push(to);
      }
    }
  }
  const path = paths.get(target);
  if (!path) throw new Error(`no transition leads from pending to ${target}`);
  return path;
}

/** A request put into `status` the way the bot does it: an approval, then the store's own transitions. */
async function requestIn(store: Store, status: RequestStatus, overrides: Partial<NewRequest> = {}): Promise<RequestRecord> {
  const created = await store.createRequest(newRequest(overrides), requested);
  expect(await store.addApproval(created.id, 'U_APPROVER', minutes(1))).toBe('added');
  let record: RequestRecord | undefined = (await store.getRequest(created.id))!;
  for (const name of pathFromPending(status)) {
    record = await store.transition(created.id, name, { at: minutes(2) });
    if (!record) throw new Error(`could not drive ${created.id} through ${name} towards ${status}`);
  }
  expect(record.status).toBe(status);
  return record;
}

const requested: AuditNote = { event: 'requested', actorId: 'U_REQUESTER', detail: 'incident 42' };
const expiredNote: AuditNote = { event: 'expired', actorId: 'twokey' };
const lostNote: AuditNote = { event: 'executed', actorId: 'twokey', outcome: 'outcome_unknown' };

function auditEntry(overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return { at: t0, event: 'requested', actorId: 'U_REQUESTER', targets: [], ...overrides };
}

/** What an audit entry about `request` (which has a parent) is about. */
function about(request: RequestRecord) {
  return {
    operation: request.operation,
    channelId: request.channelId,
    requestId: request.id,
    targets: [request.parentId, ...request.targetIds],
  };
}

export function describeStore(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name}: the Store contract`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    describe('audit log', () => {
      test('appends entries with increasing ids and lists them newest first', async () => {
        const first = await store.appendAudit(auditEntry({ at: minutes(0), event: 'requested' }));
        const second = await store.appendAudit(auditEntry({ at: minutes(1), event: 'approved', actorId: 'U_APPROVER' }));
        const third = await store.appendAudit(auditEntry({ at: minutes(2), event: 'executed' }));
        expect(second.id).toBeGreaterThan(first.id);
        expect(third.id).toBeGreaterThan(second.id);
        expect(await store.listAudit()).toEqual([third, second, first]);
      });

      test('keeps every field, the targets array in order, and leaves unset fields absent', async () => {
        const full = await store.appendAudit({
          at: new Date('2026-11-23T10:00:00.123Z'),
          event: 'executed',
          actorId: 'U_REQUESTER',
          operation: 'delete-peer',
          channelId: 'C_OPS',
          requestId: 'R-ABCDEF',
          targets: ['instance-1', 'peer-2', 'peer-1'],
          outcome: 'partially_failed',
          detail: 'peer-1: 404 not found, "quoted", and\na second line',
        });
        const bare = await store.appendAudit({ at: minutes(1), event: 'refused', actorId: 'U_OTHER', targets: [] });
        const [listedBare, listedFull] = await store.listAudit();
        expect(listedFull).toEqual(full);
        expect(listedFull.at).toBeInstanceOf(Date);
        expect(listedFull.at.toISOString()).toBe('2026-11-23T10:00:00.123Z');
        expect(listedBare).toEqual(bare);
        expect(listedBare.targets).toEqual([]);
        for (const field of ['operation', 'channelId', 'requestId', 'outcome', 'detail'] as const) {
          expect(listedBare[field]).toBeUndefined();
        }
      });

      test('filters by since (inclusive), channel and limit, alone and together', async () => {
        const early = await store.appendAudit(auditEntry({ at: minutes(0), channelId: 'C_OPS' }));
        const other = await store.appendAudit(auditEntry({ at: minutes(5), channelId: 'C_OTHER' }));
        const late = await store.appendAudit(auditEntry({ at: minutes(10), channelId: 'C_OPS' }));
        const noChannel = await store.appendAudit(auditEntry({ at: minutes(15) }));

        expect(await store.listAudit({ since: minutes(5) })).toEqual([noChannel, late, other]);
        expect(await store.listAudit({ since: minutes(16) })).toEqual([]);
        expect(await store.listAudit({ channelId: 'C_OPS' })).toEqual([late, early]);
        expect(await store.listAudit({ channelId: 'C_NONE' })).toEqual([]);
        expect(await store.listAudit({ limit: 2 })).toEqual([noChannel, late]);
        expect(await store.listAudit({ channelId: 'C_OPS', since: minutes(1), limit: 5 })).toEqual([late]);
        expect(await store.listAudit({ channelId: 'C_OPS', limit: 1 })).toEqual([late]);
      });

      test('filters by actor, with a limit', async () => {
        const first = await store.appendAudit(auditEntry({ at: minutes(0), actorId: 'U_ONE' }));
        await store.appendAudit(auditEntry({ at: minutes(1), actorId: 'U_TWO' }));
        const second = await store.appendAudit(auditEntry({ at: minutes(2), actorId: 'U_ONE' }));

        expect(await store.listAudit({ actorId: 'U_ONE' })).toEqual([second, first]);
        expect(await store.listAudit({ actorId: 'U_ONE', limit: 1 })).toEqual([second]);
        expect(await store.listAudit({ actorId: 'U_NONE' })).toEqual([]);
      });
    });

    describe('requests', () => {
      test('creates a pending request and reads every field back', async () => {
        const request = newRequest({ targetIds: ['peer-2', 'peer-1'], approvalsRequired: 2 });
        const expected: RequestRecord = {
          id: request.id,
          operation: request.operation,
          requesterId: request.requesterId,
          channelId: request.channelId,
          parentId: request.parentId,
          targetIds: ['peer-2', 'peer-1'],
          reason: request.reason,
          approvalsRequired: 2,
          status: 'pending',
          createdAt: t0,
          expiresAt: expiry,
          approvals: [],
        };
        expect(await store.createRequest(request, requested)).toEqual(expected);
        const read = (await store.getRequest(request.id))!;
        expect(read).toEqual(expected);
        expect(read.createdAt).toBeInstanceOf(Date);
        expect(read.expiresAt).toBeInstanceOf(Date);
        for (const field of ['card', 'closedBy', 'startedAt', 'finishedAt', 'results'] as const) {
          expect(read[field]).toBeUndefined();
        }
      });

      test('creates a request already approved (one that needs no approval) and without a parent', async () => {
        const created = await store.createRequest(newRequest({ status: 'approved', approvalsRequired: 0, parentId: undefined }), requested);
        expect(created).toMatchObject({ status: 'approved', approvalsRequired: 0, approvals: [], approvedAt: t0 });
        expect(created.parentId).toBeUndefined();
        expect(await store.transition(created.id, 'start', { at: minutes(1) })).toMatchObject({ status: 'executing' });
      });

      test('lists the approved requests approved before a moment, for the sweep to start', async () => {
        await store.createRequest(newRequest({ id: 'R-AT-ONCE', status: 'approved', approvalsRequired: 0 }), requested);
        const later = await store.createRequest(newRequest({ id: 'R-LATER' }), requested);
        await store.addApproval(later.id, 'U_APPROVER', minutes(1));
        expect(await store.transition(later.id, 'complete', { at: minutes(5) })).toMatchObject({ approvedAt: minutes(5) });

        const approvedBefore = async (at: Date) =>
          (await store.listRequests({ statuses: ['approved'], approvedBefore: at })).map((request) => request.id);
        expect(await approvedBefore(t0)).toEqual([]);
        expect(await approvedBefore(minutes(1))).toEqual(['R-AT-ONCE']);
        expect((await approvedBefore(minutes(6))).sort()).toEqual(['R-AT-ONCE', 'R-LATER']);
      });

      test('an unknown id reads as undefined', async () => {
        expect(await store.getRequest('R-UNKNOWN')).toBeUndefined();
      });

      test('lists newest first, by channel, by statuses and with a limit', async () => {
        // Each with its own approvals, so that a list cannot mix them up.
        await store.createRequest(newRequest({ id: 'R-A', channelId: 'C_OPS', createdAt: minutes(0) }), requested);
        await store.createRequest(newRequest({ id: 'R-B', channelId: 'C_OTHER', createdAt: minutes(1) }), requested);
        await store.addApproval('R-A', 'U_ONE', minutes(1));
        await store.addApproval('R-B', 'U_TWO', minutes(2));
        const a = (await store.getRequest('R-A'))!;
        const b = (await store.getRequest('R-B'))!;
        const c = await store.createRequest(newRequest({ id: 'R-C', channelId: 'C_OPS', createdAt: minutes(2), status: 'approved' }), requested);
        const d = await store.createRequest(newRequest({ id: 'R-D', channelId: 'C_OPS', createdAt: minutes(3) }), requested);
        const denied = (await store.transition(d.id, 'deny', { at: minutes(4), closedBy: 'U_APPROVER' }))!;

        expect(await store.listRequests()).toEqual([denied, c, b, a]);
        expect(await store.listRequests({ channelId: 'C_OPS' })).toEqual([denied, c, a]);
        expect(await store.listRequests({ statuses: ['pending'] })).toEqual([b, a]);
        expect(await store.listRequests({ statuses: ['approved', 'denied'] })).toEqual([denied, c]);
        expect(await store.listRequests({ channelId: 'C_OPS', statuses: ['pending'] })).toEqual([a]);
        expect(await store.listRequests({ limit: 2 })).toEqual([denied, c]);
        expect(await store.listRequests({ channelId: 'C_NONE' })).toEqual([]);
      });

      test('counts the requests in some statuses, in every channel', async () => {
        expect(await store.countRequests(['pending'])).toBe(0);
        await store.createRequest(newRequest({ id: 'R-A', channelId: 'C_OPS' }), requested);
        await store.createRequest(newRequest({ id: 'R-B', channelId: 'C_OTHER' }), requested);
        await store.createRequest(newRequest({ id: 'R-C', status: 'approved' }), requested);
        await store.transition('R-B', 'deny', { at: minutes(1), closedBy: 'U_APPROVER' });

        expect(await store.countRequests(['pending'])).toBe(1);
        expect(await store.countRequests(['pending', 'approved', 'denied'])).toBe(3);
        expect(await store.countRequests(['expired'])).toBe(0);
      });

      test('attaches the card a request was posted as', async () => {
        const created = await store.createRequest(newRequest(), requested);
        await store.attachCard(created.id, { channelId: 'C_OPS', messageId: '1763892000.000100' });
        expect(await store.getRequest(created.id)).toEqual({ ...created, card: { channelId: 'C_OPS', messageId: '1763892000.000100' } });
      });

      test('reads back a finished request whole: approvals in order, dates, closer and results with their errors', async () => {
        await store.createRequest(newRequest({ approvalsRequired: 2 }), requested);
        await store.attachCard('R-000001', { channelId: 'C_OPS', messageId: '1763892000.000100' });
        await store.addApproval('R-000001', 'U_SECOND', minutes(1));
        await store.addApproval('R-000001', 'U_FIRST', minutes(2));
        await store.transition('R-000001', 'complete', { at: minutes(3) });
        await store.transition('R-000001', 'start', { at: minutes(4) });
        await store.transition('R-000001', 'partiallyFail', { at: minutes(5), results: sampleResults });

        const read = (await store.getRequest('R-000001'))!;
        expect(read).toEqual({
          ...newRequest({ approvalsRequired: 2 }),
          status: 'partially_failed',
          approvals: [
            { userId: 'U_SECOND', at: minutes(1) },
            { userId: 'U_FIRST', at: minutes(2) },
          ],
          card: { channelId: 'C_OPS', messageId: '1763892000.000100' },
          approvedAt: minutes(3),
          startedAt: minutes(4),
          dispatched: 0,
          finishedAt: minutes(5),
          results: sampleResults,
        });
        expect(read.startedAt).toBeInstanceOf(Date);
        expect(read.approvals[0].at).toBeInstanceOf(Date);
      });
    });

    describe('transitions, for every status and every transition', () => {
      const cases = requestStatuses.flatMap((status) => transitionNames.map((name) => [status, name] as const));
      const when = minutes(3);

      test.each(cases)('from %s, %s', async (status, name) => {
        const before = await requestIn(store, status);
        const { from, to } = transitions[name];
        const changed = await store.transition(before.id, name, { at: when, closedBy: 'U_CLOSER', results: sampleResults });

        if (!(from as readonly RequestStatus[]).includes(status)) {
          expect(changed).toBeUndefined();
          expect(await store.getRequest(before.id)).toEqual(before);
          return;
        }
        expect(changed).toEqual({
          ...before,
          status: to,
          startedAt: name === 'start' ? when : before.startedAt,
          approvedAt: to === 'approved' ? when : before.approvedAt,
          dispatched: name === 'start' ? 0 : before.dispatched,
          finishedAt: finishedStatuses.includes(to) ? when : before.finishedAt,
          closedBy: 'U_CLOSER',
          results: sampleResults,
        });
        expect(await store.getRequest(before.id)).toEqual(changed);
      });

      test('a transition given no closer or results keeps what the request had', async () => {
        const approved = await requestIn(store, 'approved');
        const executing = (await store.transition(approved.id, 'start', { at: when, closedBy: 'U_CLOSER', results: sampleResults }))!;
        expect(await store.transition(executing.id, 'succeed', { at: when })).toEqual({
          ...executing,
          status: 'succeeded',
          finishedAt: when,
          closedBy: 'U_CLOSER',
          results: sampleResults,
        });
        const pending = await store.createRequest(newRequest({ id: 'R-000002' }), requested);
        const denied = (await store.transition(pending.id, 'deny', { at: when }))!;
        expect(denied.closedBy).toBeUndefined();
        expect(denied.results).toBeUndefined();
      });

      test('an execution keeps how far it got: the count only grows, and only while it runs', async () => {
        const executing = await requestIn(store, 'executing');
        expect(executing.dispatched).toBe(0);
        await store.recordDispatched(executing.id, 8);
        await store.recordDispatched(executing.id, 3);
        expect((await store.getRequest(executing.id))?.dispatched).toBe(8);
        await store.transition(executing.id, 'succeed', { at: when });
        await store.recordDispatched(executing.id, 16);
        expect((await store.getRequest(executing.id))?.dispatched).toBe(8);
      });

      test('a closed request keeps who closed it and why', async () => {
        const pending = await store.createRequest(newRequest(), requested);
        const reason = 'U_APPROVER no longer holds a role that may approve revoke-access requests';
        const cancelled = await store.transition(pending.id, 'cancel', { at: when, closedBy: 'twokey', closedReason: reason });
        expect(cancelled).toMatchObject({ status: 'cancelled', closedBy: 'twokey', closedReason: reason });
        expect(await store.getRequest(pending.id)).toEqual(cancelled);
      });

      test('an unknown request is never transitioned', async () => {
        for (const name of transitionNames) {
          expect(await store.transition('R-UNKNOWN', name, { at: when })).toBeUndefined();
        }
        expect(await store.getRequest('R-UNKNOWN')).toBeUndefined();
      });
    });

    describe('transition conditions', () => {
      test('complete is refused until the counted approvals reach approvalsRequired', async () => {
        const created = await store.createRequest(newRequest({ approvalsRequired: 2 }), requested);
        const complete = () => store.transition(created.id, 'complete', { at: minutes(3) });

        expect(await complete()).toBeUndefined();
        await store.addApproval(created.id, 'U_ONE', minutes(1));
        expect(await complete()).toBeUndefined();
        const oneApproval = await store.getRequest(created.id);
        expect(oneApproval).toMatchObject({ status: 'pending', approvals: [{ userId: 'U_ONE', at: minutes(1) }] });

        await store.addApproval(created.id, 'U_TWO', minutes(2));
        expect(await complete()).toMatchObject({ status: 'approved', approvals: [{ userId: 'U_ONE' }, { userId: 'U_TWO' }] });
        expect(await complete()).toBeUndefined();
      });


      test.each(['complete', 'deny', 'cancel'] as const)(
        '%s is allowed just before expiresAt and refused at or after it',
        async (name) => {
          // Needing no approval, so that only the expiry decides (complete also counts approvals).
          const atExpiry = await store.createRequest(newRequest({ id: 'R-AT', approvalsRequired: 0 }), requested);
          await store.createRequest(newRequest({ id: 'R-AFTER', approvalsRequired: 0 }), requested);
          await store.createRequest(newRequest({ id: 'R-BEFORE', approvalsRequired: 0 }), requested);
          const apply = (id: string, at: Date) => store.transition(id, name, { at, closedBy: 'U_CLOSER' });

          expect(await apply('R-AT', expiry)).toBeUndefined();
          expect(await apply('R-AFTER', addMinutes(expiry, 1))).toBeUndefined();
          expect(await store.listRequests({ statuses: ['pending'] })).toHaveLength(3);
          expect(await store.getRequest('R-AT')).toEqual(atExpiry);

          expect(await apply('R-BEFORE', addMilliseconds(expiry, -1))).toMatchObject({ status: transitions[name].to });
        },
      );

    });

    describe('deliveries', () => {
      test('a delivery is claimed once, however many claims race for it', async () => {
        const claims = await Promise.all(Array.from({ length: 5 }, () => store.claimDelivery('1111.2222.abc', minutes(1))));
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await store.claimDelivery('1111.2222.abc', minutes(2))).toBe(false);
        expect(await store.claimDelivery('1111.2222.other', minutes(2))).toBe(true);
      });

      test('forgets only the deliveries claimed before the given moment', async () => {
        await store.claimDelivery('old', minutes(1));
        await store.claimDelivery('recent', minutes(5));
        await store.forgetDeliveries(minutes(3));
        expect(await store.claimDelivery('old', minutes(6))).toBe(true);
        expect(await store.claimDelivery('recent', minutes(6))).toBe(false);
      });
    });

    describe('owed messages', () => {
      const dm = { kind: 'dm' as const, requestId: 'R-000001', userId: 'U_REQUESTER', message: { summary: 'done', tone: 'success' as const } };
      const card = { kind: 'card' as const, requestId: 'R-000001' };

      test('keeps a message whole until it is settled, and claims only those due', async () => {
        await store.owe(dm, minutes(1), minutes(2), 'ratelimited');
        await store.owe(card, minutes(1), minutes(5), 'fatal_error');
        expect(await store.claimOwed(minutes(1), minutes(10), 10)).toEqual([]);

        const [claimed, ...rest] = await store.claimOwed(minutes(2), minutes(10), 10);
        expect(rest).toEqual([]);
        expect(claimed).toEqual({ ...dm, id: claimed.id, createdAt: minutes(1), attempts: 2, lastError: 'ratelimited' });
        // Claimed: not due again until its lease ends, so no other replica takes it meanwhile.
        expect(await store.claimOwed(minutes(3), minutes(10), 10)).toEqual([]);
        await store.settleOwed(claimed.id);
        expect((await store.claimOwed(minutes(11), minutes(20), 10)).map((message) => message.kind)).toEqual(['card']);
      });

      test('a deferred message is due again at its new time, with the last error', async () => {
        await store.owe(dm, minutes(1), minutes(2), 'ratelimited');
        const [claimed] = await store.claimOwed(minutes(2), minutes(10), 10);
        await store.deferOwed(claimed.id, minutes(4), 'channel_not_found');
        expect(await store.claimOwed(minutes(3), minutes(10), 10)).toEqual([]);
        expect(await store.claimOwed(minutes(4), minutes(10), 10)).toMatchObject([{ id: claimed.id, attempts: 3, lastError: 'channel_not_found' }]);
      });

      test('claims racing for the same messages each get different ones', async () => {
        for (let n = 0; n < 6; n += 1) await store.owe({ ...dm, userId: `U_${n}` }, minutes(1), minutes(1), 'x');
        const claims = await Promise.all(Array.from({ length: 4 }, () => store.claimOwed(minutes(2), minutes(10), 3)));
        const ids = claims.flat().map((message) => message.id);
        expect(ids).toHaveLength(6);
        expect(new Set(ids).size).toBe(6);
      });
    });

    describe('finished requests waiting to be announced', () => {
      const grace = (at: Date) => addMilliseconds(at, announceGraceMs);

      test('a request that finishes waits to be announced from one grace after; once claimed, not again until its lease ends', async () => {
        await store.createRequest(newRequest({ id: 'R-DENIED' }), requested);
        await store.createRequest(newRequest({ id: 'R-STILL-PENDING' }), requested);
        await store.transition('R-DENIED', 'deny', { at: minutes(1), closedBy: 'U_APPROVER' });
        // Within the grace it is the finishing process's to announce.
        expect(await store.claimUnannounced(addMilliseconds(grace(minutes(1)), -1), minutes(10), 10)).toEqual([]);
        const [claimed, ...rest] = await store.claimUnannounced(grace(minutes(1)), minutes(10), 10);
        expect(rest).toEqual([]);
        expect(claimed).toEqual(await store.getRequest('R-DENIED'));
        expect(claimed.status).toBe('denied');
        expect(await store.claimUnannounced(minutes(9), minutes(20), 10)).toEqual([]);
        expect((await store.claimUnannounced(minutes(10), minutes(20), 10)).map((request) => request.id)).toEqual(['R-DENIED']);
      });

      test('an announced request is never claimed; nor is one whose outcome was announced before it was recorded', async () => {
        await store.createRequest(newRequest({ id: 'R-TOLD' }), requested);
        await store.transition('R-TOLD', 'cancel', { at: minutes(1), closedBy: 'U_REQUESTER' });
        await store.markAnnounced('R-TOLD');
        const running = await requestIn(store, 'executing', { id: 'R-REPORTED-EARLY' });
        await store.transition(running.id, 'succeed', { at: minutes(2), results: sampleResults, announced: true });
        expect(await store.claimUnannounced(minutes(60), minutes(70), 10)).toEqual([]);
      });

      test('expired and lost requests wait to be announced too', async () => {
        await store.createRequest(newRequest({ id: 'R-EXPIRES', expiresAt: minutes(5) }), requested);
        await requestIn(store, 'executing', { id: 'R-LOST' });
        await store.expireDue(minutes(5), expiredNote);
        await store.loseInterrupted(minutes(60), minutes(6), lostNote);
        const claimed = await store.claimUnannounced(minutes(30), minutes(40), 10);
        expect(claimed.map((request) => [request.id, request.status]).sort()).toEqual([
          ['R-EXPIRES', 'expired'],
          ['R-LOST', 'outcome_unknown'],
        ]);
      });

      test('claims racing for the same requests each get different ones', async () => {
        for (let n = 0; n < 6; n += 1) {
          await store.createRequest(newRequest({ id: `R-RACE-${n}` }), requested);
          await store.transition(`R-RACE-${n}`, 'deny', { at: minutes(1), closedBy: 'U_APPROVER' });
        }
        const claims = await Promise.all(Array.from({ length: 4 }, () => store.claimUnannounced(minutes(5), minutes(10), 3)));
        const ids = claims.flat().map((request) => request.id);
        expect(ids).toHaveLength(6);
        expect(new Set(ids).size).toBe(6);
      });
    });

    describe('reminders and escalations of waiting requests', () => {
      const waiting = (id: string, overrides: Partial<NewRequest> = {}) =>
        store.createRequest(newRequest({ id, operation: 'delete-peer', nextReminderAt: minutes(5), ...overrides }), requested);
      const ids = (requests: RequestRecord[]) => requests.map((request) => request.id).sort();

      test('a reminder is claimed once it is due, for its operation, and next due when the claim says', async () => {
        await waiting('R-REMIND');
        expect((await store.getRequest('R-REMIND'))?.nextReminderAt).toEqual(minutes(5));
        expect(await store.claimReminders('delete-peer', addMilliseconds(minutes(5), -1), minutes(10), 10)).toEqual([]);
        expect(await store.claimReminders('revoke-grant', minutes(5), minutes(10), 10)).toEqual([]);
        const [claimed, ...rest] = await store.claimReminders('delete-peer', minutes(5), minutes(10), 10);
        expect(rest).toEqual([]);
        expect(claimed).toEqual(await store.getRequest('R-REMIND'));
        expect(claimed.nextReminderAt).toEqual(minutes(10));
        expect(await store.claimReminders('delete-peer', minutes(9), minutes(14), 10)).toEqual([]);
        expect(ids(await store.claimReminders('delete-peer', minutes(10), minutes(15), 10))).toEqual(['R-REMIND']);
      });

      test('no reminder for a request with none set, one no longer pending, or one expired', async () => {
        await waiting('R-NEVER', { nextReminderAt: undefined });
        await waiting('R-DENIED');
        await store.transition('R-DENIED', 'deny', { at: minutes(1), closedBy: 'U_APPROVER' });
        await waiting('R-EXPIRED', { expiresAt: minutes(6) });
        expect(await store.claimReminders('delete-peer', minutes(6), minutes(11), 10)).toEqual([]);
      });

      test('reminder claims racing for the same requests each get different ones', async () => {
        for (let n = 0; n < 6; n += 1) await waiting(`R-RACE-${n}`);
        const claims = await Promise.all(Array.from({ length: 4 }, () => store.claimReminders('delete-peer', minutes(5), minutes(10), 3)));
        const claimed = claims.flat().map((request) => request.id);
        expect(claimed).toHaveLength(6);
        expect(new Set(claimed).size).toBe(6);
      });

      test('a request escalates once, when it was made at or before the moment given', async () => {
        await waiting('R-ESCALATE');
        await waiting('R-LATER', { createdAt: minutes(1) });
        expect(await store.claimEscalations('delete-peer', addMilliseconds(t0, -1), minutes(10), 10)).toEqual([]);
        expect(await store.claimEscalations('revoke-grant', t0, minutes(10), 10)).toEqual([]);
        const [claimed, ...rest] = await store.claimEscalations('delete-peer', t0, minutes(10), 10);
        expect(rest).toEqual([]);
        expect(claimed).toEqual(await store.getRequest('R-ESCALATE'));
        expect(claimed.escalatedAt).toEqual(minutes(10));
        expect(ids(await store.claimEscalations('delete-peer', minutes(1), minutes(11), 10))).toEqual(['R-LATER']);
        expect(await store.claimEscalations('delete-peer', minutes(5), minutes(12), 10)).toEqual([]);
      });

      test('no escalation of a request no longer pending, or expired', async () => {
        await waiting('R-APPROVED');
        await store.addApproval('R-APPROVED', 'U_APPROVER', minutes(1));
        await store.transition('R-APPROVED', 'complete', { at: minutes(1) });
        await waiting('R-EXPIRED', { expiresAt: minutes(10) });
        expect(await store.claimEscalations('delete-peer', t0, minutes(10), 10)).toEqual([]);
      });

      test('escalation claims racing for the same requests each get different ones', async () => {
        for (let n = 0; n < 6; n += 1) await waiting(`R-RACE-${n}`);
        const claims = await Promise.all(Array.from({ length: 4 }, () => store.claimEscalations('delete-peer', t0, minutes(10), 3)));
        const claimed = claims.flat().map((request) => request.id);
        expect(claimed).toHaveLength(6);
        expect(new Set(claimed).size).toBe(6);
      });
    });

    describe('break-glass uses and their review', () => {
      /** Run at once without approval: made approved. */
      const breakGlassUse = (id: string, overrides: Partial<NewRequest> = {}) =>
        store.createRequest(newRequest({ id, status: 'approved', breakGlass: true, ...overrides }), {
          event: 'break_glass',
          actorId: 'U_REQUESTER',
          detail: 'the primary is down and nobody can approve',
        });
      const reviewBy = (userId: string): AuditNote => ({ event: 'reviewed', actorId: userId });
      const reviewEntries = async () => (await store.listAudit()).filter((entry) => entry.event === 'reviewed');

      test('a break-glass use reads back as one, not yet reviewed; any other request as neither', async () => {
        const use = await breakGlassUse('R-GLASS');
        expect(use).toMatchObject({ status: 'approved', breakGlass: true });
        expect(use.review).toBeUndefined();
        expect(await store.getRequest(use.id)).toEqual(use);

        const normal = await store.createRequest(newRequest({ id: 'R-NORMAL' }), requested);
        for (const read of [normal, await store.getRequest(normal.id)]) {
          expect(read?.breakGlass).toBeUndefined();
          expect(read?.review).toBeUndefined();
        }
      });

      test('a use is reviewed once, with one audit entry; other requests and unknown ones never', async () => {
        const use = await breakGlassUse('R-GLASS');
        const reviewed = await store.review(use.id, 'U_REVIEWER', minutes(5), reviewBy('U_REVIEWER'));
        expect(reviewed).toEqual({ ...use, review: { userId: 'U_REVIEWER', at: minutes(5) } });
        expect(reviewed?.review?.at).toBeInstanceOf(Date);
        expect(await store.getRequest(use.id)).toEqual(reviewed);

        expect(await store.review(use.id, 'U_LATE', minutes(6), reviewBy('U_LATE'))).toBeUndefined();
        expect(await store.getRequest(use.id)).toEqual(reviewed);

        const normal = await store.createRequest(newRequest({ id: 'R-NORMAL', status: 'approved' }), requested);
        expect(await store.review(normal.id, 'U_REVIEWER', minutes(7), reviewBy('U_REVIEWER'))).toBeUndefined();
        expect(await store.getRequest(normal.id)).toEqual(normal);
        expect(await store.review('R-UNKNOWN', 'U_REVIEWER', minutes(7), reviewBy('U_REVIEWER'))).toBeUndefined();

        expect(await reviewEntries()).toEqual([
          { id: expect.any(Number), at: minutes(5), ...reviewBy('U_REVIEWER'), ...about(use) },
        ]);
      });

      test('an audit entry the database refuses undoes the review it came with', async () => {
        const use = await breakGlassUse('R-GLASS');
        const refused = { event: 'reviewed', actorId: null } as unknown as AuditNote;
        await expect(store.review(use.id, 'U_REVIEWER', minutes(5), refused)).rejects.toHaveProperty(
          'message',
          expect.stringMatching(/constraint/),
        );
        expect(await store.getRequest(use.id)).toEqual(use);
        expect(await store.review(use.id, 'U_REVIEWER', minutes(5), reviewBy('U_REVIEWER'))).toMatchObject({
          review: { userId: 'U_REVIEWER' },
        });
      });

      test('of reviewers clicking at once, exactly one reviews it, and is the one audited', async () => {
        const use = await breakGlassUse('R-GLASS');
        const reviewers = Array.from({ length: 10 }, (_, i) => `U_REVIEWER_${i}`);
        const attempts = await Promise.all(reviewers.map((user) => store.review(use.id, user, minutes(5), reviewBy(user))));
        const winners = attempts.filter((record) => record !== undefined);
        expect(winners).toHaveLength(1);
        const winner = winners[0].review!.userId;
        expect(reviewers).toContain(winner);
        expect(await store.getRequest(use.id)).toEqual(winners[0]);
        expect((await reviewEntries()).map((entry) => entry.actorId)).toEqual([winner]);
      });

      test('lists the uses awaiting review, newest first, with the other filters, until each is reviewed', async () => {
        const ops = await breakGlassUse('R-GLASS-OPS', { createdAt: minutes(0) });
        const other = await breakGlassUse('R-GLASS-OTHER', { channelId: 'C_OTHER', createdAt: minutes(1) });
        await store.createRequest(newRequest({ id: 'R-NORMAL', status: 'approved', createdAt: minutes(2) }), requested);
        await breakGlassUse('R-GLASS-REVIEWED', { createdAt: minutes(3) });
        await store.review('R-GLASS-REVIEWED', 'U_REVIEWER', minutes(4), reviewBy('U_REVIEWER'));
        const awaiting = async (query: Omit<RequestQuery, 'awaitingReview'> = {}) =>
          (await store.listRequests({ ...query, awaitingReview: true })).map((request) => request.id);

        expect(await store.listRequests({ awaitingReview: true })).toEqual([other, ops]);
        expect(await awaiting({ channelId: 'C_OPS' })).toEqual(['R-GLASS-OPS']);
        expect(await awaiting({ limit: 1 })).toEqual(['R-GLASS-OTHER']);
        expect(await store.listRequests({ awaitingReview: false })).toHaveLength(4);

        await store.transition(ops.id, 'start', { at: minutes(5) });
        expect(await awaiting({ statuses: ['approved'] })).toEqual(['R-GLASS-OTHER']);
        expect(await awaiting({ statuses: ['executing'] })).toEqual(['R-GLASS-OPS']);

        await store.review(other.id, 'U_REVIEWER', minutes(6), reviewBy('U_REVIEWER'));
        expect(await awaiting()).toEqual(['R-GLASS-OPS']);
        expect(await awaiting({ channelId: 'C_OTHER' })).toEqual([]);
      });
    });

    describe('addApproval', () => {
      test('counts each approver once and lists approvals in order with their times', async () => {
        const created = await store.createRequest(newRequest({ approvalsRequired: 3 }), requested);
        expect(await store.addApproval(created.id, 'U_ONE', minutes(1))).toBe('added');
        expect(await store.addApproval(created.id, 'U_ONE', minutes(2))).toBe('duplicate');
        expect(await store.addApproval(created.id, 'U_TWO', minutes(3))).toBe('added');
        expect((await store.getRequest(created.id))!.approvals).toEqual([
          { userId: 'U_ONE', at: minutes(1) },
          { userId: 'U_TWO', at: minutes(3) },
        ]);
      });

      test.each(finishedStatuses.concat('approved', 'executing'))('is not open once the request is %s', async (status) => {
        const before = await requestIn(store, status);
        expect(await store.addApproval(before.id, 'U_LATE', minutes(3))).toBe('not_open');
        expect(await store.getRequest(before.id)).toEqual(before);
      });

      test('is not open at or after expiresAt, even while the request is still pending', async () => {
        const created = await store.createRequest(newRequest(), requested);
        expect(await store.addApproval(created.id, 'U_ONE', expiry)).toBe('not_open');
        expect(await store.addApproval(created.id, 'U_TWO', addMinutes(expiry, 1))).toBe('not_open');
        expect(await store.getRequest(created.id)).toEqual(created);
        expect(await store.addApproval(created.id, 'U_THREE', addMilliseconds(expiry, -1))).toBe('added');
      });

      test('is not open once the request has all the approvals it needs', async () => {
        const created = await store.createRequest(newRequest({ approvalsRequired: 1 }), requested);
        expect(await store.addApproval(created.id, 'U_ONE', minutes(1))).toBe('added');
        expect(await store.addApproval(created.id, 'U_TWO', minutes(2))).toBe('not_open');
        expect((await store.getRequest(created.id))!.approvals.map((approval) => approval.userId)).toEqual(['U_ONE']);
      });

      test('is not open for an unknown request', async () => {
        expect(await store.addApproval('R-UNKNOWN', 'U_ONE', minutes(1))).toBe('not_open');
      });
    });

    describe('expireDue', () => {
      test('expires exactly the pending requests due at or before the time, once', async () => {
        const sweep = minutes(15);
        const dueEarlier = await store.createRequest(newRequest({ id: 'R-DUE-EARLIER', expiresAt: minutes(10) }), requested);
        const dueNow = await store.createRequest(newRequest({ id: 'R-DUE-NOW', expiresAt: sweep }), requested);
        const later = await store.createRequest(newRequest({ id: 'R-LATER', expiresAt: addMilliseconds(sweep, 1) }), requested);
        // Past their expiry too, but no longer pending.
        const notPending = [
          await requestIn(store, 'approved', { id: 'R-APPROVED', expiresAt: minutes(10) }),
          await requestIn(store, 'executing', { id: 'R-EXECUTING', expiresAt: minutes(10) }),
          await requestIn(store, 'denied', { id: 'R-DENIED', expiresAt: minutes(10) }),
        ];

        const expired = await store.expireDue(sweep, expiredNote);
        expect(expired.map((request) => request.id).sort()).toEqual(['R-DUE-EARLIER', 'R-DUE-NOW']);
        for (const before of [dueEarlier, dueNow]) {
          const expected = { ...before, status: 'expired', finishedAt: sweep };
          expect(expired.find((request) => request.id === before.id)).toEqual(expected);
          expect(await store.getRequest(before.id)).toEqual(expected);
        }
        for (const before of [later, ...notPending]) expect(await store.getRequest(before.id)).toEqual(before);

        expect(await store.expireDue(sweep, expiredNote)).toEqual([]);
      });

      test('two sweeps at once return each expired request exactly once between them', async () => {
        const ids = Array.from({ length: 10 }, (_, i) => `R-DUE-${i}`);
        for (const id of ids) await store.createRequest(newRequest({ id }), requested);
        const [first, second] = await Promise.all([store.expireDue(expiry, expiredNote), store.expireDue(expiry, expiredNote)]);
        expect([...first, ...second].map((request) => request.id).sort()).toEqual(ids.sort());
      });
    });

    describe('loseInterrupted', () => {
      test('marks only executions started before the cutoff as outcome_unknown, once', async () => {
        const cutoff = minutes(5);
        // requestIn starts executions at minute 2.
        const interrupted = await requestIn(store, 'executing', { id: 'R-INTERRUPTED' });
        const approved = await requestIn(store, 'approved', { id: 'R-STARTED-AT-CUTOFF' });
        const untouched = [
          (await store.transition(approved.id, 'start', { at: cutoff }))!,
          await requestIn(store, 'approved', { id: 'R-APPROVED' }),
          await requestIn(store, 'succeeded', { id: 'R-SUCCEEDED' }),
          await requestIn(store, 'pending', { id: 'R-PENDING' }),
        ];

        expect(await store.loseInterrupted(interrupted.startedAt!, minutes(10), lostNote)).toEqual([]);

        const lost = await store.loseInterrupted(cutoff, minutes(10), lostNote);
        const expected = { ...interrupted, status: 'outcome_unknown', finishedAt: minutes(10) };
        expect(lost).toEqual([expected]);
        expect(await store.getRequest(interrupted.id)).toEqual(expected);
        expect(await store.loseInterrupted(cutoff, minutes(10), lostNote)).toEqual([]);
        for (const before of untouched) expect(await store.getRequest(before.id)).toEqual(before);
      });
    });

    describe('audit entries written with the change', () => {
      test('a new request is recorded with its audit entry, which names the parent first', async () => {
        const created = await store.createRequest(newRequest({ targetIds: ['peer-2', 'peer-1'] }), requested);
        expect(await store.listAudit()).toEqual([
          { id: expect.any(Number), at: t0, ...requested, ...about(created), targets: [created.parentId, 'peer-2', 'peer-1'] },
        ]);
      });

      test('a request that cannot be created leaves no audit entry', async () => {
        await store.createRequest(newRequest(), requested);
        // Matched by message: better-sqlite3's errors may come from another realm under jest, failing toThrow().
        await expect(store.createRequest(newRequest({ reason: 'same id again' }), requested)).rejects.toHaveProperty(
          'message',
          expect.stringMatching(/constraint/),
        );
        expect(await store.listAudit()).toHaveLength(1);
      });

      test('a transition writes its entry only when it makes the change', async () => {
        const approved = await requestIn(store, 'approved');
        const note: AuditNote = { event: 'execution_started', actorId: 'U_REQUESTER' };
        const before = (await store.listAudit()).length;
        expect(await store.transition(approved.id, 'start', { at: minutes(3), audit: note })).toMatchObject({ status: 'executing' });
        expect(await store.transition(approved.id, 'start', { at: minutes(4), audit: note })).toBeUndefined();
        const entries = await store.listAudit();
        expect(entries).toHaveLength(before + 1);
        expect(entries[0]).toEqual({ id: expect.any(Number), at: minutes(3), ...note, ...about(approved) });
      });

      test('an audit entry the database refuses undoes the transition it came with', async () => {
        const approved = await requestIn(store, 'approved');
        const refused = { event: 'execution_started', actorId: null } as unknown as AuditNote;
        await expect(store.transition(approved.id, 'start', { at: minutes(3), audit: refused })).rejects.toHaveProperty(
          'message',
          expect.stringMatching(/constraint/),
        );
        expect(await store.getRequest(approved.id)).toEqual(approved);
        expect(await store.transition(approved.id, 'start', { at: minutes(3) })).toMatchObject({ status: 'executing' });
      });

      test('expiry and lost executions write one entry per request they change', async () => {
        const due = [
          await store.createRequest(newRequest({ id: 'R-DUE-1' }), requested),
          await store.createRequest(newRequest({ id: 'R-DUE-2' }), requested),
        ];
        const executing = await requestIn(store, 'executing', { id: 'R-RUNNING', expiresAt: minutes(30) });
        await store.expireDue(expiry, expiredNote);
        await store.loseInterrupted(minutes(5), minutes(20), { ...lostNote, detail: 'cut off' });
        const entries = (await store.listAudit()).filter((entry) => entry.event !== 'requested');
        expect(entries).toHaveLength(3);
        expect(entries[0]).toEqual({ id: expect.any(Number), at: minutes(20), ...lostNote, detail: 'cut off', ...about(executing) });
        // One statement expires both, in whichever order the database returns them.
        expect(entries.slice(1)).toEqual(
          expect.arrayContaining(due.map((request) => ({ id: expect.any(Number), at: expiry, ...expiredNote, ...about(request) }))),
        );
      });
    });

    describe('exactly once under concurrency', () => {
      test('of 20 simultaneous starts of an approved request, exactly one wins', async () => {
        const approved = await requestIn(store, 'approved');
        const attempts = await Promise.all(
          Array.from({ length: 20 }, () => store.transition(approved.id, 'start', { at: minutes(3) })),
        );
        const winners = attempts.filter((record) => record !== undefined);
        expect(winners).toHaveLength(1);
        expect(winners[0]).toMatchObject({ status: 'executing', startedAt: minutes(3) });
      });

      test('20 approvers clicking at once: approved once, started once', async () => {
        const created = await store.createRequest(newRequest({ approvalsRequired: 2 }), requested);
        const at = minutes(1);
        const users = Array.from({ length: 20 }, (_, i) => `U_APPROVER_${i}`);
        // Each click does what the bot does, and then tries to start the run as well.
        const clicks = await Promise.all(
          users.map(async (user) => {
            const inserted = await store.addApproval(created.id, user, at);
            const completed = await store.transition(created.id, 'complete', { at });
            const started = await store.transition(created.id, 'start', { at });
            return { inserted, completed, started };
          }),
        );

        expect(clicks.filter((click) => click.completed)).toHaveLength(1);
        expect(clicks.filter((click) => click.started)).toHaveLength(1);
        expect(clicks.every((click) => click.inserted === 'added' || click.inserted === 'not_open')).toBe(true);
        const final = (await store.getRequest(created.id))!;
        expect(final.status).toBe('executing');
        const approvers = final.approvals.map((approval) => approval.userId);
        // Never more approvals counted than the request needs, however many arrive at once.
        expect(approvers.length).toBe(2);
        expect(new Set(approvers).size).toBe(approvers.length);
        expect(approvers.length).toBe(clicks.filter((click) => click.inserted === 'added').length);
      });
    });
  });
}
