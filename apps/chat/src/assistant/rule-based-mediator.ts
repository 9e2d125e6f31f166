import type { AssistantAction, ChatAssistant, ConversationView, TranscriptLine } from './chat-assistant';

/** When the rule-based mediator steps in. */
export interface MediatorRules {
  /** Ask whether to continue after this many member messages since the last question. */
  readonly turns: number;
  /** Words that signal a heated exchange (matched as substrings, case-insensitive). */
  readonly heatedWords: readonly string[];
}

export const CALMING_LINE = '잠시 숨을 고르고, 서로의 말을 끝까지 들어 보는 건 어떨까요?';
export const CONTINUE_LINE = '좋아요, 대화를 이어가 볼게요. 서로의 이야기를 천천히 들어 주세요.';

/**
 * The default AI participant: pure rules, no model. It asks whether to continue every N member
 * messages, after a silence, and right away (after a calming line) when a message contains a
 * heated word; it never asks while a question is pending. Its summary counts who spoke how much.
 */
export class RuleBasedMediator implements ChatAssistant {
  private readonly words: readonly string[];

  constructor(private readonly rules: MediatorRules) {
    this.words = rules.heatedWords.map((w) => w.toLowerCase()).filter(Boolean);
  }

  isHeated(content: string): boolean {
    const text = content.toLowerCase();
    return this.words.some((w) => text.includes(w));
  }

  onMessage(view: ConversationView, message: { speaker: 'A' | 'B'; content: string }): AssistantAction[] {
    if (view.awaitingResponse) return [];
    if (this.isHeated(message.content)) return [{ kind: 'say', content: CALMING_LINE }, { kind: 'ask', reason: 'heated' }];
    if (view.turnsSinceCheck >= this.rules.turns) return [{ kind: 'ask', reason: 'turns' }];
    return [];
  }

  onIdle(view: ConversationView): AssistantAction[] {
    return view.awaitingResponse || view.turns === 0 ? [] : [{ kind: 'ask', reason: 'idle' }];
  }

  onContinue(): AssistantAction[] {
    return [{ kind: 'say', content: CONTINUE_LINE }];
  }

  summarize(view: ConversationView, transcript: readonly TranscriptLine[]): string {
    const by = { A: 0, B: 0 };
    let heated = 0;
    for (const line of transcript) {
      if (line.speaker !== 'A' && line.speaker !== 'B') continue;
      by[line.speaker]++;
      if (this.isHeated(line.content)) heated++;
    }
    const total = by.A + by.B;
    if (total === 0) return `주제 '${view.topic}'로 시작한 대화에 아직 메시지가 없었어요.`;
    const balance = Math.abs(by.A - by.B) <= Math.max(1, Math.round(total * 0.2)) ? '두 분이 비슷하게 이야기했어요' : by.A > by.B ? 'A님이 더 많이 이야기했어요' : 'B님이 더 많이 이야기했어요';
    const mood = heated === 0 ? '격한 표현 없이 대화했어요' : `격해진 표현이 ${heated}번 있었어요`;
    return `주제 '${view.topic}': 메시지 ${total}개 (A ${by.A}개, B ${by.B}개). ${balance}. ${mood}.`;
  }
}
