/**
 * How often a wait checks (`intervalMs` apart, 25 ms by default) and at most how many times (`attempts`, 600 by
 * default: 15 s of pauses, enough for a webhook's retries on a loaded CI machine and well inside the 30 s test timeout).
 */
export interface WaitOptions {
  attempts?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than `undefined` and returns that, checking every `intervalMs`, at
 * most `attempts` times; then throws "gave up waiting for <what>" (bounded well inside the test timeout, so a value
 * that never comes fails with that message instead of a timeout). The loop ends as soon as the value is there:
 * nothing is timed.
 */
export async function waitForValue<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  { attempts = 600, intervalMs = 25 }: WaitOptions = {},
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`gave up waiting for ${what} (${attempts} checks, ${intervalMs} ms apart)`);
}

/** Polls `done` until it holds, as {@link waitForValue} does (the same bound and message). */
export async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  await waitForValue(what, async () => ((await done()) ? true : undefined), options);
}
