"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, type ReactNode } from "react";

import { VerifyEmailBanner } from "@/components/account/verify-email-banner";
import { SiteHeader } from "@/components/layout/site-header";
import { StatusMessage } from "@/components/layout/status-message";
import { isSigningOutHere, useAuth } from "@/components/providers/auth-provider";
import { accessToken } from "@/lib/api";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { sessionEndReason } from "@/lib/session-end";

/**
 * The frame of the signed-in pages. `proxy.ts` only sees that a session cookie exists; here the
 * API has said whether it is valid, and a signed-out visitor is sent to /login, told why when a session
 * this page had ended without the user signing out here.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const { user, sessionExpiresAt, isPending, sessionError, refetchSession, signOut } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  const signedOut = !isPending && !user && !sessionError;
  // Once: signing out refetches the session, which flips `signedOut` off and on again.
  const leaving = useRef(false);
  const lastSession = useRef<{ expiresAt: number | null } | null>(null);
  // Ask for the tasks API's access token alongside the session check rather than after it: one round trip
  // less before the first list. It needs only the cookie; a failure is handled by the call that needs it.
  useEffect(() => {
    accessToken.get().catch(() => undefined);
  }, []);
  useEffect(() => {
    if (user) lastSession.current = { expiresAt: sessionExpiresAt };
  }, [user, sessionExpiresAt]);

  useEffect(() => {
    // A sign-out or deletion this tab asked for navigates by itself (a full load to /login or /account-deleted).
    if (!signedOut || leaving.current || isSigningOutHere()) return;
    leaving.current = true;
    const target = new URLSearchParams({ redirect: `${pathname}${window.location.search}` });
    if (lastSession.current) target.set("reason", sessionEndReason(lastSession.current.expiresAt));
    // The cookie that let proxy.ts through is stale (revoked, expired): sign out to have the API clear it,
    // or /login would bounce straight back here.
    void signOut()
      .catch(() => undefined)
      .then(() => router.replace(`/login?${target}`));
  }, [signedOut, signOut, router, pathname]);

  let content: ReactNode;
  if (user || isPending) {
    // While the session check runs, the page draws what it can without the user (the proxy saw a cookie).
    content = children;
  } else if (sessionError && !isPending) {
    content = (
      <StatusMessage title="We could not check your session" text={sessionError}>
        <Button variant="outline" onClick={() => void refetchSession()}>
          Try again
        </Button>
      </StatusMessage>
    );
  } else {
    content = (
      <div className="flex flex-col gap-4" aria-busy="true" aria-label="Loading">
        <Skeleton className="h-8 w-40" />
        <Skeleton className="h-12 w-full" />
        <Skeleton className="h-64 w-full" />
      </div>
    );
  }

  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only rounded-md bg-card px-3 py-2 text-sm font-medium focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:ring-[3px] focus:ring-ring/50"
      >
        Skip to content
      </a>
      <SiteHeader />
      <main id="main" className="mx-auto w-full max-w-3xl flex-1 px-3 py-4 sm:px-6 sm:py-6">
        {user && !user.emailVerified && <VerifyEmailBanner email={user.email} />}
        {content}
      </main>
    </div>
  );
}
