// Writes to one item go through the stream proxy one at a time, so each stream record's images are exact and an
// item's records keep their order, as a stream shard keeps them; writes to different items run side by side, as
// they do in DynamoDB.

/** A lock per item name: `withItemLocks(names, work)` runs `work` once every earlier write of these items has finished. */
export function itemLocks() {
  /** The last write queued on each item, so the next write of that item waits for it. */
  const last = new Map<string, Promise<unknown>>();
  return async function withItemLocks<T>(items: string[], work: () => Promise<T>): Promise<T> {
    const names = [...new Set(items)];
    const previous = names.map((name) => last.get(name) ?? Promise.resolve());
    const result = Promise.all(previous).then(work);
    const settled = result.catch(() => undefined);
    for (const name of names) last.set(name, settled);
    void settled.then(() => {
      for (const name of names) if (last.get(name) === settled) last.delete(name);
    });
    return result;
  };
}
