import { EventEmitter } from 'node:events';
import { waitFor, WaitTimeoutError, withDeadline } from '../../support/wait';

describe('waitFor', () => {
  test('resolves with the first ready value of the probe', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : undefined), { intervalMs: 1 });
    expect(value).toBe('ready after 3');
  });

  test('treats a throwing probe as not yet, and quotes its last error at the deadline', async () => {
    const failing = waitFor(
      () => {
        throw new Error('no card posted yet');
      },
      { timeoutMs: 50, description: 'the approval card' },
    );
    await expect(failing).rejects.toThrow(WaitTimeoutError);
    await expect(failing).rejects.toThrow(/Timed out after \d+ ms waiting for the approval card \(last check: no card posted yet\)/);
  });

  test('re-checks at once when a subscribed source says something changed', async () => {
    const events = new EventEmitter();
    let ready = false;
    const waiting = waitFor(() => ready, {
      intervalMs: 60_000, // the poll alone would never see it in time
      timeoutMs: 1_000,
      subscribe: (wake) => {
        events.on('change', wake);
        return () => events.off('change', wake);
      },
    });
    ready = true;
    events.emit('change');
    await expect(waiting).resolves.toBe(true);
    expect(events.listenerCount('change')).toBe(0);
  });
});

describe('withDeadline', () => {
  test('passes a value through in time, and names what was awaited when late', async () => {
    await expect(withDeadline(Promise.resolve(7), 100, 'seven')).resolves.toBe(7);
    await expect(withDeadline(new Promise(() => undefined), 20, 'an ack')).rejects.toThrow(
      'Timed out after 20 ms waiting for an ack',
    );
  });
});
