import { describe } from 'node:test';
import { busContract } from './bus.contract';
import { InMemoryBus } from './memory-bus';

const quiet = { warn: () => undefined };
describe('InMemoryBus', () => busContract(() => new InMemoryBus(quiet)));
