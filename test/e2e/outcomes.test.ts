/**
 * PRODUCT.md §8, "Outcomes are truthful, target by target" and "Vendor text is data, never
 * markup": each fault is caused in the vendor simulator, and what the bot told Slack, the audit
 * log and `npm run audit` is read back.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditEntry } from '../../src/model/audit';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';

const auditCli = path.resolve(__dirname, '../../dist/audit/main.js');

const resultIn = (harness: Harness, fragment: string) =>
  harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(fragment));

async function lastExecuted(harness: Harness): Promise<AuditEntry | undefined> {
  return (await harness.audit()).filter((entry) => entry.event === 'executed').at(-1);
}

/** `npm run audit -- --format jsonl` on the bot's database, parsed. */
function exportedAudit(harness: Harness): Array<Record<string, unknown>> {
  if (!fs.existsSync(auditCli)) throw new Error(`${auditCli} is missing: run \`npm run build\` first`);
  const run = spawnSync(process.execPath, [auditCli, '--format', 'jsonl'], {
    env: { DATABASE_URL: harness.databaseFile },
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect(run.stderr).toBe('');
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

// Fast vendor faults: one retry, and a timeout of one second per attempt.
const vendorEnv = { VENDOR_TIMEOUT_MS: '1000', VENDOR_RETRIES: '1' };

describe('operations that run at once', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ env: vendorEnv });
  });
  afterAll(() => harness.stop());
  beforeEach(() => {
    harness.simulator.reset();
    harness.slack.reset();
  });

  describe('outcomes are truthful, target by target', () => {
    test('a DELETE that times out on every attempt is outcome unknown in the channel, the audit log and its export', async () => {
      harness.simulator.faults.add({ method: 'DELETE', action: { type: 'delay', ms: 2500 } });
      await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`);
      const text = messageText(await resultIn(harness, ids.session(1)));
      expect(text).toContain('Revoke transient access: outcome unknown for the session');
      expect(text).toContain('outcome unknown — no answer within 1000 ms');
      expect(text).not.toContain('failed');

      const executed = await lastExecuted(harness);
      expect(executed).toMatchObject({ outcome: 'outcome_unknown' });
      expect(executed?.detail).toBe(`${ids.session(1)}: outcome unknown (no answer within 1000 ms after 2 attempts)`);
      const exported = exportedAudit(harness).filter((entry) => entry.event === 'executed').at(-1);
      expect(exported).toMatchObject({ outcome: 'outcome_unknown', detail: executed?.detail, requestId: executed?.requestId });
    });

    test('a reset on one target and a refusal on another: outcome unknown, naming each', async () => {
      harness.simulator.faults.add({ path: ids.session(2), action: { type: 'reset' } });
      harness.simulator.faults.add({ path: ids.session(3), action: { type: 'status', status: 409 } });
      await harness.command('/revoke-access', `${ids.site} ${ids.session(2)} ${ids.session(3)}`);
      const text = messageText(await resultIn(harness, ids.session(2)));
      expect(text).toContain('Revoke transient access: outcome unknown for 1 session, 1 failed');
      expect(text).toMatch(new RegExp(`\`${ids.session(2)}\` outcome unknown — connection lost \\(\\w+\\)`));
      expect(text).toContain('The connection to Altostrat broke after the call was sent (after 2 attempts).');
      expect(text).toContain(`\`${ids.session(3)}\` failed — *409*`);
      expect(await lastExecuted(harness)).toMatchObject({ outcome: 'outcome_unknown' });
    });

    test('some done and one unknown: partly done, and the headline names the unknown one', async () => {
      harness.simulator.faults.add({ path: ids.session(5), action: { type: 'reset' } });
      await harness.command('/revoke-access', `${ids.site} ${ids.session(4)} ${ids.session(5)}`);
      const text = messageText(await resultIn(harness, ids.session(5)));
      expect(text).toContain('Revoke transient access: 1 of 2 sessions done, 1 outcome unknown');
      const executed = await lastExecuted(harness);
      expect(executed).toMatchObject({ outcome: 'partially_failed' });
      expect(executed?.detail).toMatch(new RegExp(`^${ids.session(5)}: outcome unknown \\(connection lost \\(\\w+\\) after 2 attempts\\)$`));
    });

    // The simulator cannot apply a call and then lose its answer; removing the peer before the
    // failing first attempt looks the same from the bot's side of the wire.
    test.each([
      ['a 503', { type: 'status', status: 503 } as const, 'Altostrat answered *503*', 503],
      ['a reset', { type: 'reset' } as const, 'the connection to Altostrat broke', 'reset'],
    ])('a DELETE that met %s and then found its target gone on the retry is done', async (_what, action, words, firstEnd) => {
      harness.simulator.state.deletePeer(ids.instance, ids.peer(1));
      harness.simulator.faults.add({ method: 'DELETE', times: 1, action });
      await harness.command('/delete-peer', `${ids.instance} ${ids.peer(1)}`);
      const text = messageText(await resultIn(harness, ids.peer(1)));
      expect(text).toContain('Delete VPN peers: done for 1 peer');
      expect(text).toContain(`\`${ids.peer(1)}\` deleted — ${words}, then a retry found it gone: the earlier attempt had done it.`);
      expect(text).not.toContain('nothing was changed');
      expect(harness.simulator.calls.list().map((call) => call.status ?? call.end)).toEqual([firstEnd, 404]);
      const executed = await lastExecuted(harness);
      expect(executed).toMatchObject({ outcome: 'succeeded' });
      expect(executed?.detail).toMatch(new RegExp(`^${ids.peer(1)}: done \\(.*after 2 attempts; a retry found it gone\\)$`));
    });

    test('a 404 is already gone for a revocation, even after a refused 429, and still a failure for a rotation', async () => {
      harness.simulator.faults.add({ method: 'DELETE', times: 1, action: { type: 'rate_limit', retryAfterSeconds: 0 } });
      await harness.command('/revoke-grant', `${ids.organization} agrant_gone1`);
      const revoked = messageText(await resultIn(harness, 'agrant_gone1'));
      expect(revoked).toContain('Revoke access grants: the grant was already gone');
      expect(revoked).toContain('`agrant_gone1` already gone — *404* `RESOURCE_NOT_FOUND`');
      expect(await lastExecuted(harness)).toMatchObject({ outcome: 'succeeded' });

      await harness.command('/rotate-credentials', `${ids.missing} suspected leak`);
      const rotated = messageText(await resultIn(harness, ids.missing));
      expect(rotated).toContain('Rotate API credentials: failed for the site');
      expect(rotated).toContain('failed — *404* `resource_not_found`');
      expect(await lastExecuted(harness)).toMatchObject({ outcome: 'failed' });
    });

    test('49 sessions already gone and one revoked: one grouped line, no failure, within Block Kit', async () => {
      const gone = Array.from({ length: 49 }, (_, i) => ids.session(101 + i));
      await harness.command('/revoke-access', `${ids.site} ${ids.session(1)} ${gone.join(' ')} tidy up`);
      const message = await resultIn(harness, ids.session(149));
      expect(message.text).toBe('Revoke transient access: done for 1 session, 49 already gone');
      expect(messageText(message)).toContain('✅ Revoke transient access');
      expect(messageText(message)).not.toContain('failed');
      const lines = (message.blocks ?? [])
        .flatMap((block) => String((block.text as { text?: string } | undefined)?.text ?? '').split('\n'))
        .filter((line) => line.includes('already gone —'));
      expect(lines).toHaveLength(1);
      for (const id of gone) expect(lines[0]).toContain(`\`${id}\``);
      expect(lines[0]).toContain('The transient access session … does not exist on site');
      expect(lines[0]).toContain('<https://docs.altostrat.io/errors/resource_not_found|docs>');
      expect(harness.slack.recordedCalls('chat.postMessage').every((call) => call.result.ok === true)).toBe(true);

      const executed = await lastExecuted(harness);
      expect(executed).toMatchObject({ outcome: 'succeeded' });
      expect(executed?.detail?.split('\n')).toHaveLength(49);
      expect(executed?.detail).toContain(`${ids.session(101)}: already gone (404 resource_not_found`);
    });
  });

  describe('vendor text is data, never markup', () => {
    /** Every string the bot sent to Slack, decoded. */
    const sentToSlack = () => harness.slack.trafficLog().map((entry) => entry.decoded).join('\n');
    const liveMarkup = /<!(channel|here|everyone)>|<https?:\/\/evil\.example[^>]*\|/;

    test('an error envelope that tries to broadcast and to pass off a link posts neither', async () => {
      harness.simulator.faults.add({
        method: 'DELETE',
        action: {
          type: 'status',
          status: 409,
          contentType: 'application/json',
          body: JSON.stringify({
            type: 'invalid_request_error',
            code: '<!channel>',
            message: 'Reset your password at <https://evil.example/login|the Altostrat portal> <!here>',
            doc_url: 'https://evil.example/x|Official docs',
          }),
        },
      });
      await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`);
      const text = messageText(await resultIn(harness, ids.session(1)));
      expect(text).toContain('&lt;!channel&gt;');
      expect(text).toContain('Reset your password at &lt;https://evil.example/login|the Altostrat portal&gt; &lt;!here&gt;');
      expect(text).toContain('docs `https://evil.example/x|Official docs`');
      expect(sentToSlack()).not.toMatch(liveMarkup);
    });

    test("a rotate answer whose credential ID and username carry markup is shown as text", async () => {
      harness.simulator.faults.add({
        method: 'POST',
        times: 1,
        action: {
          type: 'status',
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ id: '<!channel>', site_id: ids.site, username: '<https://evil.example/sso|admin>', password: 'crafted-password-1' }),
        },
      });
      await harness.command('/rotate-credentials', `${ids.site} suspected leak`);
      const text = messageText(await resultIn(harness, 'done for 1 site'));
      expect(text).toContain('rotated: new credential `&lt;!channel&gt;` for user `&lt;https://evil.example/sso|admin&gt;`');
      expect(sentToSlack()).not.toMatch(liveMarkup);
      expect(sentToSlack()).not.toContain('crafted-password-1');
    });
  });

});

