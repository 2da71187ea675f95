// Plan builders for tgt targets: validated wizard input + live server state -> Plan (steps of
// operations as data, `fresh` checks for apply time, `verify` checks for the read-back). The
// JobRunner journals and applies them; every operation's undo is computed by its kind.
export { planTargetCreate } from './plan-create';
export { planLunAdd, planAccessEdit } from './plan-existing';
export { planTargetDelete, backingFilesOf, type ConnectedInitiator } from './plan-delete';
export { planReconcile } from './plan-reconcile';
export { confPathFor, type AccessEditSpec, type LunAddSpec, type TargetDeleteSpec, type TgtServerContext } from './plan-common';
export { maskConf } from './conf';
