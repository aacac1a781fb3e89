import type { Endpoint } from './types.js'

export interface Route {
  /** undefined: no route matched (Kong's 404). */
  endpoint?: Endpoint
  jobId?: string
  /** URL-decoded; '' when the path has none. */
  forecastId?: string
}

const PREFIX = '/v4/'

export function matchRoute(method: string, pathname: string): Route {
  if (!pathname.startsWith(PREFIX)) return {}
  let parts: string[]
  try {
    parts = pathname.slice(PREFIX.length).split('/').map(decodeURIComponent)
  } catch {
    return {}
  }
  const [a, b, c, d, ...rest] = parts
  if (rest.length > 0) return {}
  if (method === 'POST' && a === 'export' && b === 'forecast' && d === undefined) {
    return { endpoint: 'create', forecastId: c ?? '' }
  }
  if (a === 'admin' && b === 'limits' && c === undefined && method === 'GET') {
    return { endpoint: 'limits' }
  }
  if (a !== 'export' || b !== 'jobs') return {}
  if (c === undefined) return method === 'GET' ? { endpoint: 'list' } : {}
  if (d === undefined && method === 'GET') return { endpoint: 'status', jobId: c }
  if (d === undefined && method === 'PATCH') return { endpoint: 'cancel', jobId: c }
  if (d === 'results' && method === 'GET') return { endpoint: 'results', jobId: c }
  return {}
}
