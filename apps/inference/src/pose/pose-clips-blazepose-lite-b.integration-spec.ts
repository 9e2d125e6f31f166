// Real clip (olympic squat) on blazepose-lite: one rep and the verdicts its label implies (see clip-verdicts.ts).
import { CLIP_GROUPS, describeClipsOn } from './clip-verdicts';

describeClipsOn('blazepose-lite', CLIP_GROUPS.b);
