// Clari's export error body (docs/clari-api.md#errors-and-codes): {code, namespace, errorId,
// message, orgId}.

export const SIM_ORG_ID = 1905
export const SIM_USER_ID = 280627

const DOCUMENTED_MESSAGES: Record<string, string> = {
  no_such_forecast_config: 'Forecast deal_owner does not exist in the ForecastTemplate.',
  missing_forecast_id: 'The forecastId query parameter is required.',
  type_not_supported: 'CRM Totals and CRM Closed are not supported in the export API.',
  bad_request: 'The request is invalid.',
  no_optin: "No optins for scope 1::MGR for forecast 'deal_owner'.",
  SWW: 'Something went wrong',
  invalid_jobId: 'Cannot retrieve data for job because it has not finished executing.',
  export_failed_to_cancel: 'Cannot cancel the job because it already finished executing.',
  internal_server_error: 'An unexpected error occurred.',
  job_not_found: 'The job could not be found.'
}

// Create-time validation errors come from the forecast service; the rest from exports.
const FCW_CODES = new Set([
  'no_such_forecast_config',
  'missing_forecast_id',
  'type_not_supported',
  'bad_request',
  'no_optin'
])

export const QUOTA_CODE = 'export_monthly_quota_reached'

export function quotaMessage(monthlyQuota: number, concurrentLimit: number): string {
  return `The monthly quota limit of ${monthlyQuota} or concurrent limit of ${concurrentLimit} has been reached.`
}

export function clariErrorBody(
  code: string,
  errorId: string,
  message?: string,
  namespace?: string
): Record<string, unknown> {
  return {
    code,
    namespace: namespace ?? (FCW_CODES.has(code) ? 'fcw' : 'exports'),
    errorId,
    message: message ?? DOCUMENTED_MESSAGES[code] ?? code,
    orgId: SIM_ORG_ID,
    ...(code === QUOTA_CODE ? { source: 'Export' } : {})
  }
}
