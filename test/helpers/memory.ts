/**
 * What this process holds once garbage is collected: the heap and the buffers outside it. Unlike RSS, which a
 * runtime may keep high after a burst (Node 24's allocator does), it grows only with what is still referenced.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

export function heldBytes(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}
