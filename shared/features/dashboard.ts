// Contract fragment of the Dashboard feature: the dashboard (the storage estate at a glance, warnings computed in main) and the first-time setup assistant.
import { type CallMap } from '../contract-kit';

export const dashboardCalls = {} satisfies CallMap;
