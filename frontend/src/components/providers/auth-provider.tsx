"use client";

import { createContext, useContext, useMemo, type ReactNode } from "react";

import { accessToken, api } from "@/lib/api";
import { authClient, describeAuthError, type SessionUser } from "@/lib/auth-client";

/** `null` on success, else a sentence to show to the user. */
type AuthOutcome = Promise<string | null>;

interface AuthContextValue {
  user: SessionUser | null;
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
}

const AuthContext = createContext<AuthContextValue | undefined>(undefined);

const UNREACHABLE = "Could not reach the server. Check your connection and try again.";

/** Run a Better Auth call, which resolves to `{error}` on HTTP errors and throws on network errors. */
async function outcome(call: () => Promise<{ error: Parameters<typeof describeAuthError>[0] | null }>): AuthOutcome {
  accessToken.clear();
  try {
    const { error } = await call();
    return error ? describeAuthError(error) : null;
  } catch {
    return UNREACHABLE;
  }
}

/** Sign out of this browser: the API revokes the session and clears the cookie. */
async function signOut() {
  accessToken.clear();
  await authClient.signOut();
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const { data, isPending, isRefetching, error, refetch } = authClient.useSession();
  const user = data?.user ?? null;
  const sessionError = error ? UNREACHABLE : null;
  // Signed out so far, but a check is under way (e.g. right after signing in): not an answer yet.
  const isChecking = isPending || (isRefetching && !user);

  const value = useMemo<AuthContextValue>(() => {
    /**
     * The client refreshes the session store only 10 ms after a sign-in; load it now, so the page we go to
     * next sees the user instead of "signed out".
     */
    async function settled(failure: string | null) {
      if (!failure) await refetch();
      return failure;
    }
    return {
      user,
      isPending: isChecking,
      sessionError,
      refetchSession: () => refetch(),
      signIn: async (email, password) => settled(await outcome(() => authClient.signIn.email({ email, password }))),
      signUp: async (name, email, password) =>
        settled(
          await outcome(() => authClient.signUp.email({ name: name.trim() || email.split("@")[0], email, password })),
        ),
      signOut,
      async signOutEverywhere() {
        await api.logoutAll();
        await signOut();
      },
    };
  }, [user, isChecking, sessionError, refetch]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const context = useContext(AuthContext);
  if (!context) throw new Error("useAuth must be used within an AuthProvider");
  return context;
}

/** The signed-in user, for components rendered inside the app shell (which renders nothing signed out). */
export function useSignedInUser(): SessionUser {
  const { user } = useAuth();
  if (!user) throw new Error("useSignedInUser must be used inside the signed-in app shell");
  return user;
}
