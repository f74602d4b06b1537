export {
  channelAllowed,
  decideApproval,
  decideRequest,
  describeUser,
  mayDeny,
  type ApprovalDecision,
  type ApprovalRef,
  type ApprovalRefusalReason,
  type ChannelRef,
  type DenyDecision,
  type DenyRefusalReason,
  type OperationAccess,
  type RequestDecision,
  type RequestRef,
  type RequestRefusalReason,
  type UserDescription,
} from './access';
export { loadPolicy, parsePolicy, PolicyError } from './load';
export {
  RoleResolver,
  type ResolvedRoles,
  type RoleResolverOptions,
  type UnresolvedUsergroup,
  type UsergroupMembersLookup,
} from './roles';
export {
  DEFAULT_EXPIRES_MS,
  MAX_APPROVALS,
  policySchema,
  revealPasswordModes,
  validatePolicy,
  type ActionRule,
  type Policy,
  type RevealPassword,
  type RoleDefinition,
} from './schema';
