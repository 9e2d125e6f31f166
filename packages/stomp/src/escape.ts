// STOMP 1.2 header escaping: `\r`, `\n`, `\c` (colon) and `\\`; any other escape is a fatal error.

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\r': '\\r', '\n': '\\n', ':': '\\c' };
const UNESCAPES: Readonly<Record<string, string>> = { '\\': '\\', r: '\r', n: '\n', c: ':' };

/** Escapes a header name or value for the wire. */
export function escapeHeaderText(text: string): string {
  return text.replace(/[\\\r\n:]/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Undoes `escapeHeaderText`; undefined when the text holds an escape STOMP 1.2 does not define. */
export function unescapeHeaderText(text: string): string | undefined {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    const plain = next === undefined ? undefined : UNESCAPES[next];
    if (plain === undefined) return undefined;
    out += plain;
    i++;
  }
  return out;
}
