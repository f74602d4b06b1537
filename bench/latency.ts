/** twokey alone, one request at a time: a lone command, and a lone approval click. */
import { single } from './drive';
import { type Fixtures, users } from './fixtures';
import type { AppProcess } from './processes';
import { clickRequest } from './slack-requests';
import { median, type Summary, summarize } from './stats';
import { firstCallAt, timelines } from './timeline';

const waitMs = 30_000;

export interface SingleResults {
  sendToVendorMs: Summary;
  sendToResultMs: Summary;
}

/** One `/revoke-access` at a time, each started once the previous result is posted. */
export async function singles(fixtures: Fixtures, twokey: AppProcess): Promise<SingleResults> {
  const { services } = fixtures;
  const toVendor: number[] = [];
  const toResult: number[] = [];
  for (let i = 0; i < fixtures.options.singles; i += 1) {
    const commands = await fixtures.revokes(1);
    const ack = await single(twokey.origin, commands[0]!.request);
    const posted = await services.api.awaitMessages({ channels: [commands[0]!.channel], timeoutMs: waitMs });
    const { calls } = await services.api.vendorCalls();
    const times = timelines(commands, [ack], calls, posted);
    toVendor.push(...times.toVendorMs);
    toResult.push(...times.toResultMs);
    await services.api.clear();
  }
  return { sendToVendorMs: summarize(toVendor), sendToResultMs: summarize(toResult) };
}

export interface ApprovalResults {
  /** From sending the Approve click to the simulator receiving the vendor call. */
  clickToVendorMs: Summary;
  /**
   * The Slack Web API calls that reached the fake Slack between the click and the vendor call,
   * in order: when each arrived (median ms after the click) and in how many clicks.
   */
  slackCallsBeforeVendor: { call: string; atMs: number; clicks: number }[];
}

/**
 * A `/revoke-grant` that needs one approval posts its card; an approver clicks Approve (a
 * click built from the card the fake Slack recorded), and the clock runs to the vendor call.
 */
export async function approvalClicks(fixtures: Fixtures, twokey: AppProcess): Promise<ApprovalResults> {
  const { services } = fixtures;
  const requesterDm = await services.api.dmChannelFor(users.oncall);
  const toVendor: number[] = [];
  const slackCalls = new Map<string, number[]>();
  for (let i = 0; i < fixtures.options.singles; i += 1) {
    const command = await fixtures.grantRevoke();
    await single(twokey.origin, command.request);
    const [card] = await services.api.awaitMessages({ channels: [command.channel], withBlocks: true, timeoutMs: waitMs });
    const click = clickRequest(card!, 'twokey_approve', users.approver, fixtures.responseUrl(fixtures.next()));
    const ack = await single(twokey.origin, click);
    // The requester's direct message about the outcome is the last thing an approved request does.
    await services.api.awaitMessages({ channels: [requesterDm], timeoutMs: waitMs });
    const calledAt = firstCallAt((await services.api.vendorCalls()).calls).get(command.targets[0]!);
    if (calledAt === undefined) throw new Error(`no vendor call was made for ${command.targets[0]} after its approval`);
    toVendor.push(calledAt - ack.sentAt);
    const between = (await services.api.slackCalls()).filter((call) => call.at >= ack.sentAt && call.at <= calledAt);
    between.forEach((call, index) => {
      const key = `${index + 1}. ${call.method}`;
      slackCalls.set(key, [...(slackCalls.get(key) ?? []), call.at - ack.sentAt]);
    });
    await services.api.clear();
  }
  const steps = [...slackCalls].map(([call, offsets]) => ({ call, atMs: median(offsets), clicks: offsets.length }));
  return { clickToVendorMs: summarize(toVendor), slackCallsBeforeVendor: steps };
}
