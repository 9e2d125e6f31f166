import { AppError } from '@squirret/contracts';

/** The sessions feature's errors; codes and statuses come from the contracts' error table. */
export const SessionErrors = {
  notFound: (id: string) => new AppError('SESSION_NOT_FOUND', `session ${id} was not found`),
  notInference: (id: string) => new AppError('SESSION_NOT_FOUND', `session ${id} is not an inference session`),
  upgradedToAnother: (id: string) =>
    new AppError('SESSION_ALREADY_UPGRADED', `session ${id} is already upgraded to another user`),
  finished: (id: string) => new AppError('SESSION_FINISHED', `session ${id} is already finished`),
  noCapacity: () => new AppError('NO_CAPACITY', 'no inference node has capacity; retry shortly'),
};
