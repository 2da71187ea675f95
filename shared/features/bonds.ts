// Contract fragment of the Bonds feature: iSCSI bonds (multipath): data centers, logical networks, storage connections, bonds and the path matrix.
import { type CallMap } from '../contract-kit';

export const bondsCalls = {} satisfies CallMap;
