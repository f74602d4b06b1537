import { Limiter } from '../../../src/vendors/limiter';

/** A task that runs until `finish()` is called, recording when it started. */
function heldTask(name: string, started: string[]) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    finish: () => finish(),
    run: async () => {
      started.push(name);
      await done;
      return name;
    },
  };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  test('runs at most `limit` tasks at once, and the waiting ones in the order they came', async () => {
    const limiter = new Limiter(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((name) => heldTask(name, started));
    const results = tasks.map((task) => limiter.run(task.run));
    await settle();
    expect(started).toEqual(['a', 'b']);

    tasks[1].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);

    tasks[0].finish();
    tasks[2].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);

    tasks[3].finish();
    tasks[4].finish();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('a task that throws gives its turn to the next one', async () => {
    const limiter = new Limiter(1);
    const failing = limiter.run(async () => {
      throw new Error('vendor down');
    });
    const next = limiter.run(async () => 'ran');
    await expect(failing).rejects.toThrow('vendor down');
    await expect(next).resolves.toBe('ran');
  });
});
