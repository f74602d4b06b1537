import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Metrics, packageVersion } from '../../../src/app/metrics';
import type { RequestRecord } from '../../../src/model/request';

const repository = path.resolve(__dirname, '../../..');
const { version } = JSON.parse(fs.readFileSync(path.join(repository, 'package.json'), 'utf8')) as { version: string };

function request(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'R-7K3QXM',
    operation: 'delete-peer',
    requesterId: 'U0ONCALL1',
    channelId: 'C0INCIDENT1',
    targetIds: ['peer-1'],
    reason: '',
    approvalsRequired: 1,
    status: 'pending',
    createdAt: new Date(),
    expiresAt: new Date(),
    approvals: [],
    ...overrides,
  };
}

/** Each metric family's type, from the `# TYPE` lines of a scrape. */
function types(scrape: string): Map<string, string> {
  return new Map([...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name, type]));
}

describe('Metrics', () => {
  test('process and runtime metrics carry their standard names, and no gauge is named _total', async () => {
    const scrape = await new Metrics(async () => 0, '1.2.3').registry.metrics();
    const families = types(scrape);

    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(families.has(name)).toBe(true);
    }
    expect(families.get('process_cpu_seconds_total')).toBe('counter');
    expect([...families.keys()].filter((name) => !name.startsWith('twokey_') && name.includes('twokey'))).toEqual([]);
    expect([...families.keys()].filter((name) => name.startsWith('twokey_process') || name.startsWith('twokey_nodejs'))).toEqual([]);
    const totalGauges = [...families].filter(([name, type]) => type === 'gauge' && name.endsWith('_total'));
    expect(totalGauges).toEqual([]);
    // The per-type gauge stays: sum() of it is the total that was left out.
    expect(families.get('nodejs_active_handles')).toBe('gauge');
    expect(families.has('nodejs_active_resources_total')).toBe(false);
  });

  test('twokey_build_info is 1, labelled with the version', async () => {
    const scrape = await new Metrics(async () => 0, '1.2.3').registry.metrics();
    expect(scrape).toContain('twokey_build_info{version="1.2.3"} 1');
    expect(types(scrape).get('twokey_build_info')).toBe('gauge');
  });

  test('counts refusals by operation and reason, Slack calls by method and outcome, and policy reloads by result', async () => {
    const metrics = new Metrics(async () => 0, '1.2.3');
    // Both reload results are there before any reload, at zero.
    expect(await metrics.registry.metrics()).toContain('twokey_policy_reloads_total{result="rejected"} 0');

    metrics.refused({ operation: 'revoke-access', actorId: 'U0STRANGER1', reason: 'no_role' });
    metrics.refused({ operation: 'revoke-access', actorId: 'U0STRANGER2', reason: 'no_role' });
    metrics.refused({ operation: 'delete-peer', requestId: 'R-7K3QXM', actorId: 'U0ONCALL1', reason: 'own_request' });
    metrics.slackCall('chat.postMessage', 'ok');
    metrics.slackCall('chat.postMessage', 'not_in_channel');
    metrics.slackCall('response_url', 'ok');
    metrics.policyReloaded('applied');
    metrics.policyReloaded('rejected');
    metrics.policyReloaded('rejected');
    metrics.approvalCounted(request());
    metrics.requestFinished(request({ status: 'executing' }), 'partially_failed');

    const scrape = await metrics.registry.metrics();
    expect(scrape).toContain('twokey_refusals_total{operation="revoke-access",reason="no_role"} 2');
    expect(scrape).toContain('twokey_refusals_total{operation="delete-peer",reason="own_request"} 1');
    expect(scrape).toContain('twokey_slack_calls_total{method="chat.postMessage",outcome="ok"} 1');
    expect(scrape).toContain('twokey_slack_calls_total{method="chat.postMessage",outcome="not_in_channel"} 1');
    expect(scrape).toContain('twokey_slack_calls_total{method="response_url",outcome="ok"} 1');
    expect(scrape).toContain('twokey_policy_reloads_total{result="applied"} 1');
    expect(scrape).toContain('twokey_policy_reloads_total{result="rejected"} 2');
    expect(scrape).toContain('twokey_approvals_total{operation="delete-peer"} 1');
    // The status given counts, not the one the record still shows.
    expect(scrape).toContain('twokey_requests_total{operation="delete-peer",outcome="partially_failed"} 1');
    const families = types(scrape);
    for (const name of ['twokey_refusals_total', 'twokey_slack_calls_total', 'twokey_policy_reloads_total', 'twokey_requests_total']) {
      expect(families.get(name)).toBe('counter');
    }
  });

  test('the pending gauge is asked at each scrape and says it is cluster-wide', async () => {
    let pending = 3;
    const countPending = jest.fn(async () => pending);
    const metrics = new Metrics(countPending, '1.2.3');
    expect(await metrics.registry.metrics()).toContain('twokey_pending_requests 3');
    pending = 1;
    const scrape = await metrics.registry.metrics();
    expect(scrape).toContain('twokey_pending_requests 1');
    expect(countPending).toHaveBeenCalledTimes(2);
    expect(scrape).toMatch(/# HELP twokey_pending_requests .*whole database.*max, not sum/);
  });
});

describe('packageVersion', () => {
  test("finds twokey's version from the sources and from a build alike", () => {
    expect(packageVersion(path.join(repository, 'src', 'app'))).toBe(version);
    expect(packageVersion(path.join(repository, 'dist', 'app'))).toBe(version);
    expect(packageVersion()).toBe(version);
  });

  test("passes over another package's package.json and an unreadable one, and says unknown when there is none", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-version-'));
    try {
      fs.mkdirSync(path.join(dir, 'other', 'broken', 'dist'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'other', 'package.json'), JSON.stringify({ name: 'other', version: '9.9.9' }));
      fs.writeFileSync(path.join(dir, 'other', 'broken', 'package.json'), '{ not json');
      expect(packageVersion(path.join(dir, 'other', 'broken', 'dist'))).toBe('unknown');

      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'twokey', version: '4.5.6' }));
      expect(packageVersion(path.join(dir, 'other', 'broken', 'dist'))).toBe('4.5.6');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
