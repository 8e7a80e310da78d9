/**
 * The JSON columns of the collection tables, one codec per stored shape (platform/stored-json.ts). Types only, no
 * lengths: rows were validated when written.
 */
import { type Static, Type } from 'typebox';
import { storedJson } from '../../platform/stored-json.js';

const S = Type.String();
const N = Type.Number();
const nullable = Type.Union([S, Type.Null()]);

/** One printed line of a received invoice (as the parser reads it). */
export const ReceivedLineSchema = Type.Object({
  name: S,
  spec: nullable,
  unit: nullable,
  quantity: nullable,
  unitPrice: nullable,
  amount: nullable,
  taxRate: nullable,
  taxAmount: nullable,
});
export type ReceivedLine = Static<typeof ReceivedLineSchema>;

/** `received_invoices.lines_json`. */
export const receivedLinesJson = storedJson('received_invoices.lines_json', Type.Array(ReceivedLineSchema));

/** Passenger-ticket fields (51, 61). */
export const PassengerSchema = Type.Object({
  name: nullable,
  idNumber: nullable,
  travelDate: nullable,
  from: nullable,
  to: nullable,
  trip: nullable,
  seatClass: nullable,
  fare: nullable,
  tax: nullable,
});

export const WarningSchema = Type.Object({ code: S, message: S, field: Type.Optional(S) });

/** `received_invoices.extraction_json`: where each field came from and how sure the reading is. */
export const ExtractionSchema = Type.Object({
  /** pdf | ofd | xml | image | manual. */
  format: S,
  fieldSources: Type.Record(S, S),
  confidence: Type.Record(S, N),
  overallConfidence: N,
  warnings: Type.Array(WarningSchema),
  passenger: Type.Union([PassengerSchema, Type.Null()]),
  qrPayload: nullable,
});
export type Extraction = Static<typeof ExtractionSchema>;
export const extractionJson = storedJson('received_invoices.extraction_json', ExtractionSchema);

/** One compliance rule's outcome on an item. */
export const ComplianceFindingSchema = Type.Object({
  rule: S,
  level: Type.Union([Type.Literal('block'), Type.Literal('warn')]),
  outcome: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('skip')]),
  reason: S,
});
export type ComplianceFinding = Static<typeof ComplianceFindingSchema>;
export const complianceJson = storedJson('received_invoices.compliance_json', Type.Array(ComplianceFindingSchema));

/** `received_files.entries_json`: a ZIP's entries, each stored as its own file (or refused before that). */
export const ArchiveEntrySchema = Type.Object({
  name: S,
  fileId: nullable,
  error: Type.Union([Type.Object({ code: S, message: S }), Type.Null()]),
});
export type ArchiveEntry = Static<typeof ArchiveEntrySchema>;
export const archiveEntriesJson = storedJson('received_files.entries_json', Type.Array(ArchiveEntrySchema));
