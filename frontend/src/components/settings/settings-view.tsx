"use client";

import { useState } from "react";
import { LogOut, ShieldOff } from "lucide-react";

import { FormError } from "@/components/auth/form-error";
import { PageHeader } from "@/components/layout/page-header";
import { useAuth, useSignedInUser } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { errorMessage } from "@/lib/api";

const longDate = new Intl.DateTimeFormat("en-US", { dateStyle: "long" });

function formatMemberSince(createdAt: Date | string | undefined): string {
  const date = createdAt ? new Date(createdAt) : null;
  return date && !Number.isNaN(date.getTime()) ? longDate.format(date) : "—";
}

/**
 * A full page load to /login: nothing of this user stays in memory, and it wins over the app shell's
 * own redirect (which would add `?redirect=/settings`) when the session store notices the sign-out.
 */
function leave() {
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load is the point
  window.location.assign("/login");
}

export function SettingsView() {
  const user = useSignedInUser();
  const { signOut, signOutEverywhere } = useAuth();
  const [pending, setPending] = useState<"here" | "everywhere" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(which: "here" | "everywhere", action: () => Promise<void>) {
    setError(null);
    setPending(which);
    try {
      await action();
      leave();
    } catch (err) {
      setError(errorMessage(err));
      setPending(null);
    }
  }

  const profile = [
    { label: "Name", value: user.name || "—" },
    { label: "Email", value: user.email },
    { label: "Member since", value: formatMemberSince(user.createdAt) },
  ];

  return (
    <>
      <PageHeader title="Settings" description="Your profile and your sessions." />
      <div className="flex flex-col gap-6">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Profile</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-4 sm:grid-cols-[10rem_1fr]">
              {profile.map(({ label, value }) => (
                <div key={label} className="contents">
                  <dt className="text-sm text-muted-foreground">{label}</dt>
                  <dd className="-mt-3 text-sm font-medium break-all sm:mt-0">{value}</dd>
                </div>
              ))}
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Sessions</h2>
            </CardTitle>
            <CardDescription>
              Sign out of this browser, or of every device where you are signed in (for example after using a
              shared computer).
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <FormError message={error} />
            <div className="flex flex-col gap-3 sm:flex-row">
              <Button variant="outline" onClick={() => run("here", signOut)} disabled={pending !== null}>
                <LogOut aria-hidden />
                {pending === "here" ? "Signing out…" : "Sign out"}
              </Button>
              <Button variant="destructive" onClick={() => run("everywhere", signOutEverywhere)} disabled={pending !== null}>
                <ShieldOff aria-hidden />
                {pending === "everywhere" ? "Signing out everywhere…" : "Sign out everywhere"}
              </Button>
            </div>
          </CardContent>
        </Card>
      </div>
    </>
  );
}
