// Contract fragment of the iSCSI checks: Portico's own initiator (discover, inspect one target,
// survey many portals), from the workstation or through a host's SSH connection. Read-only.
import { call, type CallMap } from '../contract-kit';
import {
  IscsiDiscoverInputSchema,
  IscsiInspectInputSchema,
  IscsiSurveyInputSchema,
  type IscsiDiscoverResult,
  type IscsiInspectResult,
  type IscsiSurveyResult,
} from '../domain/iscsi';

export const iscsiCalls = {
  'iscsi.discover': call(IscsiDiscoverInputSchema, { audited: true }).returns<IscsiDiscoverResult>(),
  'iscsi.inspect': call(IscsiInspectInputSchema, { audited: true }).returns<IscsiInspectResult>(),
  'iscsi.survey': call(IscsiSurveyInputSchema, { audited: true }).returns<IscsiSurveyResult>(),
} satisfies CallMap;
