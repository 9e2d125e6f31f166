import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { internalKeyRefusal } from './internal-key.guard';

describe('internalKeyRefusal (the /internal rule, also used by the queue board)', () => {
  const key = 'internal-key-internal-key';
  it('open when no key is configured', () => {
    assert.equal(internalKeyRefusal(undefined, undefined), undefined);
  });
  it('401 without the header, 403 with a wrong key, nothing with the right one', () => {
    for (const given of [undefined, '', ['a', 'b']]) assert.deepEqual([internalKeyRefusal(key, given)?.code, internalKeyRefusal(key, given)?.status], ['UNAUTHORIZED', 401]);
    for (const given of ['wrong', `${key}x`, key.slice(1)]) assert.deepEqual([internalKeyRefusal(key, given)?.code, internalKeyRefusal(key, given)?.status], ['FORBIDDEN', 403]);
    assert.equal(internalKeyRefusal(key, key), undefined);
  });
});
