import { promisify } from 'node:util'
import { crc32, inflateRaw } from 'node:zlib'

const inflateRawAsync = promisify(inflateRaw)

const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const CENTRAL_FILE_HEADER = 0x02014b50
const LOCAL_FILE_HEADER = 0x04034b50
const ZIP64_MARKER = 0xffffffff
const MAX_COMMENT_LENGTH = 0xffff

export const ZIP_METHOD_STORED = 0
export const ZIP_METHOD_DEFLATE = 8

export interface ZipEntry {
  name: string
  /** 0 = stored, 8 = deflate */
  method: number
  crc32: number
  compressedSize: number
  size: number
  localHeaderOffset: number
}

/**
 * Reads the central directory. Streamed zips (archiver) leave sizes out of the local headers,
 * so the central directory is the only reliable source. Zip64 archives are not supported.
 */
export function readZipDirectory(zip: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(zip)
  const count = zip.readUInt16LE(eocd + 10)
  let offset = zip.readUInt32LE(eocd + 16)
  const entries: ZipEntry[] = []
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) {
      throw new Error(`Corrupt zip: no central directory header at ${offset}`)
    }
    const nameLength = zip.readUInt16LE(offset + 28)
    const extraLength = zip.readUInt16LE(offset + 30)
    const commentLength = zip.readUInt16LE(offset + 32)
    const entry: ZipEntry = {
      method: zip.readUInt16LE(offset + 10),
      crc32: zip.readUInt32LE(offset + 16),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength)
    }
    if ([entry.compressedSize, entry.size, entry.localHeaderOffset].includes(ZIP64_MARKER)) {
      throw new Error(`Zip64 entry '${entry.name}' is not supported`)
    }
    entries.push(entry)
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** Unzips every file entry (directories skipped) into memory, keyed by its path in the zip. */
export async function listZipEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  for (const entry of readZipDirectory(zip)) {
    if (entry.name.endsWith('/')) continue
    files.set(entry.name, await extractEntry(zip, entry))
  }
  return files
}

async function extractEntry(zip: Buffer, entry: ZipEntry): Promise<Buffer> {
  const header = entry.localHeaderOffset
  if (zip.readUInt32LE(header) !== LOCAL_FILE_HEADER) {
    throw new Error(`Corrupt zip: no local header for '${entry.name}'`)
  }
  const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28)
  const raw = zip.subarray(start, start + entry.compressedSize)
  let data: Buffer
  if (entry.method === ZIP_METHOD_STORED) data = Buffer.from(raw)
  else if (entry.method === ZIP_METHOD_DEFLATE) data = await inflateRawAsync(raw)
  else throw new Error(`Unsupported zip method ${entry.method} for '${entry.name}'`)
  if (data.length !== entry.size || crc32(data) !== entry.crc32) {
    throw new Error(`'${entry.name}' does not match its size or CRC-32 in the zip directory`)
  }
  return data
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const earliest = Math.max(0, zip.length - 22 - MAX_COMMENT_LENGTH)
  for (let offset = zip.length - 22; offset >= earliest; offset--) {
    if (zip.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset
  }
  throw new Error('Not a zip: end of central directory not found')
}
