/**
 * Runs `work` while renewing the lease a row is held by, every third of `leaseMs`: a slow
 * handler or sender (under load, or waiting on a channel's API) is not taken over by another
 * process as if this one had died. A failed renewal goes to `onRenewFailed` and the work goes on
 * (the next renewal may succeed; at worst the lease runs out and the row is taken up again).
 *
 * @example
 * await whileLeased(30_000, () => db.query('update outbox set lease_until = … where id = $1', [id]), () => sender.send(to, text));
 */
export async function whileLeased<T>(
  leaseMs: number,
  renew: () => Promise<unknown>,
  work: () => Promise<T>,
  onRenewFailed: (error: unknown) => void = () => undefined,
): Promise<T> {
  const timer = setInterval(() => void renew().catch(onRenewFailed), Math.max(50, leaseMs / 3));
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
