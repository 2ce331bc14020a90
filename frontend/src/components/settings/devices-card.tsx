"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Monitor, Smartphone } from "lucide-react";
import { toast } from "sonner";

import { FormAlert } from "@/components/forms/form-alert";
import { useAuth } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { authClient } from "@/lib/auth-client";
import { toDevices, timeAgo, type Device } from "@/lib/devices";
import { accountProblem, type AuthClientError } from "@/lib/forms/server-errors";

export const DEVICES_KEY = ["devices"] as const;

const exact = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });

/** Unwrap a Better Auth client answer: its data, or a thrown `Error` carrying the problem in plain words. */
async function unwrap<T>(call: Promise<{ data: T | null; error: AuthClientError | null }>): Promise<T> {
  let answer: { data: T | null; error: AuthClientError | null };
  try {
    answer = await call;
  } catch {
    answer = { data: null, error: { status: 0 } };
  }
  if (answer.error) throw new Error(accountProblem(answer.error).message);
  return answer.data as T;
}

function DeviceRow({ device, onSignOut, pending }: { device: Device; onSignOut(): void; pending: boolean }) {
  const Icon = device.mobile ? Smartphone : Monitor;
  const titleId = `device-${device.id}`;
  return (
    <li className="flex items-center gap-3 py-3" aria-labelledby={titleId}>
      <Icon className="size-5 shrink-0 text-muted-foreground" aria-hidden />
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
          <span id={titleId}>{device.label}</span>
          {device.current && (
            <span className="rounded-full border border-success/60 bg-success/10 px-2 py-0.5 text-xs font-medium">
              This device
            </span>
          )}
        </p>
        <p className="text-xs text-muted-foreground">
          {device.ipAddress ? `IP ${device.ipAddress} · ` : ""}
          Last active <time dateTime={device.lastActive.toISOString()} title={exact.format(device.lastActive)}>{timeAgo(device.lastActive)}</time>
          {" · "}signed in {exact.format(device.signedInAt)}
        </p>
      </div>
      {!device.current && (
        <Button variant="outline" size="sm" onClick={onSignOut} disabled={pending} aria-label={`Sign out ${device.label}`}>
          {pending ? "Signing out…" : "Sign out"}
        </Button>
      )}
    </li>
  );
}

/** Every signed-in device (`listSessions`), each with "Sign out" (`revokeSession`), and "Sign out other devices". */
export function DevicesList() {
  const { sessionId } = useAuth();
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: DEVICES_KEY,
    queryFn: () => unwrap(authClient.listSessions()),
    staleTime: 0,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: DEVICES_KEY });
  const revokeOne = useMutation({
    mutationFn: (device: Device) => unwrap(authClient.revokeSession({ token: device.handle })),
    onSuccess: (_, device) => toast.success(`${device.label} is signed out.`),
    onSettled: refresh,
  });
  const revokeOthers = useMutation({
    mutationFn: () => unwrap(authClient.revokeOtherSessions()),
    onSuccess: () => toast.success("Your other devices are signed out."),
    onSettled: refresh,
  });

  if (sessions.isPending) return <Skeleton className="h-24 w-full" aria-label="Loading your devices" />;
  if (sessions.isError) {
    return (
      <div className="flex flex-col items-start gap-3">
        <FormAlert message={`We could not load your devices. ${sessions.error.message}`} />
        <Button variant="outline" size="sm" onClick={() => void sessions.refetch()}>
          Try again
        </Button>
      </div>
    );
  }

  const devices = toDevices(sessions.data, sessionId);
  const others = devices.filter((d) => !d.current).length;
  const failure = revokeOne.error ?? revokeOthers.error;
  return (
    <div className="flex flex-col gap-3">
      <FormAlert message={failure?.message} />
      <ul aria-label="Signed-in devices" className="divide-y">
        {devices.map((device) => (
          <DeviceRow
            key={device.id}
            device={device}
            pending={revokeOne.isPending && revokeOne.variables?.id === device.id}
            onSignOut={() => revokeOne.mutate(device)}
          />
        ))}
      </ul>
      <Button
        variant="outline"
        className="self-start"
        onClick={() => revokeOthers.mutate()}
        disabled={others === 0 || revokeOthers.isPending}
      >
        {revokeOthers.isPending ? "Signing out other devices…" : "Sign out other devices"}
      </Button>
    </div>
  );
}
