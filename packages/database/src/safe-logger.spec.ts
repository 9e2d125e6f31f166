import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SafeTypeOrmLogger, type DatabaseLogSink } from './safe-logger';

const capture = () => {
  const lines: string[] = [];
  const sink: DatabaseLogSink = {
    warn: (obj, msg) => lines.push(JSON.stringify({ msg, ...obj })),
    error: (obj, msg) => lines.push(JSON.stringify({ msg, ...obj })),
    info: (obj, msg) => lines.push(JSON.stringify({ msg, ...obj })),
  };
  return { lines, sink };
};

describe('SafeTypeOrmLogger (docs/robustness.md: no query parameters in the log)', () => {
  it('regression: a failed query is one line with its SQLSTATE and statement head, never its parameters', () => {
    const { lines, sink } = capture();
    const logger = new SafeTypeOrmLogger(sink);
    const err = Object.assign(new Error('invalid input syntax for type uuid: "user-42@example.com"'), { code: '22P02' });
    logger.logQueryError(err, 'INSERT INTO cp_sessions (user_id, email) VALUES ($1, $2)', ['user-42', 'user-42@example.com']);
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0]!, /user-42/);
    const line = JSON.parse(lines[0]!) as { msg: string; sqlState: string; sql: string };
    assert.equal(line.msg, 'query failed');
    assert.equal(line.sqlState, '22P02');
    assert.match(line.sql, /^INSERT INTO cp_sessions/);
  });

  it('logs no successful query and cuts long statements', () => {
    const { lines, sink } = capture();
    const logger = new SafeTypeOrmLogger(sink);
    logger.logQuery();
    logger.logQueryError(new Error('x'), `INSERT INTO fsr_samples VALUES ${'($1, $2), '.repeat(1000)}`, Array.from({ length: 2000 }, (_, i) => i));
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.length < 1_000, `${lines[0]!.length} characters`);
  });
});
