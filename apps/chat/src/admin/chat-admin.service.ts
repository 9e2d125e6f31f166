import { Injectable } from '@nestjs/common';
import { AppError } from '@squirret/contracts';
import { PtRepository, type PtSession } from '../distributor/pt.repository';

/** The distributor chat's people and PT sessions, as the internal admin endpoints manage them. */
@Injectable()
export class ChatAdminService {
  constructor(private readonly pts: PtRepository) {}

  async upsertTrainer(id: string, name: string): Promise<void> {
    await this.pts.upsertTrainer(id, name);
  }

  async upsertMember(id: string, name: string): Promise<void> {
    await this.pts.upsertMember(id, name);
  }

  /** A PT session between two known people, else TRAINER_NOT_FOUND / MEMBER_NOT_FOUND. */
  async createPtSession(trainerId: string, memberId: string): Promise<PtSession> {
    if (!(await this.pts.trainerExists(trainerId))) throw new AppError('TRAINER_NOT_FOUND', `trainer ${trainerId} was not found`);
    if (!(await this.pts.memberExists(memberId))) throw new AppError('MEMBER_NOT_FOUND', `member ${memberId} was not found`);
    return this.pts.createSession(trainerId, memberId);
  }

  ptSessionsOf(trainerId: string): Promise<PtSession[]> {
    return this.pts.ofTrainer(trainerId);
  }
}
