"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, type ReactNode } from "react";

import { SiteHeader } from "@/components/layout/site-header";
import { StatusMessage } from "@/components/layout/status-message";
import { useAuth } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";

/**
 * The frame of the signed-in pages. `proxy.ts` only sees that a session cookie exists; here the
 * API has said whether it is valid, and a signed-out visitor is sent to /login.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const { user, isPending, sessionError, refetchSession, signOut } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  const signedOut = !isPending && !user && !sessionError;
  // Once: signing out refetches the session, which flips `signedOut` off and on again.
  const leaving = useRef(false);

  useEffect(() => {
    if (!signedOut || leaving.current) return;
    leaving.current = true;
    // The cookie that let proxy.ts through is stale (revoked, expired): sign out to have the API clear it,
    // or /login would bounce straight back here.
    void signOut()
      .catch(() => undefined)
      .then(() => router.replace(`/login?redirect=${encodeURIComponent(pathname)}`));
  }, [signedOut, signOut, router, pathname]);

  let content: ReactNode;
  if (user) {
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
        <Skeleton className="h-32 w-full" />
        <Skeleton className="h-16 w-full" />
      </div>
    );
  }

  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader email={user?.email} />
      <main className="mx-auto w-full max-w-4xl flex-1 px-4 py-6 sm:px-6 sm:py-8">{content}</main>
    </div>
  );
}
