import { expect } from 'vitest';

/** Runs fn (or awaits a promise), asserts it throws an instance of `ErrorClass`, and returns the error's code. */
export async function thrownCode(
  ErrorClass: abstract new (...args: never[]) => Error & { code: string },
  fn: Promise<unknown> | (() => unknown),
): Promise<string> {
  try {
    await (typeof fn === 'function' ? fn() : fn);
  } catch (e) {
    expect(e).toBeInstanceOf(ErrorClass);
    return (e as { code: string }).code;
  }
  throw new Error('expected an error, none was thrown');
}

/** Synchronous form of {@link thrownCode}. */
export function thrownCodeSync(
  ErrorClass: abstract new (...args: never[]) => Error & { code: string },
  fn: () => unknown,
): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ErrorClass);
    return (e as { code: string }).code;
  }
  throw new Error('expected an error, none was thrown');
}
