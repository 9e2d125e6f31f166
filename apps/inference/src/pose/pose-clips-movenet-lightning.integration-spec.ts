// The four real clips on movenet-lightning: one rep each and the verdicts their labels imply (see clip-verdicts.ts).
import { describeClipsOn } from './clip-verdicts';

describeClipsOn('movenet-lightning');
