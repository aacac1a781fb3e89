import type { TableName } from '../table-layout.js'

/**
 * A column's type, as Parquet stores it: `string` (UTF-8), `double`, `int64`, `boolean`,
 * `timestamp` (epoch milliseconds, UTC) or `json` (any JSON value, as text). NDJSON and CSV keep
 * the payload's own JSON types; the declared fields also fix the first columns of a CSV header.
 */
export type ColumnType = 'string' | 'double' | 'int64' | 'boolean' | 'timestamp' | 'json'

export interface DeclaredField {
  name: string
  type: ColumnType
}

/**
 * The fields of each list as docs/clari-api.md#results documents them. An element's member of
 * another name, or one whose value does not fit the declared type, is never dropped: NDJSON and
 * CSV keep it as sent, Parquet keeps it in the `extra` JSON column.
 */
export const PAYLOAD_FIELDS: Readonly<Record<TableName, readonly DeclaredField[]>> = {
  entries: [
    { name: 'userId', type: 'string' },
    { name: 'fieldId', type: 'string' },
    { name: 'timePeriodId', type: 'string' },
    { name: 'timeFrameId', type: 'string' },
    { name: 'forecastValue', type: 'double' },
    { name: 'quotaValue', type: 'double' },
    // A string ("USD") or an object ({"code", "symbol"}): both are documented somewhere.
    { name: 'currency', type: 'json' },
    { name: 'isUpdated', type: 'boolean' },
    { name: 'updatedBy', type: 'string' },
    { name: 'updatedOn', type: 'timestamp' }
  ],
  users: [
    { name: 'userId', type: 'string' },
    { name: 'crmId', type: 'string' },
    { name: 'email', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'hierarchyId', type: 'string' },
    { name: 'hierarchyName', type: 'string' },
    { name: 'parentHierarchyId', type: 'string' },
    { name: 'parentHierarchyName', type: 'string' },
    { name: 'scopeId', type: 'string' }
  ],
  fields: [
    { name: 'fieldId', type: 'string' },
    { name: 'fieldName', type: 'string' },
    { name: 'fieldType', type: 'string' }
  ],
  time_periods: [
    { name: 'timePeriodId', type: 'string' },
    { name: 'startDate', type: 'string' },
    { name: 'endDate', type: 'string' },
    { name: 'label', type: 'string' },
    { name: 'year', type: 'int64' },
    { name: 'crmId', type: 'string' },
    { name: 'type', type: 'string' }
  ],
  time_frames: [
    { name: 'timeFrameId', type: 'string' },
    { name: 'startDate', type: 'string' },
    { name: 'endDate', type: 'string' }
  ]
}
