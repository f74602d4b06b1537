import { finishedStatuses, isFinished, requestStatuses, transitions } from '../../../src/model/request';

describe('request lifecycle', () => {
  test('the finished statuses are exactly those no transition leaves', () => {
    expect([...finishedStatuses].sort()).toEqual(
      ['cancelled', 'denied', 'expired', 'failed', 'outcome_unknown', 'partially_failed', 'succeeded'].sort(),
    );
    expect(requestStatuses.filter((status) => !isFinished(status))).toEqual(['pending', 'approved', 'executing']);
  });

  test('every status can be reached from pending', () => {
    const reached = new Set<string>(['pending']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const { from, to } of Object.values(transitions)) {
        if (!reached.has(to) && from.some((status) => reached.has(status))) {
          reached.add(to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...requestStatuses].sort());
  });

  test('execution can only start from approved, so an unapproved request can never run', () => {
    const intoExecuting = Object.values(transitions).filter(({ to }) => to === 'executing');
    expect(intoExecuting).toEqual([{ from: ['approved'], to: 'executing' }]);
  });
});
