/**
 * The fake Slack used by tests and the benchmark (see server.ts). Exports what tests use,
 * so that `import … from './fake-slack'` needs no file name.
 */
export { blockKitLimits, blockKitProblems } from './block-kit';
export {
  responseUrlMaxUses,
  type EnvelopeAck,
  type EnvelopeType,
  type FakeChannel,
  type FakeSlackOptions,
  type JsonObject,
  type MessageRevision,
  type MessageSource,
  type MethodFailure,
  type RecordedCall,
  type RecordedEphemeral,
  type RecordedMessage,
  type RecordedResponse,
  type ResponseUrlContext,
  type SendEnvelopeOptions,
  type TrafficEntry,
} from './records';
export { FakeSlack } from './server';
