import { createHash } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { tempPathFor } from '../temp-file.js'

/** A table's file as the tables write it: a TableFile here, or one on another thread. */
export interface TableOutput {
  /** Appends `bytes`, which must stay as they are until the next write to the file resolves. */
  write(bytes: Buffer): Promise<void>
  /** Closes the file and gives it its name; returns its sha256. */
  commit(): Promise<string>
  /** Closes and removes the temporary file; never throws. */
  discard(): Promise<void>
}

/** Makes the file that will appear at `target` once committed. */
export type OpenTableFile = (target: string) => Promise<TableOutput>

/**
 * A file that appears under its name only when complete. It is written under a random temporary
 * name in the same folder, created exclusively ('wx': O_CREAT | O_EXCL, which never follows a
 * symlink nor reuses a file someone left there), hashed as it is written, then renamed.
 */
export class TableFile implements TableOutput {
  private readonly hash = createHash('sha256')
  private writing: Promise<void> = Promise.resolve()

  private constructor(
    readonly target: string,
    private readonly temporary: string,
    private readonly handle: FileHandle
  ) {}

  static async create(target: string): Promise<TableFile> {
    const temporary = tempPathFor(path.dirname(target), path.basename(target))
    return new TableFile(target, temporary, await open(temporary, 'wx', 0o644))
  }

  /**
   * Appends `bytes` (which must not change afterwards) once the earlier writes are done. Resolves
   * when only this write is still in flight, so the caller can make the next bytes meanwhile.
   */
  async write(bytes: Buffer): Promise<void> {
    this.hash.update(bytes)
    await this.writing
    this.writing = this.writeAll(bytes)
    // A failure surfaces at the next write or at commit.
    this.writing.catch(() => {})
  }

  /** Appends `bytes` and resolves once they are written: then they may change. */
  async writeWhole(bytes: Buffer): Promise<void> {
    await this.write(bytes)
    await this.writing
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    for (let offset = 0; offset < bytes.length;) {
      offset += (await this.handle.write(bytes, offset)).bytesWritten
    }
  }

  /** Closes the file and gives it its name; returns its sha256. */
  async commit(): Promise<string> {
    await this.writing
    await this.handle.close()
    await rename(this.temporary, this.target)
    return this.hash.digest('hex')
  }

  /** Closes and removes the temporary file; never throws. */
  async discard(): Promise<void> {
    await this.writing.catch(() => {})
    await this.handle.close().catch(() => {})
    // A temporary already gone is fine: the catch takes its ENOENT as any other failure.
    await rm(this.temporary).catch(() => {})
  }
}
