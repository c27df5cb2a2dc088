/**
 * Table shapes as Kysely sees them. Both dialects store times as RFC 3339 UTC text with
 * milliseconds (fixed width, so text order is time order), JSON as text and booleans as 0/1,
 * so one query path serves SQLite and PostgreSQL and reads back identical values.
 */
import type { Generated } from 'kysely';

export interface ParticipantTable {
  code: string;
  name: string;
  kind: string;
  roles: string;
}

export interface SectorTable {
  id: string;
  name: string;
  geometry: string;
  created_at: string;
}

export interface ZoneTable {
  id: string;
  kind: string;
  name: string;
  weapon_classes: string;
  distance_km: number | null;
  geometry: string;
  created_at: string;
  updated_at: string;
}

export interface ReportTable {
  id: string;
  client_instance_id: string;
  body_hash: string;
  received_at: string;
  source_kind: string;
  source_id: string;
  participant: string;
  observed_from: string;
  observed_to: string;
  time_precision: string;
  observer_lon: number;
  observer_lat: number;
  observer_accuracy_m: number;
  event_lon: number | null;
  event_lat: number | null;
  bearing_deg: number | null;
  distance_min_km: number | null;
  distance_max_km: number | null;
  geo_precision: string;
  type: string;
  weapon_class: string;
  count: number;
  count_approximate: number;
  means: string;
  claimed_attribution: string | null;
  casualties: string | null;
  notes: string | null;
  lang: string | null;
  supersedes: string | null;
  /** The enrolled device whose key verified `signature` (base64 Ed25519); both null when unsigned. */
  device_id: string | null;
  signature: string | null;
  est_lon: number;
  est_lat: number;
  est_uncertainty_m: number;
  est_method: string;
  oblast: string | null;
  sector_id: string | null;
  contact_line_km: number | null;
  in_buffer_zone: number;
  zone_ids: string;
  withdrawal_violation: string | null;
  incident_id: string | null;
  link_score: number | null;
  link_reason: string | null;
  /** Confidentiality label (see access/labels.ts). */
  label_level: number;
  label_releasable: string;
}

export interface IncidentTable {
  id: string;
  status: string;
  primary_type: string;
  types: string;
  weapon_classes: string;
  first_observed: string;
  last_observed: string;
  lon: number;
  lat: number;
  uncertainty_m: number;
  oblast: string | null;
  sector_id: string | null;
  report_count: number;
  source_count: number;
  counts: string;
  weapon_violation: number;
  long_span: number;
  /** The grid cell of lon/lat (monitoring/geo/cells.ts), for finding incidents near a place. */
  cell: number;
  locked: number;
  attribution_party: string | null;
  attribution_confidence: string | null;
  attribution_basis: string | null;
  attribution_notes: string | null;
  merged_into: string | null;
  created_at: string;
  updated_at: string;
  /** Bumped by every update (see bumpRevision): tells a cached publication its incidents changed. */
  revision: number;
  /** Confidentiality label (see access/labels.ts): the high-water mark of its reports' labels. */
  label_level: number;
  label_releasable: string;
}

export interface IncidentEventTable {
  id: string;
  incident_id: string;
  at: string;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  details: string | null;
}

export interface LedgerLeafTable {
  idx: Generated<number>;
  kind: string;
  record_id: string;
  leaf_hash: string;
  /** SHA-256(salt || canonical content), hex: public, reveals nothing without the salt. */
  commitment: string;
  /** Released only to readers allowed to see the record. */
  salt: string;
  at: string;
}

/** A C2SP tile of the ledger's Merkle tree: `width` hashes of tree level 8·level, base64. */
export interface LedgerTileTable {
  level: number;
  idx: number;
  width: number;
  hashes: string;
  /** Tree levels 8·level+1 .. 8·level+7 inside the tile, base64, so proofs need no hashing. */
  interior: string;
}

export interface LedgerCheckpointTable {
  size: number;
  /** base64 */
  root: string;
  /** The signed note, as served at /ledger/checkpoint. */
  note: string;
  created_at: string;
}

/** A witness's cosignature line (C2SP tlog-cosignature) on the checkpoint of `size`. */
export interface LedgerCosignatureTable {
  size: number;
  /** The witness's key name and ID, `<name>+<key ID hex>` as its vkey begins. */
  witness: string;
  line: string;
  cosigned_at: string;
}

