import fs from 'node:fs';
import path from 'node:path';
import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';

const packageJson = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };

async function get(port: number | undefined, path: string) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

describe('health, readiness and metrics', () => {
  test('HTTP mode serves /healthz, /readyz and /metrics beside /slack/events', async () => {
    const harness = await Harness.start({ policy: approvalPolicy });
    try {
      expect(await get(harness.bot.port, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
      expect(await get(harness.bot.port, '/readyz')).toMatchObject({ status: 200, body: 'ready' });

      // One immediate operation, one approved request with a vendor failure, one pending card.
      await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`);
      await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes('done for 1 session'));
      harness.simulator.faults.add({ path: ids.grant(1), action: { type: 'status', status: 403 } });
      await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)}`);
      const card = await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.grant(1)));
      await harness.click(card, 'Approve', users.approver);
      await harness.slack.waitFor(() => harness.slack.message(card.channel, card.ts)?.text?.includes('failed'), {
        description: 'the failed card',
      });
      await harness.command('/delete-peer', `${ids.instance} ${ids.peer(1)}`);
      await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.peer(1)));

      const metrics = await get(harness.bot.port, '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.type).toContain('text/plain');
      expect(metrics.body).toContain('twokey_requests_total{operation="revoke-access",outcome="succeeded"} 1');
      expect(metrics.body).toContain('twokey_requests_total{operation="revoke-grant",outcome="failed"} 1');
      expect(metrics.body).toContain('twokey_approvals_total{operation="revoke-grant"} 1');
      expect(metrics.body).toContain('twokey_pending_requests 1');
      expect(metrics.body).toMatch(/twokey_vendor_call_duration_seconds_count\{vendor="altostrat",status="204"\} 1/);
      expect(metrics.body).toMatch(/twokey_vendor_call_duration_seconds_count\{vendor="aitronos",status="403"\} 1/);
      // The process's own metrics go by their standard names, which stock dashboards look for.
      expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+/m);
      expect(metrics.body).not.toContain('twokey_process_');
    } finally {
      await harness.stop();
    }
  });

  test('/metrics counts refusals, Slack calls by outcome and policy reloads, and says which version runs', async () => {
    const harness = await Harness.start({ policy: approvalPolicy });
    try {
      // Refused: the stranger holds no role.
      const refused = await harness.command('/revoke-access', `${ids.site} ${ids.session(1)}`, { userId: users.stranger });
      await harness.waitForResponses(refused.responseUrlId);
      // Slack refuses the result's post once; the result goes through the command's response_url.
      harness.slack.failMethod('chat.postMessage', { error: 'not_in_channel' }, { times: 1 });
      const ran = await harness.command('/revoke-access', `${ids.site} ${ids.session(2)}`);
      await harness.waitForResponses(ran.responseUrlId);
      // A request waiting for approval.
      await harness.command('/revoke-grant', `${ids.organization} ${ids.grant(1)}`);
      await harness.waitForMessage(incidentChannel.id, (m) => messageText(m).includes(ids.grant(1)));

      const { body } = await get(harness.bot.port, '/metrics');
      expect(body).toContain('twokey_refusals_total{operation="revoke-access",reason="no_role"} 1');
      expect(body).toContain('twokey_slack_calls_total{method="auth.test",outcome="ok"} 1');
      expect(body).toContain('twokey_slack_calls_total{method="chat.postMessage",outcome="not_in_channel"} 1');
      // The approval card; the refusal and the result that fell back went through response_urls.
      expect(body).toContain('twokey_slack_calls_total{method="chat.postMessage",outcome="ok"} 1');
      expect(body).toContain('twokey_slack_calls_total{method="response_url",outcome="ok"} 2');
      expect(body).toContain('twokey_requests_total{operation="revoke-access",outcome="succeeded"} 1');
      expect(body).toContain('twokey_pending_requests 1');
      expect(body).toContain('twokey_policy_reloads_total{result="applied"} 0');
      expect(body).toContain(`twokey_build_info{version="${packageJson.version}"} 1`);
    } finally {
      await harness.stop();
    }
  });

  test('Socket Mode serves the same endpoints on PORT when it is set', async () => {
    const harness = await Harness.start({ socketMode: true, env: { PORT: '0' } });
    try {
      await harness.slack.waitForConnection();
      expect(harness.bot.port).toBeGreaterThan(0);
      expect(await get(harness.bot.port, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
      expect(await get(harness.bot.port, '/readyz')).toMatchObject({ status: 200, body: 'ready' });
      expect((await get(harness.bot.port, '/metrics')).body).toContain('twokey_pending_requests 0');
      expect((await get(harness.bot.port, '/slack/events')).status).toBe(404);
    } finally {
      await harness.stop();
    }
  });
});
