import { createLogger } from '../../../src/lib/logger';
import type { Message } from '../../../src/model/message';
import { parsePolicy } from '../../../src/policy/load';
import { RoleResolver } from '../../../src/policy/roles';
import type { Messenger, Replies, Store } from '../../../src/model/ports';
import { SqliteStore } from '../../../src/store/sqlite';
import { Twokey } from '../../../src/requests/core';
import type { VendorClients } from '../../../src/vendors/types';

const policy = parsePolicy(
  `
roles:
  oncall: { users: [U0ONCALL1] }
  admin: { users: [U0ADMIN1] }
actions:
  revoke-access: { request: [oncall, admin], approvals: 0 }
`,
  'test policy',
);

const unusedVendors = {} as VendorClients;
const unusedMessenger = {} as Messenger;
const channel = { id: 'C0INCIDENT1', name: 'inc-test' };

function twokey(store: Store, logs: string[] = []) {
  return new Twokey({
    policy,
    roles: new RoleResolver(policy, async () => [], { ttlMs: 60_000 }),
    accounts: async () => 'active',
    store,
    vendors: unusedVendors,
    messenger: unusedMessenger,
    concurrency: 2,
    executionDeadlineMs: 60_000,
    logger: createLogger({ level: 'debug', write: (line) => logs.push(line) }),
  });
}

function replies() {
  const toUser: Message[] = [];
  const toChannel: Message[] = [];
  const sink: Replies = {
    toUser: async (message) => void toUser.push(message),
    toChannel: async (message) => void toChannel.push(message),
  };
  return { sink, toUser, toChannel };
}

const said = (messages: Message[]) => JSON.stringify(messages);

describe('the core answers every command, even when a part of it fails', () => {
  test('a store that fails mid-command: the user hears of it, the log has why, nothing is posted', async () => {
    const store = new SqliteStore(':memory:');
    const broken: Store = Object.assign(Object.create(store) as Store, {
      createRequest: () => Promise.reject(new Error('disk I/O error')),
    });
    const logs: string[] = [];
    const { sink, toUser, toChannel } = replies();
    await twokey(broken, logs).handle(
      '/revoke-access',
      { userId: 'U0ONCALL1', channel, text: 'd290f1ee-6c54-4b01-90e6-d701748f0851 00000000-0000-4000-8000-000000000001' },
      sink,
    );
    expect(said(toUser)).toContain('twokey hit an internal error');
    expect(toChannel).toHaveLength(0);
    expect(logs.join('\n')).toContain('disk I/O error');
    await store.close();
  });

  test.each([
    ['cancel', 'Name the request to cancel'],
    ['cancel R-NOPE00', 'There is no request R-NOPE00'],
    ['audit 0', 'takes a whole number from 1 to 50'],
    ['audit lots', 'takes a whole number from 1 to 50'],
    ['reboot', 'Unknown command: /twokey reboot'],
  ])('/twokey %s is answered privately: %s', async (text, expected) => {
    const store = new SqliteStore(':memory:');
    const { sink, toUser, toChannel } = replies();
    await twokey(store).handle('/twokey', { userId: 'U0ONCALL1', channel, text }, sink);
    expect(said(toUser)).toContain(expected);
    expect(toChannel).toHaveLength(0);
    await store.close();
  });

  test('only a refusal by the policy carries ⛔ and the /twokey whoami hint; a missing request or a slip is said plainly', async () => {
    const store = new SqliteStore(':memory:');
    const answer = async (userId: string, text: string) => {
      const { sink, toUser } = replies();
      await twokey(store).handle('/twokey', { userId, channel, text }, sink);
      return said(toUser);
    };
    for (const plain of [await answer('U0ONCALL1', 'cancel R-NOPE12'), await answer('U0ONCALL1', 'cancel'), await answer('U0ONCALL1', 'audit 0')]) {
      expect(plain).not.toContain(':no_entry:');
      expect(plain).not.toContain('/twokey whoami');
    }
    expect(await answer('U0ONCALL1', 'cancel')).toContain('`/twokey pending` lists the open requests in this channel.');
    const refused = await answer('U0STRANGER', 'audit');
    expect(refused).toContain(':no_entry: Only people who hold a twokey role may read the audit log.');
    expect(refused).toContain('`/twokey whoami` shows what you may do here.');
    await store.close();
  });

  test('/twokey audit: an admin sees every channel, others their own', async () => {
    const store = new SqliteStore(':memory:');
    const at = new Date();
    await store.appendAudit({ at, event: 'refused', actorId: 'U1', channelId: 'C0INCIDENT1', targets: [], outcome: 'here' });
    await store.appendAudit({ at, event: 'refused', actorId: 'U1', channelId: 'C0ELSEWHERE', targets: [], outcome: 'elsewhere' });
    const own = replies();
    await twokey(store).handle('/twokey', { userId: 'U0ONCALL1', channel, text: 'audit' }, own.sink);
    expect(said(own.toUser)).toContain('here');
    expect(said(own.toUser)).not.toContain('elsewhere');
    const admin = replies();
    await twokey(store).handle('/twokey', { userId: 'U0ADMIN1', channel, text: 'audit' }, admin.sink);
    expect(said(admin.toUser)).toContain('elsewhere');
    await store.close();
  });
});
