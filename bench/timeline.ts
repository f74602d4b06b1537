/** Matching what was sent with what the simulator and the fake Slack recorded, by target and channel. */
import type { Ack } from './drive';
import type { PlannedCommand } from './fixtures';
import type { Posted, VendorCallRecord } from './services-api';

/** The target a vendor call acts on: the last segment of its path. */
export function targetOf(call: VendorCallRecord): string {
  return decodeURIComponent(call.path.split('/').at(-1) ?? '');
}

/** The first time the simulator received a call for each target. */
export function firstCallAt(calls: readonly VendorCallRecord[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const call of calls) {
    const target = targetOf(call);
    first.set(target, Math.min(first.get(target) ?? Infinity, call.receivedAt));
  }
  return first;
}

export interface Timelines {
  /** Per command: from sending it to the simulator receiving its (first target's) first call. */
  toVendorMs: number[];
  /** Per command: from sending it to its result being posted in its channel. */
  toResultMs: number[];
}

export function timelines(
  commands: readonly PlannedCommand[],
  acks: readonly Ack[],
  calls: readonly VendorCallRecord[],
  results: readonly Posted[],
): Timelines {
  const callAt = firstCallAt(calls);
  const postedAt = new Map(results.map((message) => [message.channel, message.at]));
  const toVendorMs: number[] = [];
  const toResultMs: number[] = [];
  commands.forEach((command, index) => {
    const sentAt = acks[index]!.sentAt;
    const called = callAt.get(command.targets[0]!);
    const posted = postedAt.get(command.channel);
    if (called === undefined) throw new Error(`no vendor call was made for ${command.targets[0]}`);
    if (posted === undefined) throw new Error(`no result was posted in ${command.channel}`);
    toVendorMs.push(called - sentAt);
    toResultMs.push(posted - sentAt);
  });
  return { toVendorMs, toResultMs };
}
