/** How an HTTP answer is treated by policy R (retry-policy.md §5, classification table). */
export type HttpClass = 'success' | 'throttle' | 'transient' | 'fatal'

export function classifyStatus(status: number): HttpClass {
  if (status >= 200 && status < 300) return 'success'
  if (status === 429 || status === 503) return 'throttle'
  if (status === 408 || status === 500 || status === 502 || status === 504) return 'transient'
  return 'fatal'
}

/** Clari's 400 `SWW` ("job status could not be retrieved") is transient on GETs, briefly. */
export const SWW_CODE = 'SWW'
export const SWW_MAX_RETRIES = 2

/** Clari's 400 for both an exhausted monthly quota and a full concurrency limit. */
export const QUOTA_CODE = 'export_monthly_quota_reached'
