/** Why a signed-in page sent the user to /login (`?reason=`), when they did not sign out in this tab. */
export type SessionEndReason = "elsewhere" | "expired";

export const SESSION_END_MESSAGES: Record<SessionEndReason, string> = {
  elsewhere: "You were signed out on another device. Sign in again to carry on: what you were typing is kept.",
  expired: "Your session expired. Sign in again to carry on: what you were typing is kept.",
};

export function parseSessionEndReason(value: string | string[] | undefined | null): SessionEndReason | null {
  const reason = Array.isArray(value) ? value[0] : value;
  return reason === "elsewhere" || reason === "expired" ? reason : null;
}

/** The reason for a session that was there and is gone: past its expiry, or revoked (signed out elsewhere). */
export function sessionEndReason(expiresAt: number | null, now: number = Date.now()): SessionEndReason {
  return expiresAt !== null && now >= expiresAt ? "expired" : "elsewhere";
}
