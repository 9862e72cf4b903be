// A module resolution hook that prints the name of every npm package a process loads, one per line.
import process from "node:process";

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const found = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(result.url);
  if (found) process.stdout.write(`${found[1]}\n`);
  return result;
}
