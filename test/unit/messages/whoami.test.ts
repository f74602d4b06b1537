import { whoamiMessage } from '../../../src/messages/whoami';
import { describeUser } from '../../../src/policy';
import { examplePolicy, who } from '../policy/fixtures';

// How `/twokey whoami` tells a holder of a `break_glass` role what `--break-glass` does (PRODUCT.md §10).

describe('/twokey whoami shows who may break glass', () => {
  // In the example policy, delete-peer alone has `break_glass: [admin]`.
  const policy = examplePolicy();
  const incident = { id: 'C0INCIDENT1', name: 'inc-test' };
  const lines = (userId: string, roles: string[], channel = incident) =>
    whoamiMessage(describeUser(policy, who(userId, roles), channel)).body ?? [];
  const line = (body: string[], command: string) => body.find((text) => text.startsWith(`• \`${command}\``));

  test('a holder reads that the action runs at once with a long reason, and that its approvers review it', () => {
    expect(line(lines('U0789IJKL', ['admin']), '/delete-peer')).toBe(
      '• `/delete-peer` (needs 2 approvals from `approver` or `admin`, after 10 minutes also `oncall`, a reminder every 5 minutes, expires after 15 minutes): ' +
        'you may request it here; you may approve it; ' +
        'with `--break-glass` and a reason of at least 20 characters you may run it at once, without approval: its approvers are told and review it',
    );
  });

  test('nobody reads it for an action without break_glass, nor without one of its roles', () => {
    const admin = lines('U0789IJKL', ['admin']);
    for (const command of ['/revoke-access', '/rotate-credentials', '/revoke-grant']) expect(line(admin, command)).not.toContain('--break-glass');
    expect(line(lines('U0123ABCD', ['oncall']), '/delete-peer')).not.toContain('--break-glass');
  });

  test('a holder reads it only where requests may be made: the channel rules bind breaking glass too', () => {
    const elsewhere = line(lines('U0789IJKL', ['admin'], { id: 'C0RANDOM1', name: 'random' }), '/delete-peer');
    expect(elsewhere).toMatch(/you may not request it in this channel; you may approve it$/);
  });
});
