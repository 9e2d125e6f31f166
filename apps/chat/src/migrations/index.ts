import { ClientEvents1764100001000 } from './1764100001000-client-events';
import { ChatRooms1764200000000 } from './1764200000000-chat-rooms';

/** The chat service's migrations, in order. */
export const CHAT_MIGRATIONS = [ClientEvents1764100001000, ChatRooms1764200000000];
