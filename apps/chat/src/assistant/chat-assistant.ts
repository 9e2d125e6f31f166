/** What the assistant sees of a couple's session (its counters are kept in PostgreSQL). */
export interface ConversationView {
  readonly sessionId: number;
  readonly topic: string;
  /** Member messages in the session so far. */
  readonly turns: number;
  /** Member messages since the assistant last asked whether to continue. */
  readonly turnsSinceCheck: number;
  /** The question "continue?" is waiting for an answer. */
  readonly awaitingResponse: boolean;
}

/** One line of a session's transcript, for the summary. */
export interface TranscriptLine {
  readonly speaker: 'A' | 'B' | 'AI' | 'system';
  readonly content: string;
}

/** Why the assistant asks whether to continue. */
export type AskReason = 'turns' | 'idle' | 'heated';

/** What the assistant wants to happen: speak as the AI participant, or ask the couple whether to continue. */
export type AssistantAction = { readonly kind: 'say'; readonly content: string } | { readonly kind: 'ask'; readonly reason: AskReason };

/**
 * The couple chat's AI participant. Pluggable (ChatDeps.assistant); the default is the rule-based
 * mediator. Methods may be async (a model-backed assistant), and their actions are applied with
 * conditional updates, so several instances never ask twice.
 */
export interface ChatAssistant {
  /** After a member's message was stored. */
  onMessage(view: ConversationView, message: { readonly speaker: 'A' | 'B'; readonly content: string }): AssistantAction[] | Promise<AssistantAction[]>;
  /** When nobody has written for the configured idle time. */
  onIdle(view: ConversationView): AssistantAction[] | Promise<AssistantAction[]>;
  /** After the couple answered "네" (continue). */
  onContinue(view: ConversationView): AssistantAction[] | Promise<AssistantAction[]>;
  /** The short summary sent when the couple answered "아니오" (end). */
  summarize(view: ConversationView, transcript: readonly TranscriptLine[]): string | Promise<string>;
}

/** The question the contract names, sent as a system message. */
export const CONTINUE_QUESTION = '대화를 계속하시겠습니까?';
