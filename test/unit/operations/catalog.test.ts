import { findOperation, type Operation } from '../../../src/operations/catalog';

const rotate = findOperation('rotate-credentials') as Operation;
const site = 'd290f1ee-6c54-4b01-90e6-d701748f0851';

describe('rotate-credentials reads its answer as data', () => {
  test('an ID and username that try to mention or link are escaped in the summary', () => {
    const success = rotate.interpret({
      status: 200,
      body: { id: '<!channel>', site_id: site, username: '`<https://evil.example|admin>', password: 'pw' },
    });
    expect(success.summary).toBe('rotated: new credential `&lt;!channel&gt;` for user `\'&lt;https://evil.example|admin&gt;`');
    expect(success.summary).not.toContain('pw');
  });
});
