/**
 * Polls `done` until it holds, every `intervalMs`, at most `attempts` times; then throws "gave up waiting for
 * <what>" (bounded well inside the test timeout, so a condition that never comes fails with that message instead of a
 * timeout). The loop ends as soon as the condition holds: nothing is timed.
 */
export async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  { attempts = 400, intervalMs = 25 }: { attempts?: number; intervalMs?: number } = {},
): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`gave up waiting for ${what} (${attempts} checks, ${intervalMs} ms apart)`);
}
