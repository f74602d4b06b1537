/**
 * The ports the core talks through: the store it keeps requests in, and the chat it answers
 * in. Each has more than one implementation (SQLite and PostgreSQL; Slack and the shell), and
 * the core knows only these interfaces.
 */
import type { AuditEntry, AuditNote, NewAuditEntry } from './audit';
import type { Message, MessageRef } from './message';
import type { OwedDelivery, OwedMessage } from './owed';
import type { NewRequest, RequestRecord, RequestStatus, StoredTargetResult, TransitionName } from './request';

export interface AuditQuery {
  /** Newest first, at most this many. */
  limit?: number;
  since?: Date;
  channelId?: string;
  /** Only the entries of what this user did. */
  actorId?: string;
}

/**
 * The store could not be reached, or did not answer in time: what was asked of it may not have
 * been done. Users are told the database is the trouble, not that twokey is broken.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Values a transition sets; the conditions are the transition's own guards. */
export interface TransitionOptions {
  /** When the change happens: what the time guards are checked against. */
  at: Date;
  closedBy?: string;
  closedReason?: string;
  results?: StoredTargetResult[];
  /** Recorded in the same transaction as the change, and only if the change is made. */
  audit?: AuditNote;
  /**
   * The change was announced before the store could record it (an outcome reported while the
   * database was down): it is not announced again. Otherwise a change to a final status waits
   * to be announced (`claimUnannounced`).
   */
  announced?: boolean;
}

export type ApprovalInsert = 'added' | 'duplicate' | 'not_open';

export interface RequestQuery {
  channelId?: string;
  statuses?: readonly RequestStatus[];
  /** Only those approved before this moment. */
  approvedBefore?: Date;
  /** Only break-glass uses that nobody has reviewed yet. */
  awaitingReview?: boolean;
  limit?: number;
}

/**
 * Where twokey keeps its state. Every state change is one conditional update, so that a
 * change applies once however many clicks, deliveries or replicas race for it; the audit entry
 * a change is given is written in the same transaction, so neither is kept without the other. Every method
 * is async so that the embedded SQLite store and a PostgreSQL store share one interface and
 * one test suite.
 */
export interface Store {
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first (by the order entries were appended). */
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>;

  createRequest(request: NewRequest, audit: AuditNote): Promise<RequestRecord>;
  getRequest(id: string): Promise<RequestRecord | undefined>;
  /** Newest first, by creation time. */
  listRequests(query?: RequestQuery): Promise<RequestRecord[]>;
  /** How many requests are in one of `statuses`, in the whole store. */
  countRequests(statuses: readonly RequestStatus[]): Promise<number>;
  /** Keeps where a request's card was posted; the request's status by then, or undefined for an unknown request. */
  attachCard(id: string, card: MessageRef): Promise<RequestStatus | undefined>;
  /**
   * Records one approval per approver, only while the request is pending, unexpired at `at`,
   * and short of the approvals it needs: never more are counted, however many arrive at once.
   */
  addApproval(id: string, userId: string, at: Date): Promise<ApprovalInsert>;
  /**
   * Applies a named transition if the request is in one of its `from` states and its guards
   * hold at `options.at`; the updated record when this call made the change.
   */
  transition(id: string, name: TransitionName, options: TransitionOptions): Promise<RequestRecord | undefined>;
  /**
   * Records that `userId` reviewed the break-glass use `id` at `at`, with `audit` in the same
   * transaction: once, whoever else reviews it at the same moment. The updated record when this
   * call made the change; undefined for an unknown request, one that is no break-glass use, or one already reviewed.
   */
  review(id: string, userId: string, at: Date, audit: AuditNote): Promise<RequestRecord | undefined>;
  /** Expires every pending request whose expiry is at or before `at`; each is returned to exactly one caller. */
  expireDue(at: Date, audit: AuditNote): Promise<RequestRecord[]>;
  /** Marks executions started before `startedBefore` as `outcome_unknown`; each is returned to exactly one caller. */
  loseInterrupted(startedBefore: Date, at: Date, audit: AuditNote): Promise<RequestRecord[]>;

  /**
   * Records that the chat delivery `id` (a slash command or a click, as the chat identifies it) is
   * being handled; false when it already was, on any replica: a replay or a redelivery.
   */
  claimDelivery(id: string, at: Date): Promise<boolean>;
  /** Forgets the deliveries claimed before `before`, which are too old to come again. */
  forgetDeliveries(before: Date): Promise<void>;

  /** Records that the calls of an executing request's first `count` targets may now be sent (it never decreases). */
  recordDispatched(id: string, count: number): Promise<void>;

  /** Keeps a message that could not be delivered, to be tried again from `nextAttemptAt`. */
  owe(delivery: OwedDelivery, at: Date, nextAttemptAt: Date, error: string): Promise<void>;
  /**
   * Claims up to `limit` owed messages due at `at`: each is due again only at `leaseUntil`, so
   * that one replica tries it at a time, and again if that one stops before it settles it.
   */
  claimOwed(at: Date, leaseUntil: Date, limit: number): Promise<OwedMessage[]>;
  /** A message delivered, or given up: it is no longer owed. */
  settleOwed(id: number): Promise<void>;
  /** A message still not delivered: tried again from `nextAttemptAt`. */
  deferOwed(id: number, nextAttemptAt: Date, error: string): Promise<void>;

