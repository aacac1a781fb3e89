/** How an HTTP answer is treated by the retry policy (docs/retry-policy.md#classification). */
export type HttpClass = 'success' | 'throttle' | 'transient' | 'fatal'

export function classifyStatus(status: number): HttpClass {
  if (status >= 200 && status < 300) return 'success'
  if (status === 429 || status === 503) return 'throttle'
  if (status === 408 || status === 500 || status === 502 || status === 504) return 'transient'
  return 'fatal'
}
