import { Harness, ids, incidentChannel, messageText, users } from '../support/harness';

describe('operations from Slack over HTTP', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start();
  });
  afterAll(() => harness.stop());

  test('/revoke-access revokes a session and posts the result in the channel', async () => {
    const { post } = await harness.command('/revoke-access', `${ids.site} ${ids.session(1)} contractor left`);
    expect(post?.status).toBe(200);
    const message = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.session(1)));
    expect(messageText(message)).toContain('done for 1 session');
    expect(harness.simulator.state.hasSession(ids.site, ids.session(1))).toBe(false);
    const audit = await harness.audit();
    expect(audit.map((entry) => entry.event)).toEqual(['requested', 'execution_started', 'executed']);
    expect(audit[2]).toMatchObject({ actorId: users.oncall, operation: 'revoke-access', outcome: 'succeeded' });
  });
});
