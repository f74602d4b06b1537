import { randomUUID } from 'node:crypto';
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

const routes: ReadonlyArray<Route<SimulatorState>> = [
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
    handle: (method, segments) => {
      const found = findRoute(routes, method, segments);
      if (!found) return notFound('Route not found', {});
      return found.route.handle(found.params, state);
    },
  };
}
