// Real clips (bending forward and no depth) on blazepose-full: one rep each and the verdicts their labels imply (see clip-verdicts.ts).
import { CLIP_GROUPS, describeClipsOn } from './clip-verdicts';

describeClipsOn('blazepose-full', CLIP_GROUPS.a);
