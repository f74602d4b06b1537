/**
 * Modals, as Slack keeps them: `views.open` exchanges a trigger_id (issued with a command or a
 * click, good for 3 seconds and once) for a view the fake validates; `views.update` and the bot's
 * answers to a view submission (`response_action`) change it, or close it.
 */
import { randomBytes } from 'node:crypto';
import { homeViewProblems, optionsProblems, viewProblems, withSlackDefaults } from './block-kit';
import { isObject, type JsonObject, type RecordedHome, type RecordedView, type ViewChange } from './records';
import { BadRequest, optionalString, requiredString } from './wire';

/** How long Slack takes a trigger_id: views.open must come within 3 seconds of the interaction. */
export const triggerLifetimeMs = 3_000;

interface Trigger {
  issuedAt: number;
  /** Who acted; the view opens for them. */
  user?: string;
  used: boolean;
  expired: boolean;
}

export class ViewRegistry {
  private triggers = new Map<string, Trigger>();
  private store: RecordedView[] = [];
  private homeStore = new Map<string, RecordedHome>();

  constructor(private readonly ids: { teamId: string; appId: string; botId: string }) {}

  reset(): void {
    this.triggers.clear();
    this.store = [];
    this.homeStore.clear();
  }

  /** A trigger_id as Slack puts one in a command or interaction payload, for `user`. */
  issueTrigger(user?: string): string {
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { issuedAt: Date.now(), user, used: false, expired: false });
    return id;
  }

  expireTrigger(id: string): void {
    const trigger = this.triggers.get(id);
    if (!trigger) throw new Error(`FakeSlack: no trigger_id ${id} was issued`);
    trigger.expired = true;
  }

  views(): RecordedView[] {
    return structuredClone(this.store);
  }

  /** `views.open`: the trigger exchanged, once and in time, for a valid view. */
  open(params: JsonObject): JsonObject {
    const triggerId = requiredString(params.trigger_id, 'invalid_trigger_id');
    const trigger = this.triggers.get(triggerId);
    if (!trigger) throw new BadRequest('invalid_trigger_id');
    if (trigger.used) throw new BadRequest('exchanged_trigger_id');
    if (trigger.expired || Date.now() - trigger.issuedAt > triggerLifetimeMs) throw new BadRequest('expired_trigger_id');
    const view = checkedView(params.view);
    trigger.used = true;
    const recorded: RecordedView = {
      id: `V${randomBytes(5).toString('hex').toUpperCase()}`,
      user: trigger.user,
      triggerId,
      view,
      hash: newHash(),
      closed: false,
      history: [{ via: 'views.open', at: Date.now(), view: structuredClone(view) }],
    };
    this.store.push(recorded);
    return { ok: true, view: this.output(recorded) };
  }

  homes(): RecordedHome[] {
    return structuredClone([...this.homeStore.values()]);
  }

  /**
   * `views.publish`: a valid Home tab view replaces what `user_id` sees in the app's Home tab
   * (`user` says whether the workspace has such a user).
   */
  publish(params: JsonObject, knownUser: (id: string) => boolean): JsonObject {
    const user = requiredString(params.user_id, 'invalid_arguments');
    if (!knownUser(user)) throw new BadRequest('user_not_found');
    const problems = homeViewProblems(params.view);
    if (problems.length > 0) throw new BadRequest('invalid_arguments', problems);
    const view = withDefaults(params.view as JsonObject);
    const home = this.homeStore.get(user) ?? { id: `V${randomBytes(5).toString('hex').toUpperCase()}`, user, view, history: [] };
    home.view = view;
    home.history.push({ at: Date.now(), view: structuredClone(view) });
    this.homeStore.set(user, home);
    return { ok: true, view: { id: home.id, team_id: this.ids.teamId, app_id: this.ids.appId, bot_id: this.ids.botId, hash: newHash(), ...structuredClone(view) } };
  }

  /** `views.update`, by `view_id` or `external_id`; a stale `hash` is refused as Slack refuses it. */
  update(params: JsonObject): JsonObject {
    const viewId = optionalString(params.view_id);
    const externalId = optionalString(params.external_id);
    if (!viewId && !externalId) throw new BadRequest('invalid_arguments', ['either view_id or external_id is required']);
    const recorded = this.store.find((view) => (viewId ? view.id === viewId : view.view.external_id === externalId));
    if (!recorded || recorded.closed) throw new BadRequest('not_found');
    const hash = optionalString(params.hash);
    if (hash !== undefined && hash !== recorded.hash) throw new BadRequest('hash_conflict');
    this.change(recorded, { via: 'views.update', at: Date.now(), view: checkedView(params.view) });
    return { ok: true, view: this.output(recorded) };
  }

  /**
   * Applies the bot's answer to a view submission (the JSON body of its ack) as Slack would:
   * `update` replaces the view, `errors` shows each message under its input block, anything else
   * (`clear`, or an empty ack) closes it. An answer Slack would refuse throws, naming the problems.
   */
  answerSubmission(viewId: string, answer: unknown): RecordedView {
    const recorded = this.store.find((view) => view.id === viewId);
    if (!recorded) throw new Error(`FakeSlack: no view ${viewId} is open`);
    const at = Date.now();
    const action = isObject(answer) ? answer.response_action : undefined;
    if (action === 'update') {
      const problems = viewProblems(isObject(answer) ? answer.view : undefined);
      if (problems.length > 0) throw new Error(`Slack would refuse this response_action update:\n${problems.join('\n')}`);
      this.change(recorded, { via: 'response_action', at, view: withDefaults((answer as JsonObject).view as JsonObject) });
    } else if (action === 'errors') {
      const errors = isObject(answer) && isObject(answer.errors) ? answer.errors : {};
      const inputs = (recorded.view.blocks as JsonObject[]).filter((block) => block.type === 'input').map((block) => block.block_id);
      const unknown = Object.keys(errors).filter((blockId) => !inputs.includes(blockId));
      if (Object.keys(errors).length === 0 || unknown.length > 0) {
        throw new Error(`Slack would refuse these response_action errors: no input block ${unknown.join(', ') || '(none given)'}`);
      }
      recorded.errors = Object.fromEntries(Object.entries(errors).map(([blockId, text]) => [blockId, String(text)]));
    } else if (action === undefined || action === 'clear') {
      recorded.closed = true;
      recorded.history.push({ via: 'closed', at, view: structuredClone(recorded.view) });
    } else {
      throw new Error(`Slack would refuse response_action ${String(action)}`);
    }
    return structuredClone(recorded);
  }

  /** Throws when Slack would refuse the options a `block_suggestion` was answered with. */
  checkOptions(answer: unknown): void {
    const problems = optionsProblems(answer);
    if (problems.length > 0) throw new Error(`Slack would refuse these options:\n${problems.join('\n')}`);
  }

  /** The view object Slack answers with and puts in payloads. */
  output(recorded: RecordedView): JsonObject {
    return {
      id: recorded.id,
      team_id: this.ids.teamId,
      app_id: this.ids.appId,
      bot_id: this.ids.botId,
      type: 'modal',
      callback_id: '',
      private_metadata: '',
      external_id: '',
      state: { values: {} },
      hash: recorded.hash,
      clear_on_close: false,
      notify_on_close: false,
      root_view_id: recorded.id,
      previous_view_id: null,
      close: null,
      submit: null,
      ...structuredClone(recorded.view),
    };
  }

  private change(recorded: RecordedView, change: ViewChange): void {
    recorded.view = change.view;
    recorded.hash = newHash();
    delete recorded.errors;
    recorded.history.push(structuredClone(change));
  }
}

/** A view given to a method: JSON-decoded already, valid, stored with Slack's defaults. */
function checkedView(value: unknown): JsonObject {
  const problems = viewProblems(value);
  if (problems.length > 0) throw new BadRequest('invalid_arguments', problems);
  return withDefaults(value as JsonObject);
}

function withDefaults(view: JsonObject): JsonObject {
  return { ...structuredClone(view), blocks: withSlackDefaults(view.blocks as JsonObject[]) };
}

function newHash(): string {
  return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
}