describe('an approved request with an unknown outcome', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.start({ policy: approvalPolicy, env: vendorEnv });
  });
  afterAll(() => harness.stop());

  test('its card, thread and the requester\'s DM all say outcome unknown, never failed', async () => {
    harness.simulator.faults.add({ method: 'DELETE', action: { type: 'delay', ms: 2500 } });
    await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)} offboarding`);
    const card = await harness.slack.waitFor(
      () => harness.slack.messages(incidentChannel.id).find((m) => m.text?.startsWith('Approval needed')),
      { description: 'an approval card' },
    );
    await harness.click(card, 'Approve', users.approver);

    const headline = 'Revoke access grants: outcome unknown for the grant';
    const final = await harness.slack.waitFor(
      () => {
        const now = harness.slack.message(card.channel, card.ts);
        return now?.text === headline ? now : undefined;
      },
      { description: 'the final card' },
    );
    expect(messageText(final)).toContain('outcome unknown — no answer within 1000 ms');
    const reply = await harness.slack.waitForReply(card.channel, card.ts, (m) => messageText(m).includes(headline));
    expect(messageText(reply)).not.toContain('failed');
    const dm = await harness.slack.waitFor(() => harness.slack.messages(harness.slack.dmChannelFor(users.oncall))[0], {
      description: 'a DM to the requester',
    });
    expect(messageText(dm)).toContain(`finished: ${headline}`);
    expect(await lastExecuted(harness)).toMatchObject({ outcome: 'outcome_unknown' });
  });
});
