// Contract fragment of the Datastores feature: OpenNebula iSCSI datastores: front-ends, datastores, images mapped to LUNs, libvirt CHAP secrets.
import { type CallMap } from '../contract-kit';

export const datastoresCalls = {} satisfies CallMap;
