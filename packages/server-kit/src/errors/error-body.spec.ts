import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { AppError } from '@squirret/contracts';
import { mapError, pathOf } from './error-body';

describe('mapError', () => {
  it('keeps an AppError code, message and headers', () => {
    const m = mapError(new AppError('RATE_LIMITED', 'slow down', { 'Retry-After': '3' }), '/x');
    assert.equal(m.status, 429);
    assert.deepEqual({ ...m.body, timestamp: 't' }, { timestamp: 't', status: 429, error: 'Too Many Requests', code: 'RATE_LIMITED', message: 'slow down', path: '/x' });
    assert.deepEqual(m.headers, { 'Retry-After': '3' });
    assert.match(m.body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('maps framework errors onto the table', () => {
    const cases: [unknown, number, string][] = [
      [new NotFoundException('Cannot GET /nope'), 404, 'ROUTE_NOT_FOUND'],
      [new HttpException("Body is not valid JSON but content-type is set to 'application/json'", 400), 400, 'MALFORMED_JSON'],
      [new BadRequestException('Unexpected token } in JSON at position 3'), 400, 'MALFORMED_JSON'],
      [new HttpException('Unsupported Media Type', 415), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [new HttpException('Request body is too large', 413), 413, 'PAYLOAD_TOO_LARGE'],
      [Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [err, status, code] of cases) {
      const m = mapError(err, '/p');
      assert.deepEqual([m.status, m.body.code, m.unexpected], [status, code, false], code);
    }
  });

  it('hides internals of unexpected errors behind a 500', () => {
    const m = mapError(new Error('password=hunter2 at db.ts:12'), '/p');
    assert.equal(m.status, 500);
    assert.equal(m.body.code, 'INTERNAL_ERROR');
    assert.equal(m.body.message, 'internal server error');
    assert.equal(m.unexpected, true);
  });

  it('strips the query string from the path', () => {
    assert.equal(pathOf('/ws/abc?token=secret'), '/ws/abc');
    assert.equal(pathOf(undefined), '/');
  });
});
