import { describe, expect, it } from 'vitest'
import { enterpriseHost } from '../../src/action/github-platform.js'

describe('enterpriseHost: GitHub Enterprise Server as the toolkit detects it', () => {
  it.each([
    { url: undefined, host: undefined },
    { url: '', host: undefined },
    { url: 'https://github.com', host: undefined },
    { url: 'https://GitHub.com/', host: undefined },
    { url: 'https://octo-corp.ghe.com', host: undefined },
    { url: 'http://github.localhost:8080', host: undefined },
    { url: 'not a url', host: undefined },
    { url: 'https://github.acme-corp.example', host: 'github.acme-corp.example' },
    { url: 'https://GHES.Example.COM/', host: 'ghes.example.com' },
    { url: 'https://ghe.com.example', host: 'ghe.com.example' },
    { url: 'https://api.github.com', host: 'api.github.com' },
    { url: 'https://10.0.0.5', host: '10.0.0.5' }
  ])('$url → $host', ({ url, host }) => {
    expect(enterpriseHost(url)).toBe(host)
  })
})
