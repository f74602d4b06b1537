import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  findRoute,
  jsonResponse,
  noContent,
  statusText,
  statusWords,
  type Route,
  type SimResponse,
  type VendorSimulation,
} from './http';
import { entityTypes, granteeTypes, type Grant } from './records';
import type { SimulatorState } from './state';

interface ErrorInfo {
  code?: string;
  message?: string;
  systemMessage?: string;
  details?: Record<string, string>;
}

/** Aitronos's `{success: false, error: {…}}`, each with a fresh trace ID. */
function aitronosError(status: number, info: ErrorInfo = {}): SimResponse {
  return jsonResponse(status, {
    success: false,
    error: {
      code: info.code ?? statusWords(status).join('_').toUpperCase(),
      message: info.message ?? 'Something went wrong. Please try again later.',
      system_message: info.systemMessage ?? statusText(status),
      type: status >= 500 ? 'server_error' : 'client_error',
      status,
      details: info.details ?? {},
      trace_id: randomUUID(),
      timestamp: new Date().toISOString(),
    },
  });
}

function notFound(systemMessage: string, details: Record<string, string>): SimResponse {
  return aitronosError(404, {
    code: 'RESOURCE_NOT_FOUND',
    message: "We couldn't find the resource you're looking for.",
    systemMessage,
    details,
  });
}

/** The documented query of the grants list: paging, and filters that must all match. */
const grantQuerySchema = z.object({
  skip: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  entity_type: z.enum(entityTypes).optional(),
  entity_id: z.string().min(1).optional(),
  grantee_type: z.enum(granteeTypes).optional(),
  grantee_id: z.string().min(1).optional(),
});

function listGrants(state: SimulatorState, organizationId: string, query: URLSearchParams): SimResponse {
  const parsed = grantQuerySchema.safeParse(Object.fromEntries(query));
  if (!parsed.success) {
    const details = Object.fromEntries(parsed.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
    return aitronosError(400, {
      code: 'INVALID_PARAMETER',
      message: 'Some of the information you sent is not valid.',
      systemMessage: `Invalid query parameter: ${Object.keys(details).join(', ')}`,
      details,
    });
  }
  const grants = state.grantsOf(organizationId);
  if (!grants) return notFound('Organization not found', { organization_id: organizationId });
  const { skip, limit, ...filters } = parsed.data;
  const matches = (grant: Grant) =>
    Object.entries(filters).every(([field, value]) => value === undefined || grant[field as keyof Grant] === value);
  const matching = grants.filter(matches);
  const items = matching.slice(skip, skip + limit).map((grant) => ({ ...grant, organization_id: organizationId }));
  return jsonResponse(200, { items, total: matching.length, skip, limit, has_more: skip + items.length < matching.length });
}

const routes: ReadonlyArray<Route<SimulatorState>> = [
  {
    method: 'GET',
    pattern: '/v1/organizations/:organization_id/access/grants',
    handle: ({ organization_id: organizationId }, state, query) => listGrants(state, organizationId, query),
  },
  {
    method: 'DELETE',
    pattern: '/v1/organizations/:organization_id/access/grants/:grant_id',
    handle: ({ organization_id: organizationId, grant_id: grantId }, state) => {
      switch (state.revokeGrant(organizationId, grantId)) {
        case 'removed':
          return noContent;
        case 'no_parent':
          return notFound('Organization not found', { organization_id: organizationId });
        case 'no_child':
          return notFound('Access grant not found', { grant_id: grantId });
      }
    },
  },
];

export function aitronosSimulation(state: SimulatorState): VendorSimulation {
  return {
    vendor: 'aitronos',
    roots: ['v1'],
    unauthenticated: () =>
      aitronosError(401, {
        code: 'UNAUTHORIZED',
        message: 'Your session is not valid. Please sign in again.',
        systemMessage: 'Missing or invalid bearer token',
      }),
    error: (status) => aitronosError(status),
    handle: (method, segments, query) => {
      const found = findRoute(routes, method, segments);
      if (!found) return notFound('Route not found', {});
      return found.route.handle(found.params, state, query);
    },
  };
}
