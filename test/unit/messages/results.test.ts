import { findOperation, type Operation } from '../../../src/operations/catalog';
import { explainFailure, describeFailure } from '../../../src/messages/results';
import type { VendorFailure } from '../../../src/model/failure';
import { VendorError } from '../../../src/vendors/errors';

const op = (name: string) => findOperation(name) as Operation;

function vendorError(fields: Partial<VendorFailure>): VendorError {
  return new VendorError({ vendor: 'altostrat', kind: 'http', message: 'x', retryable: false, outcome: 'failed', ...fields });
}

describe('what a vendor failure means for on-call', () => {
  test.each([
    [{ status: 401 }, 'revoke-access', 'rejected twokey\'s API token: an admin must renew ALTOSTRAT_API_TOKEN. Nothing was changed.'],
    [{ status: 401, vendor: 'aitronos' as const }, 'revoke-grant', 'renew AITRONOS_API_TOKEN'],
    [{ status: 403 }, 'delete-peer', 'lacks a permission (this call needs `vpn:delete`)'],
    [{ status: 404 }, 'revoke-access', 'The site or the session does not exist — it may already be gone.'],
    [{ status: 404 }, 'rotate-credentials', 'The site does not exist'],
    [{ status: 404, vendor: 'aitronos' as const }, 'revoke-grant', 'The organization or the grant does not exist'],
    [{ status: 429, attempts: 4 }, 'revoke-access', 'rate-limiting twokey after 4 attempts; nothing was changed'],
    [{ status: 502, outcome: 'unknown' as const, attempts: 4 }, 'revoke-access', 'Altostrat failed after 4 attempts. The outcome is unknown; running the command again is safe.'],
    [{ status: 500, outcome: 'unknown' as const }, 'rotate-credentials', 'the site may have been changed. Check it before trying again.'],
    [{ kind: 'timeout' as const, outcome: 'unknown' as const }, 'rotate-credentials', 'did not answer in time. The outcome is unknown: the site may have been changed'],
    [{ kind: 'connection' as const, outcome: 'failed' as const }, 'revoke-access', 'could not reach Altostrat; nothing was changed'],
    [{ kind: 'connection' as const, outcome: 'unknown' as const }, 'revoke-access', 'broke after the call was sent'],
    [{ kind: 'invalid_response' as const, status: 200, outcome: 'unknown' as const }, 'rotate-credentials', 'answered 200 with a body twokey could not read'],
  ])('%j on %s', (fields, name, expected) => {
    const operation = op(name);
    const idempotent = operation.call('p', 't').idempotent;
    expect(explainFailure(vendorError(fields), operation, idempotent)).toContain(expected);
  });

  test('quotes the vendor: status, code, message, trace id and doc link, escaped', () => {
    const text = describeFailure(
      vendorError({ status: 404, code: 'resource_not_found', message: 'Site <b> & co', traceId: 'abc-123', docUrl: 'https://docs.altostrat.io/errors/x' }),
      op('revoke-access'),
      true,
    );
    expect(text).toContain('*404* `resource_not_found`: Site &lt;b&gt; &amp; co');
    expect(text).toContain('trace `abc-123`');
    expect(text).toContain('<https://docs.altostrat.io/errors/x|docs>');
  });

  test('a doc URL that is not http(s) is not linked', () => {
    const text = describeFailure(vendorError({ status: 404, docUrl: 'javascript:alert(1)' }), op('revoke-access'), true);
    expect(text).not.toContain('javascript');
  });
});
