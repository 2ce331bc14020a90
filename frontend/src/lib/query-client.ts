import { QueryClient } from "@tanstack/react-query";

import { ApiError, SESSION_ENDED } from "@/lib/api";

const MAX_RETRIES = 2;

/**
 * Retry what a second try can fix, a lost connection or a server having a bad moment (502/503/504), twice;
 * never a 4xx: the same request would be refused again.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES || !(error instanceof ApiError) || error.code === SESSION_ENDED) return false;
  return error.status === 0 || error.status === 502 || error.status === 503 || error.status === 504;
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 4000),
        // A list shown a moment ago is good enough to show at once; it refreshes in the background.
        staleTime: 30_000,
      },
      // Only idempotent mutations opt in to retries (see use-task-mutations).
      mutations: { retry: false },
    },
  });
}
