import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { escapeHeaderText, unescapeHeaderText } from './escape';

describe('escapeHeaderText', () => {
  const table: [string, string][] = [
    ['plain', 'plain'],
    ['a:b', 'a\\cb'],
    ['line1\nline2', 'line1\\nline2'],
    ['cr\rhere', 'cr\\rhere'],
    ['back\\slash', 'back\\\\slash'],
    ['\\n', '\\\\n'],
    [':\r\n\\', '\\c\\r\\n\\\\'],
    ['안녕:하세요', '안녕\\c하세요'],
    ['', ''],
  ];
  for (const [plain, escaped] of table) {
    it(`escapes ${JSON.stringify(plain)} as ${JSON.stringify(escaped)} and back`, () => {
      assert.equal(escapeHeaderText(plain), escaped);
      assert.equal(unescapeHeaderText(escaped), plain);
    });
  }

  it('round-trips every combination of the special characters', () => {
    const alphabet = ['\\', '\r', '\n', ':', 'c', 'n', 'r', 'x'];
    for (const a of alphabet) for (const b of alphabet) for (const c of alphabet) {
      const text = a + b + c;
      assert.equal(unescapeHeaderText(escapeHeaderText(text)), text);
    }
  });
});

describe('unescapeHeaderText', () => {
  for (const bad of ['\\t', 'a\\', '\\C', '\\N', '\\0', 'x\\ y', '\\\\\\']) {
    it(`refuses the undefined escape in ${JSON.stringify(bad)}`, () => {
      assert.equal(unescapeHeaderText(bad), undefined);
    });
  }

  it('leaves text without backslashes untouched', () => {
    assert.equal(unescapeHeaderText('application/json;charset=UTF-8'), 'application/json;charset=UTF-8');
  });
});
