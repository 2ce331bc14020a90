import type { Metadata } from "next";

import { AuthCard } from "@/components/auth/auth-card";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";

export const metadata: Metadata = { title: "Choose a new password" };

/** The emailed reset link lands here with `?token=`, or with `?error=INVALID_TOKEN` when the API refused it. */
export default async function ResetPasswordPage({ searchParams }: PageProps<"/reset-password">) {
  const { token, error } = await searchParams;
  const usable = typeof token === "string" && token && !error ? token : null;
  return (
    <AuthCard title="Reset your password" description="Set a new password with the link we emailed you.">
      <ResetPasswordForm token={usable} />
    </AuthCard>
  );
}
