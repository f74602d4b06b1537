import { cardMessage } from '../../../src/messages/card';
import { unknownSubcommandMessage } from '../../../src/messages/help';
import { accessRefusalMessage, dryRunMessage, refusalMessage, requestFields, resultMessage } from '../../../src/messages/results';
import { whoamiMessage } from '../../../src/messages/whoami';
import type { Message } from '../../../src/model/message';
import type { RequestRecord } from '../../../src/model/request';
import { findOperation, type Operation } from '../../../src/operations/catalog';
import { describeUser } from '../../../src/policy';
import type { VendorClients } from '../../../src/vendors/types';
import { examplePolicy, who } from '../policy/fixtures';

// How twokey words things: each test would fail on the text it replaced.

const op = (name: string) => findOperation(name) as Operation;
const instance = 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0b1d';
const peer = '550e8400-e29b-41d4-a716-446655440000';
const text = (message: Message) => [message.summary, message.title, ...(message.body ?? []), ...(message.notes ?? [])].join('\n');

function request(fields: Partial<RequestRecord>): RequestRecord {
  return {
    id: 'R-TEST01',
    operation: 'delete-peer',
    requesterId: 'U0ONCALL1',
    channelId: 'C0INCIDENT1',
    parentId: instance,
    targetIds: [peer],
    reason: 'lost laptop',
    approvalsRequired: 2,
    status: 'pending',
    createdAt: new Date(0),
    expiresAt: new Date(900_000),
    approvals: [],
    ...fields,
  };
}

describe('/twokey whoami says each thing once', () => {
  const policy = examplePolicy();
  const incident = { id: 'C0INCIDENT1', name: 'inc-test' };

  test('someone without a role reads which role each request needs, not the refusal sentence again', () => {
    const lines = whoamiMessage(describeUser(policy, who('U0STRANGER'), incident)).body ?? [];
    const revoke = lines.find((line) => line.startsWith('• `/revoke-access`'));
    expect(revoke).toBe('• `/revoke-access` (runs at once): you may not request it here: that needs the role `oncall` or `admin`');
    for (const line of lines) expect(line).not.toMatch(/may not request .*may not request/i);
  });

  test('in a channel the policy does not allow, each line says so in three words', () => {
    const elsewhere = { id: 'C0RANDOM1', name: 'random' };
    const body = whoamiMessage(describeUser(policy, who('U0ONCALL1', ['oncall']), elsewhere)).body ?? [];
    expect(body[0]).toContain('this channel is *not* one of them');
    expect(body).toContain('• `/revoke-access` (runs at once): you may not request it in this channel');
    expect(body.join('\n')).not.toContain('may not be requested in this channel');
  });
});

describe('a refusal by the policy is marked; anything else is said plainly', () => {
  test("the policy's no carries ⛔ and points to /twokey whoami", () => {
    const message = accessRefusalMessage('You may not approve revoke-grant requests: that needs one of the roles approver, admin.');
    expect(message.body?.[0]).toMatch(/^:no_entry: You may not approve/);
    expect(message.notes).toEqual(['Nothing was changed. `/twokey whoami` shows what you may do here.']);
  });

  test('a request that does not exist, or a slip in a command, carries neither, and says what to do instead', () => {
    const missing = refusalMessage('There is no request R-NOPE12.');
    expect(text(missing)).not.toContain(':no_entry:');
    expect(text(missing)).not.toContain('whoami');
    const slip = refusalMessage('Name the request to cancel: `/twokey cancel R-XXXXXX`.', '`/twokey pending` lists the open requests in this channel.');
    expect(slip.body).toEqual(['Name the request to cancel: `/twokey cancel R-XXXXXX`.']);
    expect(slip.notes).toEqual(['Nothing was changed. `/twokey pending` lists the open requests in this channel.']);
  });
});

describe("labels keep the catalog's casing mid-sentence", () => {
  test('VPN and API stay capitals in fields, card summaries and dry runs', () => {
    expect(requestFields({ operation: op('delete-peer'), requesterId: 'U1', parentId: instance, reason: '' })).toContainEqual({
      label: 'Operation',
      value: '`/delete-peer` (delete VPN peers)',
    });
    expect(requestFields({ operation: op('rotate-credentials'), requesterId: 'U1', reason: '' })).toContainEqual({
      label: 'Operation',
      value: '`/rotate-credentials` (rotate API credentials)',
    });
    expect(cardMessage(request({}), new Date(0)).summary).toBe('Approval needed: <@U0ONCALL1> asks to delete VPN peers (1 peer)');
    const vendors = { altostrat: { baseUrl: 'https://v1.api.altostrat.io' } } as VendorClients;
    const dryRun = dryRunMessage({ operation: op('delete-peer'), parentId: instance, targetIds: [peer], reason: '', dryRun: true, breakGlass: false, all: false, filters: [] }, vendors, 'U1');
    expect(dryRun.title).toBe('Dry run: delete VPN peers');
    expect(requestFields({ operation: op('revoke-access'), requesterId: 'U1', parentId: instance, reason: '' })[1].value).toBe(
      '`/revoke-access` (revoke transient access)',
    );
  });
});

describe('/twokey <typo> suggests the subcommand it was close to', () => {
  const subcommands = ['help', 'whoami', 'pending', 'cancel', 'audit'].map((name) => ({ name, description: name }));

  test('one close: "did you mean", then the help', () => {
    const message = unknownSubcommandMessage('whoiam', subcommands);
    expect(message.title).toBe('Unknown command: /twokey whoiam');
    expect(message.body?.[0]).toBe('Did you mean `/twokey whoami`?');
    expect(message.summary).toBe('Unknown command /twokey whoiam: did you mean /twokey whoami?');
  });

  test('none close: just the help', () => {
    const message = unknownSubcommandMessage('reboot', subcommands);
    expect(text(message)).not.toContain('Did you mean');
  });
});

describe('how long an execution took, truly', () => {
  const took = (ms: number) =>
    resultMessage(
      request({ status: 'succeeded', startedAt: new Date(0), finishedAt: new Date(ms), results: [{ targetId: peer, status: 'succeeded', summary: 'deleted', idempotent: true }] }),
    ).notes;

  test.each([
    [400, 'Finished in under a second.'],
    [1_200, 'Finished in 1 second.'],
    [61_000, 'Finished in 1 minute 1 second.'],
    [119_000, 'Finished in 1 minute 59 seconds.'],
    [3_661_000, 'Finished in 1 hour 1 minute 1 second.'],
  ])('%i ms: %s', (ms, words) => {
    expect(took(ms)).toEqual([words]);
  });
});
