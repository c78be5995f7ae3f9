/**
 * Wraps a reload so that only the answer to the newest request is applied.
 * Backend calls may answer out of order; an answer that comes back after a
 * later request was made is dropped, and its caller waits for the later
 * one instead, so every caller sees the newest state once its promise
 * settles.
 */
export function newestOnly<A extends unknown[], T>(
  fetch: (...args: A) => Promise<T>,
  apply: (value: T, ...args: A) => void,
): (...args: A) => Promise<void> {
  let latest = 0
  let newest: Promise<void> = Promise.resolve()
  return (...args: A): Promise<void> => {
    const mine = ++latest
    const done = fetch(...args).then(
      (value) => {
        if (mine === latest) apply(value, ...args)
        else return newest
      },
      (err: unknown) => {
        if (mine === latest) throw err
        return newest
      },
    )
    newest = done
    return done
  }
}
