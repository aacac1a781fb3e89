/**
 * What the process printed on stdout while `body` ran (the toolkit's workflow commands
 * included), still passed through to stdout.
 */
export async function printedDuring<T>(
  body: () => Promise<T>
): Promise<{ value: T; printed: string }> {
  const printed: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    printed.push(String(chunk))
    return write(chunk, ...rest)
  }) as typeof process.stdout.write
  try {
    return { value: await body(), printed: printed.join('') }
  } finally {
    process.stdout.write = write
  }
}
