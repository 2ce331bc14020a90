"use client";

import { createContext, useContext, useMemo, type ReactNode } from "react";

import { accessToken, api } from "@/lib/api";
import { authClient, type SessionUser } from "@/lib/auth-client";
import type { AuthClientError } from "@/lib/forms/server-errors";

/** `null` on success, else the server's error (status 0 when it could not be reached), for the form to place. */
type AuthOutcome = Promise<AuthClientError | null>;

interface AuthContextValue {
  user: SessionUser | null;
  /** The current session's id: "This device" in the list of signed-in devices. */
  sessionId: string | null;
  /** When the current session expires (ms since the epoch), to tell "expired" from "signed out elsewhere". */
  sessionExpiresAt: number | null;
  /** True while no answer from `GET /api/auth/get-session` says who is signed in. */
  isPending: boolean;
  /** Set when the session could not be checked (the API is unreachable or failing), as opposed to "signed out". */
  sessionError: string | null;
  refetchSession(): Promise<void>;
  signIn(email: string, password: string): AuthOutcome;
  signUp(name: string, email: string, password: string): AuthOutcome;
  signOut(): Promise<void>;
  /** Revoke every session of the user (all devices), then sign out here. Throws `ApiError`. */
  signOutEverywhere(): Promise<void>;
  /** Delete the account (the password confirms it); on success the caller leaves for /account-deleted. */
  deleteAccount(password: string): AuthOutcome;
}

const AuthContext = createContext<AuthContextValue | undefined>(undefined);

const UNREACHABLE = "Could not reach the server. Check your connection and try again.";

let signingOutHere = false;

/**
 * Whether this tab asked to sign out (or to delete the account): then it leaves by itself, and a missing
 * session is no news to explain.
 */
export function isSigningOutHere(): boolean {
  return signingOutHere;
}

/** Where the emailed verification link leads once it has done its work. */
export function verifyEmailCallback(): string {
  return `${window.location.origin}/verify-email`;
}

/** Run a Better Auth call, which resolves to `{error}` on HTTP errors and throws on network errors. */
export async function outcome(call: () => Promise<{ error: AuthClientError | null }>): AuthOutcome {
  accessToken.clear();
  try {
    const { error } = await call();
    return error ?? null;
  } catch {
    return { status: 0, message: UNREACHABLE };
  }
}

/** Sign out of this browser: the API revokes the session and clears the cookie. */
async function signOut() {
  signingOutHere = true;
  accessToken.clear();
  await authClient.signOut();
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const { data, isPending, isRefetching, error, refetch } = authClient.useSession();
  const user = data?.user ?? null;
  const sessionId = data?.session?.id ?? null;
  const expiresAt = data?.session?.expiresAt ? new Date(data.session.expiresAt).getTime() : null;
  const sessionError = error ? UNREACHABLE : null;
  // Signed out so far, but a check is under way (e.g. right after signing in): not an answer yet.
  const isChecking = isPending || (isRefetching && !user);

  const value = useMemo<AuthContextValue>(() => {
    /**
     * The client refreshes the session store only 10 ms after a sign-in; load it now, so the page we go to
     * next sees the user instead of "signed out".
     */
    async function settled(failure: AuthClientError | null) {
      if (!failure) {
        signingOutHere = false;
        await refetch();
      }
      return failure;
    }
    return {
      user,
      sessionId,
      sessionExpiresAt: expiresAt,
      isPending: isChecking,
      sessionError,
      refetchSession: () => refetch(),
      signIn: async (email, password) => settled(await outcome(() => authClient.signIn.email({ email, password }))),
      signUp: async (name, email, password) =>
        settled(
          await outcome(() =>
            authClient.signUp.email({
              name: name.trim() || email.split("@")[0],
              email,
              password,
              callbackURL: verifyEmailCallback(),
            }),
          ),
        ),
      signOut,
      async signOutEverywhere() {
        await api.logoutAll();
        await signOut();
      },
      async deleteAccount(password) {
        // Set first: the client refetches the session as soon as the deletion succeeds.
        signingOutHere = true;
        const failure = await outcome(() => authClient.deleteUser({ password }));
        if (failure) signingOutHere = false;
        return failure;
      },
    };
  }, [user, sessionId, expiresAt, isChecking, sessionError, refetch]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const context = useContext(AuthContext);
  if (!context) throw new Error("useAuth must be used within an AuthProvider");
  return context;
}