  /**
   * Claims up to `limit` finished requests whose announcement is overdue at `dueBy` (see
   * `announceAfter`): each is overdue again only at `leaseUntil`, so that one replica
   * announces it at a time, and another does if that one stops first.
   */
  claimUnannounced(dueBy: Date, leaseUntil: Date, limit: number): Promise<RequestRecord[]>;
  /** A finished request's messages are all delivered or kept as owed: it is no longer waiting to be announced. */
  markAnnounced(id: string): Promise<void>;

  /**
   * Claims up to `limit` pending `operation` requests, unexpired at `at`, whose next reminder is
   * due by `at`: each is next due at `nextAt`, so that each reminder goes out once, from one replica.
   */
  claimReminders(operation: string, at: Date, nextAt: Date, limit: number): Promise<RequestRecord[]>;
  /**
   * Claims up to `limit` pending `operation` requests, unexpired at `at`, made at or before
   * `madeBy` and not escalated yet: each is marked escalated at `at`, and returned to exactly one caller.
   */
  claimEscalations(operation: string, madeBy: Date, at: Date, limit: number): Promise<RequestRecord[]>;

  /** Rejects when the database cannot be reached: the readiness check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Channel {
  id: string;
  /** Channel name without `#`, when the transport knows it (name globs in the policy need it). */
  name?: string;
}

/** Who typed a command, where, and what. */
export interface Invocation {
  userId: string;
  channel: Channel;
  text: string;
  /** The chat's own ID of this command, the same however often it is delivered (Slack's `trigger_id`). */
  deliveryId?: string;
}

/** Who acts on a request by clicking, and where. */
export interface Actor {
  userId: string;
  /** The channel of the message whose button was pressed; absent for a view of the request itself (a command naming it). */
  channelId?: string;
  /** The chat's own ID of this click, the same however often it is delivered (Slack's `trigger_id`). */
  deliveryId?: string;
}

/** Answers to one command or click; each transport implements it. */
export interface Replies {
  /** A message everyone in the channel sees. */
  toChannel(message: Message): Promise<void>;
  /** A message only the person who typed the command or clicked sees. */
  toUser(message: Message): Promise<void>;
}

/** Messages not tied to a command: approval cards, their threads, and word to requesters. */
export interface Messenger {
  post(channelId: string, message: Message, options?: { threadOf?: MessageRef }): Promise<MessageRef>;
  update(ref: MessageRef, message: Message): Promise<void>;
  /** An ephemeral message in a channel, for one user. */
  whisper(channelId: string, userId: string, message: Message): Promise<void>;
  /** A direct message to a user. */
  notify(userId: string, message: Message): Promise<void>;
  /** A link to a posted message, where the chat has one. */
  permalink(ref: MessageRef): string | undefined;
}

/** Lists the user IDs in a chat's user group (Slack's `usergroups.users.list`). */
export type UsergroupMembersLookup = (usergroupId: string) => Promise<string[]>;

/** What a user-group lookup rejects with when the chat has no such group: a mistake in the policy, not a passing failure. */
export class UnknownUsergroupError extends Error {
  constructor(readonly usergroup: string) {
    super(`the user group ${usergroup} named in the policy does not exist in Slack`);
    this.name = 'UnknownUsergroupError';
  }
}

/**
 * Where a user's chat account stands. Only an `active` full member may approve or deny: not a
 * deactivated account, a bot, or a guest (Slack's restricted and single-channel guests).
 */
export type AccountStanding = 'active' | 'deactivated' | 'bot' | 'guest';

/** Looks up where a user's account stands (Slack's `users.info`); rejects when the chat cannot say. */
export type AccountLookup = (userId: string) => Promise<AccountStanding>;

/** What a transport gives the core: where to post, who is in a user group, and whose account may act. */
export interface ChatPorts {
  messenger: Messenger;
  usergroupMembers: UsergroupMembersLookup;
  account: AccountLookup;
}

/** A command for an operation, as received: where a request's story starts. */
export interface ReceivedCommand {
  /** The ID its request gets; a command refused before it became one is known by it too. */
  requestId: string;
  operation: string;
  requesterId: string;
  channelId: string;
  targets: number;
  dryRun: boolean;
}

/** An attempt the policy refused: a command, or a click on a request's card. */
export interface RefusedAttempt {
  operation?: string;
  requestId?: string;
  actorId: string;
  /** The policy's named reason (`no_role`, `wrong_channel`, …). */
  reason: string;
}

/**
 * Told of what the core does, for metrics and the log's story of each request; no part of the
 * core depends on it. A request is passed as it stands after the change.
 */
export interface CoreObserver {
  received(command: ReceivedCommand): void;
  refused(attempt: RefusedAttempt): void;
  /** A new request waits for approvals. */
  pending(request: RequestRecord): void;
  approvalCounted(request: RequestRecord, approverId: string): void;
  /** A request reached the final `status` (given apart: a record the store could not update still shows the one before). */
  requestFinished(request: RequestRecord, status: RequestStatus): void;
  /** Targets were looked up with a vendor's list call: `outcome` is `listed` or the vendor's failure kind. */
  listed(lookup: TargetLookup): void;
  /** A request runs at once without approval, under `--break-glass`. */
  brokeGlass(request: RequestRecord): void;
  /** An approver reviewed a break-glass use (`request.review`). */
  reviewed(request: RequestRecord): void;
}

/** A listing of an operation's targets (PRODUCT.md §9). */
export interface TargetLookup {
  operation: string;
  actorId: string;
  parentId: string;
  outcome: string;
  /** How many targets were found; absent when the lookup failed. */
  found?: number;
}
