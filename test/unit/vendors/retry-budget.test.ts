import { RetryBudget } from '../../../src/vendors/retry-budget';

/** A budget of one retry per ten calls plus two, over ten seconds, on a clock the test moves. */
function budgetAt(start = 1_000_000) {
  const clock = { now: start };
  const budget = new RetryBudget({ share: 0.1, floor: 2, windowMs: 10_000, now: () => clock.now });
  return { clock, budget };
}

function takeAll(budget: RetryBudget): number {
  let taken = 0;
  while (budget.takeRetry()) taken += 1;
  return taken;
}

describe('RetryBudget', () => {
  test('with no traffic, the floor alone: a lone failing call is still retried', () => {
    const { budget } = budgetAt();
    budget.firstAttemptSent();
    expect(takeAll(budget)).toBe(2);
  });

  test('retries reach the floor plus the share of first attempts, and no more', () => {
    const { budget } = budgetAt();
    for (let i = 0; i < 100; i += 1) budget.firstAttemptSent();
    expect(takeAll(budget)).toBe(12);
    for (let i = 0; i < 10; i += 1) budget.firstAttemptSent();
    expect(takeAll(budget)).toBe(1);
  });

  test('counts leave the window as time passes: spent retries free up, old first attempts stop counting', () => {
    const { clock, budget } = budgetAt();
    for (let i = 0; i < 100; i += 1) budget.firstAttemptSent();
    expect(takeAll(budget)).toBe(12);
    clock.now += 5_000;
    expect(budget.takeRetry()).toBe(false);
    clock.now += 6_000;
    // The burst and its retries are older than the window: only the floor is left.
    expect(takeAll(budget)).toBe(2);
  });
});
