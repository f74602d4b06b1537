import type { IncomingMessage } from 'node:http';
import { faultSpecSchema } from './faults';
import {
  findRoute,
  jsonResponse,
  noContent,
  pathSegments,
  readBody,
  requestQuery,
  type Route,
  type SimResponse,
} from './http';
import type { Simulator } from './server';

/** Root of the routes that drive the simulator itself rather than a vendor. */
export const controlRoot = '__simulator';

interface Context {
  simulator: Simulator;
  req: IncomingMessage;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

async function addFault({ simulator, req }: Context): Promise<SimResponse> {
  const json = parseJson(await readBody(req));
  if (!json.ok) return jsonResponse(400, { error: 'the body is not JSON' });
  const spec = faultSpecSchema.safeParse(json.value);
  if (!spec.success) {
    const issues = spec.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    return jsonResponse(400, { error: 'not a valid fault', issues });
  }
  return jsonResponse(201, simulator.faults.add(spec.data));
}

const routes: ReadonlyArray<Route<Context>> = [
  {
    method: 'GET',
    pattern: '/__simulator/calls',
    handle: (_params, { simulator: { calls } }) =>
      jsonResponse(200, { inFlight: calls.inFlight, maxInFlight: calls.maxInFlight, calls: calls.list() }),
  },
  {
    method: 'DELETE',
    pattern: '/__simulator/calls',
    handle: (_params, { simulator }) => {
      simulator.calls.clear();
      return noContent;
    },
  },
  {
    method: 'GET',
    pattern: '/__simulator/faults',
    handle: (_params, { simulator }) => jsonResponse(200, { faults: simulator.faults.list() }),
  },
  { method: 'POST', pattern: '/__simulator/faults', handle: (_params, context) => addFault(context) },
  {
    method: 'DELETE',
    pattern: '/__simulator/faults',
    handle: (_params, { simulator }) => {
      simulator.faults.clear();
      return noContent;
    },
  },
  {
    method: 'DELETE',
    pattern: '/__simulator/faults/:id',
    handle: ({ id }, { simulator }) =>
      simulator.faults.remove(id) ? noContent : jsonResponse(404, { error: `no fault ${id}` }),
  },
  {
    method: 'GET',
    pattern: '/__simulator/state',
    handle: (_params, { simulator }) => jsonResponse(200, simulator.state.snapshot()),
  },
  {
    method: 'POST',
    pattern: '/__simulator/reset',
    handle: (_params, { simulator }) => {
      simulator.reset();
      return noContent;
    },
  },
];

/** Answers a request to one of the `/__simulator/…` routes. */
export async function handleControl(simulator: Simulator, req: IncomingMessage, path: string): Promise<SimResponse> {
  const found = findRoute(routes, req.method ?? 'GET', pathSegments(path));
  if (!found) return jsonResponse(404, { error: 'no such simulator route' });
  return found.route.handle(found.params, { simulator, req }, new URLSearchParams(requestQuery(req.url)));
}
