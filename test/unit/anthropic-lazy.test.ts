/**
 * The API client is loaded on first use (`loadAnthropicClient`), and in the built extension/CLI it is a
 * separate bundle (dist/anthropic.js) with its own copy of `errors.ts`. These tests check the loader and
 * that `instanceof ApiError` holds for an error made by another copy of the module, as the store and the
 * CLI's exit codes rely on it.
 */
import { strict as assert } from 'node:assert';
import * as client from '../../src/core/anthropic/client';
import { ApiError } from '../../src/core/anthropic/errors';
import { loadAnthropicClient } from '../../src/core/anthropic/lazy';

type ErrorsModule = typeof import('../../src/core/anthropic/errors');

/** A second, independent instance of errors.ts, like the copy inside dist/anthropic.js. */
function secondCopyOfErrors(): ErrorsModule {
  const path = require.resolve('../../src/core/anthropic/errors');
  const original = require.cache[path];
  delete require.cache[path];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path) as ErrorsModule;
  } finally {
    if (original) require.cache[path] = original;
  }
}

describe('lazy API client', () => {
  it('loads the client module once and hands back the same module', () => {
    const first = loadAnthropicClient();
    assert.equal(first, loadAnthropicClient());
    assert.equal(first.createAnthropicClient, client.createAnthropicClient);
  });

  it('an ApiError from another copy of errors.ts is an ApiError here, with its kind and fields', () => {
    const other = secondCopyOfErrors();
    assert.notEqual(other.ApiError, ApiError, 'the test needs a distinct class');
    const e: unknown = new other.ApiError({ kind: 'auth', message: 'rejected', status: 401 });
    assert.ok(e instanceof ApiError);
    assert.equal(e.kind, 'auth');
    assert.equal(e.status, 401);
    assert.deepEqual(e.toJSON(), new ApiError({ kind: 'auth', message: 'rejected', status: 401 }).toJSON());
    assert.ok(new ApiError({ kind: 'network', message: 'x' }) instanceof other.ApiError);
  });

  it('other values are not ApiErrors', () => {
    assert.ok(!((new Error('plain') as unknown) instanceof ApiError));
    assert.ok(!(({ kind: 'auth', message: 'x', name: 'ApiError' } as unknown) instanceof ApiError));
    assert.ok(!((null as unknown) instanceof ApiError));
    assert.ok(!(('ApiError' as unknown) instanceof ApiError));
  });

  it('a subclass keeps ordinary instanceof semantics', () => {
    class Special extends ApiError {}
    assert.ok(new Special({ kind: 'server', message: 'x' }) instanceof Special);
    assert.ok(new Special({ kind: 'server', message: 'x' }) instanceof ApiError);
    assert.ok(!(new ApiError({ kind: 'server', message: 'x' }) instanceof Special));
  });
});
