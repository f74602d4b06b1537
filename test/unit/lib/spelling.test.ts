import { closest, editDistance } from '../../../src/lib/spelling';

describe('editDistance', () => {
  test.each([
    ['access', 'access', 0],
    ['acess', 'access', 1],
    ['hlep', 'help', 1],
    ['whoaim', 'whoami', 1],
    ['whoiam', 'whoami', 2],
    ['', 'audit', 5],
    ['cancel', 'pending', 6],
  ])('%s → %s: %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closest', () => {
  const commands = ['/revoke-access', '/rotate-credentials', '/delete-peer', '/revoke-grant', '/twokey'];

  test('a typo finds what it meant, whatever its case', () => {
    expect(closest('/revoke-acess', commands)).toBe('/revoke-access');
    expect(closest('/REVOKE-GRNAT', commands)).toBe('/revoke-grant');
    expect(closest('/twoky', commands)).toBe('/twokey');
  });

  test('the nearest of several wins', () => {
    expect(closest('/revoke-gran', commands)).toBe('/revoke-grant');
  });

  test('nothing close, nothing suggested: a short word is not "corrected" into another', () => {
    expect(closest('/revoke-everything', commands)).toBeUndefined();
    expect(closest('ls', ['as', 'help', 'quit'])).toBeUndefined();
    expect(closest('x', ['as'])).toBeUndefined();
  });
});
