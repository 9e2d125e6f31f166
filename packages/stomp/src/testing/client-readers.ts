// How each real client reads one server WebSocket message, reduced to what routing needs. Used to
// prove the session's output works with them unchanged.

/** A frame as a client sees it. */
export interface ClientView {
  readonly command: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * StompClientLib: split on "\n", drop one leading empty line, command, then `name:rest` headers up
 * to the first empty line, then body lines concatenated without separators, NULs stripped. One
 * frame per message; no unescaping; a later repeated header overwrites an earlier one.
 */
export function readLikeStompClientLib(message: Buffer | string): ClientView {
  const lines = message.toString().split('\n');
  if (lines[0] === '') lines.shift();
  const command = lines.shift() ?? '';
  const headers: Record<string, string> = {};
  let body = '';
  let inBody = false;
  for (const line of lines) {
    if (inBody) body += line;
    else if (line === '') inBody = true;
    else {
      const [key = '', ...rest] = line.split(':');
      headers[key] = rest.join(':');
    }
  }
  if (body.endsWith('\0')) body = body.replaceAll('\0', '');
  return { command, headers, body };
}

/** stompjs 7 for one frame: headers trimmed, first repeat wins, unescaped except CONNECT/CONNECTED. */
export function readLikeStompJs(message: Buffer | string): ClientView {
  const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message);
  const headEnd = bytes.indexOf('\n\n');
  const lines = bytes.subarray(0, headEnd).toString().split('\n');
  const command = lines.shift() ?? '';
  const headers: Record<string, string> = {};
  for (const line of lines.reverse()) {
    const idx = line.indexOf(':');
    const value = line.slice(idx + 1).trim();
    headers[line.slice(0, idx).trim()] =
      command === 'CONNECT' || command === 'CONNECTED'
        ? value
        : value.replace(/\\r/g, '\r').replace(/\\n/g, '\n').replace(/\\c/g, ':').replace(/\\\\/g, '\\');
  }
  const rest = bytes.subarray(headEnd + 2);
  const length = headers['content-length'];
  const body = length === undefined ? rest.subarray(0, rest.indexOf(0)) : rest.subarray(0, Number(length));
  return { command, headers, body: body.toString() };
}
