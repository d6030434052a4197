import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// An error's own `errors` that is not an array of errors (a validation error's map of fields,
// as ORMs and schema validators throw) is one of its own keys: pino writes it, and so must we.

function validationError(): Error {
  const error = new Error('validation failed');
  (error as Error & { errors: unknown }).errors = { email: { message: 'not an address', value: 'x@' } };
  return error;
}

describe('an error’s `errors` that is not an array, as pino', () => {
  it('is written under the error, logged first or under err', async () => {
    const error = validationError();
    const { calls, lines } = sideBySide();
    for (const log of calls) {
      log.error!(error);
      log.error!({ err: error }, 'save failed');
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect((mine[0]!.err as Record<string, unknown>).errors).toEqual({
      email: { message: 'not an address', value: 'x@' },
    });
  });

  it('redaction paths reach into it', async () => {
    const error = validationError();
    const { calls, lines } = sideBySide({ redact: ['err.errors.*.value'] });
    for (const log of calls) log.error!(error);
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect((mine[0]!.err as Record<string, unknown>).errors).toEqual({
      email: { message: 'not an address', value: '[Redacted]' },
    });
  });
});
