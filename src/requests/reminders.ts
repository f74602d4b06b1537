import { addMilliseconds } from 'date-fns/addMilliseconds';
import { differenceInMilliseconds } from 'date-fns/differenceInMilliseconds';
import { subMilliseconds } from 'date-fns/subMilliseconds';
import { type Approvers, escalationDm, escalationNote, reminderDm, reminderNote } from '../messages/reminders';
import type { RequestRecord } from '../model/request';
import { operationNames, type OperationName } from '../operations/catalog';
import { approvingRoles } from '../policy/access';
import type { ActionRule } from '../policy/schema';
import type { Announcer } from './announcer';
import type { CoreContext } from './context';

// Per operation and sweep; a longer queue is taken by the next sweeps, seconds later.
const batch = 20;

/**
 * Reminders and escalation of waiting requests (PRODUCT.md §10), on the sweep of every replica.
 * The store hands each due reminder and each escalation to one caller, so each is said once;
 * what is said goes through the announcer, which keeps what Slack will not take now.
 */
export class Reminders {
  constructor(
    private readonly context: CoreContext,
    private readonly announcer: Announcer,
  ) {}

  /**
   * Escalates, then reminds, the waiting requests due: a request that escalates as a reminder
   * falls due is reminded without the newly allowed, whom its escalation tells.
   */
  async sweep(): Promise<{ escalated: RequestRecord[]; reminded: RequestRecord[] }> {
    const at = this.context.now();
    const escalated = await this.escalateDue(at);
    return { escalated, reminded: await this.remindDue(at) };
  }

  /** Reminds the approvers of every waiting request whose reminder is due at `at`, under the rules in force. */
  private async remindDue(at: Date): Promise<RequestRecord[]> {
    const { store } = this.context;
    return this.eachRule(
      (rule) => rule.remindMs,
      (operation, remindMs) => store.claimReminders(operation, at, addMilliseconds(at, remindMs), batch),
      (request, rule) => {
        // The roles escalated to count once they were told, in an earlier sweep.
        const told = request.escalatedAt !== undefined && request.escalatedAt < at;
        const roles = told ? approvingRoles(rule, differenceInMilliseconds(at, request.createdAt)) : rule.approve;
        const approvers = this.approversIn(roles, request);
        const dm = reminderDm(request, this.context.messenger);
        return this.announcer.nudge(
          request,
          reminderNote(request, approvers, at),
          approvers.userIds.map((userId) => ({ userId, message: dm })),
        );
      },
      'reminding approvers',
    );
  }

  /** Tells those each waiting request escalates to by `at` that they may approve it, once per request. */
  private async escalateDue(at: Date): Promise<RequestRecord[]> {
    const { store } = this.context;
    return this.eachRule(
      (rule) => rule.escalation?.afterMs,
      (operation, afterMs) => store.claimEscalations(operation, subMilliseconds(at, afterMs), at, batch),
      (request, rule, afterMs) => {
        const already = this.approversIn(rule.approve, request);
        const escalated = this.approversIn(rule.escalation?.to ?? [], request);
        // Only those the escalation newly allows: the others were told by the reminders already.
        const newly: Approvers = {
          userIds: escalated.userIds.filter((id) => !already.userIds.includes(id)),
          usergroupIds: escalated.usergroupIds.filter((id) => !already.usergroupIds.includes(id)),
        };
        const dm = escalationDm(request, afterMs, this.context.messenger);
        return this.announcer.nudge(
          request,
          escalationNote(request, newly, afterMs),
          newly.userIds.map((userId) => ({ userId, message: dm })),
        );
      },
      'telling approvers of an escalation',
    );
  }

  /**
   * For each action whose rule has a `period` (a reminder interval, an escalation's delay), claims
   * its requests now due and says what is to be said of each, each on its own: a slow chat call
   * holds back neither another request's message nor the next sweep.
   */
  private async eachRule(
    period: (rule: ActionRule) => number | undefined,
    claim: (operation: OperationName, periodMs: number) => Promise<RequestRecord[]>,
    say: (request: RequestRecord, rule: ActionRule, periodMs: number) => Promise<void>,
    what: string,
  ): Promise<RequestRecord[]> {
    const { policy } = this.context;
    const claimed = await Promise.all(
      operationNames.map(async (operation) => {
        const rule = policy.actions[operation];
        const periodMs = rule && period(rule);
        if (!rule || periodMs === undefined) return [];
        const due = await claim(operation, periodMs);
        for (const request of due) this.context.background(what, say(request, rule, periodMs));
        return due;
      }),
    );
    return claimed.flat();
  }

  /** Who holds `roles` by the policy, as it names them: its users (never the requester, nor who already approved) and its user groups. */
  private approversIn(roles: readonly string[], request: RequestRecord): Approvers {
    const definitions = roles.map((role) => this.context.policy.roles[role]).filter((definition) => definition !== undefined);
    const approved = new Set(request.approvals.map((approval) => approval.userId));
    const userIds = new Set(definitions.flatMap((definition) => definition.users));
    return {
      userIds: [...userIds].filter((id) => id !== request.requesterId && !approved.has(id)),
      usergroupIds: [...new Set(definitions.flatMap((definition) => definition.usergroups))],
    };
  }
}
