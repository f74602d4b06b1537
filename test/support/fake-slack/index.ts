/**
 * The fake Slack used by tests and the benchmark (see server.ts). Exports what tests use,
 * so that `import … from './fake-slack'` needs no file name.
 */
export { blockKitLimits, blockKitProblems, homeViewProblems, optionsProblems, viewProblems } from './block-kit';
export {
  responseUrlMaxUses,
  type EnvelopeAck,
  type EnvelopeType,
  type FakeChannel,
  type FakeSlackOptions,
  type FakeUser,
  type JsonObject,
  type MessageRevision,
  type MessageSource,
  type MethodFailure,
  type RecordedCall,
  type RecordedEphemeral,
  type RecordedHome,
  type RecordedMessage,
  type RecordedResponse,
  type RecordedView,
  type ResponseUrlContext,
  type SendEnvelopeOptions,
  type TrafficEntry,
  type ViewChange,
} from './records';
export { FakeSlack } from './server';
export { triggerLifetimeMs } from './views';
