/** Seconds before `exp` at which a cached access token counts as expired. */
const EXPIRY_MARGIN_MS = 30_000;

export interface AccessTokenSource {
  /** A valid access token, fetched only when none is cached or the cached one is about to expire. */
  get(): Promise<string>;
  /** Forget the cached token (after a 401, a sign-in or a sign-out). */
  clear(): void;
}

/** Read `exp` (in ms) from a JWT's payload without verifying it; the API verifies it. */
export function jwtExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const { exp } = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="))) as { exp?: unknown };
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * Cache the access token returned by `fetchToken` until shortly before its expiry.
 * Concurrent callers share one request; a `clear()` during a request discards its result.
 */
export function createAccessTokenSource(
  fetchToken: () => Promise<string>,
  now: () => number = Date.now,
): AccessTokenSource {
  let cached: { token: string; expiresAt: number } | null = null;
  let pending: Promise<string> | null = null;
  let generation = 0;

  function load(): Promise<string> {
    const started = generation;
    const request = fetchToken().then(
      (token) => {
        const expiresAt = jwtExpiry(token);
        if (started === generation) {
          pending = null;
          cached = expiresAt === null ? null : { token, expiresAt };
        }
        return token;
      },
      (error: unknown) => {
        if (started === generation) pending = null;
        throw error;
      },
    );
    pending = request;
    return request;
  }

  return {
    get() {
      if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > now()) return Promise.resolve(cached.token);
      return pending ?? load();
    },
    clear() {
      generation += 1;
      cached = null;
      pending = null;
    },
  };
}
