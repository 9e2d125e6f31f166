// Real clip (the side view) on blazepose-lite: one rep and the verdicts its label implies (see clip-verdicts.ts).
import { CLIP_GROUPS, describeClipsOn } from './clip-verdicts';

describeClipsOn('blazepose-lite', CLIP_GROUPS.c);