/** A checkpoint a quorum of witnesses cosigned; `note` carries their cosignature lines. */
export interface LedgerWitnessedTable {
  size: number;
  note: string;
  cosigners: number;
  witnessed_at: string;
}

/** Small settings the deployment keeps about itself, e.g. whether the demonstration scenario is loaded. */
export interface MetaTable {
  key: string;
  value: string;
}

/** An evidence file attached to a report; the original is on disk under its SHA-256, never modified. */
export interface EvidenceItemTable {
  id: string;
  report_id: string;
  /** hex */
  sha256: string;
  size: number;
  /** Checked from the content, not the name or the declared type. */
  media_type: string;
  original_name: string | null;
  /** JSON: capture time, place and device from EXIF/XMP, as the file claims them. */
  capture: string;
  /** JSON: the C2PA content credentials check. */
  c2pa: string;
  created_at: string;
  uploaded_by: string;
}

/** One event in an evidence item's chain of custody: collected, received, viewed, exported, copied, derived. */
export interface EvidenceCustodyTable {
  id: string;
  evidence_id: string;
  event: string;
  actor: string;
  at: string;
  /** JSON or null */
  details: string | null;
}

/** A copy made from an evidence item (a thumbnail), stored apart from the original. */
export interface EvidenceDerivedTable {
  id: string;
  evidence_id: string;
  purpose: string;
  method: string;
  sha256: string;
  size: number;
  media_type: string;
  created_at: string;
}

/** A monitor's device or a sensor, enrolled with its Ed25519 public key (raw 32 bytes, base64). */
export interface DeviceTable {
  id: string;
  source_kind: string;
  source_id: string;
  participant: string;
  name: string;
  public_key: string;
  enrolled_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

/** A person's account. Booleans are 0/1; `roles` is a JSON array of role names (access/roles.ts). */
export interface AccountTable {
  id: string;
  participant: string;
  username: string;
  /** The username in lower case; unique. */
  username_key: string;
  display_name: string;
  /** argon2id, PHC string. */
  password_hash: string;
  roles: string;
  /** base32; null until enrolment starts. */
  totp_secret: string | null;
  totp_enabled: number;
  totp_last_step: number | null;
  disabled: number;
  failed_attempts: number;
  last_failure_at: string | null;
  locked_until: string | null;
  /** 1 for the demonstration's accounts. */
  demo: number;
  /** The highest classification the account may read: PUBLIC, RESTRICTED, CONFIDENTIAL or SECRET. */
  clearance: string;
  created_at: string;
  updated_at: string;
}

/** A signed-in session; `id` is the SHA-256 of the token, never the token. */
export interface SessionTable {
  id: string;
  account_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  /** SHA-256 of the session's CSRF token, hex. */
  csrf_hash: string;
  address: string | null;
  user_agent: string | null;
}

/** An API token of a person (`account_id`) or a machine (`machine`); stored as its SHA-256. */
export interface ApiTokenTable {
  id: string;
  token_hash: string;
  account_id: string | null;
  machine: string | null;
  participant: string;
  /** JSON array of actions. */
  scopes: string;
  name: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** Failed sign-ins from one address (an IPv6 one cut to its /64). */
export interface SignInThrottleTable {
  address: string;
  failures: number;
  last_failure_at: string;
  locked_until: string | null;
}

/** A sign-in, failure or account change; each has its `access` ledger leaf committing to it. */
export interface AccessEventTable {
  id: string;
  at: string;
  event: string;
  account_id: string | null;
  participant: string | null;
  actor: string;
  address: string | null;
  /** JSON object, free of secrets and control characters. */
  details: string;
}

export interface Database {
  accounts: AccountTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  sign_in_throttle: SignInThrottleTable;
  access_events: AccessEventTable;
  devices: DeviceTable;
  meta: MetaTable;
  participants: ParticipantTable;
  sectors: SectorTable;
  zones: ZoneTable;
  reports: ReportTable;
  incidents: IncidentTable;
  incident_events: IncidentEventTable;
  ledger_leaves: LedgerLeafTable;
  ledger_tiles: LedgerTileTable;
  ledger_checkpoints: LedgerCheckpointTable;
  ledger_cosignatures: LedgerCosignatureTable;
  ledger_witnessed: LedgerWitnessedTable;
  evidence_items: EvidenceItemTable;
  evidence_custody: EvidenceCustodyTable;
  evidence_derived: EvidenceDerivedTable;
}
