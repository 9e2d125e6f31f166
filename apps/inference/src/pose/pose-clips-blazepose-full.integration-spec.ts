// The four real clips on blazepose-full: one rep each and the verdicts their labels imply (see clip-verdicts.ts).
import { describeClipsOn } from './clip-verdicts';

describeClipsOn('blazepose-full');
