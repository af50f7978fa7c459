import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.ts';

const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedQueue', () => {
  it('runs one key’s tasks in order, even when an earlier one is slower', async () => {
    const queue = new KeyedQueue();
    const order: string[] = [];
    await Promise.all([
      queue.run('a', async () => {
        await later(30);
        order.push('a1');
      }),
      queue.run('a', async () => {
        order.push('a2');
      }),
    ]);
    expect(order).toEqual(['a1', 'a2']);
  });

  it('does not make another key wait', async () => {
    const queue = new KeyedQueue();
    const order: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const slow = queue.run('a', async () => {
      await blocked;
      order.push('a');
    });
    await queue.run('b', async () => {
      order.push('b');
    });
    release();
    await slow;
    expect(order).toEqual(['b', 'a']);
  });

  it('goes on after a failed task and forgets idle keys', async () => {
    const queue = new KeyedQueue();
    await expect(queue.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run('a', async () => 'next')).resolves.toBe('next');
    await later(0);
    expect(queue.busyKeys).toBe(0);
  });
});
