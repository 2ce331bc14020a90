"use client";

import { useState } from "react";
import { LogOut, ShieldOff } from "lucide-react";

import { FormAlert } from "@/components/forms/form-alert";
import { ChangePasswordForm } from "@/components/settings/change-password-form";
import { DeleteAccountDialog } from "@/components/settings/delete-account-dialog";
import { DevicesList } from "@/components/settings/devices-card";
import { ProfileForm } from "@/components/settings/profile-form";
import { leaveToLogin } from "@/components/layout/site-header";
import { useAuth } from "@/components/providers/auth-provider";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api";

const longDate = new Intl.DateTimeFormat("en-US", { dateStyle: "long" });

function formatMemberSince(createdAt: Date | string | undefined): string {
  const date = createdAt ? new Date(createdAt) : null;
  return date && !Number.isNaN(date.getTime()) ? longDate.format(date) : "—";
}

export function SettingsView() {
  const { user, signOut, signOutEverywhere } = useAuth();
  const [pending, setPending] = useState<"here" | "everywhere" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(which: "here" | "everywhere", action: () => Promise<void>) {
    setError(null);
    setPending(which);
    try {
      await action();
      leaveToLogin();
    } catch (err) {
      setError(errorMessage(err));
      setPending(null);
    }
  }

  if (!user) return <Skeleton className="h-64 w-full" />;

  const profile = [
    { label: "Email", value: user.email, note: user.emailVerified ? "Verified" : "Not verified yet" },
    { label: "Member since", value: formatMemberSince(user.createdAt), note: null },
  ];

  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="mt-1 text-sm text-muted-foreground">Your profile, your password and your devices.</p>
      </div>
      <div className="flex flex-col gap-6">
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Profile</h2>
            </CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-6">
            <ProfileForm name={user.name ?? ""} />
            <dl className="grid gap-x-4 gap-y-1 sm:grid-cols-[10rem_1fr] sm:gap-y-4">
              {profile.map(({ label, value, note }) => (
                <div key={label} className="contents">
                  <dt className="text-sm text-muted-foreground">{label}</dt>
                  <dd className="mb-3 text-sm font-medium break-all sm:mb-0" dir="auto">
                    {value}
                    {note && <span className="ml-2 text-xs font-normal text-muted-foreground">({note})</span>}
                  </dd>
                </div>
              ))}
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Password</h2>
            </CardTitle>
            <CardDescription>Forgot it? Sign out, then use “Forgot password?” on the sign-in page.</CardDescription>
          </CardHeader>
          <CardContent>
            <ChangePasswordForm email={user.email} name={user.name ?? ""} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Signed-in devices</h2>
            </CardTitle>
            <CardDescription>
              Where your account is signed in. Sign out a device you do not recognise, or every device at once (for
              example after using a shared computer).
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <DevicesList />
            <FormAlert message={error} />
            <div className="flex flex-col gap-3 border-t pt-4 sm:flex-row">
              <Button variant="outline" onClick={() => run("here", signOut)} disabled={pending !== null}>
                <LogOut aria-hidden />
                {pending === "here" ? "Signing out…" : "Sign out"}
              </Button>
              <AlertDialog>
                <AlertDialogTrigger asChild>
                  <Button variant="destructive" disabled={pending !== null}>
                    <ShieldOff aria-hidden />
                    {pending === "everywhere" ? "Signing out everywhere…" : "Sign out everywhere"}
                  </Button>
                </AlertDialogTrigger>
                <AlertDialogContent>
                  <AlertDialogTitle>Sign out of every device?</AlertDialogTitle>
                  <AlertDialogDescription>
                    Every browser and app where you are signed in, this one included, will have to sign in again.
                  </AlertDialogDescription>
                  <AlertDialogFooter>
                    <AlertDialogCancel>Cancel</AlertDialogCancel>
                    <AlertDialogAction onClick={() => run("everywhere", signOutEverywhere)}>
                      Sign out everywhere
                    </AlertDialogAction>
                  </AlertDialogFooter>
                </AlertDialogContent>
              </AlertDialog>
            </div>
          </CardContent>
        </Card>
        <Card className="border-destructive/40">
          <CardHeader>
            <CardTitle>
              <h2>Delete account</h2>
            </CardTitle>
            <CardDescription>Delete your account and all your tasks for good.</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col">
            <DeleteAccountDialog />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
