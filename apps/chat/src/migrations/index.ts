import { ClientEvents1764100001000 } from './1764100001000-client-events';

/** The chat service's migrations, in order. */
export const CHAT_MIGRATIONS = [ClientEvents1764100001000];
