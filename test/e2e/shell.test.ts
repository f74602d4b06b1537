import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoSeed } from '../../src/simulator';
import { SqliteStore } from '../../src/store/sqlite';
import type { AuditEntry } from '../../src/model/audit';
import { killAllProcesses } from '../support/process';
import { runShell, ShellProcess, type ShellOptions, terminalAvailable } from '../support/shell';
import type { FaultSpec } from '../../src/simulator';

// The example data the shell's built-in simulator starts with.
const site = demoSeed.sites[0].id;
const session = demoSeed.sites[0].sessions[0];
const organization = demoSeed.organizations[0].id;
const grant = demoSeed.organizations[0].grants[0];
const missingSession = 'deadbeef-0000-4000-8000-000000000000';

const oncall = 'U0123ABCD';
const approver = 'U0456EFGH';
const ansiEscape = /\u001b\[/;

/** The audit log of the session's database in `dir`, oldest first. */
async function auditLog(dir: string): Promise<AuditEntry[]> {
  const store = new SqliteStore(path.join(dir, 'twokey.db'));
  try {
    return (await store.listAudit({ limit: 100 })).reverse();
  } finally {
    await store.close();
  }
}

describe('npm run shell, fed through a pipe', () => {
  let dir: string;
  let options: ShellOptions;
  const shells: ShellProcess[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-shell-e2e-'));
    // Nothing of the test runner's environment: no vendor settings, no Slack tokens, no POLICY_FILE.
    options = { cwd: dir, env: { PATH: process.env.PATH ?? '', DATABASE_URL: path.join(dir, 'twokey.db') } };
  });
  afterEach(() => {
    for (const shell of shells.splice(0)) shell.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('starts against the simulator, runs an immediate operation, and the simulator remembers it', async () => {
    const run = await runShell(
      [
        `/revoke-access ${site} ${session} contractor left`,
        `/revoke-access ${site} ${session} once more`,
      ],
      options,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(ansiEscape);
    expect(run.stdout).toMatch(/Altostrat and Aitronos are simulated at http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout).toContain(`Altostrat site ${site} (Cape Town edge) — transient sessions: ${session}`);
    expect(run.stdout).toContain(`Aitronos organization ${organization} (Example Org) — grants: ${grant}`);
    expect(run.stdout).toContain('User groups (S0ONCALL1) cannot be looked up without Slack');
    expect(run.stdout).toContain(`Store: SQLite at ${path.join(dir, 'twokey.db')}`);
    expect(run.stdout).toContain(`You are ${oncall} (oncall). ${approver} (approver) and U0789IJKL (admin) can approve`);

    const [, first, second] = run.stdout.split(`${oncall}> /revoke-access`);
    expect(first).toContain('✅ Revoke transient access: done for 1 session');
    expect(first).toContain('  Reason: contractor left');
    expect(first).toContain(`  ✅ \`${session}\` revoked`);
    expect(first).not.toContain('(only you)');
    expect(second).toContain('✅ Revoke transient access: the session was already gone');
    expect(second).toMatch(/☑️ `[-0-9a-f]+` already gone — 404 `resource_not_found`/);
    expect(second).toContain('does not exist: already gone, or an ID is wrong');

    const audit = await auditLog(dir);
    expect(audit.map((entry) => entry.event)).toEqual([
      'requested', 'execution_started', 'executed',
      'requested', 'execution_started', 'executed',
    ]);
    expect(audit[2]).toMatchObject({ actorId: oncall, channelId: 'C0INCIDENT1', outcome: 'succeeded' });
    expect(audit[5]).toMatchObject({ outcome: 'succeeded', detail: expect.stringContaining('already gone (404') });
  });

  test('two-person approval: the requester asks, switches to the approver, who approves', async () => {
    const shell = ShellProcess.start(options);
    shells.push(shell);
    shell.send(`/revoke-grant ${organization} ${grant} offboarding`);
    const [, id] = await shell.waitForOutput(/\[approve (R-[A-Z0-9]{6})\] \[deny \1\] \[cancel \1\]/);
    shell.send(`approve ${id}`, `:as ${approver}`, `approve ${id.toLowerCase()}`);
    const run = await shell.finish();

    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(ansiEscape);
    const [, asked, ownApproval, switched, approved] = run.stdout.split(/^U0\w+> /m);
    expect(asked).toContain('⚠️ Approval needed: Revoke access grants');
    expect(asked).toContain('  Approvals: 0 of 1');
    expect(asked).toContain(`  • \`${grant}\``);
    expect(asked).toMatch(/ {2}Expires in 15 minutes \(\d{4}-\d\d-\d\dT[\d:.]+Z\) · request `R-\w{6}`/);
    expect(ownApproval).toContain('(only you) ⛔ You cannot approve your own request: a second person must.');
    expect(switched).toContain(`You are now ${approver} (approver).`);
    expect(approved).toMatch(new RegExp(`^approve ${id.toLowerCase()}\n`));

    const lines = approved.split('\n');
    const at = (prefix: string) => lines.findIndex((line) => line.startsWith(prefix));
    const thread = at(`  ↳ ✅ @${approver} approved (1 of 1).`);
    const running = at(`card ${id} updated: ℹ️ Approved — running: Revoke access grants`);
    const done = at(`card ${id} updated: ✅ Revoke access grants: done for 1 grant`);
    const outcome = at('  ↳ ✅ Revoke access grants: done for 1 grant');
    const dm = at(`(DM to @${oncall}) Your request \`${id}\` (/revoke-grant, 1 grant) finished`);
    expect([thread, running, done, outcome, dm].every((index) => index >= 0)).toBe(true);
    expect(thread).toBeLessThan(running);
    expect(running).toBeLessThan(done);
    expect(done).toBeLessThan(outcome);
    expect(outcome).toBeLessThan(dm);
    expect(lines).toContain(`  Approvals: 1 of 1 — @${approver}`);
    expect(lines).toContain(`    ✅ \`${grant}\` revoked`);
    expect(approved).not.toContain('[approve');

    const events = (await auditLog(dir)).map((entry) => `${entry.event} ${entry.actorId}`);
    expect(events).toEqual([
      `requested ${oncall}`,
      `refused ${oncall}`,
      `approved ${approver}`,
      `execution_started ${oncall}`,
      `executed ${oncall}`,
    ]);
  });

  test('the approver denies with a reason typed after the ID; approve takes none', async () => {
    const shell = ShellProcess.start(options);
    shells.push(shell);
    shell.send(`/revoke-grant ${organization} ${grant} offboarding`);
    const [, id] = await shell.waitForOutput(/\[approve (R-[A-Z0-9]{6})\] \[deny \1\] \[cancel \1\]/);
    shell.send(`:as ${approver}`, `approve ${id} because`, `deny ${id} the contractor stays until Friday`);
    const run = await shell.finish();

    expect(run.code).toBe(0);
    const [, , , approveWithReason, denied] = run.stdout.split(/^U0\w+> /m);
    expect(approveWithReason).toContain('approve takes the request ID alone; only deny takes a reason');
    expect(denied).toContain(`card ${id} updated: ❌ Denied: Revoke access grants`);
    expect(denied).toContain(`Denied by @${approver}: nothing was run. Why: the contractor stays until Friday`);
    expect(denied).toContain(`↳ 🚫 @${approver} denied the request; nothing was run. Why: the contractor stays until Friday`);
    expect(denied).toContain(`was denied by @${approver}; nothing was run (the contractor stays until Friday)`);
    const entries = await auditLog(dir);
    expect(entries.filter((entry) => entry.event === 'denied')).toEqual([
      expect.objectContaining({ actorId: approver, detail: 'the contractor stays until Friday' }),
    ]);
  });

  test('bad input gets the usage line and calls nothing; blank lines and comments are skipped', async () => {
    const mistyped = session.slice(0, -1);
    const run = await runShell(
      [
        '',
        '# a comment, not a command',
        `/revoke-access ${site} ${mistyped} contractor left`,
        'revoke everything please',
        '/revoke-everything now',
        `/revoke-acess ${site} ${session} typo in the command`,
        '/twokey whoiam',
        ':qiut',
        'approve R-NOPE12',
        `/revoke-access ${site} ${session} the real one`,
      ],
      options,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('a comment');
    const [, bad, prose, unknown, typo, subcommandTypo, shellTypo, noSuchRequest, good] = run.stdout.split(`${oncall}> `);
    expect(bad).toContain(`(only you) \`${mistyped}\` is not a valid session ID`);
    expect(bad).toContain('  Usage: `/revoke-access <siteId> <accessId>… [reason] [--dry-run]`');
    expect(bad).not.toContain('Revoke transient access:');
    expect(prose).toContain('Not understood: type a slash command (/twokey help)');
    expect(unknown).toContain('/revoke-everything is not a twokey command: /revoke-access, /rotate-credentials');
    expect(unknown).not.toContain('did you mean');
    expect(typo).toContain('/revoke-acess is not a twokey command: did you mean /revoke-access?');
    expect(subcommandTypo).toContain('(only you) ⚠️ Unknown command: /twokey whoiam');
    expect(subcommandTypo).toContain('  Did you mean `/twokey whoami`?');
    expect(shellTypo).toContain(':qiut is not a shell command: did you mean :quit?');
    // Not a question of permission: no ⛔, no pointer to /twokey whoami.
    expect(noSuchRequest).toContain('(only you) There is no request R-NOPE12.\n  Nothing was changed.');
    expect(noSuchRequest).not.toContain('whoami');
    // The session was left alone: revoking it now works.
    expect(good).toContain(`✅ \`${session}\` revoked`);
    expect((await auditLog(dir)).filter((entry) => entry.event === 'requested')).toHaveLength(1);
  });

  test("a vendor's 404 on an unknown ID is explained in the channel as already gone", async () => {
    const run = await runShell([`/revoke-access ${site} ${missingSession} typo`], options);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✅ Revoke transient access: the session was already gone');
    expect(run.stdout).toMatch(new RegExp(`☑️ \`${missingSession}\` already gone — 404 \`resource_not_found\`: .*does not exist`));
    expect(run.stdout).toContain('→ The site or the session does not exist: already gone, or an ID is wrong. Nothing was left to do.');
  });

  test('--dry-run shows the exact call, to the requester alone, and makes none', async () => {
    const run = await runShell(
      [`/revoke-access ${site} ${session} --dry-run`, `/revoke-access ${site} ${session} for real`],
      options,
    );
    expect(run.code).toBe(0);
    const [, dryRun, real] = run.stdout.split(`${oncall}> `);
    expect(dryRun).toContain('(only you) ℹ️ Dry run: revoke transient access');
    expect(dryRun).toMatch(
      new RegExp(`• \`DELETE http://127\\.0\\.0\\.1:\\d+/control-plane/${site}/transient-accesses/${session}\``),
    );
    expect(dryRun).toContain('Nothing was called.');
    expect(real).toContain(`✅ \`${session}\` revoked`);
  });

  test('--as picks the user; one the example policy does not name becomes on-call', async () => {
    const run = await runShell(['/twokey whoami'], { ...options, args: ['--as', 'U0NEWBIE1'] });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Policy: policy.example.yml, with U0NEWBIE1 added to oncall.');
    expect(run.stdout).toContain('U0NEWBIE1> /twokey whoami');
    expect(run.stdout).toContain('(only you) ℹ️ Who you are to twokey');
    expect(run.stdout).toContain('  Roles: `oncall` (listed by ID)');
  });

  test('a malformed --as is refused with the usage, exit code 2', async () => {
    const run = await runShell([], { ...options, args: ['--as', 'bob'] });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--as takes a Slack user ID such as U0123ABCD, not "bob".');
    expect(run.stderr).toContain('Usage: npm run shell -- [--as <userId>]');
  });
});

/** Adds a fault to the shell's built-in simulator, through its control routes, as a person trying twokey could. */
async function addFault(simulatorUrl: string, fault: FaultSpec): Promise<void> {
  const answer = await fetch(`${simulatorUrl}/__simulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (answer.status !== 201) throw new Error(`the simulator refused the fault: ${answer.status} ${await answer.text()}`);
}

/** How many vendor calls the simulator holds right now. */
async function callsInFlight(simulatorUrl: string): Promise<number> {
  const answer = await fetch(`${simulatorUrl}/__simulator/calls`);
  return ((await answer.json()) as { inFlight: number }).inFlight;
}

const simulatorUrl = /simulated at (http:\/\/127\.0\.0\.1:\d+)/;

/** A revocation the simulator holds for `ms` before answering. */
const slowRevocation = (ms: number): FaultSpec => ({
  vendor: 'altostrat',
  method: 'DELETE',
  path: '/transient-accesses/',
  times: 1,
  action: { type: 'delay', ms },
});

// Without util-linux's `script` there is no pseudo-terminal to type in: reported as skipped, never passed silently.
const describeInTerminal = terminalAvailable ? describe : describe.skip;

describe('a slow vendor call in the shell, and Ctrl-C', () => {
  let dir: string;
  let options: ShellOptions;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twokey-shell-e2e-'));
    options = { cwd: dir, env: { PATH: process.env.PATH ?? '', DATABASE_URL: path.join(dir, 'twokey.db') } };
  });
  afterEach(async () => {
    await killAllProcesses();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describeInTerminal('at a terminal', () => {
    test('progress while it waits; Ctrl-C says what for; a line typed meanwhile runs after; the outcome arrives', async () => {
      const shell = ShellProcess.startInTerminal(options);
      const [, url] = await shell.waitForScreen(simulatorUrl);
      await shell.waitForScreen(new RegExp(`${oncall}> $`));
      await addFault(url, slowRevocation(4_000));

      shell.type(`/revoke-access ${site} ${session} slow vendor\r`);
      await shell.waitForScreen(/waiting for Altostrat \(1 call\)… 2 seconds/);
      shell.type('/twokey pending\r');
      await shell.waitForScreen(/Queued: \/twokey pending \(runs once the line under way has finished\)/);
      shell.type('\x03');
      await shell.waitForScreen(
        /Still waiting for Altostrat \(1 call\), \d seconds? so far\. A call already sent cannot be called back: its outcome is shown here, and recorded, when it arrives\. Press Ctrl-C again to quit without waiting\./,
      );
      await shell.waitForScreen(/No open requests in this channel\./);
      // Ctrl-C at the prompt leaves, as :quit does.
      shell.type('\x03');
      const run = await shell.waitForExit();

      expect(run.code).toBe(0);
      const screen = shell.screen;
      const result = screen.indexOf('✅ Revoke transient access: done for 1 session');
      const queued = screen.indexOf(`${oncall}> /twokey pending\n`);
      expect(result).toBeGreaterThan(screen.indexOf('Still waiting for Altostrat'));
      expect(queued).toBeGreaterThan(result);
      expect(screen).toMatch(/Finished in [45] seconds\./);
      const events = (await auditLog(dir)).map((entry) => `${entry.event} ${entry.outcome ?? ''}`.trim());
      expect(events).toEqual(['requested', 'execution_started', 'executed succeeded']);
    });

    test('a second Ctrl-C quits without waiting and says what that means; the next start reports the call as outcome unknown', async () => {
      const shell = ShellProcess.startInTerminal(options);
      const [, url] = await shell.waitForScreen(simulatorUrl);
      await shell.waitForScreen(new RegExp(`${oncall}> $`));
      await addFault(url, slowRevocation(60_000));

      shell.type(`/revoke-access ${site} ${session} vendor hangs\r`);
      await shell.waitForScreen(/waiting for Altostrat \(1 call\)… 2 seconds/);
      shell.type('\x03');
      await shell.waitForScreen(/Still waiting for Altostrat \(1 call\)/);
      shell.type('\x03');
      const run = await shell.waitForExit();

      expect(run.code).toBe(130);
      expect(shell.screen).toContain(
        'Quitting without waiting for Altostrat (1 call): a call already sent may still take effect, and twokey will not see its answer.',
      );
      expect(shell.screen).toContain('the next start on this DATABASE_URL reports its outcome as unknown.');

      const next = await runShell([], options);
      expect(next.code).toBe(0);
      expect(next.stdout).toContain('⚠️ Revoke transient access: outcome unknown for the session');
      expect((await auditLog(dir)).map((entry) => entry.outcome ?? entry.event)).toEqual(['requested', 'execution_started', 'outcome_unknown']);
    });
  });

  test('through a pipe: Ctrl-C (SIGINT) says what the shell waits for; a second quits, naming the lines that will not run', async () => {
    const shell = ShellProcess.start(options);
    const [, url] = await shell.waitForOutput(simulatorUrl);
    await addFault(url, slowRevocation(60_000));
    shell.send(`/revoke-access ${site} ${session} vendor hangs`, '/twokey whoami', '# a comment is not a line that will not run');
    await shell.waitUntil(async () => (await callsInFlight(url)) === 1, 'the revocation held by the simulator');

    shell.signal('SIGINT');
    await shell.waitForOutput(/Still waiting for Altostrat \(1 call\), \d+ seconds? so far/);
    shell.signal('SIGINT');
    const run = await shell.waitForExit();

    expect(run.code).toBe(130);
    expect(run.stdout).toContain('Quitting without waiting for Altostrat (1 call)');
    expect(run.stdout).toContain('1 line after it will not run.');
    // A transcript gets no progress line.
    expect(run.stdout).not.toContain('waiting for Altostrat (1 call)…');
    expect(run.stdout).not.toMatch(ansiEscape);
  });
});
