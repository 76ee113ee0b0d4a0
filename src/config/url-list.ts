// RPC_URL and BUNDLER_URL: one URL, or several separated by commas, in order of preference.

/** The entries of a comma-separated URL list, trimmed, in the order given (empty ones kept, to be refused). */
export function splitUrlList(value: string): string[] {
  return value.split(',').map((entry) => entry.trim());
}

/**
 * How a message names one entry of a list without quoting it (a path or query often holds an API
 * key): its position and, when it parses, its host.
 */
export function describeEntry(entry: string, index: number, count: number): string {
  let host = '';
  try {
    host = ` (${new URL(entry).host})`;
  } catch {
    /* unreadable: the position alone */
  }
  return `entry ${index + 1} of ${count}${host}`;
}
