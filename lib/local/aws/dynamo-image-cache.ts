// The item images the stream proxy last saw, so an update's before-image costs no read. Bounded, because the
// proxy runs as long as the local cloud does: past the limit the least recently used are forgotten, and read
// again when needed.
import type { Item } from './dynamo-wire';

/** The images last seen per item name, least recently used forgotten first. `{ item: undefined }`: known absent. */
export function imageCache(limit: number) {
  const entries = new Map<string, Item | undefined>();
  return {
    get(name: string): { item: Item | undefined } | undefined {
      if (!entries.has(name)) return undefined;
      const item = entries.get(name);
      entries.delete(name);
      entries.set(name, item);
      return { item };
    },
    set(name: string, item: Item | undefined) {
      entries.delete(name);
      entries.set(name, item);
      if (entries.size > limit) entries.delete(entries.keys().next().value!);
    },
    delete(name: string) {
      entries.delete(name);
    },
  };
}
