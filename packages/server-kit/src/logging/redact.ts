/**
 * Query names whose values never reach a log line, matched on the decoded, lower-cased name with
 * separators removed (so `refresh_token`, `X-Internal-Api-Key`, `%74oken` and `id_token` all match).
 * Deliberately broad: a harmless parameter redacted costs nothing, a leaked token costs an account.
 */
const SECRET_NAME = /token|key|secret|pass|auth|jwt|sig|cred|cookie|session_?secret|code/;

/** A compact JWS anywhere in a URL (a token sent without a name, or under a name we do not know). */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

function decodedName(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Whether a query parameter's name marks its value as a secret (an undecodable name counts as one). */
export function isSecretQueryName(raw: string): boolean {
  const name = decodedName(raw);
  if (name === undefined) return true;
  return SECRET_NAME.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/**
 * A URL as it may be logged: the value of every secret-named query parameter replaced with
 * `[REDACTED]` (both `&` and `;` separate parameters, as some servers accept), and anything shaped
 * like a JWT removed wherever it is.
 */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  if (q < 0) return url.replace(JWT_LIKE, '[REDACTED]');
  const query = url
    .slice(q + 1)
    .split(/([&;])/)
    .map((part) => {
      if (part === '&' || part === ';') return part;
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      return isSecretQueryName(part.slice(0, eq)) ? `${part.slice(0, eq)}=[REDACTED]` : part;
    })
    .join('');
  return `${url.slice(0, q)}?${query}`.replace(JWT_LIKE, '[REDACTED]');
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const SESSION_IN_PATH = new RegExp(`/(?:session|ws)/(${UUID})(?:[/?]|$)`);

/** The sessionId a request path names (`/api/session/{id}/…`, `/ws/{id}`), for log correlation. */
export function sessionIdFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return SESSION_IN_PATH.exec(url)?.[1];
}
