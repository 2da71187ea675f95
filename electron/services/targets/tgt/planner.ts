// Plan builders for tgt targets: validated wizard input + live server state -> Plan (steps of
// operations as data, `fresh` checks for apply time, `verify` checks for the read-back). The
// JobRunner journals and applies them; every operation's undo is computed by its kind.
export { planTargetCreate } from './plan-create';
export { planLunAdd, planAccessEdit } from './plan-existing';
export { planTargetDelete, backingFilesOf, type ConnectedInitiator } from './plan-delete';
export { planReconcile } from './plan-reconcile';
export { planLunResize, planLunRemove, planLunReadonly } from './plan-lun';
export { planChap, type ChapPlan } from './plan-chap';
export { planSessionClose } from './plan-session';
export { planRename } from './plan-rename';
export { planAdopt } from './plan-adopt';
export { planPortal } from './plan-portal';
export { planBulk } from './plan-bulk';
export { confPathFor, type AccessEditSpec, type LunAddSpec, type TargetDeleteSpec, type TgtServerContext } from './plan-common';
export { maskConf } from './conf';
