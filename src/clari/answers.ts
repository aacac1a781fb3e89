import { InvalidResponseError } from './errors.js'
import { isJobId, type ExportJob, type ExportLimits } from './types.js'
import { cleanServerText } from './untrusted-text.js'

/**
 * Answers read field by field, because a field typed as a number is still text from the server
 * until it is checked: only documented fields are kept, numbers must be whole and non-negative,
 * ids must look like ids, and text is cleaned. Nothing else of an answer reaches the engine.
 */

const LIMIT_COUNTS = [
  'concurrentLimit',
  'monthlyQuota',
  'availableConcurrentLimit',
  'availableMonthlyQuota'
] as const
const LIMIT_ID_LISTS = ['runningJobIds', 'submittedJobIds'] as const
const JOB_COUNTS = ['startTime', 'endTime', 'downloads'] as const
const JOB_TEXTS = ['title', 'module', 'fileName', 'fileType'] as const
const JOB_FLAGS = ['rowsTruncated', 'cellsTruncated'] as const
const MAX_STATUS_CHARS = 40

/** `GET /admin/limits`: a limit that is not a whole number makes the whole answer unusable. */
export function readLimits(body: unknown): ExportLimits {
  const problem = (what: string): InvalidResponseError =>
    new InvalidResponseError(`read export limits: ${what}; the answer is unusable`)
  if (!isRecord(body)) throw problem('the answer is not an object')
  if (body.jobs === undefined || body.jobs === null) return {}
  const jobs = body.jobs
  if (!isRecord(jobs)) throw problem('"jobs" is not an object')
  const limits: ExportLimits = {}
  for (const field of LIMIT_COUNTS) {
    const value = jobs[field]
    if (value === undefined || value === null) continue
    if (!isCount(value)) throw problem(`${field} is not a whole number`)
    limits[field] = value
  }
  for (const field of LIMIT_ID_LISTS) {
    const value = jobs[field]
    if (value === undefined || value === null) continue
    if (!Array.isArray(value) || !value.every(isJobId))
      throw problem(`${field} is not a list of job ids`)
    limits[field] = [...value]
  }
  return limits
}

/** One job of a status or job-list answer; a field that fails its check is dropped. */
export function readJob(raw: unknown): ExportJob {
  if (!isRecord(raw)) return {}
  const job: ExportJob = {}
  if (isJobId(raw.jobId)) job.jobId = raw.jobId
  const status = cleanServerText(raw.status, MAX_STATUS_CHARS)
  // A missing status reads as '' already; null would read as the text "null".
  if (raw.status !== null && status) job.status = status
  for (const field of JOB_TEXTS) {
    const value = raw[field]
    if (typeof value === 'string') job[field] = cleanServerText(value)
  }
  for (const field of JOB_COUNTS) {
    const value = raw[field]
    if (isCount(value)) job[field] = value
  }
  for (const field of JOB_FLAGS) {
    const value = raw[field]
    if (typeof value === 'boolean') job[field] = value
  }
  return job
}

/** `GET /export/jobs`: a bare array as documented, or `{jobs: [...]}`; entries without a valid id are dropped. */
export function readJobList(body: unknown): ExportJob[] {
  const list = Array.isArray(body) ? body : isRecord(body) ? body.jobs : undefined
  if (!Array.isArray(list)) throw new InvalidResponseError('list export jobs: not a list')
  return list.map(readJob).filter(job => job.jobId !== undefined)
}

/** A finite, non-negative whole number (epoch milliseconds, counts, limits). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
