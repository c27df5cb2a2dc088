import type { Kysely } from 'kysely';

// Column types chosen to mean the same in SQLite and PostgreSQL (see schema.ts).
const REAL = 'double precision' as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('participants')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();

  await db.schema
    .createTable('sectors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('geometry', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('zones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('weapon_classes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('distance_km', REAL)
    .addColumn('geometry', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('primary_type', 'text', (c) => c.notNull())
    .addColumn('types', 'text', (c) => c.notNull())
    .addColumn('weapon_classes', 'text', (c) => c.notNull())
    .addColumn('first_observed', 'text', (c) => c.notNull())
    .addColumn('last_observed', 'text', (c) => c.notNull())
    .addColumn('lon', REAL, (c) => c.notNull())
    .addColumn('lat', REAL, (c) => c.notNull())
    .addColumn('uncertainty_m', REAL, (c) => c.notNull())
    .addColumn('oblast', 'text')
    .addColumn('sector_id', 'text')
    .addColumn('report_count', 'integer', (c) => c.notNull())
    .addColumn('source_count', 'integer', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('weapon_violation', 'integer', (c) => c.notNull().defaultTo(0))
    // 1 when the incident spans more than a day; see overlapping-incidents.ts.
    .addColumn('long_span', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attribution_party', 'text')
    .addColumn('attribution_confidence', 'text')
    .addColumn('attribution_basis', 'text')
    .addColumn('attribution_notes', 'text')
    .addColumn('merged_into', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('incidents_time')
    .on('incidents')
    .columns(['last_observed', 'first_observed'])
    .execute();
  await db.schema.createIndex('incidents_first').on('incidents').columns(['first_observed', 'id']).execute();
  await db.schema.createIndex('incidents_status').on('incidents').column('status').execute();
  await db.schema
    .createIndex('incidents_long')
    .on('incidents')
    .columns(['long_span', 'first_observed'])
    .execute();

  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_instance_id', 'text', (c) => c.notNull().unique())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('participant', 'text', (c) => c.notNull())
    .addColumn('observed_from', 'text', (c) => c.notNull())
    .addColumn('observed_to', 'text', (c) => c.notNull())
    .addColumn('time_precision', 'text', (c) => c.notNull())
    .addColumn('observer_lon', REAL, (c) => c.notNull())
    .addColumn('observer_lat', REAL, (c) => c.notNull())
    .addColumn('observer_accuracy_m', REAL, (c) => c.notNull())
    .addColumn('event_lon', REAL)
    .addColumn('event_lat', REAL)
    .addColumn('bearing_deg', REAL)
    .addColumn('distance_min_km', REAL)
    .addColumn('distance_max_km', REAL)
    .addColumn('geo_precision', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('weapon_class', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('count_approximate', 'integer', (c) => c.notNull())
    .addColumn('means', 'text', (c) => c.notNull())
    .addColumn('claimed_attribution', 'text')
    .addColumn('casualties', 'text')
    .addColumn('notes', 'text')
    .addColumn('lang', 'text')
    .addColumn('supersedes', 'text', (c) => c.references('reports.id'))
    .addColumn('device_id', 'text')
    .addColumn('signature', 'text')
    .addColumn('est_lon', REAL, (c) => c.notNull())
    .addColumn('est_lat', REAL, (c) => c.notNull())
    .addColumn('est_uncertainty_m', REAL, (c) => c.notNull())
    .addColumn('est_method', 'text', (c) => c.notNull())
    .addColumn('oblast', 'text')
    .addColumn('sector_id', 'text')
    .addColumn('contact_line_km', REAL)
    .addColumn('in_buffer_zone', 'integer', (c) => c.notNull())
    .addColumn('zone_ids', 'text', (c) => c.notNull())
    .addColumn('withdrawal_violation', 'text')
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('link_score', REAL)
    .addColumn('link_reason', 'text')
    .execute();
  await db.schema.createIndex('reports_incident').on('reports').column('incident_id').execute();
  await db.schema.createIndex('reports_observed').on('reports').columns(['observed_from', 'id']).execute();
  await db.schema.createIndex('reports_supersedes').on('reports').column('supersedes').execute();

  await db.schema
    .createTable('incident_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('reason', 'text')
    .addColumn('details', 'text')
    .execute();
  await db.schema
    .createIndex('incident_events_incident')
    .on('incident_events')
    .columns(['incident_id', 'at'])
    .execute();

  await db.schema
    .createTable('ledger_leaves')
    .addColumn('idx', 'integer', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .addColumn('commitment', 'text', (c) => c.notNull())
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ledger_leaves_record')
    .on('ledger_leaves')
    .columns(['kind', 'record_id'])
    .execute();
}
