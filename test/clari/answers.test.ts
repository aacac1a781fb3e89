import { describe, expect, it } from 'vitest'
import { readJob, readJobList, readLimits } from '../../src/clari/answers.js'
import { InvalidResponseError } from '../../src/clari/errors.js'

const ID = '6073683781a6da229df71e00'
const LIMITS = {
  concurrentLimit: 3,
  monthlyQuota: 1000,
  runningJobIds: [ID],
  submittedJobIds: [],
  availableConcurrentLimit: 2,
  availableMonthlyQuota: 995
}

describe('readLimits', () => {
  it('keeps the documented fields of a valid answer, and only those', () => {
    expect(readLimits({ jobs: { ...LIMITS, extra: '::warning::x' } })).toEqual(LIMITS)
  })

  it.each([
    ['no jobs object', {}, {}],
    ['jobs null', { jobs: null }, {}],
    [
      'a field missing or null',
      { jobs: { monthlyQuota: 30, concurrentLimit: null, runningJobIds: null } },
      { monthlyQuota: 30 }
    ]
  ])('reads %s as unknown limits', (_name, body, expected) => {
    expect(readLimits(body)).toEqual(expected)
  })

  it.each([
    [
      'a number as text with a command',
      { monthlyQuota: '100\n::warning title=X::y' },
      'monthlyQuota'
    ],
    ['a fraction', { concurrentLimit: 1.5 }, 'concurrentLimit'],
    ['a negative count', { availableMonthlyQuota: -1 }, 'availableMonthlyQuota'],
    ['an unsafe integer', { availableConcurrentLimit: 2 ** 60 }, 'availableConcurrentLimit'],
    ['a boolean', { monthlyQuota: true }, 'monthlyQuota'],
    ['an object', { monthlyQuota: { n: 1 } }, 'monthlyQuota'],
    ['ids that are not ids', { runningJobIds: ['::error::x'] }, 'runningJobIds'],
    ['an id list that is text', { submittedJobIds: ID }, 'submittedJobIds']
  ])('rejects %s with a clean message naming the field', (_name, jobs, field) => {
    const read = () => readLimits({ jobs: { ...LIMITS, ...jobs } })
    expect(read).toThrow(InvalidResponseError)
    expect(read).toThrow(
      new RegExp(`^read export limits: ${field} is not [a-z ]+; the answer is unusable$`)
    )
  })

  it.each([
    ['an array', [LIMITS], 'the answer is not an object'],
    ['null', null, 'the answer is not an object'],
    ['jobs as text', { jobs: 'many' }, '"jobs" is not an object']
  ])('rejects %s as a whole, saying why', (_name, body, why) => {
    expect(() => readLimits(body)).toThrow(
      new InvalidResponseError(`read export limits: ${why}; the answer is unusable`)
    )
  })
})

describe('readJob', () => {
  it('keeps valid fields', () => {
    const job = {
      jobId: ID,
      status: 'DONE',
      title: 'Net ARR',
      module: 'FORECAST',
      fileName: 'clari_export_forecast_net_arr_2026_Q1_20260101_000000.json',
      fileType: 'JSON',
      startTime: 1_617_830_857_175,
      endTime: 1_617_830_861_959,
      downloads: 0,
      rowsTruncated: false,
      cellsTruncated: true
    }
    expect(readJob({ ...job, userId: 1, deliveryStatusMap: {} })).toEqual(job)
  })

  it.each([
    ['startTime as text', { startTime: '1617830857175' }],
    ['a negative endTime', { endTime: -5 }],
    ['an infinite time', { startTime: Infinity }],
    ['a fractional count', { downloads: 0.5 }],
    ['downloads with a command', { downloads: '1\n::error::x' }],
    ['a truncation flag as text', { rowsTruncated: 'true' }],
    ['an id that could smuggle a path', { jobId: '../x' }],
    ['a file name that is not text', { fileName: 7 }]
  ])('drops %s', (_name, fields) => {
    expect(readJob({ status: 'DONE', ...fields })).toEqual({ status: 'DONE' })
  })

  it('cleans the status and text fields', () => {
    expect(readJob({ status: 'DONE\n::error::x', title: 'a\u001b[31mb' })).toEqual({
      status: 'DONE : :error: :x',
      title: 'a [31mb'
    })
  })

  it.each([
    ['null', null],
    ['empty', ''],
    ['only controls', '\u001b\u0007']
  ])('has no status when Clari sends %s for it', (_name, status) => {
    expect(readJob({ jobId: ID, status })).toEqual({ jobId: ID })
  })

  it('cuts a status at 40 characters', () => {
    expect(readJob({ status: 'R'.repeat(41) }).status).toBe(`${'R'.repeat(40)}…`)
    expect(readJob({ status: 'R'.repeat(40) }).status).toBe('R'.repeat(40))
  })

  it.each([
    ['text', 'x', {}],
    ['null', null, {}],
    ['an array', [{ status: 'DONE' }], {}]
  ])('reads %s as a job with nothing known', (_name, raw, expected) => {
    expect(readJob(raw)).toEqual(expected)
  })
})

describe('readJobList', () => {
  it.each([
    ['a bare array', [{ jobId: ID }, { jobId: 'bad id' }, 'junk']],
    ['a jobs object', { jobs: [{ jobId: ID }, { status: 'DONE' }] }]
  ])('reads %s, dropping entries without a valid id', (_name, body) => {
    expect(readJobList(body)).toEqual([{ jobId: ID }])
  })

  it.each([
    ['an object without jobs', {}],
    ['null', null],
    ['text', 'jobs']
  ])('rejects %s', (_name, body) => {
    expect(() => readJobList(body)).toThrow(
      new InvalidResponseError('list export jobs: not a list')
    )
  })
})
