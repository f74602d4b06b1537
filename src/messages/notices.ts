import type { Message } from '../model/message';
import type { Messenger } from '../model/ports';
import type { RequestRecord } from '../model/request';
import { operationOf } from '../operations/catalog';
import { code, link } from './format';

/** A direct message telling a requester what became of their request, linking to its card. */
export function noticeMessage(request: RequestRecord, what: string, messenger: Messenger): Message {
  const operation = operationOf(request);
  const url = request.card ? messenger.permalink(request.card) : undefined;
  const where = url ? link(url, 'the card') : `<#${request.channelId}>`;
  const text = `Your request ${code(request.id)} (${operation.command}, ${request.targetIds.length} ${operation.target.noun}${request.targetIds.length === 1 ? '' : 's'}) ${what}. See ${where}.`;
  return { summary: text, tone: 'info', body: [text] };
}
