import type { Metadata } from "next";

import { AuthCard } from "@/components/auth/auth-card";
import { VerifyEmailResult } from "@/components/auth/verify-email-result";

export const metadata: Metadata = { title: "Verify your email" };

/** The emailed verification link's callback: the API has checked the token and sends `?error=CODE` on failure. */
export default async function VerifyEmailPage({ searchParams }: PageProps<"/verify-email">) {
  const { error } = await searchParams;
  const code = typeof error === "string" && error ? error.slice(0, 64) : null;
  return (
    <AuthCard title="Email verification" description="Confirming that the address on your account is yours.">
      <VerifyEmailResult error={code} />
    </AuthCard>
  );
}
