/**
 * Reads RFC 4180 CSV (CRLF records, '"' quoting with '""' for a quote) into records of fields,
 * for tests that read back what the tables wrote. A quoted empty field reads as '""' so that tests
 * can tell it from an empty (missing) one.
 */
export function readCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let i = 0
  while (i < text.length) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        const quote = text.indexOf('"', i)
        if (quote === -1) throw new Error('unterminated quoted field')
        field += text.slice(i, quote)
        i = quote + 1
        if (text[i] !== '"') break
        field += '"'
        i++
      }
      if (field === '') field = '""'
    } else {
      const end = text.slice(i).search(/,|\r\n/)
      field = end === -1 ? text.slice(i) : text.slice(i, i + end)
      i += field.length
    }
    record.push(field)
    if (text.startsWith('\r\n', i)) {
      records.push(record)
      record = []
      i += 2
    } else if (text[i] === ',') {
      i++
    } else if (i < text.length) {
      throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`)
    }
  }
  if (record.length > 0) records.push(record)
  return records
}
