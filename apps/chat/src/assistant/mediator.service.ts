import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { StoredMessage } from '@squirret/contracts';
import { CHAT_ASSISTANT, CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { MessageWriter } from '../conversations/message-writer';
import { MessagesRepository } from '../conversations/messages.repository';
import { RoomRelay } from '../conversations/room-relay.service';
import { coupleRoomIdOf, coupleRoomKey } from '../conversations/room-key';
import type { NewMessage, SessionTurns } from '../conversations/stored-message';
import { CoupleSessionsRepository, type CoupleSession } from '../rooms/couple-sessions.repository';
import { AI_SENDER_ID } from '../rooms/couple-wire';
import { RoomErrors } from '../rooms/rooms.errors';
import { CONTINUE_QUESTION, type AssistantAction, type ChatAssistant, type ConversationView, type TranscriptLine } from './chat-assistant';

const view = (s: CoupleSession): ConversationView => ({
  sessionId: s.id,
  topic: s.topic,
  turns: s.turns,
  turnsSinceCheck: s.turnsSinceCheck,
  awaitingResponse: s.awaitingResponse,
});

/**
 * Runs the couple chat's assistant: feeds it the session after each member message, on silence
 * (a sweep over the rooms this instance holds) and on answers, and carries out what it asks for.
 * "Ask" and "end" are conditional updates of the session row, so with several instances exactly
 * one of them asks or ends; everything the assistant says is stored like any other message.
 */
@Injectable()
export class MediatorService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('chat-mediator');
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    @Inject(CHAT_ASSISTANT) private readonly assistant: ChatAssistant,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    private readonly sessions: CoupleSessionsRepository,
    private readonly writer: MessageWriter,
    private readonly messages: MessagesRepository,
    private readonly relay: RoomRelay,
  ) {}

  onModuleInit(): void {
    if (!this.config.CHAT_MEDIATOR_ENABLED) return;
    this.timer = setInterval(() => void this.sweepIdle(), this.config.CHAT_MEDIATOR_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** After a member's message was stored and its turn counted. */
  async afterMessage(at: { roomId: number; sessionId: number; topic: string; speaker: 'A' | 'B' }, turns: SessionTurns, content: string): Promise<void> {
    const actions = await this.assistant.onMessage({ sessionId: at.sessionId, topic: at.topic, ...turns }, { speaker: at.speaker, content });
    if (actions.length === 0) return;
    const session = await this.sessions.find(at.sessionId);
    if (session && session.roomId === at.roomId && !session.endedAt) await this.apply(session, actions);
  }

  /** "네" or "아니오" to the pending question; returns the last message it stored (for the ack). */
  async answer(sessionId: number, answer: '네' | '아니오'): Promise<StoredMessage | undefined> {
    if (answer === '네') {
      const s = await this.sessions.continue(sessionId);
      if (!s) throw RoomErrors.noQuestion();
      return this.apply(s, await this.assistant.onContinue(view(s)));
    }
    const ended = await this.sessions.endDeclined(sessionId);
    if (!ended) throw RoomErrors.noQuestion();
    const roomKey = coupleRoomKey(ended.roomId);
    const transcript: TranscriptLine[] = (await this.messages.ofSession(roomKey, ended.id)).map((m) => ({
      speaker: m.kind === 'ai' ? 'AI' : m.kind === 'system' ? 'system' : m.speaker === 'B' ? 'B' : 'A',
      content: m.content,
    }));
    const summary = await this.assistant.summarize(view(ended), transcript);
    await this.sessions.setSummary(ended.id, summary);
    return this.store(ended, { kind: 'system', content: `대화를 마칠게요. ${summary}`, event: 'session_ended' });
  }

  private async apply(session: CoupleSession, actions: readonly AssistantAction[]): Promise<StoredMessage | undefined> {
    let last: StoredMessage | undefined;
    for (const a of actions) {
      if (a.kind === 'say') {
        last = await this.store(session, { kind: 'ai', content: a.content, event: null });
      } else if (await this.sessions.ask(session.id)) {
        last = await this.store(session, { kind: 'system', content: CONTINUE_QUESTION, event: 'question' });
        this.logger.log({ sessionId: session.id, reason: a.reason }, 'mediator asked whether to continue');
      }
    }
    return last;
  }

  private async store(session: CoupleSession, line: { kind: 'ai' | 'system'; content: string; event: string | null }): Promise<StoredMessage> {
    const message: NewMessage = {
      roomKey: coupleRoomKey(session.roomId),
      kind: line.kind,
      senderId: line.kind === 'ai' ? AI_SENDER_ID : null,
      senderName: null,
      speaker: line.kind === 'ai' ? 'AI' : null,
      content: line.content,
      sessionId: session.id,
      clientId: null,
      event: line.event,
    };
    const { message: stored } = await this.writer.append(message);
    this.relay.publish([stored]);
    return stored;
  }

  /** Asks idle sessions of the rooms this instance holds (another instance may win the ask: then nothing happens here). */
  async sweepIdle(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const roomIds = this.relay.fanout
        .localRooms()
        .map(coupleRoomIdOf)
        .filter((id): id is number => id !== undefined);
      for (const s of await this.sessions.idle(roomIds, this.config.CHAT_MEDIATOR_IDLE_SEC)) {
        await this.apply(s, await this.assistant.onIdle(view(s)));
      }
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'idle sweep failed');
    } finally {
      this.sweeping = false;
    }
  }
}
