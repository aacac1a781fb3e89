import { constants, crc32, deflateRawSync } from 'node:zlib'

/**
 * Zips an attacker could put where the action downloads an earlier attempt's artifact: small on
 * the wire, huge or endless to unpack. Each entry is stored as given (`data`), or is `zeros`
 * bytes of 0 deflated (a 3 GiB entry is 3 MB); a directory of more than 65,535 entries gets the
 * zip64 end records, as real zip tools write them. A deflated entry may declare a size smaller
 * than it holds (`declares`), the bomb's lie to a reader that trusts the directory.
 */
export type HostileEntry =
  { name: string; data: Buffer } | { name: string; zeros: number; declares?: number }

const MIB = 1024 * 1024
const MAX_32 = 0xffffffff
const LOCAL = 30
const CENTRAL = 46

interface Laid {
  name: string
  nameBytes: number
  body: Buffer
  crc: number
  size: number
  method: number
  offset: number
}

/** `count` empty entries named e0, e1, …: a directory that takes a minute to walk. */
export function emptyEntries(count: number): HostileEntry[] {
  const data = Buffer.alloc(0)
  return Array.from({ length: count }, (_, i) => ({ name: `e${i}`, data }))
}

export function hostileZip(entries: readonly HostileEntry[]): Buffer {
  const laid: Laid[] = []
  let offset = 0
  let directoryBytes = 0
  for (const entry of entries) {
    const name = entry.name
    const nameBytes = Buffer.byteLength(name)
    const content =
      'data' in entry
        ? {
            body: entry.data,
            crc: entry.data.length ? crc32(entry.data) : 0,
            size: entry.data.length,
            method: 0
          }
        : { ...deflatedZeros(entry.zeros), size: entry.declares ?? entry.zeros }
    if (content.size > MAX_32 || offset > MAX_32) {
      throw new Error('hostileZip: entries past 4 GiB need zip64 sizes')
    }
    laid.push({ name, nameBytes, ...content, offset })
    offset += LOCAL + nameBytes + content.body.length
    directoryBytes += CENTRAL + nameBytes
  }
  const count = entries.length
  const zip64 = count > 0xffff
  // One buffer for everything: a directory of 220,000 entries is built in a blink.
  const out = Buffer.alloc(offset + directoryBytes + (zip64 ? 76 : 0) + 22)
  for (const e of laid) {
    const at = e.offset
    out.writeUInt32LE(0x04034b50, at)
    out.writeUInt16LE(20, at + 4)
    out.writeUInt16LE(0x0800, at + 6) // UTF-8 names
    out.writeUInt16LE(e.method, at + 8)
    out.writeUInt32LE(e.crc, at + 14)
    out.writeUInt32LE(e.body.length, at + 18)
    out.writeUInt32LE(e.size, at + 22)
    out.writeUInt16LE(e.nameBytes, at + 26)
    out.write(e.name, at + LOCAL, 'utf8')
    if (e.body.length > 0) e.body.copy(out, at + LOCAL + e.nameBytes)
  }
  let at = offset
  for (const e of laid) {
    out.writeUInt32LE(0x02014b50, at)
    out.writeUInt16LE(45, at + 4)
    out.writeUInt16LE(20, at + 6)
    out.writeUInt16LE(0x0800, at + 8)
    out.writeUInt16LE(e.method, at + 10)
    out.writeUInt32LE(e.crc, at + 16)
    out.writeUInt32LE(e.body.length, at + 20)
    out.writeUInt32LE(e.size, at + 24)
    out.writeUInt16LE(e.nameBytes, at + 28)
    out.writeUInt32LE(e.offset, at + 42)
    out.write(e.name, at + CENTRAL, 'utf8')
    at += CENTRAL + e.nameBytes
  }
  if (zip64) {
    // The zip64 end of central directory record, then its locator.
    out.writeUInt32LE(0x06064b50, at)
    out.writeBigUInt64LE(44n, at + 4)
    out.writeUInt16LE(45, at + 12)
    out.writeUInt16LE(45, at + 14)
    out.writeBigUInt64LE(BigInt(count), at + 24)
    out.writeBigUInt64LE(BigInt(count), at + 32)
    out.writeBigUInt64LE(BigInt(directoryBytes), at + 40)
    out.writeBigUInt64LE(BigInt(offset), at + 48)
    out.writeUInt32LE(0x07064b50, at + 56)
    out.writeBigUInt64LE(BigInt(at), at + 64)
    out.writeUInt32LE(1, at + 72)
    at += 76
  }
  out.writeUInt32LE(0x06054b50, at)
  out.writeUInt16LE(Math.min(count, 0xffff), at + 8)
  out.writeUInt16LE(Math.min(count, 0xffff), at + 10)
  out.writeUInt32LE(directoryBytes, at + 12)
  out.writeUInt32LE(offset, at + 16)
  return out
}

/**
 * `size` zero bytes as raw deflate: one MiB of zeros compressed once and ended with a full
 * flush (byte-aligned, no history carried over), repeated, then a final block for the rest.
 */
function deflatedZeros(size: number): Omit<Laid, 'name' | 'nameBytes' | 'offset'> {
  const whole = Math.floor(size / MIB)
  const rest = size % MIB
  const zeroMiB = Buffer.alloc(MIB)
  const block = deflateRawSync(zeroMiB, { finishFlush: constants.Z_FULL_FLUSH })
  let crc = 0
  for (let i = 0; i < whole; i++) crc = crc32(zeroMiB, crc)
  crc = crc32(Buffer.alloc(rest), crc)
  const body = Buffer.concat([
    ...Array.from({ length: whole }, () => block),
    deflateRawSync(Buffer.alloc(rest))
  ])
  return { body, crc, size, method: 8 }
}
