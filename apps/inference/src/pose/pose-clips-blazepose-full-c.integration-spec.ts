// Real clip (the side view) on blazepose-full: one rep and the verdicts its label implies (see clip-verdicts.ts).
import { CLIP_GROUPS, describeClipsOn } from './clip-verdicts';

describeClipsOn('blazepose-full', CLIP_GROUPS.c);
