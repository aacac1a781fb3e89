/** A bad input: names the input and the accepted form. Raised before any request is made. */
export class InputError extends Error {
  override readonly name = 'InputError'
  constructor(
    readonly input: string,
    readonly problem: string,
    readonly accepted: string
  ) {
    super(`Input '${input}' ${problem}. Accepted: ${accepted}.`)
  }
}
