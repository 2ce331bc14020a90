"use client";

import { createContext, useContext, useMemo, type ReactNode } from "react";

import { accessToken, api } from "@/lib/api";
import { authClient, describeAuthError, type SessionUser } from "@/lib/auth-client";

/** `null` on success, else a sentence to show to the user. */
type AuthOutcome = Promise<string | null>;

interface AuthContextValue {
  user: SessionUser | null;
  /** True until the first `GET /api/auth/get-session` has answered. */
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

export function AuthProvider({ children }: { children: ReactNode }) {
  const { data, isPending, error, refetch } = authClient.useSession();
  const user = data?.user ?? null;
  const sessionError = error ? UNREACHABLE : null;

  const value = useMemo<AuthContextValue>(() => {
    async function signOut() {
      accessToken.clear();
      await authClient.signOut();
    }
    return {
      user,
      isPending,
      sessionError,
      refetchSession: () => refetch(),
      signIn: (email, password) => outcome(() => authClient.signIn.email({ email, password })),
      signUp: (name, email, password) =>
        outcome(() => authClient.signUp.email({ name: name.trim() || email.split("@")[0], email, password })),
      signOut,
      async signOutEverywhere() {
        await api.logoutAll();
        await signOut();
      },
    };
  }, [user, isPending, sessionError, refetch]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const context = useContext(AuthContext);
  if (!context) throw new Error("useAuth must be used within an AuthProvider");
  return context;
}
