// Real clips (bending forward and no depth) on blazepose-lite: one rep each and the verdicts their labels imply (see clip-verdicts.ts).
import { CLIP_GROUPS, describeClipsOn } from './clip-verdicts';

describeClipsOn('blazepose-lite', CLIP_GROUPS.a);
