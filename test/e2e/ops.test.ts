import { approvalPolicy, Harness, ids, incidentChannel, messageText, users } from '../support/harness';

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
      expect(metrics.body).toContain('twokey_process_resident_memory_bytes');
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
