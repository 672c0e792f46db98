import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { classifyFailure, InputError, safeMessage } from '../../functions/shared/failure.js';
import { parseDayKey } from '../../functions/shared/clock.js';
import { ERROR_CLASSES, ErrorCode, isErrorCode } from '../../schema/stream-protocol.js';
import { LedgerErrorCode } from '../../functions/shared/ledger/errors.js';

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('classifyFailure', () => {
  it('blames a dependency, not the caller, for a fetch that cannot connect', async () => {
    // Prepare
    const port = await closedPort();
    const failed = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(TypeError);

    // Act
    const failure = classifyFailure(failed);

    // Assess
    expect(failure).toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE, retryable: true });
    expect(failure.correlationId).toBeUndefined();
  });

  it('gives the caller a ValidationError for input the ledger cannot take', () => {
    // Prepare
    const thrown = (() => {
      try {
        parseDayKey('2025-02-30');
      } catch (error) {
        return error;
      }
    })();

    // Act
    const failure = classifyFailure(thrown);

    // Assess
    expect(thrown).toBeInstanceOf(InputError);
    expect(failure).toMatchObject({ code: ErrorCode.VALIDATION, retryable: false });
    expect(failure.message).toMatch(/calendar day/);
  });

  it.each([
    ['ThrottlingException', { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }, ErrorCode.THROTTLED],
    ['ProvisionedThroughputExceededException', { name: 'ProvisionedThroughputExceededException' }, ErrorCode.THROTTLED],
    ['an SDK request timeout', { name: 'TimeoutError', message: 'Connection timed out after 1000 ms' }, ErrorCode.TIMEOUT],
    ['a 503 from an AWS service', { name: 'UnknownError', $metadata: { httpStatusCode: 503 } }, ErrorCode.SERVICE_UNAVAILABLE],
    ['a reset socket', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), ErrorCode.SERVICE_UNAVAILABLE],
  ])('classifies %s as a retryable dependency failure', (_label, error, code) => {
    // Act
    const failure = classifyFailure(error);

    // Assess
    expect(failure.code).toBe(code);
    expect(failure.retryable).toBe(true);
    expect(ERROR_CLASSES[failure.code].blame).toBe('dependency');
  });

  it('calls a plain bug InternalFailure with a correlation id in its message, not the bug', () => {
    // Prepare
    const bug = new TypeError("Cannot read properties of undefined (reading 'sub')");

    // Act
    const failure = classifyFailure(bug, () => 'corr-123');

    // Assess
    expect(failure).toEqual({
      code: ErrorCode.INTERNAL,
      message: 'Internal failure; quote correlation id corr-123 when reporting it.',
      retryable: false,
      correlationId: 'corr-123',
    });
  });
});

describe('safeMessage', () => {
  it('keeps the first line and hides stack frames and file paths', () => {
    // Prepare
    const error = new Error("ENOENT: no such file or directory, open '/srv/sluice/functions/x.json'");

    // Act
    const shown = safeMessage(`${error.message}\n${error.stack}`);

    // Assess
    expect(shown).toBe("ENOENT: no such file or directory, open '[path]'");
    expect(shown).not.toMatch(/\bat \w|\/srv\//);
  });
});

describe('the error code table', () => {
  it('holds every ledger code, each with a blame and a retryability', () => {
    // Act
    const missing = Object.values(LedgerErrorCode).filter((code) => !isErrorCode(code));

    // Assess
    expect(missing).toEqual([]);
    for (const code of Object.values(ErrorCode)) expect(ERROR_CLASSES[code]).toBeDefined();
  });
});
