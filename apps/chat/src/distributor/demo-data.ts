import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { PT_ROOM_ID } from '@squirret/contracts';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { PtRepository } from './pt.repository';

/** The demo people of the all-in-one start; sign tokens for them with the configured secret (never one in code). */
export const DEMO_PEOPLE = {
  trainers: [
    { id: 'demo-trainer', name: '김코치' },
    { id: 'demo-trainer-2', name: '최코치' },
  ],
  members: [
    { id: 'demo-member-1', name: '이회원' },
    { id: 'demo-member-2', name: '박회원' },
    { id: 'demo-member-3', name: '정회원' },
  ],
  ptSessions: [
    { trainer: 'demo-trainer', member: 'demo-member-1' },
    { trainer: 'demo-trainer', member: 'demo-member-2' },
    { trainer: 'demo-trainer-2', member: 'demo-member-3' },
  ],
} as const;

/** Seeds the demo trainers, members and PT sessions at boot when CHAT_DEMO_DATA is on (idempotent). */
@Injectable()
export class DemoDataSeeder implements OnModuleInit {
  private readonly logger = new Logger('chat-demo');

  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    private readonly pts: PtRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.CHAT_DEMO_DATA) return;
    for (const t of DEMO_PEOPLE.trainers) await this.pts.upsertTrainer(t.id, t.name);
    for (const m of DEMO_PEOPLE.members) await this.pts.upsertMember(m.id, m.name);
    const rooms: string[] = [];
    for (const s of DEMO_PEOPLE.ptSessions) {
      const pt = (await this.pts.between(s.trainer, s.member)) ?? (await this.pts.createSession(s.trainer, s.member));
      rooms.push(`${PT_ROOM_ID.format(pt.id)} (${s.trainer} ↔ ${s.member})`);
    }
    this.logger.log({ rooms }, 'demo chat data ready');
  }
}
