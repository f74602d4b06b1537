export { createSimulator, defaultSimulatorTokens, type Simulator, type SimulatorOptions } from './server';
export { demoSeed, describeSeed, emptySeed, type SimulatorSeed } from './seed';
export { SimulatorState, type ApiCredential, type Removal } from './state';
export {
  idOf,
  type Grant,
  type GrantSeed,
  type Peer,
  type PeerSeed,
  type Seeded,
  type Session,
  type SessionSeed,
} from './records';
export { FaultSet, faultSpecSchema, type Fault, type FaultAction, type FaultSpec } from './faults';
export { CallLog, type Authorization, type CallEnd, type CallRecord } from './calls';
export type { CallFilter, CallKey } from './filter';
export { altostratScopes } from './altostrat';
export { simulatedVendors, type SimulatedVendor } from './contract';
