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
import { listedSession, peerTypes } from './records';
import type { Removal, SimulatorState } from './state';

/** Every scope the simulated Altostrat checks; the default token holds them all. */
export const altostratScopes = ['vpn:read', 'vpn:delete'] as const;

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 401 || status === 403) return 'authentication_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

/** Altostrat's documented `{type, code, message, doc_url}`. */
function altostratError(
  status: number,
  code = statusWords(status).join('_'),
  message = `${statusText(status)}.`,
): SimResponse {
  return jsonResponse(status, {
    type: errorType(status),
    code,
    message,
    doc_url: `https://docs.altostrat.io/errors/${code}`,
  });
}

function notFound(message: string): SimResponse {
  return altostratError(404, 'resource_not_found', message);
}

function insufficientScope(scope: string): SimResponse {
  return altostratError(403, 'insufficient_scope', `The token lacks the ${scope} scope.`);
}

function isPeerType(type: string): type is (typeof peerTypes)[number] {
  return (peerTypes as readonly string[]).includes(type);
}

function removed(removal: Removal, missingParent: string, missingChild: string): SimResponse {
  if (removal === 'removed') return noContent;
  return notFound(removal === 'no_parent' ? missingParent : missingChild);
}

interface Context {
  state: SimulatorState;
  scopes: ReadonlySet<string>;
}

const routes: ReadonlyArray<Route<Context>> = [
  {
    method: 'GET',
    pattern: '/control-plane/:siteId/transient-accesses',
    handle: ({ siteId }, { state }) => {
      const sessions = state.sessionsOf(siteId);
      if (!sessions) return notFound(`The site ${siteId} does not exist.`);
      const now = Date.now();
      return jsonResponse(200, sessions.map((session) => listedSession(session, now)));
    },
  },
  {
    method: 'DELETE',
    pattern: '/control-plane/:siteId/transient-accesses/:accessId',
    handle: ({ siteId, accessId }, { state }) =>
      removed(
        state.revokeSession(siteId, accessId),
        `The site ${siteId} does not exist.`,
        `The transient access session ${accessId} does not exist on site ${siteId}.`,
      ),
  },
  {
    method: 'POST',
    pattern: '/control-plane/:siteId/credentials',
    handle: ({ siteId }, { state }) => {
      const credential = state.rotateCredential(siteId);
      return credential ? jsonResponse(200, credential) : notFound(`The site ${siteId} does not exist.`);
    },
  },
  {
    method: 'GET',
    pattern: '/vpn/instances/:instanceId/peers',
    handle: ({ instanceId }, { state, scopes }, query) => {
      if (!scopes.has('vpn:read')) return insufficientScope('vpn:read');
      const type = query.get('type');
      if (type !== null && !isPeerType(type)) {
        return altostratError(400, 'parameter_invalid', `The 'type' parameter must be one of ${peerTypes.join(', ')}.`);
      }
      const peers = state.peersOf(instanceId);
      if (!peers) return notFound(`The VPN instance ${instanceId} does not exist.`);
      return jsonResponse(200, type === null ? peers : peers.filter((peer) => peer.type === type));
    },
  },
  {
    method: 'DELETE',
    pattern: '/vpn/instances/:instanceId/peers/:peerId',
    handle: ({ instanceId, peerId }, { state, scopes }) => {
      if (!scopes.has('vpn:delete')) return insufficientScope('vpn:delete');
      return removed(
        state.deletePeer(instanceId, peerId),
        `The VPN instance ${instanceId} does not exist.`,
        `The peer ${peerId} does not exist on VPN instance ${instanceId}.`,
      );
    },
  },
];

export function altostratSimulation(state: SimulatorState, scopes: readonly string[]): VendorSimulation {
  const context: Context = { state, scopes: new Set(scopes) };
  return {
    vendor: 'altostrat',
    roots: ['control-plane', 'vpn'],
    // The bare shape Altostrat has been seen to answer a 401 with, not its documented envelope.
    unauthenticated: () => jsonResponse(401, { message: 'Unauthenticated.' }),
    error: (status) => altostratError(status),
    handle: (method, segments, query) => {
      const found = findRoute(routes, method, segments);
      if (!found) return altostratError(404, 'route_not_found', 'No such endpoint.');
      return found.route.handle(found.params, context, query);
    },
  };
}
