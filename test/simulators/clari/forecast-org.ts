import { hash32 } from './figures.js'

// The simulated company's forecast hierarchy: who reports to whom, as Clari's `users` lookup
// table describes it (docs/clari-api.md#results). The same people for every forecast and period.

/** One row of the payload's `users` table. */
export interface SimUser {
  userId: string
  crmId: string
  email: string
  name: string
  hierarchyId: string
  hierarchyName: string
  parentHierarchyId: string | null
  parentHierarchyName: string | null
  scopeId: string
}

export interface OrgMember {
  /** Place in `Org.members`: pre-order, a manager before its reports. */
  index: number
  user: SimUser
  /** `index` of the manager; -1 for the root. */
  parent: number
  /** A rep (`…::REP`) enters calls; a manager (`…::MGR`) carries the roll-up of its reports. */
  rep: boolean
}

export interface Org {
  /** Pre-order: each manager before its reports. */
  members: OrgMember[]
  /** Every report before its manager: the order roll-ups can be summed in. */
  postOrder: OrgMember[]
  /** The rep who leaves after the first snapshot (undefined in an empty org). */
  leaver?: OrgMember
}

/** Sales teams per regional VP. */
const TEAMS_PER_REGION = 8
const ROOT_HIERARCHY = 1905
const USER_ID_PREFIX = '280627'
const TERRITORIES = [
  'East',
  'West',
  'Central',
  'South',
  'EMEA North',
  'EMEA South',
  'APAC',
  'LATAM',
  'Canada',
  'UK and Ireland',
  'DACH',
  'Nordics'
]
const FIRST = (
  'Avery Blake Casey Dana Emery Finley Gray Harper Indra Jordan Kai Logan Morgan Noa Oakley ' +
  'Parker Quinn Reese Sage Tatum Uma Val Wren Xan Yael Zion Ari Bo Cruz Drew Eden Fox'
).split(' ')
const LAST = (
  'Lee Ortiz Ngata Kowal Okafor Silva Novak Haddad Ito Moreau Brennan Castillo Dubois Eriksen ' +
  'Fischer Garcia Huang Iyer Jensen Khan Larsen Mensah Nilsen Osei Petrov Rossi Sato Tanaka ' +
  'Usman Varga Weber Yilmaz'
).split(' ')

/** Reps per team: 4 to 6, fixed per team, so two teams give a realistic 8 to 12 reps. */
function teamSize(team: number): number {
  return 4 + (hash32(team, 0x7ea3) % 3)
}

function territory(team: number): string {
  const name = TERRITORIES[team % TERRITORIES.length]!
  const round = Math.floor(team / TERRITORIES.length)
  return round === 0 ? name : `${name} ${round + 1}`
}

function base62(n: number, width: number): string {
  const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
  let out = ''
  for (let i = 0; i < width; i++, n = Math.floor(n / 62)) out = digits[n % 62] + out
  return out
}

/** Person `i`: 1,024 distinct names (7 is coprime with 32), then the names repeat. */
function person(i: number): { name: string; email: string } {
  const first = FIRST[i % 32]!
  const last = LAST[(i + 7 * Math.floor(i / 32)) % 32]!
  const repeat = Math.floor(i / 1024)
  const local = `${first}.${last}${repeat === 0 ? '' : repeat + 1}`.toLowerCase()
  return { name: `${first} ${last}`, email: `${local}@example.com` }
}

/**
 * The company as a CEO, a regional VP per 8 sales teams, a manager per team and its reps. Teams
 * are only ever added at the end of the pre-order, so the org of n teams is a prefix of the org
 * of n + 1: a member's row never depends on the org's size, and the org grows in place.
 */
const grown: OrgMember[] = []
const vps: OrgMember[] = []
/** Members of the org of t teams: `teamEnds[t]`. */
const teamEnds = [0]

function add(role: string, rep: boolean, parent: OrgMember | undefined): OrgMember {
  const index = grown.length
  const crmId = `0058c00000${base62(index, 5)}AAQ`
  const user: SimUser = {
    userId: `${USER_ID_PREFIX}:${crmId}`,
    crmId,
    ...person(index),
    hierarchyId: `${ROOT_HIERARCHY + index}::${rep ? 'REP' : 'MGR'}`,
    hierarchyName: role,
    parentHierarchyId: parent?.user.hierarchyId ?? null,
    parentHierarchyName: parent?.user.hierarchyName ?? null,
    scopeId: `${ROOT_HIERARCHY}::MGR`
  }
  const member = { index, user, parent: parent?.index ?? -1, rep }
  grown.push(member)
  return member
}

function grow(teams: number): void {
  while (teamEnds.length <= teams) {
    const team = teamEnds.length - 1
    const root = grown[0] ?? add('CEO', false, undefined)
    const region = Math.floor(team / TEAMS_PER_REGION)
    const vp = (vps[region] ??= add(`VP Sales - Region ${region + 1}`, false, root))
    const manager = add(`Sales Manager - ${territory(team)}`, false, vp)
    for (let i = 0; i < teamSize(team); i++) add(`Sales Rep - ${territory(team)}`, true, manager)
    teamEnds.push(grown.length)
  }
}

const views = new Map<number, Org>()

/** The org of `teams` sales teams (none: an empty org). */
export function buildOrg(teams: number): Org {
  const known = views.get(teams)
  if (known) return known
  grow(teams)
  const end = teamEnds[teams]!
  const members = grown.slice(0, end)
  // Post-order: a member follows the last member of its subtree, which pre-order makes a run.
  const postOrder: OrgMember[] = []
  const open: OrgMember[] = []
  for (const member of members) {
    while (open.length > 0 && open.at(-1)!.index !== member.parent) postOrder.push(open.pop()!)
    open.push(member)
  }
  while (open.length > 0) postOrder.push(open.pop()!)
  // The second rep of the first team.
  const org: Org = { members, postOrder, leaver: members.filter(m => m.rep)[1] }
  if (views.size >= 16) views.clear()
  views.set(teams, org)
  return org
}
