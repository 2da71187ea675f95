// Contract fragment of the Bonds feature: iSCSI bonds (multipath): data centers, logical networks,
// each host's NIC per network, storage connections, bonds, their apply plans and the path matrix.
// Inputs and views live in ../domain/bond. Removals that cascade answer what they would take
// unless called with confirm: true.
import { z } from 'zod';
import { call, Id, type CallMap } from '../contract-kit';
import type { PlanView } from '../plan';
import {
  BondInputSchema,
  CandidateSourceSchema,
  ConnectionInputSchema,
  DataCenterInputSchema,
  HostInterfaceInputSchema,
  MatrixInputSchema,
  NetworkInputSchema,
  PlacementInputSchema,
  RemoveInputSchema,
  type BondExport,
  type BondPreview,
  type BondsOverview,
  type BondView,
  type CandidateConnection,
  type ConnectionView,
  type DataCenterView,
  type HostInterfaceView,
  type MatrixView,
  type NetworkView,
  type PlacementResult,
  type RemoveResult,
} from '../domain/bond';

const byDc = z.object({ dcId: Id }).strict();
const byBond = z.object({ bondId: Id }).strict();

export const bondsCalls = {
  /** Everything the Bonds pages show, in one read. */
  'bonds.overview': call(z.object({}).strict()).returns<BondsOverview>(),

  'bonds.dcSave': call(DataCenterInputSchema, { mutates: true }).returns<DataCenterView>(),
  /** Deletes the data center's bonds, networks and connections too (effects listed first). */
  'bonds.dcRemove': call(RemoveInputSchema, { mutates: true }).returns<RemoveResult>(),

  'bonds.networkSave': call(NetworkInputSchema, { mutates: true }).returns<NetworkView>(),
  /** Takes the network out of its bonds; a bond left with no network is deleted. */
  'bonds.networkRemove': call(RemoveInputSchema, { mutates: true }).returns<RemoveResult>(),

  /** Sets (or clears, nic null) the NIC carrying a network on a host: an admin edit a probe keeps. */
  'bonds.interfaceSet': call(HostInterfaceInputSchema, { mutates: true }).returns<HostInterfaceView>(),
  /** Probes the data center's hosts and fills each network's NIC from their addresses (manual entries kept). */
  'bonds.interfacesDiscover': call(byDc, { mutates: true }).returns<HostInterfaceView[]>(),

  /** Targets offered by a managed storage server or found by discovery, to add as connections. */
  'bonds.connectionCandidates': call(z.object({ dcId: Id, source: CandidateSourceSchema }).strict(), { audited: true }).returns<CandidateConnection[]>(),
  'bonds.connectionSave': call(ConnectionInputSchema, { mutates: true }).returns<ConnectionView>(),
  /** Takes the connection out of its bonds; a bond left with no connection keeps existing (seed: connections optional). */
  'bonds.connectionRemove': call(RemoveInputSchema, { mutates: true }).returns<RemoveResult>(),

  /** Per-host NIC per network for the chosen networks; hosts missing one, with what to do. */
  'bonds.placement': call(PlacementInputSchema).returns<PlacementResult>(),
  /** Rule check + the per-host connection list exactly as an apply would send it (before saving). */
  'bonds.preview': call(BondInputSchema).returns<BondPreview>(),
  /** Saves Portico's record of the bond (refused with field-named problems); apply with bonds.planApply. */
  'bonds.save': call(BondInputSchema, { mutates: true }).returns<BondView>(),
  /** Deletes the record. Refused while paths are applied: plan removing them first (planApply remove). */
  'bonds.remove': call(RemoveInputSchema, { mutates: true }).returns<RemoveResult>(),

  /** The plan that brings every host of the data center to the bond (the difference to what was applied); remove: log every path out. */
  'bonds.planApply': call(z.object({ bondId: Id, remove: z.boolean().default(false) }).strict()).returns<PlanView>(),
  /** The path matrix: hosts x (network, target); refresh: check now (joins a running check). Poll it with refresh every N s: refreshes never pile up. */
  'bonds.matrix': call(MatrixInputSchema, { audited: true }).returns<MatrixView>(),
  /** The seed's REST body of POST /api/datacenters/{id}/iscsibonds. */
  'bonds.export': call(byBond).returns<BondExport>(),
} satisfies CallMap;
