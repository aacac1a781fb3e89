/** Clari error `code` values the action acts on (docs/clari-api.md#errors-and-codes). */

/** 400 `SWW` ("the job status could not be retrieved"): transient on GETs, briefly. */
export const SWW_CODE = 'SWW'
export const SWW_MAX_RETRIES = 2

/** 400 on create for both an exhausted monthly quota and a full concurrency limit. */
export const QUOTA_CODE = 'export_monthly_quota_reached'

/** 400 on cancel: the job already finished, so there is nothing to cancel. */
export const FAILED_TO_CANCEL_CODE = 'export_failed_to_cancel'
