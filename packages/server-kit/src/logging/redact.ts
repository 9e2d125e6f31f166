/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /([?&](?:token|access_token|wsToken|ws_token|apiKey|api_key|key|password)=)[^&#]*/gi;

/** A URL as it may be logged: secret query values replaced with `[REDACTED]`. */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  return url.replace(SECRET_PARAMS, '$1[REDACTED]');
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const SESSION_IN_PATH = new RegExp(`/(?:session|ws)/(${UUID})(?:[/?]|$)`);

/** The sessionId a request path names (`/api/session/{id}/…`, `/ws/{id}`), for log correlation. */
export function sessionIdFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return SESSION_IN_PATH.exec(url)?.[1];
}
