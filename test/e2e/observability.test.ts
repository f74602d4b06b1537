/**
 * PRODUCT.md §11, "Logs": each request's story in the JSON log at `info`, keyed by its request
 * ID; user-group lookups that fail are logged at `warn` with Slack's error, and a group Slack
 * does not know is told, to the user and in the log, as a mistake in the policy.
 */
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';
import { waitFor } from '../support/wait';

interface LogLine {
  level: string;
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

function logLines(harness: Harness): LogLine[] {
  return harness.logs.map((line) => JSON.parse(line) as LogLine);
}

/** The lines of one request's story, in order. */
function story(harness: Harness, requestId: string): LogLine[] {
  return logLines(harness).filter((line) => line.requestId === requestId && line.msg.startsWith('request '));
}

function waitForLog(harness: Harness, predicate: (line: LogLine) => boolean): Promise<LogLine> {
  return waitFor(() => logLines(harness).find(predicate), { timeoutMs: 8000, description: 'a log line' });
}

describe("each request's story in the log", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy });
  });
  afterAll(() => harness.stop());

  test('received, pending, each approval with its count, then executed with its outcome and duration', async () => {
    await harness.command('/delete-peer', `${ids.instance} ${ids.peer(1)} ${ids.peer(2)} leaked config`);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.peer(2)));
    await harness.click(card, 'Approve', users.approver);
    await harness.click(card, 'Approve', 'U0APPROVER2');
    const executed = await waitForLog(harness, (line) => line.msg === 'request executed');

    const { id } = (await harness.requests())[0];
    expect(executed.requestId).toBe(id);
    expect(story(harness, id)).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request received', operation: 'delete-peer', requesterId: users.oncall, targets: 2 }),
      expect.objectContaining({ level: 'info', msg: 'request pending', approvalsNeeded: 2 }),
      expect.objectContaining({ level: 'info', msg: 'request approved', approverId: users.approver, approvals: 1, approvalsNeeded: 2 }),
      expect.objectContaining({ level: 'info', msg: 'request approved', approverId: 'U0APPROVER2', approvals: 2, approvalsNeeded: 2 }),
      expect.objectContaining({ level: 'info', msg: 'request executed', outcome: 'succeeded', targets: 2, durationMs: expect.any(Number) }),
    ]);
  });

  test('a refused command is received and refused under one ID, with the reason', async () => {
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`, { userId: users.stranger });
    await harness.waitForResponses(responseUrlId);

    const received = logLines(harness).find((line) => line.msg === 'request received' && line.requesterId === users.stranger);
    expect(received?.requestId).toMatch(/^R-/);
    expect(story(harness, received!.requestId!)).toEqual([
      expect.objectContaining({ msg: 'request received', operation: 'revoke-access', targets: 1 }),
      expect.objectContaining({ level: 'info', msg: 'request refused', actorId: users.stranger, reason: 'no_role' }),
    ]);
  });

  test('a denied request and an expired one end their stories so', async () => {
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(3)}`);
    const card = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.grant(3)));
    await harness.click(card, 'Deny', users.approver);
    const denied = await waitForLog(harness, (line) => line.msg === 'request denied');
    expect(story(harness, denied.requestId!).map((line) => line.msg)).toEqual(['request received', 'request pending', 'request denied']);
    expect(denied).toMatchObject({ level: 'info', operation: 'revoke-grant', by: users.approver });

    await harness.command('/rotate-credentials', `${ids.otherSite} quarterly rotation`);
    await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.otherSite));
    harness.clock.advance(16 * 60_000);
    const expired = await waitForLog(harness, (line) => line.msg === 'request expired');
    expect(story(harness, expired.requestId!).map((line) => line.msg)).toEqual(['request received', 'request pending', 'request expired']);
  });
});

describe('user-group problems', () => {
  let harness: Harness;
  const unknownGroupWarning = (line: LogLine) =>
    line.level === 'warn' && line.msg.includes('does not exist in Slack') && line.usergroup === 'S0ONCALL1';

  beforeAll(async () => {
    // The policy grants `oncall` through S0ONCALL1, which this Slack does not have.
    harness = await Harness.start({ slack: { usergroups: {} } });
  });
  afterAll(() => harness.stop());

  test('a group the policy names that Slack does not know is a warning at start', async () => {
    const warning = await waitForLog(harness, unknownGroupWarning);
    expect(warning.error).toBe('no_such_subteam');
    expect(harness.slack.recordedCalls('usergroups.users.list')).toHaveLength(1);
  });

  test('its members are told it is a mistake in the policy, not to try again, and it is logged', async () => {
    const warningsBefore = logLines(harness).filter(unknownGroupWarning).length;
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(4)}`, { userId: users.groupMember });
    const [response] = await harness.waitForResponses(responseUrlId);
    const answer = messageText(response.body);
    expect(answer).toContain('The user group S0ONCALL1 named in the policy does not exist in Slack');
    expect(answer).toContain('ask an admin to fix the policy');
    expect(answer).not.toContain('try again');
    expect(harness.simulator.calls.count()).toBe(0);
    expect((await harness.audit()).at(-1)).toMatchObject({ event: 'refused', outcome: 'unknown_usergroup' });
    expect(logLines(harness).filter(unknownGroupWarning)).toHaveLength(warningsBefore + 1);
    const refused = logLines(harness).filter((line) => line.msg === 'request refused');
    expect(refused.at(-1)).toMatchObject({ actorId: users.groupMember, reason: 'unknown_usergroup' });

    const whoami = await harness.command('/twokey', 'whoami', { userId: users.groupMember });
    const [told] = await harness.waitForResponses(whoami.responseUrlId);
    expect(messageText(told.body)).toContain('is named in the policy but does not exist in Slack');
  });

  test("a lookup that fails otherwise is logged at warn with Slack's error, and its members may try again", async () => {
    harness.slack.failMethod('usergroups.users.list', { error: 'missing_scope' });
    const { responseUrlId } = await harness.command('/revoke-access', `${ids.site} ${ids.session(5)}`, { userId: users.groupMember });
    const [response] = await harness.waitForResponses(responseUrlId);
    expect(messageText(response.body)).toContain('try again in a moment');
    expect(logLines(harness)).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'could not look up a user group', usergroup: 'S0ONCALL1', error: 'missing_scope' }),
    );

    // Once the group exists and Slack answers, its member is let through: nothing was remembered of the failures.
    harness.slack.clearFailures();
    harness.slack.setUsergroup('S0ONCALL1', [users.groupMember]);
    await harness.command('/revoke-access', `${ids.site} ${ids.session(5)}`, { userId: users.groupMember });
    await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.session(5)));
    expect(harness.simulator.state.hasSession(ids.site, ids.session(5))).toBe(false);
  });
});
