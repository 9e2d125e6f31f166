import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mapError } from './error-body';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
/** TypeORM's QueryFailedError shape (server-kit does not depend on TypeORM): the driver's error under `driverError`. */
class QueryFailedError extends Error {
  constructor(readonly query: string, readonly parameters: unknown[], readonly driverError: Error) {
    super(driverError.message);
    this.name = 'QueryFailedError';
  }
}

describe('dependency outages map to 503 DEPENDENCY_UNAVAILABLE with Retry-After (docs/robustness.md)', () => {
  const outages: [string, unknown][] = [
    ['ECONNREFUSED', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['AggregateError of refusals (::1 and 127.0.0.1)', Object.assign(new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')], ''), {})],
    ['57P01 admin_shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['57P03 starting up', withCode('the database system is starting up', '57P03')],
    ['08006 connection failure', withCode('connection failure', '08006')],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['QueryFailedError wrapping 57P01', new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01'))],
    ['ioredis max retries', Object.assign(new Error('Reached the max retries per request limit (which is 3). Refer to "maxRetriesPerRequest" option for details.'), { name: 'MaxRetriesPerRequestError' })],
    ['ioredis offline', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis closed', new Error('Connection is closed.')],
    ['cause chain', new Error('wrapped', { cause: withCode('x', 'ECONNRESET') })],
  ];
  for (const [name, err] of outages) {
    it(name, () => {
      const m = mapError(err, '/api/session');
      assert.equal(m.status, 503);
      assert.equal(m.body.code, 'DEPENDENCY_UNAVAILABLE');
      assert.equal(m.headers['Retry-After'], '1');
      assert.equal(m.unexpected, false);
    });
  }

  it('other database errors stay 500 without internals', () => {
    for (const err of [withCode('duplicate key value violates unique constraint', '23505'), new QueryFailedError('INSERT', ['secret@example.com'], withCode('syntax error', '42601')), new Error('boom')]) {
      const m = mapError(err, '/x');
      assert.equal(m.status, 500);
      assert.equal(m.body.code, 'INTERNAL_ERROR');
      assert.doesNotMatch(JSON.stringify(m.body), /secret|syntax|duplicate/);
    }
  });
});
